"""A person's agenda: the slots of the sessions they train or learn in, across organisations, through the gate."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select

from app.models import Activity, Membership, Module, Slot, TrainingSession, User
from app.services import agenda
from tests.factories import make_learner, make_org, make_session, make_staff, make_trainer

DAY = date(2026, 12, 7)
WEEK = (datetime(2026, 12, 6, 23, tzinfo=UTC), datetime(2026, 12, 13, 23, tzinfo=UTC))  # Paris Monday to Monday


def _slot(db: Session, training: TrainingSession, starts: datetime, *, invitees: list[int] | None = None) -> Slot:
    module = Module(session_id=training.id, title="Jour", position=0)
    db.add(module)
    db.flush()
    settings = {"invitees": invitees} if invitees is not None else {}
    kind = "in_person" if invitees is None else "virtual_class"  # a class may be for some learners only
    activity = Activity(module_id=module.id or 0, kind=kind, title="Atelier", settings_json=json.dumps(settings))
    db.add(activity)
    db.flush()
    slot = Slot(
        session_id=training.id or 0, activity_id=activity.id, starts_at=starts, ends_at=starts + timedelta(hours=3)
    )
    db.add(slot)
    db.commit()
    return slot


def _join(db: Session, user: User, org_id: int, role: str) -> None:
    membership = Membership(user_id=user.id or 0, organisation_id=org_id)
    setattr(membership, f"is_{role}", True)
    db.add(membership)
    db.commit()


def _ids(db: Session, user: User, window=WEEK) -> list[int]:
    return [s.slot_id for s in agenda.person_slots(db, user.id or 0, starts=window[0], ends=window[1])]


def test_a_trainer_sees_the_slots_of_every_organisation_they_train_for(db: Session) -> None:
    first, second = make_org(db, "Alpha"), make_org(db, "Beta")
    trainer = make_trainer(db, first)
    _join(db, trainer, second.id or 0, "trainer")
    mine_a = make_session(db, first, start=DAY, end=DAY, trainers=(trainer,))
    mine_b = make_session(db, second, start=DAY, end=DAY, trainers=(trainer,))
    other = make_session(db, first, start=DAY, end=DAY, trainers=(make_trainer(db, first),))
    late = _slot(db, mine_b, datetime(2026, 12, 8, 13, tzinfo=UTC))
    early = _slot(db, mine_a, datetime(2026, 12, 7, 8, tzinfo=UTC))
    _slot(db, other, datetime(2026, 12, 7, 8, tzinfo=UTC))
    _slot(db, mine_a, datetime(2026, 12, 14, 8, tzinfo=UTC))  # the next week

    slots = agenda.person_slots(db, trainer.id or 0, starts=WEEK[0], ends=WEEK[1])
    assert [s.slot_id for s in slots] == [early.id, late.id]
    assert [s.organisation_name for s in slots] == ["Alpha", "Beta"]


def test_staff_and_lost_roles_do_not_fill_an_agenda(db: Session) -> None:
    org = make_org(db)
    staff = make_staff(db, org)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=DAY, end=DAY, trainers=(trainer,))
    _slot(db, training, datetime(2026, 12, 7, 8, tzinfo=UTC))
    assert _ids(db, staff) == []  # staff see every session, but attend none
    assert len(_ids(db, trainer)) == 1
    membership = db.exec(select(Membership).where(Membership.user_id == trainer.id)).one()
    membership.is_trainer = False
    db.add(membership)
    db.commit()
    assert _ids(db, trainer) == []  # no longer a trainer of that organisation: its slots leave the agenda


def test_a_learner_sees_their_own_activities_and_no_draft(db: Session) -> None:
    org = make_org(db)
    learner, classmate = make_learner(db, org), make_learner(db, org)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=DAY, end=DAY, trainers=(trainer,), learners=(learner, classmate))
    everyone = _slot(db, training, datetime(2026, 12, 7, 8, tzinfo=UTC))
    theirs = _slot(db, training, datetime(2026, 12, 8, 8, tzinfo=UTC), invitees=[classmate.id or 0])
    draft = make_session(db, org, start=DAY, end=DAY, status="draft", learners=(learner,))
    _slot(db, draft, datetime(2026, 12, 9, 8, tzinfo=UTC))
    assert _ids(db, learner) == [everyone.id]
    assert _ids(db, classmate) == [everyone.id, theirs.id]
    assert _ids(db, trainer) == [everyone.id, theirs.id]  # a trainer sees every activity of their session


def test_a_slot_overlapping_the_range_edge_is_in_it(db: Session) -> None:
    org = make_org(db)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=DAY, end=DAY, trainers=(trainer,))
    across = _slot(db, training, WEEK[0] - timedelta(hours=1))  # starts before the range, ends inside it
    _slot(db, training, WEEK[1])  # starts where the range ends: not in it
    assert _ids(db, trainer) == [across.id]


def test_an_open_agenda_follows_every_session_still_running_not_only_those_on_screen(db: Session) -> None:
    org = make_org(db)
    learner = make_learner(db, org)
    current = make_session(db, org, start=DAY, end=DAY + timedelta(days=30), learners=(learner,))
    later = make_session(db, org, start=DAY + timedelta(days=60), end=DAY + timedelta(days=61), learners=(learner,))
    make_session(db, org, start=DAY - timedelta(days=30), end=DAY - timedelta(days=1), learners=(learner,))  # over
    make_session(db, org, start=DAY, end=DAY, learners=(make_learner(db, org),))  # someone else's
    assert agenda.sessions_from(db, learner.id or 0, since=DAY) == [current.id, later.id]
