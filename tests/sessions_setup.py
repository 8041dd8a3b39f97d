"""A session with trainers, a learner and a four-module timeline, shared by the session services' tests."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.models import Activity, Module, Organisation, TrainingSession, User
from app.models.base import utcnow
from app.services import home
from tests.factories import make_learner, make_org, make_session, make_trainer


def timeline(db: Session, session_id: int) -> list[Module]:
    modules = [
        Module(session_id=session_id, title="Attentes", phase="before", position=0),
        Module(session_id=session_id, title="Jour 1", phase="during", position=1),
        Module(
            session_id=session_id,
            title="Jour 2",
            phase="during",
            position=2,
            opening_rule="date",
            opens_at=utcnow() + timedelta(days=3),
        ),
        Module(session_id=session_id, title="Bilan", phase="after", position=3),
    ]
    db.add_all(modules)
    db.flush()
    db.add(Activity(module_id=modules[1].id or 0, kind="in_person", title="Journée en salle"))
    db.add(Activity(module_id=modules[2].id or 0, kind="document", title="Supports"))
    db.commit()
    return modules


def setup(db: Session) -> tuple[Organisation, Organisation, User, User, TrainingSession]:
    org, other = make_org(db), make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = home.paris_today()
    session = make_session(
        db, org, start=today, end=today + timedelta(days=2), trainers=(trainer,), learners=(learner,)
    )
    return org, other, trainer, learner, session
