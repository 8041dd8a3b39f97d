"""Staff pages: trainers and invitations, e-mail templates, outbox."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.i18n import t
from app.services import home, orgs, templates
from app.services import outbox as outbox_service
from app.services import rooms as rooms_service
from app.services.errors import PlumeError
from state.auth import FormState, _form, names_of
from state.common import clean_id, clean_str, error_message, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor


class StaffPage(FormState, mixin=True):
    """A staff page that reads its list (or settings) on load; anyone else gets the not-found panel."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)

    def _reset(self) -> None:
        """Close what the page had open (nothing by default)."""

    async def _reload(self) -> None:
        """Read the page again; `allowed` says whether the person may see it."""
        raise NotImplementedError

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the page (a non-staff visitor gets the not-found panel)."""
        self._clear()
        self._reset()
        await self._reload()
        self.loading = False


class TrainersState(StaffPage, rx.State):
    """The staff's trainers page."""

    rows: rx.Field[list[orgs.TrainerRow]] = rx.field(default_factory=list)
    add_open: rx.Field[bool] = rx.field(False)
    email_for: rx.Field[str] = rx.field("")
    form_key: rx.Field[int] = rx.field(0)

    async def _reload(self) -> None:
        actor = require_actor()
        try:
            rows = await run_db(lambda db: orgs.list_trainers(db, actor))
        except PlumeError:
            self.allowed, self.rows = False, []
            return
        self.allowed = True
        self.rows = rows

    def _reset(self) -> None:
        self.add_open, self.email_for = False, ""

    @rx.event
    @policy(STAFF)
    def toggle_add(self) -> None:
        """Open or close the add form."""
        self.add_open = not self.add_open
        self.field_errors = {}

    @rx.event
    @policy(STAFF)
    async def add(self, form_data: Any) -> None:
        """Add a trainer to the list (not invited yet).

        Args:
            form_data: first_name, last_name, email, kind.
        """
        form, actor = _form(form_data), require_actor()
        email, kind = clean_str(form.get("email"), 300), clean_str(form.get("kind"), 10) or "external"
        self._start()
        if not await self._submit(lambda db: orgs.add_trainer(db, actor, **names_of(form), email=email, kind=kind)):
            return
        self.add_open = False
        self.form_key += 1
        self.notice = t(await self._lang(), "trainers.added")
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def invite(self, invitation_id: Any) -> None:
        """Send or resend the invitation e-mail.

        Args:
            invitation_id: The trainer's invitation row.
        """
        inv_id = clean_id(invitation_id)
        actor = require_actor()
        self.error = self.notice = ""
        if inv_id is None:
            return
        if not await self._submit(lambda db: orgs.invite_trainer(db, actor, inv_id)):
            # A refused address is said above the table, not next to the add form's e-mail field.
            if "email" in self.field_errors:
                self.error, self.field_errors = self.field_errors["email"], {}
            return
        row = next((r for r in self.rows if r.invitation_id == inv_id), None)
        self.notice = t(await self._lang(), "trainers.invited", email=row.email if row else "")
        await self._reload()

    @rx.event
    @policy(STAFF)
    def ask_email(self, invitation_id: Any) -> None:
        """Open the e-mail form for a trainer without an address.

        Args:
            invitation_id: The trainer's invitation row.
        """
        inv_id = clean_id(invitation_id)
        self.email_for = str(inv_id) if inv_id else ""
        self.field_errors = {}

    @rx.event
    @policy(STAFF)
    async def save_email(self, form_data: Any) -> None:
        """Give a trainer an e-mail address.

        Args:
            form_data: email.
        """
        inv_id = clean_id(self.email_for)
        email = clean_str(_form(form_data).get("trainer_email"), 300)
        actor = require_actor()
        if inv_id is None:
            return
        self._start()
        if not await self._submit(lambda db: orgs.set_trainer_email(db, actor, inv_id, email)):
            return
        self.email_for = ""
        self.notice = t(await self._lang(), "common.saved")
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def send_reset(self, user_id: Any) -> None:
        """E-mail a password-reset link to an accepted trainer.

        Args:
            user_id: The trainer.
        """
        uid = clean_id(user_id)
        actor = require_actor()
        self.error = self.notice = ""
        if uid is not None and await self._submit(lambda db: orgs.send_trainer_reset(db, actor, uid)):
            self.notice = t(await self._lang(), "trainers.reset_sent")


