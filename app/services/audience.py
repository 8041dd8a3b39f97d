"""Who an activity is for: every learner of its session, or only the learners it invites.

A virtual class a tutor creates for some learners (`virtual_class.create_for_learners`)
keeps their user ids in its settings under "invitees". Such an activity is on the
timeline, the attendance sheet, the home page and in the progress figures of those
learners only; the session's trainers, staff and tutors still see it. The person who
created it leads it (`leader`): they are on its sheet in place of the session's trainers.
Every place that decides this asks here, so the rule lives in one spot.

An appointment (Entretien) is for every learner of its session, but each of its slots (a time its trainer
proposed) is only for the learners whose place in it is confirmed (`slot_guests`): their agenda, calendar feed
and e-mails about that slot, nobody else's.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from sqlmodel import Session, col, select

from app.models import Activity, AppointmentBooking, AppointmentOffer, Module, Slot

RESTRICTED_KINDS = ("virtual_class",)
PER_SLOT_KINDS = ("appointment",)  # each slot has its own learners


def invitees_of(settings: object) -> frozenset[int] | None:
    """The learners an activity's settings invite.

    Args:
        settings: The activity's settings, parsed.

    Returns:
        Their user ids, or None when the activity is for every learner of its session.
    """
    value = settings.get("invitees") if isinstance(settings, dict) else None
    if not isinstance(value, list):
        return None
    return frozenset(v for v in value if isinstance(v, int) and not isinstance(v, bool))


def _parse(settings_json: str) -> object:
    try:
        return json.loads(settings_json or "{}")
    except ValueError:
        return {}


def invitees(activity: Activity) -> frozenset[int] | None:
    """The learners an activity is restricted to.

    Args:
        activity: The activity.

    Returns:
        Their user ids, or None when every learner of the session has it.
    """
    if activity.kind not in RESTRICTED_KINDS:
        return None
    return invitees_of(_parse(activity.settings_json))


def leader(activity: Activity) -> int | None:
    """Who leads a class for some learners: its creator (a tutor, or staff), on its sheet instead of the trainers.

    Args:
        activity: The activity.

    Returns:
        Their user id, or None for an activity of every learner (the session's trainers lead it).
    """
    if activity.kind not in RESTRICTED_KINDS:
        return None
    settings = _parse(activity.settings_json)
    if invitees_of(settings) is None or not isinstance(settings, dict):
        return None
    creator = settings.get("created_by")
    return creator if isinstance(creator, int) and not isinstance(creator, bool) else None


def invited_by(kind: str, settings: object, user_id: int) -> bool:
    """`invited` from an activity's kind and parsed settings (for reads that select columns, not rows).

    Args:
        kind: The activity's kind.
        settings: Its settings, parsed.
        user_id: The learner.

    Returns:
        True for an activity of every learner, or one that invites them.
    """
    audience = invitees_of(settings) if kind in RESTRICTED_KINDS else None
    return audience is None or user_id in audience


def invited(activity: Activity, user_id: int) -> bool:
    """Whether a learner has an activity (on their timeline, sheet and progress).

    Trainers, staff and tutors see every activity: callers check their role first.

    Args:
        activity: The activity.
        user_id: The learner.

    Returns:
        True for an activity of every learner, or one that invites them.
    """
    if activity.kind not in RESTRICTED_KINDS:
        return True
    return invited_by(activity.kind, _parse(activity.settings_json), user_id)


def restricted(db: Session, session_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """The activities of some sessions that are for their invitees only.

    Args:
        db: Database session.
        session_ids: The sessions.

    Returns:
        Activity id → invited learners' ids (activities for everyone are absent).
    """
    if not session_ids:
        return {}
    rows = db.exec(
        select(Activity.id, Activity.settings_json)
        .join(Module, col(Module.id) == col(Activity.module_id))
        .where(
            col(Module.session_id).in_(list(session_ids)),
            col(Activity.kind).in_(RESTRICTED_KINDS),
            col(Activity.settings_json).contains('"invitees"'),
        )
    ).all()
    out: dict[int, frozenset[int]] = {}
    for activity_id, settings_json in rows:
        audience = invitees_of(_parse(settings_json))
        if activity_id is not None and audience is not None:
            out[activity_id] = audience
    return out


def hidden_from(db: Session, session_ids: Collection[int], user_id: int) -> set[int]:
    """The activities of some sessions a learner is not invited to.

    Args:
        db: Database session.
        session_ids: The sessions.
        user_id: The learner.

    Returns:
        Their ids.
    """
    return {a for a, audience in restricted(db, session_ids).items() if user_id not in audience}


def per_slot(db: Session, session_ids: Collection[int]) -> set[int]:
    """The activities of some sessions whose slots each have their own learners (appointments).

    Args:
        db: Database session.
        session_ids: The sessions.

    Returns:
        Their ids.
    """
    if not session_ids:
        return set()
    return {
        a
        for a in db.exec(
            select(Activity.id)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(col(Module.session_id).in_(list(session_ids)), col(Activity.kind).in_(PER_SLOT_KINDS))
        ).all()
        if a is not None
    }


def slot_guests(db: Session, slot_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """The learners confirmed in appointment slots.

    Args:
        db: Database session.
        slot_ids: Slots of appointment activities.

    Returns:
        Slot id → its confirmed learners' ids (a slot nobody is confirmed in maps to an empty set).
    """
    out: dict[int, set[int]] = {slot_id: set() for slot_id in slot_ids}
    if not out:
        return {}
    rows = db.exec(
        select(AppointmentOffer.slot_id, AppointmentBooking.user_id)
        .join(AppointmentBooking, col(AppointmentBooking.offer_id) == col(AppointmentOffer.id))
        .where(col(AppointmentOffer.slot_id).in_(list(out)), AppointmentBooking.status == "confirmed")
    ).all()
    for slot_id, user_id in rows:
        if slot_id is not None:
            out.setdefault(slot_id, set()).add(user_id)
    return {slot_id: frozenset(users) for slot_id, users in out.items()}


def slot_invitees(db: Session, activity: Activity, slot: Slot) -> frozenset[int] | None:
    """The learners one slot is for: an appointment slot's confirmed learners, else its activity's (`invitees`).

    Args:
        db: Database session.
        activity: The slot's activity.
        slot: The slot.

    Returns:
        Their user ids, or None when every learner of the session has it.
    """
    if activity.kind in PER_SLOT_KINDS:
        return slot_guests(db, [slot.id or 0]).get(slot.id or 0, frozenset())
    return invitees(activity)
