"""Mission files: a hand-in and its correction's file, to the learner concerned and the session's correctors only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api.downloads import download, file_attachment
from app.services import missions


async def download_submission_file(request: Request) -> Response:
    """Send a hand-in's file (`work`) or its correction's file (`feedback`), as an attachment.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The file, or the same plain 404 for anonymous, forbidden and missing alike.
    """
    submission_id: int = request.path_params["submission_id"]
    which = str(request.path_params["which"])
    return await download(
        request,
        f"submission:{submission_id}:{which[:20]}",
        lambda db, actor: missions.open_file(db, actor, submission_id, which),
        lambda found: file_attachment(*found),
    )
