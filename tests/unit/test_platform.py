import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel

from app.i18n import MESSAGES, t
from app.services.errors import ErrorCode
from app.services.seed import SeedRefusedError, seed_demo
from app.settings import SettingsError, load_settings, reset_settings


def test_default_secret_is_refused_outside_dev(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUME_ENV", "production")
    monkeypatch.delenv("PLUME_SECRET_KEY", raising=False)
    with pytest.raises(SettingsError):
        load_settings().check()
    monkeypatch.setenv("PLUME_SECRET_KEY", "a-private-random-value-0123456789")
    load_settings().check()
    monkeypatch.setenv("PLUME_ENV", "test")
    monkeypatch.delenv("PLUME_SECRET_KEY")
    with pytest.raises(SettingsError):
        load_settings().check()
    monkeypatch.setenv("PLUME_ENV", "dev")
    load_settings().check()


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


def test_migrations_build_the_same_schema_as_the_models(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.migrate import upgrade
    from app.services.db import make_engine, set_engine

    url = f"sqlite:///{tmp_path / 'migrated.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    set_engine(None)
    upgrade()
    migrated = make_engine(url)
    fresh = make_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    SQLModel.metadata.create_all(fresh)

    def shape(engine: sa.engine.Engine) -> dict[str, list[tuple[str, bool]]]:
        inspector = sa.inspect(engine)
        return {
            name: sorted((c["name"], bool(c["nullable"])) for c in inspector.get_columns(name))
            for name in inspector.get_table_names()
            if name != "alembic_version"
        }

    assert shape(migrated) == shape(fresh)
    set_engine(None)
    reset_settings()
