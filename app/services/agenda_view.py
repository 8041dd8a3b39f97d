"""The agenda page's week and month: a person's slots (`agenda.person_slots`) laid out on Paris calendar days.

Each slot becomes an entry ready to draw (its Paris times, its session, room and links) on every Paris day it
covers; each organisation keeps one colour from one period to the next (`organisation_colours`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from app import routes
from app.clock import paris_day, paris_midnight, paris_time_label
from app.models import Membership, Organisation
from app.services.agenda import AgendaSlot, person_slots
from app.services.attendance.window import SIGNED_KINDS
from app.services.unavailability import Busy, Conflict, busy_between, conflicts

# How many colours tell organisations apart (the page maps each index to a Radix scale); a person working
# for more organisations than that sees colours come round again, their names always written.
PALETTE_SIZE = 6
MONTH_SHOWN = 3  # entries a day of the month grid lists before "+N"


@dataclass(frozen=True)
class AgendaEntry:
    """One slot on one day of the agenda page, ready to draw (times in Paris)."""

    slot_id: int
    session_id: int
    starts: str  # "09:00"
    time_range: str  # "09:00–12:30"
    session_title: str
    course_title: str
    activity_title: str
    activity_kind: str
    organisation_id: int
    organisation_name: str
    colour: int  # the organisation's place in the palette, from 0 to PALETTE_SIZE - 1
    where: str  # the slot's room, else the session's place, else ""
    link: str  # the session's page
    attendance_link: str  # the slot's attendance sheet, "" for an activity without one
    conflict: bool = False  # it overlaps another slot or one of the person's unavailabilities


@dataclass(frozen=True)
class BusyEntry:
    """One of the person's unavailabilities on one day (Paris times)."""

    unavailability_id: int
    time_range: str  # "14:00–18:00", "" for the whole day
    note: str


@dataclass(frozen=True)
class ConflictRow:
    """A conflict of the period, in words the page shows: which slot, with what."""

    slot_id: int
    day: str  # "07/12"
    time_range: str
    title: str  # the slot's session
    organisation_name: str
    other_title: str  # the other slot's session, or the unavailability's note
    other_organisation: str  # the other slot's organisation ("" for an unavailability)
    with_unavailability: bool
    across_organisations: bool


@dataclass(frozen=True)
class AgendaDay:
    """One Paris calendar day of a week or of a month grid, with its slots earliest first."""

    iso: str  # "2026-12-07"
    day: int
    month: int
    weekday: int  # 1 (Monday) to 7 (Sunday)
    is_today: bool
    in_period: bool  # False for the days of the month grid's first and last weeks outside the month
    slots: list[AgendaEntry] = field(default_factory=list)
    more: int = 0  # entries the month grid does not list (over MONTH_SHOWN)
    busy: list[BusyEntry] = field(default_factory=list)  # the person's unavailabilities that day


@dataclass(frozen=True)
class AgendaOrganisation:
    """An organisation in the page's legend."""

    id: int
    name: str
    colour: int


@dataclass(frozen=True)
class AgendaView:
    """A week or a month of a person's agenda."""

    first: date  # the period's first day (a Monday, or the 1st of the month)
    last: date  # its last day
    days: list[AgendaDay]
    organisations: list[AgendaOrganisation]
    session_ids: list[int]  # the sessions shown (the page follows them live)
    count: int  # slots on the period's days
    conflicts: list[ConflictRow] = field(default_factory=list)


