"""Pure ASGI middleware in front of every HTTP route: body size limits and security headers.

`harden(app)` wraps the whole backend Reflex serves (pages, static files, `/_upload`, Plume's API):

- `RequestLimits` refuses a request whose declared `Content-Length` is over its route's limit with a
  413 before reading a byte of the body, refuses an upload from anyone not fully signed in with a 401
  before reading it, and counts the bytes it hands on when the length is missing (chunked) or wrong:
  past the limit it answers 413 and gives the application a disconnect instead of more body.
- `SecurityHeaders` adds a Content-Security-Policy, X-Frame-Options, Referrer-Policy,
  X-Content-Type-Options and Permissions-Policy to every response that does not set its own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.session import DeviceCookie
from app.services import documents
from app.services.auth import SESSION_COOKIE, resolve_actor
from app.services.db import session_scope
from app.services.scorm import package

UPLOAD_PATH = "/_upload"
# One upload request carries at most the largest accepted file plus its multipart framing; a SCORM package,
# larger, only to the one handler that takes it (Reflex names the handler in `Reflex-Event-Handler`).
UPLOAD_LIMIT = documents.MAX_SIZE + 1024 * 1024
PACKAGE_UPLOAD_LIMIT = package.MAX_ARCHIVE_BYTES + 1024 * 1024
PACKAGE_HANDLER = ".upload_package"
# A SCORM commit carries up to 64,000 characters of suspend data, interactions and objectives.
COMMIT_PATH = re.compile(r"^/api/scorm/attempts/\d{1,19}/commit$")
COMMIT_LIMIT = 1024 * 1024
# Every other route takes small bodies at most (Plume's API is GET; events travel on the websocket).
DEFAULT_LIMIT = 64 * 1024

UploadCheck = Callable[[str, str], Awaitable[bool]]


def _fully_signed_in(token: str, ip: str) -> bool:
    with session_scope() as db:
        actor = resolve_actor(db, token, ip=ip)
        return actor is not None and actor.fully_signed_in


async def may_upload(token: str, ip: str) -> bool:
    """Whether a session token stands for someone fully signed in (activated, second factor passed).

    Args:
        token: The `plume_session` cookie's value.
        ip: The client's address.

    Returns:
        True when the upload may be read.
    """
    if not token:
        return False
    return await asyncio.to_thread(_fully_signed_in, token, ip)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value)
    return None


async def _answer(send: Send, status: int, text: str) -> None:
    body = text.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"cache-control", b"no-store"),
                # The body was not read: the connection cannot carry another request.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestLimits:
    """Refuse request bodies over their route's limit, before or while reading them."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        may_upload: UploadCheck = may_upload,
        limits: Mapping[str, int] | None = None,
        default_limit: int = DEFAULT_LIMIT,
    ) -> None:
        """Wrap an ASGI application.

        Args:
            app: The application.
            may_upload: Whether a session token (and client address) may send an upload.
            limits: The largest body per exact path (`/_upload` by default).
            default_limit: The largest body on any other path.
        """
        self.app = app
        self.may_upload = may_upload
        self.limits = dict(limits) if limits is not None else {UPLOAD_PATH: UPLOAD_LIMIT}
        self.default_limit = default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one connection scope.

        Args:
            scope: The ASGI scope.
            receive: The ASGI receive callable.
            send: The ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        limit = self.limits.get(path, COMMIT_LIMIT if COMMIT_PATH.match(path) else self.default_limit)
        if path == UPLOAD_PATH and (_header(scope, b"reflex-event-handler") or b"").decode("latin-1").endswith(
            PACKAGE_HANDLER
        ):
            limit = max(limit, PACKAGE_UPLOAD_LIMIT)
        raw_length = _header(scope, b"content-length")
        declared: int | None = None
        if raw_length is not None:
            if not raw_length.strip().isdigit():
                await _answer(send, 400, "Content-Length invalide")
                return
            declared = int(raw_length)
        if path == UPLOAD_PATH and scope.get("method") == "POST":
            cookies = cookie_parser((_header(scope, b"cookie") or b"").decode("latin-1"))
            client = scope.get("client")
            if not await self.may_upload(cookies.get(SESSION_COOKIE, ""), client[0] if client else ""):
                await _answer(send, 401, "Connexion requise")
                return
        if declared is not None and declared > limit:
            await _answer(send, 413, "Requête trop volumineuse")
            return
        if declared == 0 or (declared is None and _header(scope, b"transfer-encoding") is None):
            await self.app(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit, declared)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int, declared: int | None) -> None:
        received = 0
        refused = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit or (declared is not None and received > declared):
                    refused = True
                    if not started:
                        await _answer(send, 413, "Requête trop volumineuse")
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 went out; whatever the application answers to the disconnect is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # The application may fail on the cut-off body; the client already has its 413.
            if not refused:
                raise


