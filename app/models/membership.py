"""Memberships (person × organisation × roles) and invitations."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field

ROLES = ("staff", "trainer", "learner", "tutor")
TRAINER_KINDS = ("internal", "external")


class Membership(SQLModel, table=True):
    """The roles one person holds in one organisation."""

    __table_args__ = (UniqueConstraint("user_id", "organisation_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    is_staff: bool = False
    is_trainer: bool = False
    is_learner: bool = False
    is_tutor: bool = False
    trainer_kind: str = Field(default="internal", max_length=10)
    created_at: datetime = utc_field(default_now=True)

    @property
    def roles(self) -> frozenset[str]:
        """The roles held, by name."""
        held = {
            "staff": self.is_staff,
            "trainer": self.is_trainer,
            "learner": self.is_learner,
            "tutor": self.is_tutor,
        }
        return frozenset(role for role, on in held.items() if on)


class Invitation(SQLModel, table=True):
    """A person staff added to the organisation, invited by e-mail (or not yet)."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str = Field(default="", max_length=254, index=True)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    role: str = Field(default="trainer", max_length=10)
    trainer_kind: str = Field(default="external", max_length=10)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    invited_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_now=True)
    last_sent_at: datetime | None = utc_field(nullable=True)
    sent_count: int = 0
    expires_at: datetime | None = utc_field(nullable=True)
    accepted_at: datetime | None = utc_field(nullable=True)
    accepted_by_id: int | None = Field(default=None, foreign_key="user.id")
