"""The tutoring centre: the sessions one follows, and a session's learners (paged in SQL), live."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx

from app.i18n import t
from app.services import sessions, tutoring
from app.services.actor import Actor
from app.services.auth import resolve_actor
from app.services.errors import ErrorCode, PlumeError
from state import live
from state.common import clean_id, clean_str, error_message, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor
from state.session import SessionState

PIE_COLOURS = {"not_started": "#94a3b8", "in_progress": "#f59e0b", "finished": "#16a34a"}


class TutoringListState(rx.State):
    """`Tutorat`: the sessions whose learners the person follows."""

    loading: bool = True
    rows: list[dict[str, Any]] = []

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """List the sessions the person tutors (all of them for staff)."""
        actor = require_actor()
        found = await run_db(lambda db: tutoring.tutored_sessions(db, actor))
        self.rows = [{**asdict(s), "id": str(s.id), "learners": str(s.learners)} for s in found]
        self.loading = False


class TutoringCentreState(rx.State):
    """A session's tutoring centre: filter, learner count, pie, one page of learners."""

    loading: bool = True
    found: bool = False
    title: str = ""
    course_title: str = ""
    kind: str = "all"
    query: str = ""
    sort: str = "name"
    descending: bool = False
    page: int = 1
    pages: int = 1
    page_size: int = 50
    total: int = 0
    learners: int = 0
    activities: int = 0
    pie: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    session_id: str = ""
    selected: list[str] = []
    reminding: bool = False
    preview: dict[str, str] = {}
    notice: str = ""
    error: str = ""
    _session_id: int = 0

    def _route_session_id(self) -> int | None:
        return route_id(self, "session_id")

    async def _show(self, actor: Actor | None) -> None:
        sid = self._session_id
        kind, query, sort, descending = self.kind, self.query, self.sort, self.descending
        page, size = self.page, self.page_size
        if actor is None or not sid:
            self.found = False
            return

        def work(db: Any) -> tuple[tutoring.Centre, str, str]:
            centre = tutoring.centre(
                db, actor, sid, kind=kind, query=query, sort=sort, descending=descending, page=page, page_size=size
            )
            view = sessions.session_view(db, actor, sid)
            return centre, view.title, view.course_title

        try:
            centre, self.title, self.course_title = await run_db(work)
        except PlumeError:
            self.found, self.rows = False, []
            return
        self.found = True
        self.page, self.pages, self.total = centre.page, centre.pages, centre.total
        self.learners, self.activities = centre.learners, centre.activities
        lang = (await self.get_state(SessionState)).tr
        self.pie = [
            {"name": lang.get(f"tutoring.status.{k}", k), "value": getattr(centre.pie, k), "fill": colour}
            for k, colour in PIE_COLOURS.items()
        ]
        self.rows = [{**asdict(r), "user_id": str(r.user_id)} for r in centre.rows]

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the centre of the session in the URL and follow its learners' progress live."""
        actor = require_actor()
        self.loading = True
        self._session_id = self._route_session_id() or 0
        self.session_id = str(self._session_id)
        self.kind, self.query, self.sort, self.descending, self.page = "all", "", "name", False, 1
        self.selected, self.reminding, self.notice, self.error = [], False, "", ""
        await self._show(actor)
        token = self.router.session.client_token
        if self.found:
            live.subscribe(token, sessions.topic(self._session_id), TutoringCentreState)
        else:
            live.unsubscribe(token)
        self.loading = False

    @rx.event
    @policy(SIGNED_IN)
    async def set_kind(self, kind: Any) -> None:
        """Show all learners or one enrolment type.

        Args:
            kind: all, mandatory, recommended or free.
        """
        if kind in tutoring.KINDS:
            self.kind, self.page = str(kind), 1
            await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def search(self, form_data: Any) -> None:
        """Narrow the table to a name or e-mail.

        Args:
            form_data: query.
        """
        form = form_data if isinstance(form_data, dict) else {}
        self.query, self.page = clean_str(form.get("query"), 100).strip(), 1
        await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def sort_by(self, column: Any) -> None:
        """Sort by a column (again: the other way).

        Args:
            column: name, progress, status or last_activity.
        """
        if column not in tutoring.SORTS:
            return
        self.descending = not self.descending if column == self.sort else column in ("progress", "last_activity")
        self.sort, self.page = str(column), 1
        await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def go_to(self, page: Any) -> None:
        """Show another page.

        Args:
            page: The page number.
        """
        number = clean_id(page)
        if number is not None and number != self.page:
            self.page = min(number, max(1, self.pages))
            await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def set_page_size(self, size: Any) -> None:
        """Show 10, 25, 50 or 100 learners a page.

        Args:
            size: The page size.
        """
        number = clean_id(size)
        if number in tutoring.PAGE_SIZES:
            self.page_size, self.page = int(number), 1
            await self._show(require_actor())

    @rx.var
    def page_selected(self) -> bool:
        """Whether every learner of the page is selected."""
        return bool(self.rows) and all(r["user_id"] in self.selected for r in self.rows)

    @rx.event
    @policy(SIGNED_IN)
    def toggle(self, user_id: Any) -> None:
        """Select or unselect a learner of the page.

        Args:
            user_id: The learner.
        """
        uid = str(clean_id(user_id) or "")
        if uid and any(r["user_id"] == uid for r in self.rows):
            self.selected = [u for u in self.selected if u != uid] if uid in self.selected else [*self.selected, uid]
            self.notice = ""

    @rx.event
    @policy(SIGNED_IN)
    def toggle_page(self) -> None:
        """Select every learner of the page (or unselect them when all are)."""
        ids = [r["user_id"] for r in self.rows]
        if ids and all(i in self.selected for i in ids):
            self.selected = [u for u in self.selected if u not in ids]
        else:
            self.selected = [*self.selected, *(i for i in ids if i not in self.selected)]
        self.notice = ""

    @rx.event
    @policy(SIGNED_IN)
    async def select_all_pages(self) -> None:
        """Select every learner the filter and search show, on every page."""
        actor, sid, kind, query = require_actor(), self._session_id, self.kind, self.query
        try:
            ids = await run_db(lambda db: tutoring.learner_ids(db, actor, sid, kind=kind, query=query))
        except PlumeError:
            return
        self.selected, self.notice = [str(i) for i in ids], ""

    @rx.event
    @policy(SIGNED_IN)
    def clear_selection(self) -> None:
        """Unselect everyone."""
        self.selected, self.notice = [], ""

    @rx.event
    @policy(SIGNED_IN)
    async def open_reminder(self) -> None:
        """Show the reminder as the first selected learner will receive it."""
        actor, sid = require_actor(), self._session_id
        first = clean_id(self.selected[0]) if self.selected else None
        self.error = ""
        if first is None:
            return
        try:
            message = await run_db(lambda db: tutoring.preview_reminder(db, actor, sid, first))
        except PlumeError:
            self.selected = []
            return
        self.preview, self.reminding = {"subject": message.subject, "body": message.body}, True

    @rx.event
    @policy(SIGNED_IN)
    def close_reminder(self) -> None:
        """Close the reminder dialog."""
        self.reminding = False

    @rx.event
    @policy(SIGNED_IN)
    async def send_reminders(self) -> None:
        """E-mail the reminder to every selected learner."""
        actor, sid = require_actor(), self._session_id
        ids = [i for i in (clean_id(u) for u in self.selected) if i is not None]
        lang = (await self.get_state(SessionState)).lang
        try:
            count = await run_db(lambda db: tutoring.send_reminders(db, actor, sid, ids))
        except PlumeError as err:
            self.error = error_message(lang, err)
            return
        self.reminding, self.selected = False, []
        self.notice = t(lang, "tutoring.reminders_sent", count=str(count))

    async def _on_live(self, event: dict[str, Any]) -> None:
        """A learner progressed (or the people changed): recount, as this tab's own actor.

        Args:
            event: What changed.
        """
        if event.get("type") not in ("progress", "poll", "people", "timeline"):
            return
        token = (await self.get_state(SessionState)).session_token
        ip = self.router.session.client_ip
        actor = await run_db(lambda db: resolve_actor(db, token, ip=ip))
        await self._show(actor)


