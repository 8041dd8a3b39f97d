"""Following participation: monitored activities, the learner's progress bar, the follow-up table, messages.

Staff and a session's trainers mark activities "Surveillé" with an "Attendu le" day; the learner's bar
colours one segment per monitored activity; `Suivi des participants` lists the session's learners (paged
and sorted in SQL) with a tick per monitored activity; a free message reaches selected learners.

A session may hold 10,000 learners with 20 monitored activities: the table reads one page of enrolments
(LIMIT/OFFSET, sorted by the database), then the ticks of those learners only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from app.clock import date_label, paris_date_label, paris_today
from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import (
    Activity,
    ActivityCompletion,
    AuthSession,
    Enrolment,
    Module,
    MonitoredActivity,
    Notification,
    User,
)
from app.models.base import utcnow
from app.models.finishing import TrainingCompletion
from app.services import access, audit, paging
from app.services.access import Capability
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import enqueue_email
from app.services.templates import Template
from app.services.typed import parse_date
from app.settings import get_settings

SORTS = ("name", "last_connection", "progress", "finished")
SOON_DAYS = 3  # "due soon": expected within three days
SUBJECT_MAX = 200
TEXT_MAX = 5000
MAX_RECIPIENTS = 10_000


@dataclass(frozen=True)
class Monitoring:
    """How one activity is monitored (the settings form): not monitored is ("", False, False)."""

    monitored: bool
    expected_on: str  # YYYY-MM-DD, as a date input reads it
    required: bool


@dataclass(frozen=True)
class Segment:
    """One monitored activity on a learner's progress bar."""

    activity_id: int
    title: str
    expected_on: str  # DD/MM/YYYY (Paris calendar day)
    state: str  # done, todo, soon, overdue
    required: bool


@dataclass(frozen=True)
class Column:
    """One monitored activity as a column of the follow-up table."""

    activity_id: int
    title: str
    expected_on: str
    required: bool


@dataclass(frozen=True)
class FollowUpRow:
    """One learner of the follow-up table."""

    user_id: int
    first_name: str
    last_name: str
    email: str
    last_connection: str  # DD/MM/YYYY, "" when never
    ticks: list[bool]  # one per column, in the columns' order
    done: int
    percent: int
    finished: bool  # "Formation terminée" was recorded for them


@dataclass(frozen=True)
class FollowUp:
    """The follow-up table: its columns and one sorted page of learners."""

    session_id: int
    title: str
    columns: list[Column]
    rows: list[FollowUpRow]
    total: int
    page: int
    pages: int
    page_size: int


def _monitored(db: Session, session_id: int) -> list[tuple[MonitoredActivity, Activity]]:
    """The session's monitored activities, by expected day then timeline order."""
    return [
        (monitored, activity)
        for monitored, activity in db.exec(
            select(MonitoredActivity, Activity)
            .join(Activity, col(Activity.id) == col(MonitoredActivity.activity_id))
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(MonitoredActivity.session_id == session_id)
            .order_by(
                col(MonitoredActivity.expected_on), col(Module.position), col(Activity.position), col(Activity.id)
            )
        ).all()
    ]


def monitoring(db: Session, actor: Actor, activity_id: object) -> Monitoring:
    """How an activity is monitored, for its settings form (those who may manage its session).

    Args:
        db: Database session.
        actor: Staff or one of the session's trainers.
        activity_id: The activity.

    Returns:
        Its monitoring.

    Raises:
        PlumeError: NOT_FOUND for a missing activity and a forbidden one alike.
    """
    activity, _, _, _ = access.access_activity(db, actor, activity_id, Capability.MANAGE)
    row = db.exec(select(MonitoredActivity).where(MonitoredActivity.activity_id == activity.id)).first()
    if row is None:
        return Monitoring(False, "", False)
    return Monitoring(True, row.expected_on.isoformat(), row.required)


