"""SCORM over HTTP: a package's files for members of the session, and the run-time's commits.

The files are static: each is sent with its content type, framed only by Plume's own pages (the player), and
nothing in a package ever runs on the server. A commit is the JSON the run-time library POSTs on
`LMSCommit` / `Commit`: it answers `{"result": true, "errorCode": 0}`, or `false` with the SCORM error code
of the first fault in the data (then nothing is stored). The attempt must be the signed-in learner's own.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from app.api.downloads import download
from app.services.auth import SESSION_COOKIE, resolve_actor
from app.services.db import session_scope
from app.services.errors import ErrorCode, PlumeError
from app.services.scorm import cmi, library, runtime
from app.settings import get_settings

# A package's pages run scripts and styles of their own (often inline) and are framed by the player.
_CONTENT_HEADERS = {
    "Cache-Control": "private, max-age=300",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": (
        "default-src 'self' 'unsafe-inline' 'unsafe-eval' data: blob:; object-src 'none'; "
        "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
    ),
}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _content(found: tuple[Path, str]) -> Response:
    path, content_type = found
    return FileResponse(path, media_type=content_type, headers=_CONTENT_HEADERS)


async def content(request: Request) -> Response:
    """Send one file of the package an e-learning activity plays, to a member of its session.

    Args:
        request: `/api/scorm/{activity_id}/content/{path}`; the session comes from the cookie.

    Returns:
        The file, or the same plain 404 for anonymous, forbidden and missing alike.
    """
    activity_id: int = request.path_params["activity_id"]
    path: str = request.path_params["path"]
    return await download(request, None, lambda db, actor: library.content_file(db, actor, activity_id, path), _content)


def _store(token: str, ip: str, attempt_id: int, run: str, body: object) -> tuple[int, dict[str, object]]:
    with session_scope() as db:
        actor = resolve_actor(db, token, ip=ip) if token else None
        if actor is None:
            return 401, {"result": False, "errorCode": 101}
        try:
            runtime.commit(db, actor, attempt_id, body, run=run)
        except cmi.CmiError as fault:
            db.rollback()
            return 200, {"result": False, "errorCode": int(fault.code), "errorMessage": fault.message}
        except PlumeError as refused:
            db.rollback()
            return (409 if refused.code == ErrorCode.SCORM_STALE_RUN else 404), {"result": False, "errorCode": 101}
        return 200, {"result": True, "errorCode": 0}


async def commit(request: Request) -> Response:
    """Store a SCORM commit for the signed-in learner's attempt.

    Args:
        request: `POST /api/scorm/attempts/{attempt_id}/commit` with the run-time's JSON.

    Returns:
        `{"result": true, "errorCode": 0}`, or `false` with the SCORM error code.
    """
    attempt_id: int = request.path_params["attempt_id"]
    # JSON, or plain text for the last commit a closing page sends as a beacon. Another site's page cannot
    # send the session cookie with a POST (SameSite=Lax), and an Origin it states must be this site's.
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ("application/json", "text/plain"):
        return JSONResponse({"result": False, "errorCode": 101}, status_code=415)
    origin = request.headers.get("origin", "")
    if origin and origin.rstrip("/") != _origin(get_settings().base_url) and origin != _origin(str(request.base_url)):
        return JSONResponse({"result": False, "errorCode": 101}, status_code=403)
    try:
        body = json.loads(await request.body())
    except ValueError:
        return JSONResponse({"result": False, "errorCode": 101}, status_code=400)
    token = request.cookies.get(SESSION_COOKIE, "")
    ip = request.client.host if request.client else ""
    run = request.query_params.get("run", "")[:32]
    status, answer = await asyncio.to_thread(_store, token, ip, attempt_id, run, body)
    return JSONResponse(answer, status_code=status, headers={"Cache-Control": "no-store"})
