from datetime import timedelta

import pytest
from sqlmodel import Session

from app.live import bus
from app.models import Activity, Membership, Module
from app.models.base import utcnow
from app.services import access, home, sessions
from app.services.errors import ErrorCode, PlumeError
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)


def _timeline(db: Session, session_id: int) -> list[Module]:
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


def _setup(db: Session):
    org, other = make_org(db), make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = home.paris_today()
    session = make_session(
        db, org, start=today, end=today + timedelta(days=2), trainers=(trainer,), learners=(learner,)
    )
    return org, other, trainer, learner, session


def test_members_see_the_session_and_others_get_not_found(db: Session) -> None:
    org, other, trainer, learner, session = _setup(db)
    sid = session.id or 0
    tutor = make_member(db, org, "tutor")
    assign_tutor(db, session, tutor)
    allowed = [make_staff(db, org), trainer, learner, tutor]
    refused = [
        make_staff(db, other),
        make_trainer(db, org),
        make_learner(db, org),
        make_learner(db, other),
        make_member(db, org, "tutor"),  # a tutor who does not follow this session
    ]
    for person in allowed:
        assert access.access_session(db, actor_for(db, person), sid)[0].id == sid
    for person in refused:
        with pytest.raises(PlumeError) as err:
            access.access_session(db, actor_for(db, person), sid)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as missing:
        access.access_session(db, actor_for(db, trainer), 999_999)
    assert missing.value.code == ErrorCode.NOT_FOUND


def test_learners_do_not_see_draft_sessions(db: Session) -> None:
    _org, _, _, learner, session = _setup(db)
    session.status = "draft"
    db.add(session)
    db.commit()
    with pytest.raises(PlumeError):
        access.access_session(db, actor_for(db, learner), session.id or 0)


def test_a_trainer_of_two_organisations_reaches_sessions_of_both(db: Session) -> None:
    _org, other, trainer, _, _session = _setup(db)
    db.add(Membership(user_id=trainer.id or 0, organisation_id=other.id or 0, is_trainer=True))
    db.commit()
    today = home.paris_today()
    elsewhere = make_session(db, other, start=today, end=today, trainers=(trainer,))
    actor = actor_for(db, trainer)
    assert access.access_session(db, actor, elsewhere.id or 0)[0].id == elsewhere.id


def test_timeline_is_ordered_by_phase_and_locked_for_learners_only(db: Session) -> None:
    _org, _, trainer, learner, session = _setup(db)
    _timeline(db, session.id or 0)
    learner_view = sessions.session_view(db, actor_for(db, learner), session.id or 0)
    assert [m.title for m in learner_view.modules] == ["Attentes", "Jour 1", "Jour 2", "Bilan"]
    locked = {m.title: m.locked for m in learner_view.modules}
    assert locked == {"Attentes": False, "Jour 1": False, "Jour 2": True, "Bilan": False}
    assert learner_view.modules[2].activities == []
    assert not learner_view.can_edit
    trainer_view = sessions.session_view(db, actor_for(db, trainer), session.id or 0)
    assert [a.title for a in trainer_view.modules[2].activities] == ["Supports"]
    assert not any(m.locked for m in trainer_view.modules)


def test_staff_move_a_module_within_its_phase_and_the_change_is_announced(db: Session) -> None:
    org, _, _trainer, _, session = _setup(db)
    modules = _timeline(db, session.id or 0)
    staff = actor_for(db, make_staff(db, org))
    received: list[tuple[str, dict]] = []
    dispatcher = lambda topic, event: received.append((topic, event))  # noqa: E731
    bus.install(dispatcher)
    try:
        sessions.move_module(db, staff, modules[2].id or 0, -1)
        db.commit()
    finally:
        bus.uninstall(dispatcher)
    titles = [m.title for m in sessions.ordered_modules(db, session.id or 0)]
    assert titles == ["Attentes", "Jour 2", "Jour 1", "Bilan"]
    assert received == [
        (f"session:{session.id}", {"type": "timeline", "op": "module_moved", "module_id": modules[2].id})
    ]
    sessions.move_module(db, staff, modules[0].id or 0, -1)  # already first of its phase: nothing moves
    assert [m.title for m in sessions.ordered_modules(db, session.id or 0)] == titles


def test_trainers_and_other_staff_cannot_move_modules(db: Session) -> None:
    org, other, trainer, _, session = _setup(db)
    modules = _timeline(db, session.id or 0)
    for person in (trainer, make_staff(db, other)):
        with pytest.raises(PlumeError) as err:
            sessions.move_module(db, actor_for(db, person), modules[2].id or 0, -1)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        sessions.move_module(db, actor_for(db, make_staff(db, org)), modules[2].id or 0, 5)
    assert [m.title for m in sessions.ordered_modules(db, session.id or 0)] == ["Attentes", "Jour 1", "Jour 2", "Bilan"]


def test_drag_and_drop_places_a_module_and_may_change_its_phase(db: Session) -> None:
    org, _, trainer, _, session = _setup(db)
    modules = _timeline(db, session.id or 0)
    staff = actor_for(db, make_staff(db, org))
    sessions.place_module(db, staff, modules[0].id or 0, modules[2].id or 0)
    db.commit()
    ordered = sessions.ordered_modules(db, session.id or 0)
    assert [(m.title, m.phase) for m in ordered] == [
        ("Jour 1", "during"),
        ("Jour 2", "during"),
        ("Attentes", "during"),
        ("Bilan", "after"),
    ]
    sessions.place_module(db, staff, modules[3].id or 0, modules[1].id or 0)
    db.commit()
    assert [m.title for m in sessions.ordered_modules(db, session.id or 0)] == ["Bilan", "Jour 1", "Jour 2", "Attentes"]
    with pytest.raises(PlumeError):
        sessions.place_module(db, actor_for(db, trainer), modules[0].id or 0, modules[1].id or 0)


def test_staff_position_and_remove_tutors(db: Session) -> None:
    org, other, _trainer, _learner, session = _setup(db)
    sid = session.id or 0
    staff = actor_for(db, make_staff(db, org))
    tutor = make_member(db, org, "tutor")
    outsider_tutor = make_member(db, other, "tutor")
    people = sessions.session_people(db, staff, sid)
    assert [p.user_id for p in people.tutor_choices] == [tutor.id] and people.tutors == []
    with pytest.raises(PlumeError):
        sessions.position_tutor(db, staff, sid, outsider_tutor.id or 0)
    sessions.position_tutor(db, staff, sid, tutor.id or 0)
    sessions.position_tutor(db, staff, sid, tutor.id or 0)  # again: harmless
    db.commit()
    assert [p.user_id for p in sessions.session_people(db, staff, sid).tutors] == [tutor.id]
    assert access.access_session(db, actor_for(db, tutor), sid)[1].tutor
    sessions.remove_tutor(db, staff, sid, tutor.id or 0)
    db.commit()
    with pytest.raises(PlumeError):
        access.access_session(db, actor_for(db, tutor), sid)