def set_monitoring(
    db: Session, actor: Actor, activity_id: object, *, monitored: bool, expected_on: str = "", required: bool = False
) -> Monitoring:
    """Mark an activity "Surveillé" with its expected day (a Paris calendar day), or stop monitoring it.

    Args:
        db: Database session.
        actor: Staff or one of the session's trainers (MANAGE).
        activity_id: The activity of a session's timeline.
        monitored: Whether it is monitored.
        expected_on: "Attendu le", YYYY-MM-DD or DD/MM/YYYY (required when monitored).
        required: Whether it is required to complete the training.

    Returns:
        The monitoring now.

    Raises:
        PlumeError: NOT_FOUND; DATE_INVALID (field "expected_on") for a missing or bad day.
    """
    activity, _, training, _ = access.access_activity(db, actor, activity_id, Capability.MANAGE)
    row = db.exec(select(MonitoredActivity).where(MonitoredActivity.activity_id == activity.id)).first()
    before = {"expected_on": row.expected_on.isoformat(), "required": row.required} if row else None
    if not monitored:
        if row is None:
            return Monitoring(False, "", False)
        db.delete(row)
        after: dict[str, object] | None = None
        result = Monitoring(False, "", False)
    else:
        day = parse_date(expected_on or "", "expected_on") if (expected_on or "").strip() else None
        if day is None:
            raise PlumeError(ErrorCode.DATE_INVALID, field="expected_on")
        if row is None:
            row = MonitoredActivity(
                session_id=training.id or 0, activity_id=activity.id or 0, expected_on=day, created_by_id=actor.user_id
            )
        row.expected_on, row.required = day, bool(required)
        db.add(row)
        after = {"expected_on": day.isoformat(), "required": bool(required)}
        result = Monitoring(True, day.isoformat(), bool(required))
    audit.record(
        db,
        "follow_up.monitoring",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"activity:{activity.id}",
        before=before,
        after=after,
    )
    notify(db, session_topic(training.id or 0), TimelineChanged(op="monitoring"))
    return result


def segment_state(expected_on: date, done: bool, today: date) -> str:
    """The colour of a progress-bar segment.

    Args:
        expected_on: The day the activity is expected by.
        done: Whether the learner completed it.
        today: Today in Paris.

    Returns:
        done, overdue (the day has passed), soon (within three days) or todo.
    """
    if done:
        return "done"
    if expected_on < today:
        return "overdue"
    if (expected_on - today).days <= SOON_DAYS:
        return "soon"
    return "todo"


def progress_bar(db: Session, actor: Actor, session_id: int, *, now: datetime | None = None) -> list[Segment]:
    """The actor's own progress bar on a session: one segment per monitored activity (empty for non-learners).

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.
        now: The time (tests).

    Returns:
        The segments, by expected day; empty when the actor is not a learner of the session.

    Raises:
        PlumeError: NOT_FOUND when the actor may not see the session.
    """
    # SEE lets trainers and tutors in; `bars` then reads only the sessions the actor learns in.
    training, _ = access.access_session(db, actor, session_id, Capability.SEE)
    return bars(db, actor.user_id or 0, [training.id or 0], now=now).get(training.id or 0, [])


def bars(
    db: Session, user_id: int, session_ids: Sequence[int], *, now: datetime | None = None
) -> dict[int, list[Segment]]:
    """A learner's progress bars on the sessions among `session_ids` they are enrolled on (home reads all its cards).

    One query, two when something is monitored, whatever the number of sessions.

    Args:
        db: Database session.
        user_id: The learner.
        session_ids: Sessions the caller already gated.
        now: The time (tests).

    Returns:
        Segments by session id (sessions without monitored activities, or where they do not learn, are left out).
    """
    if not session_ids:
        return {}
    today = paris_today(now or utcnow())
    found = db.exec(
        select(MonitoredActivity, Activity)
        .join(Activity, col(Activity.id) == col(MonitoredActivity.activity_id))
        .join(Module, col(Module.id) == col(Activity.module_id))
        .join(
            Enrolment,
            (col(Enrolment.session_id) == col(MonitoredActivity.session_id)) & (col(Enrolment.user_id) == user_id),
        )
        .where(col(MonitoredActivity.session_id).in_(list(session_ids)))
        .order_by(col(MonitoredActivity.expected_on), col(Module.position), col(Activity.position), col(Activity.id))
    ).all()
    if not found:
        return {}
    done = set(
        db.exec(
            select(ActivityCompletion.activity_id).where(
                ActivityCompletion.user_id == user_id,
                col(ActivityCompletion.activity_id).in_([m.activity_id for m, _ in found]),
            )
        ).all()
    )
    out: dict[int, list[Segment]] = {}
    for monitored, activity in found:
        out.setdefault(monitored.session_id, []).append(
            Segment(
                activity_id=activity.id or 0,
                title=activity.title,
                expected_on=date_label(monitored.expected_on),
                state=segment_state(monitored.expected_on, activity.id in done, today),
                required=monitored.required,
            )
        )
    return out


def _gate(db: Session, actor: Actor, session_id: object) -> tuple[int, str, int]:
    """The follow-up's gate: the session's trainers, tutors and staff (CORRECT)."""
    training, _ = access.access_session(db, actor, session_id, Capability.CORRECT)  # type: ignore[arg-type]
    return training.id or 0, training.title, training.organisation_id


