"""Database engine and sessions (SQLite in WAL mode by default)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
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
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    register_sqlite(dbapi_connection)  # accent-insensitive search (`search.folded`)


def make_engine(url: str) -> Engine:
    """Build an engine for a database URL.

    Args:
        url: SQLAlchemy URL (`sqlite:///…` or `postgresql+psycopg://…`).

    Returns:
        The engine; SQLite connections get WAL, a busy timeout and foreign keys.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


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
    global _engine  # noqa: PLW0603
    _engine = engine


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
