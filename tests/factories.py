"""Factories for tests: small, explicit, one per kind of row."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from sqlmodel import Session

from app.models import (
    Activity,
    Course,
    Enrolment,
    Membership,
    Module,
    Organisation,
    Slot,
    TrainerPosition,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.services.actor import Actor
from app.services.auth import open_session, resolve_actor
from app.services.crypto import hash_password

PASSWORD = "correct horse battery staple"  # test password
_counter = itertools.count(1)
_hash_cache: dict[str, str] = {}


def _pw(password: str) -> str:
    if password not in _hash_cache:
        _hash_cache[password] = hash_password(password)
    return _hash_cache[password]


def make_org(db: Session, name: str = "") -> Organisation:
    n = next(_counter)
    org = Organisation(name=name or f"Organisme {n}", slug=f"org-{n}")
    db.add(org)
    db.commit()
    return org


def make_user(db: Session, *, email: str = "", activated: bool = True, password: str = PASSWORD, **kw: object) -> User:
    n = next(_counter)
    user = User(
        email=email or f"person{n}@example.test",
        first_name=str(kw.pop("first_name", "Alex")),
        last_name=str(kw.pop("last_name", f"Test{n}")),
        password_hash=_pw(password),
        phone="+33612345678",
        phone_verified_at=utcnow() if activated else None,
        **kw,  # type: ignore[arg-type]
    )
    db.add(user)
    db.commit()
    return user


def make_member(db: Session, org: Organisation, *roles: str, email: str = "", **kw: object) -> User:
    user = make_user(db, email=email, **kw)
    membership = Membership(user_id=user.id or 0, organisation_id=org.id or 0)
    for role in roles:
        setattr(membership, f"is_{role}", True)
    db.add(membership)
    db.commit()
    return user


def make_staff(db: Session, org: Organisation, **kw: object) -> User:
    return make_member(db, org, "staff", **kw)


def make_trainer(db: Session, org: Organisation, **kw: object) -> User:
    return make_member(db, org, "trainer", **kw)


def make_learner(db: Session, org: Organisation, **kw: object) -> User:
    return make_member(db, org, "learner", **kw)


def actor_for(db: Session, user: User) -> Actor:
    """Open a session for a person and return its actor."""
    signed = open_session(db, user)
    db.commit()
    actor = resolve_actor(db, signed.token)
    assert actor is not None
    return actor


def make_session(
    db: Session,
    org: Organisation,
    *,
    start: date,
    end: date,
    status: str = "active",
    trainers: tuple[User, ...] = (),
    learners: tuple[User, ...] = (),
    availability: date | None = None,
) -> TrainingSession:
    course = Course(organisation_id=org.id or 0, title=f"Cours {next(_counter)}")
    db.add(course)
    db.flush()
    session = TrainingSession(
        organisation_id=org.id or 0,
        course_id=course.id or 0,
        title=course.title,
        starts_on=start,
        ends_on=end,
        status=status,
        availability_ends_on=availability or end + timedelta(days=60),
    )
    db.add(session)
    db.flush()
    for t in trainers:
        db.add(TrainerPosition(session_id=session.id or 0, user_id=t.id or 0))
    for learner in learners:
        db.add(Enrolment(session_id=session.id or 0, user_id=learner.id or 0))
    db.commit()
    return session


def make_slot(db: Session, session: TrainingSession) -> Slot:
    """An in-person half-day of a session, now (its module, its activity, its slot)."""
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="in_person", title="Séance")
    db.add(activity)
    db.flush()
    slot = Slot(session_id=session.id or 0, activity_id=activity.id, starts_at=utcnow(), ends_at=utcnow())
    db.add(slot)
    db.commit()
    return slot


def assign_tutor(db: Session, session: TrainingSession, tutor: User) -> None:
    """Give a tutor a session to follow."""
    from app.models import TutorPosition

    db.add(TutorPosition(session_id=session.id or 0, user_id=tutor.id or 0))
    db.commit()
