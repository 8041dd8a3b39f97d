"""Request size limits and security headers, over raw HTTP against the running server."""

from __future__ import annotations

import select
import socket
import time
from urllib.parse import urlsplit

import httpx
from sqlmodel import select as sql_select

from app.models import User
from app.services.auth import open_session
from state.chat import ChatState
from tests.live import handler

EIGHTY_MB = 80 * 1024 * 1024
SECURITY_HEADERS = ("content-security-policy", "x-frame-options", "referrer-policy", "x-content-type-options")


def _token(server, email: str) -> str:
    with server.session() as db:
        user = db.exec(sql_select(User).where(User.email == email)).one()
        signed = open_session(db, user)
        db.commit()
    return signed.token


def _connect(server) -> socket.socket:
    parts = urlsplit(server.url)
    sock = socket.create_connection((parts.hostname, parts.port), timeout=10)
    return sock


def _upload_head(length: str, cookie: str = "", chunked: bool = False) -> bytes:
    lines = [
        "POST /_upload HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: multipart/form-data; boundary=plumeboundary",
        "Reflex-Client-Token: 00000000-0000-0000-0000-000000000000",
        f"Reflex-Event-Handler: {handler(ChatState, 'send_file')}",
    ]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {length}")
    if cookie:
        lines.append(f"Cookie: plume_session={cookie}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _read_status(sock: socket.socket, timeout: float = 10.0) -> int:
    sock.settimeout(timeout)
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def _answered_without_body(server, head: bytes) -> int:
    with _connect(server) as sock:
        sock.sendall(head)  # headers only: not one byte of the announced body
        readable, _, _ = select.select([sock], [], [], 10)
        assert readable, "no answer before the body was sent"
        return _read_status(sock)


def test_an_anonymous_80_mb_upload_is_refused_before_its_body(server) -> None:
    assert _answered_without_body(server, _upload_head(str(EIGHTY_MB))) == 401
    assert _answered_without_body(server, _upload_head(str(EIGHTY_MB), cookie="not-a-session")) == 401


def test_a_signed_in_80_mb_upload_is_refused_by_its_length_before_its_body(server) -> None:
    token = _token(server, "trainer@demo.plume.test")
    assert _answered_without_body(server, _upload_head(str(EIGHTY_MB), cookie=token)) == 413


def _send_until_answered(sock: socket.socket, chunk: bytes, most: int) -> int:
    """Send `chunk` until the server answers or hangs up; return how many bytes went out."""
    sent = 0
    try:
        while sent < most:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            sock.sendall(chunk)
            sent += len(chunk)
    except (BrokenPipeError, ConnectionResetError):
        pass
    return sent


def test_a_chunked_upload_without_length_is_cut_off_past_the_limit(server) -> None:
    token = _token(server, "trainer@demo.plume.test")
    piece = b"x" * (1024 * 1024)
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    part = (
        b"--plumeboundary\r\n"
        b'Content-Disposition: form-data; name="files"; filename="big.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n"
    )
    with _connect(server) as sock:
        sock.sendall(_upload_head("", cookie=token, chunked=True) + f"{len(part):x}\r\n".encode() + part + b"\r\n")
        sent = _send_until_answered(sock, chunk, most=EIGHTY_MB)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not select.select([sock], [], [], 0.5)[0]:
            pass
        assert _read_status(sock) == 413
    assert sent < EIGHTY_MB, "the server read the whole 80 MB"


def test_other_routes_refuse_a_large_declared_body_before_reading_it(server) -> None:
    token = _token(server, "trainer@demo.plume.test")
    with _connect(server) as sock:
        head = (
            "POST /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/octet-stream\r\n"
            f"Cookie: plume_session={token}\r\nContent-Length: {EIGHTY_MB}\r\n\r\n"
        ).encode()
        sock.sendall(head + b"x" * 1024)
        assert _read_status(sock) == 413


def test_every_kind_of_response_carries_the_security_headers(server) -> None:
    token = _token(server, "learner1@demo.plume.test")
    with httpx.Client(base_url=server.url, timeout=30, follow_redirects=True) as client:
        page = client.get("/connexion/")
        responses = {
            "page": page,
            "api": client.get("/api/health"),
            "static": client.get("/plume.css"),
            "upload file": client.get("/_upload/nothing-here.txt"),
            "download": client.get("/api/documents/999999", cookies={"plume_session": token}),
            "refused upload": client.post("/_upload", content=b"x"),
            "backend ping": client.get("/ping"),
        }
    assert page.status_code == 200 and "<html" in page.text
    responses["redirect"] = page.history[0] if page.history else httpx.get(f"{server.url}/connexion")
    for kind, response in responses.items():
        missing = [h for h in SECURITY_HEADERS if h not in response.headers]
        assert not missing, f"{kind} ({response.status_code}) lacks {missing}"
        assert response.headers["x-frame-options"] == "DENY", kind
        assert response.headers["x-content-type-options"] == "nosniff", kind
    policy = page.headers["content-security-policy"]
    for directive in ("frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "default-src 'self'"):
        assert directive in policy
    assert "'sha256-" in policy
    assert responses["refused upload"].status_code == 401
