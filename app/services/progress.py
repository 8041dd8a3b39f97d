"""Learners' progress inside activities: statuses, attempts, measured time, and the tutor's corrections of them.

Every activity a learner uses reports here: opening it starts an attempt,
measured active time adds up, finishing it (marking done, voting, a corrected
mission, an observation) records the status and score. The learner's line on
`Enrolment` (progress %, status, total time, last activity) is kept up to date
from these rows, so the tutoring centre can sort and page 10,000 learners in SQL.

Invariant: an `ActivityCompletion` exists exactly when the `LessonProgress`
status is one of DONE_STATUSES.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, delete, select

from app.clock import PARIS
from app.i18n import percent_text
from app.live.bus import notify
from app.live.contract import MyProgress, ProgressChanged, followers_topic, person_topic
from app.models import Activity, ActivityCompletion, Enrolment, Module, TrainingSession
from app.models.base import utcnow
from app.models.progress import DONE_STATUSES, LESSON_STATUSES, LessonAttempt, LessonProgress
from app.services import audience, audit
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError

SUSPEND_DATA_MAX = 4096  # SCORM 1.2 cmi.suspend_data
LOCATION_MAX = 255  # SCORM 1.2 cmi.core.lesson_location
MAX_TICK_S = 60  # the browser reports at least every 30 s
TICK_SLACK_S = 5
MAX_TIME_S = 10 * 365 * 24 * 3600
MAX_EDIT_HOURS = 999  # a tutor's correction of time spent: more than 999 h on one activity is a typo
SCORED_KINDS = ("quiz", "diagnostic", "assignment", "observation", "elearning", "certification", "self_assessment")
DEFAULT_PASSING_SCORE = 50


def _settings(activity: Activity) -> dict[str, Any]:
    try:
        value = json.loads(activity.settings_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def passing_score(activity: Activity) -> int | None:
    """The score (in %) a learner needs to pass a scored activity; None for activities without a score.

    Args:
        activity: The activity.

    Returns:
        The passing score, or None.
    """
    if activity.kind not in SCORED_KINDS:
        return None
    value = _settings(activity).get("passing_score", DEFAULT_PASSING_SCORE)
    return value if isinstance(value, int) and 0 <= value <= 100 else DEFAULT_PASSING_SCORE


def enrolment_status(completed: int, activities: int, started: bool) -> str:
    """A learner's status in a session.

    Args:
        completed: Activities finished.
        activities: Activities of the session.
        started: Whether the learner opened or spent time on any activity.

    Returns:
        finished (everything done, and there is something), in_progress (anything begun) or not_started.
    """
    if activities > 0 and completed >= activities:
        return "finished"
    if completed > 0 or started:
        return "in_progress"
    return "not_started"


@dataclass(frozen=True)
class Progress:
    """A learner's progress: done / total activities per module, and overall in percent."""

    modules: dict[int, tuple[int, int]]
    percent: int


def learner_progress(db: Session, session_id: int, user_id: int, module_ids: Sequence[int] | None = None) -> Progress:
    """Done / total activities per module and overall, from completions (what the learner is invited to).

    Args:
        db: Database session.
        session_id: The session.
        user_id: The learner.
        module_ids: The session's modules, when the caller has already read them (saves a query).

    Returns:
        The progress (every module of the session is in `modules`, those without activities as (0, 0)).
    """
    if module_ids is None:
        module_ids = [m for m in db.exec(select(Module.id).where(Module.session_id == session_id)).all() if m]
    hidden = audience.hidden_from(db, [session_id], user_id)
    activities = [
        (activity_id, module_id)
        for activity_id, module_id in db.exec(
            select(Activity.id, Activity.module_id).where(col(Activity.module_id).in_(list(module_ids)))
        ).all()
        if activity_id not in hidden
    ]
    done = set(
        db.exec(
            select(ActivityCompletion.activity_id).where(
                ActivityCompletion.user_id == user_id,
                col(ActivityCompletion.activity_id).in_([a for a, _ in activities]),
            )
        ).all()
    )
    per: dict[int, tuple[int, int]] = dict.fromkeys(module_ids, (0, 0))
    for activity_id, module_id in activities:
        finished, total = per[module_id]
        per[module_id] = (finished + (activity_id in done), total + 1)
    total = sum(t for _, t in per.values())
    finished = sum(f for f, _ in per.values())
    return Progress(modules=per, percent=round(100 * finished / total) if total else 0)


