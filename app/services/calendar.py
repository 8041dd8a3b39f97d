"""iCalendar files: a session's slots, attached to the confirmation e-mail; one person's virtual class invitation."""

from __future__ import annotations

from email.utils import parseaddr

from icalendar import Calendar, Event, vCalAddress, vText

from app.models import Slot, TrainingSession
from app.models.base import utcnow


def session_ics(training: TrainingSession, slots: list[Slot], *, course_title: str, link: str) -> bytes:
    """An .ics file holding one event per slot of a session.

    Args:
        training: The session.
        slots: Its slots.
        course_title: The course's title (event summary).
        link: The session's page.

    Returns:
        The file's bytes.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Plume//Sessions//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    for slot in sorted(slots, key=lambda s: s.starts_at):
        event = Event()
        event.add("uid", f"plume-slot-{slot.id}@plume")
        event.add("summary", course_title)
        event.add("dtstart", slot.starts_at)
        event.add("dtend", slot.ends_at)
        event.add("dtstamp", slot.starts_at)
        where = ", ".join(p for p in (training.place, slot.room) if p)
        if where:
            event.add("location", where)
        event.add("description", f"{training.title}\n{link}")
        event.add("url", link)
        calendar.add_component(event)
    return calendar.to_ical()


def invitation_ics(
    slot: Slot,
    *,
    uid: str,
    summary: str,
    description: str,
    url: str,
    organiser: str,
    attendee: tuple[str, str],
) -> bytes:
    """An invitation (METHOD:REQUEST) to one slot for one person: calendars offer to add it.

    Args:
        slot: The slot.
        uid: The event's UID, stable for this slot and person, so a new invitation updates the event.
        summary: The event's title.
        description: Its text.
        url: The page to open (also its location).
        organiser: The sender, as "Name <address>".
        attendee: The person's (name, e-mail).

    Returns:
        The file's bytes.
    """
    calendar = Calendar()
    calendar.add("prodid", "-//Plume//Classes virtuelles//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add("summary", summary)
    event.add("dtstart", slot.starts_at)
    event.add("dtend", slot.ends_at)
    event.add("dtstamp", utcnow())
    event.add("location", url)
    event.add("description", description)
    event.add("url", url)
    name, address = parseaddr(organiser)
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText(name or address)
    event.add("organizer", organizer)
    guest = vCalAddress(f"mailto:{attendee[1]}")
    guest.params["cn"] = vText(attendee[0])
    guest.params["role"] = vText("REQ-PARTICIPANT")
    guest.params["partstat"] = vText("NEEDS-ACTION")
    guest.params["rsvp"] = vText("FALSE")
    event.add("attendee", guest)
    calendar.add_component(event)
    return calendar.to_ical()
