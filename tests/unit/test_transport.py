"""The ASGI middleware in front of every route: body limits and security headers, without a server."""

from __future__ import annotations

import hashlib
from base64 import b64encode
from pathlib import Path
from typing import Any

from starlette.types import Message, Receive, Scope, Send

from app.api.transport import (
    PACKAGE_UPLOAD_LIMIT,
    UPLOAD_LIMIT,
    RequestLimits,
    SecurityHeaders,
    content_security_policy,
    inline_script_hashes,
)


class Recorder:
    """An application that reads the whole body, then answers 200 with what it read."""

    def __init__(self) -> None:
        self.called = False
        self.body = b""
        self.disconnected = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                self.disconnected = True
                break
            self.body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": [(b"x-app", b"yes")]})
        await send({"type": "http.response.body", "body": b"ok"})


def _scope(path: str, headers: dict[str, str], method: str = "POST") -> Scope:
    return {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
    }


async def _run(app: Any, scope: Scope, chunks: list[bytes]) -> tuple[list[Message], int]:
    sent: list[Message] = []
    pulled = 0

    async def receive() -> Message:
        nonlocal pulled
        if pulled < len(chunks):
            pulled += 1
            return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent, pulled


async def _allow(_token: str, _ip: str) -> bool:
    return True


async def _deny(_token: str, _ip: str) -> bool:
    return False


def _status(sent: list[Message]) -> int:
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert len(starts) == 1, sent
    return int(starts[0]["status"])


async def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_allow, limits={"/_upload": 1000}, default_limit=10)
    sent, pulled = await _run(limits, _scope("/_upload", {"content-length": "1001"}), [b"x" * 1001])
    assert _status(sent) == 413
    assert pulled == 0 and not inner.called


async def test_other_routes_take_small_bodies_only() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_allow, limits={"/_upload": 1000}, default_limit=10)
    sent, _ = await _run(limits, _scope("/api/health", {"content-length": "11"}), [b"x" * 11])
    assert _status(sent) == 413 and not inner.called
    sent, _ = await _run(limits, _scope("/api/health", {"content-length": "10"}), [b"x" * 10])
    assert _status(sent) == 200 and inner.body == b"x" * 10


async def test_only_the_package_upload_and_scorm_commits_take_larger_bodies() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_allow)
    too_big = str(UPLOAD_LIMIT + 1)
    sent, _ = await _run(limits, _scope("/_upload", {"content-length": too_big}), [b""])
    assert _status(sent) == 413  # a document, a video: 50 MB at most
    package = {"content-length": too_big, "reflex-event-handler": "state.session_page_state.upload_package"}
    sent, _ = await _run(limits, _scope("/_upload", package), [b"x"])
    assert _status(sent) != 413  # a SCORM package may be larger (it is then checked on its own limits)
    over = {**package, "content-length": str(PACKAGE_UPLOAD_LIMIT + 1)}
    sent, _ = await _run(limits, _scope("/_upload", over), [b""])
    assert _status(sent) == 413
    commit = "/api/scorm/attempts/12/commit"
    sent, _ = await _run(limits, _scope(commit, {"content-length": str(500_000)}), [b"x" * 500_000])
    assert _status(sent) == 200
    sent, _ = await _run(limits, _scope(commit + "/x", {"content-length": str(500_000)}), [b""])
    assert _status(sent) == 413


async def test_an_anonymous_upload_is_refused_before_reading() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_deny, limits={"/_upload": 1000})
    sent, pulled = await _run(limits, _scope("/_upload", {"content-length": "5"}), [b"hello"])
    assert _status(sent) == 401
    assert pulled == 0 and not inner.called


async def test_a_chunked_body_is_cut_off_past_the_limit() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_allow, limits={"/_upload": 1000})
    chunks = [b"x" * 400] * 10
    sent, pulled = await _run(limits, _scope("/_upload", {"transfer-encoding": "chunked"}), chunks)
    assert _status(sent) == 413  # the application's own answer to the disconnect is dropped
    assert pulled == 3 and inner.disconnected and len(inner.body) == 800


async def test_a_body_longer_than_its_declared_length_is_refused() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_allow, limits={"/_upload": 1000})
    sent, pulled = await _run(limits, _scope("/_upload", {"content-length": "100"}), [b"x" * 100, b"y" * 100])
    assert _status(sent) == 413
    assert pulled == 2 and inner.disconnected and inner.body == b"x" * 100


async def test_a_malformed_length_is_refused() -> None:
    inner = Recorder()
    limits = RequestLimits(inner, may_upload=_allow)
    sent, _ = await _run(limits, _scope("/api/health", {"content-length": "-1"}), [b""])
    assert _status(sent) == 400 and not inner.called


async def test_security_headers_are_added_without_replacing_a_stricter_policy() -> None:
    async def strict(scope: Scope, receive: Receive, send: Send) -> None:
        headers = [(b"content-security-policy", b"default-src 'none'")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    for inner, expected_csp in (
        (Recorder(), "default-src 'self'; frame-ancestors 'none'"),
        (strict, "default-src 'none'"),
    ):
        app = SecurityHeaders(inner, policy=lambda: "default-src 'self'; frame-ancestors 'none'")
        sent, _ = await _run(app, _scope("/", {}, method="GET"), [])
        headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
        assert headers["content-security-policy"] == expected_csp
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
        assert headers["x-content-type-options"] == "nosniff"
        assert "camera=()" in headers["permissions-policy"]


def test_the_policy_allows_the_built_pages_inline_scripts_by_hash(tmp_path: Path) -> None:
    script = b"window.__ctx = {a: 1};"
    (tmp_path / "page").mkdir()
    (tmp_path / "page" / "index.html").write_bytes(
        b'<html><script src="/a.js"></script><script>' + script + b"</script></html>"
    )
    hashes = inline_script_hashes(tmp_path)
    assert hashes == [f"'sha256-{b64encode(hashlib.sha256(script).digest()).decode()}'"]
    policy = content_security_policy("https://plume.example", hashes)
    assert f"script-src 'self' {hashes[0]}" in policy
    assert "connect-src 'self' wss://plume.example" in policy
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "default-src 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
