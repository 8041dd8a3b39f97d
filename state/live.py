"""The one Reflex-aware piece of live updates: committed events → the open tabs that subscribed.

Topics and events are those of `app.live.contract`; services announce them with
`app.live.bus.notify` inside the transaction that commits the change, and the
bus hands them here only once it has committed. When a service commits a change
it announces on a topic, each subscribed, still connected tab gets the
subscribing state's `_on_live(event)` called through `app.modify_state`; it
refreshes what changed, as that tab's own actor when it needs the database, so
nobody receives more than their page may show.

Every live state derives from `LiveState` (below) and follows one protocol:

1. Load first, as the actor of the event that opened the page (`require_actor()`).
2. Then follow, only if the load found the page: `_live_follow(topics)` from the
   page's main state *replaces* the tab's topics (those of the page it left), and
   `_live_follow(topics, alongside=True)` from another state of the same page (the
   chat panel, a mission panel) *adds* to them. So the main state's load runs
   first (it comes first in the route's on_load list, or the panel opens later):
   a replacing follow after a panel's would silently drop the panel's topics. A
   load that finds nothing calls `_live_stop()`: the tab hears nothing of a page
   it may not see, nor of the page it left. Following after the load, not before,
   is why a tab is never subscribed on the strength of a page it could not open;
   the cost is that a change committed between the load's read and the follow is
   only shown by the next event or load.
3. On each event, after the re-check below: the event is read back typed
   (`contract.parse`); a state hears only the types in its `live_events` (a tab
   none of whose states hears the type is not even woken: no lock on its state,
   no database visit, so a page following a busy topic for a few of its types
   pays for those only) and those its `_live_wants` accepts; `_live_apply` may
   apply it in place (a chat message, a signature on the board) and stop there;
   otherwise the state reloads with `_live_load`, as the tab's own actor
   (`tab_actor`), never as the author of the change. A state with `live_gap_s` coalesces bursts: the first
   event reloads at once, the others within the gap in one reload.

Before any state hears an event, the tab's own session and its access to the
topic are checked again (here, once for every state): a tab whose session ended
(signed out here or elsewhere, password reset, account disabled) or that lost
access to the topic (removed from the session) is unsubscribed and its page
states are emptied, so it stays dark (at the first event one of its states
hears: the others never reach it).

Delivery runs in batches, one topic at a time (`_enqueue`, `_drain`): the events a
topic receives while its previous batch is being delivered form the next batch, so
a busy room's backlog bounds itself instead of growing with each message. For a
batch, the tabs of this worker that follow the topic are re-checked together in one
database visit (`_judge`: `auth.resolve_actors` on the session cookies of their
sockets, then `topics.may_follow_many`, the same rule `may_follow` applies to one
tab), then pushed to `PUSH_AT_ONCE` at a time, each tab's state locked once for the
whole batch and hearing its events in order.

Presence topics (a chat room) also track who is there: joins and leaves are
announced to the room as one coalesced `presence` event at most twice a second,
so a hundred people arriving at once cost a few broadcasts, not N².

Several workers (`REDIS_URL` set): events go through Redis (`app.live.redis_bus`)
to every worker, and subscriptions are kept there too, so a tab that reconnects
to another worker is still followed. Each worker delivers an event to the
following tabs whose socket it holds (Reflex's `RedisTokenManager` record names
the worker), forgets those connected nowhere, and leaves the others to their own
worker; presence counts every worker's tabs, each worker announcing (coalesced)
the comings and goings of its own. Without Redis, everything stays in this
process's memory (`app.live.subscriptions`), as fast as before.
"""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from typing import Any, ClassVar

import reflex as rx
from redis.exceptions import RedisError
from reflex import constants
from reflex.state import BaseState
from reflex.utils.token_manager import RedisTokenManager, TokenManager
from reflex_base.registry import RegistrationContext
from sqlmodel import Session

