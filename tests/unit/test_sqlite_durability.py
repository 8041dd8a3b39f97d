from pathlib import Path

from sqlalchemy import text

from app.services.db import make_engine


def test_a_new_sqlite_connection_syncs_every_commit(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'durable.db'}")
    try:
        with engine.connect() as connection:
            # 2 is FULL: an acknowledged signature survives a power loss (1, NORMAL, may drop the last ones).
            assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
    finally:
        engine.dispose()