class TemplatesState(FormState, rx.State):
    """The staff's e-mail templates page."""

    allowed: rx.Field[bool] = rx.field(True)
    kind: rx.Field[str] = rx.field("invitation")
    language: rx.Field[str] = rx.field("fr")
    subject: rx.Field[str] = rx.field("")
    body: rx.Field[str] = rx.field("")
    customised: rx.Field[bool] = rx.field(False)
    valid_tags: rx.Field[str] = rx.field("")
    form_key: rx.Field[int] = rx.field(0)

    async def _show(self) -> None:
        actor = require_actor()
        kind, language = self.kind, self.language

        def work(db: Any) -> tuple[templates.Template, bool]:
            org_id = orgs.require_staff(actor)
            default = templates.DEFAULTS[language][kind]
            current = templates.get_template(db, org_id, kind, language)
            return current, current != default

        try:
            current, custom = await run_db(work)
        except PlumeError:
            self.allowed = False
            return
        self.allowed = True
        self.subject, self.body, self.customised = current.subject, current.body, custom
        self.valid_tags = ", ".join("{" + tag + "}" for tag in templates.KIND_TAGS[kind])
        self.form_key += 1

    async def _show_other(self, kind: str, language: str) -> None:
        self.kind, self.language = kind, language
        self._clear()
        await self._show()

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Show the first template."""
        self._clear()
        await self._show()

    @rx.event
    @policy(STAFF)
    async def choose(self, kind: Any) -> None:
        """Show another template.

        Args:
            kind: One of the editable kinds.
        """
        value = clean_str(kind, 40)
        if value in templates.EDITABLE_KINDS:
            await self._show_other(value, self.language)

    @rx.event
    @policy(STAFF)
    async def choose_language(self, language: Any) -> None:
        """Show the template in another language.

        Args:
            language: "fr" or "en".
        """
        value = clean_str(language, 5)
        if value in templates.DEFAULTS:
            await self._show_other(self.kind, value)

    @rx.event
    @policy(STAFF)
    async def save(self, form_data: Any) -> None:
        """Save the organisation's wording.

        Args:
            form_data: subject, body.
        """
        form = _form(form_data)
        actor = require_actor()
        kind, language = self.kind, self.language
        subject, body = clean_str(form.get("subject"), 400), clean_str(form.get("body"), 25_000)
        self._start()
        saved = await self._submit(
            lambda db: templates.save_template(
                db,
                organisation_id=orgs.require_staff(actor),
                user_id=actor.user_id,
                kind=kind,
                language=language,
                subject=subject,
                body=body,
            )
        )
        if not saved:
            return
        self.notice = t(await self._lang(), "templates.saved")
        await self._show()

    @rx.event
    @policy(STAFF)
    async def restore_default(self) -> None:
        """Go back to Plume's wording."""
        actor = require_actor()
        kind, language = self.kind, self.language
        await run_db(
            lambda db: templates.reset_template(
                db, organisation_id=orgs.require_staff(actor), kind=kind, language=language
            )
        )
        self._clear()
        self.notice = t(await self._lang(), "templates.restored")
        await self._show()


class OutboxState(StaffPage, rx.State):
    """The staff's outbox page."""

    status_filter: rx.Field[str] = rx.field("all")
    rows: rx.Field[list[home.OutboxRow]] = rx.field(default_factory=list)
    opened: rx.Field[str] = rx.field("")

    async def _reload(self) -> None:
        actor = require_actor()
        status = "" if self.status_filter == "all" else self.status_filter
        try:
            rows = await run_db(lambda db: home.list_outbox(db, actor, status=status))
        except PlumeError:
            self.allowed, self.rows = False, []
            return
        self.allowed = True
        self.rows = rows

    def _reset(self) -> None:
        self.opened = ""

    @rx.event
    @policy(STAFF)
    async def filter_status(self, status: Any) -> None:
        """Show only one status.

        Args:
            status: "all" or an outbox status.
        """
        value = clean_str(status, 10)
        if value in ("all", "pending", "sent", "failed", "stored"):
            self.status_filter = value
            await self._reload()

    @rx.event
    @policy(STAFF)
    def toggle(self, outbox_id: Any) -> None:
        """Show or hide a message's text.

        Args:
            outbox_id: The message.
        """
        key = str(clean_id(outbox_id) or "")
        self.opened = "" if self.opened == key else key

    @rx.event
    @policy(STAFF)
    async def retry(self, outbox_id: Any) -> None:
        """Send a failed message again.

        Args:
            outbox_id: The message.
        """
        row_id = clean_id(outbox_id)
        actor = require_actor()
        if row_id is None:
            return
        done = await run_db(
            lambda db: outbox_service.retry(db, outbox_id=row_id, organisation_id=orgs.require_staff(actor))
        )
        if done:
            self.notice = t(await self._lang(), "outbox.retried")
        await self._reload()


