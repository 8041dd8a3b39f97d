"""The tutoring centre: the learners of the sessions one follows (`access`), their progress, a page at a time.

A session may hold 10,000 learners, so nothing here loads them all: counts,
statuses, search, sorting and paging are done by the database, and only the
requested page of rows comes back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, UnaryExpression, case, func, or_
from sqlmodel import Session, col, select

from app.clock import date_label, paris_date_label, paris_datetime_label
from app.i18n import percent_text
from app.models import (
    Activity,
    ActivityCompletion,
    AuditRecord,
    AuthSession,
    Course,
    Enrolment,
    LessonAttempt,
    Module,
    Organisation,
    OutboxEmail,
    TrainingCompletion,
    TrainingSession,
    User,
)
from app.models.training import ENROLMENT_KINDS
from app.models.tutoring import Reminder
from app.services import access, audience, audit, paging, progress, search
from app.services.actor import Actor
from app.services.attendance import summaries
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import validations
from app.services.evaluations.validations import RecordLine
from app.services.outbox import enqueue_email
from app.services.sessions.modules import ordered_modules
from app.services.templates import Template, get_template, render
from app.settings import get_settings

KINDS = ("all", *ENROLMENT_KINDS)
SORTS = ("name", "progress", "status", "time", "last_activity")
QUERY_LIMIT = 100


@dataclass(frozen=True)
class TutoredSession:
    """One session on the tutor's list."""

    id: int
    course_id: int
    course_title: str
    title: str
    starts_on: str  # DD/MM/YYYY, as every list shows a day; the query sorts by the real date
    ends_on: str
    status: str
    learners: int


def tutored_sessions(db: Session, actor: Actor) -> list[TutoredSession]:
    """The sessions of the selected organisation whose learners the actor may follow.

    Those the actor FOLLOWs (`access.Capability.FOLLOW`: staff every session
    but drafts, tutors the sessions they are positioned on); anyone else nothing.
    The list is built from the same rule as `access.access_followed_session`.

    Args:
        db: Database session.
        actor: The signed-in actor.

    Returns:
        The sessions, the latest start first.
    """
    if actor.organisation_id is None or not actor.fully_signed_in:
        return []
    learners = func.count(col(Enrolment.id))
    query = (
        select(TrainingSession, Course.title, learners)
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .outerjoin(Enrolment, col(Enrolment.session_id) == col(TrainingSession.id))
        .where(*access.followed_in(actor, actor.organisation_id))
        .where(col(TrainingSession.status) != "archived")  # archived sessions are listed under "Archives" only
        .group_by(col(TrainingSession.id), col(Course.title))
        .order_by(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc())
    )
    return [
        TutoredSession(
            id=training.id or 0,
            course_id=training.course_id,
            course_title=course_title,
            title=training.title,
            starts_on=date_label(training.starts_on),
            ends_on=date_label(training.ends_on),
            status=training.status,
            learners=int(count),
        )
        for training, course_title, count in db.exec(query).all()
    ]


@dataclass(frozen=True)
class Pie:
    """How many of the filtered learners have not started, are in progress, have finished."""

    not_started: int
    in_progress: int
    finished: int


@dataclass(frozen=True)
class LearnerRow:
    """One line of the tutoring centre's learner table (one enrolment: a learner in a session)."""

    session_id: int
    user_id: int
    name: str
    email: str
    kind: str
    status: str
    progress: int
    time_spent_s: int
    time_spent: str
    last_activity_at: str
    last_activity: str = ""
    finished_on: str = ""  # "Formation terminée" declared on (DD/MM/YYYY, Paris), else ""


@dataclass(frozen=True)
class Centre:
    """The tutoring centre of a session (or of a course: its sessions the actor follows)."""

    session_ids: list[int]
    activities: int
    learners: int
    pie: Pie
    total: int
    page: int
    pages: int
    page_size: int
    rows: list[LearnerRow]


def _clean_query(query: str) -> str:
    if not isinstance(query, str):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    return query.strip()[:QUERY_LIMIT]


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT)


