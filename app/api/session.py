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
import secrets

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app import routes
from app.services import auth
from app.services.auth import DEVICE_COOKIE, SESSION_COOKIE
from app.services.db import session_scope
from app.settings import get_settings

COOKIE_MAX_AGE = 30 * 24 * 3600
DEVICE_MAX_AGE = 365 * 24 * 3600


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


def _redeem(code: str, device: str) -> str | None:
    with session_scope() as db:
        return auth.redeem_handoff(db, code, device)


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
    code, device = request.query_params.get("code", ""), request.cookies.get(DEVICE_COOKIE, "")
    token = await asyncio.to_thread(_redeem, code, device)
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


class DeviceCookie:
    """Give a browser its random `plume_device` cookie (HttpOnly) on the first response it gets.

    A sign-in's handoff code is bound to it (`auth.handoff_code`), so a code sent to
    somebody else's browser sets no session there.
    """

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        """Wrap an ASGI application.

        Args:
            app: The application.
            secure: Whether the cookie is for https only.
        """
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one connection scope.

        Args:
            scope: The ASGI scope.
            receive: The ASGI receive callable.
            send: The ASGI send callable.
        """
        if scope["type"] != "http" or DEVICE_COOKIE in Request(scope).cookies:
            await self.app(scope, receive, send)
            return
        cookie = (
            f"{DEVICE_COOKIE}={secrets.token_urlsafe(24)}; Path=/; Max-Age={DEVICE_MAX_AGE}; HttpOnly; SameSite=Lax"
        )
        if self.secure:
            cookie += "; Secure"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                headers.append("Set-Cookie", cookie)
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, send_with_cookie)
