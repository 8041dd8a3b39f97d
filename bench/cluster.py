"""Several workers: thousands of learners connected, a thousand signing on ten sheets, a chat room of 300.

Starts Plume on PostgreSQL + Redis with W backend workers behind one port (the
kernel spreads the websockets over the workers: a learner and the trainer's board
are on different workers most of the time), signs L learners in over real
websockets and keeps them connected, then has S of them sign within a window on
ten sheets (S / 10 each, each sheet watched by its own trainer board). Latency is
from a learner's *Confirmer* to their line on the board; every tenth signer sends
its signature twice (a page retrying after a reconnect) to prove the idempotency
key holds across workers. Then a chat room of R members: a few post, everyone
receives. Prints one JSON line per worker count.

    .venv/bin/python -m bench.cluster                                  # 3 workers then 1
    .venv/bin/python -m bench.cluster --workers 3 --learners 500 --signers 250 --room 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import time
from typing import Any

from sqlmodel import col, func, select

from app.models import AttendanceRecord, User
from bench.attendance_live import DRAWING, SIGNED_VAR, _pct
from state.attendance import AttendanceState
from state.chat import ChatState
from tests.attendance_setup import live_slot
from tests.live import handler, signed_in_tab
from tests.server import PlumeServer, running_plume
from tests.wsclient import ReflexClient

BOARD = AttendanceState.get_full_name()
CHAT = ChatState.get_full_name()
SHEETS = 10


class Tab:
    """One connected learner or trainer: when each signature reached its board, each chat message its room."""

    def __init__(self, client: ReflexClient, index: int) -> None:
        self.client, self.index = client, index
        self.signed_seen: dict[str, float] = {}
        self.chat_seen: dict[str, float] = {}
        self.chat_copies = 0
        client.sio.on("event", self._on_event, namespace="/_event")

    async def _on_event(self, data: Any) -> None:
        now = time.perf_counter()
        delta = (data or {}).get("delta") or {}
        for uid in delta.get(BOARD, {}).get(SIGNED_VAR) or {}:
            self.signed_seen.setdefault(uid, now)
        chat = delta.get(CHAT, {})
        for var in ("messages_rx_state_", "fresh_rx_state_"):
            ids = [row["client_id"] for row in chat.get(var) or []]
            self.chat_copies += len(ids) - len(set(ids))  # a message twice in one list (a list is resent whole)
            for cid in ids:
                self.chat_seen.setdefault(cid, now)
        await self.client._on_event(data)


async def _connect(url: str, emails: list[str], parallel: int) -> tuple[list[Tab], list[str]]:
    gate = asyncio.Semaphore(parallel)
    failures: list[str] = []

    async def one(k: int, email: str) -> Tab | None:
        async with gate:
            try:
                return Tab(await signed_in_tab(url, email), k)
            except Exception as exc:  # noqa: BLE001  # counted and reported: the measure of what the box holds
                failures.append(f"{type(exc).__name__}: {exc}"[:200])
                return None

    found = await asyncio.gather(*(one(k, e) for k, e in enumerate(emails)))
    return [t for t in found if t is not None], failures


async def _open(tabs: list[Tab], name: str, path: str, state: str) -> None:
    gate = asyncio.Semaphore(25)

    async def one(tab: Tab) -> None:
        async with gate:
            await tab.client.emit(name, path=path)
            await tab.client.until(lambda m: state in (m.get("delta") or {}), timeout=120, settle=0)
            tab.client.messages.clear()

    await asyncio.gather(*(one(t) for t in tabs))


async def _signatures(server: PlumeServer, tabs: list[Tab], ids: dict[int, str], args: argparse.Namespace) -> dict:
    signers = tabs[: args.signers]
    per_sheet = max(1, len(signers) // SHEETS)
    sheets = [signers[i * per_sheet : (i + 1) * per_sheet] for i in range(SHEETS)]
    stamp = f"{time.time():.0f}"
    boards: list[Tab] = []
    paths: list[str] = []
    for s, group in enumerate(sheets):
        with server.session() as db:
            _, slot_id = live_slot(
                db,
                title=f"Cluster {stamp} feuille {s + 1}",
                learners=[f"learner{t.index + 31}@demo.plume.test" for t in group],
                trainer="trainer@demo.plume.test",
            )
        paths.append(f"/emargement/{slot_id}")
        boards.append(Tab(await signed_in_tab(server.url, "trainer@demo.plume.test"), -1))
    load = handler(AttendanceState, "load")
    for board, path, group in zip(boards, paths, sheets, strict=True):
        await _open([board], load, path, BOARD)
        await _open(group, load, path, BOARD)
        board.signed_seen.clear()
    confirm = handler(AttendanceState, "confirm_signature")
    sent: dict[str, float] = {}
    order = [(board, path, tab) for board, path, group in zip(boards, paths, sheets, strict=True) for tab in group]
    total = len(order)
    start = time.perf_counter()

    async def sign(i: int, path: str, tab: Tab) -> None:
        await asyncio.sleep(max(0.0, start + args.window * i / total - time.perf_counter()))
        uid = ids[tab.index]
        key = f"cluster-{stamp}-{uid}"
        sent[uid] = time.perf_counter()
        payload = {"form_data": {"strokes": DRAWING, "key": key}}
        await tab.client.emit(confirm, payload, path=path)
        if i % 10 == 0:  # the page retries after a reconnect: same key, must not store twice
            await asyncio.sleep(0.5)
            await tab.client.emit(confirm, payload, path=path)

    await asyncio.gather(*(sign(i, path, tab) for i, (_, path, tab) in enumerate(order)))
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline and sum(len(b.signed_seen) for b in boards) < total:
        await asyncio.sleep(0.1)
    latencies = [
        board.signed_seen[ids[tab.index]] - sent[ids[tab.index]]
        for board, _, tab in order
        if ids[tab.index] in board.signed_seen
    ]
    slot_ids = [int(p.rsplit("/", 1)[1]) for p in paths]
    with server.session() as db:
        rows = db.exec(
            select(AttendanceRecord.slot_id, AttendanceRecord.subject_user_id, func.count())
            .where(col(AttendanceRecord.slot_id).in_(slot_ids), AttendanceRecord.kind == "signature")
            .where(col(AttendanceRecord.subject_role) == "learner")
            .group_by(col(AttendanceRecord.slot_id), col(AttendanceRecord.subject_user_id))
        ).all()
    stored = {(slot, subject) for slot, subject, _ in rows}
    for board in boards:
        await board.client.close()
    return {
        "signatures": total,
        "p95_ms": _pct(latencies, 0.95),
        "p50_ms": _pct(latencies, 0.5),
        "seen_on_boards": len(latencies),
        "lost": total - min(len(stored), len(latencies)),
        "duplicates": sum(n - 1 for _, _, n in rows),
    }


async def _chat(server: PlumeServer, tabs: list[Tab], args: argparse.Namespace) -> dict:
    members = tabs[: args.room]
    with server.session() as db:
        session_id, _ = live_slot(
            db, title=f"Salon {time.time():.0f}", learners=[f"learner{t.index + 31}@demo.plume.test" for t in members]
        )
    path = f"/sessions/{session_id}"
    await _open(members, handler(ChatState, "load"), path, CHAT)
    for tab in members:
        tab.chat_seen.clear()
        tab.chat_copies = 0
    senders = members[:5]
    sent: dict[str, float] = {}

    async def talk(position: int, sender: Tab) -> None:
        await asyncio.sleep(position / len(senders))
        for k in range(10):
            cid = f"cluster-{session_id}-{sender.index}-{k:03d}"
            sent[cid] = time.perf_counter()
            body = {"form_data": {"body": f"Message {k}", "client_id": cid}}
            await sender.client.emit(handler(ChatState, "send"), body, path=path)
            await asyncio.sleep(1)

    await asyncio.gather(*(talk(i, s) for i, s in enumerate(senders)))
    deadline = time.perf_counter() + 30
    while time.perf_counter() < deadline and sum(len(m.chat_seen) for m in members) < len(sent) * len(members):
        await asyncio.sleep(0.1)
    latencies = []
    for cid, at in sent.items():
        times = [m.chat_seen[cid] for m in members if cid in m.chat_seen]
        if len(times) == len(members):
            latencies.append(max(times) - at)
    return {
        "chat_members": len(members),
        "chat_p95_ms": _pct(latencies, 0.95),
        "chat_delivered": sum(len(m.chat_seen) for m in members),
        "chat_expected": len(sent) * len(members),
        "chat_duplicates": sum(m.chat_copies for m in members),
    }


async def _run(server: PlumeServer, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    emails = [f"learner{k}@demo.plume.test" for k in range(31, 31 + args.learners)]
    started = time.perf_counter()
    tabs, failures = await _connect(server.url, emails, args.parallel)
    connect_s = time.perf_counter() - started
    with server.session() as db:
        rows = db.exec(select(User.email, User.id).where(col(User.email).in_(emails))).all()
    by_email = {email: str(uid) for email, uid in rows}
    ids = {t.index: by_email[emails[t.index]] for t in tabs}
    line: dict[str, Any] = {
        "bench": "cluster",
        "workers": workers,
        "connected": len(tabs),
        "connect_s": round(connect_s),
    }
    if failures:
        line["connect_failures"] = len(failures)
        line["first_failure"] = failures[0]
    line |= await _signatures(server, tabs, ids, args)
    line |= await _chat(server, tabs, args)
    line["client_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    for tab in tabs:
        await tab.client.close()
    return line


def main() -> None:
    """Run the scenario once per worker count and print one JSON line each."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="3,1", help="worker counts, comma-separated")
    parser.add_argument("--learners", type=int, default=2000, help="learners connected")
    parser.add_argument("--signers", type=int, default=1000, help="of whom sign, on ten sheets")
    parser.add_argument("--window", type=float, default=60.0, help="seconds over which they sign")
    parser.add_argument("--room", type=int, default=300, help="members of the chat room")
    parser.add_argument("--parallel", type=int, default=16, help="sign-ins at once while connecting")
    args = parser.parse_args()
    for workers in (int(w) for w in args.workers.split(",")):
        seed = ("--learners", str(30 + args.learners))
        with running_plume(seed_args=seed, backend="cluster", workers=workers) as server:
            print(json.dumps(asyncio.run(_run(server, workers, args))), flush=True)


if __name__ == "__main__":
    main()
