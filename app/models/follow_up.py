"""Following participation: the activities of a session a learner's progress bar watches ("Surveillé")."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field


class MonitoredActivity(SQLModel, table=True):
    """An activity of a session marked "Surveillé": expected by a Paris calendar day, maybe required to finish.

    Activities belong to one session (through its modules), so one row per activity is per session;
    `session_id` is kept here so the follow-up table and the progress bar read a session's columns in one query.
    """

    __tablename__ = "monitored_activity"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    activity_id: int = Field(foreign_key="activity.id", unique=True)
    expected_on: date
    required: bool = False
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_now=True)
