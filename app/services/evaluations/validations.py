"""Module validations and a learner's record: the competencies acquired and the modules validated.

- The trainer validates, per learner, the modules that make up a session (`validation des modules`,
  `Capability.MANAGE` through `access.access_module`, as for acquired competencies); again is a no-op.
- A learner's record on a session lists the course's competencies (acquired or not) and the session's
  modules (validated or not): the learner reads theirs, the session's team anyone's
  (`grids.access_learner_record`); the tutoring report reads it behind its own gate (`record_of`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.clock import paris_date_label
from app.models import Enrolment, Module, TrainingSession, User
from app.models.evaluations import AcquiredCompetency, Competency, CourseCompetency, ModuleValidation
from app.services import audit
from app.services.access import Capability, access_module, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations.grids import access_learner_record
from app.services.sessions.modules import ordered_modules


@dataclass(frozen=True)
class RecordLine:
    """A competency of the course or a module of the session, as one learner stands on it."""

    id: int
    label: str
    done: bool  # acquired / validated
    detail: str = ""  # "30/11/2026 · Camille Martin": when and by whom it was validated


@dataclass(frozen=True)
class LearnerRecord:
    """A learner's record on a session: the course's competencies and the session's modules."""

    session_id: int
    user_id: int
    name: str
    competencies: list[RecordLine]
    modules: list[RecordLine]


def _learner_id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def validate_module(db: Session, actor: Actor, module_id: int, learner_id: int, *, validated: bool) -> bool:
    """Validate (or withdraw the validation of) a session's module for one of its learners.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on it (MANAGE).
        module_id: A module of the session.
        learner_id: A learner enrolled in the session.
        validated: Whether the module is validated.

    Returns:
        Whether anything changed (validating twice changes nothing).

    Raises:
        PlumeError: NOT_FOUND for a missing or forbidden module, or a learner not enrolled.
    """
    module, training, _ = access_module(db, actor, module_id, Capability.MANAGE)
    learner = _learner_id(learner_id)
    enrolled = (
        db.exec(select(Enrolment.id).where(Enrolment.session_id == training.id, Enrolment.user_id == learner)).first()
        if learner is not None
        else None
    )
    if learner is None or enrolled is None or not isinstance(validated, bool):
        raise PlumeError(ErrorCode.NOT_FOUND)
    row = db.exec(
        select(ModuleValidation).where(ModuleValidation.module_id == module.id, ModuleValidation.user_id == learner)
    ).first()
    if validated and row is None:
        db.add(
            ModuleValidation(
                session_id=training.id or 0, module_id=module.id or 0, user_id=learner, validated_by_id=actor.user_id
            )
        )
    elif not validated and row is not None:
        db.delete(row)
    else:
        return False
    db.flush()
    audit.record(
        db,
        "module.validated" if validated else "module.unvalidated",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}:module:{module.id}:user:{learner}",
        ip=actor.ip,
    )
    return True


def may_record(db: Session, actor: Actor, session_id: int) -> bool:
    """Whether the actor records learners' competencies and validates their modules on a session (MANAGE).

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        True for staff of its organisation and its trainers, while it is not archived.
    """
    try:
        access_session(db, actor, session_id, Capability.MANAGE)
    except PlumeError:
        return False
    return True


def record_of(
    db: Session, training: TrainingSession, learner: User, modules: Sequence[Module] | None = None
) -> LearnerRecord:
    """A learner's record on a session, for a caller that went through its own gate (two or three queries).

    Args:
        db: Database session.
        training: The session.
        learner: A learner of it.
        modules: The session's modules in timeline order, when the caller read them already.

    Returns:
        The record.
    """
    competencies = db.exec(
        select(Competency, AcquiredCompetency.id)
        .join(CourseCompetency, col(CourseCompetency.competency_id) == col(Competency.id))
        .outerjoin(
            AcquiredCompetency,
            and_(
                col(AcquiredCompetency.competency_id) == col(Competency.id),
                col(AcquiredCompetency.session_id) == training.id,
                col(AcquiredCompetency.user_id) == learner.id,
            ),
        )
        .where(CourseCompetency.course_id == training.course_id)
        .order_by(col(CourseCompetency.position), col(Competency.id))
    ).all()
    validations = {
        v.module_id: (v, by.display_name)
        for v, by in db.exec(
            select(ModuleValidation, User)
            .join(User, col(User.id) == col(ModuleValidation.validated_by_id))
            .where(ModuleValidation.session_id == training.id, ModuleValidation.user_id == learner.id)
        ).all()
    }

    def detail(module_id: int) -> str:
        found = validations.get(module_id)
        return f"{paris_date_label(found[0].validated_at)} · {found[1]}" if found is not None else ""

    return LearnerRecord(
        session_id=training.id or 0,
        user_id=learner.id or 0,
        name=learner.display_name,
        competencies=[
            RecordLine(id=c.id or 0, label=f"{c.code} — {c.label}", done=acquired is not None)
            for c, acquired in competencies
        ],
        modules=[
            RecordLine(id=m.id or 0, label=m.title, done=m.id in validations, detail=detail(m.id or 0))
            for m in (ordered_modules(db, training.id or 0) if modules is None else modules)
        ],
    )


def learner_record(db: Session, actor: Actor, session_id: int, learner_id: int) -> LearnerRecord:
    """A learner's record on a session: for the learner themself and the session's team.

    Args:
        db: Database session.
        actor: The learner, or staff, a trainer or a tutor of the session.
        session_id: The session.
        learner_id: A learner enrolled in it.

    Returns:
        The record.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training = access_learner_record(db, actor, session_id, learner_id)
    key = _learner_id(learner_id)
    learner = (
        db.exec(
            select(User)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == training.id, Enrolment.user_id == key)
        ).first()
        if key is not None
        else None
    )
    if learner is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return record_of(db, training, learner)


def my_record(db: Session, actor: Actor, session_id: int) -> LearnerRecord | None:
    """The signed-in learner's own record on a session (`Mes compétences`), None for anyone not enrolled.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        The record, or None when the actor is not a learner of the session.

    Raises:
        PlumeError: NOT_FOUND for a session the actor may not see.
    """
    training, role = access_session(db, actor, session_id)
    learner = db.get(User, actor.user_id)
    if not role.enrolled or learner is None:
        return None
    return record_of(db, training, learner)
