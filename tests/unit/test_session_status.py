"""Before staff confirm, finish or archive a session, the dialog says what will happen: counted here."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, func, select

from app.models import Activity, Enrolment, OutboxEmail, TrainingSession
from app.services import timeline
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.people import enrol_learner, position_trainer
from app.services.sessions.status import StatusChange, advance_status, status_change
from tests.factories import actor_for, make_learner, make_trainer
from tests.unit.test_catalogue_timeline import _session_with_people


def _emails(db: Session) -> int:
    return int(
        db.exec(select(func.count()).select_from(OutboxEmail).where(OutboxEmail.kind == "session_confirmation")).one()
    )


def test_the_dialog_counts_the_confirmation_emails_it_will_send_and_sends_nothing(db: Session) -> None:
    org, staff, session, trainer, learner = _session_with_people(db)
    sid = session.id or 0
    position_trainer(db, staff, sid, trainer.id or 0)
    learners = [learner, *(make_learner(db, org) for _ in range(7))]
    for person in learners:
        enrol_learner(db, staff, sid, person.id or 0, "mandatory")
    activity = db.exec(select(Activity).where(Activity.kind == "in_person").order_by(col(Activity.id))).all()[-1]
    timeline.schedule(db, staff, activity.id or 0, day=session.starts_on.isoformat(), half_day="morning")
    db.commit()
    asked = status_change(db, staff, sid, "active")
    assert asked == StatusChange(next_status="active", trainers=1, learners=8, slots=1)
    assert _emails(db) == 0 and db.get(TrainingSession, sid).status == "draft"  # type: ignore[union-attr]
    advance_status(db, staff, sid, "active")
    db.commit()
    assert _emails(db) == asked.trainers + asked.learners == 9  # what the dialog said is what left

    assert status_change(db, staff, sid, "finished") == StatusChange(
        next_status="finished", trainers=0, learners=8, slots=1
    )
    advance_status(db, staff, sid, "finished")
    assert status_change(db, staff, sid, "archived").learners == 8


def test_a_trainer_also_enrolled_gets_one_email_counted_once(db: Session) -> None:
    _org, staff, session, trainer, _ = _session_with_people(db)
    sid = session.id or 0
    position_trainer(db, staff, sid, trainer.id or 0)
    db.add(Enrolment(session_id=sid, user_id=trainer.id or 0))  # as data migrated from elsewhere may hold
    db.commit()
    activity = db.exec(select(Activity).where(Activity.kind == "in_person").order_by(col(Activity.id))).all()[-1]
    with pytest.raises(PlumeError) as err:
        status_change(db, staff, sid, "active")
    assert err.value.code == ErrorCode.NO_SLOTS  # said before any dialog, as confirming would refuse
    timeline.schedule(db, staff, activity.id or 0, day=session.starts_on.isoformat(), half_day="morning")
    assert status_change(db, staff, sid, "active") == StatusChange(
        next_status="active", trainers=1, learners=0, slots=1
    )


def test_only_staff_and_only_the_next_step_may_be_asked(db: Session) -> None:
    org, staff, session, trainer, _ = _session_with_people(db)
    sid = session.id or 0
    for to in ("finished", "archived", "draft", "nonsense"):
        with pytest.raises(PlumeError) as err:
            status_change(db, staff, sid, to)
        assert err.value.code == ErrorCode.STATUS_CHANGE
    position_trainer(db, staff, sid, trainer.id or 0)
    db.commit()
    for actor in (actor_for(db, trainer), actor_for(db, make_trainer(db, org))):
        with pytest.raises(PlumeError) as err:
            status_change(db, actor, sid, "active")
        assert err.value.code == ErrorCode.NOT_FOUND
