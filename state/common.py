"""Helpers every state module uses: run service code off the event loop, translate errors."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from sqlmodel import Session

from app.i18n import error_text
from app.services.db import session_scope
from app.services.errors import PlumeError

T = TypeVar("T")


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
