"""Tutoring centre at scale: a tutor follows a session of 10,000 learners.

Starts Plume on SQLite with the scale seed (`plume seed --learners 10000`: the
session "Cybersécurité — campagne annuelle", followed by tutor@demo.plume.test),
then measures, for the tutor:

- in process, against the server's database: `tutoring.centre()` alone (first
  page, a sort, a page change) and everything the state's `_show` reads on each
  load, sort or page change, so server compute is seen apart from the websocket;
- over real websockets: `load` of the centre (tiles, pie, first page of 50), a
  sort (`sort_by` cycling progress, name, time, last_activity) and a page change
  (`go_to` across the pages), each from sending the event to receiving the delta
  with the new rows, and the size of every delta (the JSON of the messages the
  event produced);
- attestations for N learners (five pages of 100 selected): from sending
  `make_attestations` to receiving its download, while a second tab of the same
  tutor keeps sending cheap events to show the event loop stays responsive.

Targets (from the issue; reported, not asserted): load, sort and page change p95
≤ 50 ms; ≤ 50 KB of delta per interaction; 500 attestations ≤ 5 s, off the loop.
Prints one JSON line.

    .venv/bin/python -m bench.tutoring_scale
    .venv/bin/python -m bench.tutoring_scale --rounds 10 --attestations 200
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.models import TrainingSession, User
from app.services import missions, tutoring
from app.services.actor import Actor
from app.services.auth import open_session, resolve_actor
from app.services.sessions.view import session_view
from state.tutoring import TutoringCentreState
from tests.live import handler, signed_in_tab
from tests.server import PlumeServer, running_plume
from tests.wsclient import ReflexClient

TUTOR = "tutor@demo.plume.test"
BIG_SESSION = "Cybersécurité — campagne annuelle"
NAME = TutoringCentreState.get_full_name()
SORTS = ("progress", "name", "time", "last_activity")
ATTESTATION_PAGE = 100
Predicate = Callable[[dict[str, Any]], bool]


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000, 1)


def _ms(values: list[float]) -> dict[str, float | None]:
    return {"p50": _pct(values, 0.5), "p95": _pct(values, 0.95), "max": _pct(values, 1.0)}


def _size(message: dict[str, Any]) -> int:
    """Bytes of a message as Reflex puts it on the wire (compact JSON, UTF-8)."""
    return len(json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode())


def _centre(message: dict[str, Any]) -> dict[str, Any]:
    return (message.get("delta") or {}).get(NAME, {})


def _has(var: str) -> Predicate:
    return lambda m: f"{var}_rx_state_" in _centre(m)


def _downloaded(message: dict[str, Any]) -> bool:
    return any(ev.get("name") == "_download" for ev in message.get("events") or [])


class Tab:
    """The tutor's tab on the centre: sends an event, times it to the delta that answers it."""

    def __init__(self, client: ReflexClient, path: str) -> None:
        self.client, self.path = client, path

    async def timed(
        self, name: str, payload: Any = None, *, until: Predicate, timeout: float = 30.0
    ) -> tuple[float, int, list[dict[str, Any]]]:
        """Send one event and wait for the message that completes it.

        Args:
            name: The handler (short name, on TutoringCentreState).
            payload: Its arguments.
            until: Whether a message completes the event.
            timeout: Seconds.

        Returns:
            Seconds to the completing message, bytes of all the event's messages, the messages.
        """
        self.client.messages.clear()
        start = time.perf_counter()
        await self.client.emit(handler(TutoringCentreState, name), payload or {}, path=self.path)
        got = await self.client.until(until, timeout=timeout, settle=0)
        elapsed = time.perf_counter() - start
        if not any(until(m) for m in got):
            msg = f"{name}({payload}) not answered within {timeout}s: {str(got)[:500]}"
            raise RuntimeError(msg)
        got += await self.client.drain(quiet=0.1)  # anything the same event still sent
        return elapsed, sum(_size(m) for m in got), got


def _tutor_actor(server: PlumeServer) -> tuple[Actor, int]:
    with server.session() as db:
        tutor = db.exec(select(User).where(User.email == TUTOR)).one()
        session_id = db.exec(select(TrainingSession.id).where(TrainingSession.title == BIG_SESSION)).one()
        signed = open_session(db, tutor)
        db.commit()
        actor = resolve_actor(db, signed.token)
    assert actor is not None and session_id is not None
    return actor, session_id


