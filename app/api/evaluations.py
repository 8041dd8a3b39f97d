"""An anonymous quality evaluation's report ("bilan du questionnaire d'évaluation") as a PDF download."""

from __future__ import annotations

from starlette.responses import Response

from app.api.downloads import download_route, pdf_attachment
from app.services.evaluations import report


def _pdf(found: tuple[str, bytes]) -> Response:
    return pdf_attachment(*found)


# For those who read the results (OVERSEE), once enough learners answered; the same 404 otherwise.
quality_report = download_route(
    lambda path: f"activity:{path['activity_id']}",
    lambda db, actor, path: report.quality_report_pdf(db, actor, path["activity_id"]),
    _pdf,
)
