"""The course offer (*Offre de parcours*): filters and SQL paging, and organising a course's sessions.

The offer is the staff's catalogue read as m@gistère shows it: search, filters (category, modality,
hours at a distance or in person, origin), one page at a time. *Organiser les sessions* turns a number
of participants and a maximum per session into draft sessions (seed 003: "nombre de participants /
nombre maximum de participants par session", then "x sessions une fois" or "y sessions n fois").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from app.models import Course, Module, TrainingSession
from app.services import audit, search
from app.services.access import access_course
from app.services.actor import Actor
from app.services.catalogue import QUERY_LIMIT, STAFF_WANTED, CourseRow, copy_template, course_rows
from app.services.errors import ErrorCode, PlumeError
from app.services.orgs import require_staff
from app.services.paging import Page, paginate

MODALITIES = ("distance", "presence", "hybrid")
HOURS_LIMIT = 10_000
MAX_SESSIONS = 50  # one click never creates more drafts than a person can staff


def hours_text(hours: float, language: str = "fr") -> str:
    """Hours as a reader writes them: "2,5 h" in French, "2.5 h" in English, "3 h" without decimals.

    Args:
        hours: A duration in hours.
        language: "fr" or "en".

    Returns:
        The text.
    """
    text = f"{round(hours, 2):g}"
    return (text if language == "en" else text.replace(".", ",")) + " h"


def modality_of(remote_hours: float, in_person_hours: float) -> str:
    """A course's modality, from its hours: all at a distance, all in person, or both (hybrid).

    Args:
        remote_hours: Hours at a distance.
        in_person_hours: Hours in person.

    Returns:
        "distance", "presence" or "hybrid" (a course without hours counts as hybrid: nothing to exclude it by).
    """
    if remote_hours > 0 and in_person_hours <= 0:
        return "distance"
    if in_person_hours > 0 and remote_hours <= 0:
        return "presence"
    return "hybrid"


@dataclass(frozen=True)
class OfferFilters:
    """What narrows the offer, as typed or picked (every field optional)."""

    query: str = ""
    category: str = ""
    modality: str = ""
    origin: str = ""
    max_remote_hours: str = ""
    max_in_person_hours: str = ""


def _limit(value: str, field: str) -> float | None:
    text = value.replace(",", ".").strip()
    if not text:
        return None
    try:
        hours = float(text)
    except ValueError as exc:
        raise PlumeError(ErrorCode.HOURS_RANGE, field=field) from exc
    if not 0 <= hours <= HOURS_LIMIT:
        raise PlumeError(ErrorCode.HOURS_RANGE, field=field)
    return hours


def _conditions(filters: OfferFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    words = filters.query.strip()[:QUERY_LIMIT]
    if words:
        where.append(
            or_(
                search.contains(Course.title, words),
                search.contains(Course.short_title, words),
                search.contains(Course.categories, words),
                search.contains(Course.origin, words),
            )
        )
    if filters.category.strip():
        where.append(search.contains(Course.categories, filters.category.strip()[:QUERY_LIMIT]))
    if filters.origin.strip():
        where.append(search.folded(Course.origin) == search.fold(filters.origin.strip()[:100]))
    if filters.modality:
        if filters.modality not in MODALITIES:
            raise PlumeError(ErrorCode.INVALID_INPUT, field="modality")
        remote, in_person = col(Course.remote_hours), col(Course.in_person_hours)
        if filters.modality == "distance":
            where.append((remote > 0) & (in_person <= 0))
        elif filters.modality == "presence":
            where.append((in_person > 0) & (remote <= 0))
        else:
            where.append(~(((remote > 0) & (in_person <= 0)) | ((in_person > 0) & (remote <= 0))))
    max_remote = _limit(filters.max_remote_hours, "max_remote_hours")
    if max_remote is not None:
        where.append(col(Course.remote_hours) <= max_remote)
    max_in_person = _limit(filters.max_in_person_hours, "max_in_person_hours")
    if max_in_person is not None:
        where.append(col(Course.in_person_hours) <= max_in_person)
    return where


def offer_page(
    db: Session, actor: Actor, filters: OfferFilters, *, page: object = 1, page_size: object = 25
) -> Page[CourseRow]:
    """One page of the organisation's offer, by title (accents ignored: "Équipe" before "Tableur"), narrowed by the filters (counted and read in SQL).

    Args:
        db: Database session.
        actor: A staff member.
        filters: Search and filters.
        page: From 1 (past the end: the last page).
        page_size: 10, 25, 50 or 100.

    Returns:
        The page of courses with their session and template-module counts.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff; HOURS_RANGE (naming the field) or INVALID_INPUT for a bad filter.
    """
    org_id = require_staff(actor)
    where = [col(Course.organisation_id) == org_id, *_conditions(filters)]
    total = db.exec(select(func.count(col(Course.id))).where(*where)).one()

    def fetch(limit: int, offset: int) -> list[CourseRow]:
        courses = db.exec(
            select(Course)
            .where(*where)
            .order_by(search.folded(Course.title), col(Course.id))
            .limit(limit)
            .offset(offset)
        ).all()
        return course_rows(db, list(courses))

    return paginate(int(total), page, page_size, fetch)


@dataclass(frozen=True)
class OfferChoices:
    """The values the offer's filters offer: the categories and origins in use."""

    categories: list[str]
    origins: list[str]


