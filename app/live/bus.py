"""Live changes: services announce them after commit; subscribers (open pages) refresh.

A service calls `notify(db, topic, event)` inside its transaction, after the
write it announces; topics and events come from `app.live.contract`. The event
is queued on the database session and delivered only once that transaction
commits (SQLAlchemy `after_commit`), to the dispatchers installed by the Reflex
side (`state/live.py`). A transaction that ends any other way (rolled back, a
retry after a conflict, a session closed without commit) drops what it queued,
so a change that is not stored is never announced, and one retried is announced
once. One process by default; the dispatcher is the seam where a Redis fan-out
plugs in for several workers (it receives the event's JSON-able wire form).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction

from app.live.contract import LiveEvent, Wire

Dispatcher = Callable[[str, Wire], None]
_PENDING_KEY = "plume_live_pending"
_MARKS_KEY = "plume_live_savepoints"  # savepoint → how many events were queued when it began
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


def notify(db: OrmSession, topic: str, event: LiveEvent | Wire) -> None:
    """Announce a change, delivered once the transaction commits (never if it rolls back).

    Args:
        db: The transaction making the change (call after the write it announces).
        topic: Who should hear it: a builder of `app.live.contract`, e.g. `session_topic(12)`.
        event: An event type of `app.live.contract` (a bare dict only from tests of the bus itself).
    """
    payload = event.wire() if isinstance(event, LiveEvent) else dict(event)
    db.info.setdefault(_PENDING_KEY, []).append((topic, payload))


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


@event.listens_for(OrmSession, "after_transaction_create")
def _savepoint(db: OrmSession, transaction: SessionTransaction) -> None:
    if transaction.nested:
        db.info.setdefault(_MARKS_KEY, {})[transaction] = len(db.info.get(_PENDING_KEY, ()))


@event.listens_for(OrmSession, "after_soft_rollback")
def _forget(db: OrmSession, previous: SessionTransaction) -> None:
    # A savepoint rolled back drops what was announced inside it; any other rollback drops everything.
    mark = db.info.get(_MARKS_KEY, {}).pop(previous, None) if previous.nested else None
    if mark is None:
        db.info.pop(_PENDING_KEY, None)
    else:
        del db.info.get(_PENDING_KEY, [])[mark:]


@event.listens_for(OrmSession, "after_transaction_end")
def _end(db: OrmSession, transaction: SessionTransaction) -> None:
    # (A savepoint's mark stays until the outermost transaction ends: its rollback is heard after it ends.)
    if transaction.parent is None:
        # The outermost transaction ended without commit (`after_commit` already took what it carried).
        db.info.pop(_PENDING_KEY, None)
        db.info.pop(_MARKS_KEY, None)
