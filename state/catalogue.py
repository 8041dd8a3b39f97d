"""Staff pages: the course catalogue, one course's template timeline, the sessions list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from sqlmodel import col, select

from app import routes
from app.i18n import t
from app.models import Activity
from app.services import catalogue, documents, timeline
from app.services.errors import PlumeError
from app.services.sessions.view import ActivityCard, ModuleView
from state.auth import FormState
from state.common import clean_id, clean_str, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor
from state.timeline_editor import TimelineEditor, _form

COURSE_FIELDS = (
    "title",
    "short_title",
    "description",
    "objectives",
    "categories",
    "competencies",
    "target_audience",
    "remote_hours",
    "in_person_hours",
)


def _course_form(form_data: Any) -> catalogue.CourseForm:
    form = {**_form(form_data)}
    form["title"] = form.get("course_title", "")
    return catalogue.CourseForm(**{k: clean_str(form.get(k), 10_000) for k in COURSE_FIELDS})


class CatalogueState(FormState, rx.State):
    """The catalogue page."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    courses: rx.Field[list[catalogue.CourseRow]] = rx.field(default_factory=list)
    creating: rx.Field[bool] = rx.field(False)
    form_key: rx.Field[int] = rx.field(0)
    query: rx.Field[str] = rx.field("")

    async def _reload(self) -> None:
        actor, query = require_actor(), self.query
        try:
            rows = await run_db(lambda db: catalogue.list_courses(db, actor, query))
        except PlumeError:
            self.allowed, self.courses = False, []
            return
        self.allowed = True
        self.courses = rows

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the catalogue (non-staff get the not-found panel)."""
        self.error = self.notice = ""
        self.field_errors = {}
        self.creating = False
        await self._reload()
        self.loading = False

    @rx.event
    @policy(STAFF)
    def toggle_create(self) -> None:
        """Open or close the new-course form."""
        self.creating = not self.creating
        self.field_errors = {}

    @rx.event
    @policy(STAFF)
    async def search(self, form_data: Any) -> None:
        """Narrow the catalogue to the courses matching what was typed (case and accents ignored).

        Args:
            form_data: query.
        """
        form = form_data if isinstance(form_data, dict) else {}
        self.query = clean_str(form.get("query"), catalogue.QUERY_LIMIT).strip()
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def create(self, form_data: Any) -> AsyncIterator[Any]:
        """Create a course and open it.

        Args:
            form_data: The course fields.
        """
        actor, form = require_actor(), _course_form(form_data)
        self._start()
        yield
        try:
            course = await run_db(lambda db: catalogue.create_course(db, actor, form))
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        self.creating = False
        self.form_key += 1
        yield rx.redirect(f"/catalogue/{course.id}")


class CourseState(TimelineEditor, FormState, rx.State):
    """One course: its details and its template timeline."""

    found: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    course: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    modules: rx.Field[list[ModuleView]] = rx.field(default_factory=list)
    can_edit: rx.Field[bool] = rx.field(True)
    can_manage_content: rx.Field[bool] = rx.field(True)
    is_session: rx.Field[bool] = rx.field(False)
    image_version: rx.Field[int] = rx.field(0)
    _course_id: int = 0

    def _owner(self) -> dict[str, int]:
        return {"course_id": self._course_id}

    async def _reload(self) -> None:
        actor, course_id = require_actor(), self._course_id

        def work(db: Any) -> tuple[dict[str, Any], list[ModuleView], bool]:
            course, editable = catalogue.catalogue_entry(db, actor, course_id)
            modules = timeline.template_modules(db, course_id)
            activities = db.exec(
                select(Activity)
                .where(col(Activity.module_id).in_([m.id for m in modules]))
                .order_by(col(Activity.position), col(Activity.id))
            ).all()
            by_module: dict[int, list[ActivityCard]] = {}
            for a in activities:
                by_module.setdefault(a.module_id, []).append(ActivityCard(id=a.id or 0, kind=a.kind, title=a.title))
            data = {k: str(getattr(course, k)) for k in COURSE_FIELDS}
            data["remote_hours"], data["in_person_hours"] = f"{course.remote_hours:g}", f"{course.in_person_hours:g}"
            data["image"] = f"/api/courses/{course.id}/image" if course.thumbnail_document_id else ""
            data["id"] = str(course.id)
            # A template's modules have no dates, locks or progress: the session view's defaults.
            rows = [
                ModuleView(
                    id=m.id or 0,
                    title=m.title,
                    phase=m.phase,
                    opening_rule=m.opening_rule,
                    opens_at="",
                    locked=False,
                    activities=by_module.get(m.id or 0, []),
                )
                for m in modules
            ]
            return data, rows, editable

        try:
            self.course, self.modules, editable = await run_db(work)
            self.found = True
        except PlumeError:
            self.found, self.course, self.modules, editable = False, {}, [], False
        # A tutor reads the entry (from their course page): no form, no editing controls; the handlers stay STAFF.
        self.can_edit = self.can_manage_content = editable
        self.editing = self.editing and editable

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the course named in the URL."""
        raw = self.router.page.params.get("course_id", "") or self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        self._course_id = clean_id(raw) or 0
        self.error = self.notice = ""
        self.field_errors = {}
        self.editing = True
        await self._reload()
        self.loading = False

    @rx.event
    @policy(STAFF)
    async def upload_image(self, files: list[rx.UploadFile]) -> None:
        """Set the course's thumbnail image.

        Args:
            files: One image.
        """
        actor, course_id = require_actor(), self._course_id
        if not isinstance(files, list) or len(files) != 1:
            return
        name, data = str(getattr(files[0], "name", "") or ""), await files[0].read()
        self._start()
        try:
            await run_db(lambda db: documents.store_course_image(db, actor, course_id=course_id, name=name, data=data))
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        self.image_version += 1
        await self._reload()

    @rx.event
    @policy(STAFF)
    async def save(self, form_data: Any) -> None:
        """Save the course's details.

        Args:
            form_data: The course fields.
        """
        actor, form, course_id = require_actor(), _course_form(form_data), self._course_id
        self._start()
        try:
            await run_db(lambda db: catalogue.update_course(db, actor, course_id, form))
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        self.notice = t(await self._lang(), "common.saved")
        await self._reload()