def _session_activity_ids(db: Session, session_id: int) -> list[int]:
    return [
        a
        for a in db.exec(
            select(Activity.id)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session_id)
        ).all()
        if a is not None
    ]


def derive_completions(
    db: Session,
    session_id: int,
    activity_ids: set[int],
    done: dict[tuple[int, int], datetime],
    user_ids: Sequence[int] | None,
) -> None:
    """Make the completions of activities whose completion is derived (in person: attendance) follow a rule.

    A completion is added (with its lesson line, completed) for each (learner, activity) of `done`
    and removed (the lesson line back in progress) for the others, so every reader of
    `ActivityCompletion` (progress, the activity panel, the tutoring views) counts them without
    knowing the rule. Three queries at most, whatever the number of learners.

    Args:
        db: Database session (flushed by the caller's `refresh`).
        session_id: The session.
        activity_ids: The activities whose completion the rule decides.
        done: (user id, activity id) → when, for those the rule says are done.
        user_ids: Only these learners; None for all of them.
    """
    if not activity_ids:
        return
    query = select(ActivityCompletion).where(col(ActivityCompletion.activity_id).in_(list(activity_ids)))
    if user_ids is not None:
        query = query.where(col(ActivityCompletion.user_id).in_(list(user_ids)))
    stored = {(c.user_id, c.activity_id): c for c in db.exec(query).all()}
    added = {key: at for key, at in done.items() if key not in stored}
    removed = [c for key, c in stored.items() if key not in done]
    if not added and not removed:
        return
    touched = {key[0] for key in added} | {c.user_id for c in removed}
    lessons = {
        (row.user_id, row.activity_id): row
        for row in db.exec(
            select(LessonProgress).where(
                col(LessonProgress.activity_id).in_(list(activity_ids)), col(LessonProgress.user_id).in_(touched)
            )
        ).all()
    }
    for (user_id, activity_id), at in added.items():
        db.add(ActivityCompletion(activity_id=activity_id, user_id=user_id, completed_at=at))
        lesson = lessons.get((user_id, activity_id)) or LessonProgress(
            activity_id=activity_id, user_id=user_id, session_id=session_id
        )
        lesson.status, lesson.status_at = "completed", at
        db.add(lesson)
    for completion in removed:
        db.delete(completion)
        previous = lessons.get((completion.user_id, completion.activity_id))
        if previous is not None and previous.status in DONE_STATUSES:
            previous.status, previous.status_at = "in_progress", utcnow()
            db.add(previous)


def _expire_enrolments(db: Session) -> None:
    """Enrolments already loaded re-read the figures just written around the ORM."""
    for loaded in [o for o in db.identity_map.values() if isinstance(o, Enrolment)]:
        db.expire(loaded)


