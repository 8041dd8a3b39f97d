"""Third-party grids, the competencies framework, acquired competencies, and self-assessment.

- A third-party evaluation: the trainer fills, per learner, the course's objectives (its linked
  competencies, else the lines of its objectives) with Acquis / En cours d'acquisition / Non acquis
  and a comment (`Capability.MANAGE`); staff and trainers read it (OVERSEE), the learner reads theirs.
- The framework: an organisation's competencies (code, label, category), edited by its staff;
  courses link some; trainers record which a learner acquired on a session (MANAGE).
- Self-assessment: the learner positions themself on the course's competencies (1 to `SELF_SCALE`),
  before and after; the trainer reads both side by side.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, delete, select

from app.clock import paris_datetime_label
from app.models import Activity, Course, Enrolment, Module, TrainingSession, User
from app.models.base import utcnow
from app.models.evaluations import (
    GRID_LEVELS,
    AcquiredCompetency,
    Competency,
    CourseCompetency,
    GridEntry,
    SelfPosition,
)
from app.services import audience, audit, progress
from app.services.access import Capability, access_activity, access_course, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations.gate import learner_activity
from app.services.evaluations.uses import use_of

GRID_KIND = "third_party_evaluation"
SELF_KIND = "self_assessment"
SELF_SCALE = 5
COMMENT_MAX = 2000
OBJECTIVE_MAX = 300
CODE_MAX = 40
LABEL_MAX = 300
CATEGORY_MAX = 200


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class CompetencyRow:
    """A competency of the framework."""

    id: int
    code: str
    label: str
    category: str


def _row(competency: Competency) -> CompetencyRow:
    return CompetencyRow(
        id=competency.id or 0, code=competency.code, label=competency.label, category=competency.category
    )


def course_competencies(db: Session, course_id: int) -> list[Competency]:
    """The competencies a course links, in its order (no access check: for the callers' gates).

    Args:
        db: Database session.
        course_id: The course.

    Returns:
        The competencies.
    """
    return list(
        db.exec(
            select(Competency)
            .join(CourseCompetency, col(CourseCompetency.competency_id) == col(Competency.id))
            .where(CourseCompetency.course_id == course_id)
            .order_by(col(CourseCompetency.position), col(Competency.id))
        ).all()
    )


@dataclass(frozen=True)
class Objective:
    """A line of a third-party grid: an objective of the course, or one of its competencies."""

    text: str
    competency_id: int | None


def objectives(db: Session, course: Course) -> list[Objective]:
    """A course's grid lines: its linked competencies, else the lines of its objectives.

    Args:
        db: Database session.
        course: The course.

    Returns:
        The lines, in order, without duplicates.
    """
    linked = course_competencies(db, course.id or 0)
    if linked:
        return [Objective(text=f"{c.code} — {c.label}"[:OBJECTIVE_MAX], competency_id=c.id) for c in linked]
    lines = (line.strip().lstrip("-•*·").strip() for line in course.objectives.splitlines())
    return [Objective(text=text[:OBJECTIVE_MAX], competency_id=None) for text in dict.fromkeys(t for t in lines if t)]


@dataclass(frozen=True)
class GridLine:
    """One objective of a learner's grid, with the trainer's judgement (level "" before one is given)."""

    objective: str
    competency_id: int | None
    level: str
    comment: str


@dataclass(frozen=True)
class GridView:
    """A learner's third-party grid."""

    activity_id: int
    learner_id: int
    name: str
    lines: list[GridLine]
    recorded_at: str


def _grid(db: Session, activity: Activity, training: TrainingSession, learner: User) -> GridView:
    course = db.get(Course, training.course_id)
    entries = {
        e.objective: e
        for e in db.exec(
            select(GridEntry).where(GridEntry.activity_id == activity.id, GridEntry.learner_id == learner.id)
        ).all()
    }
    lines = [
        GridLine(
            objective=o.text,
            competency_id=o.competency_id,
            level=entries[o.text].level if o.text in entries else "",
            comment=entries[o.text].comment if o.text in entries else "",
        )
        for o in (objectives(db, course) if course is not None else [])
    ]
    latest = max((e.recorded_at for e in entries.values()), default=None)
    return GridView(
        activity_id=activity.id or 0,
        learner_id=learner.id or 0,
        name=learner.display_name,
        lines=lines,
        recorded_at=paris_datetime_label(latest) if latest is not None else "",
    )


def _enrolled_learner(db: Session, activity: Activity, session_id: int, learner_id: object) -> User:
    key = _id(learner_id)
    user = (
        db.exec(
            select(User)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == session_id, Enrolment.user_id == key)
        ).first()
        if key is not None
        else None
    )
    if user is None or not audience.invited(activity, key or 0):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return user


