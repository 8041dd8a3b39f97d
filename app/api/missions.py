"""Mission files: a hand-in and its correction's file, to the learner concerned and the session's correctors only."""

from __future__ import annotations

import asyncio
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response

from app.api.files import content_disposition
from app.services import audit, missions
from app.services.auth import SESSION_COOKIE, resolve_actor
from app.services.db import session_scope
from app.services.errors import PlumeError


def _open(token: str, submission_id: int, which: str, ip: str) -> tuple[Path, str, str] | None:
    with session_scope() as db:
        actor = resolve_actor(db, token, ip=ip) if token else None
        if actor is not None:
            try:
                return missions.open_file(db, actor, submission_id, which)
            except PlumeError:
                pass
        audit.record(
            db,
            "access.denied",
            actor_user_id=actor.user_id if actor else None,
            organisation_id=actor.organisation_id if actor else None,
            target=f"submission:{submission_id}:{which[:20]}",
            ip=ip,
        )
        return None


async def download_submission_file(request: Request) -> Response:
    """Send a hand-in's file (`work`) or its correction's file (`feedback`), as an attachment.

    Args:
        request: The request; the session token comes from the `plume_session` cookie.

    Returns:
        The file, or the same plain 404 for anonymous, forbidden and missing alike.
    """
    token = request.cookies.get(SESSION_COOKIE, "")
    ip = request.client.host if request.client else ""
    found = await asyncio.to_thread(
        _open, token, request.path_params["submission_id"], str(request.path_params["which"]), ip
    )
    if found is None:
        return PlainTextResponse("Introuvable", status_code=404, headers={"Cache-Control": "no-store"})
    path, name, content_type = found
    return FileResponse(
        path,
        media_type=content_type,
        headers={
            "Content-Disposition": content_disposition(name),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
            "Content-Security-Policy": "default-src 'none'",
        },
    )
