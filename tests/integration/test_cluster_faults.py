"""Faults in a two-worker deployment: Redis restarted, PostgreSQL restarted, a worker killed mid-signing.

Each test breaks something, so the module runs its own cluster (PostgreSQL, Redis, two workers on two ports),
never the shared one, and checks when it stops that nothing it started is left running. What must hold:
a signature is stored once whatever fails, a learner is never shown "signed" for a record that was not
committed, live updates come back, and an outage is shown in words. Skipped when PostgreSQL or redis-server
is not installed (`make test` installs both).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func
from sqlmodel import select

from app.i18n import t
from app.models import AttendanceRecord, User
from app.services.attendance import chain as attendance_chain
from state.attendance import AttendanceState
from tests.attendance_setup import live_slot, trainer_email
from tests.live import handler, signed_in_tab, var
from tests.server import PlumeCluster, cluster_available, running_cluster
from tests.wsclient import ReflexClient

DRAWING = "100,100 300,200 500,120 700,260"
ATTENDANCE = AttendanceState.get_full_name()
LIVE_BOUND_S = 5.0  # the bound for live updates to resume after a Redis restart


def _port_free(port: int) -> bool:
    """Whether nothing listens on a port any more (connections it served may linger in TIME_WAIT)."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _group_gone(pid: int) -> bool:
    try:
        os.killpg(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def faulty() -> Iterator[PlumeCluster]:
    """A cluster of this module's own (230 learners), torn down and checked for leftovers afterwards.

    Yields:
        The cluster.
    """
    if not cluster_available():
        pytest.skip("needs PostgreSQL and redis-server (make postgresql redis)")
    with running_cluster(workers=2, seed_args=("--learners", "230")) as cluster:
        ports = [urlsplit(url).port or 0 for url in cluster.urls] + [cluster.redis.port, cluster.postgres.port]
        processes = list(cluster.processes)
        yield cluster
    for process in processes:
        assert process.poll() is not None, f"worker {process.pid} still running"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
        all(_group_gone(p.pid) for p in processes) and all(_port_free(port) for port in ports)
    ):
        time.sleep(0.2)
    assert all(_group_gone(p.pid) for p in processes), "a worker left processes behind"
    assert [port for port in ports if not _port_free(port)] == [], "a port is still taken"


def _uid(cluster: PlumeCluster, email: str) -> str:
    with cluster.workers[0].session() as db:
        return str(db.exec(select(User.id).where(User.email == email)).one())


def _signed_ids(cluster: PlumeCluster, slot_id: int) -> list[int]:
    """Who has a committed signature on a slot, one entry per record (duplicates would show twice)."""
    with cluster.workers[0].session() as db:
        rows = db.exec(
            select(AttendanceRecord.subject_user_id).where(
                AttendanceRecord.slot_id == slot_id, AttendanceRecord.kind == "signature"
            )
        ).all()
    return sorted(int(r or 0) for r in rows)


def _record_count(cluster: PlumeCluster, slot_id: int) -> int:
    with cluster.workers[0].session() as db:
        return int(db.exec(select(func.count()).where(AttendanceRecord.slot_id == slot_id)).one())


def _chain_intact(cluster: PlumeCluster) -> None:
    """The attendance chain holds: every record sealed, linked to the one before, none missing or half-written."""
    server = cluster.workers[0]
    with server.services_here(), server.session() as db:
        report = attendance_chain.verify_chain(db)
    assert report.ok, report


def _board_ids(message: dict[str, Any]) -> set[str]:
    return set(((message.get("delta") or {}).get(ATTENDANCE, {}) or {}).get("signed_at_rx_state_") or {})


def _says_signed(message: dict[str, Any]) -> bool:
    return bool((((message.get("delta") or {}).get(ATTENDANCE, {}) or {}).get("view_rx_state_") or {}).get("signed"))


def _shown_signed(messages: list[dict[str, Any]]) -> bool:
    return any(_says_signed(m) for m in messages)


def _shows(messages: list[dict[str, Any]], text: str) -> bool:
    """Whether a text reached the tab, as a var or inside a toast's script (where it travels JS-escaped)."""
    blob = json.dumps(messages)
    escaped = json.dumps(text)[1:-1]
    return any(form in blob for form in (text, escaped, escaped.replace("\\", "\\\\")))


async def _sign(tab: ReflexClient, slot_id: int, key: str) -> None:
    form = {"form_data": {"strokes": DRAWING, "key": key}}
    await tab.emit(handler(AttendanceState, "confirm_signature"), form, path=f"/emargement/{slot_id}")


async def _poll_board(board: ReflexClient, expected: set[str], deadline: float) -> set[str]:
    """Read the board's pushes until it has shown every expected learner as signed, or until a deadline.

    Args:
        board: The trainer's tab.
        expected: Learner ids.
        deadline: `time.monotonic()` at which to stop.

    Returns:
        The learners the board showed as signed meanwhile.
    """
    shown: set[str] = set()
    while not expected <= shown and time.monotonic() < deadline:
        got = await board.until(lambda m: bool(_board_ids(m)), timeout=max(0.05, deadline - time.monotonic()), settle=0)
        for message in got:
            shown |= _board_ids(message)
    return shown