def _matches(query: str) -> ColumnElement[bool]:
    """Search on names and e-mail, case and accents ignored ("lea" finds "Léa"; `search.contains`)."""
    return or_(
        search.contains(User.first_name, query),
        search.contains(User.last_name, query),
        search.contains(User.pseudonym, query),
        search.contains(User.email, query),
    )


def _by_name(descending: bool = False) -> list[UnaryExpression[Any]]:
    """Last then first name, case and accents ignored: the enrolment's own key, read in (session, key) index order."""
    keys: list[Any] = [col(Enrolment.sort_name), col(Enrolment.user_id), col(Enrolment.session_id)]
    return [k.desc() if descending else k.asc() for k in keys]


STATUS_RANK = case((col(Enrolment.status) == "not_started", 0), (col(Enrolment.status) == "in_progress", 1), else_=2)


def course_sessions(db: Session, actor: Actor, course_id: int) -> tuple[Course, list[int]]:
    """The sessions of a course whose learners the actor follows (the scope of a course's tutoring centre).

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course.

    Returns:
        The course and its followed session ids.

    Raises:
        PlumeError: NOT_FOUND for a missing course or one with no session the actor follows.
    """
    course = db.get(Course, course_id) if isinstance(course_id, int) and not isinstance(course_id, bool) else None
    if course is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    ids = [s.id for s in tutored_sessions(db, actor) if s.course_id == course.id]
    if not ids:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return course, ids


def _scope(db: Session, actor: Actor, session_id: int, course_id: int | None) -> list[int]:
    if course_id is not None:
        return course_sessions(db, actor, course_id)[1]
    training = access.access_followed_session(db, actor, session_id)
    return [training.id or 0]


