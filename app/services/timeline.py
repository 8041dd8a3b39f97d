"""Editing a timeline (a session's, or a course's template): modules, activities, slots.

Staff do everything. Trainers of a session duplicate and delete (and add documents,
in `documents`); they never change opening rules. Where the organisation lets its trainers
plan their sessions (progressive planning, `access.may_plan_slots`), they also schedule
in-person and virtual-class activities and add new ones (`schedule`, `add_and_schedule`).
Every change is announced live on the session's topic.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import true
from sqlmodel import Session, col, delete, select

from app.clock import paris_day, paris_instant, paris_midnight
from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import (
    Activity,
    ActivityCompletion,
    ActivityResponse,
    AppointmentBooking,
    AppointmentOffer,
    Document,
    Enrolment,
    LessonAttempt,
    LessonProgress,
    Module,
    Observation,
    Organisation,
    ScormAttempt,
    Slot,
    Submission,
    TrainingSession,
)
from app.models.base import utcnow
from app.models.evaluations import (
    EvaluationAnswer,
    EvaluationAttempt,
    GridEntry,
    ModuleValidation,
    QuestionnaireUse,
    SelfPosition,
)
from app.models.training import ACTIVITY_KINDS, PHASES
from app.services import activities, audit, calendar, planning_rules, progress, rooms
from app.services import notify as notify_people
from app.services.access import access_course, access_plannable_activity, access_plannable_module, access_session
from app.services.actor import Actor
from app.services.audience import invitees, slot_invitees
from app.services.errors import ErrorCode, PlumeError
from app.services.typed import parse_date

OPENING_RULES = ("always", "date", "after_previous")
COUNT_CHANGING = (
    "delete_module",
    "duplicate_module",
    "add_activity",
    "delete_activity",
    "duplicate_activity",
    "place_activity",
)
PLANNED_KINDS = ("in_person", "virtual_class")  # the activities a slot is planned for (a séance)
HALF_DAYS = {"morning": ((9, 0), (12, 30)), "afternoon": ((14, 0), (17, 30))}


@dataclass(frozen=True)
class Scope:
    """Whose timeline a module belongs to, and what the actor may do there."""

    training: TrainingSession | None
    course_id: int | None
    staff: bool
    trainer: bool


def _scope_of(db: Session, actor: Actor, *, session_id: int | None, course_id: int | None) -> Scope:
    if session_id is not None:
        training, role = access_session(db, actor, session_id)
        return Scope(training=training, course_id=None, staff=role.staff, trainer=role.trainer)
    if course_id is not None:
        course = access_course(db, actor, course_id)
        return Scope(training=None, course_id=course.id, staff=True, trainer=False)
    raise PlumeError(ErrorCode.NOT_FOUND)


def _module(db: Session, actor: Actor, module_id: object, *, trainer_may: bool = False) -> tuple[Module, Scope]:
    module = db.get(Module, module_id) if isinstance(module_id, int) else None
    if module is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    scope = _scope_of(db, actor, session_id=module.session_id, course_id=module.course_id)
    if not (scope.staff or (trainer_may and scope.trainer)):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return module, scope


def _activity(
    db: Session, actor: Actor, activity_id: object, *, trainer_may: bool = False
) -> tuple[Activity, Module, Scope]:
    activity = db.get(Activity, activity_id) if isinstance(activity_id, int) else None
    if activity is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    module, scope = _module(db, actor, activity.module_id, trainer_may=trainer_may)
    return activity, module, scope


def _title(value: str) -> str:
    title = " ".join(value.split())
    if not title:
        raise PlumeError(ErrorCode.TITLE_REQUIRED, field="title")
    return title[:200]


def _changed(db: Session, actor: Actor, scope: Scope, action: str, target: str, **after: object) -> None:
    org_id = scope.training.organisation_id if scope.training else actor.organisation_id
    audit.record(
        db,
        f"timeline.{action}",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=target,
        after=dict(after) or None,
    )
    if scope.training is not None and scope.training.id is not None:
        if action in COUNT_CHANGING:
            db.flush()
            progress.refresh(db, scope.training.id)
        notify(db, session_topic(scope.training.id), TimelineChanged(op=action))


def add_module(
    db: Session, actor: Actor, *, title: str, phase: str, session_id: int | None = None, course_id: int | None = None
) -> Module:
    """Add a module at the end of its phase (staff).

    Args:
        db: Database session.
        actor: A staff member.
        title: The module's title.
        phase: before, during or after.
        session_id: The session, or
        course_id: the course whose template it extends.

    Returns:
        The module.

    Raises:
        PlumeError: NOT_FOUND, TITLE_REQUIRED or INVALID_INPUT.
    """
    scope = _scope_of(db, actor, session_id=session_id, course_id=course_id)
    if not scope.staff:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if phase not in PHASES:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="phase")
    clean = _title(title)
    owner = {"session_id": scope.training.id} if scope.training else {"course_id": scope.course_id}
    siblings = db.exec(select(Module).filter_by(**owner, phase=phase)).all()
    module = Module(
        title=clean,
        phase=phase,
        position=max((m.position for m in siblings), default=-1) + 1,
        session_id=scope.training.id if scope.training else None,
        course_id=scope.course_id,
    )
    db.add(module)
    db.flush()
    _changed(db, actor, scope, "add_module", f"module:{module.id}", title=clean)
    return module


def rename_module(db: Session, actor: Actor, module_id: int, title: str) -> None:
    """Rename a module (staff).

    Args:
        db: Database session.
        actor: A staff member.
        module_id: The module.
        title: New title.

    Raises:
        PlumeError: NOT_FOUND or TITLE_REQUIRED.
    """
    module, scope = _module(db, actor, module_id)
    module.title = _title(title)
    db.add(module)
    _changed(db, actor, scope, "rename_module", f"module:{module.id}", title=module.title)


def set_opening_rule(db: Session, actor: Actor, module_id: int, rule: str, opens_on: str = "") -> None:
    """Set when a module opens to learners (staff only; trainers are refused).

    Args:
        db: Database session.
        actor: A staff member.
        module_id: The module.
        rule: always, date or after_previous.
        opens_on: The opening date for rule "date" (YYYY-MM-DD or DD/MM/YYYY).

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, DATE_INVALID or MODULE_OPENS_BEFORE_SESSION.
    """
    module, scope = _module(db, actor, module_id)
    if rule not in OPENING_RULES or (rule == "date" and scope.training is None):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="rule")
    opens_at = None
    if rule == "date":
        assert scope.training is not None
        day = parse_date(opens_on, "opens_on")
        if day < scope.training.starts_on:
            raise PlumeError(ErrorCode.MODULE_OPENS_BEFORE_SESSION, field="opens_on")
        # The day chosen in the form is a Paris day: the module opens at Paris midnight (23:00 UTC the day before in
        # winter, 22:00 in summer); the session page shows that instant's Paris day, the day chosen.
        opens_at = paris_midnight(day)
    module.opening_rule, module.opens_at = rule, opens_at
    db.add(module)
    _changed(db, actor, scope, "opening_rule", f"module:{module.id}", rule=rule, opens_on=opens_on)


def _delete_activity_rows(db: Session, activity: Activity) -> None:
    slots = db.exec(select(Slot).where(Slot.activity_id == activity.id)).all()
    # Calendars that hold a slot hear it is cancelled: what they need of it outlives the row.
    revisions = calendar.sequences(db, slots)
    for slot in slots:
        audience_ids = slot_invitees(db, activity, slot)  # an appointment slot's: its confirmed learners
        sequence = revisions.get(slot.id or 0, 0) + 1
        calendar.cancel_slot(db, slot, title=activity.title, invitees=audience_ids, sequence=sequence)
        training = db.get(TrainingSession, slot.session_id)
        if training is not None:
            notify_people.slot_change_emails(db, training, activity, slot, sequence=sequence, cancelled=True)
    # An appointment's bookings and offers point to its slots: they go first.
    db.exec(delete(AppointmentBooking).where(col(AppointmentBooking.activity_id) == activity.id))
    db.exec(delete(AppointmentOffer).where(col(AppointmentOffer.activity_id) == activity.id))
    for slot in slots:
        db.delete(slot)
    attempts = select(EvaluationAttempt.id).where(EvaluationAttempt.activity_id == activity.id)
    db.exec(delete(EvaluationAnswer).where(col(EvaluationAnswer.attempt_id).in_(attempts)))
    for table in (
        ActivityCompletion,
        ActivityResponse,
        LessonProgress,
        LessonAttempt,
        Submission,
        Observation,
        EvaluationAttempt,
        QuestionnaireUse,
        GridEntry,
        SelfPosition,
        ScormAttempt,
    ):
        db.exec(delete(table).where(col(table.activity_id) == activity.id))
    # Its own files stop being served, like a deleted module's documents (the rows stay for the audit trail).
    for document in db.exec(select(Document).where(col(Document.id).in_(activities.held_files(activity)))).all():
        document.deleted_at = document.deleted_at or utcnow()
        db.add(document)
    db.delete(activity)


def delete_module(db: Session, actor: Actor, module_id: int) -> None:
    """Delete a module, its activities and slots; its documents stop being served (staff or trainer).

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        module_id: The module.

    Raises:
        PlumeError: NOT_FOUND.
    """
    module, scope = _module(db, actor, module_id, trainer_may=True)
    for activity in db.exec(select(Activity).where(Activity.module_id == module.id)).all():
        _delete_activity_rows(db, activity)
    db.exec(delete(ModuleValidation).where(col(ModuleValidation.module_id) == module.id))
    for document in db.exec(select(Document).where(Document.module_id == module.id)).all():
        document.module_id, document.deleted_at = None, document.deleted_at or utcnow()
        db.add(document)
    db.flush()
    db.delete(module)
    _changed(db, actor, scope, "delete_module", f"module:{module_id}", title=module.title)


def _make_room(db: Session, siblings: Sequence[Module] | Sequence[Activity], position: int) -> None:
    # Everything after `position` moves down one place, for a copy to stand right after the original.
    for later in siblings:
        if later.position > position:
            later.position += 1
            db.add(later)


def _copy_activity(
    db: Session, actor: Actor, activity: Activity, *, module_id: int, title: str, position: int
) -> Activity:
    twin = Activity(module_id=module_id, kind=activity.kind, title=title, position=position)
    db.add(twin)
    db.flush()
    activities.copy_settings(db, actor, activity, twin)
    return twin


def duplicate_module(db: Session, actor: Actor, module_id: int) -> Module:
    """Copy a module and its activities right after it (staff or trainer).

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        module_id: The module.

    Returns:
        The copy.

    Raises:
        PlumeError: NOT_FOUND.
    """
    module, scope = _module(db, actor, module_id, trainer_may=True)
    owner = {"session_id": module.session_id} if module.session_id else {"course_id": module.course_id}
    _make_room(db, db.exec(select(Module).filter_by(**owner, phase=module.phase)).all(), module.position)
    copy = Module(
        title=f"{module.title} (copie)"[:200],
        phase=module.phase,
        position=module.position + 1,
        opening_rule=module.opening_rule,
        opens_at=module.opens_at,
        session_id=module.session_id,
        course_id=module.course_id,
    )
    db.add(copy)
    db.flush()
    for activity in db.exec(select(Activity).where(Activity.module_id == module.id)).all():
        _copy_activity(db, actor, activity, module_id=copy.id or 0, title=activity.title, position=activity.position)
    _changed(db, actor, scope, "duplicate_module", f"module:{module.id}", copy=copy.id)
    return copy


def add_activity(db: Session, actor: Actor, module_id: int, *, kind: str, title: str) -> Activity:
    """Add an activity at the end of a module (staff).

    Args:
        db: Database session.
        actor: A staff member.
        module_id: The module.
        kind: One of the 16 kinds.
        title: The activity's title.

    Returns:
        The activity.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT or TITLE_REQUIRED.
    """
    module, scope = _module(db, actor, module_id)
    if kind not in ACTIVITY_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    clean = _title(title)
    last = db.exec(select(Activity.position).where(Activity.module_id == module.id)).all()
    activity = Activity(module_id=module.id or 0, kind=kind, title=clean, position=max(last, default=-1) + 1)
    db.add(activity)
    db.flush()
    _changed(db, actor, scope, "add_activity", f"activity:{activity.id}", kind=kind, title=clean)
    return activity


def rename_activity(db: Session, actor: Actor, activity_id: int, title: str) -> None:
    """Rename an activity (staff).

    Args:
        db: Database session.
        actor: A staff member.
        activity_id: The activity.
        title: New title.

    Raises:
        PlumeError: NOT_FOUND or TITLE_REQUIRED.
    """
    activity, _, scope = _activity(db, actor, activity_id)
    activity.title = _title(title)
    db.add(activity)
    _changed(db, actor, scope, "rename_activity", f"activity:{activity.id}", title=activity.title)


def delete_activity(db: Session, actor: Actor, activity_id: int) -> None:
    """Delete an activity and its slots (staff or trainer).

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        activity_id: The activity.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, scope = _activity(db, actor, activity_id, trainer_may=True)
    title = activity.title
    _delete_activity_rows(db, activity)
    _changed(db, actor, scope, "delete_activity", f"activity:{activity_id}", title=title)


