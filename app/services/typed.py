"""Values people type in forms (dates, times), read the one way every service reads them."""

from __future__ import annotations

import re
from datetime import date, time

from app.services.errors import ErrorCode, PlumeError

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def parse_time(value: object, field: str) -> time:
    """A wall-clock time typed as HH:MM (time inputs).

    Args:
        value: As typed.
        field: The field, for the error.

    Returns:
        The time.

    Raises:
        PlumeError: TIME_INVALID.
    """
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise PlumeError(ErrorCode.TIME_INVALID, field=field)
    return time(int(match.group(1)), int(match.group(2)))


def parse_date(value: str, field: str) -> date:
    """A date typed as YYYY-MM-DD (date inputs) or DD/MM/YYYY.

    Args:
        value: As typed.
        field: The field, for the error.

    Returns:
        The date.

    Raises:
        PlumeError: DATE_INVALID.
    """
    text = value.strip()
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise PlumeError(ErrorCode.DATE_INVALID, field=field) from exc


def minutes_of(value: time) -> int:
    """A wall-clock time as minutes after midnight (how hours are stored: business hours, unavailabilities).

    Args:
        value: The time.

    Returns:
        0 to 1439.
    """
    return value.hour * 60 + value.minute


def clock_label(minutes: int) -> str:
    """Minutes after midnight as a form shows them.

    Args:
        minutes: 0 to 1439.

    Returns:
        e.g. "08:30".
    """
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