def refresh(db: Session, session_id: int, user_ids: list[int] | None = None) -> dict[int, str]:
    """Recompute the enrolment lines (progress, status, total time, last activity) of a session's learners.

    Called after anything that changes a learner's rows, and for the whole
    session when its timeline changes (a new activity lowers everyone's %).
    An activity for some learners only (a tutor's virtual class) counts for its invitees alone.

    Args:
        db: Database session.
        session_id: The session.
        user_ids: Only these learners; None for all of them.

    Returns:
        The learners whose status changed, with their new status.
    """
    ids = _session_activity_ids(db, session_id)
    invitees = audience.restricted(db, [session_id])
    common = [a for a in ids if a not in invitees]
    # Plain tuples and one executemany below: the whole of a 10,000-learner session in a fraction of a second.
    enrolments = sa_select(
        col(Enrolment.id),
        col(Enrolment.user_id),
        col(Enrolment.progress),
        col(Enrolment.status),
        col(Enrolment.time_spent_s),
        col(Enrolment.last_activity_at),
    ).where(col(Enrolment.session_id) == session_id)
    if user_ids is not None:
        if not user_ids:
            return {}
        enrolments = enrolments.where(col(Enrolment.user_id).in_(user_ids))
    db.flush()
    rows = list(db.execute(enrolments).all())
    if not rows:
        return {}
    who = [row.user_id for row in rows] if user_ids is not None else None

    done_query = (
        select(ActivityCompletion.user_id, func.count(), func.max(ActivityCompletion.completed_at))
        .where(col(ActivityCompletion.activity_id).in_(common))
        .group_by(col(ActivityCompletion.user_id))
    )
    invited_done_query = select(
        ActivityCompletion.user_id, ActivityCompletion.activity_id, ActivityCompletion.completed_at
    ).where(col(ActivityCompletion.activity_id).in_(list(invitees)))
    used_query = (
        sa_select(
            col(LessonProgress.user_id),
            func.count(),
            func.coalesce(func.sum(LessonProgress.time_spent_s), 0),
            func.max(col(LessonProgress.tracked_at)),
            func.max(col(LessonProgress.status_at)),
        )
        .where(col(LessonProgress.session_id) == session_id, col(LessonProgress.activity_id).in_(ids))
        .group_by(col(LessonProgress.user_id))
    )
    if who is not None:
        done_query = done_query.where(col(ActivityCompletion.user_id).in_(who))
        used_query = used_query.where(col(LessonProgress.user_id).in_(who))
        invited_done_query = invited_done_query.where(col(ActivityCompletion.user_id).in_(who))
    done = {u: (int(n), last) for u, n, last in db.exec(done_query).all()}
    if invitees:
        for u, activity_id, at in db.exec(invited_done_query).all():
            if u in invitees[activity_id]:
                n, last = done.get(u, (0, None))
                done[u] = (n + 1, at if last is None or at > last else last)
    used = {u: (int(n), int(t), a, b) for u, n, t, a, b in db.execute(used_query).all()}
    changed: dict[int, str] = {}
    updates: list[dict[str, Any]] = []
    for row in rows:
        completed, done_at = done.get(row.user_id, (0, None))
        lessons, seconds, tracked_at, status_at = used.get(row.user_id, (0, 0, None, None))
        total = len(common) + sum(row.user_id in people for people in invitees.values())
        status = enrolment_status(completed, total, lessons > 0)
        percent = round(100 * completed / total) if total else 0
        moments = [m for m in (done_at, tracked_at, status_at) if m is not None]
        last = max(moments) if moments else None
        if (row.progress, row.status, row.time_spent_s, row.last_activity_at) == (percent, status, seconds, last):
            continue
        if status != row.status:
            changed[row.user_id] = status
        values = {"progress": percent, "status": status, "time_spent_s": seconds, "last_activity_at": last}
        updates.append({"eid": row.id, **values})
    if updates:
        table = Enrolment.__table__  # type: ignore[attr-defined]
        db.connection().execute(
            update(table)
            .where(table.c.id == bindparam("eid"))
            .values({name: bindparam(name) for name in ("progress", "status", "time_spent_s", "last_activity_at")}),
            updates,
        )
        _expire_enrolments(db)
    return changed


def _lesson(db: Session, activity: Activity, user_id: int, session_id: int) -> tuple[LessonProgress, bool]:
    row = db.exec(
        select(LessonProgress).where(LessonProgress.activity_id == activity.id, LessonProgress.user_id == user_id)
    ).first()
    if row is not None:
        return row, False
    row = LessonProgress(activity_id=activity.id or 0, user_id=user_id, session_id=session_id)
    db.add(row)
    return row, True


