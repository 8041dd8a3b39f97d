"""The session cookie: set and cleared by HTTP responses only (HttpOnly), never by page scripts.

Signing in happens over the websocket; the handler then sends the browser to
`/api/session?code=…&suivant=…` with a sealed single-use code (see
`auth.handoff_code`). This route redeems it (the token is rotated, so the code works
once), sets `plume_session` as an HttpOnly, SameSite=Lax cookie (Secure under
https) and redirects to the page asked for. The next websocket handshake carries
the cookie, which the gate reads (`state.session.session_cookie_token`).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import RedirectResponse

from app import routes
from app.services import auth
from app.services.auth import SESSION_COOKIE
from app.services.db import session_scope
from app.settings import get_settings

COOKIE_MAX_AGE = 30 * 24 * 3600


def local_path(value: str) -> str:
    """A path on this site to go to (anything else goes home).

    Args:
        value: The `suivant` query parameter.

    Returns:
        A path starting with a single "/".
    """
    if not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) >= 500:
        return routes.HOME
    return value


def _redeem(code: str) -> str | None:
    with session_scope() as db:
        return auth.redeem_handoff(db, code)


def _no_store(response: RedirectResponse) -> RedirectResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


async def open_session(request: Request) -> RedirectResponse:
    """Set the session cookie from a handoff code, then go to the page asked for.

    Args:
        request: `?code=…&suivant=…`.

    Returns:
        A redirect (to the sign-in page when the code is expired, used or forged).
    """
    token = await asyncio.to_thread(_redeem, request.query_params.get("code", ""))
    if token is None:
        return _no_store(RedirectResponse(routes.SIGN_IN, status_code=303))
    response = RedirectResponse(local_path(request.query_params.get("suivant", "")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=COOKIE_MAX_AGE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=get_settings().base_url.startswith("https"),
    )
    return _no_store(response)


async def close_session(_request: Request) -> RedirectResponse:
    """Clear the session cookie (the sign-out handler already revoked the session) and go to the sign-in page.

    Args:
        _request: The request.

    Returns:
        A redirect.
    """
    response = RedirectResponse(routes.SIGN_IN, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=get_settings().base_url.startswith("https")
    )
    return _no_store(response)