def _in_process(server: PlumeServer, actor: Actor, session_id: int, calls: int) -> dict[str, Any]:
    """Time the service alone, a fresh database session per call as `run_db` does."""

    def show_reads(db: Session) -> None:  # what TutoringCentreState._show reads on every interaction
        centre = tutoring.centre(db, actor, session_id)
        missions.waiting_counts(db, centre.session_ids, "all")
        session_view(db, actor, session_id)

    def run(work: Callable[[Session, int], Any]) -> list[float]:
        times = []
        for i in range(calls):
            start = time.perf_counter()
            with Session(server.engine) as db:
                work(db, i)
            times.append(time.perf_counter() - start)
        return times

    with Session(server.engine) as db:
        pages = tutoring.centre(db, actor, session_id).pages
    first = run(lambda db, _: tutoring.centre(db, actor, session_id))
    sort = run(
        lambda db, i: tutoring.centre(
            db, actor, session_id, sort=SORTS[i % len(SORTS)], descending=SORTS[i % len(SORTS)] != "name"
        )
    )
    page = run(lambda db, i: tutoring.centre(db, actor, session_id, page=1 + (i * 67) % pages))
    show = run(lambda db, _: show_reads(db))
    return {
        "centre_sql_p95_ms": {"first_page": _pct(first, 0.95), "sort": _pct(sort, 0.95), "page": _pct(page, 0.95)},
        "centre_sql_p50_ms": {"first_page": _pct(first, 0.5), "sort": _pct(sort, 0.5), "page": _pct(page, 0.5)},
        "show_reads_p95_ms": _pct(show, 0.95),
    }


async def _interactions(tab: Tab, rounds: int) -> dict[str, Any]:
    await tab.timed("load", until=_has("rows"))  # warm-up: caches, the first SessionState read
    loads, load_bytes = [], []
    for _ in range(rounds):
        elapsed, size, got = await tab.timed("load", until=_has("rows"))
        loads.append(elapsed)
        load_bytes.append(size)
    pages = max(int(_centre(m)["pages_rx_state_"]) for m in got if _has("pages")(m))
    sorts, sort_bytes = [], []
    for column in itertools.islice(itertools.cycle(SORTS), rounds):
        elapsed, size, _ = await tab.timed("sort_by", {"column": column}, until=_has("rows"))
        sorts.append(elapsed)
        sort_bytes.append(size)
    await tab.timed("load", until=_has("rows"))  # page changes in the default order, from page 1
    turns, page_bytes = [], []
    for i in range(rounds):
        elapsed, size, _ = await tab.timed("go_to", {"page": 2 + (i * 67) % (pages - 1)}, until=_has("rows"))
        turns.append(elapsed)
        page_bytes.append(size)
    return {
        "pages": pages,
        "load_ms": _ms(loads),
        "sort_ms": _ms(sorts),
        "page_ms": _ms(turns),
        "delta_bytes": {"load": max(load_bytes), "sort": max(sort_bytes), "page": max(page_bytes)},
    }


async def _select_all(tab: Tab) -> dict[str, Any]:
    """`select_all_pages` on the whole session: the selection stays on the server, the page gets a count."""
    await tab.timed("load", until=_has("rows"))
    elapsed, size, got = await tab.timed("select_all_pages", until=_has("selected_count"))
    count = max(_centre(m)["selected_count_rx_state_"] for m in got if _has("selected_count")(m))
    await tab.timed("clear_selection", until=_has("selected_count"))
    return {"select_all_ms": round(elapsed * 1000, 1), "select_all_delta_bytes": size, "select_all_count": count}


async def _select(tab: Tab, count: int) -> int:
    """Select the first `count` learners, a page of 100 at a time (as a tutor would)."""
    _, _, got = await tab.timed("load", until=_has("rows"))
    _, _, got = await tab.timed("set_page_size", {"size": ATTESTATION_PAGE}, until=_has("rows"))
    rows = next(_centre(m)["rows_rx_state_"] for m in reversed(got) if _has("rows")(m))
    selected = 0
    page = 1
    while selected < count:
        if page > 1:
            _, _, got = await tab.timed("go_to", {"page": page}, until=_has("rows"))
            rows = next(_centre(m)["rows_rx_state_"] for m in reversed(got) if _has("rows")(m))
        if not rows:
            break
        wanted = count - selected
        if wanted >= len(rows):
            _, _, got = await tab.timed("toggle_page", until=_has("selected_count"))
        else:
            for row in rows[:wanted]:
                _, _, got = await tab.timed("toggle", {"key": row["key"]}, until=_has("selected_count"))
        selected = next(_centre(m)["selected_count_rx_state_"] for m in reversed(got) if _has("selected_count")(m))
        page += 1
    return selected