def _open_attempt(db: Session, activity_id: int, user_id: int) -> LessonAttempt | None:
    return db.exec(
        select(LessonAttempt)
        .where(LessonAttempt.activity_id == activity_id, LessonAttempt.user_id == user_id)
        .order_by(col(LessonAttempt.started_at).desc(), col(LessonAttempt.id).desc())
    ).first()


def _set_completion(db: Session, activity_id: int, user_id: int, done: bool, at: datetime | None = None) -> None:
    existing = db.exec(
        select(ActivityCompletion).where(
            ActivityCompletion.activity_id == activity_id, ActivityCompletion.user_id == user_id
        )
    ).first()
    if done and existing is None:
        db.add(ActivityCompletion(activity_id=activity_id, user_id=user_id, completed_at=at or utcnow()))
    elif done and existing is not None and at is not None:
        existing.completed_at = at
        db.add(existing)
    elif not done and existing is not None:
        db.delete(existing)


def announce(db: Session, session_id: int, user_id: int, activity_id: int | None) -> None:
    """Say that a learner's progress changed, in the transaction that changed it.

    Everyone's progress goes to those who follow the session's learners (`followers_topic`: the
    follow-up table, the tutoring centre, a trainer's session page); the learner's own goes to their
    own tabs (home, their session page), so a learner's tab never hears the other learners'.

    Args:
        db: The transaction making the change.
        session_id: The session.
        user_id: The learner.
        activity_id: The activity whose progress changed.
    """
    notify(db, followers_topic(session_id), ProgressChanged(activity_id=activity_id, user_id=user_id))
    notify(db, person_topic(user_id), MyProgress(session_id=session_id, activity_id=activity_id))


def opened(db: Session, activity: Activity, user_id: int, session_id: int) -> None:
    """A learner opened an activity: it is begun, and an attempt starts unless one is under way.

    An activity already finished is only being reviewed: no new attempt.

    Args:
        db: Database session.
        activity: The activity (checked by the caller: the learner's, unlocked).
        user_id: The learner.
        session_id: The activity's session.
    """
    lesson, new = _lesson(db, activity, user_id, session_id)
    if lesson.status in DONE_STATUSES:
        return
    attempt = _open_attempt(db, activity.id or 0, user_id)
    if attempt is None or attempt.status != "in_progress":
        db.add(LessonAttempt(activity_id=activity.id or 0, user_id=user_id))
    if new or lesson.status == "not_started":
        lesson.status, lesson.status_at = "in_progress", utcnow()
        db.add(lesson)
        db.flush()
        if refresh(db, session_id, [user_id]):
            announce(db, session_id, user_id, activity.id or 0)


def finished(
    db: Session,
    activity: Activity,
    user_id: int,
    session_id: int,
    *,
    status: str = "completed",
    score: float | None = None,
) -> None:
    """A learner finished an activity (marked done, voted, mission corrected, observed).

    Args:
        db: Database session.
        activity: The activity (checked by the caller).
        user_id: The learner.
        session_id: The activity's session.
        status: completed, passed or failed.
        score: The score in %, if the activity has one.
    """
    lesson, _ = _lesson(db, activity, user_id, session_id)
    now = utcnow()
    lesson.status, lesson.status_at = status, now
    if score is not None:
        lesson.score = score
    db.add(lesson)
    attempt = _open_attempt(db, activity.id or 0, user_id)
    if attempt is None or attempt.status != "in_progress":
        attempt = LessonAttempt(activity_id=activity.id or 0, user_id=user_id)
    attempt.status, attempt.score = status, score if score is not None else attempt.score
    db.add(attempt)
    _set_completion(db, activity.id or 0, user_id, True)
    db.flush()
    refresh(db, session_id, [user_id])
    announce(db, session_id, user_id, activity.id or 0)


