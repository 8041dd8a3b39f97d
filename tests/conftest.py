"""Shared fixtures: a fresh database per unit test; one running Plume for the whole run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, SQLModel

os.environ.setdefault("PLUME_ENV", "test")
# Shared with the server the tests start, so both hash tokens alike.
os.environ.setdefault("PLUME_SECRET_KEY", "plume-test-secret-not-for-production-0123456789")

from app.services.db import make_engine, set_engine
from app.settings import reset_settings


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    """A fresh SQLite database (all tables) for one test.

    Yields:
        A session on it.
    """
    url = f"sqlite:///{tmp_path / 'unit.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PLUME_BASE_URL", "http://plume.test")
    monkeypatch.setenv("PLUME_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))  # the demo seed writes its handouts' PDFs
    reset_settings()
    import app.models  # noqa: F401  # register tables

    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    set_engine(engine)
    with Session(engine, expire_on_commit=False) as session:
        yield session
    set_engine(None)
    engine.dispose()
    reset_settings()


pytest_plugins = ["tests.server"]
