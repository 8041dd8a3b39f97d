"""Skeleton of the training domain: courses, sessions, timelines, slots."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import sort_key_type, utc_field

SESSION_STATUSES = ("draft", "active", "finished", "archived")
PHASES = ("before", "during", "after")
ACTIVITY_KINDS = (
    "in_person",
    "virtual_class",
    "appointment",
    "diagnostic",
    "third_party_evaluation",
    "certification",
    "quality_evaluation",
    "document",
    "video",
    "elearning",
    "assignment",
    "observation",
    "quiz",
    "poll",
    "webinar",
    "self_assessment",
)
ENROLMENT_KINDS = ("mandatory", "recommended", "free")


class Course(SQLModel, table=True):
    """A catalogue item, delivered as sessions."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=200)
    short_title: str = Field(default="", max_length=60)
    description: str = ""
    objectives: str = ""
    categories: str = Field(default="", max_length=300)
    competencies: str = ""
    target_audience: str = ""
    remote_hours: float = 0
    in_person_hours: float = 0
    # Where the course comes from (a national body, a partner, the organisation itself): a filter of the offer.
    origin: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    thumbnail_document_id: int | None = Field(default=None)
    created_at: datetime = utc_field(default_now=True)


class TrainingSession(SQLModel, table=True):
    """One delivery of a course: dates, trainers, learners."""

    __tablename__ = "session"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    title: str = Field(max_length=200)
    starts_on: date
    ends_on: date
    status: str = Field(default="draft", max_length=10, index=True)
    availability_ends_on: date | None = None
    place: str = Field(default="", max_length=200)
    rooms: str = Field(default="", max_length=200)
    max_participants: int | None = None
    # The name of the organisation's archive category chosen when archiving (`ArchiveCategory`), kept as it
    # was then; "" for a session never archived.
    archive_category: str = Field(default="", max_length=80, sa_column_kwargs={"server_default": ""})
    # How many trainers and tutors the session should have ("Préférable d'avoir 2 tuteurs/formateurs par session").
    staff_wanted: int = Field(default=2, sa_column_kwargs={"server_default": "2"})
    # Progressive planning: the hours its slots should add up to (0: none set); the agenda shows planned vs this.
    hours_to_plan: float = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = utc_field(default_now=True)


class Module(SQLModel, table=True):
    """An ordered part of a timeline, in a phase: a session's, or a course's template (session_id empty)."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(default=None, foreign_key="session.id", index=True)
    course_id: int | None = Field(default=None, foreign_key="course.id", index=True)
    title: str = Field(max_length=200)
    phase: str = Field(default="during", max_length=10)
    position: int = 0
    opening_rule: str = Field(default="always", max_length=20)
    opens_at: datetime | None = utc_field(nullable=True)


class Activity(SQLModel, table=True):
    """One of the 16 activity kinds, ordered in a module."""

    id: int | None = Field(default=None, primary_key=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    kind: str = Field(max_length=30)
    title: str = Field(max_length=200)
    position: int = 0
    settings_json: str = "{}"


class Slot(SQLModel, table=True):
    """A half-day or a virtual-class time range."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    activity_id: int | None = Field(default=None, foreign_key="activity.id", index=True)
    starts_at: datetime = utc_field(index=True)
    ends_at: datetime = utc_field()
    room: str = Field(default="", max_length=100)
    # The organisation's room it is booked in (its name is copied in `room`); None for a place typed freely.
    room_id: int | None = Field(default=None, foreign_key="room.id", index=True)


class Enrolment(SQLModel, table=True):
    """A learner enrolled in a session."""

    __table_args__ = (
        UniqueConstraint("session_id", "user_id"),
        # The tutoring centre's sorts and counts over 10,000 learners read these in order.
        Index("ix_enrolment_session_progress", "session_id", "progress"),
        Index("ix_enrolment_session_time", "session_id", "time_spent_s"),
        Index("ix_enrolment_session_last", "session_id", "last_activity_at"),
        Index("ix_enrolment_session_kind_status", "session_id", "kind", "status"),
        Index("ix_enrolment_session_name", "session_id", "sort_name", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(default="mandatory", max_length=12)
    created_at: datetime = utc_field(default_now=True)
    # Kept up to date by app.services.progress, so the tutoring centre pages 10,000 learners in SQL.
    progress: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    status: str = Field(default="not_started", max_length=12, sa_column_kwargs={"server_default": "not_started"})
    time_spent_s: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    last_activity_at: datetime | None = utc_field(nullable=True)
    # The learner's "last first" name, lower case without accents (app.models.events keeps it in step).
    sort_name: str = Field(default="", sa_type=sort_key_type(300), sa_column_kwargs={"server_default": ""})


class TrainerPosition(SQLModel, table=True):
    """A trainer positioned on a session ("positionner un formateur")."""

    __tablename__ = "trainerassignment"  # the table kept its first name; the code says position
    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = utc_field(default_now=True)


class ActivityCompletion(SQLModel, table=True):
    """A learner marked an activity done (or the activity recorded it)."""

    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    completed_at: datetime = utc_field(default_now=True)


class Document(SQLModel, table=True):
    """A file of a module, stored outside the public upload folder under a random name."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int | None = Field(default=None, foreign_key="session.id", index=True)
    module_id: int | None = Field(default=None, foreign_key="module.id", index=True)
    name: str = Field(max_length=200)
    stored_name: str = Field(max_length=80, unique=True)
    size: int
    content_type: str = Field(max_length=100)
    sha256: str = Field(max_length=64)
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_now=True)
    deleted_at: datetime | None = utc_field(nullable=True)


class Notification(SQLModel, table=True):
    """An in-app message for one person (e.g. positioned on a session)."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    kind: str = Field(max_length=40)
    title: str = Field(max_length=300)
    link: str = Field(default="", max_length=300)
    created_at: datetime = utc_field(default_now=True)
    read_at: datetime | None = utc_field(nullable=True)


class ActivityResponse(SQLModel, table=True):
    """A learner's answer to an activity (a poll vote now; questionnaires later)."""

    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    data_json: str = "{}"
    updated_at: datetime = utc_field(default_now=True)
