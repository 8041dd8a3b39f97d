"""Live updates across workers through Redis: two `RedisSubscriptions` stand for two worker processes."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
import redis.asyncio as aioredis
from reflex.utils.token_manager import RedisTokenManager, SocketRecord
from sqlmodel import Session

from app.live import bus, redis_bus
from app.live.contract import ChatPosted, ChatTyping, Presence, chat_topic, parse, session_topic
from app.live.redis_bus import Follow, Follower, RedisSubscriptions
from app.models import Organisation
from state import live
from state.chat import ChatState
from state.home import HomeState
from state.session_page import SessionPageState
from tests.services_local import RedisServer, redis_server

HEARD_WITHIN = 5.0  # seconds a test waits for an event before failing (the bound after a Redis restart)


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    """A private Redis for this module's tests.

    Yields:
        The running server.
    """
    with redis_server() as server:
        yield server


@dataclass
class Worker:
    """One worker's Redis side, and what its reader heard."""

    shared: RedisSubscriptions
    heard: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    presence_left: list[str] = field(default_factory=list)
    reader: asyncio.Task[None] | None = None
    resumed: int = 0


@asynccontextmanager
async def _workers(
    redis: RedisServer, count: int = 2, resumed: Callable[[Worker], list[Follow]] | None = None
) -> AsyncIterator[list[Worker]]:
    """Several workers' Redis sides on one private prefix, their readers running.

    Args:
        redis: The server.
        count: How many workers.
        resumed: What each worker writes back after an outage (its tabs' subscriptions).

    Yields:
        The workers.
    """
    prefix = f"test-{uuid.uuid4().hex[:8]}:"
    workers: list[Worker] = []
    for _ in range(count):
        worker = Worker(RedisSubscriptions(redis.url, prefix=prefix))
        worker.shared._on_presence_left = worker.presence_left.append

        async def on_resume(worker: Worker = worker) -> None:
            worker.resumed += 1
            await worker.shared.restore(resumed(worker) if resumed is not None else [])

        worker.shared.start()
        worker.reader = asyncio.create_task(
            worker.shared.listen(lambda topic, event, w=worker: w.heard.append((topic, event)), on_resume)
        )
        workers.append(worker)
    await asyncio.sleep(0.2)  # the readers start reading from "now"
    try:
        yield workers
    finally:
        for worker in workers:
            assert worker.reader is not None
            worker.reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await worker.reader
            await asyncio.to_thread(worker.shared.close)
            await worker.shared.aclose()


async def _until(condition: Callable[[], bool], within: float = HEARD_WITHIN) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not met within {within} s")
        await asyncio.sleep(0.02)


async def test_an_event_committed_through_one_worker_reaches_every_worker_once(db: Session, redis: RedisServer) -> None:
    async with _workers(redis) as (a, b):
        bus.install(a.shared.dispatch)
        try:
            db.add(Organisation(name="A", slug="a"))
            bus.notify(db, chat_topic(1), ChatPosted(message={"id": 1, "text": "un"}))
            bus.notify(db, chat_topic(1), ChatPosted(message={"id": 2, "text": "deux"}))
            db.commit()
            db.add(Organisation(name="B", slug="b"))
            bus.notify(db, chat_topic(1), ChatPosted(message={"id": 3, "text": "jamais"}))
            db.rollback()
        finally:
            bus.uninstall(a.shared.dispatch)
        await _until(lambda: len(b.heard) >= 2 and len(a.heard) >= 2)
        await asyncio.sleep(0.3)  # anything more would arrive now
        ids = [event["message"]["id"] for _, event in b.heard]
        assert ids == [1, 2]  # once each, in commit order; the rolled-back one never
        assert a.heard == b.heard
        assert parse(b.heard[0][1]) == ChatPosted(message={"id": 1, "text": "un"})


