"""Timeline editing handlers, shared by a session's page and a course's template page.

The concrete state says whose timeline it edits (`_owner`) and how to reload
(`_reload`); the services decide who may do what (trainers: duplicate and
delete only), so a forged event gets the same refusal as the hidden button.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import reflex as rx
from sqlmodel import Session

from app.i18n import t
from app.services import follow_up, timeline
from app.services.errors import PlumeError
from state.common import clean_id, clean_str, error_message, form_fields, run_db
from state.guard import SIGNED_IN, policy, require_actor
from state.session import SessionState

_form = form_fields


class TimelineEditor(rx.State, mixin=True):
    """Edit mode, the open forms and their errors."""

    editing: rx.Field[bool] = rx.field(False)
    edit_error: rx.Field[str] = rx.field("")
    edit_field_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    error_form: rx.Field[str] = rx.field("")
    dragging_activity: rx.Field[str] = rx.field("")
    edit_notice: rx.Field[str] = rx.field("")
    open_form: rx.Field[str] = rx.field("")
    edit_key: rx.Field[int] = rx.field(0)
    room_names: rx.Field[list[str]] = rx.field(default_factory=list)  # the organisation's rooms, for "Salle"

    def _owner(self) -> dict[str, int]:
        raise NotImplementedError

    async def _reload(self) -> None:
        raise NotImplementedError

    async def _apply(self, work: Callable[[Session], object], *, form: str = "") -> bool:
        lang = (await self.get_state(SessionState)).lang
        self.edit_error, self.edit_notice, self.edit_field_errors, self.error_form = "", "", {}, ""
        try:
            await run_db(work)
        except PlumeError as err:
            text = error_message(lang, err)
            if err.field and form:
                self.edit_field_errors, self.error_form = {err.field: text}, form
            else:
                self.edit_error = text
            self.open_form = form if form and form != "add-module" else self.open_form
            return False
        self.open_form = ""
        self.edit_key += 1
        self.edit_notice = t(lang, "common.saved")
        await self._reload()
        return True

    @rx.event
    @policy(SIGNED_IN)
    def toggle_editing(self) -> None:
        """Show or hide the editing controls (the services still decide what is allowed)."""
        self.editing = not self.editing
        self.open_form, self.edit_error, self.edit_field_errors, self.edit_notice = "", "", {}, ""

    @rx.event
    @policy(SIGNED_IN)
    def open(self, name: Any) -> None:
        """Open one inline form (e.g. "rename-12") and close the others.

        Args:
            name: The form's key.
        """
        value = clean_str(name, 60)
        self.open_form = "" if self.open_form == value else value
        self.edit_field_errors, self.edit_error, self.error_form = {}, "", ""

    @rx.event
    @policy(SIGNED_IN)
    async def add_module(self, form_data: Any) -> None:
        """Add a module.

        Args:
            form_data: title, phase.
        """
        form, actor, owner = _form(form_data), require_actor(), self._owner()
        title, phase = clean_str(form.get("module_title"), 300), clean_str(form.get("phase"), 10) or "during"
        await self._apply(
            lambda db: timeline.add_module(db, actor, title=title, phase=phase, **owner), form="add-module"
        )

    @rx.event
    @policy(SIGNED_IN)
    async def rename_module(self, form_data: Any) -> None:
        """Rename a module.

        Args:
            form_data: module_id, new_title.
        """
        form = _form(form_data)
        mid, title, actor = clean_id(form.get("module_id")), clean_str(form.get("new_title"), 300), require_actor()
        if mid is not None:
            await self._apply(lambda db: timeline.rename_module(db, actor, mid, title), form=f"rename-{mid}")

    @rx.event
    @policy(SIGNED_IN)
    async def set_rule(self, form_data: Any) -> None:
        """Set a module's opening rule.

        Args:
            form_data: module_id, rule, opens_on.
        """
        form, actor = _form(form_data), require_actor()
        module_id = form.get("module_id")
        mid, rule, day = clean_id(module_id), clean_str(form.get("rule"), 20), clean_str(form.get("opens_on"), 20)
        if mid is not None:
            await self._apply(lambda db: timeline.set_opening_rule(db, actor, mid, rule, day), form=f"rule-{mid}")

    @rx.event
    @policy(SIGNED_IN)
    async def duplicate_module(self, module_id: Any) -> None:
        """Duplicate a module with its activities.

        Args:
            module_id: The module.
        """
        mid, actor = clean_id(module_id), require_actor()
        if mid is not None:
            await self._apply(lambda db: timeline.duplicate_module(db, actor, mid))

    @rx.event
    @policy(SIGNED_IN)
    async def delete_module(self, module_id: Any) -> None:
        """Delete a module (the page asked for confirmation first).

        Args:
            module_id: The module.
        """
        mid, actor = clean_id(module_id), require_actor()
        if mid is not None:
            await self._apply(lambda db: timeline.delete_module(db, actor, mid))

    @rx.event
    @policy(SIGNED_IN)
    async def add_activity(self, form_data: Any) -> None:
        """Add an activity to a module.

        Args:
            form_data: module_id, kind, activity_title.
        """
        form, actor = _form(form_data), require_actor()
        mid, kind, title = (
            clean_id(form.get("module_id")),
            clean_str(form.get("kind"), 30),
            clean_str(form.get("activity_title"), 300),
        )
        if mid is not None:
            await self._apply(
                lambda db: timeline.add_activity(db, actor, mid, kind=kind, title=title), form=f"activity-{mid}"
            )

    @rx.event
    @policy(SIGNED_IN)
    async def duplicate_activity(self, activity_id: Any) -> None:
        """Duplicate an activity.

        Args:
            activity_id: The activity.
        """
        aid, actor = clean_id(activity_id), require_actor()
        if aid is not None:
            await self._apply(lambda db: timeline.duplicate_activity(db, actor, aid))

    @rx.event
    @policy(SIGNED_IN)
    async def delete_activity(self, activity_id: Any) -> None:
        """Delete an activity (the page asked for confirmation first).

        Args:
            activity_id: The activity.
        """
        aid, actor = clean_id(activity_id), require_actor()
        if aid is not None:
            await self._apply(lambda db: timeline.delete_activity(db, actor, aid))

    @rx.event
    @policy(SIGNED_IN)
    async def move_activity(self, activity_id: Any, direction: Any) -> None:
        """Move an activity up or down in its module.

        Args:
            activity_id: The activity.
            direction: -1 or 1.
        """
        aid, actor = clean_id(activity_id), require_actor()
        step = direction if direction in (-1, 1) and not isinstance(direction, bool) else None
        if aid is not None and step is not None:
            await self._apply(lambda db: timeline.move_activity(db, actor, aid, step))

    @rx.event
    @policy(SIGNED_IN)
    async def schedule(self, form_data: Any) -> None:
        """Give an in-person activity its half-day, or a virtual class its time range and link.

        Args:
            form_data: activity_id, day, half_day, room, start, end, link, confirmed (ticked after a warning).
        """
        form, actor = _form(form_data), require_actor()
        aid = clean_id(form.get("activity_id"))
        if aid is None:
            return
        values = {k: clean_str(form.get(k), 300) for k in ("day", "half_day", "room", "start", "end", "link")}
        # Ticked after the planning rules warned (a ticked box arrives as true, or "on" from a plain form post).
        confirmed = form.get("confirmed") is True or clean_str(form.get("confirmed"), 5) == "on"
        await self._apply(
            lambda db: timeline.schedule(db, actor, aid, **values, confirmed=confirmed), form=f"schedule-{aid}"
        )

    @rx.event
    @policy(SIGNED_IN)
    async def set_monitoring(self, form_data: Any) -> None:
        """Mark an activity of a session "Surveillé" with its expected day, or stop monitoring it.

        Args:
            form_data: activity_id, monitored (ticked: true), expected_on (YYYY-MM-DD), required (ticked: true).
        """
        form, actor = _form(form_data), require_actor()
        aid = clean_id(form.get("activity_id"))
        if aid is None:
            return
        # A ticked checkbox reaches the handler as true (Reflex's form data), or "on" from a plain form post.
        watched, required = (
            form.get(k) is True or clean_str(form.get(k), 5) == "on" for k in ("monitored", "required")
        )
        day = clean_str(form.get("expected_on"), 20)
        await self._apply(
            lambda db: follow_up.set_monitoring(db, actor, aid, monitored=watched, expected_on=day, required=required),
            form=f"monitor-{aid}",
        )

    @rx.event
    @policy(SIGNED_IN)
    def drag_activity(self, activity_id: Any) -> None:
        """Pick an activity up (mouse pressed on its handle).

        Args:
            activity_id: The activity.
        """
        aid = clean_id(activity_id)
        self.dragging_activity = str(aid) if aid is not None else ""

    @rx.event
    @policy(SIGNED_IN)
    async def drop_activity(self, target_id: Any) -> None:
        """Drop the activity picked up onto another one's place.

        Args:
            target_id: The activity it is dropped on.
        """
        actor, aid, tid = require_actor(), clean_id(self.dragging_activity), clean_id(target_id)
        self.dragging_activity = ""
        if aid is not None and tid is not None and aid != tid:
            await self._apply(lambda db: timeline.place_activity(db, actor, aid, tid))