def tracked(
    db: Session,
    activity: Activity,
    user_id: int,
    session_id: int,
    *,
    status: str,
    score: float | None,
    time_spent_s: int,
    location: str,
    attempts: int,
) -> None:
    """A package reported where a learner is in an activity (SCORM): status, score, time, bookmark, attempts.

    What the package says replaces what was known (the package keeps its own count of time); the activity is
    finished exactly when the status is one of DONE_STATUSES, and the tutoring centre hears it live.

    Args:
        db: Database session.
        activity: The activity (checked by the caller).
        user_id: The learner.
        session_id: The activity's session.
        status: One of LESSON_STATUSES.
        score: The score in %, if the package gave one.
        time_spent_s: The learner's total time in the activity.
        location: Their bookmark (the package's own words).
        attempts: How many attempts they have made (at least 1).
    """
    lesson, _ = _lesson(db, activity, user_id, session_id)
    now = utcnow()
    if lesson.status != status:
        lesson.status, lesson.status_at = status, now
    lesson.score = score if score is not None else lesson.score
    lesson.time_spent_s = max(0, min(MAX_TIME_S, time_spent_s))
    lesson.location, lesson.tracked_at = location[:255], now
    db.add(lesson)
    rows = list(
        db.exec(
            select(LessonAttempt)
            .where(LessonAttempt.activity_id == activity.id, LessonAttempt.user_id == user_id)
            .order_by(col(LessonAttempt.started_at), col(LessonAttempt.id))
        ).all()
    )
    while len(rows) < max(1, attempts):
        rows.append(LessonAttempt(activity_id=activity.id or 0, user_id=user_id, started_at=now))
    latest = rows[-1]
    latest.status = status if status != "not_started" else "in_progress"
    latest.score = score if score is not None else latest.score
    latest.time_spent_s = max(0, lesson.time_spent_s - sum(r.time_spent_s for r in rows[:-1]))
    db.add_all(rows)
    _set_completion(db, activity.id or 0, user_id, status in DONE_STATUSES)
    db.flush()
    refresh(db, session_id, [user_id])
    announce(db, session_id, user_id, activity.id or 0)


def scored_status(activity: Activity, score: float) -> str:
    """The status a score earns: passed or failed, against the activity's passing score.

    Args:
        activity: A scored activity.
        score: The score in %.

    Returns:
        The status.
    """
    threshold = passing_score(activity)
    return "passed" if threshold is None or score >= threshold else "failed"