def duplicate_activity(db: Session, actor: Actor, activity_id: int) -> Activity:
    """Copy an activity right after it, without its slot (staff or trainer).

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        activity_id: The activity.

    Returns:
        The copy.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, module, scope = _activity(db, actor, activity_id, trainer_may=True)
    _make_room(db, db.exec(select(Activity).where(Activity.module_id == module.id)).all(), activity.position)
    title = f"{activity.title} (copie)"[:200]
    copy = _copy_activity(db, actor, activity, module_id=module.id or 0, title=title, position=activity.position + 1)
    _changed(db, actor, scope, "duplicate_activity", f"activity:{activity.id}", copy=copy.id)
    return copy


def move_activity(db: Session, actor: Actor, activity_id: int, direction: int) -> None:
    """Move an activity one place up (-1) or down (+1) in its module (staff).

    Args:
        db: Database session.
        actor: A staff member.
        activity_id: The activity.
        direction: -1 or +1.

    Raises:
        PlumeError: NOT_FOUND or INVALID_INPUT.
    """
    if direction not in (-1, 1):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    activity, module, scope = _activity(db, actor, activity_id)
    siblings = list(
        db.exec(
            select(Activity).where(Activity.module_id == module.id).order_by(col(Activity.position), col(Activity.id))
        ).all()
    )
    index = next(i for i, a in enumerate(siblings) if a.id == activity.id)
    target = index + direction
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, a in enumerate(siblings):
        if a.position != position:
            a.position = position
            db.add(a)
    _changed(db, actor, scope, "move_activity", f"activity:{activity.id}", direction=direction)


def _clock(value: str, field: str) -> time:
    try:
        hour, minute = (int(p) for p in value.strip().split(":")[:2])
        return time(hour, minute)
    except ValueError as exc:
        raise PlumeError(ErrorCode.DATE_INVALID, field=field) from exc


def schedule(
    db: Session,
    actor: Actor,
    activity_id: int,
    *,
    day: str,
    half_day: str = "",
    start: str = "",
    end: str = "",
    room: str = "",
    link: str = "",
    confirmed: bool = False,
) -> Slot:
    """Give an in-person activity its half-day (and room), or a virtual class its time range and link.

    Staff do it, and the session's trainers where the organisation lets them plan (`access.may_plan_slots`).
    A slot the organisation's planning rules warn about (`planning_rules`: outside business hours, a weekend, a
    public holiday, school holidays, a session starting on the eve of a break, too much remote work in a week)
    is refused with the reasons until the person confirms it.

    Args:
        db: Database session.
        actor: A staff member, or a trainer of the session allowed to plan it.
        activity_id: An in_person or virtual_class activity of a session.
        day: The date.
        half_day: morning or afternoon (in person).
        start: HH:MM (virtual class).
        end: HH:MM (virtual class).
        room: The room (in person).
        link: The meeting URL (virtual class); a Jitsi room is generated when empty.
        confirmed: Whether the person confirmed a slot the planning rules warned about.

    Returns:
        The activity's slot.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, DATE_INVALID, SLOT_OUTSIDE_SESSION, TIME_ORDER, LINK_INVALID_URL,
            ROOM_BOOKED, or PLANNING_WARNING (field `confirmed`, with the reasons) until confirmed.
    """
    activity, _, training, role = access_plannable_activity(db, actor, activity_id)
    scope = Scope(training=training, course_id=None, staff=role.staff, trainer=role.trainer)
    if scope.training is None or activity.kind not in PLANNED_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    date_ = parse_date(day, "day")
    if not scope.training.starts_on <= date_ <= scope.training.ends_on:
        raise PlumeError(ErrorCode.SLOT_OUTSIDE_SESSION, field="day")
    settings = json.loads(activity.settings_json or "{}")
    if activity.kind == "in_person":
        if half_day not in HALF_DAYS:
            raise PlumeError(ErrorCode.INVALID_INPUT, field="half_day")
        (h1, m1), (h2, m2) = HALF_DAYS[half_day]
        begins, finishes = time(h1, m1), time(h2, m2)
        settings.update({"half_day": half_day, "room": room.strip()[:100]})
    else:
        begins, finishes = _clock(start, "start"), _clock(end, "end")
        if finishes <= begins:
            raise PlumeError(ErrorCode.TIME_ORDER, field="end")
        url = link.strip()
        if url and not url.startswith("https://"):
            raise PlumeError(ErrorCode.LINK_INVALID_URL, field="link")
        organisation = db.get(Organisation, scope.training.organisation_id)
        settings["link"] = (
            url
            or settings.get("link")
            or (organisation.virtual_class_url if organisation else "")
            or f"https://meet.jit.si/plume-{secrets.token_urlsafe(12)}"
        )
    existing = db.exec(select(Slot).where(Slot.activity_id == activity.id)).first()
    slot = existing or Slot(
        session_id=scope.training.id or 0, activity_id=activity.id, starts_at=utcnow(), ends_at=utcnow()
    )
    before = (slot.starts_at, slot.ends_at, slot.room) if existing is not None else None
    slot.starts_at = paris_instant(date_, begins)
    slot.ends_at = paris_instant(date_, finishes)
    if not confirmed and before != (slot.starts_at, slot.ends_at, slot.room):
        warnings = _planning_warnings(db, scope.training, activity, slot)
        if warnings:
            raise PlumeError(
                ErrorCode.PLANNING_WARNING, field="confirmed", reasons=planning_rules.reasons(warnings, actor.language)
            )
    # An organisation's room is booked (never twice at once); other text is a place typed freely.
    rooms.book(db, slot, scope.training.organisation_id, room if activity.kind == "in_person" else "")
    settings["date"] = date_.isoformat()
    activity.settings_json = json.dumps(settings)
    db.add(slot)
    db.add(activity)
    _changed(db, actor, scope, "schedule", f"activity:{activity.id}", day=date_.isoformat())
    if before != (slot.starts_at, slot.ends_at, slot.room):
        # A confirmed session's people hold its events in their calendars: they get the update.
        db.flush()
        revision = calendar.sequences(db, [slot]).get(slot.id or 0, 0)
        notify_people.slot_change_emails(db, scope.training, activity, slot, sequence=revision)
    return slot


def add_and_schedule(
    db: Session,
    actor: Actor,
    module_id: int,
    *,
    kind: str,
    title: str,
    day: str,
    half_day: str = "",
    start: str = "",
    end: str = "",
    room: str = "",
    link: str = "",
    confirmed: bool = False,
) -> Slot:
    """Add a new séance (in person or virtual class) at the end of a session's module and schedule it, at once.

    Both happen in the caller's one transaction: when scheduling is refused (a bad date, a booked room, a planning
    warning not yet confirmed) the error rolls the new activity back with it, so nothing is left half-written.

    Args:
        db: Database session.
        actor: A staff member, or a trainer of the session allowed to plan it (`access.may_plan_slots`).
        module_id: A module of the session.
        kind: in_person or virtual_class.
        title: The séance's title.
        day: The date.
        half_day: morning or afternoon (in person).
        start: HH:MM (virtual class).
        end: HH:MM (virtual class).
        room: The room (in person).
        link: The meeting URL (virtual class).
        confirmed: Whether the person confirmed a slot the planning rules warned about.

    Returns:
        The new activity's slot.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT (field kind), TITLE_REQUIRED, or any error of `schedule`.
    """
    module, training, role = access_plannable_module(db, actor, module_id)
    if kind not in PLANNED_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    clean = _title(title)
    last = db.exec(select(Activity.position).where(Activity.module_id == module.id)).all()
    activity = Activity(module_id=module.id or 0, kind=kind, title=clean, position=max(last, default=-1) + 1)
    db.add(activity)
    db.flush()
    scope = Scope(training=training, course_id=None, staff=role.staff, trainer=role.trainer)
    _changed(db, actor, scope, "add_activity", f"activity:{activity.id}", kind=kind, title=clean)
    when = {"day": day, "half_day": half_day, "start": start, "end": end, "room": room, "link": link}
    return schedule(db, actor, activity.id or 0, **when, confirmed=confirmed)


def _planning_warnings(
    db: Session, training: TrainingSession, activity: Activity, slot: Slot
) -> list[planning_rules.PlanningWarning]:
    """What the organisation's planning rules warn about a slot of a session (see `schedule`)."""
    rules = planning_rules.rules_of(db.get(Organisation, training.organisation_id))
    warnings = planning_rules.slot_warnings(rules, slot.starts_at, slot.ends_at)
    if paris_day(slot.starts_at) == training.starts_on:
        warnings += planning_rules.start_warnings(rules, training.starts_on)
    if activity.kind == "virtual_class":
        warnings += _remote_week(db, training, activity, slot)
    return warnings