def grid(db: Session, actor: Actor, activity_id: int, learner_id: int) -> GridView:
    """A learner's third-party grid, for staff and the session's trainers (OVERSEE).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A third-party evaluation activity.
        learner_id: A learner the activity is for.

    Returns:
        The grid.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, training, _ = access_activity(db, actor, activity_id, Capability.OVERSEE)
    if activity.kind != GRID_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return _grid(db, activity, training, _enrolled_learner(db, activity, training.id or 0, learner_id))


@dataclass(frozen=True)
class GridLearner:
    """A learner of a third-party evaluation, with how many of the grid's objectives are judged."""

    user_id: int
    name: str
    judged: int
    objectives: int


def grid_learners(db: Session, actor: Actor, activity_id: int) -> list[GridLearner]:
    """The learners a third-party evaluation is for, by name, for staff and the session's trainers (OVERSEE).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A third-party evaluation activity.

    Returns:
        One line per learner.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, training, _ = access_activity(db, actor, activity_id, Capability.OVERSEE)
    if activity.kind != GRID_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    course = db.get(Course, training.course_id)
    lines = {o.text for o in (objectives(db, course) if course is not None else [])}
    judged: dict[int, int] = {}
    for learner_id, objective in db.exec(
        select(GridEntry.learner_id, GridEntry.objective).where(GridEntry.activity_id == activity.id)
    ).all():
        if objective in lines:
            judged[learner_id] = judged.get(learner_id, 0) + 1
    users = db.exec(
        select(User)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(Enrolment.session_id == training.id)
        .order_by(col(Enrolment.sort_name), col(User.id))
    ).all()
    return [
        GridLearner(user_id=u.id or 0, name=u.display_name, judged=judged.get(u.id or 0, 0), objectives=len(lines))
        for u in users
        if audience.invited(activity, u.id or 0)
    ]


def my_grid(db: Session, actor: Actor, activity_id: int) -> GridView:
    """The learner's own third-party grid, as their trainer filled it.

    Args:
        db: Database session.
        actor: A learner of the session.
        activity_id: A third-party evaluation activity.

    Returns:
        The grid.

    Raises:
        PlumeError: NOT_FOUND.
    """
    reached = learner_activity(db, actor, activity_id, write=False)
    if reached.activity.kind != GRID_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    learner = db.get(User, actor.user_id)
    if learner is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return _grid(db, reached.activity, reached.training, learner)


def record_grid(
    db: Session, actor: Actor, activity_id: int, learner_id: int, entries: Sequence[Mapping[str, object]]
) -> GridView:
    """The trainer fills (part of) a learner's grid: a level and a comment per objective.

    An entry with level "" removes that objective's judgement. Once every objective has a
    level, the learner's activity is finished (completed).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on it (MANAGE).
        activity_id: A third-party evaluation activity.
        learner_id: A learner the activity is for.
        entries: Each {"objective": one of the grid's lines, "level": one of GRID_LEVELS or "", "comment": str}.

    Returns:
        The grid as now filled.

    Raises:
        PlumeError: NOT_FOUND; GRID_LEVEL; TEXT_TOO_LONG (field "comment"); INVALID_INPUT (an unknown objective).
    """
    activity, _, training, _ = access_activity(db, actor, activity_id, Capability.MANAGE)
    if activity.kind != GRID_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    learner = _enrolled_learner(db, activity, training.id or 0, learner_id)
    course = db.get(Course, training.course_id)
    lines = {o.text: o for o in (objectives(db, course) if course is not None else [])}
    if not isinstance(entries, Sequence) or isinstance(entries, str):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    changes: dict[str, tuple[str, str]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or entry.get("objective") not in lines:
            raise PlumeError(ErrorCode.INVALID_INPUT)
        level, comment = entry.get("level", ""), entry.get("comment", "")
        if level not in ("", *GRID_LEVELS):
            raise PlumeError(ErrorCode.GRID_LEVEL, field="level")
        if not isinstance(comment, str):
            raise PlumeError(ErrorCode.INVALID_INPUT, field="comment")
        if len(comment.strip()) > COMMENT_MAX:
            raise PlumeError(ErrorCode.TEXT_TOO_LONG, field="comment", max=f"{COMMENT_MAX:,}".replace(",", "\u202f"))
        changes[str(entry["objective"])] = (str(level), comment.strip())
    existing = {
        e.objective: e
        for e in db.exec(
            select(GridEntry).where(GridEntry.activity_id == activity.id, GridEntry.learner_id == learner.id)
        ).all()
    }
    for objective, (level, comment) in changes.items():
        row = existing.get(objective)
        if not level:
            if row is not None:
                db.delete(row)
            continue
        if row is None:
            row = GridEntry(
                activity_id=activity.id or 0,
                session_id=training.id or 0,
                learner_id=learner.id or 0,
                trainer_id=actor.user_id,
                objective=objective,
                competency_id=lines[objective].competency_id,
                level=level,
            )
        row.level, row.comment, row.trainer_id, row.recorded_at = level, comment, actor.user_id, utcnow()
        db.add(row)
    db.flush()
    audit.record(
        db,
        "evaluation.grid",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"activity:{activity.id}:user:{learner.id}",
        after={objective: level for objective, (level, _) in changes.items()},
        ip=actor.ip,
    )
    view = _grid(db, activity, training, learner)
    if view.lines and all(line.level for line in view.lines):
        progress.finished(db, activity, learner.id or 0, training.id or 0)
    return view


def _framework_reader(actor: Actor) -> int:
    if actor.organisation_id is None or not actor.has_role("staff", "trainer"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return actor.organisation_id


def list_competencies(db: Session, actor: Actor) -> list[CompetencyRow]:
    """The organisation's framework, by category then code (staff and trainers).

    Args:
        db: Database session.
        actor: Staff or a trainer of the selected organisation.

    Returns:
        The competencies.

    Raises:
        PlumeError: NOT_FOUND.
    """
    organisation_id = _framework_reader(actor)
    return [
        _row(c)
        for c in db.exec(
            select(Competency)
            .where(Competency.organisation_id == organisation_id)
            .order_by(col(Competency.category), col(Competency.code))
        ).all()
    ]


def _framework_editor(actor: Actor) -> int:
    if actor.organisation_id is None or not actor.has_role("staff"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return actor.organisation_id


def _clean_competency(
    db: Session, organisation_id: int, code: object, label: object, category: object, *, own_id: int | None = None
) -> tuple[str, str, str]:
    texts = [v.strip() if isinstance(v, str) else None for v in (code, label, category)]
    if any(t is None for t in texts) or not texts[0] or not texts[1]:
        raise PlumeError(ErrorCode.COMPETENCY_REQUIRED, field="code" if not texts[0] else "label")
    clean_code, clean_label, clean_category = (t or "" for t in texts)
    for field, text, limit in (
        ("code", clean_code, CODE_MAX),
        ("label", clean_label, LABEL_MAX),
        ("category", clean_category, CATEGORY_MAX),
    ):
        if len(text) > limit:
            raise PlumeError(ErrorCode.TEXT_TOO_LONG, field=field, max=str(limit))
    taken = db.exec(
        select(Competency.id).where(Competency.organisation_id == organisation_id, Competency.code == clean_code)
    ).first()
    if taken is not None and taken != own_id:
        raise PlumeError(ErrorCode.COMPETENCY_CODE_TAKEN, field="code")
    return clean_code, clean_label, clean_category


def create_competency(db: Session, actor: Actor, code: object, label: object, category: object = "") -> int:
    """Add a competency to the organisation's framework (staff).

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        code: Its code, unique in the framework.
        label: Its label.
        category: Its category.

    Returns:
        Its id.

    Raises:
        PlumeError: NOT_FOUND (not staff); COMPETENCY_REQUIRED; COMPETENCY_CODE_TAKEN; TEXT_TOO_LONG.
    """
    organisation_id = _framework_editor(actor)
    clean_code, clean_label, clean_category = _clean_competency(db, organisation_id, code, label, category)
    competency = Competency(
        organisation_id=organisation_id, code=clean_code, label=clean_label, category=clean_category
    )
    db.add(competency)
    db.flush()
    audit.record(
        db,
        "competency.created",
        actor_user_id=actor.user_id,
        organisation_id=organisation_id,
        target=f"competency:{competency.id}",
        after={"code": clean_code, "label": clean_label, "category": clean_category},
        ip=actor.ip,
    )
    return competency.id or 0


def _own_competency(db: Session, actor: Actor, competency_id: object) -> Competency:
    organisation_id, key = _framework_editor(actor), _id(competency_id)
    competency = db.get(Competency, key) if key is not None else None
    if competency is None or competency.organisation_id != organisation_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return competency


def update_competency(
    db: Session, actor: Actor, competency_id: int, code: object, label: object, *, category: object = ""
) -> CompetencyRow:
    """Change a competency's code, label and category (staff); its links and acquisitions stay.

    Args:
        db: Database session.
        actor: Staff of the competency's organisation.
        competency_id: The competency.
        code: Its code, unique in the framework.
        label: Its label.
        category: Its category.

    Returns:
        The competency now.

    Raises:
        PlumeError: NOT_FOUND; COMPETENCY_REQUIRED; COMPETENCY_CODE_TAKEN; TEXT_TOO_LONG.
    """
    competency = _own_competency(db, actor, competency_id)
    before = {"code": competency.code, "label": competency.label, "category": competency.category}
    competency.code, competency.label, competency.category = _clean_competency(
        db, competency.organisation_id, code, label, category, own_id=competency.id
    )
    db.add(competency)
    db.flush()
    audit.record(
        db,
        "competency.updated",
        actor_user_id=actor.user_id,
        organisation_id=competency.organisation_id,
        target=f"competency:{competency.id}",
        before=before,
        after={"code": competency.code, "label": competency.label, "category": competency.category},
        ip=actor.ip,
    )
    return _row(competency)


def competency_in_use(db: Session, competency_id: int) -> bool:
    """Whether a course links the competency or anything about a learner names it (no access check).

    Args:
        db: Database session.
        competency_id: The competency.

    Returns:
        True when removing it would lose a link, an acquisition, a grid line or a self-assessment.
    """
    return any(
        db.exec(select(table.id).where(col(table.competency_id) == competency_id).limit(1)).first() is not None
        for table in (CourseCompetency, AcquiredCompetency, GridEntry, SelfPosition)
    )


def remove_competency(db: Session, actor: Actor, competency_id: int) -> None:
    """Remove a competency from the framework (staff); one in use is kept (a course's, a learner's).

    Args:
        db: Database session.
        actor: Staff of the competency's organisation.
        competency_id: The competency.

    Raises:
        PlumeError: NOT_FOUND; COMPETENCY_IN_USE when a course links it or a learner's record names it.
    """
    competency = _own_competency(db, actor, competency_id)
    if competency_in_use(db, competency.id or 0):
        raise PlumeError(ErrorCode.COMPETENCY_IN_USE)
    db.delete(competency)
    db.flush()
    audit.record(
        db,
        "competency.removed",
        actor_user_id=actor.user_id,
        organisation_id=competency.organisation_id,
        target=f"competency:{competency_id}",
        before={"code": competency.code, "label": competency.label},
        ip=actor.ip,
    )


def link_course(db: Session, actor: Actor, course_id: int, competency_ids: Sequence[int]) -> list[CompetencyRow]:
    """Set the competencies a course develops, in order (the catalogue's staff: `access_course`).

    Args:
        db: Database session.
        actor: Staff of the course's organisation.
        course_id: The course.
        competency_ids: Competencies of the same organisation.

    Returns:
        The course's competencies now.

    Raises:
        PlumeError: NOT_FOUND (the course, or a competency of another organisation).
    """
    course = access_course(db, actor, course_id)
    ids = list(dict.fromkeys(i for i in (_id(v) for v in competency_ids)))
    if None in ids:
        raise PlumeError(ErrorCode.NOT_FOUND)
    found = {
        c.id: c
        for c in db.exec(
            select(Competency).where(col(Competency.id).in_(ids), Competency.organisation_id == course.organisation_id)
        ).all()
    }
    if len(found) != len(ids):
        raise PlumeError(ErrorCode.NOT_FOUND)
    db.exec(delete(CourseCompetency).where(col(CourseCompetency.course_id) == course.id))
    db.add_all(CourseCompetency(course_id=course.id or 0, competency_id=i or 0, position=n) for n, i in enumerate(ids))
    db.flush()
    return [_row(found[i]) for i in ids]


def course_links(db: Session, actor: Actor, course_id: int) -> list[CompetencyRow]:
    """The competencies a course links, in its order, for the catalogue's staff (`access_course`).

    Args:
        db: Database session.
        actor: Staff of the course's organisation.
        course_id: The course.

    Returns:
        The competencies.

    Raises:
        PlumeError: NOT_FOUND.
    """
    course = access_course(db, actor, course_id)
    return [_row(c) for c in course_competencies(db, course.id or 0)]


def record_acquired(
    db: Session, actor: Actor, session_id: int, learner_id: int, competency_id: int, *, acquired: bool
) -> None:
    """Record (or withdraw) a competency a learner acquired on a session (staff and its trainers: MANAGE).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on it.
        session_id: The session.
        learner_id: A learner enrolled in it.
        competency_id: A competency the session's course links.
        acquired: Whether it is acquired.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.MANAGE)
    learner, competency = _id(learner_id), _id(competency_id)
    enrolled = db.exec(
        select(Enrolment.id).where(Enrolment.session_id == training.id, Enrolment.user_id == learner)
    ).first()
    linked = competency in {c.id for c in course_competencies(db, training.course_id)}
    if learner is None or competency is None or enrolled is None or not linked or not isinstance(acquired, bool):
        raise PlumeError(ErrorCode.NOT_FOUND)
    row = db.exec(
        select(AcquiredCompetency).where(
            AcquiredCompetency.session_id == training.id,
            AcquiredCompetency.user_id == learner,
            AcquiredCompetency.competency_id == competency,
        )
    ).first()
    if acquired and row is None:
        db.add(
            AcquiredCompetency(
                session_id=training.id or 0, user_id=learner, competency_id=competency, recorded_by_id=actor.user_id
            )
        )
    elif not acquired and row is not None:
        db.delete(row)
    else:
        return
    db.flush()
    audit.record(
        db,
        "competency.acquired" if acquired else "competency.withdrawn",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}:user:{learner}:competency:{competency}",
        ip=actor.ip,
    )


