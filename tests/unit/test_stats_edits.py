"""The tutor's statistics edits: bounds on time and dates (issue 13, point 5) and the audit trail in the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, select

from app.i18n import error_text
from app.models import Activity, Enrolment, Module, Organisation, TrainingSession, User
from app.models.base import utcnow
from app.models.progress import LessonProgress
from app.services import progress, tutoring
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, assign_tutor, make_learner, make_member, make_org, make_session, make_staff

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 15, 0, tzinfo=PARIS)
ENROLLED = datetime(2026, 9, 1, 9, 0, tzinfo=PARIS)


def _refused(values: dict[str, str], *, now: datetime = NOW, enrolled_at: datetime | None = ENROLLED) -> PlumeError:
    with pytest.raises(PlumeError) as err:
        progress.validate_stats(values, now=now, enrolled_at=enrolled_at)
    return err.value


@pytest.mark.parametrize("typed", ["99:99:99", "1:60:00", "0:00:60", "10:75", "1:2:3:4"])
def test_minutes_and_seconds_must_be_below_sixty(typed: str) -> None:
    err = _refused({"status": "completed", "time_spent": typed})
    assert (err.code, err.field) == (ErrorCode.STATS_TIME_INVALID, "time_spent")
    assert "inférieures à 60" in error_text("fr", err.code.value, **err.params)
    assert "below 60" in error_text("en", err.code.value, **err.params)


def test_time_spent_is_bounded_and_the_message_says_the_bound() -> None:
    for typed in ("1000:00:00", "999:00:01", str(999 * 3600 + 1)):
        err = _refused({"status": "completed", "time_spent": typed})
        assert (err.code, err.field) == (ErrorCode.STATS_TIME_TOO_LONG, "time_spent")
        assert error_text("fr", err.code.value, **err.params) == "Le temps passé ne peut pas dépasser 999 h."
        assert error_text("en", err.code.value, **err.params) == "Time spent cannot exceed 999 h."
    assert progress.validate_stats({"status": "completed", "time_spent": "999:00:00"}, now=NOW).time_spent_s == (
        999 * 3600
    )
    assert progress.validate_stats({"status": "completed", "time_spent": "0:59:59"}, now=NOW).time_spent_s == 3599


def test_a_date_before_the_enrolment_says_so_not_future() -> None:
    err = _refused({"status": "completed", "date": "1990-05-04"})
    assert (err.code, err.field) == (ErrorCode.STATS_DATE_BEFORE_ENROLMENT, "date")
    message = error_text("fr", err.code.value, **err.params)
    assert message == "La date ne peut pas être antérieure à l'inscription (01/09/2026)."
    assert "futur" not in message
    assert error_text("en", err.code.value, **err.params) == "The date cannot be before the enrolment (01/09/2026)."
    # The day before the enrolment is refused, the enrolment's own day is accepted.
    assert _refused({"status": "completed", "date": "2026-08-31"}).code == ErrorCode.STATS_DATE_BEFORE_ENROLMENT
    edit = progress.validate_stats({"status": "completed", "date": "2026-09-01"}, now=NOW, enrolled_at=ENROLLED)
    assert edit.status_at.astimezone(PARIS).date().isoformat() == "2026-09-01"
    # Without an enrolment to compare with, 1990 is still not a date a status can have, and it is not "future".
    err = _refused({"status": "completed", "date": "1990-05-04"}, enrolled_at=None)
    assert err.code == ErrorCode.STATS_DATE_INVALID
    assert "futur" not in error_text("fr", err.code.value)


def test_a_future_date_is_refused_with_its_own_message() -> None:
    err = _refused({"status": "completed", "date": "2026-11-21"})
    assert (err.code, err.field) == (ErrorCode.STATS_DATE_FUTURE, "date")
    assert error_text("fr", err.code.value) == "La date ne peut pas être dans le futur."
    assert error_text("en", err.code.value) == "The date cannot be in the future."


def test_today_is_a_paris_day_around_midnight() -> None:
    # 23:30 UTC on 20/11 is 00:30 on 21/11 in Paris: the 21st is today, not the future; the 22nd is.
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    edit = progress.validate_stats({"status": "completed", "date": "2026-11-21"}, now=late, enrolled_at=ENROLLED)
    assert edit.status_at <= late
    assert edit.status_at.astimezone(PARIS).date().isoformat() == "2026-11-21"
    assert _refused({"status": "completed", "date": "2026-11-22"}, now=late).code == ErrorCode.STATS_DATE_FUTURE
    # Summer time: 22:30 UTC on 30/06 is already 01/07 in Paris.
    summer = datetime(2026, 6, 30, 22, 30, tzinfo=UTC)
    edit = progress.validate_stats(
        {"status": "completed", "date": "2026-07-01"}, now=summer, enrolled_at=datetime(2026, 1, 5, tzinfo=PARIS)
    )
    assert edit.status_at == summer
    # Today before noon: the status is dated now, never ahead of it.
    morning = datetime(2026, 11, 20, 8, 0, tzinfo=PARIS)
    edit = progress.validate_stats({"status": "completed", "date": "2026-11-20"}, now=morning, enrolled_at=ENROLLED)
    assert edit.status_at == morning


def test_a_valid_edit_passes_every_check() -> None:
    edit = progress.validate_stats(
        {"status": "passed", "score": "75", "time_spent": "12:34:56", "date": "2026-11-19"},
        now=NOW,
        enrolled_at=ENROLLED,
    )
    assert (edit.status, edit.score, edit.time_spent_s) == ("passed", 75, 12 * 3600 + 34 * 60 + 56)
    assert edit.status_at == datetime(2026, 11, 19, 12, 0, tzinfo=PARIS)


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
        Activity(module_id=module.id or 0, kind="quiz", title="Quiz", position=0),
        Activity(module_id=module.id or 0, kind="video", title="Vidéo", position=1),
    ]
    db.add_all(items)
    db.commit()
    return session, items, learner, tutor


def test_the_service_refuses_a_date_before_the_enrolment_and_saves_nothing(db: Session) -> None:
    session, items, learner, tutor_user = _session(db)
    tutor = actor_for(db, tutor_user)
    with pytest.raises(PlumeError) as err:
        tutoring.edit_lesson_stats(
            db,
            tutor,
            session.id or 0,
            user_id=learner.id or 0,
            activity_id=items[0].id or 0,
            values={"status": "completed", "date": "1990-01-01", "time_spent": "0:10:00"},
        )
    assert (err.value.code, err.value.field) == (ErrorCode.STATS_DATE_BEFORE_ENROLMENT, "date")
    enrolment = db.exec(
        select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.user_id == learner.id)
    ).one()
    assert err.value.params["date"] == enrolment.created_at.astimezone(PARIS).strftime("%d/%m/%Y")
    with pytest.raises(PlumeError) as err:
        tutoring.edit_lesson_stats(
            db,
            tutor,
            session.id or 0,
            user_id=learner.id or 0,
            activity_id=items[0].id or 0,
            values={"status": "completed", "time_spent": "99:99:99"},
        )
    assert err.value.code == ErrorCode.STATS_TIME_INVALID
    assert db.exec(select(LessonProgress)).all() == []
    assert tutoring.stats_trail(db, tutor, session.id or 0, learner.id or 0) == []


def test_the_trail_lists_who_changed_what_newest_first(db: Session) -> None:
    session, items, learner, tutor_user = _session(db)
    tutor = actor_for(db, tutor_user)
    sid, uid = session.id or 0, learner.id or 0
    today = utcnow().astimezone(PARIS).date().isoformat()
    tutoring.edit_lesson_stats(
        db,
        tutor,
        sid,
        user_id=uid,
        activity_id=items[0].id or 0,
        values={"status": "passed", "score": "80", "time_spent": "1:02:03", "date": today},
    )
    db.commit()
    tutoring.edit_lesson_stats(
        db, tutor, sid, user_id=uid, activity_id=items[1].id or 0, values={"status": "completed", "location": "p2"}
    )
    db.commit()
    # Another learner's edit in the same session stays out of this learner's trail.
    org = db.get(Organisation, session.organisation_id)
    assert org is not None
    other = make_learner(db, org)
    db.add(Enrolment(session_id=sid, user_id=other.id or 0))
    db.commit()
    tutoring.edit_lesson_stats(
        db, tutor, sid, user_id=other.id or 0, activity_id=items[0].id or 0, values={"status": "completed"}
    )
    db.commit()

    trail = tutoring.stats_trail(db, tutor, sid, uid)
    assert [line.activity for line in trail] == ["Vidéo", "Quiz"]
    assert {line.by for line in trail} == {tutor_user.display_name}
    newest, oldest = trail
    newest_changes = {c.field: (c.before, c.after) for c in newest.changes}
    assert set(newest_changes) == {"status", "status_at", "location"}
    assert newest_changes["status"] == ("not_started", "completed")
    assert newest_changes["location"] == ("—", "p2")
    assert newest_changes["status_at"][0] == "—"
    changes = {c.field: (c.before, c.after) for c in oldest.changes}
    assert changes["status"] == ("not_started", "passed")
    assert changes["score"] == ("—", "80 %")
    assert changes["time_spent_s"] == ("0:00:00", "1:02:03")
    assert len(oldest.at) == len("30/11/2026 06:48") and oldest.at[2] == "/"
    # The trail is behind the report's gate.
    for stranger in (actor_for(db, learner), actor_for(db, make_staff(db, make_org(db)))):
        with pytest.raises(PlumeError) as err:
            tutoring.stats_trail(db, stranger, sid, uid)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        tutoring.stats_trail(db, tutor, sid, 999_999)