_INLINE_SCRIPT = re.compile(rb"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script>", re.S | re.I)


def inline_script_hashes(directory: Path) -> list[str]:
    """CSP source expressions for every inline script of the built pages.

    The production build's pages carry a few inline scripts (theme, router context); allowing
    exactly those by hash keeps `'unsafe-inline'` out of `script-src`.

    Args:
        directory: The folder of the built frontend (its `.html` files are read).

    Returns:
        Sorted `'sha256-…'` expressions (none when the folder is missing).
    """
    found: set[str] = set()
    if directory.is_dir():
        for page in directory.rglob("*.html"):
            for match in _INLINE_SCRIPT.finditer(page.read_bytes()):
                digest = base64.b64encode(hashlib.sha256(match.group(1)).digest()).decode()
                found.add(f"'sha256-{digest}'")
    return sorted(found)


def content_security_policy(base_url: str, script_hashes: list[str]) -> str:
    """The policy sent with every page.

    Args:
        base_url: The site's public URL (its websocket origin is allowed for live updates).
        script_hashes: From `inline_script_hashes`.

    Returns:
        The header value.
    """
    parts = urlsplit(base_url)
    websocket = f"{'wss' if parts.scheme == 'https' else 'ws'}://{parts.netloc}" if parts.netloc else ""
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *script_hashes]),
        # Emotion (Reflex's styling) injects <style> elements and style attributes at run time.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        f"connect-src 'self' {websocket}".rstrip(),
        # Staff may point a video activity at a file on another https site.
        "media-src 'self' https:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeaders:
    """Add the security headers to every HTTP response that does not set its own."""

    def __init__(self, app: ASGIApp, *, policy: Callable[[], str]) -> None:
        """Wrap an ASGI application.

        Args:
            app: The application.
            policy: Gives the Content-Security-Policy (called once, on the first response).
        """
        self.app = app
        self._policy = policy
        self._headers: list[tuple[str, str]] | None = None

    def headers(self) -> list[tuple[str, str]]:
        """The headers added to each response.

        Returns:
            Name and value pairs.
        """
        if self._headers is None:
            self._headers = [
                ("Content-Security-Policy", self._policy()),
                ("X-Frame-Options", "DENY"),
                ("Referrer-Policy", "strict-origin-when-cross-origin"),
                ("X-Content-Type-Options", "nosniff"),
                ("Permissions-Policy", PERMISSIONS_POLICY),
            ]
        return self._headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one connection scope.

        Args:
            scope: The ASGI scope.
            receive: The ASGI receive callable.
            send: The ASGI send callable.
        """
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.headers()

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in extra:
                    if name not in headers:
                        headers.append(name, value)
                message = {**message, "headers": headers.raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def hardening(*, base_url: str, static_dir: Callable[[], Path]) -> Callable[[ASGIApp], ASGIApp]:
    """The transform Reflex applies to its backend (`rx.App(api_transformer=...)`).

    Args:
        base_url: The site's public URL.
        static_dir: Gives the built frontend's folder (read once, on the first response).

    Returns:
        A function wrapping an ASGI app in the size limits, then the security headers.
    """

    def policy() -> str:
        return content_security_policy(base_url, inline_script_hashes(static_dir()))

    def wrap(app: ASGIApp) -> ASGIApp:
        return SecurityHeaders(DeviceCookie(RequestLimits(app), secure=base_url.startswith("https")), policy=policy)

    return wrap
