"""The agenda page's week and month: a person's slots (`agenda.person_slots`) laid out on Paris calendar days.

Each slot becomes an entry ready to draw (its Paris times, its session, room and links) on every Paris day it
covers; each organisation keeps one colour from one period to the next (`organisation_colours`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel import Session, col, select

from app import routes
from app.clock import paris_day, paris_midnight, paris_time_label
from app.models import Membership, Organisation
from app.services.agenda import AgendaSlot, person_slots
from app.services.attendance.window import SIGNED_KINDS

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
    slots = person_slots(db, user_id, starts=paris_midnight(grid[0]), ends=paris_midnight(grid[1] + timedelta(days=1)))
    colours = organisation_colours(db, user_id)
    # The legend names every organisation of the person's agenda, with slots in the period or not.
    names: dict[int, str] = {}
    if colours:
        rows = db.exec(select(Organisation.id, Organisation.name).where(col(Organisation.id).in_(sorted(colours))))
        names = {org_id or 0: name for org_id, name in rows.all()}
    by_day: dict[date, list[AgendaEntry]] = {}
    counted: set[int] = set()  # the slots on a day of the period (a month grid also shows its neighbours')
    for slot in slots:
        entry = _entry(slot, colours)
        names.setdefault(slot.organisation_id, slot.organisation_name)
        # A slot running past midnight shows on each day it covers (within the grid).
        day = max(paris_day(slot.starts_at), grid[0])
        end = min(paris_day(slot.ends_at - timedelta(microseconds=1)), grid[1])
        while day <= end:
            by_day.setdefault(day, []).append(entry)
            if period[0] <= day <= period[1]:
                counted.add(slot.slot_id)
            day += timedelta(days=1)
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
    )


def _colour(colours: dict[int, int], organisation_id: int) -> int:
    return colours.get(organisation_id, organisation_id % PALETTE_SIZE)


def _entry(slot: AgendaSlot, colours: dict[int, int]) -> AgendaEntry:
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
    )
