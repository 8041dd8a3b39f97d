"""Background work that runs for the app's lifetime: the outbox sender, the daily attendance head, cold evaluations."""

from __future__ import annotations

import asyncio
import logging

from app.clock import PARIS
from app.models.base import utcnow
from app.services.attendance.heads import publish_daily_heads
from app.services.db import session_scope
from app.services.evaluations.cold import send_due_cold_evaluations
from app.services.outbox import deliver_pending

log = logging.getLogger("plume.outbox")
INTERVAL_SECONDS = 2.0
HEAD_INTERVAL_SECONDS = 600.0


def _deliver_once() -> int:
    with session_scope() as db:
        return deliver_pending(db)


async def outbox_sender() -> None:
    """Send due messages every few seconds; a failure never stops the loop."""
    while True:
        try:
            await asyncio.to_thread(_deliver_once)
        except Exception:  # keep sending the next messages
            log.exception("outbox delivery failed")
        await asyncio.sleep(INTERVAL_SECONDS)


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
