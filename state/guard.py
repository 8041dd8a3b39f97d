"""Deny-by-default gate: every event handler is registered with a policy.

Any browser can send any handler name with any payload over `/_event`.
`PolicyGate` (a Reflex middleware) looks the handler up, resolves the actor
from the server-side session (the HttpOnly session cookie of the websocket
handshake is the only client value trusted, and only as a key to look up), and drops what is not registered or
not allowed. Handlers read the actor with `current_actor()`.
"""

from __future__ import annotations

import asyncio
import contextvars
import dataclasses
import functools
import inspect
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

import reflex as rx
from reflex.middleware.middleware import Middleware
from reflex.state import (
    BaseState,
    FrontendEventExceptionState,
    OnLoadInternalState,
    StateUpdate,
    UpdateVarsInternalState,
)
from reflex_base.event import Event, EventHandler

from app.logs import new_request_id, request_id
from app.services import audit
from app.services.actor import Actor
from app.services.auth import SESSION_COOKIE, resolve_actor
from app.services.db import session_scope

F = TypeVar("F", bound=Callable[..., Any])
POLICY_ATTR = "__plume_policy__"
SIGN_IN_ROUTE = "/connexion"


@dataclasses.dataclass(frozen=True)
class Policy:
    """Who may call a handler.

    level: "public" (anyone), "pending" (a session, even before activation or
    the second factor), "signed_in" (activated, second factor passed) or
    "role" (signed in with one of `roles` in the selected organisation).
    """

    level: str
    roles: frozenset[str] = frozenset()

    def allows(self, actor: Actor | None) -> bool:
        """Whether the actor passes.

        Args:
            actor: The resolved actor, or None for an anonymous tab.

        Returns:
            True if the handler may run.
        """
        if self.level == "public":
            return True
        if actor is None:
            return False
        if self.level == "pending":
            return True
        if self.level == "signed_in":
            return actor.fully_signed_in
        return actor.has_role(*self.roles)


PUBLIC = Policy("public")
PENDING = Policy("pending")
SIGNED_IN = Policy("signed_in")


def roles(*names: str) -> Policy:
    """A policy for members holding one of these roles.

    Args:
        *names: Role names.

    Returns:
        The policy.
    """
    return Policy("role", frozenset(names))


STAFF = roles("staff")


def policy(p: Policy) -> Callable[[F], F]:
    """Register a handler with its policy (put it under `@rx.event`).

    Args:
        p: The policy.

    Returns:
        The decorator.
    """

    def mark(fn: F) -> F:
        setattr(fn, POLICY_ATTR, p)
        return fn

    return mark


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("plume_actor", default=None)


def current_actor() -> Actor | None:
    """The actor of the event being processed (set by the gate).

    Returns:
        The actor, or None for an anonymous tab.
    """
    return _actor.get()


def require_actor() -> Actor:
    """The actor of the event being processed; the gate guarantees one for non-public handlers.

    Returns:
        The actor.

    Raises:
        PermissionError: When called from a public handler without a session.
    """
    actor = _actor.get()
    if actor is None:
        msg = "no actor: this handler must not be public"
        raise PermissionError(msg)
    return actor


@functools.cache
def _framework_handlers() -> dict[str, Policy]:
    allowed: dict[str, Policy] = {}
    for cls, names in (
        (rx.State, ("hydrate", "set_is_hydrated", "hydrate_and_load")),
        (OnLoadInternalState, ("on_load_internal", "set_is_hydrated")),
        (UpdateVarsInternalState, ("update_vars_internal",)),
        (FrontendEventExceptionState, ("handle_frontend_exception",)),
    ):
        for name in names:
            allowed[f"{cls.get_full_name()}.{name}"] = PUBLIC
    return allowed


def _all_state_classes(root: type[BaseState]) -> Iterator[type[BaseState]]:
    yield root
    for sub in root.get_substates():
        yield from _all_state_classes(sub)