def table(
    db: Session,
    actor: Actor,
    session_id: object,
    *,
    sort: str = "name",
    descending: bool = False,
    page: object = 1,
    page_size: object = paging.DEFAULT_PAGE_SIZE,
) -> FollowUp:
    """`Suivi des participants`: one row per learner, last connection, a tick per monitored activity, progress %.

    Sorted and paged by the database; then the ticks of the page's learners only (four queries in all).

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor of the session.
        session_id: The session.
        sort: name, last_connection, progress or finished; ties go by name.
        descending: Whether the sort runs backwards.
        page: From 1; past the end, the last page.
        page_size: 10, 25, 50 or 100.

    Returns:
        The table.

    Raises:
        PlumeError: NOT_FOUND; INVALID_INPUT for a bad sort or page.
    """
    sid, title, _ = _gate(db, actor, session_id)
    if sort not in SORTS or not isinstance(descending, bool):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    paging.check_page(page, page_size)
    monitored = _monitored(db, sid)
    columns = [Column(a.id or 0, a.title, date_label(m.expected_on), m.required) for m, a in monitored]
    activity_ids = [c.activity_id for c in columns]
    total = int(db.exec(select(func.count()).select_from(Enrolment).where(Enrolment.session_id == sid)).one())

    query = select(Enrolment.user_id).where(Enrolment.session_id == sid)
    primary: list[object] = []
    if sort == "progress" and activity_ids:
        done = (
            select(ActivityCompletion.user_id, func.count().label("done"))
            .where(col(ActivityCompletion.activity_id).in_(activity_ids))
            .group_by(col(ActivityCompletion.user_id))
            .subquery()
        )
        query = query.outerjoin(done, done.c.user_id == col(Enrolment.user_id))
        primary = [func.coalesce(done.c.done, 0)]
    elif sort == "progress":
        primary = [col(Enrolment.progress)]
    elif sort == "last_connection":
        seen = (
            select(AuthSession.user_id, func.max(AuthSession.last_seen_at).label("seen"))
            .group_by(col(AuthSession.user_id))
            .subquery()
        )
        query = query.outerjoin(seen, seen.c.user_id == col(Enrolment.user_id))
        # Never connected counts as the oldest, on SQLite and PostgreSQL alike.
        primary = [case((seen.c.seen.is_(None), 0), else_=1), seen.c.seen]
    elif sort == "finished":
        finished = select(TrainingCompletion.user_id).where(TrainingCompletion.session_id == sid)
        primary = [case((col(Enrolment.user_id).in_(finished), 1), else_=0)]
    order = [key.desc() if descending else key.asc() for key in primary]  # type: ignore[attr-defined]
    name_order = [col(Enrolment.sort_name), col(Enrolment.user_id)]
    order += [k.desc() for k in name_order] if descending and sort == "name" else [k.asc() for k in name_order]
    ordered = query.order_by(*order)
    found = paging.paginate(
        total, page, page_size, lambda limit, offset: db.exec(ordered.limit(limit).offset(offset)).all()
    )
    return FollowUp(
        session_id=sid,
        title=title,
        columns=columns,
        rows=_rows(db, sid, [u for u in found.items if u is not None], activity_ids),
        total=found.total,
        page=found.page,
        pages=found.pages,
        page_size=found.page_size,
    )


def _rows(db: Session, session_id: int, user_ids: list[int], activity_ids: list[int]) -> list[FollowUpRow]:
    if not user_ids:
        return []
    users = {u.id: u for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()}
    progress = dict(
        db.exec(
            select(Enrolment.user_id, Enrolment.progress).where(
                Enrolment.session_id == session_id, col(Enrolment.user_id).in_(user_ids)
            )
        ).all()
    )
    seen = dict(
        db.exec(
            select(AuthSession.user_id, func.max(AuthSession.last_seen_at))
            .where(col(AuthSession.user_id).in_(user_ids))
            .group_by(col(AuthSession.user_id))
        ).all()
    )
    done: set[tuple[int, int]] = set()
    if activity_ids:
        done = {
            (u, a)
            for u, a in db.exec(
                select(ActivityCompletion.user_id, ActivityCompletion.activity_id).where(
                    col(ActivityCompletion.user_id).in_(user_ids), col(ActivityCompletion.activity_id).in_(activity_ids)
                )
            ).all()
        }
    finished = set(
        db.exec(
            select(TrainingCompletion.user_id).where(
                TrainingCompletion.session_id == session_id, col(TrainingCompletion.user_id).in_(user_ids)
            )
        ).all()
    )
    rows = []
    for uid in user_ids:
        user = users.get(uid)
        if user is None:
            continue
        ticks = [(uid, a) in done for a in activity_ids]
        count = sum(ticks)
        percent = round(100 * count / len(activity_ids)) if activity_ids else progress.get(uid, 0)
        rows.append(
            FollowUpRow(
                user_id=uid,
                first_name=user.pseudonym or user.first_name,
                last_name="" if user.pseudonym else user.last_name,
                email=user.email,
                last_connection=paris_date_label(seen.get(uid)),
                ticks=ticks,
                done=count,
                percent=percent,
                finished=uid in finished,
            )
        )
    return rows


