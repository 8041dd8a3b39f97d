"""CSV files of enrolment: a CSV import's result report and a session's participants ("Export csv")."""

from __future__ import annotations

from starlette.responses import Response

from app.api.downloads import data_attachment, download_route
from app.services import enrolment_csv

CSV_TYPE = "text/csv; charset=utf-8"


def _csv(found: tuple[str, bytes]) -> Response:
    return data_attachment(found[0], found[1], CSV_TYPE)


# The result report of one's own CSV import ("Résultat de vos inscriptions par CSV").
import_report = download_route(
    lambda path: f"enrolment_import:{path['job_id']}",
    lambda db, actor, path: enrolment_csv.job_report(db, actor, path["job_id"]),
    _csv,
)

# A session's participants as CSV, for its staff and trainers.
participants = download_route(
    lambda path: f"session:{path['session_id']}",
    lambda db, actor, path: enrolment_csv.participants_csv(db, actor, path["session_id"]),
    _csv,
)