def access_learner_record(db: Session, actor: Actor, session_id: int, learner_id: object) -> TrainingSession:
    """The gate of a learner's record on a session (acquired competencies, validated modules).

    The learner reads their own; staff, trainers and tutors of the session read anyone's.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.
        learner_id: The learner whose record is read.

    Returns:
        The session.

    Raises:
        PlumeError: NOT_FOUND for anyone else.
    """
    training, role = access_session(db, actor, session_id)
    if not (role.sees_everything or (role.enrolled and learner_id == actor.user_id)):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return training


def acquired_competencies(db: Session, actor: Actor, session_id: int, learner_id: int) -> list[CompetencyRow]:
    """The competencies a learner acquired on a session: for the learner themself and the session's team.

    Args:
        db: Database session.
        actor: The learner, or staff, a trainer or a tutor of the session.
        session_id: The session.
        learner_id: The learner.

    Returns:
        The competencies, in the course's order.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training = access_learner_record(db, actor, session_id, learner_id)
    held = set(
        db.exec(
            select(AcquiredCompetency.competency_id).where(
                AcquiredCompetency.session_id == training.id, AcquiredCompetency.user_id == learner_id
            )
        ).all()
    )
    return [_row(c) for c in course_competencies(db, training.course_id) if c.id in held]


@dataclass(frozen=True)
class SelfLine:
    """One competency of a self-assessment, with the learner's level (0 before they chose one)."""

    competency_id: int
    code: str
    label: str
    level: int


