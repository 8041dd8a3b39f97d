"""`Suivi des participants` at scale: a session of 10,000 learners with 20 monitored activities.

Starts Plume on SQLite with the scale seed (`plume seed --learners 10000`: the session
"Cybersécurité — campagne annuelle", followed by tutor@demo.plume.test), monitors 20 of its
activities (adding document activities to reach 20), then measures over real websockets, for the tutor
on `/sessions/<id>/suivi`:

- a page change (`go_to` across the pages) and a sort (`sort_by` cycling progress, last connection,
  finished, name), each from sending the event to receiving the delta with the new rows;
- a live tick: a learner of the tutor's page marks a monitored document done from their own tab
  (`SessionPageState.mark_done`); timed from the learner's event to the tutor's delta carrying the row.

Target (issue 14): p95 ≤ 100 ms for each. Prints one JSON line; `follow_up_p95_ms` is the worst of the three.

    .venv/bin/python -m bench.follow_up
    .venv/bin/python -m bench.follow_up --rounds 10
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from app.clock import paris_today
from app.models import Activity, Module, MonitoredActivity, TrainingSession, User
from app.models.base import utcnow
from state.follow_up import FollowUpState
from state.session_page import SessionPageState
from tests.live import handler, signed_in_tab
from tests.server import PlumeServer, running_plume
from tests.wsclient import ReflexClient

TUTOR = "tutor@demo.plume.test"
BIG_SESSION = "Cybersécurité — campagne annuelle"
MONITORED = 20
NAME = FollowUpState.get_full_name()
SORTS = ("progress", "last_connection", "finished", "name")


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def _ms(values: list[float]) -> dict[str, float | None]:
    return {"p50": _pct(values, 0.5), "p95": _pct(values, 0.95), "max": _pct(values, 1.0)}


def _table(message: dict[str, Any]) -> dict[str, Any]:
    return (message.get("delta") or {}).get(NAME, {})


def _has_rows(message: dict[str, Any]) -> bool:
    return "rows_rx_state_" in _table(message)


def _prepare(server: PlumeServer) -> tuple[int, list[int]]:
    """Monitor 20 activities of the big session (adding documents to reach 20); the documents' ids."""
    with server.session() as db:
        session_id = db.exec(select(TrainingSession.id).where(TrainingSession.title == BIG_SESSION)).one()
        assert session_id is not None
        module = Module(session_id=session_id, title="Ressources surveillées", phase="during", position=99)
        db.add(module)
        db.flush()
        existing = list(
            db.exec(
                select(Activity)
                .join(Module, col(Module.id) == col(Activity.module_id))
                .where(Module.session_id == session_id)
            ).all()
        )
        documents = [
            Activity(module_id=module.id or 0, kind="document", title=f"Ressource {i + 1}", position=i)
            for i in range(max(10, MONITORED - len(existing)))
        ]
        db.add_all(documents)
        db.flush()
        watched = [*documents, *existing][:MONITORED]
        today = paris_today(utcnow())
        db.add_all(
            MonitoredActivity(session_id=session_id, activity_id=a.id or 0, expected_on=today + timedelta(days=i - 5))
            for i, a in enumerate(watched)
        )
        db.commit()
        return session_id, [d.id or 0 for d in documents if d in watched]


class Tab:
    """A tab on a page: sends an event and times it to the message that answers it."""

    def __init__(self, client: ReflexClient, path: str) -> None:
        self.client, self.path = client, path

    async def timed(self, cls: Any, name: str, payload: Any = None, *, timeout: float = 30.0) -> float:
        self.client.messages.clear()
        start = time.perf_counter()
        await self.client.emit(handler(cls, name), payload or {}, path=self.path)
        got = await self.client.until(_has_rows, timeout=timeout, settle=0)
        elapsed = time.perf_counter() - start
        if not any(_has_rows(m) for m in got):
            msg = f"{name}({payload}) not answered within {timeout}s: {str(got)[:500]}"
            raise RuntimeError(msg)
        await self.client.drain(quiet=0.1)
        return elapsed


