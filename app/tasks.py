"""Background work that runs for the app's lifetime: the outbox sender."""

from __future__ import annotations

import asyncio
import logging

from app.services.db import session_scope
from app.services.outbox import deliver_pending

log = logging.getLogger("plume.outbox")
INTERVAL_SECONDS = 2.0


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
