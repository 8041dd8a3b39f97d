"""Live attendance: N learners sign within a window while one trainer board watches.

Starts Plume on SQLite (demo seed with enough learners), signs the trainer and N
learners in over real websockets, opens a fresh slot for each scenario, has each
learner confirm a signature at a time spread evenly over the window, and measures
the time from a learner's confirm to the trainer's board listing them as signed.
Prints one JSON line per scenario.

    .venv/bin/python -m bench.attendance_live                       # 30/60s, 500/60s, 500/10s
    .venv/bin/python -m bench.attendance_live --scenarios 500:10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from typing import Any

from sqlmodel import col, func, select

from app.models import AttendanceRecord, User
from state.attendance import AttendanceState
from tests.attendance_setup import live_slot
from tests.live import handler, signed_in_tab
from tests.server import PlumeServer, running_plume
from tests.wsclient import ReflexClient

SIGNED_VAR = "signed_at_rx_state_"
DRAWING = "120,200 200,120 280,260 360,110 440,250 520,140 600,230 680,160"


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


class Board:
    """The trainer's tab: notes when each learner first appears in the signed list."""

    def __init__(self, client: ReflexClient) -> None:
        self.client = client
        self.seen: dict[str, float] = {}
        self.state_name = AttendanceState.get_full_name()
        client.sio.on("event", self._on_event, namespace="/_event")

    async def _on_event(self, data: Any) -> None:
        now = time.perf_counter()
        await self.client._on_event(data)  # keep the client's own record of messages
        delta = (data or {}).get("delta") or {}
        for uid in delta.get(self.state_name, {}).get(SIGNED_VAR) or {}:
            self.seen.setdefault(uid, now)


async def _sign_in_all(url: str, emails: list[str], parallel: int = 8) -> list[ReflexClient]:
    gate = asyncio.Semaphore(parallel)

    async def one(email: str) -> ReflexClient:
        async with gate:
            return await signed_in_tab(url, email)

    return list(await asyncio.gather(*(one(e) for e in emails)))


async def _scenario(
    server: PlumeServer, board: Board, learners: list[tuple[str, str, ReflexClient]], n: int, window: float
) -> dict[str, Any]:
    chosen = learners[:n]
    with server.session() as db:
        _, slot_id = live_slot(
            db,
            title=f"Bench {n}/{window:g}s {time.time():.0f}",
            learners=[e for e, _, _ in chosen],
            trainer="trainer@demo.plume.test",
        )
    path = f"/emargement/{slot_id}"
    load = handler(AttendanceState, "load")
    board.seen.clear()
    await board.client.emit(load, path=path)
    await board.client.until(
        lambda m: "roster_rx_state_" in (m.get("delta") or {}).get(board.state_name, {}), timeout=60
    )
    board.seen.clear()
    gate = asyncio.Semaphore(25)

    async def open_page(client: ReflexClient) -> None:
        async with gate:
            await client.emit(load, path=path)
            await client.until(lambda m: board.state_name in (m.get("delta") or {}), timeout=60, settle=0)

    await asyncio.gather(*(open_page(c) for _, _, c in chosen))
    sent: dict[str, float] = {}
    confirm = handler(AttendanceState, "confirm_signature")
    start = time.perf_counter()

    async def sign(i: int, uid: str, client: ReflexClient) -> None:
        await asyncio.sleep(max(0.0, start + window * i / n - time.perf_counter()))
        sent[uid] = time.perf_counter()
        await client.emit(confirm, {"form_data": {"strokes": DRAWING, "key": f"bench-{uid}-{slot_id}"}}, path=path)

    await asyncio.gather(*(sign(i, uid, c) for i, (_, uid, c) in enumerate(chosen)))
    deadline = time.perf_counter() + 30
    while len([u for u in sent if u in board.seen]) < n and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    latencies = [board.seen[u] - sent[u] for u in sent if u in board.seen]
    for _, _, client in chosen:
        client.messages.clear()
    with server.session() as db:
        stored = db.exec(
            select(func.count())
            .select_from(AttendanceRecord)
            .where(
                AttendanceRecord.slot_id == slot_id,
                AttendanceRecord.kind == "signature",
                col(AttendanceRecord.subject_role) == "learner",
            )
        ).one()
    return {
        "bench": "attendance_live",
        "learners": n,
        "window_s": window,
        "p50_ms": _pct(latencies, 0.5),
        "p95_ms": _pct(latencies, 0.95),
        "p99_ms": _pct(latencies, 0.99),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "seen_on_board": len(latencies),
        "signatures_stored": stored,
        "signatures_expected": n,
    }


async def _run(server: PlumeServer, scenarios: list[tuple[int, float]]) -> None:
    most = max(n for n, _ in scenarios)
    emails = [f"learner{k}@demo.plume.test" for k in range(1, most + 1)]
    trainer = await signed_in_tab(server.url, "trainer@demo.plume.test")
    board = Board(trainer)
    tabs = await _sign_in_all(server.url, emails)
    with server.session() as db:
        ids = {u.email: str(u.id) for u in db.exec(select(User).where(col(User.email).in_(emails))).all()}
    learners = [(e, ids[e], t) for e, t in zip(emails, tabs, strict=True)]
    for n, window in scenarios:
        print(json.dumps(await _scenario(server, board, learners, n, window)), flush=True)
    for tab in [trainer, *tabs]:
        await tab.close()


def main() -> None:
    """Run the scenarios (N:window_seconds, comma-separated) and print one JSON line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenarios", default="30:60,500:60,500:10")
    args = parser.parse_args()
    scenarios = [(int(n), float(w)) for n, w in (s.split(":") for s in args.scenarios.split(","))]
    most = max(n for n, _ in scenarios)
    seed = ("--learners", str(max(31, most))) if most > 30 else ()
    with running_plume(seed_args=seed) as server:
        asyncio.run(_run(server, scenarios))


if __name__ == "__main__":
    main()