class SettingsState(StaffPage, rx.State):
    """The organisation's settings page (staff)."""

    values: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    form_key: rx.Field[int] = rx.field(0)
    rooms: rx.Field[list[rooms_service.RoomRow]] = rx.field(default_factory=list)
    room_error: rx.Field[str] = rx.field("")
    room_field: rx.Field[str] = rx.field("")  # the field `room_error` belongs next to ("" for the form)
    room_key: rx.Field[int] = rx.field(0)

    async def _reload(self) -> None:
        actor = require_actor()
        try:
            found = await run_db(lambda db: orgs.organisation_settings(db, actor))
        except PlumeError:
            self.allowed, self.values = False, {}
            return
        self.allowed = True
        self.values = {
            "name": found.name,
            "signing_window": str(found.signing_window_minutes),
            "virtual_class_url": found.virtual_class_url,
            "holiday_region": found.holiday_region,
            "school_zone": found.school_zone,
            "day_starts": found.day_starts,
            "day_ends": found.day_ends,
            "trainers_change_rooms": "1" if found.trainers_change_rooms else "",
            "trainers_plan_slots": "1" if found.trainers_plan_slots else "",
            "learners_propose_appointments": "1" if found.learners_propose_appointments else "",
        }
        self.rooms = await run_db(lambda db: rooms_service.list_rooms(db, actor))
        self.form_key += 1

    @rx.event
    @policy(STAFF)
    async def save(self, form_data: Any) -> None:
        """Save the signing window, the virtual class link and the planning rules.

        Args:
            form_data: signing_window, virtual_class_url, holiday_region, school_zone, day_starts, day_ends,
                and the boxes trainers_change_rooms, trainers_plan_slots, learners_propose_appointments.
        """
        form, actor = _form(form_data), require_actor()
        window, url = clean_str(form.get("signing_window"), 10), clean_str(form.get("virtual_class_url"), 600)
        rules = {k: clean_str(form.get(k), 10) for k in ("holiday_region", "school_zone", "day_starts", "day_ends")}
        # A ticked box arrives as true (Reflex's form data), or "on" from a plain form post.
        moves, plans, proposes = (
            form.get(k) is True or clean_str(form.get(k), 5) == "on"
            for k in ("trainers_change_rooms", "trainers_plan_slots", "learners_propose_appointments")
        )
        self._start()
        if not await self._submit(
            lambda db: orgs.save_settings(
                db,
                actor,
                signing_window=window,
                virtual_class_url=url,
                trainers_change_rooms=moves,
                trainers_plan_slots=plans,
                learners_propose_appointments=proposes,
                **rules,
            )
        ):
            return
        self.notice = t(await self._lang(), "common.saved")
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def add_room(self, form_data: Any) -> None:
        """Add a room to the organisation's list.

        Args:
            form_data: room_name, capacity.
        """
        form, actor = _form(form_data), require_actor()
        name, capacity = clean_str(form.get("room_name"), 200), clean_str(form.get("capacity"), 10)
        self.room_error, self.room_field = "", ""
        try:
            await run_db(lambda db: rooms_service.add_room(db, actor, name=name, capacity=capacity))
        except PlumeError as err:
            self.room_error, self.room_field = error_message(await self._lang(), err), err.field
            return
        self.room_key += 1
        self.rooms = await run_db(lambda db: rooms_service.list_rooms(db, actor))

    @rx.event
    @policy(STAFF)
    async def remove_room(self, room_id: Any) -> None:
        """Remove a room from the list (its slots keep its name as a place).

        Args:
            room_id: One of the organisation's rooms.
        """
        actor, key = require_actor(), clean_id(room_id)
        if key is None:
            return
        self.room_error, self.room_field = "", ""
        try:
            await run_db(lambda db: rooms_service.remove_room(db, actor, key))
        except PlumeError as err:
            self.room_error = error_message(await self._lang(), err)
        self.rooms = await run_db(lambda db: rooms_service.list_rooms(db, actor))
