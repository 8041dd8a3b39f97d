"""Logs: one JSON line per record with the request id; the id from `X-Request-ID` or made, echoed back."""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterator

import pytest
from granian.log import LogLevels, configure_logging
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.logs import JsonFormatter, RequestIds, granian_log_config, install_logging, request_id


def _record(message: str, *args: object, exc: bool = False, **extra: object) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("bad\nvalue")  # a real traceback to format
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.getLogger("plume.test").makeRecord(
        "plume.test", logging.WARNING, __file__, 1, message, args, exc_info, extra=extra or None
    )
    return record


def test_a_record_is_one_json_line_with_the_current_request_id() -> None:
    token = request_id.set("abc123")
    try:
        line = JsonFormatter().format(_record("signé par %s\nsur deux lignes", "Léa", exc=True, slot_id=7))
    finally:
        request_id.reset(token)
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "WARNING" and fields["logger"] == "plume.test"
    assert fields["message"] == "signé par Léa\nsur deux lignes"
    assert fields["request_id"] == "abc123" and fields["slot_id"] == 7
    assert fields["exception"].startswith("Traceback") and "ValueError: bad\nvalue" in fields["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", fields["time"])


def test_outside_a_request_the_id_is_null() -> None:
    fields = json.loads(JsonFormatter().format(_record("au démarrage")))
    assert fields["request_id"] is None and "exception" not in fields


@pytest.fixture
def root_output() -> Iterator[io.StringIO]:
    """The root logger installed as the app does, writing to a buffer; restored afterwards."""
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    install_logging()
    buffer = io.StringIO()
    root.handlers[0].setStream(buffer)  # type: ignore[attr-defined]  # a StreamHandler
    try:
        yield buffer
    finally:
        root.handlers, root.level = saved, level


async def _endpoint(_request: Request) -> PlainTextResponse:
    logging.getLogger("plume.api").info("served")
    return PlainTextResponse(request_id.get())


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(RequestIds(Starlette(routes=[Route("/x", _endpoint)]))) as test_client:
        yield test_client


def test_an_incoming_request_id_is_kept_logged_and_echoed(client: TestClient, root_output: io.StringIO) -> None:
    response = client.get("/x", headers={"X-Request-ID": "lb-42.a:b"})
    assert response.text == "lb-42.a:b" and response.headers["x-request-id"] == "lb-42.a:b"
    logged = [json.loads(line) for line in root_output.getvalue().splitlines()]
    served = [line for line in logged if line["logger"] == "plume.api"]
    assert [(line["message"], line["request_id"]) for line in served] == [("served", "lb-42.a:b")]
    assert request_id.get() == ""  # reset after the request


@pytest.mark.parametrize("given", [None, "", "two words", "x" * 129, 'quote"'])
def test_a_missing_or_odd_request_id_is_replaced_by_a_new_one(client: TestClient, given: str | None) -> None:
    headers = {} if given is None else {"X-Request-ID": given}
    first, second = client.get("/x", headers=headers), client.get("/x", headers=headers)
    assert re.fullmatch(r"[0-9a-f]{32}", first.headers["x-request-id"])
    assert first.text == first.headers["x-request-id"] != second.headers["x-request-id"]


def test_server_loggers_go_through_the_one_json_handler(root_output: io.StringIO) -> None:
    logging.getLogger("granian.access").handlers = [logging.StreamHandler(io.StringIO())]
    install_logging()
    buffer = io.StringIO()
    logging.getLogger().handlers[0].setStream(buffer)  # type: ignore[attr-defined]  # a StreamHandler
    logging.getLogger("granian.access").info("GET / 200")
    assert json.loads(buffer.getvalue())["logger"] == "granian.access"


def test_granians_main_process_logs_json_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    # The main process never imports the app: granian configures it from `plume serve`'s overrides.
    buffer = io.StringIO()
    monkeypatch.setattr(sys, "stderr", buffer)
    saved = {
        name: (logging.getLogger(name).handlers[:], logging.getLogger(name).propagate)
        for name in ("_granian", "granian.access")
    }
    try:
        configure_logging(LogLevels.info, granian_log_config())
        logging.getLogger("_granian").info("Spawning worker-1 with PID: %s", 4242)
        logging.getLogger("granian.access").info("GET /health 200")
    finally:
        for name, (handlers, propagate) in saved.items():
            logging.getLogger(name).handlers, logging.getLogger(name).propagate = handlers, propagate
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("_granian", "Spawning worker-1 with PID: 4242"),
        ("granian.access", "GET /health 200"),
    ]


def test_a_refused_origin_is_a_warning_not_a_server_error(root_output: io.StringIO) -> None:
    engine = logging.getLogger("engineio.server")
    engine.error("http://evil.example is not an accepted origin. (further occurrences of this error …)")
    engine.error("a real failure of the websocket server")
    lines = [json.loads(line) for line in root_output.getvalue().splitlines()]
    assert [(line["level"], line["message"][:11]) for line in lines] == [
        ("WARNING", "http://evil"),
        ("ERROR", "a real fail"),
    ]
