"""Staff in Chromium: the organisation's rooms and planning rules; a slot on a public holiday asks to confirm."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import select

from app.models import Activity, Course, Module, Organisation, Room, Slot, TrainingSession
from tests.e2e.conftest import goto, sign_in

SHOTS = Path("/tmp/plume/shots")


def _session_with_an_activity(server) -> int:
    """A draft session of Horizon Formation over December 2026, with one in-person activity to plan."""
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        course = Course(organisation_id=horizon.id or 0, title=f"Planification {time.time_ns()}")
        db.add(course)
        db.flush()
        training = TrainingSession(
            organisation_id=horizon.id or 0,
            course_id=course.id or 0,
            title=course.title,
            starts_on=date(2026, 12, 1),
            ends_on=date(2027, 1, 29),
            status="draft",
            availability_ends_on=date(2027, 3, 1),
        )
        db.add(training)
        db.flush()
        module = Module(session_id=training.id, title="Pendant la formation", phase="during", position=0)
        db.add(module)
        db.flush()
        db.add(Activity(module_id=module.id or 0, kind="in_person", title="Atelier de Noël", position=0))
        db.commit()
        return training.id or 0


def test_staff_keep_rooms_and_confirm_a_slot_on_a_public_holiday(server, new_context) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    session_id = _session_with_an_activity(server)
    room = f"Salle Molière {time.time_ns() % 100_000}"
    page = new_context().new_page()
    sign_in(page, "staff@demo.plume.test")
    goto(page, "/parametres")
    rooms = page.locator("#settings-rooms")
    rooms.get_by_label("Nom de la salle").fill(room)
    rooms.get_by_label("Places (facultatif)").fill("14")
    rooms.get_by_role("button", name="Ajouter").click()
    expect(rooms.get_by_test_id("room-row").filter(has_text=room)).to_contain_text("14 places")
    # The same name again, whatever its case, is refused next to the field.
    rooms.get_by_label("Nom de la salle").fill(room.upper())
    rooms.get_by_role("button", name="Ajouter").click()
    expect(rooms).to_contain_text("L'organisme a déjà une salle de ce nom.")
    page.get_by_label("Vacances scolaires").select_option("A")
    page.get_by_role("button", name="Enregistrer").first.click()
    expect(page.get_by_text("Enregistré")).to_be_visible()
    page.screenshot(path=str(SHOTS / "settings-rooms-planning.png"), full_page=True)
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        assert horizon.school_zone == "A"
        assert db.exec(select(Room).where(Room.name == room)).one().capacity == 14

    goto(page, f"/sessions/{session_id}")
    page.get_by_role("button", name="Éditer la timeline").click()
    card = page.locator("[data-testid=activity-card]", has_text="Atelier de Noël")
    card.get_by_role("button", name="Planifier").click()
    card.get_by_label("Date").fill("2026-12-25")
    card.get_by_label("Demi-journée").select_option("morning")
    card.get_by_label("Salle").fill(room)
    card.get_by_role("button", name="Enregistrer").click()
    warning = card.get_by_text("À vérifier avant de planifier")
    expect(warning).to_be_visible()
    expect(card).to_contain_text("le 25/12/2026 est férié (Noël)")
    expect(card).to_contain_text("vacances scolaires (Vacances de Noël)")
    page.screenshot(path=str(SHOTS / "timeline-planning-warning.png"), full_page=True)
    with server.session() as db:
        assert db.exec(select(Slot).join(Activity).where(Activity.title == "Atelier de Noël")).first() is None
    card.get_by_label("Planifier quand même").check()
    card.get_by_role("button", name="Enregistrer").click()
    expect(card.get_by_text(room)).to_be_visible()
    with server.session() as db:
        slot = db.exec(select(Slot).join(Activity).where(Activity.title == "Atelier de Noël")).one()
        assert slot.room == room and slot.room_id is not None
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        horizon.school_zone = ""  # the demo's organisation as the other tests know it
        db.add(horizon)
        db.commit()
