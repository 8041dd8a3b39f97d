"""Which tabs follow which topic, in one process's memory (the store used without Redis).

A tab (its client token) follows topics with one or more of its states; a tab
may say who is in it (for presence). The Reflex side (`state/live.py`) keeps one
`MemorySubscriptions` per worker: without Redis it is the only store, read on
every push; with Redis (`app.live.redis_bus.RedisSubscriptions` holds the shared
copy) it is this worker's own record of what its tabs followed, written back to
Redis after Redis comes back empty.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Generic, TypeVar

S = TypeVar("S", bound=Hashable)


class MemorySubscriptions(Generic[S]):
    """Topics → tabs → the states that follow them, and who is in each tab.

    `S` is whatever names a state: the state class in process, its full name in Redis.
    """

    def __init__(self) -> None:
        """Start empty."""
        self.topic_tabs: dict[str, dict[str, tuple[S, ...]]] = {}
        self.tab_topics: dict[str, set[str]] = {}
        self.tab_user: dict[str, int] = {}
        self.presence_topics: set[str] = set()

    def add(self, token: str, topics: tuple[str, ...], state: S, *, user_id: int = 0, presence: bool = False) -> None:
        """Subscribe one state of a tab to topics (beside what the tab already follows).

        Args:
            token: The tab's client token.
            topics: The topics.
            state: The state to refresh.
            user_id: Who is in the tab (for presence; 0: not said).
            presence: Whether the topics announce who is there.
        """
        followed = self.tab_topics.setdefault(token, set())
        for name in topics:
            tabs = self.topic_tabs.setdefault(name, {})
            states = tabs.get(token, ())
            if state not in states:
                tabs[token] = (*states, state)
            followed.add(name)
            if presence:
                self.presence_topics.add(name)
        if user_id:
            self.tab_user[token] = user_id

    def remove(self, token: str) -> set[str]:
        """Forget a tab.

        Args:
            token: The tab's client token.

        Returns:
            The topics it followed.
        """
        left = self.tab_topics.pop(token, set())
        for old in left:
            tabs = self.topic_tabs.get(old)
            if tabs is not None:
                tabs.pop(token, None)
                if not tabs:
                    self.topic_tabs.pop(old, None)
        self.tab_user.pop(token, None)
        return left

    def leave(self, token: str, topic: str) -> None:
        """Stop one topic for a tab.

        Args:
            token: The tab's client token.
            topic: The topic.
        """
        tabs = self.topic_tabs.get(topic)
        if tabs is not None:
            tabs.pop(token, None)
            if not tabs:
                self.topic_tabs.pop(topic, None)
        self.tab_topics.get(token, set()).discard(topic)

    def tabs(self, topic: str) -> dict[str, tuple[S, ...]]:
        """The tabs following a topic and their states (do not modify).

        Args:
            topic: The topic.

        Returns:
            Token → states (empty when nobody follows).
        """
        return self.topic_tabs.get(topic, {})

    def present(self, topic: str) -> list[int]:
        """Who has a presence topic open.

        Args:
            topic: The topic.

        Returns:
            User ids, sorted.
        """
        users = self.tab_user
        return sorted({users[t] for t in self.topic_tabs.get(topic, {}) if t in users})