from app.live import bus, contract
from app.live.contract import LiveEvent, Presence
from app.live.redis_bus import Follow, RedisSubscriptions
from app.live.subscriptions import MemorySubscriptions
from app.services import topics
from app.services.actor import Actor
from app.services.auth import SESSION_COOKIE, resolve_actors
from app.settings import get_settings
from state.common import run_db
from state.guard import cookie_in, session_cookie_token, tab_actor

log = logging.getLogger("plume.live")

PRESENCE_DELAY = 0.5
LATE_RELOAD_S = 5.0  # a coalesced reload this late was lost with the worker that scheduled it
SWEEP_EVERY = 1.0  # seconds between two checks, per topic, for tabs connected nowhere (with Redis)
PUSH_AT_ONCE = 24  # tabs of one topic pushed to at once (each push holds that tab's state lock)
_subs: MemorySubscriptions[type[rx.State]] = MemorySubscriptions()  # without Redis: the store; with: this worker's
_shared: RedisSubscriptions | None = None  # with Redis: the subscriptions of every worker's tabs
_presence_pending: set[str] = set()
_swept: dict[str, float] = {}
_pending: dict[str, list[dict[str, Any]]] = {}  # topic → events heard while its delivery runs (the next batch)
_runners: dict[str, asyncio.Task[None]] = {}  # topic → the task delivering its batches, one after another
_state_names: dict[str, type[rx.State]] = {}
_loop: asyncio.AbstractEventLoop | None = None


def subscribe(token: str, topic: str | tuple[str, ...], state_cls: type[rx.State]) -> None:
    """Subscribe a tab to its page's topics (replacing those of the page it left).

    Args:
        token: The tab's client token.
        topic: e.g. "session:12", or several (a board and the person's own topic).
        state_cls: The page state to refresh (a `LiveState`).
    """
    names = (topic,) if isinstance(topic, str) else tuple(topic)
    for old in _subs.remove(token):
        if _shared is None and old in _subs.presence_topics:
            _presence_changed(old)
    _subs.add(token, names, state_cls)
    if _shared is not None:  # in Redis too, so that whichever worker holds the tab's socket delivers to it
        _shared.follow(Follow(token, names, state_cls.get_full_name()), replace=True)


def add(
    token: str, topic: str | tuple[str, ...], state_cls: type[rx.State], *, user_id: int = 0, presence: bool = False
) -> None:
    """Subscribe another state of the tab's page to topics (the chat panel of a session, a mission panel).

    Args:
        token: The tab's client token.
        topic: The topic(s).
        state_cls: The state to refresh.
        user_id: Who is in the tab (for presence).
        presence: Whether the topic announces who is there.
    """
    names = (topic,) if isinstance(topic, str) else tuple(topic)
    _subs.add(token, names, state_cls, user_id=user_id, presence=presence)
    if _shared is not None:
        _shared.follow(Follow(token, names, state_cls.get_full_name(), user_id, presence))
    if presence:
        for name in names:
            _presence_changed(name)


def unsubscribe(token: str) -> None:
    """Stop pushing to a tab.

    Args:
        token: The tab's client token.
    """
    for old in _subs.remove(token):
        if _shared is None and old in _subs.presence_topics:
            _presence_changed(old)
    if _shared is not None:
        _shared.forget(token)  # the writer reports the presence topics it left, on any worker (`_presence_left`)


def leave(token: str, topic: str) -> None:
    """Stop pushing one topic to a tab (it lost access to it).

    Args:
        token: The tab's client token.
        topic: The topic.
    """
    _subs.leave(token, topic)
    if _shared is not None:
        _shared.leave(token, topic)
    elif topic in _subs.presence_topics:
        _presence_changed(topic)


def _plume_states() -> list[type[BaseState]]:
    return [cls for cls in rx.State.get_substates() if cls.__module__.startswith("state.")]


