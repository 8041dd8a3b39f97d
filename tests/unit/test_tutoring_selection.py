"""A bulk action of the tutoring centre reaches the selected learners the filter and search show, no one else."""

import pytest
from sqlmodel import Session, select

from app.models import Enrolment
from app.services import tutoring
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, make_member, make_org
from tests.unit import test_tutoring as base


def test_the_bulk_target_is_the_selection_intersected_with_the_filter(db: Session) -> None:
    w = base._world(db)
    sid = w.session.id or 0
    ids = {key: user.id or 0 for key, user in w.people.items()}
    everyone = set(tutoring.learner_keys(db, w.tutor, sid))  # "select all pages" under "Toutes"
    assert len(everyone) == 5

    # Switched to "Recommandées": only Martin is shown, so only Martin is reached.
    assert tutoring.shown_selection(db, w.tutor, sid, everyone, kind="recommended") == {sid: [ids["martin"]]}
    mandatory = tutoring.shown_selection(db, w.tutor, sid, everyone, kind="mandatory")
    assert mandatory == {sid: [ids["aubert"], ids["petit"], ids["zola"]]}
    # The search narrows it the same way as the list.
    assert tutoring.shown_selection(db, w.tutor, sid, everyone, kind="mandatory", query="zaza") == {sid: [ids["petit"]]}
    assert tutoring.shown_selection(db, w.tutor, sid, everyone, query="nobody") == {}
    # Ids outside the filter, or of another session, or made up, reach nobody.
    forged = {(sid, ids["zola"]), (sid, 999_999), (sid + 1, ids["martin"]), (999_999, ids["martin"])}
    assert tutoring.shown_selection(db, w.tutor, sid, forged, kind="recommended") == {}
    assert tutoring.shown_selection(db, w.tutor, sid, forged) == {sid: [ids["zola"]]}
    assert tutoring.shown_selection(db, w.tutor, sid, set()) == {}


def test_a_learner_whose_enrolment_changed_since_the_selection_leaves_the_target(db: Session) -> None:
    w = base._world(db)
    sid = w.session.id or 0
    ids = {key: user.id or 0 for key, user in w.people.items()}
    selected = set(tutoring.learner_keys(db, w.tutor, sid, kind="mandatory"))
    enrolment = db.exec(select(Enrolment).where(Enrolment.session_id == sid, Enrolment.user_id == ids["zola"])).one()
    enrolment.kind = "free"
    db.add(enrolment)
    db.commit()
    assert tutoring.shown_selection(db, w.tutor, sid, selected, kind="mandatory") == {
        sid: [ids["aubert"], ids["petit"]]
    }


def test_the_target_keeps_the_centres_gate_and_controls(db: Session) -> None:
    w = base._world(db)
    sid = w.session.id or 0
    everyone = set(tutoring.learner_keys(db, w.tutor, sid))
    stranger = actor_for(db, make_member(db, make_org(db), "tutor"))
    with pytest.raises(PlumeError) as err:
        tutoring.shown_selection(db, stranger, sid, everyone)
    assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:
        tutoring.shown_selection(db, w.tutor, sid, everyone, kind="optional")
    assert err.value.code == ErrorCode.INVALID_INPUT