async def _same_tab_on(tab: ReflexClient, base_url: str) -> ReflexClient:
    """The tab's socket reopened on a worker, as the page does when its socket drops: same token and cookies.

    Args:
        tab: The tab (its socket is closed here if still open).
        base_url: The worker to reconnect to.

    Returns:
        The reconnected tab.
    """
    if tab.sio.connected:
        await tab.close()
    moved = ReflexClient(base_url, headers=tab.headers)
    moved.token, moved.device, moved.session = tab.token, tab.device, tab.session
    await moved.connect()
    return moved


@pytest.mark.timeout(1200)  # the first test also waits for the cluster's build
async def test_signatures_survive_a_redis_restart_and_live_updates_resume(faulty: PlumeCluster) -> None:
    a, b = faulty.urls
    emails = [f"learner{n}@demo.plume.test" for n in range(31, 41)]
    session_id, slot_id = live_slot(faulty.workers[0].session(), title="Panne de Redis", learners=emails)
    path = f"/emargement/{slot_id}"
    uids = {email: _uid(faulty, email) for email in emails}
    board = await signed_in_tab(b, trainer_email(session_id))
    await board.call(handler(AttendanceState, "load"), path=path)
    tabs = {}
    for email in emails:
        tabs[email] = await signed_in_tab(a, email)
        await tabs[email].call(handler(AttendanceState, "load"), path=path)
    keys = {email: f"redis-fault-{n:04d}" for n, email in enumerate(emails)}
    before, during, after = emails[:3], emails[3:6], emails[6:]
    # Before: each signature reaches the board on the other worker.
    for email in before:
        await _sign(tabs[email], slot_id, keys[email])
        seen = await board.until(lambda m, uid=uids[email]: uid in _board_ids(m), timeout=15)
        assert uids[email] in (var(seen, AttendanceState, "signed_at") or {})
    offset = faulty.workers[0].log_size()
    faulty.redis.stop()
    shown: dict[str, bool] = {}
    told_why: dict[str, bool] = {}
    try:
        for email in during:
            if tabs[email].sio.connected:
                await _sign(tabs[email], slot_id, keys[email])
            replies = await tabs[email].drain(quiet=1.0, limit=6.0)
            shown[email] = _shown_signed(replies)
            told_why[email] = _shows(replies, t("fr", "error.unavailable")) and not _shows(replies, "An error occurred")
        committed = set(_signed_ids(faulty, slot_id))
        open_sockets = sum(tabs[e].sio.connected for e in during)
        stored = sum(int(uids[e]) in committed for e in during)
        print(f"\nRedis down: {sum(shown.values())} told signed, {stored} stored, {open_sockets} sockets open of 3")
        # Never "signed" on the learner's page for a record the database does not hold; else told why, in words.
        assert {email for email, yes in shown.items() if yes} <= {e for e in during if int(uids[e]) in committed}
        assert [e for e in during if not shown[e] and not told_why[e]] == []
    finally:
        faulty.redis.start()
    restarted = time.monotonic()
    # Live updates resume within the bound: a signature made once Redis is back, and those committed while it
    # was down, reach the board on the other worker (polled until the bound; the pages' sockets reconnect
    # first if they dropped: same token, same cookies, as the page does).
    if not board.sio.connected:
        board = await _same_tab_on(board, b)
    first_after = after[0]
    if not tabs[first_after].sio.connected:
        tabs[first_after] = await _same_tab_on(tabs[first_after], a)
    await _sign(tabs[first_after], slot_id, keys[first_after])
    committed = set(_signed_ids(faulty, slot_id))
    expected = {uids[e] for e in before + during if int(uids[e]) in committed} | {uids[first_after]}
    on_board = await _poll_board(board, expected, restarted + LIVE_BOUND_S)
    assert expected <= on_board, f"the board missed {expected - on_board} {LIVE_BOUND_S:.0f} s after Redis came back"
    # The pages retry what they were not told was signed, with the same key: taken once, and on the board.
    for email in during:
        if not shown[email]:
            if not tabs[email].sio.connected:
                tabs[email] = await _same_tab_on(tabs[email], a)
            await _sign(tabs[email], slot_id, keys[email])
            confirmed = await tabs[email].until(_says_signed, timeout=30)
            assert _shown_signed(confirmed), f"{email} never saw the signature taken"
    for email in after[1:]:
        await _sign(tabs[email], slot_id, keys[email])
    everyone = {uids[e] for e in emails}
    on_board |= await _poll_board(board, everyone, time.monotonic() + 30)
    assert everyone <= on_board, f"the board missed {everyone - on_board}"
    # No signature lost, none twice.
    assert _signed_ids(faulty, slot_id) == sorted(int(uids[e]) for e in emails)
    _chain_intact(faulty)
    assert "redis unavailable" in faulty.workers[0].log_path.read_bytes()[offset:].decode(errors="replace")
    for tab in [board, *tabs.values()]:
        if tab.sio.connected:
            await tab.close()


