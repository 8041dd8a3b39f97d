"""`Tutorat > Formations`: the courses whose sessions a tutor follows, and a course's detail.

Categories (the folder tree) live in `course_categories`, learners' reviews in `course_reviews`.

A tutor follows a course when they are positioned on at least one of its
sessions; the course's "learner lists" are those sessions. Staff follow every
non-draft session of their organisation. This is `access.Capability.FOLLOW`,
the rule of the tutoring centre, applied to courses (`access.access_tutored_course`):
a course nobody lets the actor follow looks missing.

Every list is paged, sorted and searched by the database; aggregates are
grouped queries over the followed sessions, never one query per row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Subquery, case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.clock import paris_datetime_label
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
from app.models.training import PHASES
from app.services import access, course_reviews, paging, search
from app.services.access import TutoredCourse, access_tutored_course
from app.services.actor import Actor
from app.services.course_categories import (
    UNCATEGORISED,
    Folder,
    build_tree,
    category_labels,
    folders_of,
    split_categories,
)
from app.services.errors import ErrorCode, PlumeError

SORTS = ("title", "list", "learners")
QUERY_LIMIT = 100
LISTS_SHOWN = 5
MAX_CATEGORY_STRINGS = 2_000
MAX_OPTIONS = 200
MAX_COMMENTS = 200
MAX_LESSONS = 500
SCORED_KINDS = frozenset(
    ("quiz", "diagnostic", "assignment", "observation", "elearning", "certification", "self_assessment")
)
DEFAULT_POINTS = 10


def _selected_rule(actor: Actor) -> list[ColumnElement[bool]] | None:
    """The conditions on TrainingSession of the sessions the actor follows in the selected organisation."""
    if actor.organisation_id is None or not actor.fully_signed_in:
        return None
    return access.followed_in(actor, actor.organisation_id)


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
    rule = _selected_rule(actor)
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
    page_size: int = paging.DEFAULT_PAGE_SIZE,
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
        query: Part of the course's title or short title (case and accents ignored; 100 characters used).
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
    paging.check_page(page, page_size)
    rule = _selected_rule(actor)
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
            else [s for s in strings if folder in folders_of(s)]
        )
        filters.append(col(Course.categories).in_(wanted))
    if words:
        filters.append(or_(search.contains(Course.title, words), search.contains(Course.short_title, words)))
    if course_id:
        filters.append(col(Course.id) == course_id)

    followed = (
        select(TrainingSession.id, TrainingSession.course_id, TrainingSession.title).where(*rule).subquery("followed")
    )
    first_list = func.min(search.sort_key(followed.c.title))
    grouped = (
        select(col(Course.id), first_list.label("first_list"))
        .join(followed, followed.c.course_id == col(Course.id))
        .where(*filters)
        .group_by(col(Course.id))
    )
    total = int(db.exec(select(func.count()).select_from(grouped.subquery())).one())

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
    by_title = [search.sort_key(col(Course.title)), col(Course.id)]
    if sort == "title" and descending:
        order += [key.desc() for key in by_title]
    else:
        order += [key.asc() for key in by_title]
    ordered = grouped.order_by(*order)

    def lines(limit: int, offset: int) -> list[CourseLine]:
        ids = [row[0] for row in db.exec(ordered.limit(limit).offset(offset)).all() if row[0] is not None]
        return _course_lines(db, rule, ids)

    found = paging.paginate(total, page, page_size, lines)
    return CourseList(
        total=found.total,
        page=found.page,
        pages=found.pages,
        page_size=found.page_size,
        first=found.first,
        last=found.last,
        rows=found.items,
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
    return paris_datetime_label(moment)


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
class CourseDetail:
    """Everything the course detail page shows."""

    info: CourseInfo
    stats: QuickStats
    lessons: list[LessonRow]
    reviews: list[course_reviews.ReviewRow]


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
    # "Ouvrir le contenu" opens the lesson's copy in the latest session holding it (one query for all lessons).
    shown = sorted({latest for _, latest in learners.values() if latest is not None} | {sids[0]})
    copy_ids = {
        (sid, kind, title): int(aid)
        for sid, kind, title, aid in db.exec(  # type: ignore[call-overload]  # plain SQLAlchemy select
            sa_select(col(Module.session_id), col(Activity.kind), col(Activity.title), func.min(col(Activity.id)))
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(col(Module.session_id).in_(shown))
            .group_by(col(Module.session_id), col(Activity.kind), col(Activity.title))
        ).all()
    }
    rows = []
    for activity, module in timeline:
        lesson = (activity.kind, activity.title)
        count, latest = learners.get(lesson, (0, None))
        opened_in = latest or sids[0]
        copy_id = copy_ids.get((opened_in, activity.kind, activity.title))
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
                open_link=f"/sessions/{opened_in}?activite={copy_id}" if copy_id else f"/sessions/{opened_in}",
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
        # Staff edit the entry there; a tutor reads it (`catalogue.catalogue_entry`).
        catalogue_link=f"/catalogue/{course.id}",
        centre_link=f"/tutorat/formations/{course.id}/centre",
        open_link=f"/sessions/{tutored.session_ids[0]}",
    )
    return CourseDetail(
        info=info,
        stats=_stats(db, tutored),
        lessons=_lessons(db, tutored),
        reviews=course_reviews.reviews_of(db, tutored.course.id or 0, tutored.session_ids),
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