async def test_a_subscription_made_through_one_worker_is_found_by_another(redis: RedisServer) -> None:
    async with _workers(redis) as (a, b):
        topic, board = session_topic(4), chat_topic(4)
        # The tab's page follows through worker A (its main state, then its chat panel beside it)...
        a.shared.follow(Follow("tab", (topic,), "page"), replace=True)
        a.shared.follow(Follow("tab", (topic,), "panel"))
        a.shared.follow(Follow("tab", (board,), "chat", user_id=7, presence=True))
        a.shared.follow(Follow("other", (board,), "chat", user_id=9, presence=True))
        assert a.shared.flush()
        # ...and reconnects to worker B, which finds it.
        assert await b.shared.tabs(topic) == {"tab": Follower(("page", "panel"), 0)}
        assert await b.shared.tabs(board) == {"tab": Follower(("chat",), 7), "other": Follower(("chat",), 9)}
        assert await b.shared.present(board) == [7, 9]
        # The tab opens another page on B: replacing drops the old topics everywhere; its presence left the room.
        b.shared.follow(Follow("tab", (session_topic(5),), "page"), replace=True)
        assert b.shared.flush()
        assert await a.shared.tabs(topic) == {}
        assert await a.shared.present(board) == [9]
        assert b.presence_left == [board]
        assert await a.shared.tabs(session_topic(5)) == {"tab": Follower(("page",), 0)}
        b.shared.leave("other", board)
        b.shared.forget("tab")
        assert b.shared.flush()
        assert await a.shared.tabs(board) == {}
        assert await a.shared.tabs(session_topic(5)) == {}


async def test_live_updates_resume_after_a_redis_restart(db: Session, redis: RedisServer) -> None:
    # What each worker's tabs follow, as `state/live.py` keeps it, written back after the outage.
    def mirror(worker: Worker) -> list[Follow]:
        return [Follow(f"tab-{id(worker)}", (chat_topic(8),), "chat", user_id=id(worker) % 1000, presence=True)]

    async with _workers(redis, resumed=mirror) as workers:
        a, b = workers
        for worker in workers:
            worker.shared.follow(mirror(worker)[0])
            assert worker.shared.flush()
        redis.stop()
        bus.install(a.shared.dispatch)
        try:
            db.add(Organisation(name="A", slug="a"))
            bus.notify(db, chat_topic(8), ChatPosted(message={"id": 1, "text": "pendant"}))
            db.commit()  # Redis is down: the commit is not held up, the event waits in the writer's queue
        finally:
            bus.uninstall(a.shared.dispatch)
        a.shared.dispatch(chat_topic(8), ChatTyping(user_id=3).wire())
        await asyncio.sleep(0.5)
        assert b.heard == []
        redis.start()  # same port, empty
        await _until(lambda: len(b.heard) == 2)  # the events queued during the outage, in order
        assert [event["op"] for _, event in b.heard] == ["posted", "typing"]
        assert a.resumed == b.resumed == 1
        restored = await b.shared.tabs(chat_topic(8))  # each worker wrote its tabs back
        assert {f.user_id for f in restored.values()} == {id(w) % 1000 for w in workers}
        a.shared.dispatch(chat_topic(8), Presence(online=[1, 2]).wire())
        await _until(lambda: len(b.heard) == 3)
        assert b.heard[-1][1] == Presence(online=[1, 2]).wire()


# --- The Reflex side (`state/live.py`) with Redis: each worker delivers to its own tabs ---------


