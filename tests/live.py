"""Helpers to act as a browser tab over the websocket against the running server."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import urllib.error
import urllib.request
from typing import Any

import reflex as rx

import app.app  # noqa: F401  # registers every State class
from app.services.auth import DEVICE_COOKIE, SESSION_COOKIE
from state.auth import SignInState
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


async def tab(base_url: str, session: str = "", *, device: str = "") -> ReflexClient:
    """A connected, hydrated tab with its own IP (anonymous, or carrying a session cookie like a browser).

    Its handshake carries a `plume_device` cookie, as a browser's does after its first page load.

    Args:
        base_url: Server URL.
        session: The `plume_session` cookie to send in the websocket handshake.
        device: The browser's `plume_device` cookie (a new browser's when empty).

    Returns:
        The client (`client.device` and `client.session` say which cookies it carries).
    """
    device = device or secrets.token_urlsafe(16)
    cookies = [f"{DEVICE_COOKIE}={device}"] + ([f"{SESSION_COOKIE}={session}"] if session else [])
    client = ReflexClient(base_url, headers={"X-Forwarded-For": fresh_ip(), "Cookie": "; ".join(cookies)})
    client.device, client.session = device, session
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
    token = await sign_in(client, email, password)
    await client.close()
    return await tab(base_url, token, device=client.device)


def handoff(messages: list[dict[str, Any]]) -> str:
    """The `/api/session?code=…` address a sign-in sent the browser to.

    Args:
        messages: From the tab.

    Returns:
        The path and query, or "".
    """
    found = re.search(r"/api/session\?code=[A-Za-z0-9%_.~-]+&suivant=[A-Za-z0-9%_.~-]*", json.dumps(messages))
    return found.group(0) if found else ""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


def follow(base_url: str, path: str, device: str = "") -> tuple[str, str]:
    """Load an address like a browser would, without following its redirect.

    Args:
        base_url: Server URL.
        path: Path and query.
        device: The browser's `plume_device` cookie, if it has one.

    Returns:
        (Location, Set-Cookie) of the answer.
    """
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(base_url + path, headers={"Cookie": f"{DEVICE_COOKIE}={device}"} if device else {})
    try:
        response = opener.open(request)
    except urllib.error.HTTPError as redirect:
        return redirect.headers.get("Location", ""), redirect.headers.get("Set-Cookie", "")
    return response.headers.get("Location", ""), response.headers.get("Set-Cookie", "")


def cookie_value(set_cookie: str) -> str:
    """The session token a Set-Cookie header sets.

    Args:
        set_cookie: The header.

    Returns:
        The value, or "".
    """
    found = re.match(rf"{SESSION_COOKIE}=([^;]*)", set_cookie)
    return found.group(1).strip('"') if found else ""


async def adopt(client: ReflexClient, messages: list[dict[str, Any]]) -> tuple[ReflexClient, str]:
    """Take a sign-in's (or sign-up's) handoff like a browser: the cookie route, then a new page load.

    Args:
        client: The tab that signed in (closed: its socket has no cookie).
        messages: What the sign-in answered.

    Returns:
        A new tab whose handshake carries the cookie, and the page the route sent it to.
    """
    path = handoff(messages)
    assert path, f"no handoff in {messages}"
    location, set_cookie = follow(client.base_url, path, client.device)
    token = cookie_value(set_cookie)
    assert token, f"no session cookie: {set_cookie!r}"
    await client.close()
    return await tab(client.base_url, token, device=client.device), location


async def sign_in(client: ReflexClient, email: str, password: str = DEMO_PASSWORD) -> str:
    """Sign in through the real handler, then take the handoff to the cookie route like a browser.

    Args:
        client: An anonymous tab (its socket stays anonymous: only a new handshake carries the cookie).
        email: Account.
        password: Password.

    Returns:
        The session token the HttpOnly cookie holds.
    """
    await client.emit(
        handler(SignInState, "sign_in"), {"form_data": {"email": email, "password": password}}, path="/connexion"
    )
    messages = await client.until(lambda m: bool(handoff([m])))
    path = handoff(messages)
    assert path, f"sign-in failed for {email}: {messages}"
    # In a thread, like a browser's own request: a hundred tabs signing in at once do not wait on each other here.
    _, set_cookie = await asyncio.to_thread(follow, client.base_url, path, client.device)
    token = cookie_value(set_cookie)
    assert token, f"no session cookie for {email}: {set_cookie!r}"
    return token


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
