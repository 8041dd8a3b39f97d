"""The outbox over HTTP: the file attached to a message (an .ics, a PDF), for the staff who see the message."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from app.api.downloads import data_attachment, download
from app.services import home


async def outbox_attachment(request: Request) -> Response:
    """Send an outbox message's attachment to a staff member of its organisation.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The file, or the same plain 404 for anonymous, another organisation's, a sealed message's and missing alike.
    """
    outbox_id: int = request.path_params["outbox_id"]
    return await download(
        request,
        f"outbox:{outbox_id}",
        lambda db, actor: home.outbox_attachment(db, actor, outbox_id),
        lambda found: data_attachment(found.name, found.data, found.content_type),
    )