@pytest.mark.timeout(300)
async def test_a_postgresql_restart_shows_a_clear_error_and_the_same_tab_signs_after(faulty: PlumeCluster) -> None:
    a, _ = faulty.urls
    email = "learner41@demo.plume.test"
    _, slot_id = live_slot(faulty.workers[0].session(), title="Panne de PostgreSQL", learners=[email])
    path = f"/emargement/{slot_id}"
    tab = await signed_in_tab(a, email)
    page = await tab.call(handler(AttendanceState, "load"), path=path)
    assert var(page, AttendanceState, "view")["can_sign"]
    offset = faulty.workers[0].log_size()
    faulty.postgres.stop("fast")
    try:
        await _sign(tab, slot_id, "pg-fault-0001")
        replies = await tab.until(lambda m: _shows([m], t("fr", "error.unavailable")), timeout=30)
    finally:
        faulty.postgres.start()
    assert _shows(replies, t("fr", "error.unavailable")), f"no clear error shown: {replies}"
    assert not _shows(replies, "An error occurred") and not _shows(replies, "Traceback")
    assert not _shown_signed(replies)
    assert _record_count(faulty, slot_id) == 0  # nothing half-written
    _chain_intact(faulty)
    log = faulty.workers[0].log_path.read_bytes()[offset:].decode(errors="replace")
    assert "database unavailable" in log
    # Same tab, same key, no restart of Plume: the pool reconnects and the signature is taken, once.
    await _sign(tab, slot_id, "pg-fault-0001")
    signed = await tab.until(_says_signed, timeout=30)
    assert _shown_signed(signed) and not var(signed, AttendanceState, "sign_error")
    assert _signed_ids(faulty, slot_id) == [int(_uid(faulty, email))]
    await tab.close()


async def _open_tab(base_url: str, email: str, slot_id: int, gate: asyncio.Semaphore) -> ReflexClient:
    async with gate:
        tab = await signed_in_tab(base_url, email)
        page = await tab.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
        assert var(page, AttendanceState, "view")["can_sign"], email
        return tab


@pytest.mark.timeout(900)
async def test_a_worker_killed_during_200_signatures_loses_and_duplicates_nothing(faulty: PlumeCluster) -> None:
    a, b = faulty.urls
    emails = [f"learner{n}@demo.plume.test" for n in range(31, 231)]
    _, slot_id = live_slot(faulty.workers[0].session(), title="Worker tué pendant l'émargement", learners=emails)
    path = f"/emargement/{slot_id}"
    on_a, on_b = emails[::2], emails[1::2]
    gate = asyncio.Semaphore(16)
    opened = await asyncio.gather(
        *(_open_tab(a, e, slot_id, gate) for e in on_a), *(_open_tab(b, e, slot_id, gate) for e in on_b)
    )
    tabs = dict(zip(on_a + on_b, opened, strict=True))
    keys = {email: f"kill-{n:04d}-{slot_id}" for n, email in enumerate(emails)}
    await asyncio.gather(*(_sign(tabs[e], slot_id, keys[e]) for e in emails))
    # Kill worker A's whole process group mid-way: as soon as the first signatures are committed.
    deadline = time.monotonic() + 60
    while _record_count(faulty, slot_id) < 10 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    worker_a = faulty.processes[0]
    os.killpg(worker_a.pid, signal.SIGKILL)
    committed_at_kill = _record_count(faulty, slot_id)
    worker_a.wait(timeout=20)
    print(f"\nworker A killed with {committed_at_kill} of {len(emails)} signatures committed")
    # What each page was told before the kill: never "signed" without a committed record.
    told = {e: _shown_signed(tabs[e].messages) for e in emails}
    committed = set(_signed_ids(faulty, slot_id))
    uids = {e: int(_uid(faulty, e)) for e in emails}
    assert [e for e in emails if told[e] and uids[e] not in committed] == []
    # A's pages reconnect to B (same token, same cookies) and retry with the same key.

    async def retry(email: str) -> bool:
        async with gate:
            tab = await _same_tab_on(tabs[email], b)
            tabs[email] = tab
            await tab.call(handler(AttendanceState, "load"), path=path)
            await _sign(tab, slot_id, keys[email])
            return _shown_signed(await tab.until(_says_signed, timeout=60))

    retried = await asyncio.gather(*(retry(e) for e in on_a))
    assert all(retried), [e for e, ok in zip(on_a, retried, strict=True) if not ok]
    # B's pages were never cut off: each was told its signature was taken.
    for email in on_b:
        if not told[email]:
            told[email] = _shown_signed(await tabs[email].until(_says_signed, timeout=60))
    assert [e for e in on_b if not told[e]] == []
    stored = _signed_ids(faulty, slot_id)
    lost = sorted(set(uids.values()) - set(stored))
    duplicated = len(stored) - len(set(stored))
    print(f"signatures stored: {len(stored)}, lost: {len(lost)}, duplicated: {duplicated}")
    assert (lost, duplicated) == ([], 0)
    assert stored == sorted(uids.values())
    _chain_intact(faulty)
    for tab in tabs.values():
        if tab.sio.connected:
            await tab.close()
