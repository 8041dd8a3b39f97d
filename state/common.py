"""Helpers every state module uses: run service code off the event loop, translate errors."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import reflex as rx
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import Session

from app.i18n import DEFAULT_LANGUAGE, error_text, t
from app.services.crypto import HASH_SLOTS
from app.services.db import session_scope
from app.services.errors import PlumeError
from state.guard import current_actor

T = TypeVar("T")

log = logging.getLogger("plume.outage")

# Work that hashes a password (sign-in, sign-up, a new password, a password asked again) runs here: a
# classroom signing in at once queues in this pool instead of filling the shared one every other handler's
# `run_db` uses, so pages keep loading meanwhile. Two threads per core, so one writes to the database
# while another hashes; `crypto` itself lets no more hashes run at once than there are cores.
_password_pool = ThreadPoolExecutor(max_workers=2 * HASH_SLOTS, thread_name_prefix="plume-password")


def _in_transaction(work: Callable[[Session], T]) -> T:
    with session_scope() as db:
        return work(db)


async def run_db(work: Callable[[Session], T]) -> T:
    """Run service code in one transaction, in a worker thread.

    Args:
        work: A function of the database session.

    Returns:
        What it returns (committed).
    """
    return await asyncio.to_thread(_in_transaction, work)


async def run_password_db(work: Callable[[Session], T]) -> T:
    """Like `run_db`, for service code that hashes or checks a password: in the password pool.

    Args:
        work: A function of the database session.

    Returns:
        What it returns (committed).
    """
    call = functools.partial(contextvars.copy_context().run, _in_transaction, work)
    return await asyncio.get_running_loop().run_in_executor(_password_pool, call)


def unavailable_store(exception: BaseException) -> str:
    """Which store an error says cannot be reached (stopped, restarting, out of connections), if any.

    Args:
        exception: What a handler (or the policy gate before it) raised.

    Returns:
        "database" or "redis" (the tabs' states) for a lost or refused connection; "" for anything else (a bug).
    """
    if isinstance(exception, RedisConnectionError | RedisTimeoutError):
        return "redis"
    if isinstance(exception, OperationalError | InterfaceError | PoolTimeoutError):
        return "database"
    return "database" if isinstance(exception, DBAPIError) and exception.connection_invalidated else ""


def backend_error(exception: Exception) -> EventSpec:
    """What a tab is shown when an event fails: an outage in words, anything else as Reflex shows it.

    Reflex's own answer is an English "An error occurred. Contact the website administrator." toast: during
    a restart the person should rather know it is momentary and that retrying (the signature pad keeps its
    idempotency key) is safe. The toast is in the person's language when the security gate could read who
    they are before the store failed, else in French, the interface's default (the tab's state, which holds
    its language, may be in the Redis that is down).

    Args:
        exception: What the event raised (the transaction, if any, was rolled back by `session_scope`).

    Returns:
        The toast to show.
    """
    store = unavailable_store(exception)
    if not store:
        return default_backend_exception_handler(exception)
    cause = getattr(exception, "orig", None) or exception
    first_line = str(cause).strip().splitlines()[0] if str(cause).strip() else ""
    # One line, no traceback: the outage is the server's, not a bug in the handler that met it.
    log.error("%s unavailable (%s): %s", store, type(cause).__name__, first_line)
    actor = current_actor()
    lang = actor.language if actor is not None else DEFAULT_LANGUAGE
    return rx.toast.error(t(lang, "error.unavailable"), id="backend_error", position="top-center")


def assign_changed(state: Any, **values: Any) -> None:
    """Set a state's vars, only those whose value changed.

    Reflex sends every var assigned during an event, changed or not (and type-checks it on the way): a page
    reloaded with the same data would resend all its lists. Values are compared with `==` (the services' view
    dataclasses compare by value).

    Args:
        state: The state.
        **values: Var names and their new values.
    """
    for name, value in values.items():
        if getattr(state, name) != value:
            setattr(state, name, value)


def error_message(lang: str, err: PlumeError) -> str:
    """The person-readable text of a service error.

    Args:
        lang: Interface language.
        err: The error.

    Returns:
        The text.
    """
    return error_text(lang, err.code.value, **err.params)


def clean_str(value: object, limit: int = 500) -> str:
    """A client-sent value as a bounded string ("" for anything that is not a string).

    Args:
        value: As received.
        limit: Maximum length kept.

    Returns:
        The string.
    """
    return value[:limit] if isinstance(value, str) else ""


def clean_id(value: object) -> int | None:
    """A client-sent id as a positive int, or None.

    Args:
        value: As received (int or digit string).

    Returns:
        The id, or None when malformed.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value < 2**63 else None
    if isinstance(value, str) and value.isdigit() and len(value) < 19:
        return int(value) or None
    return None


def form_fields(value: object) -> dict[str, Any]:
    """A form's submitted fields ({} for anything that is not a dict).

    Args:
        value: As received.

    Returns:
        The fields.
    """
    return value if isinstance(value, dict) else {}


def route_id(state: Any, param: str, *, from_end: int = 1) -> int | None:
    """An id in the current page's URL (`/sessions/[session_id]`), also when the static server added a slash.

    Args:
        state: The page state (its router).
        param: The route parameter's name.
        from_end: Which path segment holds it when the router has no parameters: 1 for the last
            (`/sessions/12`), 2 for the one before (`/tutorat/12/missions`).

    Returns:
        The id, or None when malformed.
    """
    raw = state.router.page.params.get(param, "")
    if not raw:
        parts = state.router.url.path.rstrip("/").split("/")
        raw = parts[-from_end] if len(parts) > from_end else ""
    return clean_id(raw)
