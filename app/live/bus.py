"""Live changes: services announce them after commit; subscribers (open pages) refresh.

A service calls `notify(db, topic, event)` inside its transaction. The event is
delivered only if that transaction commits, to the one dispatcher installed by
the Reflex side (`state/live.py`). One process by default; the dispatcher is the
seam where a Redis fan-out plugs in for several workers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession

Dispatcher = Callable[[str, dict[str, Any]], None]
_PENDING_KEY = "plume_live_pending"
_dispatchers: list[Dispatcher] = []
_lock = threading.Lock()


def install(dispatcher: Dispatcher) -> None:
    """Receive every committed event (the Reflex side installs one at start-up).

    Args:
        dispatcher: Called with (topic, event), from any thread.
    """
    with _lock:
        if dispatcher not in _dispatchers:
            _dispatchers.append(dispatcher)


def uninstall(dispatcher: Dispatcher) -> None:
    """Stop receiving events.

    Args:
        dispatcher: As installed.
    """
    with _lock:
        if dispatcher in _dispatchers:
            _dispatchers.remove(dispatcher)


def notify(db: OrmSession, topic: str, payload: dict[str, Any]) -> None:
    """Announce a change, delivered once the transaction commits (never if it rolls back).

    Args:
        db: The transaction making the change.
        topic: Who should hear it, e.g. "session:12".
        payload: A small description: ids and what changed, never private data.
    """
    db.info.setdefault(_PENDING_KEY, []).append((topic, payload))


def forget(db: OrmSession) -> None:
    """Drop the events announced in this transaction (the change turned out to be a repeat).

    Args:
        db: The transaction.
    """
    db.info.pop(_PENDING_KEY, None)


@event.listens_for(OrmSession, "after_commit")
def _deliver(db: OrmSession) -> None:
    pending = db.info.pop(_PENDING_KEY, [])
    if not pending:
        return
    with _lock:
        targets = list(_dispatchers)
    for topic, payload in pending:
        for dispatch in targets:
            dispatch(topic, payload)


@event.listens_for(OrmSession, "after_rollback")
def _forget(db: OrmSession) -> None:
    db.info.pop(_PENDING_KEY, None)