async def go_dark(state: BaseState) -> None:
    """Empty every state of a tab whose session ended.

    A state that must keep something (the header keeps the language) defines
    `_go_dark()`; every other state is reset to its defaults.

    Args:
        state: Any state of the tab.
    """
    for cls in _plume_states():
        tab_state = await state.get_state(cls)
        custom = getattr(tab_state, "_go_dark", None)
        if custom is not None:
            custom()
        else:
            tab_state.reset()


def subscribers(topic: str) -> set[str]:
    """The tabs subscribed to a topic (through this worker).

    Args:
        topic: The topic.

    Returns:
        Their tokens.
    """
    return set(_subs.tabs(topic))


def present(topic: str) -> list[int]:
    """Who has a presence topic open through this worker (connection not checked: a closed tab leaves at the next push).

    Args:
        topic: The topic.

    Returns:
        User ids, sorted.
    """
    return _subs.present(topic)


def _presence_changed(topic: str) -> None:
    if _loop is None or topic in _presence_pending:
        return
    _presence_pending.add(topic)

    async def announce() -> None:
        await asyncio.sleep(PRESENCE_DELAY)
        _presence_pending.discard(topic)
        if _shared is None:
            _enqueue(topic, Presence(online=present(topic)).wire())
            return
        try:  # every worker's tabs hear it (each worker coalesces its own tabs' comings and goings)
            _shared.dispatch(topic, Presence(online=await _shared.present(topic)).wire())
        except RedisError:
            log.warning("presence not announced: Redis unreachable")

    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is _loop:
        _loop.create_task(announce())
    else:
        asyncio.run_coroutine_threadsafe(announce(), _loop)


def _presence_left(topic: str) -> None:
    # From the Redis writer thread: a tab (of any worker) left a presence topic.
    if _loop is not None:
        _loop.call_soon_threadsafe(_presence_changed, topic)


Verdict = tuple[Actor | None, bool]  # a tab's own actor (None once its session ended), may it hear the topic


def _judge(db: Session, topic: str, tabs: dict[str, tuple[str, str]]) -> dict[str, Verdict]:
    """Re-check several tabs at once: their sessions (`resolve_actors`), then `topics.may_follow_many`.

    Args:
        db: Database session.
        topic: The topic about to be pushed.
        tabs: Tab → its session cookie and client address.

    Returns:
        Tab → its actor and the verdict.
    """
    actors = resolve_actors(db, list(tabs.values()))
    allowed = topics.may_follow_many(db, actors, topic)
    return {tab: (actor, ok) for tab, actor, ok in zip(tabs, actors, allowed, strict=True)}


async def _tab_may_follow(root: BaseState, topic: str) -> Verdict:
    """One tab's actor and whether it may still hear the topic, in one database visit (read from its state).

    Args:
        root: The tab's root state.
        topic: The topic about to be pushed.

    Returns:
        The actor (None once the session ended) and the verdict.
    """
    who = (session_cookie_token(root), root.router.session.client_ip)
    return (await run_db(lambda db: _judge(db, topic, {"": who})))[""]


def _handshake(namespace: Any, token: str) -> tuple[str, str] | None:
    """A tab's session cookie and address from its socket on this worker, without loading its state.

    Reflex keeps each connection's handshake headers and address (`_static_router_data`)
    and copies them over every event's router data: they are what `session_cookie_token`
    reads from the tab's state.

    Args:
        namespace: The app's event namespace.
        token: The tab.

    Returns:
        (cookie, address), or None when this worker holds no socket for it.
    """
    record = getattr(namespace._token_manager, "token_to_socket", {}).get(token)
    data = getattr(namespace, "_static_router_data", {}).get(record.sid) if record is not None else None
    if data is None:
        return None
    headers = data.get(constants.RouteVar.HEADERS) or {}
    return cookie_in(headers.get("cookie", ""), SESSION_COOKIE), str(data.get(constants.RouteVar.CLIENT_IP, ""))