def _moment(db: Session, activity: Activity, module: Module) -> str:
    use = use_of(db, activity.id or 0)
    if use is not None and use.moment in ("before", "after"):
        return use.moment
    return "before" if module.phase == "before" else "after"


def self_form(db: Session, actor: Actor, activity_id: int) -> list[SelfLine]:
    """The learner's self-assessment: the course's competencies and the levels they chose.

    Args:
        db: Database session.
        actor: A learner of the session.
        activity_id: A self-assessment activity.

    Returns:
        One line per competency of the course.

    Raises:
        PlumeError: NOT_FOUND.
    """
    reached = learner_activity(db, actor, activity_id, write=False)
    if reached.activity.kind != SELF_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    levels = {
        p.competency_id: p.level
        for p in db.exec(
            select(SelfPosition).where(
                SelfPosition.activity_id == reached.activity.id, SelfPosition.user_id == actor.user_id
            )
        ).all()
    }
    return [
        SelfLine(competency_id=c.id or 0, code=c.code, label=c.label, level=levels.get(c.id or 0, 0))
        for c in course_competencies(db, reached.training.course_id)
    ]


def position_self(db: Session, actor: Actor, activity_id: int, competency_id: int, level: int) -> list[SelfLine]:
    """The learner positions themself on one competency (1 to `SELF_SCALE`); again replaces it.

    Once every competency has a level, the learner's activity is finished (completed).

    Args:
        db: Database session.
        actor: A learner of the session (still live).
        activity_id: A self-assessment activity.
        competency_id: A competency of the course.
        level: From 1 to `SELF_SCALE`.

    Returns:
        The self-assessment now.

    Raises:
        PlumeError: NOT_FOUND; ANSWER_INVALID for a level out of the scale.
    """
    reached = learner_activity(db, actor, activity_id, write=True)
    activity = reached.activity
    if activity.kind != SELF_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if competency_id not in {c.id for c in course_competencies(db, reached.training.course_id)}:
        raise PlumeError(ErrorCode.NOT_FOUND)
    chosen = _id(level)
    if chosen is None or not 1 <= chosen <= SELF_SCALE:
        raise PlumeError(ErrorCode.ANSWER_INVALID)
    row = db.exec(
        select(SelfPosition).where(
            SelfPosition.activity_id == activity.id,
            SelfPosition.user_id == actor.user_id,
            SelfPosition.competency_id == competency_id,
        )
    ).first()
    if row is None:
        row = SelfPosition(
            activity_id=activity.id or 0,
            session_id=reached.training.id or 0,
            user_id=actor.user_id,
            competency_id=competency_id,
            moment=_moment(db, activity, reached.module),
            level=chosen,
        )
    row.level, row.recorded_at = chosen, utcnow()
    db.add(row)
    db.flush()
    lines = self_form(db, actor, activity_id)
    if lines and all(line.level for line in lines):
        progress.finished(db, activity, actor.user_id, reached.training.id or 0)
    return lines


