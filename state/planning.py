"""A session's hours to plan, as its staff set them on the session's page (progressive planning)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.i18n import t
from app.services import planning
from app.services.errors import PlumeError
from state.auth import _form
from state.common import clean_str, error_message, route_id, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor


class SessionHoursState(rx.State):
    """The "Heures à planifier" field of a session's page (shown to its staff only)."""

    allowed: rx.Field[bool] = rx.field(False)
    hours: rx.Field[str] = rx.field("")
    error: rx.Field[str] = rx.field("")
    notice: rx.Field[str] = rx.field("")
    busy: rx.Field[bool] = rx.field(False)
    form_key: rx.Field[int] = rx.field(0)

    def _session_id(self) -> int | None:
        return route_id(self, "session_id")

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Read the session's hours to plan (staff of the session; anyone else sees no field)."""
        self.error, self.notice = "", ""
        await self._read()

    async def _read(self) -> None:
        actor, session_id = require_actor(), self._session_id()
        if session_id is None:
            self.allowed, self.hours = False, ""
            return
        try:
            self.hours = await run_db(lambda db: planning.hours_to_plan_of(db, actor, session_id))
        except PlumeError:
            self.allowed, self.hours = False, ""
            return
        self.allowed = True
        self.form_key += 1

    @rx.event
    @policy(STAFF)
    async def save(self, form_data: Any) -> None:
        """Save the session's hours to plan (0 to 1000, a comma or a point, two decimals at most).

        Args:
            form_data: hours_to_plan.
        """
        form, actor, session_id = _form(form_data), require_actor(), self._session_id()
        typed = clean_str(form.get("hours_to_plan"), 20)
        self.error, self.notice = "", ""
        if session_id is None:
            return
        self.busy = True
        try:
            await run_db(lambda db: planning.set_hours_to_plan(db, actor, session_id, typed))
        except PlumeError as err:
            self.error, self.busy, self.hours = error_message(actor.language, err), False, typed
            return
        self.busy = False
        self.notice = t(actor.language, "common.saved")
        await self._read()
