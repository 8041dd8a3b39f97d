"""A session with a slot open for signing now, built directly in a running server's database."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlmodel import Session, select

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
from app.services.home import paris_today


def live_slot(
    db: Session,
    *,
    title: str,
    learners: list[str],
    trainer: str = "",
    kind: str = "in_person",
    starts_in: timedelta = timedelta(minutes=-5),
    link: str = "",
) -> tuple[int, int]:
    """Create an active session of Horizon Formation with one slot (in person or virtual).

    Args:
        db: The server's database.
        title: The session's (unique) title.
        learners: E-mails of the learners to enrol.
        trainer: E-mail of its trainer; by default a new trainer, Inès Garnier, with the demo password
            (so other tests' views of the demo trainer do not change).
        kind: in_person or virtual_class.
        starts_in: When the slot starts, from now.
        link: The virtual class link.

    Returns:
        (session id, slot id); the new trainer's e-mail is `trainer_email(session id)`.
    """
    org = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
    course = Course(organisation_id=org.id or 0, title=f"Cours — {title}")
    db.add(course)
    db.flush()
    today = paris_today()
    session = TrainingSession(
        organisation_id=org.id or 0,
        course_id=course.id or 0,
        title=title,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=1),
        status="active",
        availability_ends_on=today + timedelta(days=60),
    )
    db.add(session)
    db.flush()
    if trainer:
        teacher = db.exec(select(User).where(User.email == trainer)).one()
    else:
        model = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        teacher = User(
            email=trainer_email(session.id or 0),
            first_name="Inès",
            last_name="Garnier",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(teacher)
        db.flush()
        db.add(Membership(user_id=teacher.id or 0, organisation_id=org.id or 0, is_trainer=True))
    db.add(TrainerPosition(session_id=session.id or 0, user_id=teacher.id or 0))
    for email in learners:
        user = db.exec(select(User).where(User.email == email)).one()
        db.add(Enrolment(session_id=session.id or 0, user_id=user.id or 0))
    module = Module(session_id=session.id, title="Pendant la formation", phase="during", position=0)
    db.add(module)
    db.flush()
    name = "Séance du matin" if kind == "in_person" else "Classe virtuelle — atelier"
    activity = Activity(
        module_id=module.id or 0, kind=kind, title=name, settings_json=json.dumps({"link": link} if link else {})
    )
    db.add(activity)
    db.flush()
    start = utcnow() + starts_in
    slot = Slot(
        session_id=session.id or 0,
        activity_id=activity.id,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        room="Salle Lumière" if kind == "in_person" else "",
    )
    db.add(slot)
    db.commit()
    return session.id or 0, slot.id or 0


def trainer_email(session_id: int) -> str:
    """The e-mail of the trainer `live_slot` creates for a session.

    Args:
        session_id: The session.

    Returns:
        The e-mail.
    """
    return f"formatrice{session_id}@demo.plume.test"
