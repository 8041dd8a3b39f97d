"""Chat fan-out: N members join one room over real websockets, a few of them post, everyone receives.

Starts Plume on SQLite (demo seed with enough learners), signs N learners in,
creates a session with all of them, has them all open its chat at once (join
time: until every tab has its history; presence: until every tab lists N people
online), then has S senders post M messages each, one every `interval` seconds
(taking turns within the interval; `--burst` makes them post at the same instant).
Prints one JSON line per room size: p50/p95/max latency until the last member
has each message, delivered vs expected, duplicates, per-sender order violations.

    .venv/bin/python -m bench.chat_fanout                     # rooms of 30 and 100
    .venv/bin/python -m bench.chat_fanout --rooms 100 --senders 5 --messages 10 --interval 1
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from typing import Any

from state.chat import ChatState
from tests.attendance_setup import live_slot
from tests.live import handler, signed_in_tab
from tests.server import PlumeServer, running_plume
from tests.wsclient import ReflexClient

NAME = ChatState.get_full_name()


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


class Member:
    """One member's tab: when each message (by client id) first reached it, and how often."""

    def __init__(self, client: ReflexClient, index: int) -> None:
        self.client, self.index = client, index
        self.arrived: dict[str, float] = {}
        self.order: list[str] = []
        self.duplicates = 0
        self.loaded: float | None = None
        self.online = 0
        client.sio.on("event", self._on_event, namespace="/_event")

    async def _on_event(self, data: Any) -> None:
        now = time.perf_counter()
        delta = ((data or {}).get("delta") or {}).get(NAME, {})
        if "chat_found_rx_state_" in delta and self.loaded is None:
            self.loaded = now
        if "online_rx_state_" in delta:
            self.online = len(delta["online_rx_state_"] or [])
        for var in ("messages_rx_state_", "fresh_rx_state_"):
            rows = delta.get(var) or []
            ids = [r["client_id"] for r in rows]
            self.duplicates += len(ids) - len(set(ids))
            for cid in ids:
                if cid not in self.arrived:
                    self.arrived[cid] = now
                    self.order.append(cid)


async def _room(server: PlumeServer, members: list[Member], args: argparse.Namespace, n: int) -> dict[str, Any]:
    chosen = members[:n]
    for m in chosen:
        m.arrived.clear()
        m.order.clear()
        m.duplicates, m.loaded, m.online = 0, None, 0
    emails = [f"learner{m.index}@demo.plume.test" for m in chosen]
    with server.session() as db:
        session_id, _ = live_slot(db, title=f"Chat {n} {time.time():.0f}", learners=emails)
    path = f"/sessions/{session_id}"
    start = time.perf_counter()
    for m in chosen:
        await m.client.emit(handler(ChatState, "load"), path=path)
    deadline = start + 60
    while any(m.loaded is None for m in chosen) and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    joined = max((m.loaded or deadline) for m in chosen) - start
    while any(m.online < n for m in chosen) and time.perf_counter() < deadline:
        await asyncio.sleep(0.02)
    presence = time.perf_counter() - start
    await asyncio.sleep(1)
    senders = chosen[: args.senders]
    sent: dict[str, float] = {}
    order: dict[int, list[str]] = {s.index: [] for s in senders}

    async def talk(position: int, sender: Member) -> None:
        if not args.burst:  # senders take turns within each interval, as people do
            await asyncio.sleep(args.interval * position / len(senders))
        for k in range(args.messages):
            cid = f"bench-{session_id}-{sender.index}-{k:04d}"
            sent[cid] = time.perf_counter()
            order[sender.index].append(cid)
            await sender.client.emit(
                handler(ChatState, "send"), {"form_data": {"body": f"Message {k}", "client_id": cid}}, path=path
            )
            await asyncio.sleep(args.interval)

    await asyncio.gather(*(talk(i, s) for i, s in enumerate(senders)))
    expected = len(sent) * n
    deadline = time.perf_counter() + 30
    while sum(len(m.arrived) for m in chosen) < expected and time.perf_counter() < deadline:
        await asyncio.sleep(0.05)
    latencies = []
    for cid, at in sent.items():
        times = [m.arrived[cid] for m in chosen if cid in m.arrived]
        if len(times) == n:
            latencies.append(max(times) - at)
    violations = 0
    for m in chosen:
        for sender_order in order.values():
            seen = [c for c in m.order if c in set(sender_order)]
            violations += sum(1 for a, b in itertools.pairwise(seen) if sender_order.index(a) > sender_order.index(b))
    return {
        "bench": "chat_fanout",
        "members": n,
        "senders": len(senders),
        "messages_per_sender": args.messages,
        "interval_s": args.interval,
        "burst": args.burst,
        "join_s": round(joined, 2),
        "presence_settled_s": round(presence, 2),
        "p50_ms": _pct(latencies, 0.5),
        "p95_ms": _pct(latencies, 0.95),
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "delivered": sum(len(m.arrived) for m in chosen),
        "expected": expected,
        "duplicates": sum(m.duplicates for m in chosen),
        "order_violations": violations,
    }


async def _run(server: PlumeServer, args: argparse.Namespace, rooms: list[int]) -> None:
    most = max(rooms)
    gate = asyncio.Semaphore(8)

    async def sign(k: int) -> Member:
        async with gate:
            return Member(await signed_in_tab(server.url, f"learner{k}@demo.plume.test"), k)

    # learner1..30 are the demo's; the room uses learners from 31 up so the demo stays as seeded.
    members = list(await asyncio.gather(*(sign(k) for k in range(31, 31 + most))))
    for n in rooms:
        print(json.dumps(await _room(server, members, args, n)), flush=True)
    for m in members:
        await m.client.close()


def main() -> None:
    """Run one room per size and print one JSON line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", default="30,100")
    parser.add_argument("--senders", type=int, default=5)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--burst", action="store_true", help="all senders post at the same instant")
    args = parser.parse_args()
    rooms = [int(r) for r in args.rooms.split(",")]
    with running_plume(seed_args=("--learners", str(30 + max(rooms)))) as server:
        asyncio.run(_run(server, args, rooms))


if __name__ == "__main__":
    main()