class TutoringReportState(rx.State):
    """One learner's report in a session's tutoring centre."""

    loading: bool = True
    found: bool = False
    session_id: str = ""
    report: dict[str, Any] = {}
    lessons: list[dict[str, str]] = []
    connections: list[dict[str, str]] = []
    reminders: list[dict[str, str]] = []

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the report of the learner in the URL (`/tutorat/<session>/<learner>`)."""
        actor = require_actor()
        self.loading = True
        parts = self.router.url.path.rstrip("/").split("/")
        params = self.router.page.params
        sid = clean_id(params.get("session_id", "") or (parts[-2] if len(parts) >= 2 else ""))
        uid = clean_id(params.get("user_id", "") or parts[-1])
        try:
            if sid is None or uid is None:
                raise PlumeError(ErrorCode.NOT_FOUND)
            found = await run_db(lambda db: tutoring.learner_report(db, actor, sid, uid))
        except PlumeError:
            self.found, self.report, self.lessons, self.connections = False, {}, [], []
            self.loading = False
            return
        data = asdict(found)
        self.lessons, self.connections = data.pop("lessons"), data.pop("connections")
        self.reminders = data.pop("reminders")
        self.report = {**data, "progress": str(found.progress)}
        self.found, self.session_id, self.loading = True, str(sid), False