@asynccontextmanager
async def _worker_app(
    monkeypatch: pytest.MonkeyPatch,
    redis: RedisServer,
    instance: str,
    sockets: dict[str, str],
    leftovers: tuple[str, ...] = (),
) -> AsyncIterator[list[str]]:
    """`state/live.py` running as one worker, its app reduced to what a push touches.

    Args:
        monkeypatch: To install the app.
        redis: Where Reflex's token manager keeps each socket's record.
        instance: This worker's id.
        sockets: Token → the worker holding its socket (tokens absent: connected nowhere).
        leftovers: Tokens whose record names this worker in Redis but whose socket closed here.

    Yields:
        The tabs woken (their state locked) by pushes.
    """
    woken: list[str] = []

    async def no_page(state_cls: Any) -> object:
        return object()

    @contextlib.asynccontextmanager
    async def modify_state(token: Any) -> AsyncIterator[Any]:
        woken.append(token.ident)
        yield SimpleNamespace(get_state=no_page)

    async def may_follow(root: Any, topic: str) -> tuple[None, bool]:
        return None, True

    live._state_class("")  # learn the state names while Reflex's own registry is still in place
    manager = RedisTokenManager(aioredis.Redis.from_url(redis.url))
    manager.instance_id = instance
    for token, owner in {**sockets, **dict.fromkeys(leftovers, instance)}.items():
        record = SocketRecord(instance_id=owner, sid=f"sid-{token}")
        if owner == instance and token not in leftovers:
            manager.token_to_socket[token], manager.sid_to_token[record.sid] = record, token
        assert await manager._store_socket_record(token, record)
    app = SimpleNamespace(event_namespace=SimpleNamespace(_token_manager=manager), modify_state=modify_state)
    monkeypatch.setattr(live.RegistrationContext, "get", lambda: SimpleNamespace(app=app))
    monkeypatch.setattr(live, "_tab_may_follow", may_follow)
    try:
        yield woken
    finally:
        await manager.redis.flushdb()
        await manager.redis.aclose()


async def test_a_worker_delivers_to_its_own_tabs_and_forgets_those_connected_nowhere(
    redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _workers(redis, count=1) as (b,):
        topic = chat_topic(11)
        # Followed through worker A (another process): "here" has since reconnected to this worker B.
        for token in ("here", "there", "closed"):
            b.shared.follow(Follow(token, (topic,), ChatState.get_full_name(), user_id=len(token), presence=True))
        b.shared.follow(Follow("asleep", (topic,), HomeState.get_full_name()))  # hears no chat message
        assert b.shared.flush()
        monkeypatch.setattr(live, "_shared", b.shared)
        monkeypatch.setattr(live, "_swept", {})
        # "stale": a record naming this worker without a socket here (a leftover of a closed one).
        async with _worker_app(monkeypatch, redis, "B", {"here": "B", "there": "A"}, ("stale",)) as woken:
            b.shared.follow(Follow("stale", (topic,), ChatState.get_full_name(), user_id=1, presence=True))
            assert b.shared.flush()
            del woken[:]
            await live._push_shared(b.shared, topic, ChatPosted(message={"id": 1}).wire())
            assert woken == ["here"]  # "there" is worker A's; "asleep" was not even woken
            assert b.shared.flush()
            assert set(await b.shared.tabs(topic)) == {"here", "there", "asleep"}  # the others: connected nowhere
            assert await b.shared.present(topic) == [len("here"), len("there")]


async def test_a_subscription_through_state_live_reaches_redis_and_back(
    redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with _workers(redis, count=1) as (b,):
        monkeypatch.setattr(live, "_shared", b.shared)
        monkeypatch.setattr(live, "_subs", live.MemorySubscriptions())
        live.subscribe("tab", (session_topic(3), chat_topic(3)), SessionPageState)
        live.add("tab", chat_topic(3), ChatState, user_id=5)
        assert b.shared.flush()
        follower = (await b.shared.tabs(chat_topic(3)))["tab"]
        assert tuple(live._state_class(name) for name in follower.states) == (SessionPageState, ChatState)
        assert follower.user_id == 5
        async with _worker_app(monkeypatch, redis, "B", {"tab": "B"}) as woken:
            await live._push_shared(b.shared, chat_topic(3), ChatPosted(message={"id": 2}).wire())
            assert woken == ["tab"]
        live.unsubscribe("tab")
        assert b.shared.flush()
        assert await b.shared.tabs(chat_topic(3)) == {}
        assert live.subscribers(chat_topic(3)) == set()


def test_the_wire_form_of_a_follower_survives_redis() -> None:
    assert redis_bus._decode(b"12\tstate.a\tstate.b") == Follower(("state.a", "state.b"), 12)
    assert redis_bus._decode(b"0\tstate.a") == Follower(("state.a",), 0)
