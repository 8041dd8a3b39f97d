import stat

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.i18n import MESSAGES, t
from app.services.errors import ErrorCode
from app.services.seed import SeedRefusedError, seed_demo
from app.settings import SettingsError, load_settings, reset_settings
from tests.backend import ON_POSTGRES, sqlite_only


def test_public_or_short_secret_is_refused_in_every_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for env in ("production", "test", "dev"):
        monkeypatch.setenv("PLUME_ENV", env)
        for bad in ("plume-dev-secret-change-me", "short"):
            monkeypatch.setenv("PLUME_SECRET_KEY", bad)
            with pytest.raises(SettingsError):
                load_settings().check()
        monkeypatch.setenv("PLUME_SECRET_KEY", "a-private-random-value-0123456789")
        load_settings().check()


def test_secret_key_file_is_created_owner_only_and_reused(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    key_file = tmp_path / "var" / "secret.key"
    monkeypatch.setenv("PLUME_ENV", "dev")
    monkeypatch.delenv("PLUME_SECRET_KEY", raising=False)
    monkeypatch.setenv("PLUME_SECRET_KEY_FILE", str(key_file))
    first = load_settings()
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) >= 32
    first.check()
    assert load_settings().secret_key == first.secret_key
    assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"]  # no temporary file left


def test_environment_secret_overrides_the_key_file(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    key_file = tmp_path / "secret.key"
    monkeypatch.setenv("PLUME_SECRET_KEY_FILE", str(key_file))
    monkeypatch.setenv("PLUME_SECRET_KEY", "from-the-environment-0123456789abcdef")
    assert load_settings().secret_key == "from-the-environment-0123456789abcdef"
    assert not key_file.exists()


def test_key_file_readable_by_others_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_text("x" * 64)
    key_file.chmod(0o644)
    monkeypatch.delenv("PLUME_SECRET_KEY", raising=False)
    monkeypatch.setenv("PLUME_SECRET_KEY_FILE", str(key_file))
    with pytest.raises(SettingsError):
        load_settings()


def test_workers_starting_at_once_agree_on_one_key(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from app.settings import read_or_create_key_file

    key_file = tmp_path / "secret.key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: read_or_create_key_file(key_file), range(16)))
    assert len(keys) == 1


def test_dev_settings_reject_what_the_old_public_secret_signed(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    import hashlib
    import hmac
    import time

    from app.services.attendance import window
    from app.services.crypto import hash_token

    monkeypatch.setenv("PLUME_ENV", "dev")
    monkeypatch.delenv("PLUME_SECRET_KEY", raising=False)
    monkeypatch.setenv("PLUME_SECRET_KEY_FILE", str(tmp_path / "secret.key"))
    reset_settings()
    try:
        old_key = b"plume-dev-secret-change-me"
        period = int(time.time() // window.QR_PERIOD_SECONDS)
        forged_qr = hmac.new(old_key, f"qr:7:{period}".encode(), hashlib.sha256).hexdigest()[:20]
        assert not window.qr_valid(7, forged_qr)
        assert hash_token("some-token") != hmac.new(old_key, b"some-token", hashlib.sha256).hexdigest()
    finally:
        reset_settings()


@sqlite_only("reads SQLite's own PRAGMAs")
def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path) -> None:
    from app.services.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_createsuperuser_makes_an_activated_staff_account(db: Session) -> None:
    from sqlmodel import select

    from app.cli import main
    from app.models import Membership, User

    assert main(["createsuperuser", "--email", "Admin@Example.test", "--password", "court"]) == 2
    assert (
        main(
            [
                "createsuperuser",
                "--email",
                "admin@example.test",
                "--password",
                "un secret bien long",
                "--organisation",
                "mon-of",
            ]
        )
        == 0
    )
    user = db.exec(select(User).where(User.email == "admin@example.test")).one()
    assert user.is_superuser and user.is_activated
    assert db.exec(select(Membership).where(Membership.user_id == user.id)).one().is_staff


def test_every_error_code_and_key_is_translated_in_both_languages() -> None:
    assert set(MESSAGES["fr"]) == set(MESSAGES["en"])
    for code in ErrorCode:
        assert f"error.{code.value}" in MESSAGES["fr"]
    assert t("en", "signin.title") == "Sign in"
    assert t("fr", "error.throttled", minutes="15") == "Trop de tentatives. Réessayez dans 15 minutes."


def test_seed_refuses_production(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUME_ENV", "production")
    reset_settings()
    with pytest.raises(SeedRefusedError):
        seed_demo(db)


def test_seed_builds_the_documented_accounts(db: Session) -> None:
    from sqlmodel import select

    from app.models import Membership, User

    seed_demo(db)
    db.commit()
    emails = set(db.exec(select(User.email)).all())
    for email in (
        "staff@demo.plume.test",
        "trainer@demo.plume.test",
        "tutor@demo.plume.test",
        "learner1@demo.plume.test",
        "learner30@demo.plume.test",
    ):
        assert email in emails
    trainer = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
    assert len(db.exec(select(Membership).where(Membership.user_id == trainer.id)).all()) == 2
    with pytest.raises(SeedRefusedError):
        seed_demo(db)


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection of expression-based index")
def test_migrations_build_the_same_schema_as_the_models(
    empty_database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    from app.migrate import upgrade
    from app.services.db import make_engine, set_engine

    url = empty_database_url
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    set_engine(None)
    upgrade()
    migrated = make_engine(url)
    fresh_url = request.getfixturevalue("unit_database").url if ON_POSTGRES else f"sqlite:///{tmp_path / 'fresh.db'}"
    fresh = make_engine(fresh_url)
    SQLModel.metadata.create_all(fresh)

    def shape(engine: sa.engine.Engine) -> dict[str, dict[str, object]]:
        # Columns (type with its collation, nullable), keys and indexes: what each backend reflects of them
        # (SQLite does not reflect an index on an expression such as lower(email); PostgreSQL does).
        inspector = sa.inspect(engine)
        return {
            name: {
                "columns": sorted(
                    (c["name"], str(c["type"]), bool(c["nullable"])) for c in inspector.get_columns(name)
                ),
                "primary key": inspector.get_pk_constraint(name)["constrained_columns"],
                "foreign keys": sorted(
                    (tuple(f["constrained_columns"]), f["referred_table"]) for f in inspector.get_foreign_keys(name)
                ),
                "unique": sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)),
                "indexes": sorted(
                    (i["name"], str(i["column_names"]), str(i.get("expressions", "")), bool(i["unique"]))
                    for i in inspector.get_indexes(name)
                ),
            }
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }

    assert shape(migrated) == shape(fresh)
    migrated.dispose()
    fresh.dispose()
    set_engine(None)
    reset_settings()
