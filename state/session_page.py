"""A training session's page: header, trainers, the timeline of modules and activities, live."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass, replace
from typing import Any, ClassVar

import reflex as rx

from app.i18n import t, tn
from app.live.contract import (
    FOLLOWER_EVENTS,
    PERSON_EVENTS,
    SESSION_EVENTS,
    LiveEvent,
    MyProgress,
    MySignature,
    followers_topic,
    person_topic,
    session_topic,
    slot_person_topic,
)
from app.routes import attendance_path
from app.services import activities, archives, documents, rooms
from app.services.actor import Actor
from app.services.attendance import join
from app.services.errors import ErrorCode, PlumeError
from app.services.scorm import library as scorm_library
from app.services.sessions import modules as session_modules
from app.services.sessions import people as session_people
from app.services.sessions import status as session_status
from app.services.sessions import view as session_view
from state import live
from state.appointments import AppointmentState
from state.chat import ChatState
from state.common import clean_id, clean_str, error_message, route_id, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor, roles
from state.session import SessionState
from state.timeline_editor import TimelineEditor, _form


def _size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} Mo".replace(".", ",")
    return f"{max(1, size // 1024)} Ko"


@dataclass(frozen=True)
class DocumentItem:
    """One file of a module on the session's page (the service's `DocumentRow`, ready to show)."""

    id: int
    name: str
    url: str
    uploader_name: str
    size_label: str
    created_at: str
    can_manage: bool


# Who may change an activity's content: staff and trainers (`activities` checks the trainer is on the session).
CONTENT = roles("staff", "trainer")
# Who may ask to move a session along: staff, and trainers to archive it (`session_status` checks which).
ARCHIVERS = roles("staff", "trainer")


def _refusals(lang: str, key: str, refused: list[documents.Refused]) -> str:
    """The refusals of a batch: a count line, then each refused file's reason (naming it); "" for none."""
    if not refused:
        return ""
    return "\n".join([tn(lang, key, len(refused)), *(error_message(lang, r.error) for r in refused)])


def _document(row: documents.DocumentRow) -> DocumentItem:
    return DocumentItem(
        id=row.id,
        name=row.name,
        url=f"/api/documents/{row.id}",
        uploader_name=row.uploader_name,
        size_label=_size(row.size),
        created_at=row.created_at,
        can_manage=row.can_manage,
    )


