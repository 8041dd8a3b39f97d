"""The chat over real websockets: forged sends, edits and removals change nothing; resends post once."""

from __future__ import annotations

import time
from typing import Any

from sqlmodel import col, select

from app.models import ChatMessage
from state.chat import ChatState
from tests.attendance_setup import live_slot
from tests.live import handler, signed_in_tab, var
from tests.wsclient import ReflexClient

MINE, CLASSMATE, STRANGER = "learner21@demo.plume.test", "learner29@demo.plume.test", "learner15@demo.plume.test"


def _messages(server: Any, session_id: int) -> list[tuple[str, str]]:
    with server.session() as db:
        rows = db.exec(
            select(ChatMessage).where(ChatMessage.session_id == session_id).order_by(col(ChatMessage.id))
        ).all()
        return [(r.client_id, r.body) for r in rows]


async def _join(tab: ReflexClient, session_id: int) -> list[dict[str, Any]]:
    return await tab.call(handler(ChatState, "load"), path=f"/sessions/{session_id}")


async def _send(tab: ReflexClient, session_id: int, body: str, client_id: str) -> list[dict[str, Any]]:
    return await tab.call(
        handler(ChatState, "send"),
        {"form_data": {"body": body, "client_id": client_id}},
        path=f"/sessions/{session_id}",
    )


async def test_forged_chat_events_change_nothing(server) -> None:
    room, _ = live_slot(server.session(), title=f"Chat — tentatives {time.time():.0f}", learners=[MINE, CLASSMATE])
    other, _ = live_slot(server.session(), title=f"Chat — autre salle {time.time():.0f}", learners=[STRANGER])
    mine, classmate = await signed_in_tab(server.url, MINE), await signed_in_tab(server.url, CLASSMATE)
    assert var(await _join(mine, room), ChatState, "chat_found") is True
    await _join(classmate, room)
    # A resend with the same client id (double click, reconnect) posts once.
    await _send(mine, room, "Bonjour", "resend-client-0001")
    await _send(mine, room, "Bonjour", "resend-client-0001")
    assert _messages(server, room) == [("resend-client-0001", "Bonjour")]
    # Another room: invisible, and nothing can be posted there.
    seen = await _join(mine, other)
    assert var(seen, ChatState, "chat_found") is False and not var(seen, ChatState, "messages")
    refused = await _send(mine, other, "intrusion", "forged-client-0001")
    assert var(refused, ChatState, "chat_error") == "Introuvable."
    assert _messages(server, other) == []
    # Someone else's message: no edit, no removal.
    with server.session() as db:
        target = db.exec(select(ChatMessage.id).where(ChatMessage.client_id == "resend-client-0001")).one()
    await classmate.call(handler(ChatState, "start_edit"), {"message_id": str(target)}, path=f"/sessions/{room}")
    await classmate.call(handler(ChatState, "save_edit"), {"form_data": {"body": "piraté"}}, path=f"/sessions/{room}")
    removed = await classmate.call(handler(ChatState, "remove"), {"message_id": str(target)}, path=f"/sessions/{room}")
    assert var(removed, ChatState, "chat_error") == "Introuvable."
    assert _messages(server, room) == [("resend-client-0001", "Bonjour")]
    # Too many messages too fast: a clear message, nothing more stored.
    await _join(mine, room)
    last: list[dict[str, Any]] = []
    for n in range(11):
        last = await mine.call(
            handler(ChatState, "send"),
            {"form_data": {"body": f"rafale {n}", "client_id": f"burst-client-{n:04d}"}},
            path=f"/sessions/{room}",
        )
    assert "ralentissez" in var(last, ChatState, "chat_error")
    burst = [c for c, _ in _messages(server, room) if c.startswith("burst-")]
    assert 9 <= len(burst) <= 10  # at most 10 in 10 seconds, counting "Bonjour" if it was that recent
    for tab in (mine, classmate):
        await tab.close()
