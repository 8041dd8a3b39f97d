"""The one download wrapper: resolve the person, call the service, audit the refusal, answer 404.

Every authenticated download route (documents, course images, mission files,
attendance sheets, attestations) goes through `download`: the session cookie
names the person, the service decides (raising `PlumeError` when the thing is
missing or forbidden), a refusal is written to the audit log when the route
audits, and anonymous, forbidden and missing requests all get the same plain
404, so a probe learns nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from app.services import audit
from app.services.actor import Actor
from app.services.auth import SESSION_COOKIE, resolve_actor
from app.services.db import session_scope
from app.services.errors import PlumeError

T = TypeVar("T")
Load = Callable[[Session, Actor], T]
PathParams = Mapping[str, Any]
Endpoint = Callable[[Request], Awaitable[Response]]

NOT_FOUND_BODY = "Introuvable"
ATTACHMENT_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    # No `sandbox` here: Chromium refuses downloads from sandboxed responses.
    "Content-Security-Policy": "default-src 'none'",
}


def not_found() -> Response:
    """The one answer for a missing file, a forbidden one and an anonymous request.

    Returns:
        A plain 404, never cached.
    """
    return PlainTextResponse(NOT_FOUND_BODY, status_code=404, headers={"Cache-Control": "no-store"})


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


def file_attachment(path: Path, name: str, media_type: str) -> Response:
    """A file on disk sent as a private attachment.

    Args:
        path: The stored file.
        name: The name the browser saves it under.
        media_type: Its content type.

    Returns:
        The response.
    """
    return FileResponse(
        path, media_type=media_type, headers={"Content-Disposition": content_disposition(name), **ATTACHMENT_HEADERS}
    )


def pdf_attachment(name: str, data: bytes) -> Response:
    """A PDF built in memory sent as a private attachment.

    Args:
        name: The name the browser saves it under.
        data: The PDF.

    Returns:
        The response.
    """
    return data_attachment(name, data, "application/pdf")


def data_attachment(name: str, data: bytes, media_type: str) -> Response:
    """Bytes held in memory (a PDF, an e-mail's .ics) sent as a private attachment.

    Args:
        name: The name the browser saves it under.
        data: The file.
        media_type: Its content type.

    Returns:
        The response.
    """
    return Response(
        data, media_type=media_type, headers={"Content-Disposition": content_disposition(name), **ATTACHMENT_HEADERS}
    )


def _load(token: str, ip: str, target: str | None, load: Load[T]) -> T | None:
    with session_scope() as db:
        actor = resolve_actor(db, token, ip=ip) if token else None
        if actor is not None:
            try:
                return load(db, actor)
            except PlumeError:
                pass
        if target is not None:
            audit.record(
                db,
                "access.denied",
                actor_user_id=actor.user_id if actor else None,
                organisation_id=actor.organisation_id if actor else None,
                target=target,
                ip=ip,
            )
        return None


async def download(request: Request, target: str | None, load: Load[T], respond: Callable[[T], Response]) -> Response:
    """Answer a download request: the service's file for the person, or the plain 404.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.
        target: What an `access.denied` audit entry names on a refusal; None for a route that does not audit.
        load: The service call (in a worker thread, with a database session and the resolved person);
            it raises `PlumeError` for missing and forbidden alike.
        respond: Turns what `load` returned into the response.

    Returns:
        The response, or the same plain 404 for anonymous, forbidden and missing alike.
    """
    token = request.cookies.get(SESSION_COOKIE, "")
    ip = request.client.host if request.client else ""
    found = await asyncio.to_thread(_load, token, ip, target, load)
    return not_found() if found is None else respond(found)


def download_route(
    target: Callable[[PathParams], str] | None,
    load: Callable[[Session, Actor, PathParams], T],
    respond: Callable[[T], Response],
) -> Endpoint:
    """A download route whose path names the thing: `download` with the path's parameters.

    Args:
        target: Builds the `access.denied` audit target from the path's parameters; None for a route that
            does not audit.
        load: The service call, given the database session, the resolved person and the path's parameters;
            it raises `PlumeError` for missing and forbidden alike.
        respond: Turns what `load` returned into the response.

    Returns:
        The Starlette endpoint: the file, or the same plain 404 for anonymous, forbidden and missing alike.
    """

    async def endpoint(request: Request) -> Response:
        params = request.path_params
        audited = None if target is None else target(params)
        return await download(request, audited, lambda db, actor: load(db, actor, params), respond)

    return endpoint
