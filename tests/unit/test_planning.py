"""Progressive planning: hours planned against hours to plan, who may plan a session's slots, a new séance."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, col, select

from app.models import Activity, AuditRecord, Module, Organisation, Slot, TrainerPosition, TrainingSession
from app.services import planning, rooms, timeline
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.planning import PlanningSession
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer
from tests.querycount import count_queries

MONDAY = date(2026, 12, 7)
FRIDAY = date(2026, 12, 11)


def _activity(db: Session, module: Module, kind: str, title: str) -> Activity:
    activity = Activity(module_id=module.id or 0, kind=kind, title=title, position=0)
    db.add(activity)
    db.commit()
    return activity


def _world(db: Session, *, allowed: bool = True):  # a tuple of test objects
    org = make_org(db)
    org.trainers_plan_slots = allowed
    db.add(org)
    staff = actor_for(db, make_staff(db, org))
    trainer = make_trainer(db, org)
    learner = make_learner(db, org)
    training = make_session(db, org, start=MONDAY, end=FRIDAY, trainers=(trainer,), learners=(learner,))
    training.hours_to_plan = 21
    db.add(training)
    module = Module(session_id=training.id, title="Semaine 1", position=0)
    db.add(module)
    db.commit()
    workshop = _activity(db, module, "in_person", "Atelier tableur")
    remote = _activity(db, module, "virtual_class", "Classe du mardi")
    _activity(db, module, "quiz", "Quiz")  # not a séance: never listed, never counted
    return org, staff, actor_for(db, trainer), actor_for(db, learner), training, module, workshop, remote


def _mine(db: Session, actor: Actor, training: TrainingSession) -> PlanningSession:
    return next(p for p in planning.to_plan(db, actor) if p.session_id == training.id)


def test_hours_planned_are_the_seances_slot_durations_against_the_hours_to_plan(db: Session) -> None:
    _, staff, trainer, _, training, _, workshop, remote = _world(db)
    before = _mine(db, trainer, training)
    assert (before.planned_hours, before.hours_to_plan, before.remaining_hours, before.percent) == (0, 21, 21, 0)
    assert [(u.title, u.kind, u.module_title) for u in before.unplanned] == [
        ("Atelier tableur", "in_person", "Semaine 1"),
        ("Classe du mardi", "virtual_class", "Semaine 1"),
    ]
    assert before.may_plan and [m.title for m in before.modules] == ["Semaine 1"] and not before.done
    timeline.schedule(db, staff, workshop.id or 0, day=MONDAY.isoformat(), half_day="morning")  # 3 h 30
    timeline.schedule(db, staff, remote.id or 0, day="2026-12-08", start="10:00", end="11:45")  # 1 h 45
    db.commit()
    after = _mine(db, trainer, training)
    assert (after.planned_hours, after.remaining_hours, after.planned_text, after.remaining_text) == (
        5.25,
        15.75,
        "5,25",
        "15,75",
    )
    assert (after.percent, after.unplanned, after.done) == (25, [], False)
    training.hours_to_plan = 5.25
    db.add(training)
    db.commit()
    assert _mine(db, trainer, training).done


def test_a_session_with_nothing_to_plan_is_not_listed_and_the_list_costs_a_few_queries(db: Session) -> None:
    org, _, trainer, _, training, *_ = _world(db)
    trainer_user_id = trainer.user_id
    quiet = make_session(db, org, start=MONDAY, end=FRIDAY)
    finished = make_session(db, org, start=MONDAY, end=FRIDAY, status="finished")
    for extra in (quiet, finished):
        _position(db, extra, trainer_user_id)
    finished.hours_to_plan = 10
    db.add(finished)
    db.commit()
    assert [p.session_id for p in planning.to_plan(db, trainer)] == [training.id]
    for _ in range(5):  # more sessions to plan, the same number of queries
        more = make_session(db, org, start=MONDAY, end=FRIDAY)
        more.hours_to_plan = 7
        _position(db, more, trainer_user_id)
        db.add(Module(session_id=more.id, title="Jour", position=0))
        db.commit()
    with count_queries(db.get_bind()) as counted:  # type: ignore[arg-type]
        assert len(planning.to_plan(db, trainer)) == 6
    assert counted.count <= 6, counted.report()


def _position(db: Session, training: TrainingSession, user_id: int) -> None:
    db.add(TrainerPosition(session_id=training.id or 0, user_id=user_id))
    db.commit()


def test_a_trainer_plans_where_the_organisation_allows_and_the_audit_names_them(db: Session) -> None:
    _, _, trainer, _, training, _, workshop, _ = _world(db)
    slot = timeline.schedule(db, trainer, workshop.id or 0, day=MONDAY.isoformat(), half_day="afternoon")
    db.commit()
    assert slot.session_id == training.id
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "timeline.schedule")).one()
    assert record.actor_user_id == trainer.user_id


def test_a_trainer_is_refused_when_the_organisation_does_not_allow_it(db: Session) -> None:
    _, _, trainer, _, training, module, workshop, _ = _world(db, allowed=False)
    assert not _mine(db, trainer, training).may_plan
    assert _mine(db, trainer, training).modules == []
    with pytest.raises(PlumeError) as refused:
        timeline.schedule(db, trainer, workshop.id or 0, day=MONDAY.isoformat(), half_day="morning")
    assert refused.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as refused:
        timeline.add_and_schedule(
            db, trainer, module.id or 0, kind="in_person", title="Séance", day=MONDAY.isoformat(), half_day="morning"
        )
    assert refused.value.code == ErrorCode.NOT_FOUND


def test_a_trainer_of_another_session_and_a_learner_are_refused(db: Session) -> None:
    org, _, _, learner, _, module, workshop, _ = _world(db)
    other_trainer = make_trainer(db, org)
    make_session(db, org, start=MONDAY, end=FRIDAY, trainers=(other_trainer,))
    stranger = actor_for(db, other_trainer)
    for actor in (stranger, learner):
        with pytest.raises(PlumeError) as refused:
            timeline.schedule(db, actor, workshop.id or 0, day=MONDAY.isoformat(), half_day="morning")
        assert refused.value.code == ErrorCode.NOT_FOUND
        with pytest.raises(PlumeError) as refused:
            timeline.add_and_schedule(
                db, actor, module.id or 0, kind="in_person", title="X", day=MONDAY.isoformat(), half_day="morning"
            )
        assert refused.value.code == ErrorCode.NOT_FOUND
    assert planning.to_plan(db, learner) == []  # a learner's agenda has nothing to plan
    assert db.exec(select(Slot)).all() == []


def test_other_timeline_edits_stay_staff_only_for_a_planning_trainer(db: Session) -> None:
    _, _, trainer, _, _, module, workshop, _ = _world(db)
    with pytest.raises(PlumeError):
        timeline.add_activity(db, trainer, module.id or 0, kind="in_person", title="Séance")
    with pytest.raises(PlumeError):
        timeline.rename_activity(db, trainer, workshop.id or 0, "Autre")
    with pytest.raises(PlumeError):
        timeline.set_opening_rule(db, trainer, module.id or 0, "always")


def test_a_planning_warning_leaves_nothing_half_written(db: Session) -> None:
    _, _, trainer, _, training, module, _, _ = _world(db)
    count = len(db.exec(select(Activity)).all())
    saturday = "2026-12-12"
    training.ends_on = date(2026, 12, 13)
    db.add(training)
    db.commit()
    with pytest.raises(PlumeError) as warned:
        timeline.add_and_schedule(
            db, trainer, module.id or 0, kind="in_person", title="Séance du samedi", day=saturday, half_day="morning"
        )
    assert (warned.value.code, warned.value.field) == (ErrorCode.PLANNING_WARNING, "confirmed")
    db.rollback()  # what `run_db` does with an error
    assert len(db.exec(select(Activity)).all()) == count
    assert db.exec(select(Slot)).all() == []
    slot = timeline.add_and_schedule(
        db,
        trainer,
        module.id or 0,
        kind="in_person",
        title="Séance du samedi",
        day=saturday,
        half_day="morning",
        confirmed=True,
    )
    db.commit()
    added = db.get(Activity, slot.activity_id)
    assert added is not None and (added.title, added.kind, added.module_id) == (
        "Séance du samedi",
        "in_person",
        module.id,
    )
    assert _mine(db, trainer, training).planned_hours == 3.5


def test_a_new_virtual_class_is_added_and_scheduled_at_once_and_a_bad_one_adds_nothing(db: Session) -> None:
    org, staff, trainer, _, training, module, _, _ = _world(db)
    rooms.add_room(db, staff, name="Salle Turing")
    db.commit()
    count = len(db.exec(select(Activity)).all())
    for fields, code in (
        ({"kind": "quiz", "title": "Quiz"}, ErrorCode.INVALID_INPUT),
        ({"kind": "virtual_class", "title": "  "}, ErrorCode.TITLE_REQUIRED),
        ({"kind": "virtual_class", "title": "Classe", "start": "11:00", "end": "10:00"}, ErrorCode.TIME_ORDER),
        (
            {"kind": "virtual_class", "title": "Classe", "start": "10:00", "end": "11:00", "day": "2027-03-01"},
            ErrorCode.SLOT_OUTSIDE_SESSION,
        ),
    ):
        values = {"day": "2026-12-09", **fields}
        with pytest.raises(PlumeError) as refused:
            timeline.add_and_schedule(db, trainer, module.id or 0, **values)  # type: ignore[arg-type]
        assert refused.value.code == code
        db.rollback()
    assert len(db.exec(select(Activity)).all()) == count
    slot = timeline.add_and_schedule(
        db, trainer, module.id or 0, kind="virtual_class", title="Classe", day="2026-12-09", start="10:00", end="11:00"
    )
    db.commit()
    assert slot.session_id == training.id and slot.activity_id is not None
    in_person = timeline.add_and_schedule(
        db,
        trainer,
        module.id or 0,
        kind="in_person",
        title="Atelier",
        day="2026-12-10",
        half_day="afternoon",
        room="salle turing",
    )
    db.commit()
    assert (in_person.room, in_person.room_id) == ("Salle Turing", rooms.list_rooms(db, staff)[0].id)
    assert "Salle Turing" in _mine(db, trainer, training).rooms
    actions = db.exec(select(AuditRecord.action).order_by(col(AuditRecord.id))).all()
    assert actions[-4:] == ["timeline.add_activity", "timeline.schedule"] * 2
    assert db.get(Organisation, org.id) is not None


def test_staff_set_the_hours_to_plan_with_a_comma_and_bad_input_is_refused(db: Session) -> None:
    _, staff, trainer, _, training, *_ = _world(db)
    assert planning.set_hours_to_plan(db, staff, training.id or 0, "10,5") == 10.5
    db.commit()
    assert planning.hours_to_plan_of(db, staff, training.id or 0) == "10,5"
    assert planning.set_hours_to_plan(db, staff, training.id or 0, " 7.25 ") == 7.25
    assert planning.set_hours_to_plan(db, staff, training.id or 0, "1000") == 1000
    assert planning.set_hours_to_plan(db, staff, training.id or 0, "") == 0
    for typed in ("-1", "1000,01", "1001", "2,555", "douze", "1e3", "12,"):
        with pytest.raises(PlumeError) as refused:
            planning.set_hours_to_plan(db, staff, training.id or 0, typed)
        assert (refused.value.code, refused.value.field) == (ErrorCode.HOURS_INVALID, "hours_to_plan"), typed
        db.rollback()
    with pytest.raises(PlumeError) as refused:
        planning.set_hours_to_plan(db, trainer, training.id or 0, "12")  # staff only
    assert refused.value.code == ErrorCode.NOT_FOUND
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "session.hours_to_plan")).first()
    assert record is not None and record.actor_user_id == staff.user_id
