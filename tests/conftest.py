"""Shared fixtures: a fresh database per unit test; one running Plume for the whole run.

`PLUME_TEST_BACKEND` picks the database: `sqlite` (the default: a new file per test) or `cluster`
(one private PostgreSQL cluster per run, its tables created once and emptied before each test).
The `postgres` fixture (that cluster) and `empty_database_url` (a new database without tables, on
the selected backend, for migration tests) serve other tests too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

os.environ.setdefault("PLUME_ENV", "test")
# Shared with the server the tests start, so both hash tokens alike.
os.environ.setdefault("PLUME_SECRET_KEY", "plume-test-secret-not-for-production-0123456789")

import app.models  # noqa: F401  # register tables
from app.services.db import make_engine, set_engine
from app.settings import reset_settings
from tests.backend import ON_POSTGRES
from tests.services_local import PostgresCluster, postgres_cluster


@dataclass
class UnitDatabase:
    """The PostgreSQL database the unit tests share, its tables created once."""

    url: str
    engine: Engine
    empty_all: str  # run before each test: every row deleted, every id counter back to 1


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresCluster]:
    """One private PostgreSQL cluster for the whole run (`PLUME_TEST_BACKEND=cluster` only).

    Yields:
        The running cluster, removed at the end of the run.
    """
    if not ON_POSTGRES:
        pytest.skip("PostgreSQL runs with PLUME_TEST_BACKEND=cluster")
    with postgres_cluster() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def unit_database(postgres: PostgresCluster) -> Iterator[UnitDatabase]:
    """The unit tests' PostgreSQL database, with all tables.

    Yields:
        It, dropped at the end of the run.
    """
    url = postgres.create_database("plume_unit")
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    with engine.connect() as connection:
        sequences = connection.execute(text("SELECT quote_ident(sequence_name) FROM information_schema.sequences"))
        restarts = [f"ALTER SEQUENCE {name} RESTART" for (name,) in sequences]
    # DELETE, children first, rather than TRUNCATE: a test leaves a few rows, and TRUNCATE replaces every
    # table's and index's files (≈130 ms a test here, against ≈8 ms).
    deletes = [f'DELETE FROM "{table.name}"' for table in reversed(SQLModel.metadata.sorted_tables)]
    yield UnitDatabase(url=url, engine=engine, empty_all="; ".join(deletes + restarts))
    engine.dispose()
    postgres.drop_database(url)


@pytest.fixture
def empty_database_url(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new empty database without tables, on the selected backend (for migration tests).

    Yields:
        Its URL.
    """
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    cluster: PostgresCluster = request.getfixturevalue("postgres")
    url = cluster.create_database("plume_empty")
    yield url
    cluster.drop_database(url)


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[Session]:
    """A fresh database (all tables, no rows) for one test, on the backend `PLUME_TEST_BACKEND` names.

    Yields:
        A session on it.
    """
    shared: UnitDatabase | None = request.getfixturevalue("unit_database") if ON_POSTGRES else None
    url = shared.url if shared is not None else f"sqlite:///{tmp_path / 'unit.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PLUME_BASE_URL", "http://plume.test")
    monkeypatch.setenv("PLUME_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))  # the demo seed writes its handouts' PDFs
    reset_settings()
    if shared is not None:
        engine = shared.engine
        with engine.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '10s'"))  # a leaked transaction fails one test
            connection.exec_driver_sql(shared.empty_all)
    else:
        engine = make_engine(url)
        SQLModel.metadata.create_all(engine)
    set_engine(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    set_engine(None)
    if shared is None:
        engine.dispose()
    reset_settings()


pytest_plugins = ["tests.server"]
