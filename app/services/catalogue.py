"""The course catalogue (staff) and creating sessions from a course."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.models import Activity, Course, Enrolment, Module, TrainerPosition, TrainingSession
from app.models.tutoring import TutorPosition
from app.services import audit, search
from app.services.access import access_course, access_tutored_course
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.orgs import require_staff
from app.services.typed import parse_date


@dataclass(frozen=True)
class CourseForm:
    """What staff type to create or edit a course."""

    title: str
    short_title: str = ""
    description: str = ""
    objectives: str = ""
    categories: str = ""
    competencies: str = ""
    target_audience: str = ""
    remote_hours: str = "0"
    in_person_hours: str = "0"
    origin: str = ""


@dataclass(frozen=True)
class CourseRow:
    """One course in the catalogue."""

    id: int
    title: str
    short_title: str
    description: str
    categories: str
    remote_hours: float
    in_person_hours: float
    sessions: int
    modules: int
    image: str = ""
    origin: str = ""


def _hours(value: str, field: str) -> float:
    try:
        hours = float(value.replace(",", ".").strip() or "0")  # "2,5" as a French person types it
    except ValueError as exc:
        raise PlumeError(ErrorCode.HOURS_RANGE, field=field) from exc
    if not 0 <= hours <= 10_000:  # also refuses nan and inf
        raise PlumeError(ErrorCode.HOURS_RANGE, field=field)
    return hours


def _text(value: str, limit: int) -> str:
    return value.strip()[:limit]


def _apply(course: Course, form: CourseForm) -> None:
    title = " ".join(form.title.split())
    if not title:
        raise PlumeError(ErrorCode.TITLE_REQUIRED, field="title")
    course.remote_hours = _hours(form.remote_hours, "remote_hours")
    course.in_person_hours = _hours(form.in_person_hours, "in_person_hours")
    course.title = title[:200]
    course.short_title = _text(form.short_title, 60)
    course.description = _text(form.description, 10_000)
    course.objectives = _text(form.objectives, 10_000)
    course.categories = _text(form.categories, 300)
    course.competencies = _text(form.competencies, 10_000)
    course.target_audience = _text(form.target_audience, 5_000)
    course.origin = " ".join(form.origin.split())[:100]


QUERY_LIMIT = 100
STAFF_WANTED = 2  # "Préférable d'avoir 2 tuteurs/formateurs par session"


def list_courses(db: Session, actor: Actor, query: str = "") -> list[CourseRow]:
    """The organisation's catalogue, by title.

    Args:
        db: Database session.
        actor: A staff member.
        query: Part of the title, short title or categories, case and accents ignored ("" for every course).

    Returns:
        The courses with their session and template-module counts.
    """
    org_id = require_staff(actor)
    words = query.strip()[:QUERY_LIMIT] if isinstance(query, str) else ""
    found = select(Course).where(Course.organisation_id == org_id)
    if words:
        found = found.where(
            or_(
                search.contains(Course.title, words),
                search.contains(Course.short_title, words),
                search.contains(Course.categories, words),
            )
        )
    return course_rows(db, list(db.exec(found.order_by(col(Course.title))).all()))


def course_rows(db: Session, courses: list[Course]) -> list[CourseRow]:
    """Courses as catalogue rows, with their session and template-module counts (two grouped queries).

    Args:
        db: Database session.
        courses: The courses (the caller checked access).

    Returns:
        One row per course, in the same order.
    """
    ids = [c.id for c in courses]
    sessions = dict(
        db.exec(
            select(TrainingSession.course_id, func.count(col(TrainingSession.id)))
            .where(col(TrainingSession.course_id).in_(ids))
            .group_by(col(TrainingSession.course_id))
        ).all()
    )
    modules = dict(
        db.exec(
            select(Module.course_id, func.count(col(Module.id)))
            .where(col(Module.course_id).in_(ids))
            .group_by(col(Module.course_id))
        ).all()
    )
    return [
        CourseRow(
            id=c.id or 0,
            title=c.title,
            short_title=c.short_title,
            description=c.description,
            categories=c.categories,
            remote_hours=c.remote_hours,
            in_person_hours=c.in_person_hours,
            sessions=sessions.get(c.id or 0, 0),
            modules=modules.get(c.id or 0, 0),
            image=f"/api/courses/{c.id}/image" if c.thumbnail_document_id else "",
            origin=c.origin,
        )
        for c in courses
    ]


def catalogue_entry(db: Session, actor: Actor, course_id: int) -> tuple[Course, bool]:
    """A course's catalogue entry: staff edit it; a tutor following one of its sessions reads it.

    The tutor's course page links here ("Vers la fiche catalogue") to see the course as learners are offered it.

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course.

    Returns:
        The course, and whether the actor may edit it.

    Raises:
        PlumeError: NOT_FOUND for anyone else (`access_course`, then `access_tutored_course`).
    """
    try:
        return access_course(db, actor, course_id), True
    except PlumeError:
        return access_tutored_course(db, actor, course_id).course, False


def create_course(db: Session, actor: Actor, form: CourseForm) -> Course:
    """Add a course to the catalogue.

    Args:
        db: Database session.
        actor: A staff member.
        form: The course's details.

    Returns:
        The new course.

    Raises:
        PlumeError: TITLE_REQUIRED or HOURS_RANGE, naming the field.
    """
    org_id = require_staff(actor)
    course = Course(organisation_id=org_id, title="")
    _apply(course, form)
    db.add(course)
    db.flush()
    audit.record(
        db,
        "course.create",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"course:{course.id}",
        after={"title": course.title},
    )
    return course


def update_course(db: Session, actor: Actor, course_id: int, form: CourseForm) -> Course:
    """Change a course's details.

    Args:
        db: Database session.
        actor: A staff member.
        course_id: The course.
        form: New details.

    Returns:
        The course.

    Raises:
        PlumeError: NOT_FOUND, TITLE_REQUIRED or HOURS_RANGE.
    """
    course = access_course(db, actor, course_id)
    before = {"title": course.title}
    _apply(course, form)
    db.add(course)
    audit.record(
        db,
        "course.update",
        actor_user_id=actor.user_id,
        organisation_id=course.organisation_id,
        target=f"course:{course.id}",
        before=before,
        after={"title": course.title},
    )
    return course


@dataclass(frozen=True)
class SessionForm:
    """What staff type to create a session of a course."""

    course_id: int
    title: str
    starts_on: str
    ends_on: str
    place: str = ""
    rooms: str = ""
    max_participants: str = ""


def copy_template(db: Session, course_id: int, session_id: int) -> int:
    """Copy a course's template timeline (modules and activities) into a session.

    Args:
        db: Database session.
        course_id: The course.
        session_id: The new session.

    Returns:
        How many modules were copied.
    """
    templates = db.exec(
        select(Module)
        .where(Module.course_id == course_id, col(Module.session_id).is_(None))
        .order_by(col(Module.position), col(Module.id))
    ).all()
    for template in templates:
        module = Module(
            session_id=session_id,
            title=template.title,
            phase=template.phase,
            position=template.position,
            opening_rule=template.opening_rule if template.opening_rule != "date" else "always",
        )
        db.add(module)
        db.flush()
        for activity in db.exec(
            select(Activity).where(Activity.module_id == template.id).order_by(col(Activity.position))
        ).all():
            db.add(
                Activity(
                    module_id=module.id or 0,
                    kind=activity.kind,
                    title=activity.title,
                    position=activity.position,
                    settings_json=activity.settings_json,
                )
            )
    return len(templates)


def create_session(db: Session, actor: Actor, form: SessionForm) -> TrainingSession:
    """Create a draft session of a course, with a copy of the course's template timeline.

    Args:
        db: Database session.
        actor: A staff member.
        form: The session's details.

    Returns:
        The new session.

    Raises:
        PlumeError: NOT_FOUND, TITLE_REQUIRED, DATE_INVALID, DATES_ORDER or NUMBER_INVALID.
    """
    course = access_course(db, actor, form.course_id)
    title = " ".join(form.title.split()) or course.title
    starts_on = parse_date(form.starts_on, "starts_on")
    ends_on = parse_date(form.ends_on, "ends_on")
    if ends_on < starts_on:
        raise PlumeError(ErrorCode.DATES_ORDER, field="ends_on")
    maximum = None
    if form.max_participants.strip():
        if not form.max_participants.strip().isdigit() or int(form.max_participants) < 1:
            raise PlumeError(ErrorCode.NUMBER_INVALID, field="max_participants")
        maximum = int(form.max_participants)
    training = TrainingSession(
        organisation_id=course.organisation_id,
        course_id=course.id or 0,
        title=title[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        status="draft",
        place=form.place.strip()[:200],
        rooms=form.rooms.strip()[:200],
        max_participants=maximum,
    )
    db.add(training)
    db.flush()
    copy_template(db, course.id or 0, training.id or 0)
    audit.record(
        db,
        "session.create",
        actor_user_id=actor.user_id,
        organisation_id=course.organisation_id,
        target=f"session:{training.id}",
        after={"title": training.title, "course": course.id},
    )
    return training


@dataclass(frozen=True)
class SessionRow:
    """One session on the staff's sessions page."""

    id: int
    title: str
    course_title: str
    starts_on: str
    ends_on: str
    status: str
    learners: int
    staff_wanted: int = 0  # a draft lacking trainers or tutors: how many it wants ("2 formateurs/tuteurs souhaités")