def _remote_week(
    db: Session, training: TrainingSession, activity: Activity, slot: Slot
) -> list[planning_rules.PlanningWarning]:
    """Whether a virtual class brings one of its learners over 2 hours of remote work in its week (all sessions)."""
    day = paris_day(slot.starts_at)
    monday = day - timedelta(days=day.weekday())
    invited = invitees(activity)
    learners = select(Enrolment.user_id).where(Enrolment.session_id == training.id)
    rows = db.exec(
        select(Enrolment.user_id, Slot.starts_at, Slot.ends_at)
        .join(Slot, col(Slot.session_id) == col(Enrolment.session_id))
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(
            col(Enrolment.user_id).in_(learners),
            Activity.kind == "virtual_class",
            col(Slot.starts_at) >= paris_midnight(monday),
            col(Slot.starts_at) < paris_midnight(monday + timedelta(days=7)),
            Slot.id != slot.id if slot.id is not None else true(),
        )
    ).all()
    others: dict[int, list[tuple[datetime, datetime]]] = {}
    for user_id, starts, ends in rows:
        others.setdefault(user_id, []).append((starts, ends))
    concerned = [u for u in db.exec(learners).all() if invited is None or u in invited]
    for user_id in concerned:
        found = planning_rules.remote_week_warnings(others.get(user_id, []), (slot.starts_at, slot.ends_at))
        if found:
            return found
    return []


