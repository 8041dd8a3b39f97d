"""Two backend workers on two ports over one PostgreSQL database and one Redis: each tab is pinned to one worker.

A learner's tab talks to worker A, the trainer's or a classmate's to worker B: what one does must reach the
other live, once, and background work both workers run (the outbox sender) must happen once. Skipped when
PostgreSQL or redis-server is not installed (`make test` installs both).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from sqlmodel import col, select

from app.models import AttendanceRecord, OutboxEmail, User
from app.services import outbox
from app.services.templates import Template
from state.attendance import AttendanceState
from state.chat import ChatState
from tests.attendance_setup import live_slot, trainer_email
from tests.live import handler, signed_in_tab, var
from tests.server import PlumeCluster
from tests.wsclient import ReflexClient

DRAWING = "100,100 300,200 500,120 700,260"
ATTENDANCE = AttendanceState.get_full_name()
CHAT = ChatState.get_full_name()


def _user(cluster: PlumeCluster, email: str) -> User:
    with cluster.workers[0].session() as db:
        return db.exec(select(User).where(User.email == email)).one()


def _delta(message: dict[str, Any], state: str, name: str) -> Any:
    return (message.get("delta") or {}).get(state, {}).get(f"{name}_rx_state_")


async def _join_chat(tab: ReflexClient, session_id: int) -> list[dict[str, Any]]:
    return await tab.call(handler(ChatState, "load"), path=f"/sessions/{session_id}")


async def test_a_signature_on_worker_a_moves_the_board_on_worker_b(cluster: PlumeCluster) -> None:
    a, b = cluster.urls
    learner_email = "learner12@demo.plume.test"
    session_id, slot_id = live_slot(
        cluster.workers[0].session(), title=f"Émargement sur deux workers {time.time():.0f}", learners=[learner_email]
    )
    uid = str(_user(cluster, learner_email).id)
    trainer = await signed_in_tab(b, trainer_email(session_id))
    board = await trainer.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
    assert not var(board, AttendanceState, "signed_at")
    learner = await signed_in_tab(a, learner_email)
    page = await learner.call(handler(AttendanceState, "load"), path=f"/emargement/{slot_id}")
    assert var(page, AttendanceState, "view")["can_sign"]
    form = {"form_data": {"strokes": DRAWING, "key": "cluster-sign-0001"}}
    await learner.emit(handler(AttendanceState, "confirm_signature"), form, path=f"/emargement/{slot_id}")
    pushed = await trainer.until(lambda m: uid in (_delta(m, ATTENDANCE, "signed_at") or {}), timeout=15)
    assert uid in (var(pushed, AttendanceState, "signed_at") or {}), "worker B's board never saw the signature"
    assert var(pushed, AttendanceState, "signed_count") == 1
    with cluster.workers[0].session() as db:
        signed = db.exec(
            select(AttendanceRecord).where(AttendanceRecord.slot_id == slot_id, AttendanceRecord.kind == "signature")
        ).all()
    assert [r.subject_user_id for r in signed] == [int(uid)]
    for tab in (learner, trainer):
        await tab.close()


async def test_chat_messages_from_worker_a_reach_worker_b_once_in_order(cluster: PlumeCluster) -> None:
    a, b = cluster.urls
    writer_email, reader_email = "learner13@demo.plume.test", "learner17@demo.plume.test"
    session_id, _ = live_slot(
        cluster.workers[0].session(),
        title=f"Discussion sur deux workers {time.time():.0f}",
        learners=[writer_email, reader_email],
    )
    writer, reader = await signed_in_tab(a, writer_email), await signed_in_tab(b, reader_email)
    assert var(await _join_chat(reader, session_id), ChatState, "chat_found") is True
    await _join_chat(writer, session_id)
    sent = [f"cluster-chat-{n:04d}" for n in range(5)]
    for n, client_id in enumerate(sent):
        await writer.emit(
            handler(ChatState, "send"),
            {"form_data": {"body": f"Message {n}", "client_id": client_id}},
            path=f"/sessions/{session_id}",
        )
    seen = await reader.until(
        lambda m: sent[-1] in {r["client_id"] for r in _delta(m, CHAT, "fresh") or []}, timeout=15, settle=1.0
    )
    fresh = var(seen, ChatState, "fresh") or []
    assert [r["client_id"] for r in fresh] == sent  # each once, in the order they were posted
    assert [r["id"] for r in fresh] == sorted((r["id"] for r in fresh), key=int)
    assert var(seen, ChatState, "unread") == len(sent)
    for tab in (writer, reader):
        await tab.close()


async def test_presence_counts_people_on_both_workers(cluster: PlumeCluster) -> None:
    a, b = cluster.urls
    on_a, on_b = "learner18@demo.plume.test", "learner19@demo.plume.test"
    session_id, _ = live_slot(
        cluster.workers[0].session(), title=f"Présence sur deux workers {time.time():.0f}", learners=[on_a, on_b]
    )
    names = {_user(cluster, email).display_name for email in (on_a, on_b)}
    first, second = await signed_in_tab(a, on_a), await signed_in_tab(b, on_b)
    await _join_chat(first, session_id)
    await _join_chat(second, session_id)

    def both_online(message: dict[str, Any]) -> bool:
        return set(_delta(message, CHAT, "online") or []) == names

    for tab in (first, second):
        seen = await tab.until(both_online, timeout=15)
        assert set(var(seen, ChatState, "online") or []) == names
    for tab in (first, second):
        await tab.close()


async def test_an_outbox_message_is_sent_once_by_two_workers(cluster: PlumeCluster) -> None:
    stamp = f"{time.time():.0f}"
    recipients = [f"cluster-outbox-{stamp}-{n}@example.test" for n in range(20)]
    with cluster.workers[0].session() as db:
        for n, to in enumerate(recipients):
            outbox.enqueue_email(db, to=to, message=Template(f"Course {n}", f"Message {n}"), kind="reset")
        db.commit()
    for to in recipients:
        cluster.workers[0].mailbox.wait_for(to, timeout=30)
    # Both senders wake every two seconds: give each a few more rounds to send anything twice.
    await asyncio.sleep(6)
    with cluster.workers[0].mailbox.lock:
        got = [str(m["To"]) for m in cluster.workers[0].mailbox.messages if str(m["To"]) in recipients]
    assert sorted(got) == sorted(recipients)
    with cluster.workers[0].session() as db:
        rows = db.exec(select(OutboxEmail).where(col(OutboxEmail.to).in_(recipients))).all()
    assert len(rows) == len(recipients) and all(row.sent_at is not None for row in rows)
