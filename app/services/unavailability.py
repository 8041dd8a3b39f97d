"""A trainer's unavailabilities, and the conflicts of their agenda: two slots at once, or a slot while unavailable.

An unavailability is the person's own, whatever the organisation: days, or hours on those days (Paris wall
clock), once or every week until a date. Conflicts are found across every organisation of the agenda
(`agenda.person_slots`), so a trainer sees that a slot of one organisation overlaps a slot of another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlmodel import Session, col, select

from app.clock import paris_day, paris_instant
from app.i18n import t
from app.models import Unavailability
from app.services import access, audit
from app.services.actor import Actor
from app.services.agenda import AgendaSlot
from app.services.errors import ErrorCode, PlumeError
from app.services.typed import clock_label, minutes_of, parse_date, parse_time

MAX_DAYS = 366  # one unavailability spans at most a year
MAX_REPEAT = timedelta(days=2 * 366)  # and repeats for at most two years
MAX_PER_PERSON = 500
NOTE_MAX = 200
_DAY = 24 * 60


@dataclass(frozen=True)
class UnavailabilityRow:
    """One unavailability as its owner's list shows it."""

    id: int
    first_day: date
    last_day: date
    start: str  # "09:00", "" for whole days
    end: str
    weekly_until: date | None
    note: str


@dataclass(frozen=True)
class UnavailabilityLine:
    """One unavailability in words, for its owner's list."""

    id: int
    label: str  # e.g. "Chaque lundi du 07/12/2026 au 21/12/2026, 14:00–18:00"
    note: str


@dataclass(frozen=True)
class Busy:
    """One occurrence of an unavailability (UTC)."""

    unavailability_id: int
    starts_at: datetime
    ends_at: datetime
    note: str


@dataclass(frozen=True)
class Conflict:
    """A slot that overlaps another slot of the agenda, or one of the person's unavailabilities."""

    slot_id: int
    other_slot_id: int | None
    unavailability_id: int | None
    across_organisations: bool  # the other slot belongs to another organisation


def add_unavailability(
    db: Session,
    actor: Actor,
    *,
    first_day: str,
    last_day: str = "",
    start: str = "",
    end: str = "",
    weekly_until: str = "",
    note: str = "",
) -> Unavailability:
    """Record a time the person cannot work.

    Args:
        db: Database session.
        actor: The person (their own agenda).
        first_day: The first day (YYYY-MM-DD or DD/MM/YYYY).
        last_day: The last day ("" for one day).
        start: The time it starts each day (HH:MM; "" with `end` "" for whole days).
        end: The time it ends each day.
        weekly_until: Repeat every week until this day ("" for once); the range must then fit in a week.
        note: What it is, for the person only.

    Returns:
        The unavailability.

    Raises:
        PlumeError: FORBIDDEN for an account not fully signed in; DATE_INVALID, DATES_ORDER, TIME_INVALID,
            TIME_ORDER, NUMBER_RANGE (with the field) or INVALID_INPUT (too many).
    """
    if not actor.fully_signed_in:
        raise PlumeError(ErrorCode.FORBIDDEN)
    first = parse_date(first_day, "first_day")
    last = parse_date(last_day, "last_day") if last_day.strip() else first
    if last < first:
        raise PlumeError(ErrorCode.DATES_ORDER, field="last_day")
    if (last - first).days >= MAX_DAYS:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="last_day")
    start_minute, end_minute = 0, _DAY
    if start.strip() or end.strip():
        start_minute = minutes_of(parse_time(start, "start"))
        end_minute = minutes_of(parse_time(end, "end")) or _DAY  # "00:00" as an end is midnight at the day's end
        if end_minute <= start_minute:
            raise PlumeError(ErrorCode.TIME_ORDER, field="end")
    until = parse_date(weekly_until, "weekly_until") if weekly_until.strip() else None
    if until is not None:
        if (last - first).days >= 7:
            raise PlumeError(ErrorCode.NUMBER_RANGE, field="weekly_until")  # a weekly pattern fits in a week
        if until < last:
            raise PlumeError(ErrorCode.DATES_ORDER, field="weekly_until")
        if until - first > MAX_REPEAT:
            raise PlumeError(ErrorCode.NUMBER_RANGE, field="weekly_until")
    count = len(db.exec(select(Unavailability.id).where(Unavailability.user_id == actor.user_id)).all())
    if count >= MAX_PER_PERSON:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    row = Unavailability(
        user_id=actor.user_id,
        first_day=first,
        last_day=last,
        start_minute=start_minute,
        end_minute=end_minute,
        weekly_until=until,
        note=note.strip()[:NOTE_MAX],
    )
    db.add(row)
    db.flush()
    audit.record(db, "agenda.unavailability_added", actor_user_id=actor.user_id, target=f"unavailability:{row.id}",
                 ip=actor.ip)  # fmt: skip
    db.commit()
    return row


def remove_unavailability(db: Session, actor: Actor, unavailability_id: object) -> None:
    """Remove one of the person's unavailabilities.

    Args:
        db: Database session.
        actor: The person.
        unavailability_id: One of theirs.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_unavailability`).
    """
    row = access.access_unavailability(db, actor, unavailability_id)
    db.delete(row)
    audit.record(db, "agenda.unavailability_removed", actor_user_id=actor.user_id,
                 target=f"unavailability:{row.id}", ip=actor.ip)  # fmt: skip
    db.commit()


