"""The timeline a member sees on a session's page (`app.services.sessions.view`)."""

from sqlmodel import Session

from app.services.sessions.view import session_view
from tests.factories import actor_for
from tests.sessions_setup import setup, timeline


def test_timeline_is_ordered_by_phase_and_locked_for_learners_only(db: Session) -> None:
    _org, _, trainer, learner, session = setup(db)
    timeline(db, session.id or 0)
    learner_view = session_view(db, actor_for(db, learner), session.id or 0)
    assert [m.title for m in learner_view.modules] == ["Attentes", "Jour 1", "Jour 2", "Bilan"]
    locked = {m.title: m.locked for m in learner_view.modules}
    assert locked == {"Attentes": False, "Jour 1": False, "Jour 2": True, "Bilan": False}
    assert learner_view.modules[2].activities == []
    assert not learner_view.can_edit
    trainer_view = session_view(db, actor_for(db, trainer), session.id or 0)
    assert [a.title for a in trainer_view.modules[2].activities] == ["Supports"]
    assert not any(m.locked for m in trainer_view.modules)
