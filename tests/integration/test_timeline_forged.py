"""A trainer's forged timeline events: content edits allowed, opening rules and order refused."""

from __future__ import annotations

from sqlmodel import select

from app.models import Module, TrainingSession
from state.session_page import SessionPageState
from tests.live import handler, signed_in_tab, var


async def test_trainer_forged_rule_and_order_changes_are_refused(server) -> None:
    with server.session() as db:
        session = db.exec(select(TrainingSession).where(TrainingSession.title == "Excel avancé — groupe 2")).one()
        modules = db.exec(select(Module).where(Module.session_id == session.id).order_by(Module.id)).all()  # type: ignore[arg-type]
        before = [(m.id, m.title, m.position, m.opening_rule, m.opens_at) for m in modules]
    trainer = await signed_in_tab(server.url, "trainer@demo.plume.test")
    path = f"/sessions/{session.id}"
    await trainer.call(handler(SessionPageState, "load"), path=path)
    target = str(modules[1].id)
    refused = await trainer.call(
        handler(SessionPageState, "set_rule"),
        {"form_data": {"module_id": target, "rule": "date", "opens_on": session.ends_on.isoformat()}},
        path=path,
    )
    assert var(refused, SessionPageState, "edit_error") == "Introuvable."
    await trainer.call(handler(SessionPageState, "move_module"), {"module_id": target, "direction": -1}, path=path)
    await trainer.call(
        handler(SessionPageState, "rename_module"),
        {"form_data": {"module_id": target, "new_title": "Piraté"}},
        path=path,
    )
    await trainer.call(
        handler(SessionPageState, "schedule"),
        {"form_data": {"activity_id": "1", "day": session.starts_on.isoformat(), "half_day": "morning"}},
        path=path,
    )
    with server.session() as db:
        after = [
            (m.id, m.title, m.position, m.opening_rule, m.opens_at)
            for m in db.exec(select(Module).where(Module.session_id == session.id).order_by(Module.id)).all()
        ]  # type: ignore[arg-type]
    assert after == before
    allowed = await trainer.call(handler(SessionPageState, "duplicate_module"), {"module_id": target}, path=path)
    titles = [m["title"] for m in var(allowed, SessionPageState, "modules")]
    assert f"{modules[1].title} (copie)" in titles
    copy = next(m for m in var(allowed, SessionPageState, "modules") if m["title"].endswith("(copie)"))
    await trainer.call(handler(SessionPageState, "delete_module"), {"module_id": copy["id"]}, path=path)
    await trainer.close()
