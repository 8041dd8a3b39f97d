"""One running Plume (production build, local SMTP) shared by integration, security and e2e tests.

`PLUME_TEST_BACKEND` picks what it runs on: `sqlite` (the default: one backend process, a SQLite file) or
`cluster` (a private PostgreSQL database, a private Redis and two backend workers behind one port).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import shutil
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
from tests.services_local import PostgresCluster, RedisServer, pg_bin_dir, postgres_cluster, redis_server

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Tests and benchmarks build their frontend here, never into the `.web` that `make run` serves.
TEST_WEB_DIR = ROOT / ".web-test"
TEST_STATES_DIR = ROOT / ".states-test"
TEST_BUILD_LOCK = ROOT / ".web-test.lock"
# `running_cluster` builds its own: a run holds the shared test server (and its build) for its whole length.
# A cluster serves from its build while it runs, so one that starts while another runs (the fault tests' own,
# beside the run's shared one) takes the next free build directory.
CLUSTER_WEB_DIR = ROOT / ".web-test-cluster"
CLUSTER_STATES_DIR = ROOT / ".states-test-cluster"
CLUSTER_BUILD_LOCK = ROOT / ".web-test-cluster.lock"
CLUSTER_BUILD_SLOTS = 3
BACKENDS = ("sqlite", "cluster")
BACKEND = os.environ.get("PLUME_TEST_BACKEND", "sqlite")


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
    redis: RedisServer | None = None  # the private Redis in cluster mode (tests restart it)

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


def cluster_available() -> bool:
    """Whether this machine can run the cluster backend (PostgreSQL's server programs and redis-server).

    Returns:
        True when both are installed (`make postgresql redis` installs them).
    """
    try:
        pg_bin_dir()
    except RuntimeError:
        return False
    return shutil.which("redis-server") is not None or Path("/usr/bin/redis-server").exists()


@dataclass
class _Stores:
    """The database (and Redis, in cluster mode) a test server runs on."""

    database_url: str
    redis_url: str = ""
    redis: RedisServer | None = None
    postgres: PostgresCluster | None = None


@contextlib.contextmanager
def _stores(backend: str, workdir: Path) -> Iterator[_Stores]:
    """The database a test server uses: a SQLite file, or a private PostgreSQL database plus a private Redis.

    Args:
        backend: "sqlite" or "cluster".
        workdir: The server's temporary directory (the SQLite file goes there).

    Yields:
        Where the server keeps its data; the cluster and Redis are removed afterwards.

    Raises:
        ValueError: An unknown backend.
    """
    if backend == "sqlite":
        yield _Stores(database_url=f"sqlite:///{workdir / 'plume.db'}")
        return
    if backend != "cluster":
        msg = f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}"
        raise ValueError(msg)
    with postgres_cluster() as cluster, redis_server() as redis:
        yield _Stores(
            database_url=cluster.create_database("plume_server"), redis_url=redis.url, redis=redis, postgres=cluster
        )


def _server_env(
    url: str, workdir: Path, stores: _Stores, smtp_port: int, extra_env: dict[str, str] | None
) -> dict[str, str]:
    env = {
        **os.environ,
        "PLUME_ENV": "test",
        "PLUME_SECRET_KEY": os.environ.get("PLUME_SECRET_KEY") or secrets.token_urlsafe(32),
        "DATABASE_URL": stores.database_url,
        "PLUME_BASE_URL": url,
        "PLUME_FILES_DIR": str(workdir / "files"),
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
    }
    env.pop("REDIS_URL", None)
    if stores.redis_url:
        env["REDIS_URL"] = stores.redis_url
    return {**env, **(extra_env or {})}


def _prepare_database(env: dict[str, str], seed_args: tuple[str, ...]) -> None:
    subprocess.run([str(BIN / "plume"), "migrate"], env=env, cwd=ROOT, check=True, capture_output=True)
    subprocess.run([str(BIN / "plume"), "seed", *seed_args], env=env, cwd=ROOT, check=True, capture_output=True)


def _start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("wb") as log:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, 15)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait(timeout=20)


def _plume_server(
    url: str, stores: _Stores, env: dict[str, str], log_path: Path, mailbox: Mailbox, engine: Engine
) -> PlumeServer:
    """What a test sees of one backend: its address and log, and the stores it shares.

    Returns:
        The server's handle.
    """
    return PlumeServer(
        url=url,
        database_url=stores.database_url,
        log_path=log_path,
        mailbox=mailbox,
        engine=engine,
        files_dir=Path(env["PLUME_FILES_DIR"]),
        service_env=_service_env(env),
        redis=stores.redis,
    )


def _service_env(env: dict[str, str]) -> dict[str, str]:
    return {
        name: env[name]
        for name in ("PLUME_SECRET_KEY", "PLUME_BASE_URL", "PLUME_FILES_DIR", "PLUME_KEYS_DIR", "DATABASE_URL")
    }


@contextlib.contextmanager
def _test_build_lock(path: Path = TEST_BUILD_LOCK) -> Iterator[None]:
    # One test server at a time per checkout and build directory: they share it.
    with path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


@contextlib.contextmanager
def _cluster_build_slot() -> Iterator[tuple[Path, Path]]:
    """A build directory no other running cluster serves from, locked while the caller's cluster runs.

    Yields:
        (web directory, states directory).
    """
    slots = [
        (CLUSTER_BUILD_LOCK, CLUSTER_WEB_DIR, CLUSTER_STATES_DIR),
        *(
            (ROOT / f".web-test-cluster-{n}.lock", ROOT / f".web-test-cluster-{n}", ROOT / f".states-test-cluster-{n}")
            for n in range(2, CLUSTER_BUILD_SLOTS + 1)
        ),
    ]
    for lock_path, web_dir, states_dir in slots:
        with lock_path.open("w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # another cluster serves from this one
            try:
                yield web_dir, states_dir
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
            return
    with _test_build_lock(CLUSTER_BUILD_LOCK):  # every slot taken: wait for the first
        yield CLUSTER_WEB_DIR, CLUSTER_STATES_DIR


@contextlib.contextmanager
def running_plume(
    *,
    seed_args: tuple[str, ...] = (),
    extra_env: dict[str, str] | None = None,
    backend: str | None = None,
    workers: int = 2,
) -> Iterator[PlumeServer]:
    """Start Plume (production build) on a free port with its own database and SMTP server.

    On the `sqlite` backend one backend process serves a SQLite file. On `cluster`, a private
    PostgreSQL database and a private Redis hold the data and the tabs' states, and `workers`
    backend processes share the one port (granian's workers, as `reflex run --env prod` starts them
    with Redis): the frontend is compiled and built once, before the workers start.

    Args:
        seed_args: Arguments for `plume seed` (e.g. ("--learners", "10000")).
        extra_env: More environment variables for the server.
        backend: "sqlite" or "cluster"; `PLUME_TEST_BACKEND` (default "sqlite") when None.
        workers: Backend processes on the cluster backend (one on SQLite).

    Yields:
        The server.
    """
    from app.services.db import make_engine

    backend = backend or BACKEND
    workdir = Path(tempfile.mkdtemp(prefix="plume-run-"))
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    try:
        with _stores(backend, workdir) as stores, _test_build_lock():
            env = _server_env(url, workdir, stores, smtp_port, extra_env)
            if stores.redis_url:
                env["GRANIAN_WORKERS"] = str(workers)
            _prepare_database(env, seed_args)
            log_path = workdir / "server.log"
            process = _start(
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
                env,
                log_path,
            )
            engine = make_engine(stores.database_url)
            try:
                _wait_healthy(url, process, log_path, timeout=900)
                yield _plume_server(url, stores, env, log_path, mailbox, engine)
            finally:
                _stop(process)
                engine.dispose()
    finally:
        controller.stop()


@dataclass
class PlumeCluster:
    """Several Plume backends, each on its own port, sharing one PostgreSQL database, one Redis and one build."""

    workers: list[PlumeServer]
    redis: RedisServer
    postgres: PostgresCluster  # the fault tests stop and start it
    processes: list[subprocess.Popen[bytes]]  # worker i's process, the leader of its own process group

    @property
    def urls(self) -> list[str]:
        """Each worker's URL, in order (pin a tab to a worker by connecting to its URL)."""
        return [worker.url for worker in self.workers]


@contextlib.contextmanager
def running_cluster(*, workers: int = 2, seed_args: tuple[str, ...] = ()) -> Iterator[PlumeCluster]:
    """Start Plume as separate backends on separate ports over one PostgreSQL database and one Redis.

    Unlike `running_plume(backend="cluster")`, where granian spreads connections over its workers,
    a test knows which worker each tab talks to. The frontend is built once, for the first worker's
    address (the deployment's public address: every page connects back there), then each backend
    starts with `plume serve` from that build, compiling nothing.

    Args:
        workers: How many backends.
        seed_args: Arguments for `plume seed`.

    Yields:
        The cluster; `cluster.workers[i]` is worker i, each with its own log and the shared mailbox.
    """
    from app.services.db import make_engine

    workdir = Path(tempfile.mkdtemp(prefix="plume-cluster-"))
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    ports = [free_port() for _ in range(workers)]
    public = f"http://127.0.0.1:{ports[0]}"
    processes: list[subprocess.Popen[bytes]] = []
    try:
        with _stores("cluster", workdir) as stores, _cluster_build_slot() as (web_dir, states_dir):
            env = _server_env(public, workdir, stores, smtp_port, None)
            env["REFLEX_WEB_WORKDIR"], env["REFLEX_STATES_WORKDIR"] = str(web_dir), str(states_dir)
            _prepare_database(env, seed_args)
            build = subprocess.run(
                [str(BIN / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod"],
                env=env,
                cwd=ROOT,
                check=False,
                capture_output=True,
            )
            if build.returncode != 0:
                msg = f"frontend build failed:\n{build.stdout.decode(errors='replace')[-4000:]}"
                raise RuntimeError(msg)
            engine = make_engine(stores.database_url)
            servers: list[PlumeServer] = []
            try:
                for n, port in enumerate(ports):
                    log_path = workdir / f"worker-{n}.log"
                    serve = [str(BIN / "plume"), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
                    processes.append(_start(serve, env, log_path))
                    servers.append(_plume_server(f"http://127.0.0.1:{port}", stores, env, log_path, mailbox, engine))
                for server, process in zip(servers, processes, strict=True):
                    _wait_healthy(server.url, process, server.log_path, timeout=300)
                assert stores.redis is not None and stores.postgres is not None
                yield PlumeCluster(workers=servers, redis=stores.redis, postgres=stores.postgres, processes=processes)
            finally:
                for process in processes:
                    _stop(process)
                engine.dispose()
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def plume_cluster() -> Iterator[PlumeCluster]:
    """Two Plume backends on two ports over one PostgreSQL database and one Redis, for the whole run.

    Yields:
        The cluster (skipped when PostgreSQL or redis-server is not installed: `make postgresql redis`).
    """
    if not cluster_available():
        pytest.skip("needs PostgreSQL and redis-server (make postgresql redis)")
    with running_cluster(workers=2) as cluster:
        yield cluster


@pytest.fixture
def cluster(plume_cluster: PlumeCluster) -> Iterator[PlumeCluster]:
    """The shared two-worker cluster; the test fails if a worker logged an error meanwhile.

    Yields:
        The cluster.
    """
    offsets = [worker.log_size() for worker in plume_cluster.workers]
    yield plume_cluster
    errors = [
        line
        for worker, offset in zip(plume_cluster.workers, offsets, strict=True)
        for line in worker.errors_since(offset)
    ]
    assert not errors, "a worker logged errors:\n" + "\n".join(errors[:20])


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
