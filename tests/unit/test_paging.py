"""The one pager arithmetic and validator every paged list uses."""

from __future__ import annotations

import pytest

from app.services import paging
from app.services.errors import ErrorCode, PlumeError


def _fetch(items: list[int]):
    return lambda limit, offset: items[offset : offset + limit]


def test_a_page_reads_only_its_slice_and_knows_its_place() -> None:
    items = list(range(23))
    page = paging.paginate(len(items), 3, 10, _fetch(items))
    assert (page.items, page.page, page.pages, page.total, page.page_size) == ([20, 21, 22], 3, 3, 23, 10)
    assert (page.first, page.last) == (21, 23)


def test_past_the_end_shows_the_last_page_and_an_empty_list_one_page() -> None:
    items = list(range(23))
    assert paging.paginate(len(items), 9, 10, _fetch(items)).page == 3
    empty = paging.paginate(0, 4, 25, _fetch([]))
    assert (empty.items, empty.page, empty.pages, empty.first, empty.last) == ([], 1, 1, 0, 0)


@pytest.mark.parametrize(
    ("page", "page_size"), [(0, 10), (-1, 10), (True, 10), ("2", 10), (1, 20), (1, True), (1, "10"), (None, 10)]
)
def test_controls_outside_the_allowed_values_are_refused(page: object, page_size: object) -> None:
    with pytest.raises(PlumeError) as raised:
        paging.paginate(5, page, page_size, _fetch([1, 2, 3, 4, 5]))
    assert raised.value.code == ErrorCode.INVALID_INPUT


def test_clamp_and_sizes() -> None:
    assert [paging.clamp(n, 3) for n in (1, 3, 7)] == [1, 3, 3]
    assert paging.clamp(5, 0) == 1
    assert [s for s in (10, 25, 50, 100, 20, True) if paging.is_page_size(s)] == [10, 25, 50, 100]
