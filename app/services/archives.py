"""The "Archives" list: archived sessions, for staff (their organisation's) and members (their own).

An archived session leaves every current list (home, sessions, tutoring) and is
found here; it stays readable (SEE) but nobody writes to it (`access`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import date_label
from app.models import Course, TrainingSession
from app.services import access
from app.services.access import Capability
from app.services.actor import Actor


@dataclass(frozen=True)
class ArchivedSession:
    """One archived session on the "Archives" list."""

    id: int
    course_title: str
    title: str
    starts_on: str  # DD/MM/YYYY
    ends_on: str
    category: str  # one of `app.models.finishing.ARCHIVE_CATEGORIES`, "" if archived before categories


def archived_sessions(db: Session, actor: Actor, limit: int = 500) -> list[ArchivedSession]:
    """The archived sessions of the selected organisation the actor may see, the latest start first.

    Staff see every archived session of their organisation; trainers, tutors and learners
    the ones they belonged to (`access.Capability.SEE`, the same rule as the session's page).

    Args:
        db: Database session.
        actor: The signed-in actor.
        limit: At most this many.

    Returns:
        The sessions.
    """
    if actor.organisation_id is None or not actor.fully_signed_in:
        return []
    rows = db.exec(
        select(TrainingSession, Course.title)
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .where(
            TrainingSession.organisation_id == actor.organisation_id,
            TrainingSession.status == "archived",
            access.session_filter(actor, Capability.SEE),
        )
        .order_by(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc())
        .limit(limit)
    ).all()
    return [
        ArchivedSession(
            id=training.id or 0,
            course_title=course_title,
            title=training.title,
            starts_on=date_label(training.starts_on),
            ends_on=date_label(training.ends_on),
            category=training.archive_category,
        )
        for training, course_title in rows
    ]
