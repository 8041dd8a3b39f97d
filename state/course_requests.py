"""A trainer's requests for a course (*Demander la mise à disposition d'un parcours*)."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.i18n import t
from app.services import course_requests
from app.services.errors import PlumeError
from state.auth import FormState
from state.common import clean_str, run_db
from state.guard import SIGNED_IN, policy, require_actor, roles
from state.paging import PagedList

REQUEST_FIELDS = ("title", "origin", "remote_hours", "in_person_hours", "pedagogical_lead")


class CourseRequestsState(FormState, PagedList, rx.State):
    """The request form and the trainer's requests with their answers, a page at a time (paged in SQL)."""

    allowed: rx.Field[bool] = rx.field(True)
    loading: rx.Field[bool] = rx.field(True)
    rows: rx.Field[list[course_requests.RequestRow]] = rx.field(default_factory=list)
    form_key: rx.Field[int] = rx.field(0)

    async def _reload(self) -> None:
        actor, page = require_actor(), self.page
        try:
            found = await run_db(lambda db: course_requests.my_requests(db, actor, page))
        except PlumeError:
            self.allowed, self.rows = False, []
            return
        self.rows, self.allowed = found.items, True
        self._take_page(found)

    async def _show_page(self) -> None:
        await self._reload()

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the trainer's requests (anyone but a trainer or staff gets the not-found panel)."""
        self.error = self.notice = ""
        self.field_errors = {}
        self.page = 1
        await self._reload()
        self.loading = False

    @rx.event
    @policy(roles("trainer", "staff"))
    async def submit(self, form_data: Any) -> None:
        """Send a request to the organisation's staff.

        Args:
            form_data: title, origin, remote_hours, in_person_hours, pedagogical_lead.
        """
        form = form_data if isinstance(form_data, dict) else {}
        data = course_requests.RequestForm(**{k: clean_str(form.get(k), 300) for k in REQUEST_FIELDS})
        actor = require_actor()
        self._start()
        try:
            await run_db(lambda db: course_requests.request_course(db, actor, data))
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        self.form_key += 1
        self.notice = t(await self._lang(), "offer.request_sent")
        self.page = 1  # the new request comes first
        await self._reload()
