"""Progressive planning: a session's hours to plan, and what its trainers' agenda shows of them.

Staff give a session the hours its slots should add up to (`set_hours_to_plan`). The agenda of each of its
trainers then shows the hours planned so far against them, and the séances (in-person and virtual-class
activities) still without a slot (`to_plan`). Who may plan them is the gate's rule (`access.may_plan_slots`:
staff, or the session's trainers where the organisation allows); the planning itself is `timeline.schedule` and
`timeline.add_and_schedule`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_
from sqlmodel import Session, col, select

from app.i18n import decimal_text
from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import Activity, Module, Organisation, Slot, TrainingSession
from app.models.training import PHASES
from app.services import access, audit
from app.services import rooms as room_service
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.timeline import PLANNED_KINDS

HOURS_MAX = 1000
# Up to four digits, then at most two decimals after a point or a French comma: "21", "10,5", "7.25".
_HOURS = re.compile(r"\d{1,4}(?:[.,]\d{1,2})?")
# A trainer plans sessions still to run: a finished or archived one is done with.
PLANNED_STATUSES = ("draft", "active")


@dataclass(frozen=True)
class Unplanned:
    """A séance of a session without a slot yet."""

    id: int
    title: str
    kind: str  # in_person or virtual_class
    module_title: str


@dataclass(frozen=True)
class PlanningModule:
    """A module of a session, where a new séance may go."""

    id: int
    title: str


@dataclass(frozen=True)
class PlanningSession:
    """One session of a person's agenda with hours or séances to plan."""

    session_id: int
    title: str
    organisation_name: str
    planned_hours: float
    hours_to_plan: float  # 0: staff set none
    remaining_hours: float
    planned_text: str  # the hours as a French reader writes them ("10,5")
    to_plan_text: str
    remaining_text: str
    percent: int  # of the hours to plan already planned, 0–100 (100 without hours to plan)
    done: bool  # every hour planned, and no séance left without a slot
    may_plan: bool
    unplanned: list[Unplanned] = field(default_factory=list)
    modules: list[PlanningModule] = field(default_factory=list)
    rooms: list[str] = field(default_factory=list)  # the organisation's rooms (where the person may plan)


def parse_hours(value: str) -> float:
    """Hours as staff type them: 0 to 1000, at most two decimals, a point or a French comma ("" is 0).

    Args:
        value: As typed.

    Returns:
        The hours.

    Raises:
        PlumeError: HOURS_INVALID (field hours_to_plan).
    """
    text = value.strip().replace(" ", "")
    if not text:
        return 0.0
    if not _HOURS.fullmatch(text):
        raise PlumeError(ErrorCode.HOURS_INVALID, field="hours_to_plan", high=str(HOURS_MAX))
    hours = float(text.replace(",", "."))
    if hours > HOURS_MAX:
        raise PlumeError(ErrorCode.HOURS_INVALID, field="hours_to_plan", high=str(HOURS_MAX))
    return hours


def set_hours_to_plan(db: Session, actor: Actor, session_id: int, hours: str) -> float:
    """Set the hours a session's slots should add up to (staff of the session, not archived).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        hours: As typed (see `parse_hours`).

    Returns:
        The hours saved.

    Raises:
        PlumeError: NOT_FOUND, HOURS_INVALID (field hours_to_plan).
    """
    training, _ = access.access_session(db, actor, session_id, access.Capability.EDIT)
    value = parse_hours(hours)
    before = training.hours_to_plan
    training.hours_to_plan = value
    db.add(training)
    audit.record(
        db,
        "session.hours_to_plan",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}",
        before={"hours_to_plan": before},
        after={"hours_to_plan": value},
    )
    # The trainers' agendas follow the session's topic: their "À planifier" card reads the new hours.
    notify(db, session_topic(training.id or 0), TimelineChanged(op="hours_to_plan"))
    return value


def hours_to_plan_of(db: Session, actor: Actor, session_id: int) -> str:
    """A session's hours to plan as the staff form shows them ("" when none is set).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.

    Returns:
        The hours, written with a comma ("10,5").

    Raises:
        PlumeError: NOT_FOUND for anyone but the session's staff.
    """
    training, _ = access.access_session(db, actor, session_id, access.Capability.EDIT)
    return decimal_text(training.hours_to_plan) if training.hours_to_plan else ""


