"""Warnings when planning a slot (seed 003's rules for virtual classes and sessions).

Outside business hours, a weekend, a public holiday, school holidays, too much remote work in a week, or a
session starting on the eve of a break. They warn; they never forbid: staff and trainers read the reason and may plan anyway. Public holidays come from
the `holidays` package, by the organisation's region (metropolitan France, Alsace, Moselle or an overseas
department); school holidays from `vacances-scolaires-france`, by the organisation's zone (A, B or C). Every
day is a Paris calendar day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from vacances_scolaires_france import SchoolHolidayDates, UnsupportedYearException

from app.clock import paris
from app.i18n import t
from app.models import Organisation
from app.services.typed import clock_label

# The organisation's region for public holidays: "" is metropolitan France; the others are `holidays` subdivisions.
REGIONS = ("", "6AE", "57", "971", "972", "973", "974", "976")
SCHOOL_ZONES = ("", "A", "B", "C")
DEFAULT_DAY = (8 * 60, 18 * 60)  # business hours, minutes after midnight (Paris)
REMOTE_WEEK_LIMIT = timedelta(hours=2)  # a learner's remote work in one week (seed 003)


@dataclass(frozen=True)
class Rules:
    """An organisation's planning rules."""

    region: str = ""
    school_zone: str = ""
    day_starts: int = DEFAULT_DAY[0]
    day_ends: int = DEFAULT_DAY[1]


@dataclass(frozen=True)
class PlanningWarning:
    """One reason to think twice, with what the message names (a day, a holiday, hours)."""

    code: str  # outside_hours, weekend, public_holiday, school_holidays, eve_of_break, remote_week
    day: date
    params: dict[str, str] = field(default_factory=dict)


@lru_cache(maxsize=64)
def _public_holidays(region: str, year: int) -> dict[date, str]:
    found = holidays.France(years=year, subdiv=region or None, language="fr")
    return dict(found.items())


@lru_cache(maxsize=1)
def _school_dates() -> SchoolHolidayDates:
    return SchoolHolidayDates()


def public_holiday(rules: Rules, day: date) -> str:
    """The name of the public holiday a day is, in the organisation's region ("" for a working day).

    Args:
        rules: The organisation's rules.
        day: A Paris day.

    Returns:
        e.g. "Noël", or "".
    """
    return _public_holidays(rules.region, day.year).get(day, "")


def school_holiday(rules: Rules, day: date) -> str:
    """The name of the school holidays a day falls in, for the organisation's zone ("" for none or unknown).

    The package's data covers the school years the Ministry published; a later day is not known as a holiday.

    Args:
        rules: The organisation's rules.
        day: A Paris day.

    Returns:
        e.g. "Vacances de Noël", or "".
    """
    if rules.school_zone not in ("A", "B", "C"):
        return ""
    try:
        found = _school_dates().holidays_for_year_and_zone(day.year, rules.school_zone)
    except UnsupportedYearException:
        return ""
    entry = found.get(day)
    return str(entry["nom_vacances"]) if entry else ""


def slot_warnings(rules: Rules, starts_at: datetime, ends_at: datetime) -> list[PlanningWarning]:
    """What to warn about a slot: outside business hours, on a weekend, a public holiday or school holidays.

    Args:
        rules: The organisation's rules.
        starts_at: The slot's start (UTC).
        ends_at: Its end (UTC).

    Returns:
        The warnings, in that order.
    """
    start, end = paris(starts_at), paris(ends_at)
    day = start.date()
    out: list[PlanningWarning] = []
    begins = start.hour * 60 + start.minute
    finishes = (end.hour * 60 + end.minute) if end.date() == day else 24 * 60
    if begins < rules.day_starts or finishes > rules.day_ends:
        hours = {"start": clock_label(rules.day_starts), "end": clock_label(rules.day_ends)}
        out.append(PlanningWarning("outside_hours", day, hours))
    if day.weekday() >= 5:
        out.append(PlanningWarning("weekend", day))
    name = public_holiday(rules, day)
    if name:
        out.append(PlanningWarning("public_holiday", day, {"name": name}))
    holidays_name = school_holiday(rules, day)
    if holidays_name:
        out.append(PlanningWarning("school_holidays", day, {"name": holidays_name}))
    return out


def _is_break(rules: Rules, day: date) -> bool:
    return day.weekday() >= 5 or bool(public_holiday(rules, day)) or bool(school_holiday(rules, day))


def start_warnings(rules: Rules, first_day: date) -> list[PlanningWarning]:
    """What to warn about a session's first day: the eve of a weekend, a public holiday or school holidays.

    Args:
        rules: The organisation's rules.
        first_day: The session's first Paris day.

    Returns:
        The warning, or nothing.
    """
    if _is_break(rules, first_day):
        return []  # the day itself is already warned about
    if _is_break(rules, first_day + timedelta(days=1)):
        return [PlanningWarning("eve_of_break", first_day)]
    return []


def remote_week_warnings(
    remote: Iterable[tuple[datetime, datetime]], slot: tuple[datetime, datetime]
) -> list[PlanningWarning]:
    """Whether a remote slot brings a learner's remote work over 2 hours in its week (Monday to Sunday, Paris).

    Args:
        remote: The learner's other remote slots (UTC start, end).
        slot: The remote slot being planned.

    Returns:
        The warning, or nothing.
    """
    day = paris(slot[0]).date()
    monday = day - timedelta(days=day.weekday())
    total = slot[1] - slot[0]
    for starts, ends in remote:
        other = paris(starts).date()
        if monday <= other < monday + timedelta(days=7) and (starts, ends) != slot:
            total += ends - starts
    if total > REMOTE_WEEK_LIMIT:
        hours = f"{total.total_seconds() / 3600:.1f}".replace(".", ",").removesuffix(",0")
        return [PlanningWarning("remote_week", day, {"hours": hours})]
    return []


def rules_of(organisation: Organisation | None) -> Rules:
    """An organisation's planning rules.

    Args:
        organisation: The organisation (None: the defaults).

    Returns:
        Its rules.
    """
    if organisation is None:
        return Rules()
    return Rules(
        region=organisation.holiday_region if organisation.holiday_region in REGIONS else "",
        school_zone=organisation.school_zone if organisation.school_zone in SCHOOL_ZONES else "",
        day_starts=organisation.day_starts_minute,
        day_ends=organisation.day_ends_minute,
    )


def reasons(warnings: Iterable[PlanningWarning], language: str) -> str:
    """The warnings in words, for the message that asks to confirm.

    Args:
        warnings: The warnings.
        language: The reader's language.

    Returns:
        e.g. "samedi 12/12/2026 est un week-end ; vendredi 25/12/2026 est férié (Noël)".
    """
    return " ; ".join(t(language, f"planning.{w.code}", day=f"{w.day:%d/%m/%Y}", **w.params) for w in warnings)