class SessionsListState(FormState, rx.State):
    """The staff's sessions page."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    rows: rx.Field[list[catalogue.SessionRow]] = rx.field(default_factory=list)
    courses: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)  # the new session form's choices
    creating: rx.Field[bool] = rx.field(False)

    async def _reload(self) -> None:
        actor = require_actor()
        try:
            rows = await run_db(lambda db: catalogue.list_sessions(db, actor))
            courses = await run_db(lambda db: catalogue.list_courses(db, actor))
        except PlumeError:
            self.allowed, self.rows, self.courses = False, [], []
            return
        self.allowed = True
        self.rows = rows
        self.courses = [{"id": str(c.id), "title": c.title} for c in courses]

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the sessions."""
        self.error = self.notice = ""
        self.field_errors = {}
        self.creating = False
        await self._reload()
        self.loading = False

    @rx.event
    @policy(STAFF)
    def toggle_create(self) -> None:
        """Open or close the new-session form."""
        self.creating = not self.creating
        self.field_errors = {}

    @rx.event
    @policy(STAFF)
    async def create(self, form_data: Any) -> AsyncIterator[Any]:
        """Create a draft session (with the course's template timeline) and open it.

        Args:
            form_data: course_id, title, starts_on, ends_on, place, rooms, max_participants.
        """
        form, actor = _form(form_data), require_actor()
        course_id = clean_id(form.get("course_id"))
        if course_id is None:
            return
        data = catalogue.SessionForm(
            course_id=course_id,
            **{
                k: clean_str(form.get(k), 300)
                for k in ("title", "starts_on", "ends_on", "place", "rooms", "max_participants")
            },
        )
        self._start()
        yield
        try:
            training = await run_db(lambda db: catalogue.create_session(db, actor, data))
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        yield rx.redirect(routes.session_path(training.id or 0))
