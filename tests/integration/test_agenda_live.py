"""An open agenda follows its sessions: a slot staff move to another day moves in the trainer's agenda."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from app.models import Slot, TrainerPosition, TrainingSession, User
from state.agenda import AgendaState
from state.session_page import SessionPageState
from tests.agenda_setup import trainer_of_two_organisations
from tests.live import handler, merged_delta, signed_in_tab, var


def _days_with_slots(messages: list[dict[str, Any]]) -> dict[str, list[int]]:
    days = var(messages, AgendaState, "days") or []
    return {d["iso"]: [e["slot_id"] for e in d["slots"]] for d in days if d["slots"]}


async def test_a_slot_moved_by_staff_moves_in_the_open_agenda(server) -> None:
    email, monday = trainer_of_two_organisations(server)
    with server.session() as db:
        trainer = db.exec(select(User).where(User.email == email)).one()
        session_id, slot_id, activity_id = db.exec(
            select(TrainingSession.id, Slot.id, Slot.activity_id)
            .join(TrainerPosition, col(TrainerPosition.session_id) == col(TrainingSession.id))
            .join(Slot, col(Slot.session_id) == col(TrainingSession.id))
            .where(TrainerPosition.user_id == trainer.id, TrainingSession.title == "Prise de parole en public")
        ).one()
    tuesday, thursday = (monday + timedelta(days=n) for n in (1, 3))

    agenda_tab = await signed_in_tab(server.url, email)
    opened = await agenda_tab.call(handler(AgendaState, "load"), path="/agenda")
    assert slot_id in _days_with_slots(opened)[tuesday.isoformat()]

    staff = await signed_in_tab(server.url, "staff@demo.plume.test")
    path = f"/sessions/{session_id}"
    await staff.call(handler(SessionPageState, "load"), path=path)
    form = {"activity_id": str(activity_id), "day": thursday.isoformat(), "half_day": "afternoon", "room": "Salle 2"}
    await staff.call(handler(SessionPageState, "schedule"), {"form_data": form}, path=path)

    def moved(message: dict[str, Any]) -> bool:
        days = merged_delta([message]).get(AgendaState.get_full_name(), {}).get("days_rx_state_") or []
        return any(d["iso"] == thursday.isoformat() and slot_id in [e["slot_id"] for e in d["slots"]] for d in days)

    pushed = await agenda_tab.until(moved, timeout=20)
    shown = _days_with_slots(pushed)
    assert slot_id in shown[thursday.isoformat()]
    assert tuesday.isoformat() not in shown
    entry = next(e for d in var(pushed, AgendaState, "days") for e in d["slots"] if e["slot_id"] == slot_id)
    assert (entry["time_range"], entry["where"]) == ("14:00–17:30", "Salle 2")
    await staff.close()
    await agenda_tab.close()