def centre(
    db: Session,
    actor: Actor,
    session_id: int,
    *,
    course_id: int | None = None,
    kind: str = "all",
    query: str = "",
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> Centre:
    """The tutoring centre: learner count, pie, and one sorted, searched page of learners.

    The same handful of queries whatever the number of learners: the gate, the
    activity count, one aggregate over the enrolments (learners, pie, search
    matches), the page's enrolments (LIMIT/OFFSET), then the details of those
    only. Progress, status and time live on each enrolment (kept up to date by
    `app.services.progress`), so sorting by them reads no completions.

    Controls outside the allowed values are refused rather than guessed (the UI
    only offers valid ones); a page past the end shows the last page, since a
    search or a filter may shrink the list under the person.

    Args:
        db: Database session.
        actor: A staff member of the session's organisation or a tutor positioned on it.
        session_id: The session (ignored when `course_id` is given).
        course_id: A course instead: the learners of all its sessions the actor follows.
        kind: Enrolment kind shown: all, mandatory, recommended or free.
        query: Part of a first name, last name, pseudonym or e-mail (case-insensitive; at most 100 characters used).
        sort: name (last then first name), progress, status, time or last_activity; ties go by name.
        descending: Whether the sort runs backwards.
        page: From 1; past the end, the last page.
        page_size: 10, 25, 50 or 100.

    Returns:
        The centre: `learners` and `pie` count the kind filter only, `total` and `pages` the search too.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_followed_session`); INVALID_INPUT for a bad kind, sort or page.
    """
    scope = _scope(db, actor, session_id, course_id)
    _check_kind(kind)
    words = _clean_query(query)
    if sort not in SORTS or not isinstance(descending, bool):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    paging.check_page(page, page_size)

    activities = int(
        db.exec(
            select(func.count(col(Activity.id)))
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(col(Module.session_id).in_(scope))
        ).one()
    )
    filters: list[ColumnElement[bool]] = [col(Enrolment.session_id).in_(scope)]
    if kind != "all":
        filters.append(col(Enrolment.kind) == kind)
    searched = _matches(words) if words else None

    figures_query = select(
        func.count(),
        func.coalesce(func.sum(case((col(Enrolment.status) == "not_started", 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(Enrolment.status) == "finished", 1), else_=0)), 0),
        func.coalesce(func.sum(case((searched, 1), else_=0)), 0) if searched is not None else func.count(),
    ).select_from(Enrolment)
    if searched is not None:
        figures_query = figures_query.join(User, col(User.id) == col(Enrolment.user_id))
    figures = db.exec(figures_query.where(*filters)).one()
    learners, not_started, finished, total = (int(n) for n in figures)

    page_query = select(col(Enrolment.id)).join(User, col(User.id) == col(Enrolment.user_id)).where(*filters)
    if searched is not None:
        page_query = page_query.where(searched)
    primary: list[Any] = []
    if sort == "progress":
        primary = [col(Enrolment.progress)]
    elif sort == "status":
        primary = [STATUS_RANK]
    elif sort == "time":
        primary = [col(Enrolment.time_spent_s)]
    elif sort == "last_activity":
        # Never active counts as the oldest activity, on SQLite and PostgreSQL alike.
        primary = [case((col(Enrolment.last_activity_at).is_(None), 0), else_=1), col(Enrolment.last_activity_at)]
    order = [key.desc() if descending else key.asc() for key in primary] + _by_name(descending and sort == "name")
    ordered = page_query.order_by(*order)
    found = paging.paginate(
        total, page, page_size, lambda limit, offset: db.exec(ordered.limit(limit).offset(offset)).all()
    )
    return Centre(
        session_ids=scope,
        activities=activities,
        learners=learners,
        pie=Pie(not_started=not_started, in_progress=learners - not_started - finished, finished=finished),
        total=found.total,
        page=found.page,
        pages=found.pages,
        page_size=found.page_size,
        rows=_rows(db, [i for i in found.items if i is not None]),
    )


def _rows(db: Session, enrolment_ids: list[int]) -> list[LearnerRow]:
    """The page's lines, in the page's order."""
    if not enrolment_ids:
        return []
    found = {
        enrolment.id: LearnerRow(
            session_id=enrolment.session_id,
            user_id=user.id or 0,
            name=user.display_name,
            email=user.email,
            kind=enrolment.kind,
            status=enrolment.status,
            progress=enrolment.progress,
            time_spent_s=enrolment.time_spent_s,
            time_spent=progress.duration(enrolment.time_spent_s) if enrolment.time_spent_s else "",
            last_activity_at=enrolment.last_activity_at.isoformat() if enrolment.last_activity_at else "",
            last_activity=_paris(enrolment.last_activity_at),
            finished_on=paris_date_label(decided_at) if decided_at else "",
        )
        for enrolment, user, decided_at in db.exec(
            select(Enrolment, User, TrainingCompletion.decided_at)
            .join(User, col(User.id) == col(Enrolment.user_id))
            .outerjoin(
                TrainingCompletion,
                (col(TrainingCompletion.session_id) == col(Enrolment.session_id))
                & (col(TrainingCompletion.user_id) == col(Enrolment.user_id)),
            )
            .where(col(Enrolment.id).in_(enrolment_ids))
        ).all()
    }
    return [found[i] for i in enrolment_ids if i in found]


def learner_keys(
    db: Session, actor: Actor, session_id: int, *, course_id: int | None = None, kind: str = "all", query: str = ""
) -> list[tuple[int, int]]:
    """Every (session, learner) the centre's filter and search select, across all pages.

    Args:
        db: Database session.
        actor: A staff member of the session's organisation or a tutor positioned on it.
        session_id: The session (ignored when `course_id` is given).
        course_id: A course's centre instead.
        kind: Enrolment kind: all, mandatory, recommended or free.
        query: The same search as `centre`.

    Returns:
        (session id, user id) pairs, by name.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_followed_session`); INVALID_INPUT for another kind.
    """
    scope = _scope(db, actor, session_id, course_id)
    _check_kind(kind)
    words = _clean_query(query)
    keys = (
        select(Enrolment.session_id, Enrolment.user_id)
        .join(User, col(User.id) == col(Enrolment.user_id))
        .where(col(Enrolment.session_id).in_(scope))
        .order_by(*_by_name())
    )
    if kind != "all":
        keys = keys.where(Enrolment.kind == kind)
    if words:
        keys = keys.where(_matches(words))
    return [(sid, uid) for sid, uid in db.exec(keys).all()]


def shown_selection(
    db: Session,
    actor: Actor,
    session_id: int,
    selected: set[tuple[int, int]],
    *,
    course_id: int | None = None,
    kind: str = "all",
    query: str = "",
) -> dict[int, list[int]]:
    """The selected learners the centre's filter and search show now: the only ones a bulk action may reach.

    A selection made under another filter, or a learner whose enrolment changed since, is dropped here rather
    than trusted: the target is read from the same query as `learner_keys` (hence as "select all pages").

    Args:
        db: Database session.
        actor: A staff member of the session's organisation or a tutor positioned on it.
        session_id: The session (ignored when `course_id` is given).
        selected: (session id, user id) pairs held as the selection.
        course_id: A course's centre instead.
        kind: Enrolment kind shown: all, mandatory, recommended or free.
        query: The search shown.

    Returns:
        User ids by session id, both in the list's order; empty when nothing selected is shown.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_followed_session`); INVALID_INPUT for another kind.
    """
    groups: dict[int, list[int]] = {}
    if not selected:
        return groups
    for sid, uid in learner_keys(db, actor, session_id, course_id=course_id, kind=kind, query=query):
        if (sid, uid) in selected:
            groups.setdefault(sid, []).append(uid)
    return groups


@dataclass(frozen=True)
class LessonLine:
    """One activity of the timeline, as one learner stands on it."""

    activity_id: int
    module: str
    title: str
    kind: str
    status: str
    completed_at: str
    score: str = ""
    average: str = ""
    passing: str = ""
    attempts: list[progress.AttemptLine] = field(default_factory=list)
    time: str = ""
    status_at: str = ""
    time_spent_s: int = 0
    location: str = ""
    suspend_data: str = ""
    status_date: str = ""
    attendance: list[str] = field(default_factory=list)  # each half-day begun: "<when> : <status>" (one rule)


@dataclass(frozen=True)
class ConnectionLine:
    """One signed-in browser of the learner."""

    started: str
    last_seen: str
    device: str


@dataclass(frozen=True)
class VisitLine:
    """One visit of the learner to a lesson (an attempt opened): `Historique des connexions`."""

    started: str
    lesson: str
    time: str


@dataclass(frozen=True)
class ReminderLine:
    """One reminder sent to the learner: when, its type, the template used, its subject, who sent it."""

    sent_at: str
    kind: str  # "manual": sent by a tutor or staff from the tutoring centre (the only way there is today)
    template: str  # the template's kind: reminder or reminder_deadline
    subject: str
    by: str


@dataclass(frozen=True)
class ReportCourse:
    """Another session (course) of the learner that the actor follows: `Sélectionner un autre cours`."""

    session_id: int
    label: str


@dataclass(frozen=True)
class LearnerReport:
    """The tutor's report on one learner of a session."""

    organisation: str
    name: str
    email: str
    kind: str
    starts_on: str
    objective_on: str
    ends_on: str
    status: str
    progress: int
    time_spent: str
    first_connection: str
    last_connection: str
    lessons: list[LessonLine]
    connections: list[ConnectionLine]
    reminders: list[ReminderLine]
    visits: list[VisitLine] = field(default_factory=list)
    courses: list[ReportCourse] = field(default_factory=list)
    competencies: list[RecordLine] = field(default_factory=list)  # the course's, acquired or not
    validated_modules: list[RecordLine] = field(default_factory=list)  # the session's modules, validated or not


def _paris(moment: Any) -> str:
    return paris_datetime_label(moment)


def _device(agent: str) -> str:
    browser = next((b for b in ("Edg", "Firefox", "Chrome", "Safari") if b in agent), "")
    system = next((s for s in ("Android", "iPhone", "iPad", "Windows", "Mac OS", "Linux") if s in agent), "")
    label = " · ".join(p for p in (browser.replace("Edg", "Edge"), system) if p)
    return label or "—"


def learner_report(db: Session, actor: Actor, session_id: int, user_id: int) -> LearnerReport:
    """A learner's report: who, the session's dates, each activity's state, connections.

    Args:
        db: Database session.
        actor: Staff of the organisation or a tutor following the session.
        session_id: The session.
        user_id: A learner enrolled in it.

    Returns:
        The report.

    Raises:
        PlumeError: NOT_FOUND for anyone else, or a learner not enrolled in the session.
    """
    training = access.access_followed_session(db, actor, session_id)
    enrolment = (
        db.exec(select(Enrolment).where(Enrolment.session_id == training.id, Enrolment.user_id == user_id)).first()
        if isinstance(user_id, int)
        else None
    )
    user = db.get(User, user_id) if enrolment is not None else None
    organisation = db.get(Organisation, training.organisation_id)
    if enrolment is None or user is None or organisation is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    modules = ordered_modules(db, training.id or 0)
    titles = {m.id: m.title for m in modules}
    activities = list(
        db.exec(
            select(Activity)
            .where(col(Activity.module_id).in_(list(titles)))
            .order_by(col(Activity.module_id), col(Activity.position))
        ).all()
    )
    order = {m.id: i for i, m in enumerate(modules)}
    activities = [a for a in activities if audience.invited(a, user_id)]
    activities.sort(key=lambda a: (order.get(a.module_id, 0), a.position))
    done = {
        c.activity_id: c.completed_at
        for c in db.exec(
            select(ActivityCompletion).where(
                ActivityCompletion.user_id == user_id,
                col(ActivityCompletion.activity_id).in_([a.id for a in activities]),
            )
        ).all()
    }
    stats = progress.lesson_stats(db, training.id or 0, user_id, activities)
    # The same status as the board and the PDF sheet (`attendance.status`), for in-person days and virtual classes.
    presence = summaries.learner_attendance(db, training.id or 0, user_id)
    lessons = []
    for a in activities:
        line = stats.get(a.id or 0)
        status = line.status if line is not None else ("completed" if a.id in done else "not_started")
        lessons.append(
            LessonLine(
                activity_id=a.id or 0,
                module=titles.get(a.module_id, ""),
                title=a.title,
                kind=a.kind,
                status=status,
                completed_at=_paris(done.get(a.id or 0)),
                score=line.score if line else "",
                average=line.average if line else "",
                passing=line.passing
                if line
                else (f"{progress.passing_score(a)} %" if progress.passing_score(a) is not None else ""),
                attempts=line.attempts if line else [],
                time=line.time if line else "",
                status_at=line.status_at if line else _paris(done.get(a.id or 0)),
                time_spent_s=line.time_spent_s if line else 0,
                location=line.location if line else "",
                suspend_data=line.suspend_data if line else "",
                status_date=line.status_date if line else "",
                attendance=presence.get(a.id or 0, []),
            )
        )
    browsers = list(
        db.exec(
            select(AuthSession).where(AuthSession.user_id == user_id).order_by(col(AuthSession.created_at).desc())
        ).all()
    )
    first = min((b.created_at for b in browsers), default=None)
    last = max((b.last_seen_at for b in browsers), default=None)
    record = validations.record_of(db, training, user, modules)
    return LearnerReport(
        organisation=organisation.name,
        name=user.display_name,
        email=user.email,
        kind=enrolment.kind,
        starts_on=training.starts_on.strftime("%d/%m/%Y"),
        objective_on=(training.availability_ends_on or training.ends_on).strftime("%d/%m/%Y"),
        ends_on=training.ends_on.strftime("%d/%m/%Y"),
        status=enrolment.status,
        progress=enrolment.progress,
        time_spent=progress.duration(enrolment.time_spent_s),
        first_connection=_paris(first),
        last_connection=_paris(last),
        lessons=lessons,
        connections=[
            ConnectionLine(started=_paris(b.created_at), last_seen=_paris(b.last_seen_at), device=_device(b.user_agent))
            for b in browsers[:20]
        ],
        reminders=_reminder_lines(db, training.id or 0, user_id),
        visits=_visits(db, user_id, activities, titles),
        courses=_report_courses(db, actor, user_id),
        competencies=record.competencies,
        validated_modules=record.modules,
    )


MAX_VISITS = 200
MAX_COURSES = 100


def _reminder_lines(db: Session, session_id: int, user_id: int) -> list[ReminderLine]:
    """The reminders sent to a learner in a session, newest first; the template is read from the e-mail sent."""
    rows = db.exec(
        select(Reminder, User, OutboxEmail.kind)
        .join(User, col(User.id) == col(Reminder.sent_by_id))
        .outerjoin(OutboxEmail, col(OutboxEmail.id) == col(Reminder.outbox_id))
        .where(Reminder.session_id == session_id, Reminder.user_id == user_id)
        .order_by(col(Reminder.created_at).desc(), col(Reminder.id).desc())
    ).all()
    return [
        ReminderLine(
            sent_at=_paris(r.created_at),
            kind="manual",
            # Reminders sent before the e-mail kept its template's kind were all the plain reminder.
            template=kind if kind in REMINDER_TEMPLATES else "reminder",
            subject=r.subject,
            by=sender.display_name,
        )
        for r, sender, kind in rows
    ]


def _visits(db: Session, user_id: int, activities: list[Activity], modules: dict[int | None, str]) -> list[VisitLine]:
    """Each time the learner opened a lesson of the session (its attempts), newest first, with the time spent."""
    titles = {a.id: a.title for a in activities}
    attempts = db.exec(
        select(LessonAttempt)
        .where(LessonAttempt.user_id == user_id, col(LessonAttempt.activity_id).in_(list(titles)))
        .order_by(col(LessonAttempt.started_at).desc(), col(LessonAttempt.id).desc())
        .limit(MAX_VISITS)
    ).all()
    return [
        VisitLine(
            started=_paris(a.started_at),
            lesson=titles.get(a.activity_id, ""),
            time=progress.duration(a.time_spent_s),
        )
        for a in attempts
    ]


def _report_courses(db: Session, actor: Actor, user_id: int) -> list[ReportCourse]:
    """The learner's sessions that the actor follows in the selected organisation (this one included)."""
    if actor.organisation_id is None:
        return []
    rows = db.exec(
        select(col(TrainingSession.id), col(Course.title), col(TrainingSession.title), col(TrainingSession.starts_on))
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .join(Enrolment, col(Enrolment.session_id) == col(TrainingSession.id))
        .where(Enrolment.user_id == user_id, *access.followed_in(actor, actor.organisation_id))
        .order_by(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc())
        .limit(MAX_COURSES)
    ).all()
    return [
        ReportCourse(session_id=sid or 0, label=f"{course} — {title} ({starts:%d/%m/%Y})")
        for sid, course, title, starts in rows
    ]


MAX_REMINDERS = 10_000
REMINDER_TEMPLATES = ("reminder", "reminder_deadline")


def _reminder_values(db: Session, training: TrainingSession, organisation: Organisation, user: User) -> dict[str, str]:
    done = db.exec(
        select(Enrolment.progress).where(Enrolment.session_id == training.id, Enrolment.user_id == user.id)
    ).first()
    return {
        "prenom": user.first_name or user.display_name,
        "nom": user.last_name,
        "organisation": organisation.name,
        "lien": f"{get_settings().base_url.rstrip('/')}/sessions/{training.id}",
        "session": training.title,
        "progression": str(done or 0),
        "echeance": (training.availability_ends_on or training.ends_on).strftime("%d/%m/%Y"),
    }


def _enrolled(db: Session, session_id: int, user_ids: list[int]) -> list[User]:
    wanted = sorted({u for u in user_ids if isinstance(u, int) and not isinstance(u, bool)})[:MAX_REMINDERS]
    if not wanted:
        return []
    enrolled = select(Enrolment.user_id).where(Enrolment.session_id == session_id)
    return list(
        db.exec(select(User).where(col(User.id).in_(wanted), col(User.id).in_(enrolled)).order_by(col(User.id))).all()
    )


def _template_kind(template: str) -> str:
    if template not in REMINDER_TEMPLATES:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="template")
    return template


