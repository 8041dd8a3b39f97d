"""iCalendar files: a session's slots, attached to the confirmation e-mail."""

from __future__ import annotations

from icalendar import Calendar, Event

from app.models import Slot, TrainingSession


def session_ics(session: TrainingSession, slots: list[Slot], *, course_title: str, link: str) -> bytes:
    """An .ics file holding one event per slot of a session.

    Args:
        session: The session.
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
        where = ", ".join(p for p in (session.place, slot.room) if p)
        if where:
            event.add("location", where)
        event.add("description", f"{session.title}\n{link}")
        event.add("url", link)
        calendar.add_component(event)
    return calendar.to_ical()
