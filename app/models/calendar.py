"""Calendars: each person's private feed, and what remains of a slot once it was cancelled."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field


class CalendarFeed(SQLModel, table=True):
    """A person's private calendar subscription (Outlook, Google Calendar, Thunderbird read it by its URL).

    The URL's secret is found by its keyed hash; the secret itself is kept encrypted under a key outside the
    database, so the person can copy their URL again, and nobody else (nor a database dump) can.
    """

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", unique=True)
    secret_hash: str = Field(max_length=64, unique=True)
    secret_sealed: str = Field(max_length=300)
    created_at: datetime = utc_field(default_now=True)


class CancelledSlot(SQLModel, table=True):
    """A slot whose activity was deleted: calendars that hold it are told it is cancelled (STATUS:CANCELLED).

    The slot row is gone, so its id, times and who it was for are kept here.
    """

    __tablename__ = "cancelled_slot"

    slot_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    session_id: int = Field(foreign_key="session.id", index=True)
    title: str = Field(default="", max_length=200)
    starts_at: datetime = utc_field()
    ends_at: datetime = utc_field()
    invitees_json: str = ""  # the learners a restricted class was for ("" for every learner of the session)
    sequence: int = 0  # the cancelled event's SEQUENCE: one more than the slot's last
    cancelled_at: datetime = utc_field(default_now=True, index=True)
