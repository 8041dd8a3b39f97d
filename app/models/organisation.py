"""Organisations (organismes de formation) and their e-mail templates."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field


class Organisation(SQLModel, table=True):
    """A training organisation; everything a person sees is scoped to one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    slug: str = Field(max_length=80, unique=True, index=True)
    signing_window_minutes: int = 30
    virtual_class_url: str = Field(default="", max_length=500)
    # Planning rules (`app/services/planning_rules.py`): public holidays' region, school holidays' zone, hours.
    holiday_region: str = Field(default="", max_length=10, sa_column_kwargs={"server_default": ""})
    school_zone: str = Field(default="", max_length=1, sa_column_kwargs={"server_default": ""})
    day_starts_minute: int = Field(default=480, sa_column_kwargs={"server_default": "480"})
    day_ends_minute: int = Field(default=1080, sa_column_kwargs={"server_default": "1080"})
    # Whether its trainers may move their own slots to another of its rooms (staff always may).
    trainers_change_rooms: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # Progressive planning: whether its trainers plan their sessions' slots themselves (staff always may).
    trainers_plan_slots: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    # Whether a learner may propose a time of their own for an appointment (Entretien) when none suits them.
    learners_propose_appointments: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = utc_field(default_now=True)


class Room(SQLModel, table=True):
    """One of an organisation's rooms: a slot booked in it keeps it from any other slot at that time."""

    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    name: str = Field(max_length=100)
    capacity: int | None = None
    created_at: datetime = utc_field(default_now=True)


class EmailTemplate(SQLModel, table=True):
    """An organisation's own wording of one kind of e-mail, in one language."""

    __table_args__ = (UniqueConstraint("organisation_id", "kind", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    kind: str = Field(max_length=40)
    language: str = Field(default="fr", max_length=5)
    subject: str = Field(max_length=300)
    body: str
    updated_at: datetime = utc_field(default_now=True)
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
