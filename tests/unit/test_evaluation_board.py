"""What the evaluation results page reads besides the engine: its live announcement and the grid's learners."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.live import bus
from app.live.contract import EvaluationAnswered, parse, session_topic
from app.models import Course
from app.services.db import session_scope
from app.services.errors import ErrorCode
from app.services.evaluations import attempts, grids, uses
from tests.unit.test_evaluations import NOW, _activity, _answer_all, _diagnostic, _questions, _refused, _world


@pytest.fixture
def received() -> Any:
    events: list[tuple[str, dict[str, Any]]] = []

    def dispatcher(topic: str, event: dict[str, Any]) -> None:
        events.append((topic, event))

    bus.install(dispatcher)
    yield events
    bus.uninstall(dispatcher)


def test_a_submission_is_announced_to_the_session_after_commit_without_a_name(db: Session, received: Any) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.trainer, activity, qid)
    learner = w.actors[0]
    attempts.start(db, learner, activity, now=NOW)
    _answer_all(db, learner, activity, _questions(db, qid), right=True)
    db.commit()
    received.clear()
    with session_scope() as tx:
        attempts.submit(tx, learner, activity, now=NOW)
        assert [e for _, e in received if e.get("type") == "evaluation"] == []  # not before the commit
    announced = [(topic, parse(e)) for topic, e in received if e.get("type") == "evaluation"]
    assert announced == [(session_topic(w.session.id or 0), EvaluationAnswered(activity_id=activity))]


def test_a_grid_lists_the_learners_with_how_much_is_judged(db: Session) -> None:
    w = _world(db)
    course = db.get(Course, w.session.course_id)
    assert course is not None
    course.objectives = "- Connaître les règles\n- Appliquer les gestes\n"
    db.add(course)
    db.commit()
    activity = _activity(db, w, "third_party_evaluation")
    grids.record_grid(
        db, w.trainer, activity, w.actors[1].user_id, [{"objective": "Connaître les règles", "level": "acquired"}]
    )
    lines = grids.grid_learners(db, w.staff, activity)
    assert [(line.user_id, line.judged, line.objectives) for line in lines] == [
        (u.id, 1 if u.id == w.actors[1].user_id else 0, 2) for u in w.learners
    ]
    for actor in (w.actors[0], w.idle_trainer, w.foreign_staff, w.outsider):
        _refused(ErrorCode.NOT_FOUND, grids.grid_learners, db, actor, activity)
    _refused(ErrorCode.NOT_FOUND, grids.grid_learners, db, w.trainer, _activity(db, w, "diagnostic"))
