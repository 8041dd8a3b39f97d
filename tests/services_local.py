"""Private PostgreSQL and Redis servers on loopback for tests and benchmarks, in a temporary directory.

`make test` installs Debian's `postgresql` and `redis-server` packages when they are missing;
these helpers start a throwaway cluster / server on a free port, never the system's own services,
and remove everything when done.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

_PG_USER = "postgres"  # the server refuses to run as root: it runs as Debian's `postgres` account then


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pg_bin_dir() -> Path:
    """Where Debian's PostgreSQL server programs are.

    Returns:
        The newest `/usr/lib/postgresql/<version>/bin` holding `initdb`.

    Raises:
        RuntimeError: PostgreSQL is not installed (`make postgresql` installs it).
    """
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parent.parent.name))
    if not found:
        msg = "PostgreSQL server not installed: run `make postgresql` (apt-get install postgresql)."
        raise RuntimeError(msg)
    return Path(found[-1]).parent


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", _PG_USER, "--", *command]


@dataclass
class PostgresCluster:
    """A running private PostgreSQL cluster."""

    directory: Path
    port: int
    bin_dir: Path

    @property
    def admin_url(self) -> str:
        """SQLAlchemy URL of the `postgres` database, as the superuser (trust auth on loopback)."""
        return f"postgresql+psycopg://{_PG_USER}@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        """SQLAlchemy URL of one database of the cluster.

        Args:
            database: Its name.

        Returns:
            The URL.
        """
        return f"postgresql+psycopg://{_PG_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "plume") -> str:
        """Create a new empty database.

        Args:
            prefix: Start of its name (a random suffix follows).

        Returns:
            Its URL.
        """
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            engine.dispose()
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database created here (its connections are ended first).

        Args:
            url: As returned by `create_database`.
        """
        name = url.rsplit("/", 1)[1]
        engine = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        finally:
            engine.dispose()

    def _ctl(self, *args: str) -> None:
        command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.directory / "data"), "-w", "-t", "60", *args]
        subprocess.run(_as_server_user(command), check=True, capture_output=True)

    def start(self) -> None:
        """Start the server (after `stop`, for tests of a database restart)."""
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.directory} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        )
        self._ctl("-o", options, "-l", str(self.directory / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server.

        Args:
            mode: pg_ctl's shutdown mode: "smart", "fast" or "immediate".
        """
        self._ctl("-m", mode, "stop")


@contextlib.contextmanager
def postgres_cluster() -> Iterator[PostgresCluster]:
    """A throwaway PostgreSQL cluster on a free loopback port, removed afterwards.

    Yields:
        The running cluster.
    """
    bin_dir = pg_bin_dir()
    directory = Path(tempfile.mkdtemp(prefix="plume-pg-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(_PG_USER)
        os.chown(directory, account.pw_uid, account.pw_gid)
    initdb = [
        str(bin_dir / "initdb"),
        "-D",
        str(directory / "data"),
        "-U",
        _PG_USER,
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    ]
    subprocess.run(_as_server_user(initdb), check=True, capture_output=True)
    cluster = PostgresCluster(directory=directory, port=_free_port(), bin_dir=bin_dir)
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


@dataclass
class RedisServer:
    """A running private Redis server."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The `redis://` URL of database 0."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        """Start the server (after `stop`, for tests of a Redis restart)."""
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        command = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            # Tab states live in Redis: like production, keep them across a restart (the fault tests restart it).
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            str(self.directory),
            "--notify-keyspace-events",
            "KEA",
        ]
        log = (self.directory / "redis.log").open("ab")
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                if sock.recv(16).startswith(b"+PONG"):
                    return
            time.sleep(0.05)
        msg = f"redis-server did not start on port {self.port}"
        raise RuntimeError(msg)

    def stop(self) -> None:
        """Stop the server at once (SIGKILL: what it acknowledged is in its append-only file)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@contextlib.contextmanager
def redis_server() -> Iterator[RedisServer]:
    """A throwaway Redis server on a free loopback port (append-only file in its temporary directory).

    Yields:
        The running server.

    Raises:
        RuntimeError: redis-server is not installed (`make redis` installs it).
    """
    if shutil.which("redis-server") is None and not Path("/usr/bin/redis-server").exists():
        msg = "redis-server not installed: run `make redis` (apt-get install redis-server)."
        raise RuntimeError(msg)
    directory = Path(tempfile.mkdtemp(prefix="plume-redis-"))
    server = RedisServer(directory=directory, port=_free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
