"""Competencies: the organisation's framework, a course's links, a learner's record (acquired, modules validated).

- `CompetenciesState`: `/competences`, the framework (staff edit, trainers read).
- `CourseCompetenciesState`: the course page's `Compétences du référentiel` (the catalogue's staff tick them).
- `LearnerRecordState`: the follow-up table's dialog; the session's trainers and staff record acquired
  competencies and validate modules per learner, tutors read.
- `MyRecordState`: `Mes compétences` on a learner's session page.
"""

from __future__ import annotations

import contextlib
from typing import Any

import reflex as rx

from app.i18n import t
from app.services.errors import PlumeError
from app.services.evaluations import grids, validations
from app.services.evaluations.grids import CompetencyRow
from app.services.evaluations.validations import LearnerRecord, RecordLine
from state.auth import FormState
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor, roles
from state.session import SessionState

FRAMEWORK_READERS = roles("staff", "trainer")
NEW = "new"


class CompetenciesState(FormState, rx.State):
    """`Référentiel de compétences`: the framework's list, and its form (add or edit one)."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    can_edit: rx.Field[bool] = rx.field(False)
    rows: rx.Field[list[CompetencyRow]] = rx.field(default_factory=list)
    editing: rx.Field[str] = rx.field("")  # "" closed, NEW, or the id of the competency edited
    draft: rx.Field[dict[str, str]] = rx.field(default_factory=dict)  # the fields the form opens with

    async def _reload(self) -> None:
        actor = require_actor()
        try:
            self.rows = await run_db(lambda db: grids.list_competencies(db, actor))
        except PlumeError:
            self.allowed, self.rows = False, []
            return
        self.allowed, self.can_edit = True, actor.has_role("staff")

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the framework (anyone but staff or a trainer gets the not-found panel)."""
        self._clear()
        self.editing, self.draft = "", {}
        await self._reload()
        self.loading = False

    def _open(self, editing: str, draft: dict[str, str]) -> None:
        self._clear()
        self.editing, self.draft = editing, draft

    @rx.event
    @policy(STAFF)
    def open_new(self) -> None:
        """Open the form for a new competency."""
        self._open(NEW, {"code": "", "label": "", "category": ""})

    @rx.event
    @policy(STAFF)
    def open_edit(self, competency_id: Any) -> None:
        """Open the form on one competency of the list.

        Args:
            competency_id: The competency.
        """
        cid = clean_id(competency_id)
        row = next((r for r in self.rows if r.id == cid), None)
        if row is not None:
            self._open(str(row.id), {"code": row.code, "label": row.label, "category": row.category})

    @rx.event
    @policy(SIGNED_IN)
    def close(self) -> None:
        """Close the form."""
        self.editing = ""
        self._clear()

    @rx.event
    @policy(STAFF)
    async def save(self, form_data: Any) -> None:
        """Add the competency, or change the one being edited.

        Args:
            form_data: code, label, category.
        """
        form, actor, editing = form_fields(form_data), require_actor(), self.editing
        # Longer than allowed on purpose: the service refuses with a message rather than cutting silently.
        code, label, category = (clean_str(form.get(k), 1_000) for k in ("code", "label", "category"))
        cid = clean_id(editing)
        if editing != NEW and cid is None:
            return
        self._start()
        if cid is None:
            done = await self._submit(lambda db: grids.create_competency(db, actor, code, label, category))
        else:
            done = await self._submit(
                lambda db: grids.update_competency(db, actor, cid, code, label, category=category)
            )
        if done:
            self.editing = ""
            await self._reload()
            self.notice = t(await self._lang(), "competencies.saved")

    @rx.event
    @policy(STAFF)
    async def remove(self, competency_id: Any) -> None:
        """Remove a competency no course links and no learner's record names.

        Args:
            competency_id: The competency.
        """
        cid, actor = clean_id(competency_id), require_actor()
        if cid is None:
            return
        self._start()
        if await self._submit(lambda db: grids.remove_competency(db, actor, cid)):
            await self._reload()
            self.notice = t(await self._lang(), "competencies.removed")


