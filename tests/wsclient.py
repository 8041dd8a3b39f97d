"""A minimal Reflex websocket client (python-socketio) for tests and benchmarks."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any
from urllib.parse import urlencode

import socketio


class ReflexClient:
    """One browser tab speaking Reflex's event protocol."""

    def __init__(self, base_url: str, *, headers: dict[str, str] | None = None) -> None:
        """Prepare a tab.

        Args:
            base_url: e.g. "http://127.0.0.1:3000".
            headers: Extra HTTP headers for the websocket handshake.
        """
        self.base_url = base_url
        self.token = str(uuid.uuid4())
        self.headers = headers or {}
        self.device = ""  # the browser cookies its handshake carries (tests.live fills them)
        self.session = ""
        self.sio = socketio.AsyncClient(reconnection=False)
        self.messages: list[dict[str, Any]] = []
        self._arrived = asyncio.Event()
        self.sio.on("event", self._on_event, namespace="/_event")

    async def _on_event(self, data: Any) -> None:
        if isinstance(data, dict):
            self.messages.append(data)
            self._arrived.set()

    async def connect(self) -> None:
        """Open the websocket."""
        await self.sio.connect(
            f"{self.base_url}?token={self.token}",
            socketio_path="/_event",
            namespaces=["/_event"],
            transports=["websocket"],
            headers=dict(self.headers),  # the client library takes the Cookie header out of the dict
            wait_timeout=10,
        )

    async def close(self) -> None:
        """Close the websocket."""
        await self.sio.disconnect()

    async def emit(self, name: str, payload: Any = None, *, path: str = "/", query: dict | None = None) -> None:
        """Send one event.

        Args:
            name: "<state full name>.<handler>".
            payload: The handler's arguments.
            path: The page the tab pretends to be on.
            query: The page's query parameters.
        """
        await self.sio.emit(
            "event",
            {
                "name": name,
                "payload": payload if payload is not None else {},
                "router_data": {
                    "pathname": path,
                    "query": query or {},
                    "asPath": path + (f"?{urlencode(query)}" if query else ""),
                },
            },
            namespace="/_event",
        )

    async def drain(self, quiet: float = 0.4, limit: float = 10.0) -> list[dict[str, Any]]:
        """Collect messages until none arrives for `quiet` seconds.

        Args:
            quiet: Seconds of silence that end the wait.
            limit: Maximum seconds to wait.

        Returns:
            The messages received since the last drain.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while loop.time() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=quiet)
            except TimeoutError:
                break
        got, self.messages = self.messages, []
        return got

    async def until(self, predicate: Any, *, timeout: float = 30.0, settle: float = 0.2) -> list[dict[str, Any]]:
        """Collect messages until one satisfies a predicate (then drain what follows it).

        Args:
            predicate: Called with each message.
            timeout: Seconds before giving up (the messages so far are returned).
            settle: Seconds of silence to wait for after the match (0: return at once).

        Returns:
            The messages received.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not any(predicate(m) for m in self.messages) and loop.time() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), timeout=max(0.0, deadline - loop.time()))
            except TimeoutError:
                break
        if not settle:
            got, self.messages = self.messages, []
            return got
        return self.messages[:] + await self.drain(quiet=settle)

    async def call(self, name: str, payload: Any = None, **kw: Any) -> list[dict[str, Any]]:
        """Send an event and collect what comes back.

        Args:
            name: Handler full name.
            payload: Arguments.
            **kw: `path`, `query` for `emit`.

        Returns:
            The messages received.
        """
        await self.emit(name, payload, **kw)
        return await self.drain()


def merged_delta(messages: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Merge the state deltas of several messages.

    Args:
        messages: As returned by `drain`.

    Returns:
        Substate name → {var: value}.
    """
    out: dict[str, dict[str, Any]] = {}
    for message in messages:
        for state_name, values in (message.get("delta") or {}).items():
            out.setdefault(state_name, {}).update(values)
    return out
