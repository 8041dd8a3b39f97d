"""A page that coalesces bursts (`live_gap_s`) reloads once per gap, and never stays stale when a reload was lost."""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import pytest

from app.live.contract import StatusChanged
from state import live


class _Page(SimpleNamespace):
    """A page state reduced to the coalescing protocol of `LiveState._on_live`."""

    live_events = (StatusChanged,)
    live_gap_s = 1.0

    def __init__(self, *, pending: bool, last_reload: float) -> None:
        super().__init__(
            _live_pending=pending,
            _live_at=last_reload,
            reloads=0,
            router=SimpleNamespace(session=SimpleNamespace(client_token="tab")),
        )

    async def _live_wants(self, event: Any) -> bool:
        return True

    async def _live_apply(self, event: Any) -> bool:
        return False

    async def _live_reload(self) -> None:
        self.reloads += 1


@pytest.fixture
def scheduled(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    later: list[str] = []
    monkeypatch.setattr(live, "later", lambda delay, token, cls, method: later.append(method))
    return later


async def _hear(page: _Page) -> None:
    await live.LiveState._on_live(page, StatusChanged(status="active").wire())  # type: ignore[arg-type]


async def test_a_burst_after_a_reload_waits_for_the_one_scheduled_reload(scheduled: list[str]) -> None:
    page = _Page(pending=False, last_reload=time.time())
    await _hear(page)
    await _hear(page)
    assert page.reloads == 0 and scheduled == ["_live_reload"]  # one reload scheduled for the whole burst


async def test_a_quiet_page_reloads_at_once(scheduled: list[str]) -> None:
    page = _Page(pending=False, last_reload=time.time() - 60)
    await _hear(page)
    assert page.reloads == 1 and scheduled == []


async def test_a_reload_lost_with_the_worker_that_scheduled_it_does_not_leave_the_page_stale(
    scheduled: list[str],
) -> None:
    # Pending since long ago: the worker holding the timer stopped. The next event reloads the page itself.
    overdue = time.time() - (2 * _Page.live_gap_s + live.LATE_RELOAD_S + 1)
    page = _Page(pending=True, last_reload=overdue)
    await _hear(page)
    assert page.reloads == 1 and scheduled == []
    # Pending and recent: the scheduled reload will come; nothing more is done.
    page = _Page(pending=True, last_reload=time.time())
    await _hear(page)
    assert page.reloads == 0 and scheduled == []
