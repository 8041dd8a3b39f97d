"""`Tutorat > Formations`: the courses whose sessions a tutor follows, a course's detail, and learners' reviews.

A tutor follows a course when they are positioned on at least one of its
sessions; the course's "learner lists" are those sessions. Staff follow every
non-draft session of their organisation. This is the rule of
`tutoring.tutored_sessions` and `tutoring.can_tutor`, applied to courses:
a course nobody lets the actor follow looks missing.

Every list is paged, sorted and searched by the database; aggregates are
grouped queries over the followed sessions, never one query per row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Subquery, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import (
    Activity,
    ActivityCompletion,
    Course,
    CourseReview,
    Enrolment,
    Membership,
    Module,
    Submission,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.models.training import PHASES
from app.models.tutoring import TutorAssignment
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions import access_session

PARIS = ZoneInfo("Europe/Paris")
SORTS = ("title", "list", "learners")
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25
QUERY_LIMIT = 100
UNCATEGORISED = "__sans_categorie__"
LISTS_SHOWN = 5
MAX_CATEGORY_STRINGS = 2_000
MAX_OPTIONS = 200
MAX_REVIEWS = 100
MAX_COMMENTS = 200
MAX_LESSONS = 500
REVIEW_MAX_CHARS = 2_000
SCORED_KINDS = frozenset(
    ("quiz", "diagnostic", "assignment", "observation", "elearning", "certification", "self_assessment")
)
DEFAULT_POINTS = 10


def _membership(db: Session, actor: Actor, organisation_id: int) -> Membership | None:
    return db.exec(
        select(Membership).where(Membership.user_id == actor.user_id, Membership.organisation_id == organisation_id)
    ).first()


def _follow_rule(membership: Membership | None, actor: Actor, organisation_id: int) -> list[ColumnElement[bool]] | None:
    """The conditions on TrainingSession of the sessions the actor follows in an organisation (None: none)."""
    if membership is None or not actor.fully_signed_in:
        return None
    rule: list[ColumnElement[bool]] = [col(TrainingSession.organisation_id) == organisation_id]
    if membership.is_staff:
        rule.append(col(TrainingSession.status) != "draft")
    elif membership.is_tutor:
        assigned = select(TutorAssignment.session_id).where(TutorAssignment.user_id == actor.user_id)
        rule.append(col(TrainingSession.id).in_(assigned))
    else:
        return None
    return rule


def _selected_rule(db: Session, actor: Actor) -> list[ColumnElement[bool]] | None:
    if actor.organisation_id is None:
        return None
    return _follow_rule(_membership(db, actor, actor.organisation_id), actor, actor.organisation_id)


@dataclass(frozen=True)
class TutoredCourse:
    """A course the actor follows, with the ids of its sessions they follow (latest start first)."""

    course: Course
    session_ids: list[int]
    is_staff: bool


def access_tutored_course(db: Session, actor: Actor, course_id: int) -> TutoredCourse:
    """The access gate of a tutored course: the course, if the actor follows at least one of its sessions.

    Staff of the course's organisation follow its non-draft sessions; its
    tutors the sessions they are positioned on. Anyone else, and a course
    with no session the actor follows, gets NOT_FOUND, like a missing course.

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course asked for.

    Returns:
        The course and the followed sessions' ids.

    Raises:
        PlumeError: NOT_FOUND for a missing course and a forbidden one alike.
    """
    valid = isinstance(course_id, int) and not isinstance(course_id, bool)
    course = db.get(Course, course_id) if valid else None
    if course is None or course.id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    membership = _membership(db, actor, course.organisation_id)
    rule = _follow_rule(membership, actor, course.organisation_id)
    if membership is None or rule is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    ids = db.exec(
        select(TrainingSession.id)
        .where(TrainingSession.course_id == course.id, *rule)
        .order_by(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc())
    ).all()
    session_ids = [i for i in ids if i is not None]
    if not session_ids:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return TutoredCourse(course=course, session_ids=session_ids, is_staff=membership.is_staff)


def split_categories(text: str) -> list[tuple[str, ...]]:
    """A course's categories as folder paths: commas separate categories, " > " folder levels.

    Args:
        text: As stored, e.g. "Santé et sécurité > Prévention des risques, Management".

    Returns:
        Each category's path of folder names, without blanks or repeats, in order.
    """
    paths: list[tuple[str, ...]] = []
    for category in (text or "").split(","):
        path = tuple(" ".join(part.split()) for part in category.split(">"))
        path = tuple(part for part in path if part)
        if path and path not in paths:
            paths.append(path)
    return paths


def category_labels(text: str) -> list[str]:
    """A course's categories for display ("Santé et sécurité > Prévention des risques").

    Args:
        text: As stored.

    Returns:
        One label per category.
    """
    return [" > ".join(path) for path in split_categories(text)]


def _folders_of(text: str) -> set[str]:
    """Every folder a categories string puts its course in, ancestors included."""
    found: set[str] = set()
    for path in split_categories(text):
        for depth in range(1, len(path) + 1):
            found.add(" > ".join(path[:depth]))
    return found


@dataclass(frozen=True)
class Folder:
    """One folder of the category tree, in depth-first order."""

    path: str
    name: str
    depth: int
    courses: int
    parent: str
    has_children: bool


def build_tree(counts: dict[str, int]) -> list[Folder]:
    """The folder tree of courses from their categories strings.

    A course counts once in each folder it sits in or below (a course in
    "A > B, A > C" counts once in A). Courses without a category get the
    UNCATEGORISED folder, last. The list is depth-first, siblings by name.

    Args:
        counts: Categories string → how many courses have exactly it.

    Returns:
        The folders, without the root.
    """
    per_folder: dict[str, int] = {}
    children: dict[str, set[str]] = {}
    uncategorised = 0
    for text, count in counts.items():
        folders = _folders_of(text)
        if not folders:
            uncategorised += count
        for path in folders:
            per_folder[path] = per_folder.get(path, 0) + count
            parent = path.rpartition(" > ")[0] if " > " in path else ""
            children.setdefault(parent, set()).add(path)
    out: list[Folder] = []

    def walk(parent: str, depth: int) -> None:
        for path in sorted(children.get(parent, ()), key=lambda p: (p.rpartition(" > ")[2].casefold(), p)):
            name = path.rpartition(" > ")[2] if " > " in path else path
            out.append(Folder(path, name, depth, per_folder[path], parent, bool(children.get(path))))
            walk(path, depth + 1)

    walk("", 0)
    if uncategorised:
        out.append(Folder(UNCATEGORISED, "", 0, uncategorised, "", False))
    return out


@dataclass(frozen=True)
class Option:
    """A course or a learner list offered by the filter."""

    id: int
    label: str


@dataclass(frozen=True)
class CourseTree:
    """The left side of `Tutorat > Formations`: folders, and what the filters offer."""

    total: int
    folders: list[Folder]
    courses: list[Option]
    lists: list[Option]


def _category_counts(db: Session, rule: list[ColumnElement[bool]]) -> dict[str, int]:
    """Followed courses per categories string (one grouped query)."""
    followed = select(TrainingSession.course_id).where(*rule)
    rows = db.exec(
        select(Course.categories, func.count(col(Course.id)))
        .where(col(Course.id).in_(followed))
        .group_by(col(Course.categories))
        .order_by(col(Course.categories))
        .limit(MAX_CATEGORY_STRINGS)
    ).all()
    return {text or "": int(count) for text, count in rows}


def course_tree(db: Session, actor: Actor) -> CourseTree:
    """The folders of the courses the actor follows in the selected organisation, and the filter choices.

    Args:
        db: Database session.
        actor: The signed-in actor.

    Returns:
        The tree (empty for someone who follows nothing).
    """
    rule = _selected_rule(db, actor)
    if rule is None:
        return CourseTree(total=0, folders=[], courses=[], lists=[])
    counts = _category_counts(db, rule)
    followed = select(TrainingSession.course_id).where(*rule)
    courses = db.exec(
        select(Course.id, Course.title)
        .where(col(Course.id).in_(followed))
        .order_by(func.lower(col(Course.title)), col(Course.id))
        .limit(MAX_OPTIONS)
    ).all()
    lists = db.exec(
        select(TrainingSession.id, TrainingSession.title)
        .where(*rule)
        .order_by(func.lower(col(TrainingSession.title)), col(TrainingSession.id))
        .limit(MAX_OPTIONS)
    ).all()
    return CourseTree(
        total=sum(counts.values()),
        folders=build_tree(counts),
        courses=[Option(id=i or 0, label=title) for i, title in courses],
        lists=[Option(id=i or 0, label=title) for i, title in lists],
    )


@dataclass(frozen=True)
class CourseLine:
    """One course of the list, with the learner lists (sessions) the actor follows for it."""

    id: int
    title: str
    short_title: str
    categories: str
    lists: list[str]
    more_lists: int
    learners: int
    everyone: bool


@dataclass(frozen=True)
class CourseList:
    """One page of the followed courses."""

    total: int
    page: int
    pages: int
    page_size: int
    first: int
    last: int
    rows: list[CourseLine]


def _like(column: Any, words: str) -> ColumnElement[bool]:
    """Case-insensitive "contains"; % and _ typed by the person match themselves."""
    escaped = words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return col(column).ilike(f"%{escaped}%", escape="\\")


def _learner_members(organisation_id: int) -> SelectOfScalar[int]:
    """The organisation's learners: "Tout le monde" is a course row that reaches all of them."""
    return select(Membership.user_id).where(
        Membership.organisation_id == organisation_id, col(Membership.is_learner).is_(True)
    )


