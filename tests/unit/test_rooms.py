"""Rooms: staff keep the list; a slot is booked in a free room only; trainers move theirs where allowed."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlmodel import Session, select

from app.models import Activity, Module, Organisation, Slot
from app.services import access, rooms, timeline
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, make_org, make_session, make_staff, make_trainer

DAY = date(2026, 12, 8)  # a Tuesday


def _activity(db: Session, session_id: int) -> Activity:
    module = Module(session_id=session_id, title="Jour", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="in_person", title="Atelier")
    db.add(activity)
    db.commit()
    return activity


def _setup(db: Session):  # a tuple of test objects
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    trainer = make_trainer(db, org)
    first = make_session(db, org, start=DAY, end=DAY, trainers=(trainer,))
    second = make_session(db, org, start=DAY, end=DAY)
    rooms.add_room(db, staff, name="Salle Lumière", capacity="12")
    rooms.add_room(db, staff, name="Salle Turing")
    return org, staff, trainer, _activity(db, first.id or 0), _activity(db, second.id or 0)


def test_staff_keep_the_list_and_bad_names_are_refused(db: Session) -> None:
    _, staff, trainer, _, _ = _setup(db)
    assert [(r.name, r.capacity) for r in rooms.list_rooms(db, staff)] == [
        ("Salle Lumière", 12),
        ("Salle Turing", None),
    ]
    for fields, code, field in (
        ({"name": "  "}, ErrorCode.NAME_REQUIRED, "room_name"),
        ({"name": "salle turing"}, ErrorCode.ROOM_NAME_TAKEN, "room_name"),
        ({"name": "Amphi", "capacity": "0"}, ErrorCode.NUMBER_RANGE, "capacity"),
        ({"name": "Amphi", "capacity": "douze"}, ErrorCode.NUMBER_RANGE, "capacity"),
    ):
        with pytest.raises(PlumeError) as refused:
            rooms.add_room(db, staff, **fields)
        assert (refused.value.code, refused.value.field) == (code, field)
        db.rollback()
    with pytest.raises(PlumeError):
        rooms.list_rooms(db, actor_for(db, trainer))  # staff only
    other_staff = actor_for(db, make_staff(db, make_org(db)))
    room = rooms.list_rooms(db, staff)[0]
    with pytest.raises(PlumeError):
        rooms.remove_room(db, other_staff, room.id)  # another organisation's room looks missing


def test_a_room_is_never_booked_twice_at_once(db: Session) -> None:
    _, staff, _, first, second = _setup(db)
    timeline.schedule(db, staff, first.id or 0, day=DAY.isoformat(), half_day="morning", room="salle lumière")
    db.commit()
    slot = db.exec(select(Slot).where(Slot.activity_id == first.id)).one()
    assert (slot.room, slot.room_id is not None) == ("Salle Lumière", True)  # the list's name, booked
    with pytest.raises(PlumeError) as refused:
        timeline.schedule(db, staff, second.id or 0, day=DAY.isoformat(), half_day="morning", room="Salle Lumière")
    assert (refused.value.code, refused.value.field) == (ErrorCode.ROOM_BOOKED, "room")
    assert refused.value.params["session"]
    db.rollback()
    # The afternoon is free; a place typed freely is booked nowhere.
    timeline.schedule(db, staff, second.id or 0, day=DAY.isoformat(), half_day="afternoon", room="Salle Lumière")
    timeline.schedule(db, staff, first.id or 0, day=DAY.isoformat(), half_day="morning", room="Chez le client")
    db.commit()
    slot = db.exec(select(Slot).where(Slot.activity_id == first.id)).one()
    assert (slot.room, slot.room_id) == ("Chez le client", None)


def test_a_trainer_moves_their_slot_only_where_the_organisation_allows(db: Session) -> None:
    org, staff, trainer, first, second = _setup(db)
    timeline.schedule(db, staff, first.id or 0, day=DAY.isoformat(), half_day="morning", room="Salle Lumière")
    timeline.schedule(db, staff, second.id or 0, day=DAY.isoformat(), half_day="morning", room="Salle Turing")
    db.commit()
    mine = db.exec(select(Slot).where(Slot.activity_id == first.id)).one()
    theirs = db.exec(select(Slot).where(Slot.activity_id == second.id)).one()
    teacher = actor_for(db, trainer)
    with pytest.raises(PlumeError):
        rooms.room_choices(db, teacher, mine.id)  # not allowed yet
    organisation = db.get(Organisation, org.id)
    assert organisation is not None
    organisation.trainers_change_rooms = True
    db.add(organisation)
    db.commit()
    choices = {c.name: (c.free, c.current) for c in rooms.room_choices(db, teacher, mine.id)}
    assert choices == {"Salle Lumière": (True, True), "Salle Turing": (False, False)}
    turing = next(c.id for c in rooms.room_choices(db, teacher, mine.id) if c.name == "Salle Turing")
    with pytest.raises(PlumeError) as refused:
        rooms.move_slot(db, teacher, mine.id, turing)
    assert refused.value.code == ErrorCode.ROOM_BOOKED
    db.rollback()
    with pytest.raises(PlumeError):
        rooms.room_choices(db, teacher, theirs.id)  # a slot of a session they do not train in
    staff_rooms = rooms.list_rooms(db, staff)
    rooms.remove_room(db, staff, staff_rooms[1].id)  # Turing goes; its slot keeps the name, booked nowhere
    db.refresh(theirs)
    assert (theirs.room, theirs.room_id) == ("Salle Turing", None)
    moved = rooms.move_slot(db, teacher, mine.id, staff_rooms[0].id)
    assert moved.room == "Salle Lumière"


def test_two_bookings_of_the_last_free_room_at_once_give_it_to_one(db: Session) -> None:
    _, staff, _, first, second = _setup(db)
    engine = db.get_bind()
    results: list[str] = []
    barrier = threading.Barrier(2)

    def book(activity_id: int) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                timeline.schedule(own, staff, activity_id, day=DAY.isoformat(), half_day="morning", room="Salle Turing")
                own.commit()
                results.append("booked")
            except PlumeError as err:
                own.rollback()
                results.append(err.code.value)

    threads = [threading.Thread(target=book, args=(a.id or 0,)) for a in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["booked", "room_booked"]
    db.expire_all()
    booked = db.exec(select(Slot).where(Slot.room == "Salle Turing", Slot.room_id != None)).all()  # noqa: E711
    assert len(booked) == 1


def test_the_agendas_list_of_movable_sessions_is_the_gates_rule(db: Session) -> None:
    org, staff, trainer, first, second = _setup(db)
    timeline.schedule(db, staff, first.id or 0, day=DAY.isoformat(), half_day="morning")
    timeline.schedule(db, staff, second.id or 0, day=DAY.isoformat(), half_day="afternoon")
    db.commit()
    slots = db.exec(select(Slot)).all()
    people = [staff, actor_for(db, trainer), actor_for(db, make_trainer(db, org))]
    for allowed in (False, True):
        organisation = db.get(Organisation, org.id)
        assert organisation is not None
        organisation.trainers_change_rooms = allowed
        db.add(organisation)
        db.commit()
        for actor in people:
            listed = access.sessions_with_movable_rooms(db, actor, {s.session_id for s in slots})
            gate = set()
            for slot in slots:
                try:
                    access.access_slot_room(db, actor, slot.id)
                    gate.add(slot.session_id)
                except PlumeError:
                    pass
            assert listed == gate