def template_modules(db: Session, course_id: int) -> list[Module]:
    """A course's template modules in timeline order.

    Args:
        db: Database session.
        course_id: The course.

    Returns:
        The modules.
    """
    modules = db.exec(select(Module).where(Module.course_id == course_id, col(Module.session_id).is_(None))).all()
    rank = {p: i for i, p in enumerate(PHASES)}
    return sorted(modules, key=lambda m: (rank.get(m.phase, 1), m.position, m.id or 0))


def place_activity(db: Session, actor: Actor, activity_id: int, target_id: int) -> None:
    """Drop an activity where another one stands (drag and drop), possibly in another module (staff).

    Args:
        db: Database session.
        actor: A staff member.
        activity_id: The activity dragged.
        target_id: The activity it was dropped on, in the same timeline.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, module, scope = _activity(db, actor, activity_id)
    target, target_module, _ = _activity(db, actor, target_id)
    same_owner = (module.session_id, module.course_id) == (target_module.session_id, target_module.course_id)
    if not same_owner:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if activity.id == target.id:
        return
    siblings = list(
        db.exec(
            select(Activity)
            .where(Activity.module_id == target_module.id)
            .order_by(col(Activity.position), col(Activity.id))
        ).all()
    )
    moving_down = module.id == target_module.id and activity.position < target.position
    if activity in siblings:
        siblings.remove(activity)
    index = next(i for i, a in enumerate(siblings) if a.id == target.id)
    siblings.insert(index + 1 if moving_down else index, activity)
    activity.module_id = target_module.id or 0
    for position, a in enumerate(siblings):
        a.position = position
        db.add(a)
    if module.id != target_module.id:
        rest = db.exec(
            select(Activity)
            .where(Activity.module_id == module.id, Activity.id != activity.id)
            .order_by(col(Activity.position))
        ).all()
        for position, a in enumerate(rest):
            a.position = position
            db.add(a)
    _changed(db, actor, scope, "place_activity", f"activity:{activity.id}", onto=target.id)