def handler_policies() -> dict[str, Policy | None]:
    """Every event handler of every State class, with its policy (None if unregistered).

    Returns:
        Full handler name → policy.
    """
    framework = _framework_handlers()
    found: dict[str, Policy | None] = {}
    for cls in _all_state_classes(rx.State):
        for name, handler in cls.event_handlers.items():
            full = f"{cls.get_full_name()}.{name}"
            found[full] = framework.get(full) or getattr(handler.fn, POLICY_ATTR, None)
    return found


def _handler(event_name: str) -> EventHandler | None:
    """The handler an event names ("<state full name>.<handler>"), or None when no state has it."""
    state_name, _, handler_name = event_name.rpartition(".")
    try:
        cls = rx.State.get_class_substate(state_name)
    except (ValueError, AttributeError, KeyError):
        return None
    return cls.event_handlers.get(handler_name)


@functools.cache
def _parameters(event_name: str) -> tuple[frozenset[str], frozenset[str]] | None:
    handler = _handler(event_name)
    if handler is None:
        return None
    params = list(inspect.signature(handler.fn).parameters.values())[1:]
    required = frozenset(p.name for p in params if p.default is inspect.Parameter.empty)
    return required, frozenset(p.name for p in params)


def payload_fits(event_name: str, payload: object) -> bool:
    """Whether a payload is a dict naming every required parameter of the handler, and no other.

    Framework events are left to Reflex. A payload that does not fit is dropped
    before Reflex tries to bind it.

    Args:
        event_name: Handler full name.
        payload: As sent by the client.

    Returns:
        True if it may be bound.
    """
    if event_name in _framework_handlers():
        return True
    params = _parameters(event_name)
    if params is None or not isinstance(payload, dict):
        return False
    required, allowed = params
    return required <= set(payload) <= allowed


def policy_for(event_name: str) -> Policy | None:
    """The policy of the handler an event names, or None if there is none.

    Args:
        event_name: "<state full name>.<handler>".

    Returns:
        The policy, or None (the event is dropped).
    """
    framework = _framework_handlers()
    if event_name in framework:
        return framework[event_name]
    handler = _handler(event_name)
    return None if handler is None else getattr(handler.fn, POLICY_ATTR, None)


def _resolve(token: str, ip: str, *, touch: bool = True) -> Actor | None:
    if not token:
        return None
    with session_scope() as db:
        return resolve_actor(db, token, ip=ip, touch=touch)


def handshake_cookie(state: BaseState, name: str) -> str:
    """A cookie of the tab's websocket handshake.

    Reflex keeps the handshake's headers for the connection and overrides any header
    a client puts in an event's router data, so page scripts cannot forge this; the
    HttpOnly cookies (`plume_session`, `plume_device`) cannot be read by them either.

    Args:
        state: Any state of the tab.
        name: The cookie's name.

    Returns:
        Its value, or "" when the handshake had none.
    """
    return cookie_in(state.router.headers.cookie or "", name)


def cookie_in(header: str, name: str) -> str:
    """One cookie of a `Cookie` header (a tab's handshake, read from its state or from its socket).

    Args:
        header: The header's value.
        name: The cookie's name.

    Returns:
        Its value, or "" when the header has none.
    """
    for part in header.split(";"):
        key, sep, value = part.strip().partition("=")
        if sep and key == name:
            return value.strip().strip('"')
    return ""


def session_cookie_token(state: BaseState) -> str:
    """The session token from the `plume_session` cookie of the tab's websocket handshake.

    Args:
        state: Any state of the tab.

    Returns:
        The raw token, or "" when the handshake had none.
    """
    return handshake_cookie(state, SESSION_COOKIE)


async def tab_actor(state: BaseState) -> Actor | None:
    """The actor of the tab a live push reached: its own signed-in session, not the author of the change.

    Args:
        state: A state of the tab.

    Returns:
        The actor, or None when the tab's session ended.
    """
    token = session_cookie_token(state)
    ip = state.router.session.client_ip
    return await asyncio.to_thread(_resolve, token, ip, touch=False)


REFUSAL_WINDOW = 60.0
REFUSAL_LIMIT = 50


