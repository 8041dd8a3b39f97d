"""iCalendar files: a session's slots, attached to the confirmation e-mail; one person's virtual class invitation.

Every event says what it is (the course, then "matin", "après-midi" or "classe virtuelle"); a virtual class's
LOCATION and URL are its join page (the slot's attendance sheet, where the meeting link appears once signed),
never a room; DTSTAMP is when the file was made (UTC); SEQUENCE counts the changes of the slot (read from the
audit trail: every scheduling of its activity is recorded there), so a calendar that already holds the event
takes the newer one; UIDs end with this installation's host (from `PLUME_BASE_URL`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from icalendar import Calendar, Event, vCalAddress, vText
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import paris
from app.i18n import t
from app.models import Activity, AuditRecord, CancelledSlot, Slot, TrainingSession
from app.models.base import utcnow
from app.routes import attendance_path
from app.settings import get_settings

# The audit actions that (re)place a slot: its first one gives SEQUENCE 0, each later one adds 1.
REVISION_ACTIONS = ("timeline.schedule", "tutoring.virtual_class")
# An in-person slot starting before this hour (Paris) is a morning.
_AFTERNOON_FROM = 13


def host() -> str:
    """This installation's host name, the right-hand side of every UID.

    Returns:
        The host of the configured public URL ("plume" when it has none).
    """
    return urlsplit(get_settings().base_url).hostname or "plume"


def slot_uid(slot_id: int, person_id: int | None = None) -> str:
    """A slot's event UID (per person for an invitation, so each person's calendar holds its own copy).

    Args:
        slot_id: The slot.
        person_id: The person invited, for a virtual class invitation.

    Returns:
        e.g. "plume-slot-12@plume.example.org" or "plume-virtual-class-12-40@plume.example.org".
    """
    if person_id is None:
        return f"plume-slot-{slot_id}@{host()}"
    return f"plume-virtual-class-{slot_id}-{person_id}@{host()}"


def join_page(slot_id: int) -> str:
    """The page a virtual class is joined from: its attendance sheet (the meeting link appears there).

    Args:
        slot_id: The slot.

    Returns:
        The absolute URL.
    """
    return f"{get_settings().base_url.rstrip('/')}{attendance_path(slot_id)}"


def sequences(db: Session, slots: Iterable[Slot]) -> dict[int, int]:
    """Each slot's SEQUENCE: how many times its activity was scheduled again after the first time.

    Args:
        db: Database session.
        slots: The slots.

    Returns:
        Slot id → revision number (0 for a slot never moved).
    """
    return sequences_of(db, [(s.id or 0, s.activity_id) for s in slots if s.activity_id])


def sequences_of(db: Session, slots: Iterable[tuple[int, int]]) -> dict[int, int]:
    """`sequences` for slots given as (slot id, activity id) pairs.

    Args:
        db: Database session.
        slots: The slots.

    Returns:
        Slot id → revision number (0 for a slot never moved).
    """
    by_target = {f"activity:{activity_id}": slot_id for slot_id, activity_id in slots}
    if not by_target:
        return {}
    rows = db.exec(
        select(AuditRecord.target, func.count())
        .where(col(AuditRecord.action).in_(REVISION_ACTIONS), col(AuditRecord.target).in_(list(by_target)))
        .group_by(col(AuditRecord.target))
    ).all()
    return {by_target[target]: max(0, count - 1) for target, count in rows}


def cancel_slot(db: Session, slot: Slot, *, title: str, invitees: frozenset[int] | None, sequence: int) -> None:
    """Keep what calendars need of a slot about to be deleted: every feed that held it says it is cancelled.

    Args:
        db: Database session.
        slot: The slot (deleted by the caller).
        title: Its activity's title.
        invitees: The learners it was for (None: every learner of its session).
        sequence: The cancelled event's SEQUENCE (one more than the slot's last).
    """
    # `merge`: SQLite gives the highest id again once its row is gone, so a slot id may be cancelled twice.
    db.merge(
        CancelledSlot(
            slot_id=slot.id or 0,
            session_id=slot.session_id,
            title=title,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            invitees_json="" if invitees is None else json.dumps(sorted(invitees)),
            sequence=sequence,
        )
    )


def _settings(activity: Activity | None) -> dict[str, object]:
    try:
        value = json.loads(activity.settings_json or "{}") if activity else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def part_name(slot: Slot, activity: Activity | None, language: str) -> str:
    """What a slot is, in words: a virtual class, or the morning or afternoon of an in-person day.

    Args:
        slot: The slot.
        activity: Its activity.
        language: "fr" or "en".

    Returns:
        e.g. "matin", "après-midi", "classe virtuelle".
    """
    half_day = _settings(activity).get("half_day")
    kind = activity.kind if activity is not None else ""
    return part_name_of(kind, half_day if isinstance(half_day, str) else "", slot.starts_at, language)


def part_name_of(kind: str, half_day: str, starts_at: datetime, language: str) -> str:
    """`part_name` from an activity's kind and half-day setting, and the slot's start.

    Args:
        kind: The activity's kind.
        half_day: Its "morning"/"afternoon" setting ("" when it has none: the start's Paris hour decides).
        starts_at: The slot's start.
        language: "fr" or "en".

    Returns:
        e.g. "matin", "après-midi", "classe virtuelle".
    """
    if kind == "virtual_class":
        return t(language, "ics.virtual_class")
    if half_day not in ("morning", "afternoon"):
        half_day = "morning" if paris(starts_at).hour < _AFTERNOON_FROM else "afternoon"
    return t(language, f"ics.{half_day}")


@dataclass(frozen=True)
class SessionCalendar:
    """What a session's .ics needs besides its slots."""

    training: TrainingSession
    course_title: str
    link: str  # the session's page
    activities: dict[int, Activity]
    sequences: dict[int, int]


def session_calendar(
    db: Session, training: TrainingSession, slots: list[Slot], *, course_title: str
) -> SessionCalendar:
    """Read what `session_ics` needs for some slots of a session (their activities and revisions).

    Args:
        db: Database session.
        training: The session.
        slots: Its slots in the file.
        course_title: The course's title.

    Returns:
        The calendar's data.
    """
    ids = sorted({s.activity_id for s in slots if s.activity_id})
    activities = {a.id or 0: a for a in db.exec(select(Activity).where(col(Activity.id).in_(ids))).all()} if ids else {}
    return SessionCalendar(
        training=training,
        course_title=course_title,
        link=f"{get_settings().base_url.rstrip('/')}/sessions/{training.id}",
        activities=activities,
        sequences=sequences(db, slots),
    )


def session_ics(
    data: SessionCalendar, slots: list[Slot], *, language: str = "fr", now: datetime | None = None
) -> bytes:
    """An .ics file holding one event per slot of a session.

    Args:
        data: The session, its course's title, its page, the slots' activities and revisions (`session_calendar`).
        slots: Its slots.
        language: The reader's language (the events' names).
        now: When the file is made (DTSTAMP); now by default.

    Returns:
        The file's bytes.
    """
    stamp = now or utcnow()
    training = data.training
    calendar = Calendar()
    calendar.add("prodid", "-//Plume//Sessions//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for slot in sorted(slots, key=lambda s: s.starts_at):
        activity = data.activities.get(slot.activity_id or 0)
        virtual = activity is not None and activity.kind == "virtual_class"
        event = Event()
        event.add("uid", slot_uid(slot.id or 0))
        event.add("sequence", data.sequences.get(slot.id or 0, 0))
        event.add("summary", f"{data.course_title} — {part_name(slot, activity, language)}")
        event.add("dtstart", slot.starts_at)
        event.add("dtend", slot.ends_at)
        event.add("dtstamp", stamp)
        if virtual:
            url = join_page(slot.id or 0)
            event.add("location", url)
        else:
            url = data.link
            where = ", ".join(p for p in (training.place, slot.room) if p)
            if where:
                event.add("location", where)
        lines = [activity.title if activity else "", training.title, url]
        event.add("description", "\n".join(line for line in lines if line))
        event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()


def _address(name: str, email: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name or email)
    return address


def invitation_ics(
    slot: Slot,
    *,
    uid: str,
    summary: str,
    description: str,
    url: str,
    organiser: tuple[str, str],
    attendee: tuple[str, str],
    sequence: int = 0,
    chair: bool = False,
    cancelled: bool = False,
) -> bytes:
    """An invitation (METHOD:REQUEST) to one slot for one person: calendars offer to add it.

    Args:
        slot: The slot.
        uid: The event's UID, stable for this slot and person, so a new invitation updates the event.
        summary: The event's title.
        description: Its text.
        url: The page to open (also its location).
        organiser: Who leads it, as (name, e-mail).
        attendee: The person's (name, e-mail).
        sequence: The slot's revision (`sequences`).
        chair: Whether the person leads it (the organiser's own copy).
        cancelled: Whether it tells that the slot is cancelled (METHOD:CANCEL, STATUS:CANCELLED).

    Returns:
        The file's bytes.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Plume//Agenda//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", summary)
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("dtstamp", utcnow())
    event.add("location", url)
    event.add("description", description)
    event.add("url", url)
    event.add("organizer", _address(*organiser))
    guest = _address(*attendee)
    guest.params["role"] = vText("CHAIR" if chair else "REQ-PARTICIPANT")
    guest.params["partstat"] = vText("ACCEPTED" if chair else "NEEDS-ACTION")
    guest.params["rsvp"] = vText("FALSE")
    event.add("attendee", guest)
    calendar.add_component(event)
    return calendar.to_ical()
