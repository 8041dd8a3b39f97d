"""Refused events are audited once per connection and minute, and a socket that floods the gate is dropped."""

from __future__ import annotations

import asyncio
import json
import time

from sqlmodel import col, select

from app.models import AuditRecord
from state.guard import REFUSAL_LIMIT
from state.home import HomeState
from tests.live import handler, tab


async def test_a_flood_of_refused_events_writes_one_row_and_drops_the_socket(server) -> None:
    client = await tab(server.url)
    ip = client.headers["X-Forwarded-For"]
    for _ in range(60):
        await client.emit(handler(HomeState, "load"), {}, path="/accueil")
    deadline = time.monotonic() + 20
    while client.sio.connected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert not client.sio.connected
    with server.session() as db:
        rows = db.exec(
            select(AuditRecord)
            .where(AuditRecord.action == "access.denied", AuditRecord.ip == ip)
            .order_by(col(AuditRecord.id))
        ).all()
    assert 1 <= len(rows) <= 2
    assert rows[0].target.endswith("home_state.load")
    counted = json.loads(rows[0].after)
    assert counted["count"] >= REFUSAL_LIMIT and counted["disconnected"] is True
    await client.close()


async def test_a_few_refusals_keep_the_socket_and_one_row(server) -> None:
    client = await tab(server.url)
    ip = client.headers["X-Forwarded-For"]
    for _ in range(5):
        await client.call(handler(HomeState, "load"), {}, path="/accueil")
    assert client.sio.connected
    with server.session() as db:
        rows = db.exec(select(AuditRecord).where(AuditRecord.action == "access.denied", AuditRecord.ip == ip)).all()
    assert len(rows) == 1
    await client.close()