def preview_reminder(db: Session, actor: Actor, session_id: int, user_id: int, template: str = "reminder") -> Template:
    """The reminder as one learner will receive it (the organisation's template, filled in).

    Args:
        db: Database session.
        actor: Staff or a tutor following the session.
        session_id: The session.
        user_id: A learner of it.
        template: Which reminder template: reminder or reminder_deadline.

    Returns:
        Subject and body.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training = access.access_followed_session(db, actor, session_id)
    organisation = db.get(Organisation, training.organisation_id)
    users = _enrolled(db, training.id or 0, [user_id])
    if organisation is None or not users:
        raise PlumeError(ErrorCode.NOT_FOUND)
    chosen = get_template(db, organisation.id, _template_kind(template), users[0].language)
    return render(chosen, _reminder_values(db, training, organisation, users[0]))


def send_reminders(db: Session, actor: Actor, session_id: int, user_ids: list[int], template: str = "reminder") -> int:
    """E-mail the reminder to learners of the session and note it in each one's history.

    Only learners enrolled in the session are written to; other ids are ignored.

    Args:
        db: Database session.
        actor: Staff or a tutor following the session.
        session_id: The session.
        user_ids: The learners chosen.
        template: Which reminder template: reminder or reminder_deadline.

    Returns:
        How many reminders went to the outbox.

    Raises:
        PlumeError: NOT_FOUND, or INVALID_INPUT when nobody of the session was chosen.
    """
    training = access.access_followed_session(db, actor, session_id)
    organisation = db.get(Organisation, training.organisation_id)
    users = _enrolled(db, training.id or 0, user_ids)
    kind = _template_kind(template)
    if organisation is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not users:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    sent: list[tuple[OutboxEmail, Reminder]] = []
    for user in users:
        message = render(
            get_template(db, organisation.id, kind, user.language),
            _reminder_values(db, training, organisation, user),
        )
        # The e-mail's kind is the template's: the learner's report shows which one was sent.
        email = enqueue_email(db, to=user.email, message=message, kind=kind, organisation_id=organisation.id)
        reminder = Reminder(
            session_id=training.id or 0, user_id=user.id or 0, sent_by_id=actor.user_id, subject=message.subject
        )
        db.add(reminder)
        sent.append((email, reminder))
    db.flush()  # one flush gives every e-mail its id: each reminder points at the e-mail it sent
    for email, reminder in sent:
        reminder.outbox_id = email.id
    audit.by_actor(
        db,
        actor,
        "tutoring.remind",
        organisation_id=organisation.id,
        target=f"session:{training.id}",
        after={"learners": [u.id for u in users]},
    )
    return len(users)


def edit_lesson_stats(
    db: Session, actor: Actor, session_id: int, *, user_id: int, activity_id: int, values: dict[str, Any]
) -> None:
    """`Modifier les statistiques` of one learner on one activity (see `progress.edit_stats`).

    Args:
        db: Database session.
        actor: Staff or a tutor following the session.
        session_id: The session.
        user_id: A learner enrolled in it.
        activity_id: An activity of its timeline.
        values: The form.

    Raises:
        PlumeError: NOT_FOUND for anyone else, a learner or activity outside the session; a validation code.
    """
    training = access.access_followed_session(db, actor, session_id)
    if not _enrolled(db, training.id or 0, [user_id]):
        raise PlumeError(ErrorCode.NOT_FOUND)
    progress.edit_stats(db, actor, training, user_id=user_id, activity_id=activity_id, values=values)


STATS_EDIT_ACTION = "tutoring.edit_stats"  # written by `progress.edit_stats`
STATS_TRAIL_LIMIT = 200
STATS_FIELDS = ("status", "status_at", "score", "time_spent_s", "attempts", "location", "suspend_data")
_SHOWN_CHARS = 60


@dataclass(frozen=True)
class StatsChange:
    """One field of a statistics edit: its name (a STATS_FIELDS key), its value before and after, as shown."""

    field: str
    before: str
    after: str


@dataclass(frozen=True)
class StatsEditLine:
    """One `Modifier les statistiques` in the learner's report: when (Paris), who, which activity, what changed."""

    at: str
    by: str
    activity: str
    changes: list[StatsChange]


