"""Live delivery in batches (`state/live.py`): each tab hears a topic's events once and in order, re-checked per batch."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from reflex.utils.token_manager import LocalTokenManager, SocketRecord
from sqlmodel import Session, select

from app.live.contract import ChatPosted, Presence, chat_topic, session_topic
from app.models import Enrolment, User
from app.services import auth
from app.services.home import paris_today
from app.services.topics import may_follow_many
from state import live
from state.chat import ChatState
from tests.factories import make_learner, make_org, make_session


@dataclass
class Page:
    """A tab's live state, reduced to what it heard and whether it was emptied."""

    heard: list[int] = field(default_factory=list)
    emptied: bool = False

    async def _on_live(self, wire: dict[str, Any]) -> None:
        self.heard.append(int(wire["message"]["id"]))

    def reset(self) -> None:
        self.emptied = True


@dataclass
class Worker:
    """One worker's app reduced to what a push touches; each tab's socket carries its person's session cookie."""

    cookies: dict[str, str]
    pages: dict[str, Page] = field(default_factory=dict)
    woken: list[str] = field(default_factory=list)
    judged: list[list[str]] = field(default_factory=list)  # the tabs of each database visit
    hold: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.hold.set()
        self.pages = {tab: Page() for tab in self.cookies}

    def app(self) -> SimpleNamespace:
        tokens = LocalTokenManager()
        static: dict[str, Any] = {}
        for tab, cookie in self.cookies.items():
            tokens.token_to_socket[tab] = SocketRecord(instance_id=tokens.instance_id, sid=f"sid-{tab}")
            static[f"sid-{tab}"] = {"headers": {"cookie": f"plume_lang=fr; plume_session={cookie}"}, "ip": "10.0.0.1"}

        @contextlib.asynccontextmanager
        async def modify_state(token: Any) -> AsyncIterator[Any]:
            tab = token.ident
            self.woken.append(tab)
            await self.hold.wait()

            async def get_state(state_cls: Any) -> Page:
                return self.pages[tab]

            cookie = f"plume_session={self.cookies[tab]}"
            router = SimpleNamespace(
                headers=SimpleNamespace(cookie=cookie), session=SimpleNamespace(client_ip="10.0.0.1")
            )
            yield SimpleNamespace(get_state=get_state, router=router)

        namespace = SimpleNamespace(_token_manager=tokens, _static_router_data=static)
        return SimpleNamespace(event_namespace=namespace, modify_state=modify_state)


@pytest.fixture
def room(db: Session, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Worker, int, dict[str, User]]]:
    """Three learners of a session under way, one tab each on its chat, on one worker without Redis."""
    org = make_org(db)
    people = {tab: make_learner(db, org) for tab in ("ann", "bob", "cat")}
    today = paris_today()
    session = make_session(db, org, start=today, end=today + timedelta(days=1), learners=tuple(people.values()))
    cookies = {tab: auth.open_session(db, user).token for tab, user in people.items()}
    db.commit()
    worker = Worker(cookies)
    app = worker.app()
    registry = live.RegistrationContext.get()  # Reflex's own: the states a tab going dark empties
    context = SimpleNamespace(app=app, get_substates=registry.get_substates)
    monkeypatch.setattr(live.RegistrationContext, "get", lambda: context)
    monkeypatch.setattr(live, "LiveState", Page)
    monkeypatch.setattr(live, "_subs", live.MemorySubscriptions())
    monkeypatch.setattr(live, "_shared", None)
    monkeypatch.setattr(live, "_pending", {})
    monkeypatch.setattr(live, "_runners", {})
    judge = live._judge

    def counted(db: Session, topic: str, tabs: dict[str, tuple[str, str]]) -> dict[str, live.Verdict]:
        worker.judged.append(sorted(tabs))
        return judge(db, topic, tabs)

    monkeypatch.setattr(live, "_judge", counted)
    for tab in cookies:
        live._subs.add(tab, (chat_topic(session.id or 0), session_topic(session.id or 0)), ChatState)
    yield worker, session.id or 0, people


