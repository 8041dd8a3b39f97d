"""`Archives`: the archived sessions one may still read, a page at a time; staff manage the archive categories."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.i18n import t
from app.services import archives
from app.services.errors import PlumeError
from state.common import clean_str, error_message, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor
from state.paging import PagedList
from state.session import SessionState

NAME_LIMIT = 200  # what a handler keeps of a typed name; the service refuses one over its own limit


def _form(form_data: Any) -> dict[str, Any]:
    return form_data if isinstance(form_data, dict) else {}


class ArchivesState(PagedList, rx.State):
    """The archived sessions of the selected organisation (staff: all; members: their own), paged in SQL."""

    loading: rx.Field[bool] = rx.field(True)
    rows: rx.Field[list[archives.ArchivedSession]] = rx.field(default_factory=list)
    # Staff only: the organisation's archive categories, offered when a session is archived.
    is_staff: rx.Field[bool] = rx.field(False)
    categories: rx.Field[list[archives.Category]] = rx.field(default_factory=list)
    category_error: rx.Field[str] = rx.field("")
    category_notice: rx.Field[str] = rx.field("")
    category_key: rx.Field[int] = rx.field(0)  # resets the forms after a change

    async def _show_page(self) -> None:
        actor, page = require_actor(), self.page
        found = await run_db(lambda db: archives.archived_sessions(db, actor, page))
        self.rows = found.items
        self._take_page(found)

    async def _show_categories(self) -> None:
        actor = require_actor()
        try:
            self.categories = await run_db(lambda db: archives.organisation_categories(db, actor))
            self.is_staff = True
        except PlumeError:
            self.categories, self.is_staff = [], False

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """List the first page of the archived sessions the person may read (and, for staff, the categories)."""
        self.page, self.category_error, self.category_notice = 1, "", ""
        await self._show_page()
        await self._show_categories()
        self.loading = False

    async def _change(self, work: Any) -> None:
        lang = (await self.get_state(SessionState)).lang
        self.category_error, self.category_notice = "", ""
        try:
            await run_db(work)
        except PlumeError as err:
            self.category_error = error_message(lang, err)
            return
        self.category_notice, self.category_key = t(lang, "common.saved"), self.category_key + 1
        await self._show_categories()

    @rx.event
    @policy(STAFF)
    async def add_category(self, form_data: Any) -> None:
        """Add an archive category at the end of the list.

        Args:
            form_data: name.
        """
        actor, name = require_actor(), clean_str(_form(form_data).get("name"), NAME_LIMIT)
        await self._change(lambda db: archives.add_category(db, actor, name))

    @rx.event
    @policy(STAFF)
    async def rename_category(self, form_data: Any) -> None:
        """Rename an archive category (sessions already archived keep the name they were filed under).

        Args:
            form_data: key, name.
        """
        form, actor = _form(form_data), require_actor()
        key, name = clean_str(form.get("key"), 20), clean_str(form.get("name"), NAME_LIMIT)
        await self._change(lambda db: archives.rename_category(db, actor, key, name))

    @rx.event
    @policy(STAFF)
    async def remove_category(self, key: Any) -> None:
        """Take a category off the list (sessions filed under it keep its name).

        Args:
            key: The category's key.
        """
        actor, chosen = require_actor(), clean_str(key, 20)
        await self._change(lambda db: archives.remove_category(db, actor, chosen))
