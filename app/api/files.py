"""Authenticated file downloads: a module's documents, to members of its session only."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from app.api.downloads import download, file_attachment
from app.services import documents


async def download_document(request: Request) -> Response:
    """Send a document's file to a member of its session, as an attachment.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The file, or the same plain 404 for anonymous, forbidden, deleted and missing alike.
    """
    document_id: int = request.path_params["document_id"]
    return await download(
        request,
        f"document:{document_id}",
        lambda db, actor: documents.open_for_download(db, actor, document_id),
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


async def course_image(request: Request) -> Response:
    """Send a course's thumbnail, inline, to members of its organisation.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The image, or the same plain 404 as for documents.
    """
    course_id: int = request.path_params["course_id"]
    # Unlike documents, a refused thumbnail writes no `access.denied` entry (target None).
    return await download(
        request, None, lambda db, actor: documents.open_course_image(db, actor, course_id), _inline_image
    )
