"""The paged-list mixins: the pager's vars and its handlers, written once.

A state showing one page of a long list mixes in `PagedList` (or
`SizedPagedList` when the person picks the page size), implements
`_show_page()` (reread the list with the current controls), and fills the
vars with `_take_page(found)` from what the service returned. The services
validate and clamp with `app.services.paging`; the handlers here only pass
on what that one validator accepts.
"""

from __future__ import annotations

from typing import Any, Protocol

import reflex as rx

from app.services import paging
from state.common import clean_id
from state.guard import SIGNED_IN, policy


class PageInfo(Protocol):
    """What a service's page carries for the pager."""

    @property
    def page(self) -> int:
        """The page shown, from 1."""
        ...

    @property
    def pages(self) -> int:
        """How many pages."""
        ...

    @property
    def total(self) -> int:
        """How many items in the whole list."""
        ...


class PagedList(rx.State, mixin=True):
    """A list shown a page at a time: `Précédente` / `Suivante`."""

    # Typed fields: pages read them as vars (`State.total.to_string()`) and mypy checks that.
    page: rx.Field[int] = rx.field(1)
    pages: rx.Field[int] = rx.field(1)
    total: rx.Field[int] = rx.field(0)

    async def _show_page(self) -> None:
        """Reread the list at `self.page` (each state knows its controls)."""
        raise NotImplementedError

    def _take_page(self, found: PageInfo) -> None:
        """Keep the pager's figures of a page the service returned (it clamped the page)."""
        self.page, self.pages, self.total = found.page, found.pages, found.total

    @rx.event
    @policy(SIGNED_IN)
    async def go_to(self, page: Any) -> None:
        """Show another page.

        Args:
            page: The page number.
        """
        number = clean_id(page)
        if number is not None and number != self.page:
            self.page = paging.clamp(number, self.pages)
            await self._show_page()


class SizedPagedList(PagedList, mixin=True):
    """A paged list whose page size the person picks (10, 25, 50 or 100)."""

    page_size: rx.Field[int] = rx.field(paging.DEFAULT_PAGE_SIZE)

    @rx.event
    @policy(SIGNED_IN)
    async def set_page_size(self, size: Any) -> None:
        """Show 10, 25, 50 or 100 items a page, from the first page.

        Args:
            size: The page size.
        """
        number = clean_id(size)
        if paging.is_page_size(number):
            self.page_size, self.page = int(number or 0), 1
            await self._show_page()
