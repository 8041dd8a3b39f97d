"""Forged events on the tutoring centre's selection: a bulk action reaches only the learners the filter shows."""

from __future__ import annotations

from sqlmodel import col, func, select

from app.models import Enrolment, TrainingSession
from app.models.tutoring import Reminder
from state.tutoring import TutoringCentreState
from tests.live import handler, signed_in_tab, var

MANAGER = "Manager une équipe — session de novembre"


def _reminded_since(server, sid: int, before: int) -> list[int]:
    with server.session() as db:
        return sorted(
            db.exec(select(Reminder.user_id).where(col(Reminder.id) > before, Reminder.session_id == sid)).all()
        )


async def test_forged_bulk_events_never_reach_a_learner_the_filter_hides(server) -> None:
    with server.session() as db:
        sid = db.exec(select(TrainingSession.id).where(TrainingSession.title == MANAGER)).one()
        kinds = dict(db.exec(select(Enrolment.user_id, Enrolment.kind).where(Enrolment.session_id == sid)).all())
        before = db.exec(select(func.max(Reminder.id))).one() or 0
    recommended = sorted(u for u, k in kinds.items() if k == "recommended")
    mandatory = sorted(u for u, k in kinds.items() if k == "mandatory")
    path = f"/tutorat/{sid}"
    tutor = await signed_in_tab(server.url, "tutor@demo.plume.test")
    centre = TutoringCentreState
    await tutor.call(handler(centre, "load"), path=path)

    # Everyone selected, then the filter changes: the selection is gone, a forged send reaches nobody.
    assert var(await tutor.call(handler(centre, "select_all_pages"), path=path), centre, "selected_count") == 30
    changed = await tutor.call(handler(centre, "set_kind"), {"kind": "recommended"}, path=path)
    assert var(changed, centre, "selected_count") == 0
    await tutor.call(handler(centre, "send_reminders"), path=path)
    assert _reminded_since(server, sid, before) == []

    # The six shown selected; forged ticks of hidden learners and a forged filter add nobody.
    assert var(await tutor.call(handler(centre, "select_all_pages"), path=path), centre, "selected_count") == 6
    await tutor.call(handler(centre, "toggle"), {"key": f"{sid}:{mandatory[0]}"}, path=path)
    await tutor.call(handler(centre, "set_kind"), {"kind": "everyone"}, path=path)
    # A learner moved to another enrolment type since the selection leaves the target too.
    moved = recommended[0]
    with server.session() as db:
        enrolment = db.exec(select(Enrolment).where(Enrolment.session_id == sid, Enrolment.user_id == moved)).one()
        enrolment.kind = "mandatory"
        db.add(enrolment)
        db.commit()
    try:
        opened = await tutor.call(handler(centre, "open_reminder"), path=path)
        assert var(opened, centre, "target_count") == 5
        await tutor.call(handler(centre, "send_reminders"), path=path)
    finally:
        with server.session() as db:
            enrolment = db.exec(select(Enrolment).where(Enrolment.session_id == sid, Enrolment.user_id == moved)).one()
            enrolment.kind = "recommended"
            db.add(enrolment)
            db.commit()
    assert _reminded_since(server, sid, before) == recommended[1:]
    await tutor.close()