class SessionPageState(TimelineEditor, live.LiveState, rx.State):
    """What the session page shows; refreshed live when the timeline changes."""

    # MySignature: the person signed a virtual class's sheet elsewhere; its open panel offers "Commencer".
    # Progress: every learner's (the activity panel's counts) for those who see it, on the session's followers
    # topic; a learner hears only their own (`MyProgress`, on their own topic), never a classmate's.
    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (
        *SESSION_EVENTS,
        *FOLLOWER_EVENTS,
        *PERSON_EVENTS,
        MySignature,
    )

    found: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    # The header: the service's view less its modules (sent once, in `modules`); None when not found.
    view: rx.Field[session_view.SessionView | None] = rx.field(None)
    modules: rx.Field[list[session_view.ModuleView]] = rx.field(default_factory=list)
    can_edit: rx.Field[bool] = rx.field(False)
    can_manage_content: rx.Field[bool] = rx.field(False)
    is_session: rx.Field[bool] = rx.field(True)
    documents: rx.Field[dict[str, list[DocumentItem]]] = rx.field(default_factory=dict)  # by module id (text)
    upload_module: rx.Field[str] = rx.field("")
    upload_error: rx.Field[str] = rx.field("")
    upload_notice: rx.Field[str] = rx.field("")
    uploading: rx.Field[bool] = rx.field(False)
    dragging: rx.Field[str] = rx.field("")
    activity: dict[str, Any] = {}
    activity_error: rx.Field[str] = rx.field("")
    activity_notice: rx.Field[str] = rx.field("")
    activity_uploading: rx.Field[bool] = rx.field(False)
    files_error: rx.Field[str] = rx.field("")  # a document activity's upload: refused files, next to its button
    files_notice: rx.Field[str] = rx.field("")
    _activity_id: int = 0
    trainers: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    learners: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    trainer_choices: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    learner_choices: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    tutors: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    tutor_choices: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    left: rx.Field[list[session_people.Person]] = rx.field(default_factory=list)
    learner_count: rx.Field[int] = rx.field(0)
    learner_query: rx.Field[str] = rx.field("")
    # The learner staff are taking off the session: the reason is asked first (kept in the history).
    unenrolling: rx.Field[int] = rx.field(0)
    unenrolling_name: rx.Field[str] = rx.field("")
    # The status change staff are asked to confirm (what it will do); None when no dialog is open.
    status_change: rx.Field[session_status.StatusChange | None] = rx.field(None)
    # Archiving asks for one of the organisation's categories (`archives.session_categories`, read when the
    # dialog opens); its error is said next to the select.
    archive_categories: rx.Field[list[archives.Category]] = rx.field(default_factory=list)
    archive_category: rx.Field[str] = rx.field("")
    archive_error: rx.Field[str] = rx.field("")
    _session_id: int = 0
    _followed_slots: list[int] = []  # virtual class slots whose signatures by this person reach the panel

    def _owner(self) -> dict[str, int]:
        return {"session_id": self._session_id}

    async def _reload(self) -> None:
        await self._show(require_actor())

    def _route_session_id(self) -> int | None:
        return route_id(self, "session_id")

    async def _show(self, actor: Actor | None) -> None:
        session_id = self._session_id
        if actor is None or not session_id:
            self.found, self.view, self.modules, self.can_edit = False, None, [], False
            return
        try:
            view = await run_db(lambda db: session_view.session_view(db, actor, session_id))
        except PlumeError:
            self.found, self.view, self.modules, self.can_edit = False, None, [], False
            return
        self.found = True
        self.modules = view.modules
        self.can_edit = view.can_edit
        self.can_manage_content = view.can_manage_content
        open_ids = [m.id for m in view.modules if not m.locked]
        # One call for every open module's files: the gate and a learner's lock walk run once, not per module.
        listed = await run_db(lambda db: documents.list_for_session(db, actor, session_id, open_ids))
        self.documents = {str(module_id): [_document(r) for r in listed.get(module_id, [])] for module_id in open_ids}
        if view.can_manage_content and self.upload_module not in {str(i) for i in open_ids}:
            self.upload_module = str(open_ids[0]) if open_ids else ""
        self.view = replace(view, modules=[])
        if view.can_edit:
            with contextlib.suppress(PlumeError):  # staff of the session's organisation: its rooms for "Salle"
                self.room_names = [r.name for r in await run_db(lambda db: rooms.list_rooms(db, actor))]
            query = self.learner_query
            people = await run_db(lambda db: session_people.session_people(db, actor, session_id, query=query))
            self.learner_count = people.learner_count
            self.trainers, self.learners = people.trainers, people.learners
            self.trainer_choices, self.learner_choices = people.trainer_choices, people.learner_choices
            self.tutors, self.tutor_choices, self.left = people.tutors, people.tutor_choices, people.left
        else:
            self.trainers, self.learners, self.trainer_choices, self.learner_choices = [], [], [], []
            self.tutors, self.tutor_choices, self.left = [], [], []

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> Any:
        """Load the session named in the URL and follow its changes live.

        `?activite=<id>` (the tutor's "Ouvrir le contenu") then opens that activity's panel.

        Returns:
            The event opening the activity asked for, if any.
        """
        actor = require_actor()
        self.loading = True
        self._session_id = self._route_session_id() or 0
        self._followed_slots = []  # the follow below replaces the tab's topics
        await self._show(actor)
        sees_everything = self.view is not None and self.view.sees_everything
        progress = followers_topic(self._session_id) if sees_everything else person_topic(actor.user_id)
        self._live_follow_found(self.found, (session_topic(self._session_id), progress))
        self.loading = False
        wanted = clean_id(self.router.url.query_parameters.get("activite", ""))
        if self.found and wanted:  # through the handler: the same gate and "opened" as a click on the activity
            return SessionPageState.open_activity(wanted)  # type: ignore[operator]  # mypy reads a handler as EventNamespace
        return None

    @rx.event
    @policy(STAFF)
    async def move_module(self, module_id: Any, direction: Any) -> None:
        """Move a module up or down within its phase.

        Args:
            module_id: The module.
            direction: -1 (up) or 1 (down).
        """
        actor = require_actor()
        mid = clean_id(module_id)
        step = direction if direction in (-1, 1) and not isinstance(direction, bool) else None
        if mid is None or step is None:
            return
        try:
            await run_db(lambda db: session_modules.move_module(db, actor, mid, step))
        except PlumeError:
            return
        await self._show(actor)

    @rx.event
    @policy(STAFF)
    def drag_module(self, module_id: Any) -> None:
        """Pick a module up (mouse pressed on its handle).

        Args:
            module_id: The module.
        """
        mid = clean_id(module_id)
        self.dragging = str(mid) if mid is not None else ""

    @rx.event
    @policy(STAFF)
    async def drop_module(self, target_id: Any) -> None:
        """Drop the module picked up onto another one's place.

        Args:
            target_id: The module it is dropped on.
        """
        actor, mid, tid = require_actor(), clean_id(self.dragging), clean_id(target_id)
        self.dragging = ""
        if mid is None or tid is None or mid == tid:
            return
        try:
            await run_db(lambda db: session_modules.place_module(db, actor, mid, tid))
        except PlumeError:
            return
        await self._show(actor)

    @rx.event
    @policy(SIGNED_IN)
    def cancel_drag(self) -> None:
        """Forget a module picked up (mouse released elsewhere)."""
        self.dragging = ""

    @rx.event
    @policy(ARCHIVERS)
    async def advance(self, status: Any) -> None:
        """Confirm, finish or archive the session (the service lets staff do each, its trainers archive).

        Args:
            status: The next status.
        """
        actor, to, sid, category = require_actor(), clean_str(status, 10), self._session_id, self.archive_category
        if to == "archived" and category not in {c.key for c in self.archive_categories}:
            lang = (await self.get_state(SessionState)).lang
            self.archive_error = error_message(lang, PlumeError(ErrorCode.ARCHIVE_CATEGORY))
            return  # the dialog stays open, the error next to the select
        self.status_change, self.archive_error, self.archive_category = None, "", ""
        await self._apply(lambda db: session_status.advance_status(db, actor, sid, to, category))

    @rx.event
    @policy(SIGNED_IN)
    def set_archive_category(self, category: Any) -> None:
        """Choose the archive category in the archive dialog.

        Args:
            category: The key of one of the categories offered ("" while none is chosen).
        """
        chosen = clean_str(category, 20)
        self.archive_category = chosen if chosen in {c.key for c in self.archive_categories} else ""
        self.archive_error = ""

    @rx.event
    @policy(STAFF)
    async def unarchive(self) -> None:
        """Take the archived session out of the archive (staff only, audited)."""
        actor, sid = require_actor(), self._session_id
        await self._apply(lambda db: session_status.unarchive(db, actor, sid))

    @rx.event
    @policy(ARCHIVERS)
    async def ask_advance(self, status: Any) -> None:
        """Open the dialog saying what confirming, finishing or archiving will do (nothing changes yet).

        Args:
            status: The next status.
        """
        actor, to, sid = require_actor(), clean_str(status, 10), self._session_id
        lang = (await self.get_state(SessionState)).lang
        self.edit_error, self.archive_category, self.archive_error = "", "", ""
        try:
            self.status_change = await run_db(lambda db: session_status.status_change(db, actor, sid, to))
            self.archive_categories = (
                await run_db(lambda db: archives.session_categories(db, actor, sid)) if to == "archived" else []
            )
        except PlumeError as err:
            self.status_change, self.edit_error = None, error_message(lang, err)

    @rx.event
    @policy(SIGNED_IN)
    def cancel_advance(self) -> None:
        """Close the status dialog without changing anything."""
        self.status_change, self.archive_error = None, ""

    @rx.event
    @policy(STAFF)
    async def search_learners(self, form_data: Any) -> None:
        """Narrow the learners one may enrol to a name or e-mail.

        Args:
            form_data: learner_query.
        """
        self.learner_query = clean_str(_form(form_data).get("learner_query"), 100).strip()
        await self._show(require_actor())

    @rx.event
    @policy(STAFF)
    async def position_trainer(self, form_data: Any) -> None:
        """Position a trainer on the session.

        Args:
            form_data: trainer_id.
        """
        actor, sid = require_actor(), self._session_id
        uid = clean_id(_form(form_data).get("trainer_id"))
        if uid is not None:
            await self._apply(lambda db: session_people.position_trainer(db, actor, sid, uid), form="people")

    @rx.event
    @policy(STAFF)
    async def remove_trainer(self, user_id: Any) -> None:
        """Take a trainer off the session.

        Args:
            user_id: The trainer.
        """
        actor, sid, uid = require_actor(), self._session_id, clean_id(user_id)
        if uid is not None:
            await self._apply(lambda db: session_people.remove_trainer(db, actor, sid, uid))

    @rx.event
    @policy(STAFF)
    async def position_tutor(self, form_data: Any) -> None:
        """Give a tutor the session to follow.

        Args:
            form_data: tutor_id.
        """
        actor, sid = require_actor(), self._session_id
        uid = clean_id(_form(form_data).get("tutor_id"))
        if uid is not None:
            await self._apply(lambda db: session_people.position_tutor(db, actor, sid, uid), form="people")

    @rx.event
    @policy(STAFF)
    async def remove_tutor(self, user_id: Any) -> None:
        """Take a tutor off the session.

        Args:
            user_id: The tutor.
        """
        actor, sid, uid = require_actor(), self._session_id, clean_id(user_id)
        if uid is not None:
            await self._apply(lambda db: session_people.remove_tutor(db, actor, sid, uid))

    @rx.event
    @policy(STAFF)
    async def enrol(self, form_data: Any) -> None:
        """Enrol a learner with an enrolment type.

        Args:
            form_data: learner_id, kind.
        """
        form, actor, sid = _form(form_data), require_actor(), self._session_id
        uid, kind = clean_id(form.get("learner_id")), clean_str(form.get("kind"), 12) or "mandatory"
        if uid is not None:
            await self._apply(lambda db: session_people.enrol_learner(db, actor, sid, uid, kind), form="people")

    @rx.event
    @policy(STAFF)
    async def enrol_selected(self, form_data: Any) -> None:
        """Enrol the learners ticked in the people list, with one enrolment type.

        Args:
            form_data: kind, and `pick_<user id>` for each ticked learner.
        """
        form, actor, sid = _form(form_data), require_actor(), self._session_id
        kind = clean_str(form.get("kind"), 12) or "mandatory"
        picked = [
            uid
            for key, value in list(form.items())[: session_people.MAX_SELECTED + 1]
            if isinstance(key, str) and key.startswith("pick_") and value not in (None, "", False, "off")
            for uid in [clean_id(key[len("pick_") :])]
            if uid is not None
        ]
        if picked:
            await self._apply(
                lambda db: session_people.enrol_learners(db, actor, sid, picked, kind), form="people-many"
            )

    @rx.event
    @policy(STAFF)
    def ask_unenrol(self, user_id: Any) -> None:
        """Ask why a learner leaves the session before taking them off.

        Args:
            user_id: The learner.
        """
        uid = clean_id(user_id)
        person = next((p for p in self.learners if p.user_id == uid), None)
        self.unenrolling, self.unenrolling_name = (uid or 0, person.name) if person else (0, "")
        self.edit_field_errors, self.error_form = {}, ""

    @rx.event
    @policy(STAFF)
    def cancel_unenrol(self) -> None:
        """Keep the learner (close the reason form)."""
        self.unenrolling, self.unenrolling_name = 0, ""

    @rx.event
    @policy(STAFF)
    async def unenrol(self, form_data: Any) -> None:
        """Remove the learner being asked about from the session, with the reason given.

        Args:
            form_data: reason.
        """
        actor, sid, uid = require_actor(), self._session_id, self.unenrolling
        reason = clean_str(_form(form_data).get("reason"), 300)
        if uid and await self._apply(
            lambda db: session_people.unenrol_learner(db, actor, sid, uid, reason), form="unenrol"
        ):
            self.unenrolling, self.unenrolling_name = 0, ""

    @rx.event
    @policy(SIGNED_IN)
    def choose_upload_module(self, module_id: Any) -> None:
        """Choose the module new documents go to.

        Args:
            module_id: One of the page's modules.
        """
        mid = clean_id(module_id)
        if mid is not None and any(m.id == mid for m in self.modules):
            self.upload_module = str(mid)

    @rx.event
    @policy(SIGNED_IN)
    async def upload_documents(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        """Store several files at once in the chosen module (all or none).

        Args:
            files: The uploaded files.
        """
        actor, mid = require_actor(), clean_id(self.upload_module)
        lang = (await self.get_state(SessionState)).lang
        self.upload_error, self.upload_notice = "", ""
        if mid is None or not isinstance(files, list) or not files:
            return
        self.uploading = True
        yield
        batch: list[tuple[str, bytes]] = []
        for upload in files:
            batch.append((str(getattr(upload, "name", "") or ""), await upload.read()))
        try:
            result = await run_db(lambda db: documents.store_batch(db, actor, module_id=mid, files=batch))
        except PlumeError as err:
            self.upload_error = error_message(lang, err)
            self.uploading = False
            return
        self.uploading = False
        # The good files are kept; each refused one is named with its reason.
        self.upload_notice = tn(lang, "documents.uploaded", len(result.stored)) if result.stored else ""
        self.upload_error = _refusals(lang, "documents.refused", result.refused)
        await self._show(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def rename_document(self, form_data: Any) -> None:
        """Rename a document (its uploader or staff).

        Args:
            form_data: document_id, document_name.
        """
        form, actor = _form(form_data), require_actor()
        did, name = clean_id(form.get("document_id")), clean_str(form.get("document_name"), 300)
        if did is not None:
            await self._apply(lambda db: documents.rename(db, actor, did, name), form=f"rename-doc-{did}")

    @rx.event
    @policy(SIGNED_IN)
    async def delete_document(self, document_id: Any) -> None:
        """Delete a document (its uploader or staff).

        Args:
            document_id: The document.
        """
        did, actor = clean_id(document_id), require_actor()
        if did is not None:
            await self._apply(lambda db: documents.delete(db, actor, did))

    async def _show_activity(self, actor: Actor | None) -> None:
        activity_id = self._activity_id
        appointment = await self.get_state(AppointmentState)
        if actor is None or not activity_id:
            self.activity = {}
            await appointment._show(actor, 0)
            return
        try:
            detail = await run_db(lambda db: activities.activity_detail(db, actor, activity_id))
        except PlumeError:
            self.activity, self._activity_id = {}, 0
            await appointment._show(actor, 0)
            return
        await appointment._show(actor, activity_id if detail.kind == "appointment" else 0)
        package = None
        if detail.kind == "elearning":
            with contextlib.suppress(PlumeError):
                package = await run_db(lambda db: scorm_library.panel(db, actor, activity_id))
        data = asdict(detail)
        settings = data.pop("settings")
        options = [str(o) for o in settings.get("options", [])]
        total = max(1, data["votes"])
        data["id"] = str(data["id"])
        data["options"] = [
            {
                "index": str(i),
                "label": label,
                "count": str(data["results"][i]) if i < len(data["results"]) else "",
                "percent": round(100 * data["results"][i] / total) if i < len(data["results"]) else 0,
                "mine": i in data["my_choices"],
            }
            for i, label in enumerate(options)
        ]
        data["question"] = str(settings.get("question", ""))
        data["multiple"] = bool(settings.get("multiple", False))
        data["url"] = str(settings.get("url", ""))
        data["link_date"] = str(settings.get("date", ""))
        data["description"] = str(settings.get("description", ""))
        data["attendance_path"] = attendance_path(data.pop("slot_id")) if detail.slot_id else ""
        data["package"] = asdict(package) if package is not None else {}
        data["player_path"] = f"/sessions/{self._session_id}/elearning/{activity_id}" if package is not None else ""
        data["has_results"] = bool(data["results"])
        data["options_text"] = "\n".join(options)
        data["files"] = [
            {
                "id": str(f.id),
                "name": f.name,
                "url": f.url,
                "view_url": f.url + "?voir=1",
                "viewable": f.content_type == "application/pdf" or f.content_type.startswith("image/"),
                "size_label": _size(f.size),
                "byline": " · ".join(x for x in (f.uploader_name, _size(f.size), f.created_at) if x),
                "can_manage": f.can_manage,
            }
            for f in detail.files
        ]
        if detail.kind == "virtual_class":  # the one rule of the sheet and home: may they join now
            joining = await run_db(lambda db: join.activity_join(db, actor, activity_id))
            data["join_link"], data["join_signed"], data["join_over"] = joining.link, joining.signed, joining.over
            if joining.slot_id and joining.slot_id not in self._followed_slots:
                # Signing in another tab (the sheet) reaches this panel: follow the person's own topic on that slot.
                self._live_follow(slot_person_topic(joining.slot_id, actor.user_id), alongside=True)
                self._followed_slots = [*self._followed_slots, joining.slot_id]
        self.activity = data

    @rx.event
    @policy(SIGNED_IN)
    async def open_activity(self, activity_id: Any) -> None:
        """Open an activity's panel.

        Args:
            activity_id: The activity.
        """
        self._activity_id = clean_id(activity_id) or 0
        self.activity_error, self.activity_notice, self.files_error, self.files_notice = "", "", "", ""
        actor, aid = require_actor(), self._activity_id
        if aid:
            with contextlib.suppress(PlumeError):  # not theirs: _show_activity shows nothing
                await run_db(lambda db: activities.opened(db, actor, aid))
        await self._show_activity(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def track_time(self, form_data: Any) -> None:
        """Count the active time the learner's browser measured on an activity (see assets/activity-timer.js).

        Args:
            form_data: activity_id, seconds.
        """
        form, actor = _form(form_data), require_actor()
        aid, seconds = clean_id(form.get("activity_id")), clean_id(form.get("seconds"))
        if aid is None or seconds is None:
            return
        with contextlib.suppress(PlumeError):  # a closed session or a removed activity: nothing to count
            await run_db(lambda db: activities.track_time(db, actor, aid, seconds))

    @rx.event
    @policy(SIGNED_IN)
    async def close_activity(self) -> None:
        """Close the activity panel."""
        self._activity_id, self.activity, self.activity_error, self.activity_notice = 0, {}, "", ""
        self.files_error, self.files_notice = "", ""
        await (await self.get_state(AppointmentState))._show(None, 0)

    async def _activity_call(self, work: Any) -> None:
        lang = (await self.get_state(SessionState)).lang
        self.activity_error, self.activity_notice, self.files_error, self.files_notice = "", "", "", ""
        try:
            await run_db(work)
        except PlumeError as err:
            self.activity_error = error_message(lang, err)
            return
        actor = require_actor()
        await self._show_activity(actor)
        await self._show(actor)

    @rx.event
    @policy(CONTENT)
    async def upload_video(self, files: list[rx.UploadFile]) -> None:
        """Upload the open video activity's file (MP4 or WebM): staff and the session's trainers.

        Args:
            files: One uploaded file.
        """
        actor, aid = require_actor(), self._activity_id
        if not isinstance(files, list) or len(files) != 1:
            return
        upload = files[0]
        name, data = str(getattr(upload, "name", "") or ""), await upload.read()
        await self._activity_call(lambda db: activities.attach_video(db, actor, aid, name, data))
        if not self.activity_error:
            self.activity_notice = t((await self.get_state(SessionState)).lang, "activity.video_sent")

    @rx.event
    @policy(STAFF)
    async def set_new_attempts(self, allowed: Any) -> None:
        """Let learners who finished the open e-learning module start it again (staff).

        Args:
            allowed: The checkbox's state.
        """
        actor, aid = require_actor(), self._activity_id
        if isinstance(allowed, bool):
            await self._activity_call(lambda db: scorm_library.allow_new_attempts(db, actor, aid, allowed))

    @rx.event
    @policy(STAFF)
    async def upload_package(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        """Upload the SCORM package the open e-learning activity plays (staff): checked, then unpacked.

        Args:
            files: One zip.
        """
        actor, aid = require_actor(), self._activity_id
        lang = (await self.get_state(SessionState)).lang
        if not isinstance(files, list) or len(files) != 1:
            return
        self.activity_uploading = True
        yield
        data = await files[0].read()
        await self._activity_call(lambda db: scorm_library.attach_bytes(db, actor, aid, data))
        self.activity_uploading = False
        if not self.activity_error:
            self.activity_notice = t(lang, "scorm.package_saved")

    @rx.event
    @policy(CONTENT)
    async def upload_activity_files(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        """Attach files to the open document activity: the good ones are kept, each refused one named.

        Args:
            files: The uploaded files.
        """
        actor, aid = require_actor(), self._activity_id
        lang = (await self.get_state(SessionState)).lang
        self.activity_error, self.activity_notice, self.files_error, self.files_notice = "", "", "", ""
        if not aid or not isinstance(files, list) or not files:
            return
        self.activity_uploading = True
        yield
        batch: list[tuple[str, bytes]] = []
        for upload in files:
            batch.append((str(getattr(upload, "name", "") or ""), await upload.read()))
        try:
            result = await run_db(lambda db: activities.add_files(db, actor, aid, batch))
        except PlumeError as err:
            self.files_error, self.activity_uploading = error_message(lang, err), False
            return
        self.activity_uploading = False
        self.files_notice = tn(lang, "activity.files_added", len(result.stored)) if result.stored else ""
        self.files_error = _refusals(lang, "activity.files_refused", result.refused)
        await self._show_activity(actor)

    @rx.event
    @policy(CONTENT)
    async def remove_activity_file(self, document_id: Any) -> None:
        """Take a file off the open document activity (staff, or the trainer who attached it).

        Args:
            document_id: The file.
        """
        actor, aid, did = require_actor(), self._activity_id, clean_id(document_id)
        if did is not None:
            await self._activity_call(lambda db: activities.remove_file(db, actor, aid, did))

    @rx.event
    @policy(SIGNED_IN)
    async def mark_done(self) -> None:
        """Mark the open activity done (learners)."""
        actor, aid = require_actor(), self._activity_id
        await self._activity_call(lambda db: activities.mark_done(db, actor, aid))

    @rx.event
    @policy(SIGNED_IN)
    async def vote(self, form_data: Any) -> None:
        """Answer the open poll.

        Args:
            form_data: choice (single) or choice_<n> checkboxes (multiple).
        """
        form, actor, aid = _form(form_data), require_actor(), self._activity_id
        picked: list[int] = []
        for key, value in form.items():
            if key == "choice" and isinstance(value, str) and value.isdigit():
                picked.append(int(value))
            elif isinstance(key, str) and key.startswith("choice_") and key[7:].isdigit() and value:
                picked.append(int(key[7:]))
        await self._activity_call(lambda db: activities.vote(db, actor, aid, picked[:50]))

    @rx.event
    @policy(CONTENT)
    async def configure_activity(self, form_data: Any) -> None:
        """Save the open activity's settings (staff and the session's trainers; the service checks the session).

        Args:
            form_data: url, date, description, question, options, multiple.
        """
        form, actor, aid = _form(form_data), require_actor(), self._activity_id
        values = {
            k: clean_str(form.get(k), 5_000) for k in ("url", "date", "description", "question", "options", "multiple")
        }
        await self._activity_call(lambda db: activities.configure(db, actor, aid, values))
        if not self.activity_error:
            self.activity_notice = t((await self.get_state(SessionState)).lang, "common.saved")

    async def _live_wants(self, event: LiveEvent) -> bool:
        """One's own progress only in this session (the person's topic carries it for every session).

        Args:
            event: What changed.

        Returns:
            Whether the page may have changed.
        """
        return not isinstance(event, MyProgress) or event.session_id == self._session_id

    async def _live_load(self, actor: Actor | None) -> None:
        """Refresh after someone else changed the session, as this tab's own actor.

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)
        if not self.found:  # taken off the session (or signed out): stop its live updates, chat included
            self._live_stop()
            chat_state = await self.get_state(ChatState)
            chat_state.chat_found, chat_state.messages, chat_state.fresh = False, [], []
            return
        if self._activity_id:
            await self._show_activity(actor)