def staffing_gaps(db: Session, session_ids: list[int]) -> dict[int, int]:
    """How many trainers or tutors each draft still lacks ("2 formateurs/tuteurs souhaités").

    Args:
        db: Database session.
        session_ids: The sessions listed (the caller checked access).

    Returns:
        For each draft lacking people, how many it wants in all (absent: staffed, or not a draft).
    """
    if not session_ids:
        return {}
    drafts = db.exec(
        select(TrainingSession.id, TrainingSession.staff_wanted).where(
            col(TrainingSession.id).in_(session_ids), TrainingSession.status == "draft"
        )
    ).all()
    if not drafts:
        return {}
    ids = [i for i, _ in drafts]
    counts: dict[int, int] = {}
    for table in (TrainerPosition, TutorPosition):
        for sid, n in db.exec(
            select(table.session_id, func.count(col(table.id)))
            .where(col(table.session_id).in_(ids))
            .group_by(col(table.session_id))
        ).all():
            counts[sid] = counts.get(sid, 0) + n
    return {sid or 0: wanted for sid, wanted in drafts if counts.get(sid or 0, 0) < wanted}


def list_sessions(db: Session, actor: Actor) -> list[SessionRow]:
    """The organisation's sessions, newest start first; archived ones are under "Archives" (`archives`).

    Args:
        db: Database session.
        actor: A staff member.

    Returns:
        The rows.
    """
    org_id = require_staff(actor)
    rows = db.exec(
        select(TrainingSession, Course)
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .where(TrainingSession.organisation_id == org_id, col(TrainingSession.status) != "archived")  # see Archives
        .order_by(col(TrainingSession.starts_on).desc())
    ).all()
    counts = dict(
        db.exec(
            select(Enrolment.session_id, func.count(col(Enrolment.id)))
            .where(col(Enrolment.session_id).in_([s.id for s, _ in rows]))
            .group_by(col(Enrolment.session_id))
        ).all()
    )
    gaps = staffing_gaps(db, [s.id or 0 for s, _ in rows])
    return [
        SessionRow(
            id=s.id or 0,
            title=s.title,
            course_title=c.title,
            starts_on=s.starts_on.isoformat(),
            ends_on=s.ends_on.isoformat(),
            status=s.status,
            learners=counts.get(s.id or 0, 0),
            staff_wanted=gaps.get(s.id or 0, 0),
        )
        for s, c in rows
    ]
