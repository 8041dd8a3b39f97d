"""Run Alembic migrations from code (no alembic.ini needed)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from app.settings import PROJECT_ROOT


def alembic_config() -> Config:
    """Alembic configuration pointing at `migrations/`.

    Returns:
        The config.
    """
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    return config


def upgrade() -> None:
    """Bring the configured database to the latest schema."""
    command.upgrade(alembic_config(), "head")


def revision(message: str) -> None:
    """Autogenerate a new revision from the models.

    Args:
        message: The revision's summary.
    """
    command.revision(alembic_config(), message=message, autogenerate=True)
