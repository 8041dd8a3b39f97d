"""Logs as one JSON line per record, each carrying the id of the request or event it belongs to.

`install_logging()` (called once when the app starts) sends every record of the process — Plume's,
SQLAlchemy's, the ASGI server's — through one handler on standard error that writes a JSON object per line:
time (UTC), level, logger, message, the exception's traceback when there is one, and `request_id`.

The id lives in a context variable: `RequestIds` sets it for each HTTP request (from the caller's
`X-Request-ID`, else a new one, echoed in the response); the security gate (`state/guard.py`) sets a new
one for each websocket event it lets through or refuses, so a handler's logs and its database work
share it. Work handed to a thread with `asyncio.to_thread` keeps it (the context is copied).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

request_id: ContextVar[str] = ContextVar("plume_request_id", default="")
HEADER = "X-Request-ID"
# An id a proxy sends is kept when it looks like one (no spaces, quotes or control characters to forge lines).
_ACCEPTED_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Servers that install their own handlers: their records go through Plume's one handler instead.
_SERVER_LOGGERS = ("granian", "_granian", "granian.access", "uvicorn", "uvicorn.error", "uvicorn.access")
# Attributes every `LogRecord` has; any other one came from `extra=` and is written as a field.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}
# engine.io logs a refused origin (a foreign page opening our websocket) as an ERROR the first time: it is the
# client's fault, refused as designed, so it is written as a warning and no alert fires for it.
_CLIENT_FAULTS = ("is not an accepted origin",)


def new_request_id() -> str:
    """A fresh id for a request or an event.

    Returns:
        32 hexadecimal characters.
    """
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """Formats a record as one line of JSON (newlines inside the message or traceback are escaped)."""

    def format(self, record: logging.LogRecord) -> str:
        """Build the line.

        Args:
            record: The log record.

        Returns:
            A JSON object on one line.
        """
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id.get() or None,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            line["exception"] = record.exc_text
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        for key, value in record.__dict__.items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        return json.dumps(line, ensure_ascii=False, default=str)


def json_handler() -> logging.Handler:
    """The one handler: JSON lines on standard error.

    Returns:
        The handler.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    return handler


def granian_log_config() -> dict[str, Any]:
    """Granian's logging configuration with its two handlers (server, access) replaced by `json_handler`.

    The workers install the JSON handler when the app starts; granian's main process (which spawns them,
    watches them and reports their exits) never imports the app, so it is configured with this.

    Returns:
        The overrides of granian's default `dictConfig`.
    """
    handler = {"()": f"{__name__}.json_handler"}
    return {"handlers": {"console": handler, "access": handler}}


def install_logging(level: int = logging.INFO) -> None:
    """Route every log record of the process to standard error as JSON lines (idempotent).

    Args:
        level: The root logger's level.
    """
    root = logging.getLogger()
    root.handlers = [json_handler()]
    root.setLevel(level)
    for name in _SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers = []
        server_logger.propagate = True
    engine_logger = logging.getLogger("engineio.server")
    if _client_fault_as_warning not in engine_logger.filters:
        engine_logger.addFilter(_client_fault_as_warning)


def _client_fault_as_warning(record: logging.LogRecord) -> bool:
    if record.levelno >= logging.ERROR and any(text in str(record.msg) for text in _CLIENT_FAULTS):
        record.levelno, record.levelname = logging.WARNING, "WARNING"
    return True


class RequestIds:
    """ASGI middleware: one id per HTTP request, taken from `X-Request-ID` or made, and echoed in the response."""

    def __init__(self, app: ASGIApp) -> None:
        """Wrap an application.

        Args:
            app: The ASGI application.
        """
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one connection with its id set.

        Args:
            scope: The ASGI scope.
            receive: The receive channel.
            send: The send channel.
        """
        if scope["type"] != "http":  # the websocket's events get one id each at the security gate
            await self.app(scope, receive, send)
            return
        given = next((value for name, value in scope["headers"] if name == b"x-request-id"), b"").decode("latin-1")
        current = given if _ACCEPTED_ID.fullmatch(given) else new_request_id()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = current
            await send(message)

        token = request_id.set(current)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id.reset(token)
