"""One page of a long list: the page controls' one validator and the page-count arithmetic.

Every paged list (hand-ins, observations, the tutoring centre, the followed
courses) takes a page number from 1 and a page size out of `PAGE_SIZES`,
refuses anything else with INVALID_INPUT (the UI only offers valid values),
and shows the last page for a page past the end, since a search or a filter
may shrink the list under the person.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from app.services.errors import ErrorCode, PlumeError

PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with what the pager shows."""

    items: list[T]
    page: int
    pages: int
    total: int
    page_size: int

    @property
    def first(self) -> int:
        """The position of the page's first item in the whole list (from 1; 0 on an empty page)."""
        return (self.page - 1) * self.page_size + 1 if self.items else 0

    @property
    def last(self) -> int:
        """The position of the page's last item in the whole list (0 on an empty page)."""
        return self.first + len(self.items) - 1 if self.items else 0


def is_page_size(value: object) -> bool:
    """Whether a value is one of the page sizes offered.

    Args:
        value: What the caller got.

    Returns:
        True for 10, 25, 50 or 100 (an int, not a bool).
    """
    return isinstance(value, int) and not isinstance(value, bool) and value in PAGE_SIZES


def check_page(page: object, page_size: object) -> tuple[int, int]:
    """The one validator of the page controls.

    Args:
        page: A page number from 1 (an int, not a bool).
        page_size: One of `PAGE_SIZES`.

    Returns:
        The page and the page size.

    Raises:
        PlumeError: INVALID_INPUT for anything else.
    """
    if isinstance(page, bool) or not isinstance(page, int) or page < 1 or not is_page_size(page_size):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    assert isinstance(page_size, int)  # for mypy: is_page_size checked it
    return page, page_size


def page_count(total: int, page_size: int) -> int:
    """How many pages a list of `total` items fills (at least one, empty).

    Args:
        total: The number of items.
        page_size: Items a page.

    Returns:
        The number of pages.
    """
    return max(1, -(-total // page_size))


def clamp(page: int, pages: int) -> int:
    """A page number brought back into the list: past the end, the last page.

    Args:
        page: A page number from 1.
        pages: How many pages there are.

    Returns:
        The page to show.
    """
    return min(page, max(1, pages))


def paginate(total: int, page: object, page_size: object, fetch: Callable[[int, int], Sequence[T]]) -> Page[T]:
    """Check the controls, count the pages, clamp the page, then read only its items.

    Args:
        total: How many items the whole list holds (counted by the caller's query).
        page: From 1; past the end, the last page.
        page_size: One of `PAGE_SIZES`.
        fetch: Reads the page's items, given a LIMIT and an OFFSET.

    Returns:
        The page.

    Raises:
        PlumeError: INVALID_INPUT for a bad page or page size.
    """
    number, size = check_page(page, page_size)
    pages = page_count(total, size)
    number = clamp(number, pages)
    items = list(fetch(size, (number - 1) * size))
    return Page(items=items, page=number, pages=pages, total=total, page_size=size)
