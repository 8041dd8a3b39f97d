"""Helpers to act as a browser tab over the websocket against the running server."""

from __future__ import annotations

import itertools
from typing import Any

import reflex as rx

import app.app  # noqa: F401  # registers every State class
from state.auth import SignInState
from state.session import SessionState
from tests.wsclient import ReflexClient, merged_delta

DEMO_PASSWORD = "plume-demo-2026"
_ip = itertools.count(1)


def handler(cls: type[rx.State], name: str) -> str:
    """The full event name of a handler.

    Args:
        cls: State class.
        name: Handler name.

    Returns:
        "<state full name>.<name>".
    """
    return f"{cls.get_full_name()}.{name}"


def fresh_ip() -> str:
    """A distinct client address (the test server trusts one proxy hop).

    Returns:
        An address in 10.0.0.0/8.
    """
    n = next(_ip)
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


async def tab(base_url: str) -> ReflexClient:
    """A connected, hydrated anonymous tab with its own IP.

    Args:
        base_url: Server URL.

    Returns:
        The client.
    """
    client = ReflexClient(base_url, headers={"X-Forwarded-For": fresh_ip()})
    await client.connect()
    await client.call(f"{rx.State.get_full_name()}.hydrate", path="/connexion")
    return client


async def signed_in_tab(base_url: str, email: str, password: str = DEMO_PASSWORD) -> ReflexClient:
    """A tab signed in through the real sign-in handler.

    Args:
        base_url: Server URL.
        email: Account.
        password: Password.

    Returns:
        The client.
    """
    client = await tab(base_url)
    await client.emit(
        handler(SignInState, "sign_in"), {"form_data": {"email": email, "password": password}}, path="/connexion"
    )
    messages = await client.until(lambda m: any(ev.get("name") == "_redirect" for ev in m.get("events") or []))
    delta = merged_delta(messages)
    token = delta.get(SessionState.get_full_name(), {}).get("session_token_rx_state_", "")
    assert token, f"sign-in failed for {email}: {messages}"
    return client


def var(messages: list[dict[str, Any]], cls: type[rx.State], name: str) -> Any:
    """The last value a var took in some messages.

    Args:
        messages: From `drain`.
        cls: State class.
        name: Var name.

    Returns:
        The value, or None if it did not change.
    """
    return merged_delta(messages).get(cls.get_full_name(), {}).get(f"{name}_rx_state_")


def redirects(messages: list[dict[str, Any]]) -> list[str]:
    """The paths a tab was sent to.

    Args:
        messages: From `drain`.

    Returns:
        Redirect targets.
    """
    return [ev["payload"]["path"] for m in messages for ev in (m.get("events") or []) if ev.get("name") == "_redirect"]
