"""Finishing a training: "Formation terminée" per learner, and the fixed archive categories."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field

# The archive's sub-categories (m@gistère's "sous-catégorie"): a fixed list, as no screen manages them yet.
ARCHIVE_CATEGORIES = ("completed", "cancelled", "postponed", "misc")  # "other" would read as a plural key


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