def _check_int(value: object, *, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum or value >= 2**63:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    return value


def course_list(
    db: Session,
    actor: Actor,
    *,
    folder: str = "",
    query: str = "",
    course_id: int = 0,
    list_id: int = 0,
    sort: str = "title",
    descending: bool = False,
    page: int = 1,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> CourseList:
    """One sorted, searched, filtered page of the courses the actor follows in the selected organisation.

    Queries: the folder's categories strings (when a folder is chosen), the
    count, the page's course ids (LIMIT/OFFSET), then for those ids only the
    first LISTS_SHOWN list titles per course (a window function) and the
    learner counts. The organisation's learner count decides "Tout le monde".

    Args:
        db: Database session.
        actor: Staff or a tutor of the selected organisation (anyone else gets an empty list).
        folder: A folder path of `course_tree` ("" for every course; UNCATEGORISED for courses without category).
        query: Part of the course's title or short title (case-insensitive; 100 characters used).
        course_id: Only this course (0: all).
        list_id: Only this learner list, i.e. session (0: all); the row then shows that list only.
        sort: title, list (the first list's title) or learners; ties by title.
        descending: Whether the sort runs backwards.
        page: From 1; past the end, the last page.
        page_size: 10, 25, 50 or 100.

    Returns:
        The page.

    Raises:
        PlumeError: INVALID_INPUT for controls outside the allowed values.
    """
    if not isinstance(folder, str) or not isinstance(query, str) or len(folder) > 1_000:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    words = query.strip()[:QUERY_LIMIT]
    course_id, list_id = _check_int(course_id), _check_int(list_id)
    if sort not in SORTS or not isinstance(descending, bool):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    page = _check_int(page, minimum=1)
    if isinstance(page_size, bool) or page_size not in PAGE_SIZES:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    rule = _selected_rule(db, actor)
    if rule is None:
        return CourseList(total=0, page=1, pages=1, page_size=page_size, first=0, last=0, rows=[])
    if list_id:
        rule = [*rule, col(TrainingSession.id) == list_id]

    filters: list[ColumnElement[bool]] = []
    if folder:
        strings = list(_category_counts(db, rule))
        wanted = (
            [s for s in strings if not split_categories(s)]
            if folder == UNCATEGORISED
            else [s for s in strings if folder in _folders_of(s)]
        )
        filters.append(col(Course.categories).in_(wanted))
    if words:
        filters.append(or_(_like(Course.title, words), _like(Course.short_title, words)))
    if course_id:
        filters.append(col(Course.id) == course_id)

    followed = (
        select(TrainingSession.id, TrainingSession.course_id, TrainingSession.title).where(*rule).subquery("followed")
    )
    first_list = func.min(func.lower(followed.c.title))
    grouped = (
        select(col(Course.id), first_list.label("first_list"))
        .join(followed, followed.c.course_id == col(Course.id))
        .where(*filters)
        .group_by(col(Course.id))
    )
    total = int(db.exec(select(func.count()).select_from(grouped.subquery())).one())
    pages = max(1, -(-total // page_size))
    page = min(page, pages)

    order: list[Any] = []
    if sort == "list":
        order = [first_list.desc() if descending else first_list.asc()]
    elif sort == "learners":
        assert actor.organisation_id is not None
        learners_of = (
            sa_select(
                col(TrainingSession.course_id).label("course_id"),
                func.count(func.distinct(col(Enrolment.user_id))).label("learners"),
            )
            .join(Enrolment, col(Enrolment.session_id) == col(TrainingSession.id))
            .where(col(Enrolment.user_id).in_(_learner_members(actor.organisation_id)), *rule)
            .group_by(col(TrainingSession.course_id))
            .subquery("learners_of")
        )
        grouped = grouped.outerjoin(learners_of, learners_of.c.course_id == col(Course.id)).group_by(
            learners_of.c.learners
        )
        count = func.coalesce(learners_of.c.learners, 0)
        order = [count.desc() if descending else count.asc()]
    by_title = [func.lower(col(Course.title)), col(Course.id)]
    if sort == "title" and descending:
        order += [key.desc() for key in by_title]
    else:
        order += [key.asc() for key in by_title]
    ids = [
        row[0]
        for row in db.exec(grouped.order_by(*order).limit(page_size).offset((page - 1) * page_size)).all()
        if row[0] is not None
    ]
    rows = _course_lines(db, rule, ids)
    first = (page - 1) * page_size + 1 if rows else 0
    return CourseList(
        total=total,
        page=page,
        pages=pages,
        page_size=page_size,
        first=first,
        last=first + len(rows) - 1 if rows else 0,
        rows=rows,
    )


def _course_lines(db: Session, rule: list[ColumnElement[bool]], ids: list[int]) -> list[CourseLine]:
    """The page's rows, in the page's order: three bounded queries whatever the page size."""
    if not ids:
        return []
    courses = {c.id: c for c in db.exec(select(Course).where(col(Course.id).in_(ids))).all()}
    rank = (
        func.row_number()
        .over(
            partition_by=col(TrainingSession.course_id),
            order_by=(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc()),
        )
        .label("rank")
    )
    numbered = (
        sa_select(
            col(TrainingSession.course_id).label("course_id"),
            col(TrainingSession.title).label("title"),
            rank,
            func.count().over(partition_by=col(TrainingSession.course_id)).label("lists"),
        )
        .where(col(TrainingSession.course_id).in_(ids), *rule)
        .subquery("numbered")
    )
    titles: dict[int, list[str]] = {}
    list_counts: dict[int, int] = {}
    for course_id, title, _rank, lists in db.exec(  # type: ignore[call-overload]  # plain SQLAlchemy select
        sa_select(numbered.c.course_id, numbered.c.title, numbered.c.rank, numbered.c.lists)
        .where(numbered.c.rank <= LISTS_SHOWN)
        .order_by(numbered.c.course_id, numbered.c.rank)
    ).all():
        titles.setdefault(course_id, []).append(title)
        list_counts[course_id] = int(lists)
    learner_member = _learner_members(next(iter(courses.values())).organisation_id)
    learners = dict(
        db.exec(
            select(TrainingSession.course_id, func.count(func.distinct(col(Enrolment.user_id))))
            .join(Enrolment, col(Enrolment.session_id) == col(TrainingSession.id))
            .where(col(TrainingSession.course_id).in_(ids), col(Enrolment.user_id).in_(learner_member), *rule)
            .group_by(col(TrainingSession.course_id))
        ).all()
    )
    everyone_count = int(db.exec(select(func.count()).select_from(learner_member.subquery())).one())
    out = []
    for course_id in ids:
        course = courses.get(course_id)
        if course is None:
            continue
        count = int(learners.get(course_id, 0))
        shown = titles.get(course_id, [])
        out.append(
            CourseLine(
                id=course_id,
                title=course.title,
                short_title=course.short_title,
                categories=course.categories,
                lists=shown,
                more_lists=max(0, list_counts.get(course_id, 0) - len(shown)),
                learners=count,
                everyone=everyone_count > 0 and count >= everyone_count,
            )
        )
    return out


def _paris(moment: Any) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if moment else ""


def _paris_day(moment: Any) -> str:
    return moment.astimezone(PARIS).strftime("%d/%m/%Y") if moment else ""


@dataclass(frozen=True)
class CourseInfo:
    """`Informations générales` and the side panel's header."""

    id: int
    title: str
    short_title: str
    description: str
    categories: list[str]
    competencies: list[str]
    image: str
    catalogue_link: str
    centre_link: str
    open_link: str


@dataclass(frozen=True)
class QuickStats:
    """The `Stats rapides` box, over the sessions the actor follows."""

    learners: int
    sessions: int
    average_progress: int
    finished: int
    average_rating: str
    reviews: int
    corrections: int


@dataclass(frozen=True)
class LessonRow:
    """One lesson of the course, aggregated over the followed sessions' copies of it."""

    activity_id: int
    module: str
    title: str
    kind: str
    points: int
    completed: int
    learners: int
    comments: int
    corrections: int
    open_link: str


@dataclass(frozen=True)
class ReviewRow:
    """One learner's review of the course."""

    author: str
    date: str
    stars: int
    comment: str
    session: str


@dataclass(frozen=True)
class CourseDetail:
    """Everything the course detail page shows."""

    info: CourseInfo
    stats: QuickStats
    lessons: list[LessonRow]
    reviews: list[ReviewRow]


def competency_labels(text: str) -> list[str]:
    """A course's competencies, one per line or comma.

    Args:
        text: As stored.

    Returns:
        The competencies, without blanks.
    """
    return [" ".join(part.split()) for line in (text or "").splitlines() for part in line.split(",") if part.strip()]


def points_of(activity: Activity) -> int:
    """The points a lesson is worth: its settings' "points", else 10 for scored kinds and 0 otherwise.

    Args:
        activity: The activity.

    Returns:
        The points.
    """
    try:
        settings = json.loads(activity.settings_json or "{}")
    except ValueError:
        settings = {}
    points = settings.get("points") if isinstance(settings, dict) else None
    if isinstance(points, int | float) and not isinstance(points, bool) and 0 <= points <= 100_000:
        return int(points)
    return DEFAULT_POINTS if activity.kind in SCORED_KINDS else 0


def _timeline(db: Session, course_id: int, fallback_session_id: int) -> list[tuple[Activity, str]]:
    """The course's template timeline in order (or, for a course without one, a followed session's)."""
    phase_rank = {p: i for i, p in enumerate(PHASES)}
    modules = db.exec(
        select(Module).where(Module.course_id == course_id, col(Module.session_id).is_(None)).limit(MAX_LESSONS)
    ).all()
    if not modules:
        modules = db.exec(select(Module).where(Module.session_id == fallback_session_id).limit(MAX_LESSONS)).all()
    ordered = sorted(modules, key=lambda m: (phase_rank.get(m.phase, 1), m.position, m.id or 0))
    rank = {m.id: i for i, m in enumerate(ordered)}
    titles = {m.id: m.title for m in ordered}
    activities = db.exec(select(Activity).where(col(Activity.module_id).in_(list(rank))).limit(MAX_LESSONS)).all()
    activities = sorted(activities, key=lambda a: (rank.get(a.module_id, 0), a.position, a.id or 0))
    return [(a, titles.get(a.module_id, "")) for a in activities]


def _followed_activities(session_ids: list[int], *where: ColumnElement[bool]) -> Subquery:
    """Activities of the followed sessions, with their session id (to join learners and hand-ins on)."""
    return (
        sa_select(col(Activity.id), col(Activity.kind), col(Activity.title), col(Module.session_id))
        .join(Module, col(Module.id) == col(Activity.module_id))
        .where(col(Module.session_id).in_(session_ids), *where)
        .subquery("copies")
    )


def _lessons(db: Session, tutored: TutoredCourse) -> list[LessonRow]:
    """Each lesson of the timeline with completions, learners, comments and waiting corrections (3 grouped queries)."""
    sids = tutored.session_ids
    timeline = _timeline(db, tutored.course.id or 0, sids[0])
    if not timeline:
        return []
    copies = _followed_activities(sids)
    key = (copies.c.kind, copies.c.title)
    learners = {
        (kind, title): (int(count), latest)
        for kind, title, count, latest in db.exec(  # type: ignore[call-overload]  # plain SQLAlchemy select
            sa_select(*key, func.count(func.distinct(col(Enrolment.id))), func.max(copies.c.session_id))
            .select_from(copies)
            .outerjoin(Enrolment, col(Enrolment.session_id) == copies.c.session_id)
            .group_by(*key)
        ).all()
    }
    completed = {
        (kind, title): int(count)
        for kind, title, count in db.exec(  # type: ignore[call-overload]  # plain SQLAlchemy select
            sa_select(*key, func.count(func.distinct(col(ActivityCompletion.id))))
            .select_from(copies)
            .join(ActivityCompletion, col(ActivityCompletion.activity_id) == copies.c.id)
            .join(
                Enrolment,
                (col(Enrolment.session_id) == copies.c.session_id)
                & (col(Enrolment.user_id) == col(ActivityCompletion.user_id)),
            )
            .group_by(*key)
        ).all()
    }
    hand_ins = {
        (kind, title): (int(comments or 0), int(waiting or 0))
        for kind, title, comments, waiting in db.exec(  # type: ignore[call-overload]  # plain SQLAlchemy select
            sa_select(
                *key,
                func.sum(case((func.trim(col(Submission.comment)) != "", 1), else_=0)),
                func.sum(case((col(Submission.status) == "submitted", 1), else_=0)),
            )
            .select_from(copies)
            .join(
                Submission,
                (col(Submission.activity_id) == copies.c.id) & (col(Submission.session_id) == copies.c.session_id),
            )
            .group_by(*key)
        ).all()
    }
    rows = []
    for activity, module in timeline:
        lesson = (activity.kind, activity.title)
        count, latest = learners.get(lesson, (0, None))
        comments, waiting = hand_ins.get(lesson, (0, 0))
        rows.append(
            LessonRow(
                activity_id=activity.id or 0,
                module=module,
                title=activity.title,
                kind=activity.kind,
                points=points_of(activity),
                completed=completed.get(lesson, 0),
                learners=count,
                comments=comments,
                corrections=waiting,
                open_link=f"/sessions/{latest or sids[0]}",
            )
        )
    return rows


def _stats(db: Session, tutored: TutoredCourse) -> QuickStats:
    sids = tutored.session_ids
    learners, average, finished = db.exec(
        select(
            func.count(func.distinct(col(Enrolment.user_id))),
            func.avg(col(Enrolment.progress)),
            func.coalesce(func.sum(case((col(Enrolment.status) == "finished", 1), else_=0)), 0),
        ).where(col(Enrolment.session_id).in_(sids))
    ).one()
    rating, reviews = db.exec(
        select(func.avg(col(CourseReview.stars)), func.count(col(CourseReview.id))).where(
            CourseReview.course_id == tutored.course.id, col(CourseReview.session_id).in_(sids)
        )
    ).one()
    waiting = db.exec(
        select(func.count(col(Submission.id))).where(
            col(Submission.session_id).in_(sids), Submission.status == "submitted"
        )
    ).one()
    return QuickStats(
        learners=int(learners or 0),
        sessions=len(sids),
        average_progress=round(float(average)) if average is not None else 0,
        finished=int(finished or 0),
        average_rating=f"{float(rating):.1f}".replace(".", ",") if rating is not None else "",
        reviews=int(reviews or 0),
        corrections=int(waiting or 0),
    )


def _reviews(db: Session, tutored: TutoredCourse) -> list[ReviewRow]:
    rows = db.exec(
        select(CourseReview, User, TrainingSession.title)
        .join(User, col(User.id) == col(CourseReview.user_id))
        .join(TrainingSession, col(TrainingSession.id) == col(CourseReview.session_id))
        .where(CourseReview.course_id == tutored.course.id, col(CourseReview.session_id).in_(tutored.session_ids))
        .order_by(col(CourseReview.created_at).desc(), col(CourseReview.id).desc())
        .limit(MAX_REVIEWS)
    ).all()
    return [
        ReviewRow(
            author=user.display_name,
            date=_paris_day(review.created_at),
            stars=review.stars,
            comment=review.comment,
            session=session_title,
        )
        for review, user, session_title in rows
    ]


def course_detail(db: Session, actor: Actor, course_id: int) -> CourseDetail:
    """A followed course: general information, lessons, reviews and quick stats, over the sessions the actor follows.

    Reviews are those left in the followed sessions (the newest 100): a tutor
    sees the names of the learners they follow only.

    Args:
        db: Database session.
        actor: Staff or a tutor following at least one session of the course.
        course_id: The course.

    Returns:
        The detail.

    Raises:
        PlumeError: NOT_FOUND (see `access_tutored_course`).
    """
    tutored = access_tutored_course(db, actor, course_id)
    course = tutored.course
    info = CourseInfo(
        id=course.id or 0,
        title=course.title,
        short_title=course.short_title,
        description=course.description,
        categories=category_labels(course.categories),
        competencies=competency_labels(course.competencies),
        image=f"/api/courses/{course.id}/image" if course.thumbnail_document_id else "",
        # The catalogue entry is a staff page; a tutor would only meet its not-found panel.
        catalogue_link=f"/catalogue/{course.id}" if tutored.is_staff else "",
        centre_link=f"/tutorat/formations/{course.id}/centre",
        open_link=f"/sessions/{tutored.session_ids[0]}",
    )
    return CourseDetail(
        info=info, stats=_stats(db, tutored), lessons=_lessons(db, tutored), reviews=_reviews(db, tutored)
    )


@dataclass(frozen=True)
class LessonComment:
    """A learner's comment on a mission hand-in."""

    author: str
    date: str
    text: str
    session: str


def lesson_comments(db: Session, actor: Actor, course_id: int, activity_id: int) -> tuple[str, list[LessonComment]]:
    """The learners' comments on a lesson, across the followed sessions (the newest 200).

    Args:
        db: Database session.
        actor: Staff or a tutor following the course.
        course_id: The course.
        activity_id: A lesson of the course's timeline as `course_detail` lists it.

    Returns:
        The lesson's title and the comments, newest first.

    Raises:
        PlumeError: NOT_FOUND for a course the actor does not follow or a lesson that is not the course's.
    """
    tutored = access_tutored_course(db, actor, course_id)
    valid = isinstance(activity_id, int) and not isinstance(activity_id, bool)
    lesson = next((a for a, _ in _timeline(db, course_id, tutored.session_ids[0]) if a.id == activity_id), None)
    if not valid or lesson is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    copies = _followed_activities(
        tutored.session_ids, col(Activity.kind) == lesson.kind, col(Activity.title) == lesson.title
    )
    copy_ids = sa_select(copies.c.id)
    rows = db.exec(
        select(Submission, User, TrainingSession.title)
        .join(User, col(User.id) == col(Submission.user_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Submission.session_id))
        .where(
            col(Submission.activity_id).in_(copy_ids),
            col(Submission.session_id).in_(tutored.session_ids),
            func.trim(col(Submission.comment)) != "",
        )
        .order_by(col(Submission.submitted_at).desc(), col(Submission.id).desc())
        .limit(MAX_COMMENTS)
    ).all()
    return lesson.title, [
        LessonComment(
            author=user.display_name, date=_paris(sub.submitted_at), text=sub.comment.strip(), session=session_title
        )
        for sub, user, session_title in rows
    ]


@dataclass(frozen=True)
class ReviewDraft:
    """What the review card shows to one person on a session page."""

    can_review: bool
    stars: int
    comment: str
    sent: bool


def _learner_session(db: Session, actor: Actor, session_id: int) -> TrainingSession:
    if isinstance(session_id, bool):  # access_session would read True as the session of id 1
        raise PlumeError(ErrorCode.NOT_FOUND)
    session, role = access_session(db, actor, session_id)
    if not role.learner:
        raise PlumeError(ErrorCode.REVIEW_LEARNERS_ONLY)
    return session


def my_review(db: Session, actor: Actor, session_id: int) -> ReviewDraft:
    """The actor's review of a session's course, if they may leave one.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        can_review False for a member who is not an enrolled learner; their review when they left one.

    Raises:
        PlumeError: NOT_FOUND for someone who is not a member of the session.
    """
    try:
        session = _learner_session(db, actor, session_id)
    except PlumeError as err:
        if err.code == ErrorCode.REVIEW_LEARNERS_ONLY:
            return ReviewDraft(can_review=False, stars=0, comment="", sent=False)
        raise
    review = db.exec(
        select(CourseReview).where(CourseReview.session_id == session.id, CourseReview.user_id == actor.user_id)
    ).first()
    if review is None:
        return ReviewDraft(can_review=True, stars=0, comment="", sent=False)
    return ReviewDraft(can_review=True, stars=review.stars, comment=review.comment, sent=True)


def leave_review(db: Session, actor: Actor, session_id: int, stars: int, comment: str) -> CourseReview:
    """Rate the course of a session one follows as a learner (a second review replaces the first).

    Args:
        db: Database session.
        actor: An enrolled learner of the session.
        session_id: The session.
        stars: 1 to 5.
        comment: Free text, trimmed, at most 2,000 characters (may be empty).

    Returns:
        The review.

    Raises:
        PlumeError: NOT_FOUND for a non-member, REVIEW_LEARNERS_ONLY for a member who is not
            an enrolled learner, REVIEW_STARS, REVIEW_TOO_LONG, or INVALID_INPUT for a comment that is not text.
    """
    session = _learner_session(db, actor, session_id)
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise PlumeError(ErrorCode.REVIEW_STARS, field="stars")
    if not isinstance(comment, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="comment")
    text = comment.strip()
    if len(text) > REVIEW_MAX_CHARS:
        raise PlumeError(ErrorCode.REVIEW_TOO_LONG, field="comment", max="2 000")
    review = db.exec(
        select(CourseReview).where(CourseReview.session_id == session.id, CourseReview.user_id == actor.user_id)
    ).first()
    if review is None:
        review = CourseReview(course_id=session.course_id, session_id=session.id or 0, user_id=actor.user_id, stars=0)
    review.stars, review.comment, review.created_at = stars, text, utcnow()
    db.add(review)
    db.flush()
    return review