def week_monday(day: date) -> date:
    """The Monday of the week a day falls in (French weeks start on Monday).

    Args:
        day: A Paris calendar day.

    Returns:
        Its week's Monday.
    """
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    """The first day of a day's month.

    Args:
        day: A calendar day.

    Returns:
        The 1st of its month.
    """
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The 1st of the month some months after (or before) a day's month.

    Args:
        day: A calendar day.
        months: How many months forward (negative: back).

    Returns:
        The 1st of that month.
    """
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def week_view(db: Session, user_id: int, day: date, *, today: date) -> AgendaView:
    """A person's week: seven Paris days from a Monday, each with its slots.

    Args:
        db: Database session.
        user_id: The person (the caller checked who they are).
        day: Any day of the week.
        today: Today in Paris (highlighted).

    Returns:
        The week.
    """
    first = week_monday(day)
    last = first + timedelta(days=6)
    return _view(db, user_id, (first, last), grid=(first, last), today=today, shown=None)


def month_view(db: Session, user_id: int, day: date, *, today: date) -> AgendaView:
    """A person's month as a grid of whole weeks, Monday first, each day with its slots.

    Args:
        db: Database session.
        user_id: The person (the caller checked who they are).
        day: Any day of the month.
        today: Today in Paris (highlighted).

    Returns:
        The month; its days run from the Monday of the 1st's week to the Sunday of the last day's week.
    """
    first = month_start(day)
    last = add_months(first, 1) - timedelta(days=1)
    grid = (week_monday(first), week_monday(last) + timedelta(days=6))
    return _view(db, user_id, (first, last), grid=grid, today=today, shown=MONTH_SHOWN)


def organisation_colours(db: Session, user_id: int) -> dict[int, int]:
    """Each organisation a person trains or learns for, and its colour: its rank by id, round the palette.

    The same organisation keeps its colour from one week to the next, whatever the week shows.

    Args:
        db: Database session.
        user_id: The person.

    Returns:
        Organisation id to palette index.
    """
    ids = db.exec(
        select(col(Membership.organisation_id))
        .where(Membership.user_id == user_id, col(Membership.is_trainer) | col(Membership.is_learner))
        .order_by(col(Membership.organisation_id))
    ).all()
    return {org_id: rank % PALETTE_SIZE for rank, org_id in enumerate(ids)}


def _view(
    db: Session,
    user_id: int,
    period: tuple[date, date],
    *,
    grid: tuple[date, date],
    today: date,
    shown: int | None,
) -> AgendaView:
    starts, ends = paris_midnight(grid[0]), paris_midnight(grid[1] + timedelta(days=1))
    slots = person_slots(db, user_id, starts=starts, ends=ends)
    busy = busy_between(db, user_id, starts=starts, ends=ends)
    found = conflicts(slots, busy)
    clashing = {c.slot_id for c in found} | {c.other_slot_id for c in found if c.other_slot_id}
    colours = organisation_colours(db, user_id)
    # The legend names every organisation of the person's agenda, with slots in the period or not.
    names: dict[int, str] = {}
    if colours:
        rows = db.exec(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(sorted(colours))))
        names = {org_id or 0: name for org_id, name in rows.all()}
    by_day: dict[date, list[AgendaEntry]] = {}
    counted: set[int] = set()  # the slots on a day of the period (a month grid also shows its neighbours')
    for slot in slots:
        entry = _entry(slot, colours, conflict=slot.slot_id in clashing)
        names.setdefault(slot.organisation_id, slot.organisation_name)
        # A slot running past midnight shows on each day it covers (within the grid).
        day = max(paris_day(slot.starts_at), grid[0])
        end = min(paris_day(slot.ends_at - timedelta(microseconds=1)), grid[1])
        while day <= end:
            by_day.setdefault(day, []).append(entry)
            if period[0] <= day <= period[1]:
                counted.add(slot.slot_id)
            day += timedelta(days=1)
    busy_by_day: dict[date, list[BusyEntry]] = {}
    for period_busy in busy:
        shown_day = paris_day(period_busy.starts_at)
        whole = period_busy.ends_at - period_busy.starts_at >= timedelta(hours=23)  # a DST day has 23 or 25
        label = "" if whole else f"{paris_time_label(period_busy.starts_at)}–{paris_time_label(period_busy.ends_at)}"
        busy_by_day.setdefault(shown_day, []).append(BusyEntry(period_busy.unavailability_id, label, period_busy.note))
    days: list[AgendaDay] = []
    day = grid[0]
    while day <= grid[1]:
        entries = by_day.get(day, [])
        days.append(
            AgendaDay(
                iso=day.isoformat(),
                day=day.day,
                month=day.month,
                weekday=day.isoweekday(),
                is_today=day == today,
                in_period=period[0] <= day <= period[1],
                slots=entries,
                more=max(0, len(entries) - shown) if shown is not None else 0,
                busy=busy_by_day.get(day, []),
            )
        )
        day += timedelta(days=1)
    legend = sorted(names.items(), key=lambda pair: (colours.get(pair[0], PALETTE_SIZE), pair[0]))
    return AgendaView(
        first=period[0],
        last=period[1],
        days=days,
        organisations=[AgendaOrganisation(id=i, name=n, colour=_colour(colours, i)) for i, n in legend],
        session_ids=sorted({s.session_id for s in slots}),
        count=len(counted),
        conflicts=_conflict_rows(found, slots, busy, period),
    )


def _conflict_rows(
    found: list[Conflict], slots: list[AgendaSlot], busy: list[Busy], period: tuple[date, date]
) -> list[ConflictRow]:
    """The conflicts of the period's days, in the words the page shows."""
    by_id = {s.slot_id: s for s in slots}
    notes = {b.unavailability_id: b.note for b in busy}
    rows = []
    for conflict in found:
        slot = by_id[conflict.slot_id]
        if not period[0] <= paris_day(slot.starts_at) <= period[1]:
            continue
        other = by_id.get(conflict.other_slot_id or 0)
        rows.append(
            ConflictRow(
                slot_id=slot.slot_id,
                day=f"{paris_day(slot.starts_at):%d/%m}",
                time_range=f"{paris_time_label(slot.starts_at)}–{paris_time_label(slot.ends_at)}",
                title=slot.session_title,
                organisation_name=slot.organisation_name,
                other_title=other.session_title if other else _in_brackets(notes.get(conflict.unavailability_id or 0)),
                other_organisation=other.organisation_name if other else "",
                with_unavailability=other is None,
                across_organisations=conflict.across_organisations,
            )
        )
    return rows


