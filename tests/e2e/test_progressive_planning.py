"""Progressive planning in Chromium: staff let trainers plan and set a session's hours; a trainer plans a séance."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import Activity, Course, Membership, Module, Organisation, TrainerPosition, TrainingSession, User
from app.services.agenda_view import week_monday
from app.services.home import paris_today
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = Path("/tmp/plume/shots-planning")
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
_runs = itertools.count()


def _trainer_with_a_session_to_plan(server) -> tuple[str, int, str]:
    """A new trainer of L'Atelier des Compétences on a session of this week with one in-person séance unplanned."""
    run = f"{int(time.time())}{next(_runs)}"
    monday = week_monday(paris_today())
    with server.session() as db:
        atelier = db.exec(select(Organisation).where(Organisation.name == "L'Atelier des Compétences")).one()
        model = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        trainer = User(
            email=f"planning{run}@demo.plume.test",
            first_name="Inès",
            last_name="Marchal",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(trainer)
        db.flush()
        db.add(Membership(user_id=trainer.id or 0, organisation_id=atelier.id or 0, is_trainer=True))
        course = Course(organisation_id=atelier.id or 0, title=f"Tableur pas à pas {run}")
        db.add(course)
        db.flush()
        title = f"Tableur pas à pas — groupe {run}"
        training = TrainingSession(
            organisation_id=atelier.id or 0,
            course_id=course.id or 0,
            title=title,
            starts_on=monday,
            ends_on=monday + timedelta(days=6),
            status="active",
            availability_ends_on=monday + timedelta(days=60),
        )
        db.add(training)
        db.flush()
        db.add(TrainerPosition(session_id=training.id or 0, user_id=trainer.id or 0))
        module = Module(session_id=training.id, title="Pendant la formation", phase="during", position=0)
        db.add(module)
        db.flush()
        db.add(Activity(module_id=module.id or 0, kind="in_person", title="Atelier formules", position=0))
        db.commit()
        return trainer.email, training.id or 0, title


def _agenda_loaded(page: Page) -> None:
    ready(page)
    expect(page.locator("#agenda")).not_to_have_attribute("data-revision", "0")
    expect(page.get_by_test_id("agenda-loading")).to_have_count(0)


def test_a_trainer_plans_a_seance_from_the_agenda_where_staff_allow_it(server, new_context) -> None:
    email, session_id, title = _trainer_with_a_session_to_plan(server)
    saturday = week_monday(paris_today()) + timedelta(days=5)
    SHOTS.mkdir(parents=True, exist_ok=True)

    # Staff of the organisation let trainers plan, and give the session its hours (a bad number is explained).
    staff = new_context(viewport=DESK).new_page()
    sign_in(staff, "staff2@demo.plume.test")
    goto(staff, "/parametres")
    box = staff.get_by_label("Les formateurs planifient eux-mêmes les créneaux de leurs sessions")
    box.check()
    staff.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(staff.get_by_role("status").filter(has_text="Modifications enregistrées")).to_be_visible()
    goto(staff, f"/sessions/{session_id}")
    hours = staff.get_by_label("Heures à planifier")
    hours.fill("7,555")
    staff.get_by_role("button", name="Enregistrer les heures").click()
    expect(staff.locator("#hours_to_plan-error")).to_contain_text("au plus deux décimales")
    staff.locator("#session-hours-to-plan").screenshot(path=str(SHOTS / "session-hours-error.png"))
    staff.get_by_label("Heures à planifier").fill("7")
    staff.get_by_role("button", name="Enregistrer les heures").click()
    expect(staff.locator("#session-hours-to-plan").get_by_role("status")).to_contain_text("Modifications enregistrées")
    with server.session() as db:
        assert db.get(TrainingSession, session_id).hours_to_plan == 7  # type: ignore[union-attr]

    # The trainer's agenda: nothing planned yet out of 7 hours.
    page = new_context(viewport=DESK).new_page()
    sign_in(page, email)
    goto(page, "/agenda")
    _agenda_loaded(page)
    card = page.locator("#agenda-planning")
    row = card.get_by_test_id("planning-session").filter(has_text=title)
    expect(row.get_by_test_id("planning-hours")).to_have_text("0 h planifiées sur 7 h")
    expect(row).to_contain_text("1 séance sans créneau")
    card.screenshot(path=str(SHOTS / "agenda-card-desktop.png"))

    # Plan the séance on Saturday: the planning rules warn, the trainer confirms deliberately.
    row.get_by_role("button", name=f"Planifier {title}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Séance", exact=True)).not_to_have_value("new")  # the séance without a slot first
    expect(dialog.get_by_label("Séance", exact=True)).to_contain_text("Atelier formules")
    dialog.get_by_label("Date", exact=True).fill(saturday.isoformat())
    dialog.get_by_label("Demi-journée").select_option("afternoon")
    dialog.get_by_label("Salle", exact=True).fill("Salle Molière")
    dialog.get_by_role("button", name="Planifier", exact=True).click()
    expect(dialog).to_contain_text("tombe un week-end")
    page.wait_for_timeout(300)  # the dialog has faded in
    page.screenshot(path=str(SHOTS / "agenda-dialog-warning-desktop.png"))
    dialog.get_by_label("Planifier quand même").check()
    dialog.get_by_role("button", name="Planifier", exact=True).click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    # The card counts the half-day, and the slot is in the week.
    expect(row.get_by_test_id("planning-hours")).to_have_text("3,5 h planifiées sur 7 h")
    expect(row).to_contain_text("Reste 3,5 h")
    expect(row).not_to_contain_text("sans créneau")
    day = page.locator(f"[data-day='{saturday.isoformat()}']")
    expect(day.get_by_test_id("agenda-entry").filter(has_text=title)).to_contain_text("14:00–17:30")
    expect(day.get_by_test_id("agenda-entry").filter(has_text=title)).to_contain_text("Salle Molière")
    page.screenshot(path=str(SHOTS / "agenda-after-desktop.png"), full_page=True)

    # A new séance from the phone: a virtual class on Friday.
    phone = new_context(viewport=PHONE).new_page()
    sign_in(phone, email)
    goto(phone, "/agenda")
    _agenda_loaded(phone)
    phone_row = phone.locator("#agenda-planning").get_by_test_id("planning-session").filter(has_text=title)
    phone_row.scroll_into_view_if_needed()
    phone.locator("#agenda-planning").screenshot(path=str(SHOTS / "agenda-card-phone.png"))
    phone_row.get_by_role("button", name=f"Planifier {title}").click()
    sheet = phone.get_by_role("dialog")
    expect(sheet.get_by_label("Séance", exact=True)).to_have_value("new")  # nothing left unplanned
    sheet.get_by_label("Type", exact=True).select_option("virtual_class")
    sheet.get_by_label("Titre de la séance").fill("Classe virtuelle de révision")
    sheet.get_by_label("Date", exact=True).fill((saturday - timedelta(days=1)).isoformat())
    sheet.get_by_label("Début", exact=True).fill("10:00")
    sheet.get_by_label("Fin", exact=True).fill("11:30")
    phone.wait_for_timeout(300)  # the dialog has faded in
    phone.screenshot(path=str(SHOTS / "agenda-dialog-phone.png"))
    sheet.get_by_role("button", name="Planifier", exact=True).click()
    expect(phone.get_by_role("dialog")).to_have_count(0)
    expect(phone_row.get_by_test_id("planning-hours")).to_have_text("5 h planifiées sur 7 h")
    # The desktop tab follows the session live.
    expect(row.get_by_test_id("planning-hours")).to_have_text("5 h planifiées sur 7 h")
    with server.session() as db:
        atelier = db.exec(select(Organisation).where(Organisation.name == "L'Atelier des Compétences")).one()
        atelier.trainers_plan_slots = False  # the other tests' organisation as the demo has it
        db.add(atelier)
        db.commit()