def my_unavailabilities(db: Session, actor: Actor, *, today: date) -> list[UnavailabilityRow]:
    """The person's unavailabilities that are not over, earliest first.

    Args:
        db: Database session.
        actor: The person.
        today: Today in Paris (those over before it are not listed).

    Returns:
        The rows.
    """
    if not actor.fully_signed_in:
        return []
    rows = db.exec(
        select(Unavailability)
        .where(Unavailability.user_id == actor.user_id)
        .order_by(col(Unavailability.first_day), col(Unavailability.id))
    ).all()
    return [
        UnavailabilityRow(
            id=row.id or 0,
            first_day=row.first_day,
            last_day=row.last_day,
            start="" if (row.start_minute, row.end_minute) == (0, _DAY) else clock_label(row.start_minute),
            end="" if (row.start_minute, row.end_minute) == (0, _DAY) else clock_label(row.end_minute % _DAY),
            weekly_until=row.weekly_until,
            note=row.note,
        )
        for row in rows
        if (row.weekly_until or row.last_day) >= today
    ]


def busy_between(db: Session, user_id: int, *, starts: datetime, ends: datetime) -> list[Busy]:
    """The occurrences of a person's unavailabilities that overlap a time range, earliest first.

    Args:
        db: Database session.
        user_id: The person.
        starts: The range's start (UTC).
        ends: The range's end (UTC).

    Returns:
        The occurrences, one per day they cover.
    """
    first_day, last_day = paris_day(starts) - timedelta(days=1), paris_day(ends) + timedelta(days=1)
    rows = db.exec(
        select(Unavailability).where(
            Unavailability.user_id == user_id,
            col(Unavailability.first_day) <= last_day,
            (col(Unavailability.weekly_until).is_(None) & (col(Unavailability.last_day) >= first_day))
            | (col(Unavailability.weekly_until) >= first_day),
        )
    ).all()
    out: list[Busy] = []
    for row in rows:
        for day in _days(row, first_day, last_day):
            begins = paris_instant(day, time(row.start_minute // 60, row.start_minute % 60))
            if row.end_minute >= _DAY:
                finishes = paris_instant(day + timedelta(days=1), time(0, 0))
            else:
                finishes = paris_instant(day, time(row.end_minute // 60, row.end_minute % 60))
            if begins < ends and finishes > starts:
                out.append(Busy(unavailability_id=row.id or 0, starts_at=begins, ends_at=finishes, note=row.note))
    return sorted(out, key=lambda b: (b.starts_at, b.unavailability_id))


def _days(row: Unavailability, first_day: date, last_day: date) -> list[date]:
    """The days an unavailability covers between two days (its weekly repetitions included)."""
    span = (row.last_day - row.first_day).days
    until = row.weekly_until or row.last_day
    weeks = range(((until - row.first_day).days // 7) + 1) if row.weekly_until else range(1)
    days = []
    for week in weeks:
        start = row.first_day + timedelta(weeks=week)
        if start > last_day:
            break
        for offset in range(span + 1):
            day = start + timedelta(days=offset)
            if first_day <= day <= last_day and (row.weekly_until is None or day <= until + timedelta(days=span)):
                days.append(day)
    return days


def conflicts(slots: Sequence[AgendaSlot], busy: Sequence[Busy]) -> list[Conflict]:
    """The overlaps in an agenda: each pair of slots at the same time, each slot during an unavailability.

    Args:
        slots: The agenda's slots, earliest first (`agenda.person_slots`).
        busy: The person's unavailabilities over the same range (`busy_between`).

    Returns:
        The conflicts, in the slots' order.
    """
    out: list[Conflict] = []
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.slot_id))
    for n, slot in enumerate(ordered):
        for other in ordered[n + 1 :]:
            if other.starts_at >= slot.ends_at:
                break
            out.append(
                Conflict(
                    slot_id=slot.slot_id,
                    other_slot_id=other.slot_id,
                    unavailability_id=None,
                    across_organisations=other.organisation_id != slot.organisation_id,
                )
            )
        for period in busy:
            if period.starts_at < slot.ends_at and slot.starts_at < period.ends_at:
                out.append(
                    Conflict(
                        slot_id=slot.slot_id,
                        other_slot_id=None,
                        unavailability_id=period.unavailability_id,
                        across_organisations=False,
                    )
                )
    # One conflict per slot and unavailability, even when the unavailability spans several days.
    return list(dict.fromkeys(out))


def describe(row: UnavailabilityRow, language: str) -> UnavailabilityLine:
    """An unavailability in the owner's words.

    Args:
        row: The unavailability (`my_unavailabilities`).
        language: "fr" or "en".

    Returns:
        Its line.
    """
    first, last = f"{row.first_day:%d/%m/%Y}", f"{row.last_day:%d/%m/%Y}"
    if row.weekly_until is not None:
        days = t(language, f"agenda.weekdays.{row.first_day.isoweekday()}")
        if row.last_day != row.first_day:
            days += "–" + t(language, f"agenda.weekdays.{row.last_day.isoweekday()}")
        label = t(language, "unavailability.weekly", days=days, first=first, until=f"{row.weekly_until:%d/%m/%Y}")
    elif row.last_day != row.first_day:
        label = t(language, "unavailability.range", first=first, last=last)
    else:
        label = t(language, "unavailability.day", first=first)
    if row.start:
        label += f", {row.start}–{row.end if row.end != '00:00' else '24:00'}"
    return UnavailabilityLine(id=row.id, label=label, note=row.note)