def _colour(colours: dict[int, int], organisation_id: int) -> int:
    return colours.get(organisation_id, organisation_id % PALETTE_SIZE)


def _entry(slot: AgendaSlot, colours: dict[int, int], *, conflict: bool = False) -> AgendaEntry:
    starts = paris_time_label(slot.starts_at)
    return AgendaEntry(
        slot_id=slot.slot_id,
        session_id=slot.session_id,
        starts=starts,
        time_range=f"{starts}–{paris_time_label(slot.ends_at)}",
        session_title=slot.session_title,
        course_title=slot.course_title,
        activity_title=slot.activity_title,
        activity_kind=slot.activity_kind,
        organisation_id=slot.organisation_id,
        organisation_name=slot.organisation_name,
        colour=_colour(colours, slot.organisation_id),
        where=slot.room or slot.place,
        link=routes.session_path(slot.session_id),
        attendance_link=routes.attendance_path(slot.slot_id) if slot.activity_kind in SIGNED_KINDS else "",
        conflict=conflict,
    )


def _in_brackets(note: str | None) -> str:
    return f"({note})" if note else ""


@dataclass(frozen=True)
class NextSlot:
    """One of the person's next slots, as the home page lists them."""

    slot_id: int
    weekday: int  # 1 (Monday) to 7
    day: str  # "08/12"
    time_range: str  # "09:00–12:30"
    session_title: str
    activity_title: str
    organisation_name: str
    colour: int
    where: str
    link: str


NEXT_DAYS = 60  # how far the home page looks ahead


def next_slots(db: Session, user_id: int, *, now: datetime, limit: int = 5) -> list[NextSlot]:
    """The person's next slots, across every organisation (the home page's "Mes prochains créneaux").

    Args:
        db: Database session.
        user_id: The person (the caller checked who they are).
        now: The moment (slots not yet over count).
        limit: How many.

    Returns:
        The slots, earliest first.
    """
    slots = person_slots(db, user_id, starts=now, ends=now + timedelta(days=NEXT_DAYS))[:limit]
    colours = organisation_colours(db, user_id) if slots else {}
    return [
        NextSlot(
            slot_id=slot.slot_id,
            weekday=paris_day(slot.starts_at).isoweekday(),
            day=f"{paris_day(slot.starts_at):%d/%m}",
            time_range=f"{paris_time_label(slot.starts_at)}–{paris_time_label(slot.ends_at)}",
            session_title=slot.session_title,
            activity_title=slot.activity_title,
            organisation_name=slot.organisation_name,
            colour=_colour(colours, slot.organisation_id),
            where=slot.room or slot.place,
            link=routes.session_path(slot.session_id),
        )
        for slot in slots
    ]
