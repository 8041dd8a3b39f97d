"""The one place that turns stored instants into what a person reads: Europe/Paris wall-clock days and times.

Every instant is stored in UTC (`app.models.base.UTCDateTime`); every date or time a person sees, and every
date chosen in a form, is a Paris calendar day (every organisation is in France). This module sits beside
`app.settings`, outside the layers, because the PDF renderers (`app.documents`, below the services) need the
zone too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris(dt: datetime) -> datetime:
    """The same instant on the Paris wall clock.

    Args:
        dt: An aware instant (a naive one is read as UTC, as SQLite may hand it back).

    Returns:
        The instant in Europe/Paris.
    """
    return (dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)).astimezone(PARIS)


def paris_day(dt: datetime) -> date:
    """The Paris calendar day an instant falls on (23:30 UTC in winter is the next day in Paris).

    Args:
        dt: An aware instant.

    Returns:
        Its Paris date.
    """
    return paris(dt).date()


def paris_today(now: datetime) -> date:
    """Today in Paris.

    Args:
        now: The current instant (`utcnow()`).

    Returns:
        The Paris calendar day of now.
    """
    return paris_day(now)


def paris_midnight(day: date) -> datetime:
    """The instant a Paris calendar day begins (what a date chosen in a form means), in UTC.

    Args:
        day: A Paris calendar day.

    Returns:
        Paris midnight of that day, as an aware UTC instant (23:00 or 22:00 UTC the day before).
    """
    return datetime.combine(day, time(0, 0), tzinfo=PARIS).astimezone(UTC)


def paris_instant(day: date, at: time) -> datetime:
    """A Paris wall-clock time on a Paris day, as an aware UTC instant.

    Args:
        day: The Paris calendar day.
        at: The wall-clock time in Paris.

    Returns:
        The instant, in UTC.
    """
    return datetime.combine(day, at, tzinfo=PARIS).astimezone(UTC)


def date_label(day: date | None) -> str:
    """A calendar day as a person reads it: DD/MM/YYYY.

    Args:
        day: The day, or None.

    Returns:
        "29/11/2026", or "" for None.
    """
    return day.strftime("%d/%m/%Y") if day is not None else ""


def paris_date_label(dt: datetime | None) -> str:
    """The Paris day of an instant: DD/MM/YYYY.

    Args:
        dt: The instant, or None.

    Returns:
        "30/11/2026" for 2026-11-29 23:24 UTC, or "" for None.
    """
    return date_label(paris_day(dt)) if dt is not None else ""


def paris_time_label(dt: datetime | None) -> str:
    """The Paris wall-clock time of an instant: HH:MM.

    Args:
        dt: The instant, or None.

    Returns:
        "00:24", or "" for None.
    """
    return paris(dt).strftime("%H:%M") if dt is not None else ""


def paris_datetime_label(dt: datetime | None) -> str:
    """The Paris day and time of an instant: DD/MM/YYYY HH:MM.

    Args:
        dt: The instant, or None.

    Returns:
        "30/11/2026 00:24", or "" for None.
    """
    return paris(dt).strftime("%d/%m/%Y %H:%M") if dt is not None else ""


def paris_iso_day(dt: datetime | None) -> str:
    """The Paris day of an instant as YYYY-MM-DD (what a date input and the browser's date helpers read).

    Args:
        dt: The instant, or None.

    Returns:
        "2026-12-08" for 2026-12-07 23:00 UTC, or "" for None.
    """
    return paris_day(dt).isoformat() if dt is not None else ""
