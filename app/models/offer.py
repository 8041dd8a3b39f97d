"""The course offer: a trainer's request for a course to be made available to them."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field

REQUEST_STATUSES = ("pending", "approved", "refused")


class CourseRequest(SQLModel, table=True):
    """*Demander la mise à disposition d'un parcours*: what a trainer asks staff for, and the answer."""

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    requested_by_id: int = Field(foreign_key="user.id", index=True)
    course_id: int | None = Field(default=None, foreign_key="course.id")
    title: str = Field(max_length=200)
    origin: str = Field(default="", max_length=100)
    remote_hours: float = 0
    in_person_hours: float = 0
    pedagogical_lead: str = Field(default="", max_length=200)
    status: str = Field(default="pending", max_length=10, index=True)
    reason: str = Field(default="", max_length=1000)
    decided_by_id: int | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)