def _hours(starts: datetime, ends: datetime) -> float:
    return max((ends - starts).total_seconds(), 0) / 3600


def to_plan(db: Session, actor: Actor) -> list[PlanningSession]:
    """The sessions the person trains (every organisation) that have hours or séances to plan, by start date.

    A few reads whatever the number of sessions: the sessions and their organisations, their modules with their
    séances and slots, the person's roles, the rooms.

    Args:
        db: Database session.
        actor: The person (their own agenda).

    Returns:
        The sessions: hours planned (the in-person and virtual-class slots' durations) against the hours to plan,
        the séances without a slot, its modules, and whether the person may plan there.
    """
    if not actor.fully_signed_in:
        return []
    rows = db.exec(
        select(TrainingSession, Organisation)
        .join(Organisation, col(Organisation.id) == col(TrainingSession.organisation_id))
        .where(access.trains_clause(actor.user_id), col(TrainingSession.status).in_(PLANNED_STATUSES))
        .order_by(col(TrainingSession.starts_on), col(TrainingSession.title), col(TrainingSession.id))
    ).all()
    if not rows:
        return []
    sessions = {training.id or 0: (training, organisation) for training, organisation in rows}
    contents = db.exec(
        select(Module, Activity, Slot)
        .outerjoin(Activity, and_(col(Activity.module_id) == col(Module.id), col(Activity.kind).in_(PLANNED_KINDS)))
        .outerjoin(Slot, col(Slot.activity_id) == col(Activity.id))
        .where(col(Module.session_id).in_(sorted(sessions)))
        .order_by(col(Module.position), col(Module.id), col(Activity.position), col(Activity.id))
    ).all()
    rank = {phase: i for i, phase in enumerate(PHASES)}
    modules: dict[int, dict[int, Module]] = {}
    planned: dict[int, float] = {}
    unplanned: dict[int, list[Unplanned]] = {}
    for module, activity, slot in sorted(contents, key=lambda r: rank.get(r[0].phase, 1)):
        sid = module.session_id or 0
        modules.setdefault(sid, {})[module.id or 0] = module
        if activity is None:
            continue
        if slot is not None:
            planned[sid] = planned.get(sid, 0.0) + _hours(slot.starts_at, slot.ends_at)
        else:
            unplanned.setdefault(sid, []).append(
                Unplanned(id=activity.id or 0, title=activity.title, kind=activity.kind, module_title=module.title)
            )
    roles = access.session_roles(db, actor, [training for training, _ in rows])
    allowed = {
        sid
        for sid, (_, organisation) in sessions.items()
        if access.may_plan_slots(roles.get(sid, access.NO_ROLE), organisation)
    }
    rooms = room_service.names_by_organisation(
        db, {organisation.id or 0 for sid, (_, organisation) in sessions.items() if sid in allowed}
    )
    out: list[PlanningSession] = []
    for sid, (training, organisation) in sessions.items():
        waiting = unplanned.get(sid, [])
        if training.hours_to_plan <= 0 and not waiting:
            continue
        done_hours = round(planned.get(sid, 0.0), 2)
        target = round(training.hours_to_plan, 2)
        remaining = round(max(target - done_hours, 0.0), 2)
        percent = 100 if target <= 0 else min(100, int(done_hours * 100 / target))
        may_plan = sid in allowed
        out.append(
            PlanningSession(
                session_id=sid,
                title=training.title,
                organisation_name=organisation.name,
                planned_hours=done_hours,
                hours_to_plan=target,
                remaining_hours=remaining,
                planned_text=decimal_text(done_hours),
                to_plan_text=decimal_text(target),
                remaining_text=decimal_text(remaining),
                percent=percent,
                done=remaining <= 0 and not waiting,
                may_plan=may_plan,
                unplanned=waiting,
                modules=[PlanningModule(id=m.id or 0, title=m.title) for m in modules.get(sid, {}).values()]
                if may_plan
                else [],
                rooms=rooms.get(organisation.id or 0, []) if may_plan else [],
            )
        )
    return out
