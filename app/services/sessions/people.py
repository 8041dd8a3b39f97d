"""Who is on a training session: its trainers, tutors and learners, and staff changing them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.clock import paris_datetime_label
from app.live.bus import notify
from app.live.contract import PeopleChanged, session_topic
from app.models import (
    AuditRecord,
    Enrolment,
    Membership,
    Notification,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    User,
)
from app.models.training import ENROLMENT_KINDS
from app.services import audit
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.notify import trainer_positioned_email
from app.services.search import contains, sort_key

# A staff position on a session: its trainers, its tutors.
P = TypeVar("P", TrainerPosition, TutorPosition)


@dataclass(frozen=True)
class Person:
    """Someone on a session's people panel."""

    user_id: int
    name: str
    email: str
    detail: str


@dataclass(frozen=True)
class SessionPeople:
    """Who is on a session, and who staff may add (lists are capped: an organisation may hold 10,000 learners)."""

    trainers: list[Person]
    learners: list[Person]
    learner_count: int
    trainer_choices: list[Person]
    learner_choices: list[Person]
    tutors: list[Person] = field(default_factory=list)
    tutor_choices: list[Person] = field(default_factory=list)
    # The last learners taken off, newest first: `detail` is "dd/mm/yyyy hh:mm — reason".
    left: list[Person] = field(default_factory=list)


PEOPLE_LIMIT = 50


def session_people(
    db: Session, actor: Actor, session_id: int, *, query: str = "", limit: int = PEOPLE_LIMIT
) -> SessionPeople:
    """The session's trainers and (first) learners, and the people staff may add, filtered by a search.

    Args:
        db: Database session.
        actor: A staff member of the session's organisation.
        session_id: The session.
        query: Part of a name or e-mail to narrow the learners one may enrol.
        limit: At most this many learners in each list.

    Returns:
        The people.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    by_name = (sort_key(col(User.last_name)), sort_key(col(User.first_name)), col(User.id))
    assigned = set(db.exec(select(TrainerPosition.user_id).where(TrainerPosition.session_id == training.id)).all())
    trainers: list[Person] = []
    trainer_choices: list[Person] = []
    for user, m in db.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == training.organisation_id, col(Membership.is_trainer).is_(True))
        .order_by(*by_name)
    ).all():
        person = Person(user.id or 0, user.display_name, user.email, m.trainer_kind)
        (trainers if user.id in assigned else trainer_choices).append(person)
    enrolled_ids = select(Enrolment.user_id).where(Enrolment.session_id == training.id)
    learners = [
        Person(user.id or 0, user.display_name, user.email, e.kind)
        for user, e in db.exec(
            select(User, Enrolment)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == training.id)
            .order_by(*by_name)
            .limit(limit)
        ).all()
    ]
    count = int(db.exec(select(func.count(col(Enrolment.id))).where(Enrolment.session_id == training.id)).one())
    candidates = (
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == training.organisation_id, col(Membership.is_learner).is_(True))
        .where(col(User.id).not_in(enrolled_ids))
    )
    words = query.strip()[:100]
    if words:  # "helene" finds Hélène, like every search (app.services.search)
        candidates = candidates.where(
            or_(*(contains(c, words) for c in (User.first_name, User.last_name, User.pseudonym, User.email)))
        )
    learner_choices = [
        Person(user.id or 0, user.display_name, user.email, "")
        for user in db.exec(candidates.order_by(*by_name).limit(limit)).all()
    ]
    positioned = set(db.exec(select(TutorPosition.user_id).where(TutorPosition.session_id == training.id)).all())
    tutors: list[Person] = []
    tutor_choices: list[Person] = []
    for user in db.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == training.organisation_id, col(Membership.is_tutor).is_(True))
        .order_by(*by_name)
    ).all():
        person = Person(user.id or 0, user.display_name, user.email, "")
        (tutors if user.id in positioned else tutor_choices).append(person)
    left = [
        Person(0, name, "", f"{at} — {reason}" if reason else at) for name, at, reason in _left(db, training.id or 0)
    ]
    return SessionPeople(trainers, learners, count, trainer_choices, learner_choices, tutors, tutor_choices, left)


def _people_changed(
    db: Session,
    actor: Actor,
    training: TrainingSession,
    action: str,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    """Audit a change of a session's people and tell its open pages."""
    audit.record(
        db,
        f"session.{action}",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}",
        before=before,
        after=after,
    )
    notify(db, session_topic(training.id or 0), PeopleChanged())


