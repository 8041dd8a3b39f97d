"""Tutoring: the tutors positioned on a session, who follow its learners' progress."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field


class TutorPosition(SQLModel, table=True):
    """A tutor positioned on a session: they see its learners in the tutoring centre."""

    __tablename__ = "tutorassignment"  # the table kept its first name; the code says position
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = utc_field(default_now=True)


class Reminder(SQLModel, table=True):
    """A reminder e-mail a tutor (or staff) sent to a learner of a session."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    sent_by_id: int = Field(foreign_key="user.id")
    subject: str = Field(max_length=300)
    outbox_id: int | None = Field(default=None, foreign_key="outboxemail.id")
    created_at: datetime = utc_field(default_now=True)