def _post(session_id: int, *ids: int) -> None:
    for mid in ids:
        live._enqueue(chat_topic(session_id), ChatPosted(message={"id": mid}).wire())


async def _delivered() -> None:
    while live._runners:
        await asyncio.gather(*list(live._runners.values()))


async def test_events_that_arrive_during_a_delivery_go_together_next_in_order(
    room: tuple[Worker, int, dict[str, User]],
) -> None:
    worker, session_id, _ = room
    worker.hold.clear()  # the first batch is held inside the tabs' states
    _post(session_id, 1)
    while len(worker.woken) < 3:
        await asyncio.sleep(0.01)
    _post(session_id, 2, 3, 4)
    _post(session_id, 5, 6)
    worker.hold.set()
    await _delivered()
    for tab, page in worker.pages.items():
        assert page.heard == [1, 2, 3, 4, 5, 6], tab
    assert sorted(worker.woken) == sorted(["ann", "bob", "cat"] * 2)  # each tab's state locked once per batch
    assert worker.judged == [["ann", "bob", "cat"]] * 2  # one database visit per batch, for every tab


async def test_a_tab_revoked_between_two_events_of_a_batch_hears_none_of_it_and_goes_dark(
    db: Session, room: tuple[Worker, int, dict[str, User]]
) -> None:
    worker, session_id, people = room
    _post(session_id, 1)
    await _delivered()
    assert [page.heard for page in worker.pages.values()] == [[1], [1], [1]]
    _post(session_id, 2)
    auth.revoke_all_sessions(db, people["ann"].id or 0)  # signed out everywhere while event 2 waits
    db.commit()
    _post(session_id, 3)
    await _delivered()
    assert worker.pages["ann"].heard == [1] and worker.pages["ann"].emptied
    assert "ann" not in live.subscribers(chat_topic(session_id))
    assert "ann" not in live.subscribers(session_topic(session_id))  # dark: it hears nothing of any topic
    assert worker.pages["bob"].heard == worker.pages["cat"].heard == [1, 2, 3]
    # Removed from the session: that tab leaves the topic and its page is emptied; the others go on.
    db.delete(db.exec(select(Enrolment).where(Enrolment.user_id == people["bob"].id)).one())
    db.commit()
    worker.woken.clear()
    _post(session_id, 4)
    await _delivered()
    assert sorted(worker.woken) == ["bob", "cat"]  # the dark tab is not even woken
    assert worker.pages["bob"].heard == [1, 2, 3] and worker.pages["bob"].emptied
    assert "bob" not in live.subscribers(chat_topic(session_id))
    assert worker.pages["cat"].heard == [1, 2, 3, 4] and not worker.pages["cat"].emptied


async def test_a_tab_whose_socket_is_not_known_here_is_judged_from_its_own_state(
    db: Session, room: tuple[Worker, int, dict[str, User]]
) -> None:
    worker, session_id, people = room
    app = live.RegistrationContext.get().app
    app.event_namespace._static_router_data.clear()  # no handshake recorded for these sockets
    auth.revoke_all_sessions(db, people["cat"].id or 0)
    db.commit()
    _post(session_id, 7)
    await _delivered()
    assert worker.judged == [[""]] * 3  # one visit per tab, on the cookie its state carries
    assert worker.pages["ann"].heard == worker.pages["bob"].heard == [7]
    assert worker.pages["cat"].heard == [] and worker.pages["cat"].emptied
    with Session(db.get_bind()) as other:
        actors = [auth.resolve_actor(other, token) for token in worker.cookies.values()]
        assert may_follow_many(other, actors, chat_topic(session_id)) == [True, True, False]


def test_a_batch_keeps_only_its_last_presence_and_every_other_event_in_order() -> None:
    posted = [ChatPosted(message={"id": n}).wire() for n in range(3)]
    present = [Presence(online=list(range(n + 1))).wire() for n in range(3)]
    batch = [present[0], posted[0], present[1], posted[1], present[2], posted[2]]
    assert live._last_presence(batch) == [posted[0], posted[1], present[2], posted[2]]
    assert live._last_presence([posted[0], present[0], posted[1]]) == [posted[0], present[0], posted[1]]
