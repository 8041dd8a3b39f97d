"""A person's agenda: the slots of the sessions they train or learn in, across every organisation they belong to.

Read by the agenda page (a week or a month at a time) and by the person's calendar feed. Which sessions count is
the access gate's (`access.agenda_filter`): a trainer's positions and a learner's enrolments, in organisations
where the person still holds that role; staff and tutors see sessions they do not attend, so those are not in
their agenda. A learner sees only the activities they are invited to, and of an appointment only the slot their
place is confirmed in.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, String, bindparam, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from app.models import Activity, AppointmentBooking, Course, Organisation, Slot, TrainingSession
from app.models.base import UTCDateTime
from app.services import access, audience


@dataclass(frozen=True)
class AgendaSlot:
    """One slot as a person's agenda shows it (times in UTC; the page and the feed show them in Paris time)."""

    slot_id: int
    session_id: int
    organisation_id: int
    organisation_name: str
    course_title: str
    session_title: str
    activity_id: int
    activity_title: str
    activity_kind: str
    half_day: str  # the activity's own "morning"/"afternoon" setting, "" when it has none
    starts_at: datetime
    ends_at: datetime
    place: str
    room: str


# What an agenda shows of a slot, in the order `person_slots` unpacks it.
_COLUMNS = (
    col(Slot.id),
    col(Slot.starts_at),
    col(Slot.ends_at),
    col(Slot.room),
    col(Activity.id),
    col(Activity.kind),
    col(Activity.title),
    col(Activity.settings_json),
    col(TrainingSession.id),
    col(TrainingSession.organisation_id),
    col(TrainingSession.title),
    col(TrainingSession.place),
    col(Organisation.name),
    col(Course.title),
)


def _query(columns: tuple[Any, ...], user_id: int, starts: Any, ends: Any) -> Select[Any]:
    return (
        sa_select(*columns)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Slot.session_id))
        .join(Organisation, col(Organisation.id) == col(TrainingSession.organisation_id))
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        # The person's sessions first (their rule judged once a session, not once a slot), then their slots.
        .where(
            col(Slot.session_id).in_(sa_select(col(TrainingSession.id)).where(access.agenda_filter(user_id))),
            col(Slot.starts_at) < ends,
            col(Slot.ends_at) > starts,
        )
        .order_by(col(Slot.starts_at), col(Slot.id))
    )


MAX_FOLLOWED = 300  # sessions an open agenda follows live


def sessions_from(db: Session, user_id: int, *, since: date) -> list[int]:
    """The sessions of a person's agenda still running on or after a day, the soonest first.

    An open agenda follows these live, not only those with a slot on screen: a slot added, moved or confirmed
    in any of them (an appointment, a séance planned elsewhere) may appear in the period shown.

    Args:
        db: Database session.
        user_id: The person.
        since: The first day shown.

    Returns:
        Their ids (at most `MAX_FOLLOWED`).
    """
    rows = db.execute(
        sa_select(col(TrainingSession.id))
        .where(access.agenda_filter(user_id), col(TrainingSession.ends_on) >= since)
        .order_by(col(TrainingSession.starts_on), col(TrainingSession.id))
        .limit(MAX_FOLLOWED)
    ).all()
    return [row[0] for row in rows]


def fingerprint(db: Session, user_id: int, *, starts: datetime, ends: datetime) -> str:
    """A digest of everything `person_slots` reads for the same range: it changes whenever its answer may.

    Two narrow reads of the columns as stored, unconverted (the slots; their sessions, with whether the person
    trains in each), which costs a fraction of `person_slots`: a calendar client polling an unchanged feed of
    1,000 events gets its 304 from this alone.

    Args:
        db: Database session.
        user_id: The person.
        starts: The range's start (UTC, included).
        ends: The range's end (UTC, excluded).

    Returns:
        A hex digest.
    """
    # Core, not the ORM: rows come back as tuples; the statements are built once per person.
    slots_query, sessions_query, bookings_query = _fingerprint_queries(user_id)
    connection = db.connection()
    slots = connection.execute(slots_query, {"starts": starts, "ends": ends}).all()
    sessions = connection.execute(sessions_query).all()
    bookings = connection.execute(bookings_query).all()
    read = ([tuple(row) for row in sessions], [tuple(row) for row in slots], [tuple(row) for row in bookings])
    return hashlib.sha256(repr(read).encode()).hexdigest()