async def _measure(server: PlumeServer, session_id: int, documents: list[int], rounds: int) -> dict[str, Any]:
    tutor = Tab(await signed_in_tab(server.url, TUTOR), f"/sessions/{session_id}/suivi")
    try:
        await tutor.timed(FollowUpState, "load")  # warm-up
        await tutor.timed(FollowUpState, "load")
        tutor.client.messages.clear()
        await tutor.client.emit(handler(FollowUpState, "load"), path=tutor.path)
        got = await tutor.client.until(_has_rows, timeout=30, settle=0.2)
        state = next(_table(m) for m in reversed(got) if _has_rows(m))
        pages, first_rows = int(state.get("pages_rx_state_") or 1), state["rows_rx_state_"]
        turns = [
            await tutor.timed(FollowUpState, "go_to", {"page": 2 + (i * 67) % max(1, pages - 1)}) for i in range(rounds)
        ]
        sorts = [
            await tutor.timed(FollowUpState, "sort_by", {"column": column})
            for column in itertools.islice(itertools.cycle(SORTS), rounds)
        ]
        await tutor.timed(FollowUpState, "load")  # back to page 1 by name: the learners below are on it
        ticks = await _ticks(server, tutor, session_id, documents, first_rows, rounds)
    finally:
        await tutor.client.close()
    return {"pages": pages, "page_ms": _ms(turns), "sort_ms": _ms(sorts), "tick_ms": _ms(ticks)}


async def _ticks(
    server: PlumeServer, tutor: Tab, session_id: int, documents: list[int], rows: list[dict[str, Any]], rounds: int
) -> list[float]:
    """Learners of the tutor's page mark a monitored document done; the tutor's row ticks in place."""
    user_ids = [int(r["user_id"]) for r in rows][:rounds]
    with server.session() as db:
        emails = {u.id: u.email for u in db.exec(select(User).where(col(User.id).in_(user_ids))).all()}
    times = []
    page = f"/sessions/{session_id}"
    for i, uid in enumerate(user_ids):
        learner = await signed_in_tab(server.url, emails[uid])
        try:
            await learner.call(handler(SessionPageState, "load"), path=page)
            await learner.call(
                handler(SessionPageState, "open_activity"), {"activity_id": documents[i % len(documents)]}, path=page
            )
            tutor.client.messages.clear()
            start = time.perf_counter()
            await learner.emit(handler(SessionPageState, "mark_done"), path=page)
            got = await tutor.client.until(_has_rows, timeout=30, settle=0)
            if not any(_has_rows(m) for m in got):
                msg = f"no tick for learner {uid}"
                raise RuntimeError(msg)
            times.append(time.perf_counter() - start)
            await tutor.client.drain(quiet=0.1)
        finally:
            await learner.close()
    return times


def figures(learners: int, rounds: int) -> dict[str, Any]:
    """Seed the scale data set, start Plume and measure the follow-up table (also used by `bench.csv_enrolment`).

    Args:
        learners: Learners in the session.
        rounds: Page changes, sorts and live ticks timed (each).

    Returns:
        The figures, `follow_up_p95_ms` being the worst p95 of the three.
    """
    with running_plume(seed_args=("--learners", str(learners))) as server:
        session_id, documents = _prepare(server)
        found = asyncio.run(_measure(server, session_id, documents, rounds))
        log_errors = server.errors_since(0)
    p95s = [found[k]["p95"] for k in ("page_ms", "sort_ms", "tick_ms")]
    return {
        "bench": "follow_up",
        "learners": learners,
        "monitored": MONITORED,
        "rounds": rounds,
        "follow_up_p95_ms": max((p for p in p95s if p is not None), default=None),
        "page_p95_ms": found["page_ms"]["p95"],
        "sort_p95_ms": found["sort_ms"]["p95"],
        "tick_p95_ms": found["tick_ms"]["p95"],
        **found,
        "server_log_errors": len(log_errors),
    }


def main() -> None:
    """Measure the follow-up table and print one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=20, help="page changes, sorts and live ticks timed (each)")
    args = parser.parse_args()
    print(json.dumps(figures(args.learners, args.rounds), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