@dataclasses.dataclass
class _Refusals:
    """A connection's refused events within one window: one audit row, its count updated when the window ends."""

    started: float
    count: int = 0
    row_id: int | None = None
    dropped: bool = False


_refusals: dict[str, _Refusals] = {}


def _record_denied(event_name: str, actor: Actor | None, ip: str) -> int | None:
    with session_scope() as db:
        row = audit.record(
            db,
            "access.denied",
            actor_user_id=actor.user_id if actor else None,
            organisation_id=actor.organisation_id if actor else None,
            target=event_name[:200],
            after={"count": 1},
            ip=ip,
        )
        db.flush()
        return row.id


def _record_count(window: _Refusals) -> None:
    if window.row_id is None:
        return
    with session_scope() as db:
        audit.update_after(db, window.row_id, {"count": window.count, "disconnected": window.dropped})


async def _close_window(sid: str, window: _Refusals) -> None:
    await asyncio.sleep(REFUSAL_WINDOW)
    if _refusals.get(sid) is window:
        _refusals.pop(sid, None)
    if window.count > 1 and not window.dropped:
        await asyncio.to_thread(_record_count, window)


async def _refused(app: Any, state: BaseState, event_name: str, actor: Actor | None, ip: str) -> bool:
    """Count a refused event on its connection; audit the first of each minute, drop a flooding socket.

    Args:
        app: The Reflex app.
        state: The tab's root state.
        event_name: The refused handler.
        actor: The tab's actor.
        ip: Client address.

    Returns:
        True when the socket was dropped (or already was): nothing more is sent to it.
    """
    sid = state.router.session.session_id
    now = time.monotonic()
    window = _refusals.get(sid)
    if window is None or now - window.started >= REFUSAL_WINDOW:
        window = _refusals[sid] = _Refusals(started=now)
        window.count = 1
        window.row_id = await asyncio.to_thread(_record_denied, event_name, actor, ip)
        _windows.add(task := asyncio.create_task(_close_window(sid, window)))
        task.add_done_callback(_windows.discard)
        return False
    window.count += 1
    if window.dropped:
        return True
    if window.count >= REFUSAL_LIMIT:
        window.dropped = True
        await asyncio.to_thread(_record_count, window)
        namespace = app.event_namespace
        if app.sio is not None and namespace is not None:
            await app.sio.disconnect(sid, namespace=namespace.namespace)
        return True
    return False


_windows: set[asyncio.Task[None]] = set()


class PolicyGate(Middleware):
    """Drops events whose handler has no policy or whose policy the actor fails."""

    async def preprocess(self, app: Any, state: BaseState, event: Event) -> StateUpdate | None:
        """Resolve the actor and decide.

        Args:
            app: The Reflex app.
            state: The tab's root state.
            event: The incoming event.

        Returns:
            None to let the event run, or an update that stops it.
        """
        _actor.set(None)
        request_id.set(new_request_id())  # the event's logs, here and in its handler, share one id
        rule = policy_for(event.name)
        ip = state.router.session.client_ip
        actor = await asyncio.to_thread(_resolve, session_cookie_token(state), ip)
        if rule is not None and rule.allows(actor) and payload_fits(event.name, event.payload):
            _actor.set(actor)
            return None
        if await _refused(app, state, event.name, actor, ip):
            return StateUpdate()
        if rule is not None and rule.level != "public" and (actor is None or not actor.fully_signed_in):
            url = state.router.url
            path = (url.path.rstrip("/") or "/") + (f"?{url.query}" if url.query else "")
            target = SIGN_IN_ROUTE if actor is None else "/activation"
            if actor is not None and actor.mfa_pending:
                target = "/verification"
            keep = actor is None and path.startswith("/") and not path.startswith(SIGN_IN_ROUTE)
            suffix = f"?suivant={quote(path, safe='')}" if keep else ""
            return StateUpdate(
                events=[Event(name="_redirect", payload={"path": target + suffix, "external": False, "replace": True})]
            )
        return StateUpdate()
