"""In-person completion: an `in_person` activity is done for a learner once every one of its half-days is attended.

Attended is the one rule of `status` (signed, or corrected to present or late after
certification). `follow` writes it through `progress.derive_completions` (completion
rows and lesson lines) and recounts the learners' progress with `progress.refresh`,
so every page that counts completions (progress bars, the activity panel, the
tutoring views) counts signed half-days without reading the attendance chain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.models import Activity, AttendanceRecord, Slot
from app.models.base import utcnow
from app.services import progress
from app.services.attendance.status import Held, attended, fold, status_of


@dataclass(frozen=True)
class _Fact:
    """What the attendance rule reads of one record (a light row, not the record and its drawing)."""

    kind: str
    status: str
    created_at: datetime


def in_person_attended(
    db: Session, session_id: int, user_ids: Sequence[int] | None = None
) -> tuple[set[int], dict[tuple[int, int], datetime]]:
    """The session's in-person activities with half-days, and which learners attended all of them.

    An `in_person` activity is done for a learner when every one of its half-days
    (slots) has them attended by the one attendance rule (`attendance.status`:
    signed, or corrected to present or late after certification). Two queries,
    whatever the number of learners and slots.

    Args:
        db: Database session.
        session_id: The session.
        user_ids: Only these learners; None for all.

    Returns:
        The in-person activity ids that have slots, and (user id, activity id) → when it was done
        (the latest signature or correction that made a half-day attended).
    """
    slots: dict[int, int] = {
        slot_id or 0: activity_id
        for slot_id, activity_id in db.exec(
            select(Slot.id, Slot.activity_id)
            .join(Activity, col(Activity.id) == col(Slot.activity_id))
            .where(Slot.session_id == session_id, Activity.kind == "in_person")
        ).all()
        if activity_id is not None
    }
    if not slots or (user_ids is not None and not user_ids):
        return set(slots.values()), {}
    query = (
        sa_select(
            col(AttendanceRecord.slot_id),
            col(AttendanceRecord.subject_user_id),
            col(AttendanceRecord.kind),
            col(AttendanceRecord.status),
            col(AttendanceRecord.created_at),
        )
        .where(
            col(AttendanceRecord.slot_id).in_(list(slots)),
            col(AttendanceRecord.kind).in_(("signature", "mark", "correction")),
            col(AttendanceRecord.subject_role) == "learner",
        )
        .order_by(col(AttendanceRecord.seq))
    )
    if user_ids is not None:
        query = query.where(col(AttendanceRecord.subject_user_id).in_(list(user_ids)))
    held: dict[tuple[int, int], Held[_Fact]] = {}
    for slot_id, user_id, kind, status, at in db.execute(query).all():
        if user_id is None:
            continue
        key = (user_id, slot_id)
        held[key] = fold(held.get(key, (None, None, None)), _Fact(kind, status, at))
    per_activity: dict[int, list[int]] = {}
    for slot_id, activity_id in slots.items():
        per_activity.setdefault(activity_id, []).append(slot_id)
    learners = {user_id for user_id, _ in held}
    done: dict[tuple[int, int], datetime] = {}
    for user_id in learners:
        for activity_id, activity_slots in per_activity.items():
            moments: list[datetime] = []
            for slot_id in activity_slots:
                facts = held.get((user_id, slot_id))
                if facts is None or not attended(status_of(facts)):
                    break
                signature, _, correction = facts
                moments.append((correction or signature or _Fact("", "", utcnow())).created_at)
            else:
                done[(user_id, activity_id)] = max(moments)
    return set(per_activity), done


def follow(db: Session, session_id: int, user_ids: Sequence[int] | None = None) -> dict[int, str]:
    """Bring the in-person completions of some learners (or all) in line with attendance, then their progress.

    Args:
        db: Database session.
        session_id: The session.
        user_ids: Only these learners; None for all of them.

    Returns:
        The learners whose status changed (as `progress.refresh`).
    """
    activity_ids, done = in_person_attended(db, session_id, user_ids)
    progress.derive_completions(db, session_id, activity_ids, done, user_ids)
    return progress.refresh(db, session_id, list(user_ids) if user_ids is not None else None)
