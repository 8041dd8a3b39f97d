"""A session's modules in timeline order, and staff reordering them (`app.services.sessions.modules`)."""

import pytest
from sqlmodel import Session

from app.live import bus
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.modules import move_module, ordered_modules, place_module
from tests.factories import actor_for, make_staff
from tests.sessions_setup import setup, timeline


def test_staff_move_a_module_within_its_phase_and_the_change_is_announced(db: Session) -> None:
    org, _, _trainer, _, session = setup(db)
    modules = timeline(db, session.id or 0)
    staff = actor_for(db, make_staff(db, org))
    received: list[tuple[str, dict]] = []
    dispatcher = lambda topic, event: received.append((topic, event))  # noqa: E731
    bus.install(dispatcher)
    try:
        move_module(db, staff, modules[2].id or 0, -1)
        db.commit()
    finally:
        bus.uninstall(dispatcher)
    titles = [m.title for m in ordered_modules(db, session.id or 0)]
    assert titles == ["Attentes", "Jour 2", "Jour 1", "Bilan"]
    assert received == [
        (f"session:{session.id}", {"type": "timeline", "op": "module_moved", "module_id": modules[2].id})
    ]
    move_module(db, staff, modules[0].id or 0, -1)  # already first of its phase: nothing moves
    assert [m.title for m in ordered_modules(db, session.id or 0)] == titles


def test_trainers_and_other_staff_cannot_move_modules(db: Session) -> None:
    org, other, trainer, _, session = setup(db)
    modules = timeline(db, session.id or 0)
    for person in (trainer, make_staff(db, other)):
        with pytest.raises(PlumeError) as err:
            move_module(db, actor_for(db, person), modules[2].id or 0, -1)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        move_module(db, actor_for(db, make_staff(db, org)), modules[2].id or 0, 5)
    assert [m.title for m in ordered_modules(db, session.id or 0)] == ["Attentes", "Jour 1", "Jour 2", "Bilan"]


def test_drag_and_drop_places_a_module_and_may_change_its_phase(db: Session) -> None:
    org, _, trainer, _, session = setup(db)
    modules = timeline(db, session.id or 0)
    staff = actor_for(db, make_staff(db, org))
    place_module(db, staff, modules[0].id or 0, modules[2].id or 0)
    db.commit()
    ordered = ordered_modules(db, session.id or 0)
    assert [(m.title, m.phase) for m in ordered] == [
        ("Jour 1", "during"),
        ("Jour 2", "during"),
        ("Attentes", "during"),
        ("Bilan", "after"),
    ]
    place_module(db, staff, modules[3].id or 0, modules[1].id or 0)
    db.commit()
    assert [m.title for m in ordered_modules(db, session.id or 0)] == ["Bilan", "Jour 1", "Jour 2", "Attentes"]
    with pytest.raises(PlumeError):
        place_module(db, actor_for(db, trainer), modules[0].id or 0, modules[1].id or 0)
