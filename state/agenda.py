"""The agenda page: a person's week or month of slots across every organisation they train or learn for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, ClassVar

import reflex as rx
from sqlmodel import Session

from app.clock import paris_today
from app.i18n import t
from app.live.contract import LiveEvent, PeopleChanged, StatusChanged, TimelineChanged, session_topic
from app.models.base import utcnow
from app.services import access, agenda, agenda_view, planning, rooms, timeline, unavailability
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from state import live
from state.auth import _form
from state.common import assign_changed, clean_id, clean_str, error_message, run_db
from state.guard import SIGNED_IN, policy, require_actor

WEEK = "week"
MONTH = "month"
NEW_SEANCE = "new"  # the planning dialog's choice that adds a séance rather than picking one without a slot
PLAN_FIELDS = ("module_id", "kind", "title", "day", "half_day", "start", "end", "room", "link")


@dataclass(frozen=True)
class _AgendaPage:
    """Everything the agenda page shows, read in one transaction."""

    view: agenda_view.AgendaView
    movable: list[int]  # the sessions whose slots the person may move to another room
    unavailabilities: list[unavailability.UnavailabilityLine]
    to_plan: list[planning.PlanningSession]
    followed: list[int]  # the sessions whose changes may reach the period: followed live


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
        to_plan=planning.to_plan(db, actor),
        followed=agenda.sessions_from(db, actor.user_id, since=view.first),
    )


def _plan(db: Session, actor: Actor, choice: str, values: dict[str, str], *, confirmed: bool) -> None:
    """Schedule the séance chosen in the planning dialog, or add the new one and schedule it (one transaction).

    Args:
        db: Database session.
        actor: The tab's own actor.
        choice: An activity id, or NEW_SEANCE.
        values: The dialog's fields (module_id, kind, title for a new séance; day, half_day, start, end, room, link).
        confirmed: Ticked after the planning rules warned.
    """
    when = {k: values[k] for k in ("day", "half_day", "start", "end", "room", "link")}
    if choice == NEW_SEANCE:
        module_id = clean_id(values["module_id"])
        if module_id is None:
            raise PlumeError(ErrorCode.INVALID_INPUT, field="module_id")
        kind, title = values["kind"], values["title"]
        timeline.add_and_schedule(db, actor, module_id, kind=kind, title=title, **when, confirmed=confirmed)
        return
    activity_id = clean_id(choice)
    if activity_id is None:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="activity")
    timeline.schedule(db, actor, activity_id, **when, confirmed=confirmed)


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
    # Progressive planning: the sessions with hours or séances to plan (`planning.to_plan`), and the planning
    # dialog of one of them (0: closed): the séance chosen (an activity id, or NEW_SEANCE), its kind, the errors.
    to_plan: rx.Field[list[planning.PlanningSession]] = rx.field(default_factory=list)
    plan_session: rx.Field[int] = rx.field(0)
    plan_title: rx.Field[str] = rx.field("")
    plan_unplanned: rx.Field[list[planning.Unplanned]] = rx.field(default_factory=list)
    plan_modules: rx.Field[list[planning.PlanningModule]] = rx.field(default_factory=list)
    plan_rooms: rx.Field[list[str]] = rx.field(default_factory=list)
    plan_choice: rx.Field[str] = rx.field("")
    plan_kind: rx.Field[str] = rx.field("in_person")
    plan_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    plan_error: rx.Field[str] = rx.field("")
    plan_busy: rx.Field[bool] = rx.field(False)
    plan_notice: rx.Field[str] = rx.field("")
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
            to_plan=page.to_plan,
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
        # The sessions to plan are followed too: a slot planned elsewhere, or new hours to plan, refresh the card.
        followed = sorted(set(shown.session_ids) | set(page.followed) | {p.session_id for p in page.to_plan})
        topics = tuple(session_topic(i) for i in followed)
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

    @rx.event
    @policy(SIGNED_IN)
    def open_plan(self, session_id: Any) -> None:
        """Open the planning dialog of one of the sessions to plan (where the person may plan it).

        Args:
            session_id: A session of the card (the services decide again when the dialog is saved).
        """
        key = clean_id(session_id)
        found = next((p for p in self.to_plan if p.session_id == key and p.may_plan), None)
        if found is None:
            return
        self.plan_session, self.plan_title = found.session_id, found.title
        self.plan_unplanned, self.plan_modules, self.plan_rooms = found.unplanned, found.modules, found.rooms
        first = found.unplanned[0] if found.unplanned else None
        self.plan_choice = str(first.id) if first is not None else NEW_SEANCE
        self.plan_kind = first.kind if first is not None else "in_person"
        self.plan_errors, self.plan_error, self.plan_notice = {}, "", ""

    @rx.event
    @policy(SIGNED_IN)
    def close_plan(self) -> None:
        """Close the planning dialog."""
        self.plan_session, self.plan_errors, self.plan_error = 0, {}, ""

    @rx.event
    @policy(SIGNED_IN)
    def choose_plan(self, choice: Any) -> None:
        """Pick the séance to plan in the dialog: one without a slot, or a new one.

        Args:
            choice: An activity id of the dialog's list, or NEW_SEANCE.
        """
        value = clean_str(choice, 20)
        if value == NEW_SEANCE:
            self.plan_choice = NEW_SEANCE
        else:
            found = next((u for u in self.plan_unplanned if str(u.id) == value), None)
            if found is None:
                return
            self.plan_choice, self.plan_kind = value, found.kind
        self.plan_errors, self.plan_error = {}, ""

    @rx.event
    @policy(SIGNED_IN)
    def choose_plan_kind(self, kind: Any) -> None:
        """Pick a new séance's kind: in person (a half-day, a room) or a virtual class (hours, a link).

        Args:
            kind: in_person or virtual_class.
        """
        value = clean_str(kind, 20)
        if value in timeline.PLANNED_KINDS:
            self.plan_kind = value

    @rx.event
    @policy(SIGNED_IN)
    async def plan(self, form_data: Any) -> None:
        """Plan the dialog's séance: give it its slot (a new séance is added first, in the same transaction).

        Args:
            form_data: module_id, kind, title (new séance), day, half_day, start, end, room, link, confirmed
                (ticked after the planning rules warned).
        """
        form, actor = _form(form_data), require_actor()
        if not self.plan_session:
            return
        choice = self.plan_choice
        values = {k: clean_str(form.get(k), 300) for k in PLAN_FIELDS}
        if choice != NEW_SEANCE:
            values["kind"] = self.plan_kind
        # Ticked after the planning rules warned (a ticked box arrives as true, or "on" from a plain form post).
        confirmed = form.get("confirmed") is True or clean_str(form.get("confirmed"), 5) == "on"
        self.plan_errors, self.plan_error, self.plan_busy = {}, "", True
        try:
            await run_db(lambda db: _plan(db, actor, choice, values, confirmed=confirmed))
        except PlumeError as err:
            text = error_message(actor.language, err)
            field = err.field or ""
            if field in (*PLAN_FIELDS, "confirmed"):
                self.plan_errors = {field: text}
            else:
                self.plan_error = text
            self.plan_busy = False
            return
        self.plan_busy, self.plan_session = False, 0
        self.plan_notice = t(actor.language, "toplan.planned")
        await self._live_load(actor)
