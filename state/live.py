"""The one Reflex-aware piece of live updates: committed events → the open tabs that subscribed.

A page subscribes its tab to a topic when it loads (one topic per tab). When a
service commits a change it announces on that topic, each subscribed, still
connected tab gets its page state refreshed through `app.modify_state`; the
refresh re-reads the data as that tab's own actor, so nobody receives more than
their page may show.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import reflex as rx
from reflex_base.registry import RegistrationContext

from app.live import bus

log = logging.getLogger("plume.live")

_topic_tabs: dict[str, set[str]] = {}
_tab_topics: dict[str, tuple[str, ...]] = {}
_tab_state: dict[str, type[rx.State]] = {}
_loop: asyncio.AbstractEventLoop | None = None


def subscribe(token: str, topic: str | tuple[str, ...], state_cls: type[rx.State]) -> None:
    """Subscribe a tab to its page's topics (replacing those of the page it left).

    Args:
        token: The tab's client token.
        topic: e.g. "session:12", or several (a board and the person's own topic).
        state_cls: The page state to refresh; it defines `async _on_live(event)`.
    """
    unsubscribe(token)
    topics = (topic,) if isinstance(topic, str) else tuple(topic)
    for name in topics:
        _topic_tabs.setdefault(name, set()).add(token)
    _tab_topics[token] = topics
    _tab_state[token] = state_cls


def unsubscribe(token: str) -> None:
    """Stop pushing to a tab.

    Args:
        token: The tab's client token.
    """
    _tab_state.pop(token, None)
    for old in _tab_topics.pop(token, ()):
        tabs = _topic_tabs.get(old)
        if tabs is not None:
            tabs.discard(token)
            if not tabs:
                _topic_tabs.pop(old, None)


def subscribers(topic: str) -> set[str]:
    """The tabs subscribed to a topic.

    Args:
        topic: The topic.

    Returns:
        Their tokens.
    """
    return set(_topic_tabs.get(topic, ()))


async def _push(topic: str, event: dict[str, Any]) -> None:
    app = RegistrationContext.get().app
    namespace = app.event_namespace
    if namespace is None:
        return
    tokens = namespace._token_manager  # `token_to_sid` rebuilds a dict of every tab per call
    for token in subscribers(topic):
        if not await tokens.is_token_connected(token):
            unsubscribe(token)
            continue
        state_cls = _tab_state.get(token)
        if state_cls is None:
            continue
        try:
            async with app.modify_state(rx.BaseStateToken(ident=token, cls=state_cls)) as root:
                page = await root.get_state(state_cls)
                await page._on_live(event)  # type: ignore[attr-defined]  # every subscribing state defines it
        except Exception:  # one broken tab never stops the others
            log.exception("live push to a tab failed")


def _dispatch(topic: str, event: dict[str, Any]) -> None:
    if _loop is None or not _topic_tabs.get(topic):
        return
    asyncio.run_coroutine_threadsafe(_push(topic, event), _loop)


async def live_dispatcher() -> None:
    """Lifespan task: install the dispatcher on this worker's event loop."""
    global _loop  # noqa: PLW0603  # one loop per worker process
    _loop = asyncio.get_running_loop()
    bus.install(_dispatch)
    try:
        await asyncio.Event().wait()
    finally:
        bus.uninstall(_dispatch)
