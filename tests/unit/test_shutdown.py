"""Graceful shutdown: the events being handled when a worker stops get `DRAIN_SECONDS` to finish."""

from __future__ import annotations

from types import SimpleNamespace

from reflex_base.event.processor.base_state_processor import BaseStateEventProcessor

from app import tasks
from app.app import app


def test_the_drain_is_set_after_reflex_creates_its_event_processor() -> None:
    # Lifespan context managers are entered in registration order: Reflex's processor must exist first.
    names = [getattr(task, "__name__", "") for task in app.get_lifespan_tasks()]
    assert names.index("_setup_event_processor") < names.index("drain_events_on_shutdown")


async def test_the_processor_waits_for_running_handlers_before_cancelling_them() -> None:
    processor = BaseStateEventProcessor()
    assert processor.graceful_shutdown_timeout is None  # Reflex's default: cancel at once
    async with tasks.drain_events_on_shutdown(SimpleNamespace(_event_processor=processor)):
        assert processor.graceful_shutdown_timeout == tasks.DRAIN_SECONDS
