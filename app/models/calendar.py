"""Calendars: each person's private feed, what remains of a slot once cancelled, unavailabilities, appointments."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

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


class Unavailability(SQLModel, table=True):
    """A time a person cannot work (a trainer's own, whatever the organisation): days, or hours on days.

    From the first day to the last, each day from `start_minute` to `end_minute` (Paris wall clock; 0 to 1440
    for whole days), repeated every week until `weekly_until` when set. Private to its owner: organisations
    only ever learn that a slot conflicts with it.
    """

    __tablename__ = "unavailability"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    first_day: date
    last_day: date
    start_minute: int = 0
    end_minute: int = 1440
    weekly_until: date | None = None
    note: str = Field(default="", max_length=200)
    created_at: datetime = utc_field(default_now=True)


class AppointmentOffer(SQLModel, table=True):
    """A time proposed for an appointment activity (Entretien), for `capacity` learners.

    A trainer proposes it, or a learner for themselves where the organisation allows it. `taken` counts its bookings and only ever moves by a conditional update (`taken < capacity`), so two
    learners grabbing its last place at once cannot both get it. It holds a `Slot` of the activity (`slot_id`)
    from the start: that slot is what the agendas, the calendar feeds and the e-mails show.
    """

    __tablename__ = "appointment_offer"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    starts_at: datetime = utc_field()
    ends_at: datetime = utc_field()
    capacity: int = 1
    taken: int = 0
    room: str = Field(default="", max_length=100)
    proposed_by_id: int = Field(foreign_key="user.id")
    by_learner: bool = False
    slot_id: int | None = Field(default=None, foreign_key="slot.id", index=True)
    created_at: datetime = utc_field(default_now=True)


class AppointmentBooking(SQLModel, table=True):
    """A learner's place in an offer: pending until a trainer confirms it. One per learner and activity."""

    __tablename__ = "appointment_booking"
    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    offer_id: int = Field(foreign_key="appointment_offer.id", index=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    status: str = Field(default="pending", max_length=10)  # pending, confirmed
    created_at: datetime = utc_field(default_now=True)
    confirmed_at: datetime | None = utc_field(nullable=True)
    confirmed_by_id: int | None = Field(default=None, foreign_key="user.id")
