"""Learners' progress inside activities: attempts, measured time, completions, the tutor's statistics edits."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.models import Activity, ActivityCompletion, AuditRecord, Enrolment, Module, TrainingSession, User
from app.models.base import utcnow
from app.models.progress import LessonAttempt, LessonProgress
from app.services import activities, progress, tutoring
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, assign_tutor, make_learner, make_member, make_org, make_session, make_staff

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=PARIS)


def _session(db: Session) -> tuple[TrainingSession, list[Activity], User, User]:
    org = make_org(db)
    learner = make_learner(db, org)
    tutor = make_member(db, org, "tutor")
    today = utcnow().astimezone(PARIS).date()
    session = make_session(db, org, start=today - timedelta(days=2), end=today + timedelta(days=2), learners=(learner,))
    assign_tutor(db, session, tutor)
    module = Module(session_id=session.id, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    items = [
        Activity(module_id=module.id or 0, kind="document", title="Programme", position=0),
        Activity(
            module_id=module.id or 0, kind="quiz", title="Quiz", position=1, settings_json='{"passing_score": 70}'
        ),
        Activity(module_id=module.id or 0, kind="video", title="Vidéo", position=2),
        Activity(module_id=module.id or 0, kind="assignment", title="Mission", position=3),
    ]
    db.add_all(items)
    db.commit()
    return session, items, learner, tutor


def _enrolment(db: Session, session: TrainingSession, user: User) -> Enrolment:
    db.expire_all()
    return db.exec(select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.user_id == user.id)).one()


def test_enrolment_status_rule() -> None:
    assert progress.enrolment_status(0, 4, started=False) == "not_started"
    assert progress.enrolment_status(0, 4, started=True) == "in_progress"
    assert progress.enrolment_status(2, 4, started=True) == "in_progress"
    assert progress.enrolment_status(4, 4, started=True) == "finished"
    assert progress.enrolment_status(0, 0, started=False) == "not_started"


def test_opening_starts_an_attempt_and_the_learner_is_in_progress(db: Session) -> None:
    session, items, learner, _ = _session(db)
    actor = actor_for(db, learner)
    activities.opened(db, actor, items[0].id or 0)
    activities.opened(db, actor, items[0].id or 0)  # still the same attempt
    db.commit()
    attempts = db.exec(select(LessonAttempt).where(LessonAttempt.user_id == learner.id)).all()
    assert [(a.activity_id, a.status) for a in attempts] == [(items[0].id, "in_progress")]
    line = _enrolment(db, session, learner)
    assert (line.status, line.progress) == ("in_progress", 0)

    activities.mark_done(db, actor, items[0].id or 0)
    db.commit()
    line = _enrolment(db, session, learner)
    assert (line.status, line.progress) == ("in_progress", 25)
    attempts = db.exec(select(LessonAttempt).where(LessonAttempt.user_id == learner.id)).all()
    assert [a.status for a in attempts] == ["completed"]
    activities.opened(db, actor, items[0].id or 0)  # reviewing a finished activity: no new attempt
    db.commit()
    assert len(db.exec(select(LessonAttempt).where(LessonAttempt.user_id == learner.id)).all()) == 1


def test_time_is_capped_by_the_time_elapsed_between_reports(db: Session) -> None:
    session, items, learner, _ = _session(db)
    actor = actor_for(db, learner)
    doc = items[0].id or 0
    assert activities.track_time(db, actor, doc, 30) == 30  # first report: up to a minute
    db.commit()
    assert activities.track_time(db, actor, doc, 30) <= progress.TICK_SLACK_S + 1  # right after: a few seconds
    db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.activity_id == doc)).one()
    lesson.tracked_at = utcnow() - timedelta(seconds=40)
    db.add(lesson)
    db.commit()
    counted = activities.track_time(db, actor, doc, 10_000)
    assert 40 <= counted <= 40 + progress.TICK_SLACK_S + 1
    db.commit()
    for forged in (-5, 0, "30", 2.5, True, None):
        assert activities.track_time(db, actor, doc, forged) == 0
    db.commit()
    line = _enrolment(db, session, learner)
    db.refresh(lesson)
    assert line.time_spent_s == lesson.time_spent_s > 30
    assert line.status == "in_progress" and line.last_activity_at is not None


def test_only_the_learner_counts_time_and_only_on_their_own_activities(db: Session) -> None:
    _, items, _, tutor = _session(db)
    with pytest.raises(PlumeError) as err:
        activities.track_time(db, actor_for(db, tutor), items[0].id or 0, 30)
    assert err.value.code == ErrorCode.NOT_FOUND
    outsider = make_learner(db, make_org(db))
    with pytest.raises(PlumeError):
        activities.track_time(db, actor_for(db, outsider), items[0].id or 0, 30)
    assert db.exec(select(LessonProgress)).all() == []


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": "passed", "score": "101"}, "score"),
        ({"status": "passed", "score": "-1"}, "score"),
        ({"status": "passed", "score": "abc"}, "score"),
        ({"status": "passed", "score": "nan"}, "score"),
        ({"status": "completed", "time_spent": "-3"}, "time_spent"),
        ({"status": "completed", "time_spent": "1:xx"}, "time_spent"),
        ({"status": "completed", "date": "2026-13-40"}, "date"),
        ({"status": "completed", "date": "2027-01-01"}, "date"),
        ({"status": "completed", "location": "x" * 256}, "location"),
        ({"status": "completed", "suspend_data": "x" * 4097}, "suspend_data"),
    ],
)
def test_stats_validation_names_the_field(values: dict[str, str], field: str) -> None:
    with pytest.raises(PlumeError) as err:
        progress.validate_stats(values, now=NOW)
    assert err.value.field == field


def test_stats_validation_accepts_what_people_type() -> None:
    edit = progress.validate_stats(
        {
            "status": "passed",
            "score": "87,5",
            "time_spent": "1:02:03",
            "date": "2026-11-19",
            "clear_attempts": "on",
            "suspend_data": "x" * 4096,
        },
        now=NOW,
    )
    assert (edit.score, edit.time_spent_s, edit.clear_attempts) == (87.5, 3723, True)
    assert edit.status_at.date() == date(2026, 11, 19)
    assert progress.validate_stats({"status": "not_started", "time_spent": "90"}, now=NOW).time_spent_s == 90
    assert progress.validate_stats({"status": "in_progress", "score": ""}, now=NOW).score is None


def test_a_tutor_edits_a_lesson_the_change_is_audited_and_counts(db: Session) -> None:
    session, items, learner, tutor_user = _session(db)
    learner_actor, tutor = actor_for(db, learner), actor_for(db, tutor_user)
    quiz = items[1].id or 0
    activities.opened(db, learner_actor, quiz)
    db.commit()
    tutoring.edit_lesson_stats(
        db,
        tutor,
        session.id or 0,
        user_id=learner.id or 0,
        activity_id=quiz,
        values={"status": "passed", "score": "80", "time_spent": "0:10:00", "location": "page-3", "date": ""},
    )
    db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.activity_id == quiz)).one()
    assert (lesson.status, lesson.score, lesson.time_spent_s, lesson.location) == ("passed", 80, 600, "page-3")
    assert db.exec(select(ActivityCompletion).where(ActivityCompletion.activity_id == quiz)).first() is not None
    line = _enrolment(db, session, learner)
    assert (line.progress, line.time_spent_s) == (25, 600)
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "tutoring.edit_stats")).one()
    assert record.actor_user_id == tutor_user.id
    before, after = json.loads(record.before or "{}"), json.loads(record.after or "{}")
    assert (before["status"], after["status"], after["score"]) == ("in_progress", "passed", 80)

    # Back to not started, attempts cleared: the completion goes, the progress drops.
    tutoring.edit_lesson_stats(
        db,
        tutor,
        session.id or 0,
        user_id=learner.id or 0,
        activity_id=quiz,
        values={"status": "not_started", "clear_attempts": "on", "time_spent": "0"},
    )
    db.commit()
    assert db.exec(select(ActivityCompletion).where(ActivityCompletion.activity_id == quiz)).first() is None
    assert db.exec(select(LessonAttempt).where(LessonAttempt.activity_id == quiz)).all() == []
    assert _enrolment(db, session, learner).progress == 0
    report = tutoring.learner_report(db, tutor, session.id or 0, learner.id or 0)
    quiz_line = next(line for line in report.lessons if line.activity_id == quiz)
    assert (quiz_line.status, quiz_line.attempts, quiz_line.passing) == ("not_started", [], "70 %")


def test_stats_edits_are_refused_to_others_and_outside_the_session(db: Session) -> None:
    session, items, learner, _ = _session(db)
    other, other_items, other_learner, other_tutor = _session(db)
    good = {"status": "completed"}
    cases = [
        (actor_for(db, other_tutor), session.id, learner.id, items[0].id),  # not their session
        (actor_for(db, learner), session.id, learner.id, items[0].id),  # a learner
        (actor_for(db, make_staff(db, make_org(db))), session.id, learner.id, items[0].id),  # another org's staff
    ]
    for actor, sid, uid, aid in cases:
        with pytest.raises(PlumeError) as err:
            tutoring.edit_lesson_stats(db, actor, sid or 0, user_id=uid or 0, activity_id=aid or 0, values=good)
        assert err.value.code == ErrorCode.NOT_FOUND
    # Right tutor, wrong learner or an activity of another session.
    with pytest.raises(PlumeError):
        tutoring.edit_lesson_stats(
            db,
            actor_for(db, other_tutor),
            other.id or 0,
            user_id=learner.id or 0,
            activity_id=other_items[0].id or 0,
            values=good,
        )
    with pytest.raises(PlumeError):
        tutoring.edit_lesson_stats(
            db,
            actor_for(db, other_tutor),
            other.id or 0,
            user_id=other_learner.id or 0,
            activity_id=items[0].id or 0,
            values=good,
        )
    assert db.exec(select(LessonProgress)).all() == []


def test_report_lines_carry_scores_average_attempts_and_time(db: Session) -> None:
    session, items, learner, tutor_user = _session(db)
    second = make_learner(db, make_org(db))
    db.add(Enrolment(session_id=session.id or 0, user_id=second.id or 0))
    db.commit()
    quiz = items[1]
    for who, score in ((learner, 60.0), (second, 90.1)):
        progress.opened(db, quiz, who.id or 0, session.id or 0)
        progress.finished(
            db, quiz, who.id or 0, session.id or 0, status=progress.scored_status(quiz, score), score=score
        )
    progress.opened(db, quiz, learner.id or 0, session.id or 0)  # finished: no new attempt
    db.commit()
    report = tutoring.learner_report(db, actor_for(db, tutor_user), session.id or 0, learner.id or 0)
    line = next(line for line in report.lessons if line.activity_id == quiz.id)
    # The session's average as precise as a score (75.05, not 75.1 beside a 2-decimal score).
    assert (line.status, line.score, line.average, line.passing) == ("failed", "60 %", "75,05 %", "70 %")
    assert [(a.status, a.score) for a in line.attempts] == [("failed", "60 %")]
    assert report.progress == 25 and report.status == "in_progress"


def test_a_new_activity_lowers_everyones_progress(db: Session) -> None:
    session, items, learner, _ = _session(db)
    progress.finished(db, items[0], learner.id or 0, session.id or 0)
    db.commit()
    assert _enrolment(db, session, learner).progress == 25
    module = db.get(Module, items[0].module_id)
    assert module is not None
    db.add(Activity(module_id=module.id or 0, kind="document", title="Annexe", position=9))
    db.flush()
    progress.refresh(db, session.id or 0)
    db.commit()
    assert _enrolment(db, session, learner).progress == 20


def test_duration_reads_like_people_write_it() -> None:
    assert [progress.duration(s) for s in (0, 45, 60, 754, 3600, 3900)] == [
        "0 s",
        "45 s",
        "1 min",
        "12 min",
        "1 h 00",
        "1 h 05",
    ]