def rows_for(db: Session, actor: Actor, session_id: object, user_ids: list[int]) -> list[FollowUpRow]:
    """Some learners' rows, read again (a live tick): the same gate and columns as `table`.

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor of the session.
        session_id: The session.
        user_ids: Learners of the page.

    Returns:
        Their rows (those no longer enrolled are left out).

    Raises:
        PlumeError: NOT_FOUND.
    """
    sid, _, _ = _gate(db, actor, session_id)
    enrolled = [
        u
        for u in db.exec(
            select(Enrolment.user_id).where(Enrolment.session_id == sid, col(Enrolment.user_id).in_(user_ids))
        ).all()
    ]
    activity_ids = [a.id or 0 for _, a in _monitored(db, sid)]
    return _rows(db, sid, [u for u in user_ids if u in set(enrolled)], activity_ids)


def learner_ids(db: Session, actor: Actor, session_id: object) -> list[int]:
    """Every learner of the follow-up table (its "select all pages"), by name.

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor of the session.
        session_id: The session.

    Returns:
        User ids.

    Raises:
        PlumeError: NOT_FOUND.
    """
    sid, _, _ = _gate(db, actor, session_id)
    return [
        u
        for u in db.exec(
            select(Enrolment.user_id)
            .where(Enrolment.session_id == sid)
            .order_by(col(Enrolment.sort_name), col(Enrolment.user_id))
        ).all()
    ]


def shown_selection(db: Session, actor: Actor, session_id: object, selected: set[int]) -> list[int]:
    """The selected learners still enrolled on the session: the only ones a bulk action may reach.

    Read again at each action (never trusted from ids a browser sends).

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor of the session.
        session_id: The session.
        selected: User ids held as the selection.

    Returns:
        Those still in the table, by name.

    Raises:
        PlumeError: NOT_FOUND.
    """
    if not selected:
        _gate(db, actor, session_id)
        return []
    return [u for u in learner_ids(db, actor, session_id) if u in selected]


def message_participants(
    db: Session, actor: Actor, session_id: object, user_ids: set[int], *, subject: object, text: object
) -> int:
    """`Envoyer un message`: a free message to selected learners, by e-mail (outbox) and in-app notification.

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor of the session.
        session_id: The session.
        user_ids: The selection (re-read: only learners still enrolled are reached).
        subject: The subject (at most 200 characters).
        text: The text (at most 5,000 characters).

    Returns:
        How many learners were written to.

    Raises:
        PlumeError: NOT_FOUND; SUBJECT_REQUIRED (field "subject"), MESSAGE_EMPTY / MESSAGE_TOO_LONG (field "text").
    """
    sid, title, organisation_id = _gate(db, actor, session_id)
    subject_text = subject.strip() if isinstance(subject, str) else ""
    body = text.strip() if isinstance(text, str) else ""
    if not subject_text:
        raise PlumeError(ErrorCode.SUBJECT_REQUIRED, field="subject")
    if len(subject_text) > SUBJECT_MAX:
        raise PlumeError(ErrorCode.TEXT_TOO_LONG, field="subject", max=str(SUBJECT_MAX))
    if not body:
        raise PlumeError(ErrorCode.MESSAGE_EMPTY, field="text")
    if len(body) > TEXT_MAX:
        raise PlumeError(ErrorCode.MESSAGE_TOO_LONG, field="text", max=str(TEXT_MAX))
    targets = shown_selection(db, actor, sid, set(list(user_ids)[:MAX_RECIPIENTS]))
    if not targets:
        return 0
    link = f"/sessions/{sid}"
    url = f"{get_settings().base_url}{link}"
    for user in db.exec(select(User).where(col(User.id).in_(targets))).all():
        enqueue_email(
            db,
            to=user.email,
            message=Template(subject_text, f"{body}\n\n{title}\n{url}"),
            kind="participants_message",
            organisation_id=organisation_id,
        )
        db.add(
            Notification(
                user_id=user.id or 0,
                organisation_id=organisation_id,
                kind="participants_message",
                title=subject_text[:300],
                link=link,
            )
        )
    audit.record(
        db,
        "follow_up.message",
        actor_user_id=actor.user_id,
        organisation_id=organisation_id,
        target=f"session:{sid}",
        after={"recipients": len(targets), "subject": subject_text},
    )
    return len(targets)
