"""A tab that reconnects to another worker keeps its state and its live subscriptions (no sticky sessions).

The trainer's board opens on worker B, its socket drops, and the same tab (same token, same cookies)
reconnects to worker A without loading the page again: a signature must still move it live, from
what it loaded on B. Skipped when PostgreSQL or redis-server is not installed (`make test` installs both).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlmodel import select

from app.models import User
from state.attendance import AttendanceState
from tests.attendance_setup import live_slot, trainer_email
from tests.live import handler, signed_in_tab, var
from tests.server import PlumeCluster
from tests.wsclient import ReflexClient

DRAWING = "100,100 300,200 500,120 700,260"
ATTENDANCE = AttendanceState.get_full_name()


def _signed_at(message: dict[str, Any]) -> dict[str, str]:
    return ((message.get("delta") or {}).get(ATTENDANCE, {}) or {}).get("signed_at_rx_state_") or {}


async def _same_tab_on(tab: ReflexClient, base_url: str) -> ReflexClient:
    """The tab's socket, reopened on another worker: same token, same cookies, no page load.

    Args:
        tab: The tab (closed here).
        base_url: The other worker.

    Returns:
        The reconnected tab.
    """
    await tab.close()
    await asyncio.sleep(0.5)  # the old worker drops the socket's record: the token is not taken for a duplicate
    moved = ReflexClient(base_url, headers=tab.headers)
    moved.token, moved.device, moved.session = tab.token, tab.device, tab.session
    await moved.connect()
    return moved


async def test_a_board_that_reconnects_to_the_other_worker_still_moves_live(cluster: PlumeCluster) -> None:
    a, b = cluster.urls
    learner_email = "learner21@demo.plume.test"
    session_id, slot_id = live_slot(
        cluster.workers[0].session(),
        title=f"Reconnexion sur un autre worker {time.time():.0f}",
        learners=[learner_email],
    )
    with cluster.workers[0].session() as db:
        uid = str(db.exec(select(User).where(User.email == learner_email)).one().id)
    trainer = await signed_in_tab(b, trainer_email(session_id))
    board = await trainer.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
    assert var(board, AttendanceState, "view")["sees_board"]
    trainer = await _same_tab_on(trainer, a)  # subscribed through B, now held by A
    learner = await signed_in_tab(b, learner_email)
    await learner.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
    form = {"form_data": {"strokes": DRAWING, "key": "cluster-reconnect-0001"}}
    await learner.emit(handler(AttendanceState, "confirm_signature"), form, path=f"/emargement/{slot_id}")
    pushed = await trainer.until(lambda m: uid in _signed_at(m), timeout=15)
    # Applied in place from the roster the board loaded on B: a state lost on the move would have gone dark.
    assert uid in (var(pushed, AttendanceState, "signed_at") or {}), "the board lost its subscription on the move"
    assert var(pushed, AttendanceState, "signed_count") == 1
    for tab in (learner, trainer):
        await tab.close()
