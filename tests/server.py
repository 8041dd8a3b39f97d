"""One running Plume (production build, SQLite, local SMTP) shared by integration, security and e2e tests."""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.settings import reset_settings

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Tests and benchmarks build their frontend here, never into the `.web` that `make run` serves.
TEST_WEB_DIR = ROOT / ".web-test"
TEST_STATES_DIR = ROOT / ".states-test"
TEST_BUILD_LOCK = ROOT / ".web-test.lock"


def free_port() -> int:
    """An unused TCP port on loopback.

    Returns:
        The port.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    """What the local SMTP server received."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, _server: object, _session: object, envelope: object) -> str:
        data = envelope.content  # type: ignore[attr-defined]
        message = message_from_bytes(data, policy=policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, to: str, *, contains: str = "", timeout: float = 30.0) -> EmailMessage:
        """Wait for a message to an address.

        Args:
            to: Recipient.
            contains: Text the body must contain.
            timeout: Seconds.

        Returns:
            The newest matching message.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for message in reversed(self.messages):
                    body = message.get_body(preferencelist=("plain",))
                    text = body.get_content() if body else ""
                    if to in str(message["To"]) and contains in text:
                        return message
            time.sleep(0.2)
        msg = f"no e-mail to {to} containing {contains!r} within {timeout}s"
        raise AssertionError(msg)


def body_of(message: EmailMessage) -> str:
    """The plain-text body of a message.

    Args:
        message: The message.

    Returns:
        The text.
    """
    body = message.get_body(preferencelist=("plain",))
    return body.get_content() if body else ""


def link_in(message: EmailMessage) -> str:
    """The first http(s) link in a message.

    Args:
        message: The message.

    Returns:
        The URL.
    """
    found = re.search(r"https?://\S+", body_of(message))
    assert found, body_of(message)
    return found.group(0)


@dataclass
class PlumeServer:
    """A running Plume."""

    url: str
    database_url: str
    log_path: Path
    mailbox: Mailbox
    engine: Engine
    files_dir: Path
    service_env: dict[str, str]

    @contextlib.contextmanager
    def services_here(self) -> Iterator[None]:
        """Run services in the test process as the server would: its keys, files and secret key.

        A test that writes through a service (an attendance record sealed with the organisation's
        key) must use the server's key directory, not the checkout's `var/keys`.

        Yields:
            Nothing; the environment and settings are restored after the block.
        """
        saved = {name: os.environ.get(name) for name in self.service_env}
        os.environ.update(self.service_env)
        reset_settings()
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            reset_settings()

    def session(self) -> Session:
        """A database session on the server's database (tests read and prepare data).

        Returns:
            The session.
        """
        return Session(self.engine, expire_on_commit=False)

    def log_size(self) -> int:
        """Current size of the server log (to check only new lines).

        Returns:
            Bytes.
        """
        return self.log_path.stat().st_size

    def errors_since(self, offset: int) -> list[str]:
        """ERROR lines and tracebacks the server logged since an offset.

        Args:
            offset: Byte offset from `log_size`.

        Returns:
            The offending lines.
        """
        with self.log_path.open("rb") as handle:
            handle.seek(offset)
            text = handle.read().decode(errors="replace")
        return [line for line in text.splitlines() if "Traceback" in line or re.search(r"\bERROR\b", line)]


def _wait_healthy(url: str, process: subprocess.Popen[bytes], log_path: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            msg = f"Plume exited with {process.returncode}:\n{log_path.read_text()[-4000:]}"
            raise RuntimeError(msg)
        with contextlib.suppress(OSError), urllib.request.urlopen(f"{url}/api/health", timeout=2) as response:
            if response.status == 200:
                with urllib.request.urlopen(f"{url}/connexion", timeout=5) as page:
                    if page.status == 200:
                        return
        time.sleep(1)
    msg = f"Plume did not start within {timeout}s:\n{log_path.read_text()[-4000:]}"
    raise RuntimeError(msg)


@contextlib.contextmanager
def running_plume(*, seed_args: tuple[str, ...] = (), extra_env: dict[str, str] | None = None) -> Iterator[PlumeServer]:
    """Start Plume (production build) on a free port with its own SQLite database and SMTP server.

    Args:
        seed_args: Arguments for `plume seed` (e.g. ("--learners", "10000")).
        extra_env: More environment variables for the server.

    Yields:
        The server.
    """
    from app.services.db import make_engine

    workdir = Path(tempfile.mkdtemp(prefix="plume-run-"))
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database_url = f"sqlite:///{workdir / 'plume.db'}"
    files_dir = workdir / "files"
    env = {
        **os.environ,
        "PLUME_ENV": "test",
        "PLUME_SECRET_KEY": os.environ.get("PLUME_SECRET_KEY") or secrets.token_urlsafe(32),
        "DATABASE_URL": database_url,
        "PLUME_BASE_URL": url,
        "PLUME_FILES_DIR": str(files_dir),
        "PLUME_KEYS_DIR": str(workdir / "keys"),
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(smtp_port),
        "PLUME_TRUSTED_PROXY_HOPS": "1",
        # Chromium does not send Playwright's extra headers on the websocket handshake, so every
        # browser context shares 127.0.0.1; the per-IP rule is covered by unit and websocket tests.
        "PLUME_THROTTLE_IP_MAX_FAILURES": "1000",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_WEB_WORKDIR": str(TEST_WEB_DIR),
        "REFLEX_STATES_WORKDIR": str(TEST_STATES_DIR),
        **(extra_env or {}),
    }
    # One test server at a time per checkout: they share the test build directory.
    lock = TEST_BUILD_LOCK.open("w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    subprocess.run([str(BIN / "plume"), "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([str(BIN / "plume"), "seed", *seed_args], env=env, cwd=ROOT, check=True, capture_output=True)
    log_path = workdir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(BIN / "reflex"),
                "run",
                "--env",
                "prod",
                "--single-port",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
                "--loglevel",
                "info",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    engine = make_engine(database_url)
    try:
        _wait_healthy(url, process, log_path, timeout=900)
        yield PlumeServer(
            url=url,
            database_url=database_url,
            log_path=log_path,
            mailbox=mailbox,
            engine=engine,
            files_dir=files_dir,
            service_env={
                name: env[name] for name in ("PLUME_SECRET_KEY", "PLUME_BASE_URL", "PLUME_FILES_DIR", "PLUME_KEYS_DIR")
            },
        )
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
        controller.stop()
        engine.dispose()
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()


@pytest.fixture(scope="session")
def plume_server() -> Iterator[PlumeServer]:
    """Plume once for the run: migrated, seeded with the demo, with a local SMTP server.

    Yields:
        The server.
    """
    with running_plume() as server:
        yield server


@pytest.fixture
def server(plume_server: PlumeServer) -> Iterator[PlumeServer]:
    """The shared server; the test fails if the server logged an error meanwhile.

    Yields:
        The server.
    """
    offset = plume_server.log_size()
    yield plume_server
    errors = plume_server.errors_since(offset)
    assert not errors, "server logged errors:\n" + "\n".join(errors[:20])
