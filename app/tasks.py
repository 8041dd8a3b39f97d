"""Background work that runs for the app's lifetime: the outbox sender, the daily attendance head, cold evaluations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator
from typing import Any

from app.clock import PARIS
from app.models.base import utcnow
from app.services.attendance.heads import publish_daily_heads
from app.services.db import session_scope
from app.services.evaluations.cold import send_due_cold_evaluations
from app.services.outbox import deliver_pending

log = logging.getLogger("plume.outbox")
INTERVAL_SECONDS = 2.0
HEAD_INTERVAL_SECONDS = 600.0
# How long a stopping worker lets the events it is handling finish before Reflex cancels them.
DRAIN_SECONDS = 10.0


def _deliver_once(stop: threading.Event | None = None) -> int:
    with session_scope() as db:
        return deliver_pending(db, stop=stop)


async def outbox_sender() -> None:
    """Send due messages every few seconds; a failure never stops the loop.

    At shutdown the loop is cancelled: the thread sending finishes the message it holds and takes no
    other. A worker killed mid-send leaves that row "sending" under its lease; another worker sends it
    when the lease ends (it is sent again only if the kill fell between the SMTP server's acceptance
    and the commit that follows it).
    """
    stop = threading.Event()
    try:
        while True:
            try:
                await asyncio.to_thread(_deliver_once, stop)
            except Exception:  # keep sending the next messages
                log.exception("outbox delivery failed")
            await asyncio.sleep(INTERVAL_SECONDS)
    finally:
        stop.set()


def _publish_heads_once() -> int:
    with session_scope() as db:
        return publish_daily_heads(db, utcnow().astimezone(PARIS).date())


async def attendance_head_publisher() -> None:
    """E-mail each organisation's changed attendance head once a day (checked every 10 minutes).

    Every worker runs this loop; the publication's unique key per organisation and
    day lets exactly one of them send it, today and after a restart.
    """
    while True:
        try:
            await asyncio.to_thread(_publish_heads_once)
        except Exception:  # try again at the next round
            logging.getLogger("plume.attendance").exception("attendance head publication failed")
        await asyncio.sleep(HEAD_INTERVAL_SECONDS)


def _send_cold_evaluations_once() -> int:
    with session_scope() as db:
        return send_due_cold_evaluations(db, utcnow())


async def cold_evaluation_sender() -> None:
    """E-mail the cold evaluations due today (Paris) to the learners who have not answered (checked every 10 minutes).

    Every worker runs this loop; each evaluation is claimed by one conditional update committed
    with its e-mails, so exactly one worker sends it, today and after a restart.
    """
    while True:
        try:
            await asyncio.to_thread(_send_cold_evaluations_once)
        except Exception:  # try again at the next round
            logging.getLogger("plume.evaluations").exception("cold evaluation sending failed")
        await asyncio.sleep(HEAD_INTERVAL_SECONDS)


@contextlib.asynccontextmanager
async def drain_events_on_shutdown(app: Any) -> AsyncIterator[None]:
    """Let the events being handled finish (up to `DRAIN_SECONDS`) when the worker stops.

    On SIGTERM granian stops accepting connections and closes the websockets, then runs the app's lifespan
    shutdown, where Reflex stops its event processor: by default it cancels the handlers still running at
    once, so a handler stops at its next `await` and its later steps never run. The processor can wait for
    them first; Reflex exposes no setting for it, so the wait is set here, on the processor the app created
    just before (this task is registered after it, so it starts after it). The tab's reply is lost with
    its socket either way: it reconnects to a worker and retries with the same idempotency key.

    Args:
        app: The Reflex app (passed by Reflex to a lifespan task that names it).

    Yields:
        Nothing, for the app's lifetime.
    """
    processor = getattr(app, "_event_processor", None)
    if processor is not None:
        processor.graceful_shutdown_timeout = DRAIN_SECONDS
    else:
        log.warning("no event processor: in-flight events will not be drained at shutdown")
    yield
