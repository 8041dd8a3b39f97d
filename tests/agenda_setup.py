"""A trainer of two organisations with slots this week and next, built directly in a running server's database."""

from __future__ import annotations

import itertools
import time
from datetime import date, timedelta
from datetime import time as clock_time

from sqlmodel import Session, select

from app.clock import paris_instant
from app.models import Activity, Course, Membership, Module, Organisation, Slot, TrainerPosition, TrainingSession, User
from app.services.agenda_view import week_monday
from app.services.home import paris_today

_runs = itertools.count()


def _session(db: Session, org: Organisation, trainer: User, title: str, slots: list[tuple[date, int, str]]) -> None:
    course = Course(organisation_id=org.id or 0, title=f"Cours — {title}")
    db.add(course)
    db.flush()
    days = [day for day, _, _ in slots]
    training = TrainingSession(
        organisation_id=org.id or 0,
        course_id=course.id or 0,
        title=title,
        starts_on=week_monday(min(days)),  # whole weeks: staff may move a slot to another day of them
        ends_on=week_monday(max(days)) + timedelta(days=6),
        status="active",
        place="Lyon",
        availability_ends_on=max(days) + timedelta(days=60),
    )
    db.add(training)
    db.flush()
    db.add(TrainerPosition(session_id=training.id or 0, user_id=trainer.id or 0))
    module = Module(session_id=training.id, title="Pendant la formation", phase="during", position=0)
    db.add(module)
    db.flush()
    for day, hour, room in slots:
        activity = Activity(module_id=module.id or 0, kind="in_person", title=f"Journée du {day:%d/%m}")
        db.add(activity)
        db.flush()
        starts = paris_instant(day, clock_time(hour, 0))
        db.add(
            Slot(
                session_id=training.id or 0,
                activity_id=activity.id,
                starts_at=starts,
                ends_at=starts + timedelta(hours=3, minutes=30),
                room=room,
            )
        )


def trainer_of_two_organisations(server) -> tuple[str, date]:
    """A new trainer of Horizon Formation and L'Atelier des Compétences, with slots in both this week.

    Tuesday 09:00–12:30 (Paris) in Horizon Formation, Thursday 14:00–17:30 and next week's Wednesday
    09:00–12:30 in L'Atelier des Compétences.

    Args:
        server: The running Plume.

    Returns:
        The trainer's e-mail (demo password) and this week's Monday.
    """
    run = f"{int(time.time())}{next(_runs)}"
    monday = week_monday(paris_today())
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        atelier = db.exec(select(Organisation).where(Organisation.name == "L'Atelier des Compétences")).one()
        model = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        trainer = User(
            email=f"agenda{run}@demo.plume.test",
            first_name="Noé",
            last_name="Carpentier",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(trainer)
        db.flush()
        for org in (horizon, atelier):
            db.add(Membership(user_id=trainer.id or 0, organisation_id=org.id or 0, is_trainer=True))
        _session(db, horizon, trainer, "Prise de parole en public", [(monday + timedelta(days=1), 9, "Salle Lumière")])
        _session(
            db,
            atelier,
            trainer,
            "Gestion de projet agile",
            [(monday + timedelta(days=3), 14, "Salle Turing"), (monday + timedelta(days=9), 9, "Salle Turing")],
        )
        db.commit()
        return trainer.email, monday
