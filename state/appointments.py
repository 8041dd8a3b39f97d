"""An appointment's panel on the session page: proposed times, places, confirmation (`app.services.appointments`).

The session page's open activity (`SessionPageState`) says which appointment this is; its live refresh refreshes
this board too, so a place taken in one browser shows in the others at once.
"""

from __future__ import annotations

from collections.abc import Callable

import reflex as rx
from sqlmodel import Session

from app.i18n import t
from app.services import appointments
from app.services.actor import Actor
from app.services.errors import PlumeError
from state.common import clean_id, clean_str, error_message, run_db
from state.guard import SIGNED_IN, policy, require_actor, roles
from state.session import SessionState
from state.timeline_editor import _form

PLANNERS = roles("staff", "trainer")


class AppointmentState(rx.State):
    """The open appointment's board, and what was said about the last action."""

    board: rx.Field[appointments.AppointmentBoard | None] = rx.field(None)
    error: rx.Field[str] = rx.field("")
    notice: rx.Field[str] = rx.field("")
    field_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    form_key: rx.Field[int] = rx.field(0)  # a new value empties the forms after a success
    _activity_id: int = 0
    _said_on: str = ""  # the board the notice was said on

    async def _show(self, actor: Actor | None, activity_id: int) -> None:
        """Read the board of an appointment (None for another kind, or when it is out of reach).

        Args:
            actor: The tab's actor.
            activity_id: The open activity, an appointment (0: none open).
        """
        if activity_id != self._activity_id:
            self.error, self.notice, self.field_errors = "", "", {}
        self._activity_id = activity_id
        if actor is None or not activity_id:
            self.board = None
            return
        try:
            self.board = await run_db(lambda db: appointments.board(db, actor, activity_id))
        except PlumeError:
            self.board = None
        if self.notice and repr(self.board) != self._said_on:
            self.notice = ""  # said of the person's own action: once the board changed again, it is stale

    async def _act(self, work: Callable[[Session], object], notice: str) -> None:
        lang = (await self.get_state(SessionState)).lang
        self.error, self.notice, self.field_errors = "", "", {}
        try:
            await run_db(work)
        except PlumeError as err:
            text = error_message(lang, err)
            if err.field:
                self.field_errors = {err.field: text}
            else:
                self.error = text
        else:
            self.form_key += 1
        await self._show(require_actor(), self._activity_id)
        if not self.error and not self.field_errors:
            self.notice, self._said_on = t(lang, notice), repr(self.board)

    @rx.event
    @policy(PLANNERS)
    async def propose_time(self, form_data: object) -> None:
        """Propose a time (the session's trainers, staff; the service checks the session).

        Args:
            form_data: appointment_day, _start, _end, _capacity, _room.
        """
        form, actor, aid = _form(form_data), require_actor(), self._activity_id
        values = {k: clean_str(form.get(f"appointment_{k}"), 100) for k in ("day", "start", "end", "capacity", "room")}
        await self._act(
            lambda db: appointments.propose_time(
                db,
                actor,
                aid,
                day=values["day"],
                start=values["start"],
                end=values["end"],
                capacity=values["capacity"] or "1",
                room=values["room"],
            ),
            "appointment.time_added",
        )

    @rx.event
    @policy(SIGNED_IN)
    async def propose_own_time(self, form_data: object) -> None:
        """Propose a time of one's own (a learner, where the organisation allows it).

        Args:
            form_data: appointment_day, _start, _end.
        """
        form, actor, aid = _form(form_data), require_actor(), self._activity_id
        values = {k: clean_str(form.get(f"appointment_{k}"), 20) for k in ("day", "start", "end")}
        await self._act(
            lambda db: appointments.propose_own_time(
                db, actor, aid, day=values["day"], start=values["start"], end=values["end"]
            ),
            "appointment.proposed",
        )

    @rx.event
    @policy(SIGNED_IN)
    async def take_place(self, offer_id: object) -> None:
        """Take a place in a proposed time (a learner).

        Args:
            offer_id: The time.
        """
        actor, oid = require_actor(), clean_id(offer_id)
        if oid is not None:
            await self._act(lambda db: appointments.take_place(db, actor, oid), "appointment.taken")

    @rx.event
    @policy(PLANNERS)
    async def confirm_place(self, booking_id: object) -> None:
        """Confirm a learner's place (the session's trainers, staff).

        Args:
            booking_id: The place.
        """
        actor, bid = require_actor(), clean_id(booking_id)
        if bid is not None:
            await self._act(lambda db: appointments.confirm(db, actor, bid), "appointment.confirmed")

    @rx.event
    @policy(SIGNED_IN)
    async def cancel_place(self, booking_id: object) -> None:
        """Give up one's place, or turn down or cancel a learner's (trainers, staff).

        Args:
            booking_id: The place.
        """
        actor, bid = require_actor(), clean_id(booking_id)
        if bid is not None:
            await self._act(lambda db: appointments.cancel_place(db, actor, bid), "appointment.cancelled")

    @rx.event
    @policy(PLANNERS)
    async def remove_time(self, offer_id: object) -> None:
        """Take back a proposed time nobody holds a place in (trainers, staff).

        Args:
            offer_id: The time.
        """
        actor, oid = require_actor(), clean_id(offer_id)
        if oid is not None:
            await self._act(lambda db: appointments.remove_time(db, actor, oid), "appointment.time_removed")