def track_time(db: Session, activity: Activity, user_id: int, session_id: int, seconds: object) -> int:
    """Add measured active time (the page visible and used) to a learner's activity.

    The browser reports at most every 30 s. A report can never add more time
    than has passed since the previous one (plus a little slack), so a forged
    or replayed report cannot inflate the figures, whatever tabs are open.

    Args:
        db: Database session.
        activity: The activity (checked by the caller).
        user_id: The learner.
        session_id: The activity's session.
        seconds: Active seconds since the last report.

    Returns:
        The seconds counted.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds <= 0:
        return 0
    lesson, new = _lesson(db, activity, user_id, session_id)
    now = utcnow()
    begun = new or lesson.status == "not_started"
    allowed = MAX_TICK_S
    if lesson.tracked_at is not None:
        allowed = min(allowed, int((now - lesson.tracked_at).total_seconds()) + TICK_SLACK_S)
    counted = max(0, min(seconds, allowed))
    lesson.tracked_at = now
    if lesson.status == "not_started":
        lesson.status, lesson.status_at = "in_progress", now
    if counted:
        lesson.time_spent_s = min(MAX_TIME_S, lesson.time_spent_s + counted)
        attempt = _open_attempt(db, activity.id or 0, user_id)
        if attempt is None:
            attempt = LessonAttempt(activity_id=activity.id or 0, user_id=user_id)
        attempt.time_spent_s += counted
        db.add(attempt)
    db.add(lesson)
    db.flush()
    if begun:  # the learner's status may change: the full recount
        refresh(db, session_id, [user_id])
    elif counted:  # the heartbeat of every working learner: only the enrolment's total and last activity move
        db.exec(
            update(Enrolment)
            .where(col(Enrolment.session_id) == session_id, col(Enrolment.user_id) == user_id)
            .values(time_spent_s=col(Enrolment.time_spent_s) + counted, last_activity_at=now)
        )
        _expire_enrolments(db)
    return counted


@dataclass(frozen=True)
class StatsEdit:
    """A tutor's correction of one learner's statistics on one activity, as validated values."""

    status: str
    clear_attempts: bool
    status_at: datetime
    score: float | None
    time_spent_s: int
    location: str
    suspend_data: str


def _number(value: object, field: str, code: ErrorCode) -> float | None:
    text = str(value if value is not None else "").strip().replace(",", ".")
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise PlumeError(code, field=field) from None
    if not math.isfinite(number):
        raise PlumeError(code, field=field)
    return number


def _duration(value: object) -> int:
    """Seconds from "90", "1:30" (minutes:seconds) or "1:02:03" (hours:minutes:seconds); empty is 0.

    Minutes and seconds after a colon must be below 60: "99:99:99" is a typo, not 100 h 40.
    """
    text = str(value if value is not None else "").strip()
    if not text:
        return 0
    parts = text.split(":")
    if len(parts) > 3 or not all(p.strip().isdigit() for p in parts):
        number = _number(text, "time_spent", ErrorCode.STATS_TIME_INVALID)
        if number is None or number < 0:
            raise PlumeError(ErrorCode.STATS_TIME_INVALID, field="time_spent")
        return int(number)
    if any(int(p) >= 60 for p in parts[1:]):
        raise PlumeError(ErrorCode.STATS_TIME_INVALID, field="time_spent")
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + int(part)
    return seconds


def validate_stats(
    values: dict[str, Any], *, now: datetime | None = None, enrolled_at: datetime | None = None
) -> StatsEdit:
    """Check the `Modifier les statistiques` form.

    Args:
        values: status, clear_attempts, date (YYYY-MM-DD, a Paris calendar day, optional time HH:MM), score
            (0–100, empty for none), time_spent (seconds, or h:mm:ss with minutes and seconds below 60, at most
            MAX_EDIT_HOURS), location, suspend_data.
        now: The current time (tests).
        enrolled_at: When the learner was enrolled: the date may not be before that day (Paris).

    Returns:
        The validated edit.

    Raises:
        PlumeError: STATS_STATUS, STATS_SCORE_RANGE, STATS_TIME_INVALID, STATS_TIME_TOO_LONG, STATS_DATE_INVALID,
            STATS_DATE_FUTURE, STATS_DATE_BEFORE_ENROLMENT, STATS_LOCATION_TOO_LONG or STATS_SUSPEND_TOO_LONG,
            with the field.
    """
    now = now or utcnow()
    status = values.get("status")
    if status not in LESSON_STATUSES:
        raise PlumeError(ErrorCode.STATS_STATUS, field="status")
    score = _number(values.get("score"), "score", ErrorCode.STATS_SCORE_RANGE)
    if score is not None and not 0 <= score <= 100:
        raise PlumeError(ErrorCode.STATS_SCORE_RANGE, field="score")
    seconds = _duration(values.get("time_spent"))
    if seconds < 0:
        raise PlumeError(ErrorCode.STATS_TIME_INVALID, field="time_spent")
    if seconds > MAX_EDIT_HOURS * 3600:
        raise PlumeError(ErrorCode.STATS_TIME_TOO_LONG, field="time_spent", hours=str(MAX_EDIT_HOURS))
    when = now
    day = str(values.get("date") or "").strip()
    if day:
        clock = str(values.get("time") or "").strip()
        try:
            when = datetime.fromisoformat(f"{day}T{clock or '12:00'}").replace(tzinfo=PARIS)
        except ValueError:
            raise PlumeError(ErrorCode.STATS_DATE_INVALID, field="date") from None
        # Calendar days are Paris days: a date is "in the future" only after today in Paris.
        today = now.astimezone(PARIS).date()
        if when.date() > today or (clock and when > now + timedelta(minutes=5)):
            raise PlumeError(ErrorCode.STATS_DATE_FUTURE, field="date")
        if enrolled_at is not None and when.date() < enrolled_at.astimezone(PARIS).date():
            start = enrolled_at.astimezone(PARIS).strftime("%d/%m/%Y")
            raise PlumeError(ErrorCode.STATS_DATE_BEFORE_ENROLMENT, field="date", date=start)
        if when.year < 2000:
            raise PlumeError(ErrorCode.STATS_DATE_INVALID, field="date")
        # Today without a time: noon may not have come yet, and a status is never dated ahead of now.
        when = min(when, now)
    location = values.get("location")
    location = location if isinstance(location, str) else ""
    if len(location) > LOCATION_MAX:
        raise PlumeError(ErrorCode.STATS_LOCATION_TOO_LONG, field="location")
    suspend = values.get("suspend_data")
    suspend = suspend if isinstance(suspend, str) else ""
    if len(suspend) > SUSPEND_DATA_MAX:
        raise PlumeError(ErrorCode.STATS_SUSPEND_TOO_LONG, field="suspend_data")
    clear = values.get("clear_attempts") in (True, "on", "true", "1")
    return StatsEdit(
        status=str(status),
        clear_attempts=clear,
        status_at=when,
        score=round(score, 2) if score is not None else None,
        time_spent_s=seconds,
        location=location,
        suspend_data=suspend,
    )


def _snapshot(lesson: LessonProgress | None, attempts: int) -> dict[str, Any]:
    if lesson is None:
        return {"status": "not_started", "attempts": attempts}
    return {
        "status": lesson.status,
        "score": lesson.score,
        "time_spent_s": lesson.time_spent_s,
        "status_at": lesson.status_at.isoformat(),
        "location": lesson.location,
        "suspend_data": lesson.suspend_data,
        "attempts": attempts,
    }


def edit_stats(
    db: Session, actor: Actor, training: TrainingSession, *, user_id: int, activity_id: int, values: dict[str, Any]
) -> None:
    """`Modifier les statistiques`: a tutor corrects one learner's line on one activity.

    The caller checked that the actor tutors the session and that the learner is
    enrolled in it. Every edit is audited with the values before and after, and
    the session's open centres and reports update live.

    Args:
        db: Database session.
        actor: The tutor (or staff).
        training: The session.
        user_id: The learner.
        activity_id: An activity of the session.
        values: The form (see `validate_stats`).

    Raises:
        PlumeError: NOT_FOUND for an activity of another session; a validation code.
    """
    activity = db.get(Activity, activity_id) if isinstance(activity_id, int) else None
    module = db.get(Module, activity.module_id) if activity is not None else None
    if activity is None or module is None or module.session_id != training.id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not audience.invited(activity, user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    enrolment = db.exec(
        select(Enrolment).where(Enrolment.session_id == training.id, Enrolment.user_id == user_id)
    ).first()
    edit = validate_stats(values, enrolled_at=enrolment.created_at if enrolment is not None else None)
    attempts_query = select(LessonAttempt).where(
        LessonAttempt.activity_id == activity.id, LessonAttempt.user_id == user_id
    )
    attempts = list(db.exec(attempts_query).all())
    existing = db.exec(
        select(LessonProgress).where(LessonProgress.activity_id == activity.id, LessonProgress.user_id == user_id)
    ).first()
    before = _snapshot(existing, len(attempts))
    lesson, _ = _lesson(db, activity, user_id, training.id or 0)
    lesson.status, lesson.status_at, lesson.score = edit.status, edit.status_at, edit.score
    lesson.time_spent_s, lesson.location, lesson.suspend_data = edit.time_spent_s, edit.location, edit.suspend_data
    db.add(lesson)
    if edit.clear_attempts:
        db.exec(
            delete(LessonAttempt)
            .where(col(LessonAttempt.activity_id) == activity.id)
            .where(col(LessonAttempt.user_id) == user_id)
        )
        attempts = []
    _set_completion(db, activity.id or 0, user_id, edit.status in DONE_STATUSES, edit.status_at)
    db.flush()
    refresh(db, training.id or 0, [user_id])
    audit.record(
        db,
        "tutoring.edit_stats",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"activity:{activity.id}:user:{user_id}",
        before=before,
        after=_snapshot(lesson, len(attempts)),
        ip=actor.ip,
    )
    announce(db, training.id or 0, user_id, activity.id or 0)


@dataclass(frozen=True)
class AttemptLine:
    """One attempt, in the report's expanded row."""

    started_at: str
    status: str
    score: str
    time: str


