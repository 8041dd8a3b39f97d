"""Who reaches a training session (the gate itself is `app.services.access`)."""

import pytest
from sqlmodel import Session

from app.models import Membership
from app.services import access, home
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, assign_tutor, make_learner, make_member, make_session, make_staff, make_trainer
from tests.sessions_setup import setup


def test_members_see_the_session_and_others_get_not_found(db: Session) -> None:
    org, other, trainer, learner, session = setup(db)
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
    _org, _, _, learner, session = setup(db)
    session.status = "draft"
    db.add(session)
    db.commit()
    with pytest.raises(PlumeError):
        access.access_session(db, actor_for(db, learner), session.id or 0)


def test_a_trainer_of_two_organisations_reaches_sessions_of_both(db: Session) -> None:
    _org, other, trainer, _, _session = setup(db)
    db.add(Membership(user_id=trainer.id or 0, organisation_id=other.id or 0, is_trainer=True))
    db.commit()
    today = home.paris_today()
    elsewhere = make_session(db, other, start=today, end=today, trainers=(trainer,))
    actor = actor_for(db, trainer)
    assert access.access_session(db, actor, elsewhere.id or 0)[0].id == elsewhere.id
