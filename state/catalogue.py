"""Staff pages: the course catalogue, one course's template timeline, the sessions list."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import reflex as rx
from sqlmodel import col, select

from app import routes
from app.clock import paris_today
from app.i18n import t
from app.models import Activity
from app.models.base import utcnow
from app.services import catalogue, course_requests, documents, offer, paging, timeline
from app.services.errors import PlumeError
from app.services.sessions.view import ActivityCard, ModuleView
from state.auth import FormState
from state.common import clean_id, clean_str, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor
from state.paging import SizedPagedList
from state.staff import StaffPage
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
    "origin",
)
REQUESTS_PAGE_SIZE = 10  # the waiting requests above the offer: a short card, paged
FILTER_FIELDS = ("query", "category", "modality", "origin", "max_remote_hours", "max_in_person_hours")
ORGANISE_FIELDS = ("participants", "maximum", "rounds", "short_name", "category", "starts_on", "weeks_between_rounds")


def _course_form(form_data: Any) -> catalogue.CourseForm:
    form = {**_form(form_data)}
    form["title"] = form.get("course_title", "")
    return catalogue.CourseForm(**{k: clean_str(form.get(k), 10_000) for k in COURSE_FIELDS})


class _CreatingPage(StaffPage, mixin=True):
    """A staff page with a form creating a course or a session, opened above the list."""

    creating: rx.Field[bool] = rx.field(False)

    def _reset(self) -> None:
        self.creating = False

    @rx.event
    @policy(STAFF)
    def toggle_create(self) -> None:
        """Open or close the creation form."""
        self.creating = not self.creating
        self.field_errors = {}


class CatalogueState(SizedPagedList, _CreatingPage, rx.State):
    """The catalogue page (*Offre de parcours*): search, filters, pages; the trainers' requests to answer."""

    courses: rx.Field[list[catalogue.CourseRow]] = rx.field(default_factory=list)
    form_key: rx.Field[int] = rx.field(0)
    query: rx.Field[str] = rx.field("")
    filters: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    filter_key: rx.Field[int] = rx.field(0)
    categories: rx.Field[list[str]] = rx.field(default_factory=list)
    origins: rx.Field[list[str]] = rx.field(default_factory=list)
    requests: rx.Field[list[course_requests.RequestRow]] = rx.field(default_factory=list)
    requests_page: rx.Field[int] = rx.field(1)  # the requests waiting for an answer: their own pages
    requests_pages: rx.Field[int] = rx.field(1)
    requests_total: rx.Field[int] = rx.field(0)
    refusing: rx.Field[int] = rx.field(0)  # the request whose refusal form is open

    def _filters(self) -> offer.OfferFilters:
        return offer.OfferFilters(**{k: self.filters.get(k, "") for k in FILTER_FIELDS})

    async def _show_page(self) -> None:
        actor, filters, page, size = require_actor(), self._filters(), self.page, self.page_size
        try:
            found = await run_db(lambda db: offer.offer_page(db, actor, filters, page=page, page_size=size))
        except PlumeError as err:
            if err.field:  # a filter typed wrong: its message next to it, the list as it was
                await self._fail(err)
                return
            self.allowed, self.courses = False, []
            return
        self.allowed = True
        self.field_errors = {}
        self.courses = found.items
        self._take_page(found)

    async def _reload(self) -> None:
        actor = require_actor()

        asked = self.requests_page

        def work(db: Any) -> tuple[offer.OfferChoices, paging.Page[course_requests.RequestRow]]:
            waiting = course_requests.pending_page(db, actor, asked, REQUESTS_PAGE_SIZE)
            return offer.offer_choices(db, actor), waiting

        try:
            choices, waiting = await run_db(work)
        except PlumeError:
            self.allowed, self.courses, self.requests = False, [], []
            return
        self.categories, self.origins = choices.categories, choices.origins
        self.requests, self.requests_page = waiting.items, waiting.page
        self.requests_pages, self.requests_total = waiting.pages, waiting.total
        await self._show_page()

    @rx.event
    @policy(STAFF)
    async def requests_go_to(self, page: Any) -> None:
        """Show another page of the requests waiting for an answer.

        Args:
            page: From 1 (past the end: the last page).
        """
        self.requests_page = clean_id(page) or 1
        self.refusing = 0
        await self._reload()

    def _reset(self) -> None:
        self.creating, self.refusing, self.page, self.requests_page = False, 0, 1, 1

    @rx.event
    @policy(STAFF)
    async def search(self, form_data: Any) -> None:
        """Narrow the offer: words (case and accents ignored), category, modality, origin, most hours.

        Args:
            form_data: query, category, modality, origin, max_remote_hours, max_in_person_hours.
        """
        form = form_data if isinstance(form_data, dict) else {}
        typed = {k: clean_str(form.get(k), catalogue.QUERY_LIMIT).strip() for k in FILTER_FIELDS}
        self.filters = {k: v for k, v in typed.items() if v}  # only what narrows: "Effacer les filtres" shows then
        self.query = typed["query"]
        self.page = 1
        await self._show_page()

    @rx.event
    @policy(STAFF)
    async def clear_filters(self) -> None:
        """Show the whole offer again."""
        self.filters, self.query, self.page = {}, "", 1
        self.filter_key += 1
        await self._show_page()

    @rx.event
    @policy(STAFF)
    async def approve(self, request_id: Any) -> None:
        """Make a requested course available (the trainer is told).

        Args:
            request_id: The request.
        """
        actor, rid = require_actor(), clean_id(request_id)
        if rid is None:
            return
        self._start()
        if not await self._submit(lambda db: course_requests.approve_request(db, actor, rid)):
            return
        self.notice = t(await self._lang(), "offer.request_approved")
        await self._reload()

    @rx.event
    @policy(STAFF)
    def start_refusal(self, request_id: Any) -> None:
        """Open the refusal form of one request (0 closes it).

        Args:
            request_id: The request.
        """
        self.refusing = clean_id(request_id) or 0
        self.field_errors = {}

    @rx.event
    @policy(STAFF)
    async def refuse(self, form_data: Any) -> None:
        """Refuse the open request, with the reason the trainer reads.

        Args:
            form_data: reason.
        """
        form = form_data if isinstance(form_data, dict) else {}
        actor, rid = require_actor(), self.refusing
        reason = clean_str(form.get("reason"), course_requests.REASON_LIMIT)
        if not rid:
            return
        self._start()
        if not await self._submit(lambda db: course_requests.refuse_request(db, actor, rid, reason)):
            return
        self.refusing = 0
        self.notice = t(await self._lang(), "offer.request_refused")
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
    proposal: rx.Field[str] = rx.field("")  # "3 sessions (11, 10, 10 participants)", before creating them
    _organising: offer.OrganiseForm | None = None  # what the proposal shown would create
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
            data["origin"] = course.origin
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
        self.proposal, self._organising = "", None
        self._clear()
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
        if not await self._submit(
            lambda db: documents.store_course_image(db, actor, course_id=course_id, name=name, data=data)
        ):
            return
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
        if not await self._submit(lambda db: catalogue.update_course(db, actor, course_id, form)):
            return
        self.notice = t(await self._lang(), "common.saved")
        await self._reload()

    def _organise_form(self, form_data: Any) -> offer.OrganiseForm:
        form = form_data if isinstance(form_data, dict) else {}
        return offer.OrganiseForm(
            course_id=self._course_id, **{k: clean_str(form.get(k), 100) for k in ORGANISE_FIELDS}
        )

    @rx.event
    @policy(STAFF)
    async def propose(self, form_data: Any) -> None:
        """*Organiser les sessions*: say how the participants split (x sessions, or y sessions n times).

        Args:
            form_data: participants, maximum, rounds, short_name, category, starts_on, weeks_between_rounds.
        """
        data, lang = self._organise_form(form_data), await self._lang()
        self._start()
        self.proposal, self._organising = "", None
        try:
            split = offer.propose_split(data.participants, data.maximum, data.rounds or "1")
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        sizes = ", ".join(str(n) for n in split.sizes)
        if split.rounds == 1:
            self.proposal = t(lang, "offer.split_once", sessions=str(split.sessions), sizes=sizes)
        else:
            self.proposal = t(
                lang, "offer.split_rounds", per_round=str(split.per_round), rounds=str(split.rounds), sizes=sizes
            )
        self._organising = data

    @rx.event
    @policy(STAFF)
    async def organise(self) -> AsyncIterator[Any]:
        """Create the proposed sessions as drafts (each with the template, wanting two trainers or tutors)."""
        actor, data = require_actor(), self._organising
        if data is None or data.course_id != self._course_id:
            return
        today = paris_today(utcnow())
        self._start()
        yield
        if not await self._submit(lambda db: offer.organise_sessions(db, actor, data, today=today)):
            return
        self.proposal, self._organising = "", None
        yield rx.redirect(routes.SESSIONS)


class SessionsListState(_CreatingPage, rx.State):
    """The staff's sessions page."""

    rows: rx.Field[list[catalogue.SessionRow]] = rx.field(default_factory=list)
    courses: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)  # the new session form's choices

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
