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
