"""What the evaluation results page reads besides the engine: its live announcement and the grid's learners."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import Session

from app.live import bus
from app.live.contract import EvaluationAnswered, followers_topic, parse
from app.models import Course
from app.services.db import session_scope
from app.services.errors import ErrorCode
from app.services.evaluations import attempts, grids, results, uses
from tests.unit.test_evaluations import NOW, _activity, _answer_all, _diagnostic, _hot, _questions, _refused, _world


@pytest.fixture
def received() -> Any:
    events: list[tuple[str, dict[str, Any]]] = []

    def dispatcher(topic: str, event: dict[str, Any]) -> None:
        events.append((topic, event))

    bus.install(dispatcher)
    yield events
    bus.uninstall(dispatcher)


def test_a_submission_is_announced_to_the_followers_after_commit_naming_whom_only_when_graded(
    db: Session, received: Any
) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.trainer, activity, qid)
    hot, _ = _hot(db, w)
    learner = w.actors[0]
    attempts.start(db, learner, activity, now=NOW)
    attempts.start(db, learner, hot, now=NOW)
    _answer_all(db, learner, activity, _questions(db, qid), right=True)
    db.commit()
    received.clear()
    with session_scope() as tx:
        attempts.submit(tx, learner, activity, now=NOW)
        assert [e for _, e in received if e.get("type") == "evaluation"] == []  # not before the commit
    with session_scope() as tx:
        attempts.submit(tx, learner, hot, now=NOW)
    announced = [(topic, parse(e)) for topic, e in received if e.get("type") == "evaluation"]
    followers = followers_topic(w.session.id or 0)
    assert announced == [
        (followers, EvaluationAnswered(activity_id=activity, user_id=learner.user_id)),  # the line to read again
        (followers, EvaluationAnswered(activity_id=hot, user_id=None)),  # anonymous: nobody named
    ]


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


def test_one_learners_line_is_the_same_as_in_the_whole_list(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.trainer, activity, qid)
    learner = w.actors[1]
    attempts.start(db, learner, activity, now=NOW)
    _answer_all(db, learner, activity, _questions(db, qid), right=False)
    attempts.submit(db, learner, activity, now=NOW)
    whole = {line.user_id: line for line in results.learner_results(db, w.trainer, activity)}
    assert results.learner_results(db, w.trainer, activity, learner.user_id) == [whole[learner.user_id]]
    assert results.learner_results(db, w.trainer, activity, w.outsider.user_id) == []  # not enrolled: no line
    _refused(ErrorCode.NOT_FOUND, results.learner_results, db, w.actors[0], activity, learner.user_id)
