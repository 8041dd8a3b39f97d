"""Authenticated file downloads: a module's documents, to members of its session only."""

from __future__ import annotations

import asyncio
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from app.services import audit, documents
from app.services.auth import SESSION_COOKIE, resolve_actor
from app.services.db import session_scope
from app.services.errors import PlumeError

_NOT_FOUND_BODY = "Introuvable"


def _not_found() -> Response:
    """The one answer for a missing document, a forbidden one and an anonymous request."""
    return PlainTextResponse(_NOT_FOUND_BODY, status_code=404, headers={"Cache-Control": "no-store"})


def content_disposition(name: str) -> str:
    """An `attachment` header value that keeps a non-ASCII name (RFC 6266 and RFC 5987).

    Args:
        name: The document's name (already free of control characters).

    Returns:
        The header value: an ASCII `filename` fallback, plus `filename*` when the name needs it.
    """
    fallback = "".join(ch if " " <= ch <= "~" and ch not in '"\\%' else "_" for ch in name) or "document"
    value = f'attachment; filename="{fallback}"'
    if fallback != name:
        value += f"; filename*=UTF-8''{quote(name, safe='')}"
    return value


def _open(token: str, document_id: int, ip: str) -> tuple[Path, str, str] | None:
    with session_scope() as db:
        actor = resolve_actor(db, token, ip=ip) if token else None
        if actor is not None:
            try:
                return documents.open_for_download(db, actor, document_id)
            except PlumeError:
                pass
        audit.record(
            db,
            "access.denied",
            actor_user_id=actor.user_id if actor else None,
            organisation_id=actor.organisation_id if actor else None,
            target=f"document:{document_id}",
            ip=ip,
        )
        return None


async def download_document(request: Request) -> Response:
    """Send a document's file to a member of its session, as an attachment.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The file, or the same plain 404 for anonymous, forbidden, deleted and missing alike.
    """
    document_id = request.path_params["document_id"]
    token = request.cookies.get(SESSION_COOKIE, "")
    ip = request.client.host if request.client else ""
    found = await asyncio.to_thread(_open, token, document_id, ip)
    if found is None:
        return _not_found()
    path, name, content_type = found
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            # No `sandbox` here: Chromium refuses downloads from sandboxed responses.
            "Content-Security-Policy": "default-src 'none'",
        },
    )


def _open_image(token: str, course_id: int, ip: str) -> tuple[Path, str] | None:
    with session_scope() as db:
        actor = resolve_actor(db, token, ip=ip) if token else None
        if actor is None:
            return None
        try:
            return documents.open_course_image(db, actor, course_id)
        except PlumeError:
            return None


async def course_image(request: Request) -> Response:
    """Send a course's thumbnail, inline, to members of its organisation.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The image, or the same plain 404 as for documents.
    """
    token = request.cookies.get(SESSION_COOKIE, "")
    ip = request.client.host if request.client else ""
    found = await asyncio.to_thread(_open_image, token, request.path_params["course_id"], ip)
    if found is None:
        return _not_found()
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