def _stats_value(name: str, value: Any) -> str:
    """A snapshot's value as a person reads it (status keys stay keys: the page translates them)."""
    if value is None or value == "":
        return "—"
    if name == "time_spent_s" and isinstance(value, int):
        return f"{value // 3600}:{value // 60 % 60:02d}:{value % 60:02d}"
    if name == "status_at" and isinstance(value, str):
        try:
            return _paris(datetime.fromisoformat(value))
        except ValueError:
            return value
    if name == "score" and isinstance(value, int | float):
        return percent_text(value)
    text = str(value)
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def _stats_changes(before: str, after: str) -> list[StatsChange]:
    old = json.loads(before) if before else {}
    new = json.loads(after) if after else {}
    # A lesson never opened has no row: its time counts as 0, its empty texts as empty (no change shown for them).
    shown = [
        (
            name,
            _stats_value(name, old.get(name, 0 if name == "time_spent_s" else None)),
            _stats_value(name, new.get(name)),
        )
        for name in STATS_FIELDS
    ]
    return [StatsChange(field=name, before=before, after=after) for name, before, after in shown if before != after]


def stats_trail(db: Session, actor: Actor, session_id: int, user_id: int) -> list[StatsEditLine]:
    """The audit trail of `Modifier les statistiques` on one learner of a session, newest first.

    Read from the audit records `progress.edit_stats` writes (target `activity:<id>:user:<id>`), limited to the
    session's activities, behind the same gate as the report (`access.access_followed_session`).

    Args:
        db: Database session.
        actor: Staff of the organisation or a tutor following the session.
        session_id: The session.
        user_id: A learner enrolled in it.

    Returns:
        At most STATS_TRAIL_LIMIT edits, newest first.

    Raises:
        PlumeError: NOT_FOUND for anyone else, or a learner not enrolled in the session.
    """
    training = access.access_followed_session(db, actor, session_id)
    if not isinstance(user_id, int) or not _enrolled(db, training.id or 0, [user_id]):
        raise PlumeError(ErrorCode.NOT_FOUND)
    module_ids = [m.id for m in ordered_modules(db, training.id or 0)]
    titles = {a.id: a.title for a in db.exec(select(Activity).where(col(Activity.module_id).in_(module_ids))).all()}
    targets = {f"activity:{aid}:user:{user_id}": title for aid, title in titles.items()}
    if not targets:
        return []
    rows = db.exec(
        select(AuditRecord, User)
        .join(User, col(User.id) == col(AuditRecord.actor_user_id), isouter=True)
        .where(
            AuditRecord.action == STATS_EDIT_ACTION,
            AuditRecord.organisation_id == training.organisation_id,
            col(AuditRecord.target).in_(list(targets)),
        )
        .order_by(col(AuditRecord.at).desc(), col(AuditRecord.id).desc())
        .limit(STATS_TRAIL_LIMIT)
    ).all()
    return [
        StatsEditLine(
            at=_paris(record.at),
            by=who.display_name if who is not None else "—",
            activity=targets[record.target],
            changes=_stats_changes(record.before, record.after),
        )
        for record, who in rows
    ]


def centre_titles(db: Session, centre: Centre, *, course_id: int | None = None) -> tuple[str, str]:
    """The headings of a centre already read (its gate passed): the session's title and its course's.

    Args:
        db: Database session.
        centre: The centre, as `centre` returned it.
        course_id: The course, for a course's centre (no session title then).

    Returns:
        (session title or "", course title).
    """
    if course_id is not None:
        course = db.get(Course, course_id)
        return "", course.title if course else ""
    training = db.get(TrainingSession, centre.session_ids[0]) if centre.session_ids else None
    course = db.get(Course, training.course_id) if training is not None else None
    return (training.title if training else ""), (course.title if course else "")