@dataclass(frozen=True)
class LessonStats:
    """One learner's figures on one activity, for the report."""

    status: str
    score: str
    average: str
    passing: str
    attempts: list[AttemptLine]
    time_spent_s: int
    time: str
    status_at: str
    location: str
    suspend_data: str
    status_date: str


def duration(seconds: int) -> str:
    """A duration as people read it: 45 s, 12 min, 1 h 05.

    Args:
        seconds: The duration.

    Returns:
        The text.
    """
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


def _score(value: float | None) -> str:
    """A score as French readers write it: 85,5 %."""
    return percent_text(value)


def lesson_stats(db: Session, session_id: int, user_id: int, activities: list[Activity]) -> dict[int, LessonStats]:
    """Each activity's figures for one learner: status, score, the session's average, attempts, time.

    Args:
        db: Database session.
        session_id: The session.
        user_id: The learner.
        activities: The session's activities.

    Returns:
        The figures by activity id (activities never opened are absent).
    """
    ids = [a.id for a in activities if a.id is not None]
    lessons = {
        row.activity_id: row
        for row in db.exec(
            select(LessonProgress).where(LessonProgress.user_id == user_id, col(LessonProgress.activity_id).in_(ids))
        ).all()
    }
    averages = {
        activity_id: avg
        for activity_id, avg in db.exec(
            select(LessonProgress.activity_id, func.avg(LessonProgress.score))
            .where(col(LessonProgress.activity_id).in_(ids), col(LessonProgress.score).is_not(None))
            .group_by(col(LessonProgress.activity_id))
        ).all()
    }
    attempts: dict[int, list[AttemptLine]] = {}
    for attempt in db.exec(
        select(LessonAttempt)
        .where(LessonAttempt.user_id == user_id, col(LessonAttempt.activity_id).in_(ids))
        .order_by(col(LessonAttempt.started_at), col(LessonAttempt.id))
    ).all():
        attempts.setdefault(attempt.activity_id, []).append(
            AttemptLine(
                started_at=attempt.started_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
                status=attempt.status,
                score=_score(attempt.score),
                time=duration(attempt.time_spent_s),
            )
        )
    by_id = {a.id: a for a in activities}
    out: dict[int, LessonStats] = {}
    for activity_id, lesson in lessons.items():
        activity = by_id[activity_id]
        threshold = passing_score(activity)
        average = averages.get(activity_id)
        out[activity_id] = LessonStats(
            status=lesson.status,
            score=_score(lesson.score),
            average=_score(float(average)) if average is not None else "",  # as precise as the score beside it
            passing=f"{threshold} %" if threshold is not None else "",
            attempts=attempts.get(activity_id, []),
            time_spent_s=lesson.time_spent_s,
            time=duration(lesson.time_spent_s) if lesson.time_spent_s else "",
            status_at=lesson.status_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M"),
            location=lesson.location,
            suspend_data=lesson.suspend_data,
            status_date=lesson.status_at.astimezone(PARIS).strftime("%Y-%m-%d"),
        )
    return out