def _enqueue(topic: str, event: dict[str, Any]) -> None:
    """Queue an event for a topic's tabs (on the event loop): one delivery runs per topic at a time.

    Events heard while a delivery runs are delivered together by the next one, so the
    backlog of a busy room bounds itself (a tab's state is locked once per batch, not
    once per event) and each tab hears the topic's events in the order they came.

    Args:
        topic: The topic.
        event: The event's wire form.
    """
    _pending.setdefault(topic, []).append(event)
    if topic not in _runners:
        _runners[topic] = asyncio.get_running_loop().create_task(_drain(topic))


async def _drain(topic: str) -> None:
    """Deliver a topic's queued events, batch after batch, until none is left.

    Args:
        topic: The topic.
    """
    try:
        while batch := _pending.pop(topic, None):
            try:
                if _shared is None:
                    await _push(topic, *_last_presence(batch))
                else:
                    await _push_shared(_shared, topic, *_last_presence(batch))
            except Exception:  # the next batch still goes
                log.exception("live delivery on %s failed", topic)
    finally:
        _runners.pop(topic, None)


def _last_presence(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A batch without the presence events the last one replaces (each says who is there: only the latest counts).

    Args:
        batch: A topic's events, in order.

    Returns:
        The same events, in order, with one presence event at most.
    """
    kinds = [isinstance(contract.parse(event), Presence) for event in batch]
    if sum(kinds) < 2:
        return batch
    last = len(kinds) - 1 - kinds[::-1].index(True)
    return [event for i, (event, presence) in enumerate(zip(batch, kinds, strict=True)) if not presence or i == last]


async def _push(topic: str, *events: dict[str, Any]) -> None:
    """Deliver events of one topic, in order, to this process's tabs that follow it (without Redis).

    Args:
        topic: The topic.
        *events: The events' wire forms.
    """
    app = RegistrationContext.get().app
    namespace = app.event_namespace
    if namespace is None:
        return
    tokens = namespace._token_manager  # `token_to_sid` rebuilds a dict of every tab per call
    typed = [contract.parse(event) for event in events]
    here: list[tuple[str, tuple[type[rx.State], ...]]] = []
    for token, states in list(_subs.tabs(topic).items()):
        if not any(_heard(event, states) for event in typed):
            continue
        if not await tokens.is_token_connected(token):
            unsubscribe(token)
            continue
        here.append((token, states))
    await _push_all(app, topic, here, events)


async def _push_all(
    app: Any, topic: str, tabs: list[tuple[str, tuple[type[rx.State], ...]]], events: tuple[dict[str, Any], ...]
) -> None:
    """Deliver a batch of a topic's events to this worker's tabs: one re-check for them all, then each tab.

    The tabs' sessions and access are judged in one database visit (`_judge`), from the
    cookies of their sockets; then up to `PUSH_AT_ONCE` tabs are pushed to at once, each
    hearing the whole batch in order under one lock of its state.

    Args:
        app: The running app.
        topic: The topic.
        tabs: The tabs whose socket is here and one of whose states hears one of the events.
        events: The events' wire forms, in order.
    """
    if not tabs:
        return
    namespace = app.event_namespace
    who = {token: found for token, _ in tabs if (found := _handshake(namespace, token)) is not None}
    verdicts = await run_db(lambda db: _judge(db, topic, who)) if who else {}
    gate = asyncio.Semaphore(PUSH_AT_ONCE)

    async def one(token: str, states: tuple[type[rx.State], ...]) -> None:
        judged = verdicts.get(token)
        async with gate:
            await _push_to(
                app, token, topic, states, events, judged=None if judged is None else (who[token][0], judged)
            )

    await asyncio.gather(*(one(token, states) for token, states in tabs))


async def _push_to(
    app: Any,
    token: str,
    topic: str,
    states: tuple[type[rx.State], ...],
    events: tuple[dict[str, Any], ...],
    *,
    judged: tuple[str, Verdict] | None = None,
) -> None:
    """Deliver a batch of events to one tab: re-check its actor and access, then each state hears each event.

    Args:
        app: The running app.
        token: The tab.
        topic: The topic.
        states: The tab's states that follow it (at least one hears one of the events).
        events: The events' wire forms, in order.
        judged: The session cookie the tab was judged on by `_judge`, and the verdict (None: judge it here).
    """
    try:
        async with app.modify_state(rx.BaseStateToken(ident=token, cls=states[0])) as root:
            if judged is not None and judged[0] == session_cookie_token(root):
                actor, allowed = judged[1]
            else:  # judged on another cookie (the socket reconnected meanwhile), or not judged yet
                actor, allowed = await _tab_may_follow(root, topic)
            if not allowed:
                if actor is None or not actor.fully_signed_in:
                    unsubscribe(token)
                    await go_dark(root)
                else:
                    leave(token, topic)
                    for state_cls in states:
                        (await root.get_state(state_cls)).reset()
                return
            pages = [page for state_cls in states if isinstance(page := await root.get_state(state_cls), LiveState)]
            for event in events:
                for page in pages:  # every subscribing state is a LiveState
                    await page._on_live(event)
    except Exception:  # one broken tab never stops the others
        log.exception("live push to a tab failed")


def _state_class(name: str) -> type[rx.State] | None:
    """A state class from its full name (a subscription made on another worker names its states).

    Args:
        name: `State.get_full_name()`.

    Returns:
        The class, or None when this app has none of that name.
    """
    found = _state_names.get(name)
    if found is None:
        todo: list[type[BaseState]] = [rx.State]
        while todo:
            cls = todo.pop()
            if issubclass(cls, rx.State):
                _state_names[cls.get_full_name()] = cls
            todo.extend(cls.get_substates())
        found = _state_names.get(name)
    return found


async def _push_shared(shared: RedisSubscriptions, topic: str, *events: dict[str, Any]) -> None:
    """Deliver events heard from Redis to this worker's tabs that follow the topic (on any worker).

    One `HGETALL` finds the followers; those whose socket is here are pushed to, the
    others are their own worker's; once in `SWEEP_EVERY` per topic one `MGET` of the
    others' connection records finds those connected nowhere, which are forgotten.

    Args:
        shared: The Redis subscriptions.
        topic: The topic.
        *events: The events' wire forms, in order.
    """
    app = RegistrationContext.get().app
    namespace = app.event_namespace
    if namespace is None:
        return
    tokens = namespace._token_manager
    typed = [contract.parse(event) for event in events]
    try:
        followers = await shared.tabs(topic)
    except RedisError:
        log.warning("live event on %s not delivered: Redis unreachable", topic)
        return
    here: list[tuple[str, tuple[type[rx.State], ...]]] = []
    elsewhere: list[str] = []
    for token, follower in followers.items():
        states = tuple(cls for name in follower.states if (cls := _state_class(name)) is not None)
        if not any(_heard(event, states) for event in typed):
            continue
        record = tokens.token_to_socket.get(token)
        if record is not None and record.instance_id == tokens.instance_id:
            here.append((token, states))
        else:
            elsewhere.append(token)
    if elsewhere and time.monotonic() - _swept.get(topic, -SWEEP_EVERY) >= SWEEP_EVERY:
        _swept[topic] = time.monotonic()
        for token in await _connected_nowhere(shared, tokens, elsewhere):
            unsubscribe(token)
    await _push_all(app, topic, here, events)


async def _connected_nowhere(shared: RedisSubscriptions, tokens: TokenManager, candidates: list[str]) -> list[str]:
    """Which of these tabs (none of whose sockets is here) have no socket on any worker (one round trip).

    Args:
        shared: The Redis subscriptions.
        tokens: This worker's token manager (Reflex's `RedisTokenManager` keeps each socket's record in Redis).
        candidates: The tabs.

    Returns:
        Those connected nowhere.
    """
    if not isinstance(tokens, RedisTokenManager):
        return [token for token in candidates if not await tokens.is_token_connected(token)]
    try:
        records = await shared.records([tokens._get_redis_key(token) for token in candidates])
    except RedisError:
        return []
    gone = []
    for token, raw in zip(candidates, records, strict=True):
        # A record naming this worker without a socket here is a leftover of a closed one (as Reflex reads it).
        if raw is None or pickle.loads(raw).instance_id == tokens.instance_id:  # noqa: S301  # Reflex's own record
            gone.append(token)
    return gone


def _deliver_shared(topic: str, event: dict[str, Any]) -> None:
    """Deliver an event read from Redis, after (or with) the topic's previous ones (chat messages stay in order).

    Args:
        topic: The topic.
        event: The event's wire form.
    """
    if _shared is not None:
        _enqueue(topic, event)


async def _resync() -> None:
    """After Redis was unreachable: write back what this worker's tabs follow (a restarted Redis is empty).

    Also the tabs' connection records, which Reflex writes only when a socket connects,
    so that other workers do not take these tabs for connected nowhere.
    """
    shared = _shared
    namespace = RegistrationContext.get().app.event_namespace
    if shared is None or namespace is None:
        return
    tokens = namespace._token_manager
    mine = {t for t, r in tokens.token_to_socket.items() if r.instance_id == tokens.instance_id}
    follows: list[Follow] = []
    for token in list(_subs.tab_topics):
        if token not in mine:  # the tab went to another worker, or away
            _subs.remove(token)
            continue
        user = _subs.tab_user.get(token, 0)
        for topic in _subs.tab_topics[token]:
            presence = topic in _subs.presence_topics
            for state_cls in _subs.tabs(topic).get(token, ()):
                follows.append(Follow(token, (topic,), state_cls.get_full_name(), user, presence))
        if isinstance(tokens, RedisTokenManager):
            await tokens._store_socket_record(token, tokens.token_to_socket[token], nx=True)
    await shared.restore(follows)
    log.warning("live subscriptions of %d tabs written back to Redis", len(mine & set(_subs.tab_topics)))


def _heard(event: LiveEvent | None, states: tuple[type[rx.State], ...]) -> bool:
    """Whether any of a tab's subscribing states hears this type of event (checked before waking the tab).

    Args:
        event: The event, typed (None: a shape no event type has).
        states: The tab's states subscribed to the topic.

    Returns:
        True if the tab should be woken.
    """
    return event is not None and any(isinstance(event, getattr(cls, "live_events", ())) for cls in states)


def _dispatch(topic: str, event: dict[str, Any]) -> None:
    # From any thread (the bus calls it after commit), in commit order: queued on the loop in that order.
    if _loop is None or not _subs.topic_tabs.get(topic):
        return
    _loop.call_soon_threadsafe(_enqueue, topic, event)


def later(delay: float, token: str, state_cls: type[rx.State], method: str) -> None:
    """Call a state's method on one tab after a delay (to let a typing indicator expire).

    Args:
        delay: Seconds.
        token: The tab.
        state_cls: Its state.
        method: An async method of the state without arguments.
    """
    if _loop is None:
        return

    async def run() -> None:
        await asyncio.sleep(delay)
        app = RegistrationContext.get().app
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=state_cls)) as root:
                page = await root.get_state(state_cls)
                await getattr(page, method)()
        except Exception:  # the tab may be gone
            log.exception("delayed live update failed")

    _loop.call_soon_threadsafe(lambda: _loop.create_task(run()) if _loop else None)


def publish(topic: str, event: LiveEvent) -> None:
    """Announce something that is not stored (someone is typing) to a topic's tabs at once (on every worker).

    Args:
        topic: The topic.
        event: The event.
    """
    if _shared is None:
        _dispatch(topic, event.wire())
    else:
        _shared.dispatch(topic, event.wire())


async def live_dispatcher() -> None:
    """Lifespan task: install the dispatcher on this worker's event loop (and read Redis, when set)."""
    global _loop, _shared  # noqa: PLW0603  # one loop per worker process
    _loop = asyncio.get_running_loop()
    url = get_settings().redis_url
    if not url:
        bus.install(_dispatch)
        try:
            await asyncio.Event().wait()
        finally:
            bus.uninstall(_dispatch)
        return
    shared = RedisSubscriptions(url, on_presence_left=_presence_left)
    shared.start()
    _shared = shared
    bus.install(shared.dispatch)
    try:
        await shared.listen(_deliver_shared, _resync)
    finally:
        bus.uninstall(shared.dispatch)
        _shared = None
        await asyncio.to_thread(shared.close)  # sends what was committed before the worker stops
        await shared.aclose()


class LiveState(rx.State, mixin=True):
    """The base of every live page state: the protocol of the module docstring.

    A state sets `live_events` (the event types it reacts to), optionally
    `live_gap_s` (coalesce bursts), and defines `_live_load(actor)`; it may
    narrow with `_live_wants` and apply an event in place with `_live_apply`.
    """

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = ()
    live_gap_s: ClassVar[float] = 0.0
    _live_at: float = 0.0
    _live_pending: bool = False

    def _live_follow(
        self, topic: str | tuple[str, ...], *, alongside: bool = False, user_id: int = 0, presence: bool = False
    ) -> None:
        """Follow topics once the page is loaded (step 2 of the protocol).

        Args:
            topic: The topic(s), built with `app.live.contract`.
            alongside: Add to the page's topics (a panel of the page) instead of replacing them.
            user_id: Who is in the tab (for presence).
            presence: Whether the topic announces who is there.
        """
        token = self.router.session.client_token
        if alongside:
            add(token, topic, type(self), user_id=user_id, presence=presence)
        else:
            subscribe(token, topic, type(self))

    def _live_stop(self) -> None:
        """Hear nothing more in this tab (the page was not found, or access was lost)."""
        unsubscribe(self.router.session.client_token)

    def _live_follow_found(self, found: bool, topic: str | tuple[str, ...]) -> None:
        """Step 2 for a page's main state: follow its topics if its load found the page, else hear nothing.

        Args:
            found: Whether the load found the page.
            topic: The page's topic(s).
        """
        if found:
            self._live_follow(topic)
        else:
            self._live_stop()

    async def _live_load(self, actor: Actor | None) -> None:
        """Load the page's data as this actor (None: the tab's session ended; show nothing).

        Args:
            actor: The tab's own actor.
        """
        raise NotImplementedError

    async def _live_wants(self, event: LiveEvent) -> bool:
        """Whether this state cares about an event of one of its types (default: yes).

        Args:
            event: The event.

        Returns:
            True to go on (apply or reload).
        """
        del event
        return True

    async def _live_apply(self, event: LiveEvent) -> bool:
        """Apply an event in place, without a reload (default: never).

        Args:
            event: The event.

        Returns:
            True when applied (no reload follows).
        """
        del event
        return False

    async def _on_live(self, wire: dict[str, Any]) -> None:
        """Hear an event pushed to the tab (its actor and access already re-checked by `_push`).

        Args:
            wire: The event as the bus carries it.
        """
        event = contract.parse(wire)
        if event is None or not isinstance(event, self.live_events) or not await self._live_wants(event):
            return
        if await self._live_apply(event):
            return
        if self.live_gap_s:
            # Pending: a reload is scheduled (`later`). Unless it is long overdue: the worker that scheduled
            # it stopped before it ran (several workers), and this tab would otherwise never reload again.
            if self._live_pending and time.time() - self._live_at < 2 * self.live_gap_s + LATE_RELOAD_S:
                return
            if time.time() - self._live_at < self.live_gap_s:
                self._live_pending = True
                later(self.live_gap_s, self.router.session.client_token, type(self), "_live_reload")
                return
        await self._live_reload()

    async def _live_reload(self) -> None:
        """Reload as the tab's own actor (a push carries nobody's request to act as)."""
        # Wall-clock time: the tab's state may next be read by a worker on another host (monotonic clocks differ).
        self._live_pending, self._live_at = False, time.time()
        await self._live_load(await tab_actor(self))
