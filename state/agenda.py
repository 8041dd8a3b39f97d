"""The agenda page: a person's week or month of slots across every organisation they train or learn for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.clock import paris_today
from app.live.contract import LiveEvent, PeopleChanged, StatusChanged, TimelineChanged, session_topic
from app.models.base import utcnow
from app.services import access, agenda_view, rooms, unavailability
from app.services.actor import Actor
from app.services.errors import PlumeError
from state import live
from state.auth import _form
from state.common import assign_changed, clean_id, clean_str, error_message, run_db
from state.guard import SIGNED_IN, policy, require_actor

WEEK = "week"
MONTH = "month"


@dataclass(frozen=True)
class _AgendaPage:
    """Everything the agenda page shows, read in one transaction."""

    view: agenda_view.AgendaView
    movable: list[int]  # the sessions whose slots the person may move to another room
    unavailabilities: list[unavailability.UnavailabilityLine]


def _agenda_page(db: Session, actor: Actor, anchor: date, *, today: date, month: bool) -> _AgendaPage:
    """Read the shown period, the rooms the person may change, their unavailabilities (one worker thread).

    Args:
        db: Database session.
        actor: The tab's own actor.
        anchor: A day of the period.
        today: Today in Paris.
        month: A month rather than a week.

    Returns:
        The page's data.
    """
    read = agenda_view.month_view if month else agenda_view.week_view
    view = read(db, actor.user_id, anchor, today=today)
    mine = unavailability.my_unavailabilities(db, actor, today=today)
    return _AgendaPage(
        view=view,
        movable=sorted(access.sessions_with_movable_rooms(db, actor, view.session_ids)),
        unavailabilities=[unavailability.describe(row, actor.language) for row in mine],
    )


class AgendaState(live.LiveState, rx.State):
    """The shown period of the person's agenda: its days and their slots, the organisations' legend."""

    # A slot moved, added or removed (timeline), a session cancelled (status), the person taken off a session
    # (people): the shown period is read again, coalesced, as the tab's own person.
    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (TimelineChanged, StatusChanged, PeopleChanged)
    live_gap_s: ClassVar[float] = 1.0

    loading: rx.Field[bool] = rx.field(True)
    view: rx.Field[str] = rx.field(WEEK)
    days: rx.Field[list[agenda_view.AgendaDay]] = rx.field(default_factory=list)
    organisations: rx.Field[list[agenda_view.AgendaOrganisation]] = rx.field(default_factory=list)
    count: rx.Field[int] = rx.field(0)
    # The period's first and last day, as numbers: the page words them in the person's language.
    first_day: rx.Field[int] = rx.field(1)
    first_month: rx.Field[int] = rx.field(1)
    first_year: rx.Field[int] = rx.field(2026)
    last_day: rx.Field[int] = rx.field(1)
    last_month: rx.Field[int] = rx.field(1)
    last_year: rx.Field[int] = rx.field(2026)
    shows_today: rx.Field[bool] = rx.field(True)
    conflicts: rx.Field[list[agenda_view.ConflictRow]] = rx.field(default_factory=list)
    # The person's own unavailabilities (private to them), and the form that adds one.
    unavailabilities: rx.Field[list[unavailability.UnavailabilityLine]] = rx.field(default_factory=list)
    unavailability_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    unavailability_error: rx.Field[str] = rx.field("")
    unavailability_busy: rx.Field[bool] = rx.field(False)
    unavailability_key: rx.Field[int] = rx.field(0)
    # The sessions whose slots the person may move to another room (`access.sessions_with_movable_rooms`), and the
    # room picker of one slot (0: closed).
    movable_sessions: rx.Field[list[int]] = rx.field(default_factory=list)
    room_slot: rx.Field[int] = rx.field(0)
    room_choices: rx.Field[list[rooms.RoomChoice]] = rx.field(default_factory=list)
    room_error: rx.Field[str] = rx.field("")
    # Raised by every load, so a page (or a test) knows the load was done even when nothing else changed.
    revision: rx.Field[int] = rx.field(0)
    _anchor: str = ""  # the Paris day the shown week or month holds (ISO), "" for today

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the agenda on this week."""
        self._anchor = ""
        await self._live_load(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def previous(self) -> None:
        """Show the week or month before."""
        await self._move(-1, require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def next(self) -> None:
        """Show the week or month after."""
        await self._move(1, require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def today(self) -> None:
        """Come back to the week or month of today."""
        actor = require_actor()
        self._anchor = ""
        await self._live_load(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def show_week(self) -> None:
        """Show a week of the shown month: today's in today's month, else the week of the month's 1st."""
        actor = require_actor()
        today = paris_today(utcnow())
        if self._anchor and agenda_view.month_start(date.fromisoformat(self._anchor)) == agenda_view.month_start(today):
            self._anchor = ""
        self.view = WEEK
        await self._live_load(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def show_month(self) -> None:
        """Show the month of the shown day."""
        actor = require_actor()
        self.view = MONTH
        await self._live_load(actor)

    async def _move(self, step: int, actor: Actor) -> None:
        anchor = self._anchor_day()
        moved = agenda_view.add_months(anchor, step) if self.view == MONTH else anchor + timedelta(days=7 * step)
        self._anchor = moved.isoformat()
        await self._live_load(actor)

    def _anchor_day(self) -> date:
        return date.fromisoformat(self._anchor) if self._anchor else paris_today(utcnow())

    async def _live_load(self, actor: Actor | None) -> None:
        """Read the shown period as this actor (None: the tab's session ended; show nothing).

        Args:
            actor: The tab's own actor.
        """
        if actor is None:
            self.days, self.organisations, self.count = [], [], 0
            self._live_stop()
            return
        today = paris_today(utcnow())
        anchor = self._anchor_day()
        month = self.view == MONTH
        page = await run_db(lambda db: _agenda_page(db, actor, anchor, today=today, month=month))
        shown, movable, lines = page.view, page.movable, page.unavailabilities
        assign_changed(
            self,
            days=shown.days,
            organisations=shown.organisations,
            count=shown.count,
            conflicts=shown.conflicts,
            unavailabilities=lines,
            movable_sessions=movable,
            first_day=shown.first.day,
            first_month=shown.first.month,
            first_year=shown.first.year,
            last_day=shown.last.day,
            last_month=shown.last.month,
            last_year=shown.last.year,
            shows_today=shown.first <= today <= shown.last,
        )
        topics = tuple(session_topic(i) for i in shown.session_ids)
        if topics:
            self._live_follow(topics)
        else:
            self._live_stop()
        assign_changed(self, loading=False)
        self.revision += 1

    @rx.event
    @policy(SIGNED_IN)
    async def add_unavailability(self, form_data: Any) -> None:
        """Add one of the person's unavailabilities; the period and its conflicts are read again.

        Args:
            form_data: first_day, last_day, start, end, weekly_until, note.
        """
        form, actor = _form(form_data), require_actor()
        fields = ("first_day", "last_day", "start", "end", "weekly_until", "note")
        values = {k: clean_str(form.get(k), 200) for k in fields}
        self.unavailability_errors, self.unavailability_error, self.unavailability_busy = {}, "", True
        try:
            await run_db(lambda db: unavailability.add_unavailability(db, actor, **values))
        except PlumeError as err:
            text = error_message(actor.language, err)
            if err.field:
                self.unavailability_errors = {err.field: text}
            else:
                self.unavailability_error = text
            self.unavailability_busy = False
            return
        self.unavailability_busy = False
        self.unavailability_key += 1
        await self._live_load(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def remove_unavailability(self, unavailability_id: Any) -> None:
        """Remove one of the person's unavailabilities.

        Args:
            unavailability_id: One of theirs.
        """
        actor, key = require_actor(), clean_id(unavailability_id)
        if key is None:
            return
        try:
            await run_db(lambda db: unavailability.remove_unavailability(db, actor, key))
        except PlumeError as err:
            self.unavailability_error = error_message(actor.language, err)
        await self._live_load(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def open_rooms(self, slot_id: Any) -> None:
        """Open the room picker of a slot: the organisation's rooms, free or taken at its time.

        Args:
            slot_id: A slot the person may move (the service's gate decides).
        """
        actor, key = require_actor(), clean_id(slot_id)
        self.room_error = ""
        if key is None:
            return
        try:
            self.room_choices = await run_db(lambda db: rooms.room_choices(db, actor, key))
        except PlumeError:
            self.room_slot, self.room_choices = 0, []
            return
        self.room_slot = key

    @rx.event
    @policy(SIGNED_IN)
    def close_rooms(self) -> None:
        """Close the room picker."""
        self.room_slot, self.room_choices, self.room_error = 0, [], ""

    @rx.event
    @policy(SIGNED_IN)
    def room_dialog(self, opened: Any) -> None:
        """The room picker's dialog opened or closed (Escape, a click outside): closed, it forgets the slot.

        Args:
            opened: Whether it is open.
        """
        if opened is not True:
            self.room_slot, self.room_choices, self.room_error = 0, [], ""

    @rx.event
    @policy(SIGNED_IN)
    async def move_room(self, room_id: Any) -> None:
        """Move the picker's slot to another room, free at its time.

        Args:
            room_id: One of the organisation's rooms.
        """
        actor, key, slot = require_actor(), clean_id(room_id), self.room_slot
        if key is None or not slot:
            return
        try:
            await run_db(lambda db: rooms.move_slot(db, actor, slot, key))
        except PlumeError as err:
            self.room_error = error_message(actor.language, err)
            try:
                self.room_choices = await run_db(lambda db: rooms.room_choices(db, actor, slot))
            except PlumeError:  # the slot is no longer theirs to move
                self.room_slot, self.room_choices = 0, []
            return
        self.room_slot, self.room_choices = 0, []
        await self._live_load(actor)