def offer_choices(db: Session, actor: Actor) -> OfferChoices:
    """The categories (top folders) and origins the organisation's courses use, sorted.

    Args:
        db: Database session.
        actor: A staff member.

    Returns:
        The choices.
    """
    org_id = require_staff(actor)
    rows = db.exec(select(Course.categories, Course.origin).where(Course.organisation_id == org_id)).all()
    categories: set[str] = set()
    origins: set[str] = set()
    for text, origin in rows:
        for category in (text or "").split(","):
            top = " ".join(category.split(">")[0].split())
            if top:
                categories.add(top)
        if origin.strip():
            origins.add(origin.strip())
    key = lambda s: search.fold(s) or ""  # noqa: E731  # sorted as people read: accents ignored
    return OfferChoices(categories=sorted(categories, key=key), origins=sorted(origins, key=key))


@dataclass(frozen=True)
class Split:
    """How to organise a course's sessions: `rounds` times `per_round` sessions of at most `maximum` people."""

    participants: int
    maximum: int
    sessions: int  # x = participants / maximum, rounded up
    per_round: int  # y
    rounds: int  # n (y × n = x; 1 for "x sessions une fois")
    sizes: list[int]  # participants in each session, balanced


def _whole(value: str | int, field: str, *, low: int, high: int) -> int:
    text = str(value).strip()
    if not text.isdigit() or not low <= int(text) <= high:
        raise PlumeError(ErrorCode.NUMBER_INVALID, field=field)
    return int(text)


def propose_split(participants: str | int, maximum: str | int, rounds: str | int = 1) -> Split:
    """The seed's rule: x = participants / maximum (rounded up), run as x sessions once or y sessions n times.

    The participants are spread evenly (31 people, 15 a session: 11, 10, 10, not 15, 15, 1).

    Args:
        participants: How many people to train.
        maximum: The most one session takes.
        rounds: n, how many times in a row (1: all the sessions at once); x is rounded up to a multiple of n.

    Returns:
        The proposal.

    Raises:
        PlumeError: NUMBER_INVALID naming the field (not a whole number, out of range, or more than 50 sessions).
    """
    people = _whole(participants, "participants", low=1, high=100_000)
    most = _whole(maximum, "maximum", low=1, high=10_000)
    times = _whole(rounds, "rounds", low=1, high=MAX_SESSIONS)
    needed = -(-people // most)
    per_round = -(-needed // times)
    sessions = per_round * times
    if sessions > MAX_SESSIONS:
        raise PlumeError(ErrorCode.NUMBER_INVALID, field="maximum")
    base, extra = divmod(people, sessions)
    sizes = [base + (1 if i < extra else 0) for i in range(sessions)]
    return Split(participants=people, maximum=most, sessions=sessions, per_round=per_round, rounds=times, sizes=sizes)


@dataclass(frozen=True)
class OrganiseForm:
    """What staff type in *Organiser les sessions*."""

    course_id: int
    participants: str
    maximum: str
    rounds: str = "1"
    short_name: str = ""
    category: str = ""
    starts_on: str = ""
    weeks_between_rounds: str = "1"


def _short_name(course: Course, typed: str) -> str:
    name = " ".join(typed.split()) or course.short_title or course.title
    return name[:60]


def organise_sessions(db: Session, actor: Actor, form: OrganiseForm, *, today: date) -> list[TrainingSession]:
    """Create the proposed sessions as drafts: "<short name> — <category> — G1 (round 1)", each with the template.

    Each draft wants two trainers or tutors (`TrainingSession.staff_wanted`) and takes its share of the participants
    as its maximum. Round k starts `weeks_between_rounds` × (k - 1) weeks after the first.

    Args:
        db: Database session.
        actor: A staff member.
        form: The course, the numbers, the short name, the category and the first start date.
        today: The Paris day (the default first start: in two weeks).

    Returns:
        The drafts, in order.

    Raises:
        PlumeError: NOT_FOUND, NUMBER_INVALID or DATE_INVALID naming the field.
    """
    course = access_course(db, actor, form.course_id)
    split = propose_split(form.participants, form.maximum, form.rounds or "1")
    gap = _whole(form.weeks_between_rounds or "1", "weeks_between_rounds", low=0, high=52)
    from_day = _parse_day(form.starts_on) if form.starts_on.strip() else today + timedelta(days=14)
    name = _short_name(course, form.short_name)
    category = " ".join(form.category.split())[:80]
    days = max(1, -(-int(course.in_person_hours) // 7))  # a day of 7 h in the room; at least one
    created: list[TrainingSession] = []
    number = 0
    for round_index in range(split.rounds):
        starts_on = from_day + timedelta(weeks=gap * round_index)
        for _ in range(split.per_round):
            size = split.sizes[number]
            number += 1
            parts = [name, category, f"G{number}"] if category else [name, f"G{number}"]
            training = TrainingSession(
                organisation_id=course.organisation_id,
                course_id=course.id or 0,
                title=" — ".join(parts)[:200],
                starts_on=starts_on,
                ends_on=starts_on + timedelta(days=days - 1),
                status="draft",
                max_participants=size,
                staff_wanted=STAFF_WANTED,
            )
            db.add(training)
            db.flush()
            copy_template(db, course.id or 0, training.id or 0)
            created.append(training)
    audit.record(
        db,
        "session.organise",
        actor_user_id=actor.user_id,
        organisation_id=course.organisation_id,
        target=f"course:{course.id}",
        after={
            "sessions": [t.id for t in created],
            "participants": split.participants,
            "maximum": split.maximum,
            "rounds": split.rounds,
        },
    )
    return created


def _parse_day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise PlumeError(ErrorCode.DATE_INVALID, field="starts_on") from exc


def template_modules_count(db: Session, course_id: int) -> int:
    """How many template modules a course has (a session created from it copies them).

    Args:
        db: Database session.
        course_id: The course (the caller checked access).

    Returns:
        The count.
    """
    return int(
        db.exec(
            select(func.count(col(Module.id))).where(Module.course_id == course_id, col(Module.session_id).is_(None))
        ).one()
    )
