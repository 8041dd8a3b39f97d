"""Authenticated file downloads: a module's documents and an activity's files, to members of its session only."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.api.downloads import ATTACHMENT_HEADERS, content_disposition, download, download_route, file_attachment
from app.services import activities, documents

# Types a browser shows by itself; anything else is always sent as an attachment.
_VIEWABLE = frozenset({"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"})


# A document's file, for a member of its session, as an attachment.
download_document = download_route(
    lambda path: f"document:{path['document_id']}",
    lambda db, actor, path: documents.open_for_download(db, actor, path["document_id"]),
    lambda found: file_attachment(*found),
)


def _inline_image(found: tuple[Path, str]) -> Response:
    path, content_type = found
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "Content-Disposition": "inline",
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


# A course's thumbnail, inline, for members of its organisation. Unlike documents, a refused
# thumbnail writes no `access.denied` entry (target None).
course_image = download_route(
    None, lambda db, actor, path: documents.open_course_image(db, actor, path["course_id"]), _inline_image
)


def _activity_file(found: tuple[Path, str, str], *, view: bool) -> Response:
    path, name, content_type = found
    if not view or content_type not in _VIEWABLE:
        return file_attachment(path, name, content_type)
    # Opened in a tab: shown for what its content is (the type was read from the bytes, never the name).
    disposition = documents_inline(name)
    return FileResponse(
        path, media_type=content_type, headers={**ATTACHMENT_HEADERS, "Content-Disposition": disposition}
    )


def documents_inline(name: str) -> str:
    """An `inline` header value keeping the file's name for a later "save as".

    Args:
        name: The name to save it under.

    Returns:
        The header value.
    """
    return "inline; " + content_disposition(name).removeprefix("attachment; ")


async def activity_file(request: Request) -> Response:
    """Send a file an activity holds (a document activity's file, a video) to whoever may open the activity.

    `?voir=1` shows a PDF or an image in the browser's tab; everything else downloads.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The file, or the same plain 404 for anonymous, forbidden, deleted and missing alike.
    """
    activity_id: int = request.path_params["activity_id"]
    document_id: int = request.path_params["document_id"]
    view = request.query_params.get("voir") == "1"
    return await download(
        request,
        f"document:{document_id}",
        lambda db, actor: activities.open_file(db, actor, activity_id, document_id),
        lambda found: _activity_file(found, view=view),
    )
