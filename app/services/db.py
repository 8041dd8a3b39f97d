"""Database engine and sessions (SQLite in WAL mode by default)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

from app.services.search import register_sqlite
from app.settings import get_settings

_engine: Engine | None = None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Attendance is evidence: FULL syncs the WAL on every commit, so an acknowledged signature survives
    # a power loss (NORMAL may drop the last ones); ≈2.8k commits/s on a 2-core box is plenty.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()
    register_sqlite(dbapi_connection)  # accent-insensitive search (`search.folded`)


def make_engine(url: str) -> Engine:
    """Build an engine for a database URL.

    Args:
        url: SQLAlchemy URL (`sqlite:///…` or `postgresql+psycopg://…`).

    Returns:
        The engine; SQLite connections get WAL, a busy timeout and foreign keys; PostgreSQL gets a
        small pool checked before use.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Per worker: 5 kept connections plus 5 for bursts, recycled before a server or proxy idles them out.
    # Several workers share PostgreSQL's default 100 connections, so each keeps few: signing and paging
    # queries are short, and a request waits up to 30 s for a free one rather than failing at once.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_timeout=30, pool_recycle=1800)


def get_engine() -> Engine:
    """The process-wide engine, built from settings on first use.

    Returns:
        The engine.
    """
    global _engine  # noqa: PLW0603  # one engine per process
    if _engine is None:
        _engine = make_engine(get_settings().database_url)
    return _engine


def set_engine(engine: Engine | None) -> None:
    """Replace the process-wide engine (tests use a fresh database each).

    Args:
        engine: The engine to use, or None to rebuild from settings.
    """
    global _engine, _watcher  # noqa: PLW0603
    _engine = engine
    with _watch_lock:
        if _watcher is not None:
            _watcher[1].close()
        _watcher = None


_watcher: tuple[str, sqlite3.Connection] | None = None
_watch_lock = threading.Lock()


def write_version(db: Session) -> str | None:
    """A value that changes whenever any transaction that wrote to the database commits, from any connection.

    What a read may be cached against (a calendar feed's ETag): same value, same data. SQLite: `PRAGMA
    data_version` on a connection of its own that never writes (it changes with every commit of any other
    connection, other processes included). PostgreSQL: the next transaction id, which only a writing
    transaction takes.

    Args:
        db: A database session (PostgreSQL reads through it).

    Returns:
        The value, or None for a database without one (an in-memory SQLite).
    """
    bind = db.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    if engine.dialect.name == "postgresql":
        found = db.execute(text("SELECT pg_snapshot_xmax(pg_current_snapshot())::text")).scalar()
        return f"pg:{found}"
    path = engine.url.database
    if engine.dialect.name != "sqlite" or not path or path == ":memory:":
        return None
    global _watcher  # noqa: PLW0603  # one watching connection per process (and database file)
    with _watch_lock:
        if _watcher is None or _watcher[0] != path:
            if _watcher is not None:
                _watcher[1].close()
            _watcher = (path, sqlite3.connect(path, check_same_thread=False))
        version = _watcher[1].execute("PRAGMA data_version").fetchone()[0]
    return f"sqlite:{path}:{version}"


@contextmanager
def session_scope() -> Iterator[Session]:
    """A database session that commits on success and rolls back on error.

    Yields:
        The session.
    """
    with Session(get_engine(), expire_on_commit=False) as db:
        try:
            yield db
            db.commit()
        except BaseException:
            db.rollback()
            raise