@functools.lru_cache(maxsize=1024)
def _fingerprint_queries(user_id: int) -> tuple[Select[Any], Select[Any], Select[Any]]:
    """`fingerprint`'s statements for one person (`starts` and `ends` bound at each run)."""
    mine = sa_select(col(TrainingSession.id)).where(access.agenda_filter(user_id))
    slot_columns = (Slot.id, Slot.starts_at, Slot.ends_at, Slot.room, Slot.session_id,
                    Activity.id, Activity.kind, Activity.title, Activity.settings_json)  # fmt: skip
    slots = (
        sa_select(*(type_coerce(col(c), String).label(f"c{n}") for n, c in enumerate(slot_columns)))
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(
            col(Slot.session_id).in_(mine),
            col(Slot.starts_at) < bindparam("ends", type_=UTCDateTime()),
            col(Slot.ends_at) > bindparam("starts", type_=UTCDateTime()),
        )
        .order_by(col(Slot.id))
    )
    session_columns = (TrainingSession.id, TrainingSession.organisation_id, TrainingSession.title,
                       TrainingSession.place, Organisation.name, Course.title)  # fmt: skip
    sessions = (
        sa_select(
            *(type_coerce(col(c), String).label(f"c{n}") for n, c in enumerate(session_columns)),
            access.trains_clause(user_id).label("trains"),
        )
        .join(Organisation, col(Organisation.id) == col(TrainingSession.organisation_id))
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .where(col(TrainingSession.id).in_(mine))
        .order_by(col(TrainingSession.id))
    )
    # The appointment places the person holds: confirming or cancelling one shows or hides its slot.
    bookings = (
        sa_select(col(AppointmentBooking.id), col(AppointmentBooking.offer_id), col(AppointmentBooking.status))
        .where(col(AppointmentBooking.user_id) == user_id)
        .order_by(col(AppointmentBooking.id))
    )
    return slots, sessions, bookings


def person_slots(db: Session, user_id: int, *, starts: datetime, ends: datetime) -> list[AgendaSlot]:
    """The slots of a person's agenda that overlap a time range, earliest first.

    One read of the columns shown whatever the number of organisations and slots (a trainer with five
    organisations loads a week at once; a calendar client polls a year), then the learner's audience rule.

    Args:
        db: Database session.
        user_id: The person.
        starts: The range's start (UTC, included).
        ends: The range's end (UTC, excluded).

    Returns:
        The slots.
    """
    rows = db.execute(_query(_COLUMNS, user_id, starts, ends)).all()
    trains = access.trained_session_ids(db, user_id, {row[8] for row in rows})
    # An appointment's slots are a learner's only once their place in one is confirmed.
    guests = audience.slot_guests(
        db, [row[0] for row in rows if row[5] in audience.PER_SLOT_KINDS and row[8] not in trains]
    )
    out: list[AgendaSlot] = []
    for (
        slot_id,
        slot_starts,
        slot_ends,
        room,
        activity_id,
        kind,
        activity_title,
        settings_json,
        session_id,
        organisation_id,
        session_title,
        place,
        organisation_name,
        course_title,
    ) in rows:
        settings = _settings(settings_json)
        if session_id not in trains and not (
            audience.invited_by(kind, settings, user_id)
            and (kind not in audience.PER_SLOT_KINDS or user_id in guests.get(slot_id, ()))
        ):
            continue
        half_day = settings.get("half_day")
        out.append(
            AgendaSlot(
                slot_id=slot_id or 0,
                session_id=session_id or 0,
                organisation_id=organisation_id,
                organisation_name=organisation_name,
                course_title=course_title,
                session_title=session_title,
                activity_id=activity_id or 0,
                activity_title=activity_title,
                activity_kind=kind,
                half_day=half_day if half_day in ("morning", "afternoon") else "",
                starts_at=slot_starts,
                ends_at=slot_ends,
                place=place,
                room=room,
            )
        )
    return out


def _settings(settings_json: str) -> dict[str, object]:
    try:
        value = json.loads(settings_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