@dataclass(frozen=True)
class SelfComparison:
    """One learner's self-assessment before and after, per competency (0: not positioned)."""

    user_id: int
    name: str
    competencies: list[tuple[int, int, int]]  # (competency id, before, after)


def self_side_by_side(db: Session, actor: Actor, activity_id: int) -> list[SelfComparison]:
    """Each learner's self-assessments of the session, before and after side by side (staff and trainers).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers (OVERSEE).
        activity_id: Any self-assessment activity of the session.

    Returns:
        One row per learner, by name, with one triple per competency of the course.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, training, _ = access_activity(db, actor, activity_id, Capability.OVERSEE)
    if activity.kind != SELF_KIND:
        raise PlumeError(ErrorCode.NOT_FOUND)
    levels: dict[tuple[int, int, str], int] = {}
    for position in db.exec(
        select(SelfPosition).where(SelfPosition.session_id == training.id).order_by(col(SelfPosition.recorded_at))
    ).all():
        levels[position.user_id, position.competency_id, position.moment] = position.level
    competencies = course_competencies(db, training.course_id)
    users = db.exec(
        select(User)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(Enrolment.session_id == training.id)
        .order_by(col(Enrolment.sort_name), col(User.id))
    ).all()
    return [
        SelfComparison(
            user_id=u.id or 0,
            name=u.display_name,
            competencies=[
                (
                    c.id or 0,
                    levels.get((u.id or 0, c.id or 0, "before"), 0),
                    levels.get((u.id or 0, c.id or 0, "after"), 0),
                )
                for c in competencies
            ],
        )
        for u in users
    ]