class CourseCompetenciesState(rx.State):
    """A course's `Compétences du référentiel`: the framework, the ones linked, ticked by the catalogue's staff."""

    shown: rx.Field[bool] = rx.field(False)
    framework: rx.Field[list[CompetencyRow]] = rx.field(default_factory=list)
    linked: rx.Field[list[str]] = rx.field(default_factory=list)  # ids, in the course's order
    error: rx.Field[str] = rx.field("")
    _course_id: int = 0

    async def _reload(self) -> None:
        actor, course_id = require_actor(), self._course_id
        try:
            framework, linked = await run_db(
                lambda db: (grids.list_competencies(db, actor), grids.course_links(db, actor, course_id))
            )
        except PlumeError:
            self.shown, self.framework, self.linked = False, [], []
            return
        self.shown, self.framework, self.linked = True, framework, [str(c.id) for c in linked]

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Read the course in the URL's links (shown to the catalogue's staff only)."""
        self._course_id, self.error = route_id(self, "course_id") or 0, ""
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def toggle(self, competency_id: Any) -> None:
        """Link a competency to the course (at the end), or unlink it.

        Args:
            competency_id: A competency of the framework.
        """
        cid, actor, course_id = clean_id(competency_id), require_actor(), self._course_id
        if cid is None:
            return
        ids = [int(i) for i in self.linked]
        ids = [i for i in ids if i != cid] if cid in ids else [*ids, cid]
        try:
            await run_db(lambda db: grids.link_course(db, actor, course_id, ids))
        except PlumeError as err:
            self.error = error_message((await self.get_state(SessionState)).lang, err)
            return
        self.error = ""
        await self._reload()


class LearnerRecordState(rx.State):
    """The follow-up table's `Compétences et modules` dialog for one learner of the session in the URL."""

    can_record: rx.Field[bool] = rx.field(False)
    open: rx.Field[bool] = rx.field(False)
    record: rx.Field[LearnerRecord | None] = rx.field(None)
    _session_id: int = 0
    _user_id: int = 0

    async def _read(self) -> None:
        actor, sid, uid = require_actor(), self._session_id, self._user_id
        try:
            self.record = await run_db(lambda db: validations.learner_record(db, actor, sid, uid))
        except PlumeError:
            self.record, self.open = None, False

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Whether the person records competencies and validates modules on the session in the URL."""
        actor = require_actor()
        self._session_id, self.open, self.record = route_id(self, "session_id", from_end=2) or 0, False, None
        sid = self._session_id
        self.can_record = bool(sid) and await run_db(lambda db: validations.may_record(db, actor, sid))

    @rx.event
    @policy(SIGNED_IN)
    async def show(self, user_id: Any) -> None:
        """Open one learner's record (read-only for a tutor).

        Args:
            user_id: A learner of the session.
        """
        uid = clean_id(user_id)
        if uid is None:
            return
        self._user_id, self.open = uid, True
        await self._read()

    @rx.event
    @policy(SIGNED_IN)
    def close(self) -> None:
        """Close the dialog."""
        self.open, self.record = False, None

    @rx.event
    @policy(SIGNED_IN)
    async def set_acquired(self, competency_id: Any, acquired: Any) -> None:
        """Record that the learner acquired a competency of the course, or withdraw it.

        Args:
            competency_id: A competency the course links.
            acquired: The checkbox's state.
        """
        cid, actor, sid, uid = clean_id(competency_id), require_actor(), self._session_id, self._user_id
        if cid is None or not isinstance(acquired, bool) or not uid:
            return
        with contextlib.suppress(PlumeError):  # refused: the record read again shows what holds
            await run_db(lambda db: grids.record_acquired(db, actor, sid, uid, cid, acquired=acquired))
        await self._read()

    @rx.event
    @policy(SIGNED_IN)
    async def set_validated(self, module_id: Any, validated: Any) -> None:
        """Validate a module of the session for the learner, or withdraw its validation.

        Args:
            module_id: A module of the session.
            validated: The checkbox's state.
        """
        mid, actor, uid = clean_id(module_id), require_actor(), self._user_id
        if mid is None or not isinstance(validated, bool) or not uid:
            return
        with contextlib.suppress(PlumeError):  # refused: the record read again shows what holds
            await run_db(lambda db: validations.validate_module(db, actor, mid, uid, validated=validated))
        await self._read()


class MyRecordState(rx.State):
    """`Mes compétences` on a session's page: the competencies the learner acquired and the modules validated."""

    competencies: rx.Field[list[RecordLine]] = rx.field(default_factory=list)
    modules: rx.Field[list[RecordLine]] = rx.field(default_factory=list)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Read the signed-in learner's record on the session in the URL (nothing for anyone else)."""
        actor, sid = require_actor(), route_id(self, "session_id") or 0
        try:
            record = await run_db(lambda db: validations.my_record(db, actor, sid)) if sid else None
        except PlumeError:
            record = None
        # What was recognised only: a module's title listed again beside the timeline would say nothing new.
        self.competencies = [line for line in record.competencies if line.done] if record is not None else []
        self.modules = [line for line in record.modules if line.done] if record is not None else []
