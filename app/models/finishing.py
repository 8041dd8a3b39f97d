"""Finishing a training: "Formation terminée" per learner, and each organisation's archive categories."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field

# The archive's sub-categories (m@gistère's "sous-catégorie") every organisation starts with, key → name
# (`ArchiveCategory`); staff add, rename and remove their own from there. "misc": "other" reads as a plural key.
DEFAULT_ARCHIVE_CATEGORIES = {
    "completed": "Parcours terminé",
    "cancelled": "Session annulée",
    "postponed": "Session reportée",
    "misc": "Autre",
}
ARCHIVE_CATEGORY_NAME_LIMIT = 80


class ArchiveCategory(SQLModel, table=True):
    """One of an organisation's archive categories, offered when a session is archived.

    A session archived under it keeps the category's name (`TrainingSession.archive_category`), so
    renaming or removing a category later leaves the sessions already filed as they were.
    """

    __tablename__ = "archive_category"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    key: str = Field(max_length=20)  # what the archive dialog sends: stable across renames
    name: str = Field(max_length=ARCHIVE_CATEGORY_NAME_LIMIT)
    position: int = 0


class TrainingCompletion(SQLModel, table=True):
    """A learner's training declared finished ("Formation terminée"): who decided it, and when.

    Only then can an attendance attestation be issued for them; undoing it deletes the row
    (audited) and revokes the attestations already issued.
    """

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    decided_by_id: int = Field(foreign_key="user.id")
    decided_at: datetime = utc_field(default_now=True)
