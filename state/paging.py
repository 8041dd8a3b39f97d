"""The paged-list mixins: the pager's vars and its handlers, written once.

A state showing one page of a long list mixes in `PagedList` (or
`SizedPagedList` when the person picks the page size, `SortedPagedList` when
they also sort by a column), implements `_show_page()` (reread the list with
the current controls), and fills the vars with `_take_page(found)` from what
the service returned. The services validate and clamp with
`app.services.paging`; the handlers here only pass on what that one validator
accepts.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, TypedDict

import reflex as rx

from app.services import paging
from state.common import clean_id, clean_str
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


class Order(TypedDict):
    """How a sorted list is read: its column, its direction and its page (the services' keyword arguments)."""

    sort: str
    descending: bool
    page: int
    page_size: int


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

    async def _turn_to(self, page: int) -> None:
        """Show another page (the first after a new order, filter or page size)."""
        self.page = page
        await self._show_page()

    @rx.event
    @policy(SIGNED_IN)
    async def go_to(self, page: Any) -> None:
        """Show another page.

        Args:
            page: The page number.
        """
        number = clean_id(page)
        if number is not None and number != self.page:
            await self._turn_to(paging.clamp(number, self.pages))


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
            self.page_size = int(number or 0)
            await self._turn_to(1)


class SortedPagedList(SizedPagedList, mixin=True):
    """A sized paged list sorted by the column header the person clicks (again: the other way)."""

    sorts: ClassVar[tuple[str, ...]] = ()
    # The columns read largest first (a progress, a count): their first click sorts them descending.
    sorts_descending: ClassVar[frozenset[str]] = frozenset()
    sort: rx.Field[str] = rx.field("")
    descending: rx.Field[bool] = rx.field(False)

    def _order(self) -> Order:
        """The order and page to read, for the service (taken on the event loop, before its thread runs)."""
        return Order(sort=self.sort, descending=self.descending, page=self.page, page_size=self.page_size)

    @rx.event
    @policy(SIGNED_IN)
    async def sort_by(self, column: Any) -> None:
        """Sort by a column, from the first page; the same column again reverses the order.

        Args:
            column: One of the list's `sorts`.
        """
        wanted = clean_str(column, 40)
        if wanted not in self.sorts:
            return
        self.descending = not self.descending if wanted == self.sort else wanted in self.sorts_descending
        self.sort = wanted
        await self._turn_to(1)