async def _attestations(tab: Tab, probe: Tab, count: int, pages: int, files_dir: Path) -> dict[str, Any]:
    selected = await _select(tab, count)
    await probe.timed("load", until=_has("rows"))
    loop_probe: list[float] = []  # toggle_page: a sync handler, no database: the event loop alone
    page_probe: list[float] = []  # go_to: the loop plus a query in a worker thread

    async def keep_probing(done: asyncio.Event) -> None:
        for i in itertools.count():
            if done.is_set():
                return
            elapsed, _, _ = await probe.timed("toggle_page", until=_has("selected_count"))
            loop_probe.append(elapsed)
            elapsed, _, _ = await probe.timed("go_to", {"page": 2 + (i * 67) % (pages - 1)}, until=_has("rows"))
            page_probe.append(elapsed)
            await asyncio.sleep(0.1)

    idle = asyncio.Event()
    baseline = asyncio.create_task(keep_probing(idle))
    await asyncio.sleep(2)
    idle.set()
    await baseline
    idle_probes = {"toggle_page_ms": _ms(loop_probe), "go_to_ms": _ms(page_probe)}
    loop_probe.clear()
    page_probe.clear()
    done = asyncio.Event()
    probing = asyncio.create_task(keep_probing(done))
    try:
        elapsed, _, got = await tab.timed("make_attestations", until=_downloaded, timeout=300)
    finally:
        done.set()
        await probing
    error = next((_centre(m)["error_rx_state_"] for m in got if _centre(m).get("error_rx_state_")), "")
    zips = sorted((files_dir / "exports").glob("*.zip"), key=lambda p: p.stat().st_mtime)
    return {
        "attestations_selected": selected,
        f"attestations_{count}_s": round(elapsed, 2),
        "attestations_zip_bytes": zips[-1].stat().st_size if zips else None,
        "attestations_error": error or None,
        "loop_latency_during_attestations_ms": _pct(page_probe, 1.0),
        "loop_probes_during_attestations": {
            "toggle_page_ms": _ms(loop_probe),
            "go_to_ms": _ms(page_probe),
            "probes": len(loop_probe) + len(page_probe),
        },
        "loop_probes_idle": idle_probes,
    }


async def _over_websockets(server: PlumeServer, session_id: int, args: argparse.Namespace) -> dict[str, Any]:
    path = f"/tutorat/{session_id}"
    tab = Tab(await signed_in_tab(server.url, TUTOR), path)
    probe = Tab(await signed_in_tab(server.url, TUTOR), path)
    try:
        found = await _interactions(tab, args.rounds)
        chosen = await _select_all(tab)
        attest = await _attestations(tab, probe, args.attestations, found["pages"], server.files_dir)
    finally:
        await tab.client.close()
        await probe.client.close()
    return {**found, **chosen, **attest}


def main() -> None:
    """Seed the scale data set, start Plume, measure, print one JSON line."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=30, help="loads, sorts and page changes timed (each)")
    parser.add_argument("--sql-calls", type=int, default=50, help="in-process calls of tutoring.centre() (each)")
    parser.add_argument("--attestations", type=int, default=500)
    args = parser.parse_args()
    with running_plume(seed_args=("--learners", str(args.learners))) as server:
        actor, session_id = _tutor_actor(server)
        in_process = _in_process(server, actor, session_id, args.sql_calls)
        ws = asyncio.run(_over_websockets(server, session_id, args))
        log_errors = server.errors_since(0)
    deltas = ws.pop("delta_bytes")
    result = {
        "bench": "tutoring_scale",
        "learners": args.learners,
        "rounds": args.rounds,
        "load_p50_ms": ws["load_ms"]["p50"],
        "load_p95_ms": ws["load_ms"]["p95"],
        "load_max_ms": ws["load_ms"]["max"],
        "sort_p50_ms": ws["sort_ms"]["p50"],
        "sort_p95_ms": ws["sort_ms"]["p95"],
        "sort_max_ms": ws["sort_ms"]["max"],
        "page_p50_ms": ws["page_ms"]["p50"],
        "page_p95_ms": ws["page_ms"]["p95"],
        "page_max_ms": ws["page_ms"]["max"],
        "load_delta_bytes": deltas["load"],
        "sort_delta_bytes": deltas["sort"],
        "page_delta_bytes": deltas["page"],
        "max_delta_bytes": max(deltas.values()),
        **{k: v for k, v in ws.items() if k not in ("pages", "load_ms", "sort_ms", "page_ms")},
        **in_process,
        "server_log_errors": len(log_errors),
    }
    print(json.dumps(result, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
