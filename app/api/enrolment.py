"""CSV files of enrolment: a CSV import's result report and a session's participants ("Export csv")."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api.downloads import data_attachment, download
from app.services import enrolment_csv

CSV_TYPE = "text/csv; charset=utf-8"


def _csv(found: tuple[str, bytes]) -> Response:
    return data_attachment(found[0], found[1], CSV_TYPE)


async def import_report(request: Request) -> Response:
    """Send the result report of one's own CSV import ("Résultat de vos inscriptions par CSV").

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The CSV, or the same plain 404 for anonymous, forbidden and missing alike.
    """
    job_id: int = request.path_params["job_id"]
    return await download(
        request, f"enrolment_import:{job_id}", lambda db, actor: enrolment_csv.job_report(db, actor, job_id), _csv
    )


async def participants(request: Request) -> Response:
    """Send a session's participants as CSV, for its staff and trainers.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The CSV, or the same plain 404 for anonymous, forbidden and missing alike.
    """
    session_id: int = request.path_params["session_id"]
    return await download(
        request,
        f"session:{session_id}",
        lambda db, actor: enrolment_csv.participants_csv(db, actor, session_id),
        _csv,
    )