def _org_member(db: Session, organisation_id: int, user_id: int, role: str) -> User:
    membership = (
        db.exec(
            select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
        ).first()
        if isinstance(user_id, int)
        else None
    )
    user = db.get(User, user_id) if membership is not None and getattr(membership, f"is_{role}") else None
    if user is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return user


def _position(db: Session, model: type[P], training: TrainingSession, user_id: int) -> P | None:
    return db.exec(select(model).where(model.session_id == training.id, model.user_id == user_id)).first()


def _remove_position(db: Session, actor: Actor, session_id: int, model: type[P], user_id: int) -> None:
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    row = _position(db, model, training, user_id)
    if row is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    db.delete(row)
    who = "trainer" if model is TrainerPosition else "tutor"
    _people_changed(db, actor, training, f"remove_{who}", before={who: user_id})


def position_trainer(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Position a trainer of the organisation on the session; they get an e-mail and an in-app notice.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The trainer.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    trainer = _org_member(db, training.organisation_id, user_id, "trainer")
    if _position(db, TrainerPosition, training, user_id) is not None:
        return
    db.add(TrainerPosition(session_id=training.id or 0, user_id=user_id))
    db.add(
        Notification(
            user_id=user_id,
            organisation_id=training.organisation_id,
            kind="trainer_positioned",
            title=training.title,
            link=f"/sessions/{training.id}",
        )
    )
    trainer_positioned_email(db, training, trainer)
    _people_changed(db, actor, training, "position_trainer", after={"trainer": user_id})


def remove_trainer(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Take a trainer off the session.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The trainer.

    Raises:
        PlumeError: NOT_FOUND.
    """
    _remove_position(db, actor, session_id, TrainerPosition, user_id)


def enrol_learner(db: Session, actor: Actor, session_id: int, user_id: int, kind: str) -> None:
    """Enrol a learner of the organisation (mandatory, recommended or free).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The learner.
        kind: The enrolment type.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT or SESSION_FULL.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    if kind not in ENROLMENT_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    _org_member(db, training.organisation_id, user_id, "learner")
    row = db.exec(select(Enrolment).where(Enrolment.session_id == training.id, Enrolment.user_id == user_id)).first()
    if row is None:
        count = len(db.exec(select(Enrolment.id).where(Enrolment.session_id == training.id)).all())
        if training.max_participants is not None and count >= training.max_participants:
            raise PlumeError(ErrorCode.SESSION_FULL, max=str(training.max_participants))
        row = Enrolment(session_id=training.id or 0, user_id=user_id)
    row.kind = kind
    db.add(row)
    _people_changed(db, actor, training, "enrol", after={"learner": user_id, "kind": kind})


MAX_SELECTED = 200


def enrol_learners(db: Session, actor: Actor, session_id: int, user_ids: list[int], kind: str) -> int:
    """Enrol several learners of the organisation at once (a selection from the people list).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_ids: The learners (at most MAX_SELECTED); those already enrolled are left as they are.
        kind: The enrolment type.

    Returns:
        How many were enrolled.

    Raises:
        PlumeError: NOT_FOUND (someone not a learner of the organisation), INVALID_INPUT or SESSION_FULL.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    if kind not in ENROLMENT_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    wanted = sorted({u for u in user_ids if isinstance(u, int)})
    if not wanted or len(wanted) > MAX_SELECTED:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="learners")
    learners = set(
        db.exec(
            select(Membership.user_id).where(
                Membership.organisation_id == training.organisation_id,
                col(Membership.is_learner).is_(True),
                col(Membership.user_id).in_(wanted),
            )
        ).all()
    )
    if learners != set(wanted):
        raise PlumeError(ErrorCode.NOT_FOUND)
    already = set(
        db.exec(
            select(Enrolment.user_id).where(Enrolment.session_id == training.id, col(Enrolment.user_id).in_(wanted))
        ).all()
    )
    new = [u for u in wanted if u not in already]
    count = int(db.exec(select(func.count(col(Enrolment.id))).where(Enrolment.session_id == training.id)).one())
    if training.max_participants is not None and count + len(new) > training.max_participants:
        raise PlumeError(ErrorCode.SESSION_FULL, max=str(training.max_participants))
    db.add_all([Enrolment(session_id=training.id or 0, user_id=u, kind=kind) for u in new])
    if new:
        _people_changed(db, actor, training, "enrol_many", after={"learners": new, "kind": kind})
    return len(new)


def unenrol_learner(db: Session, actor: Actor, session_id: int, user_id: int, reason: str) -> None:
    """Remove a learner from the session; the reason stays in the session's history (the audit log).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The learner.
        reason: Why (up to 300 characters), kept with the record of the change.

    Raises:
        PlumeError: NOT_FOUND or REASON_REQUIRED.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    row = db.exec(select(Enrolment).where(Enrolment.session_id == training.id, Enrolment.user_id == user_id)).first()
    if row is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    why = " ".join(reason.split())[:300]
    if not why:
        raise PlumeError(ErrorCode.REASON_REQUIRED, field="reason")
    db.delete(row)
    _people_changed(db, actor, training, "unenrol", before={"learner": user_id, "kind": row.kind, "reason": why})


def unenrolment_history(db: Session, actor: Actor, session_id: int, *, limit: int = 20) -> list[tuple[str, str, str]]:
    """The session's last unenrolments: who left, when, and why.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        limit: At most this many, newest first.

    Returns:
        (learner's name, Paris date and time, reason) per unenrolment.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    return _left(db, training.id or 0, limit)


def _left(db: Session, session_id: int, limit: int = 20) -> list[tuple[str, str, str]]:
    """(name, Paris date and time, reason) of the session's last unenrolments, newest first (two queries)."""
    rows = db.exec(
        select(AuditRecord)
        .where(AuditRecord.action == "session.unenrol", AuditRecord.target == f"session:{session_id}")
        .order_by(col(AuditRecord.id).desc())
        .limit(limit)
    ).all()
    facts: list[tuple[object, str, str]] = []
    for row in rows:
        try:
            before = json.loads(row.before) if row.before else {}
        except ValueError:
            before = {}
        if not isinstance(before, dict):
            before = {}
        facts.append((before.get("learner"), paris_datetime_label(row.at), str(before.get("reason", ""))))
    ids = {learner for learner, _, _ in facts if isinstance(learner, int)}
    names = {u.id: u.display_name for u in db.exec(select(User).where(col(User.id).in_(ids))).all()} if ids else {}
    return [(names.get(learner, "?") if isinstance(learner, int) else "?", at, why) for learner, at, why in facts]


def position_tutor(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Give a tutor of the organisation the session to follow (its page, chat and tutoring centre).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The tutor.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    _org_member(db, training.organisation_id, user_id, "tutor")
    if _position(db, TutorPosition, training, user_id) is None:
        db.add(TutorPosition(session_id=training.id or 0, user_id=user_id))
        _people_changed(db, actor, training, "position_tutor", after={"tutor": user_id})


def remove_tutor(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Take a tutor off the session.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The tutor.

    Raises:
        PlumeError: NOT_FOUND.
    """
    _remove_position(db, actor, session_id, TutorPosition, user_id)
