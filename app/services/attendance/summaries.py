"""Attendance as other pages show it: a slot's statuses, a session's signed slots, the sheets open now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import Activity, AttendanceRecord, Slot, TrainingSession
from app.models.base import utcnow
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.attendance.chain import existing_keys
from app.services.attendance.sheet import load_sheet
from app.services.attendance.status import Held, fold, standing
from app.services.attendance.window import SIGNED_KINDS, SlotContext, open_contexts, when_label


def attendance_labels(db: Session, slot: Slot) -> dict[int, str]:
    """Each person's attendance status on a slot (present, late, absent, unsigned).

    Args:
        db: Database session.
        slot: The slot.

    Returns:
        User id → status.
    """
    return {uid: p.status for uid, p in load_sheet(db, slot).people.items()}


def learner_attendance(db: Session, session_id: int, user_id: int, now: datetime | None = None) -> dict[int, list[str]]:
    """A learner's status on each half-day begun of a session's signed activities (the tutor's report).

    The same rule and words as the PDF sheet (`status.standing`), e.g. "Présent (correction)".
    Two queries, whatever the number of slots.

    Args:
        db: Database session.
        session_id: The session (its access checked by the caller).
        user_id: The learner.
        now: Half-days starting later are left out.

    Returns:
        Activity id → "<date and times> : <status>" for each of its half-days begun, in time order.
    """
    moment = now or utcnow()
    slots = db.exec(
        select(Slot)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(Slot.session_id == session_id, col(Activity.kind).in_(SIGNED_KINDS), col(Slot.starts_at) <= moment)
        .order_by(col(Slot.starts_at))
    ).all()
    if not slots:
        return {}
    held: dict[int, Held[AttendanceRecord]] = {}
    for record in db.exec(
        select(AttendanceRecord)
        .where(
            AttendanceRecord.session_id == session_id,
            AttendanceRecord.subject_user_id == user_id,
            col(AttendanceRecord.kind).in_(("signature", "mark", "correction")),
        )
        .order_by(col(AttendanceRecord.seq))
    ).all():
        held[record.slot_id] = fold(held.get(record.slot_id, (None, None, None)), record)
    out: dict[int, list[str]] = {}
    for slot in slots:
        label = standing(*held.get(slot.id or 0, (None, None, None))).label
        out.setdefault(slot.activity_id or 0, []).append(f"{when_label(slot)} : {label}")
    return out


def session_slots(db: Session, actor: Actor, session_id: int) -> tuple[TrainingSession, list[Slot]]:
    """A session's signed slots in time order, for its staff and trainers.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        session_id: The session.

    Returns:
        The session and its slots.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.OVERSEE)  # readable once archived too
    slots = db.exec(
        select(Slot)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(Slot.session_id == session_id, col(Activity.kind).in_(SIGNED_KINDS))
        .order_by(col(Slot.starts_at))
    ).all()
    return training, list(slots)


@dataclass(frozen=True)
class OpenSheet:
    """A slot the person can sign right now (shown first on their home page)."""

    slot_id: int
    activity_title: str
    session_title: str
    when: str
    kind: str


def open_sheets(
    db: Session, actor: Actor, now: datetime | None = None, *, seen: list[SlotContext] | None = None
) -> list[OpenSheet]:
    """The slots of the actor's sessions (as learner or trainer) open for signing now and not yet signed.

    Args:
        db: Database session.
        actor: The signed-in actor.
        now: The time to judge at.
        seen: The open windows of the sheets the actor may see (`open_contexts` with SEE), when the caller
            already read them: those the actor may sign are kept (the same grants, judged in Python).

    Returns:
        The open sheets, earliest first.
    """
    # Their sessions as a trainer or a learner.
    if seen is None:
        contexts = open_contexts(db, actor, now or utcnow(), kinds=SIGNED_KINDS, capability=Capability.SIGN)
    else:
        contexts = [ctx for ctx in seen if ctx.activity.kind in SIGNED_KINDS and ctx.role.can(Capability.SIGN)]
    # One read for everything the sheet needs, whatever the number of open slots.
    taken = existing_keys(
        db,
        [f"signature:{ctx.slot.id}:{actor.user_id}" for ctx in contexts]
        + [f"certification:{ctx.slot.id}" for ctx in contexts],
    )
    out: list[OpenSheet] = []
    for ctx in contexts:
        if not ctx.signer_role or f"signature:{ctx.slot.id}:{actor.user_id}" in taken:
            continue
        if f"certification:{ctx.slot.id}" in taken:
            continue
        out.append(
            OpenSheet(
                slot_id=ctx.slot.id or 0,
                activity_title=ctx.activity.title,
                session_title=ctx.training.title,
                when=when_label(ctx.slot),
                kind=ctx.activity.kind,
            )
        )
    return out
