"""Who is on a session: staff positioning tutors (`app.services.sessions.people`)."""

import pytest
from sqlmodel import Session

from app.services import access
from app.services.errors import PlumeError
from app.services.sessions.people import position_tutor, remove_tutor, session_people
from tests.factories import actor_for, make_member, make_staff
from tests.sessions_setup import setup


def test_staff_position_and_remove_tutors(db: Session) -> None:
    org, other, _trainer, _learner, session = setup(db)
    sid = session.id or 0
    staff = actor_for(db, make_staff(db, org))
    tutor = make_member(db, org, "tutor")
    outsider_tutor = make_member(db, other, "tutor")
    people = session_people(db, staff, sid)
    assert [p.user_id for p in people.tutor_choices] == [tutor.id] and people.tutors == []
    with pytest.raises(PlumeError):
        position_tutor(db, staff, sid, outsider_tutor.id or 0)
    position_tutor(db, staff, sid, tutor.id or 0)
    position_tutor(db, staff, sid, tutor.id or 0)  # again: harmless
    db.commit()
    assert [p.user_id for p in session_people(db, staff, sid).tutors] == [tutor.id]
    assert access.access_session(db, actor_for(db, tutor), sid)[1].tutor
    remove_tutor(db, staff, sid, tutor.id or 0)
    db.commit()
    with pytest.raises(PlumeError):
        access.access_session(db, actor_for(db, tutor), sid)


def test_staff_enrol_a_selection_and_unenrol_with_a_reason(db: Session) -> None:
    from app.services.errors import ErrorCode
    from app.services.sessions.people import enrol_learners, unenrol_learner, unenrolment_history
    from tests.factories import make_learner

    org, other, _trainer, learner, session = setup(db)
    sid = session.id or 0
    staff = actor_for(db, make_staff(db, org))
    picked = [make_learner(db, org, first_name="Zoé", last_name=f"Choisie{i}") for i in range(3)]
    ids = [p.id or 0 for p in picked]
    with pytest.raises(PlumeError):  # a learner of another organisation cannot be slipped in
        enrol_learners(db, staff, sid, [*ids, make_learner(db, other).id or 0], "free")
    assert enrol_learners(db, staff, sid, [*ids, learner.id or 0], "recommended") == 3
    db.commit()
    assert enrol_learners(db, staff, sid, ids, "recommended") == 0  # again: nothing new
    people = session_people(db, staff, sid)
    assert {p.user_id for p in people.learners} >= set(ids) and people.learner_count == 4
    assert {p.detail for p in people.learners if p.user_id in ids} == {"recommended"}
    unenrol_learner(db, staff, sid, ids[0], "  Mutation   en cours d'année ")
    db.commit()
    assert [(name, reason) for name, _at, reason in unenrolment_history(db, staff, sid)] == [
        ("Zoé Choisie0", "Mutation en cours d'année")
    ]
    session.max_participants = 3
    db.add(session)
    db.commit()
    with pytest.raises(PlumeError) as err:
        enrol_learners(db, staff, sid, [ids[0]], "free")
    assert err.value.code == ErrorCode.SESSION_FULL
