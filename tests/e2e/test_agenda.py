"""The agenda in Chromium: a trainer of two organisations sees both in one week, moves between weeks and months."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import col, select

from app.models import Organisation, Room, Slot, TrainerPosition, TrainingSession, User
from tests.agenda_setup import trainer_of_two_organisations
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = Path("/tmp/plume/shots")
DESK = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def _loaded(page: Page) -> None:
    ready(page)
    expect(page.locator("#agenda")).not_to_have_attribute("data-revision", "0")
    expect(page.get_by_test_id("agenda-loading")).to_have_count(0)


def test_a_trainer_sees_both_organisations_in_one_week_and_moves_between_weeks_and_months(server, new_context) -> None:
    email, monday = trainer_of_two_organisations(server)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = new_context(viewport=DESK).new_page()
    sign_in(page, email)
    page.get_by_role("link", name="Agenda", exact=True).click()
    expect(page).to_have_url(re.compile(r"/agenda/?$"))
    _loaded(page)

    period = page.locator("#agenda-period")
    expect(period).to_contain_text("Semaine du")
    this_week = period.inner_text()
    expect(page.get_by_test_id("agenda-legend-item")).to_have_text(["Horizon Formation", "L'Atelier des Compétences"])
    tuesday = page.locator(f"[data-day='{(monday + timedelta(days=1)).isoformat()}']")
    thursday = page.locator(f"[data-day='{(monday + timedelta(days=3)).isoformat()}']")
    # The time range in Paris, then the session's link.
    expect(tuesday.get_by_test_id("agenda-entry")).to_contain_text([re.compile("^09:00–12:30Prise de parole")])
    expect(tuesday.get_by_test_id("agenda-entry")).to_contain_text(["Horizon Formation"])
    expect(tuesday.get_by_test_id("agenda-entry")).to_contain_text(["Salle Lumière"])
    expect(thursday.get_by_test_id("agenda-entry")).to_contain_text(["14:00–17:30"])
    expect(thursday.get_by_test_id("agenda-entry-organisation")).to_have_text(["L'Atelier des Compétences"])
    expect(page.get_by_test_id("agenda-entry")).to_have_count(2)
    # Each organisation its colour: the two slots' edges differ.
    edges = [
        page.get_by_test_id("agenda-entry").nth(i).evaluate("e => getComputedStyle(e).borderLeftColor") for i in (0, 1)
    ]
    assert edges[0] != edges[1]
    expect(page.locator("#agenda-today")).to_be_disabled()
    page.screenshot(path=str(SHOTS / "agenda-week-desktop.png"), full_page=True)

    page.get_by_role("button", name="Suivant").click()
    expect(period).not_to_have_text(this_week)
    next_wednesday = page.locator(f"[data-day='{(monday + timedelta(days=9)).isoformat()}']")
    expect(next_wednesday.get_by_test_id("agenda-entry")).to_contain_text([re.compile("^09:00–12:30Gestion de projet")])
    expect(page.get_by_test_id("agenda-entry")).to_have_count(1)
    expect(page.locator("#agenda-today")).to_be_enabled()

    page.get_by_role("button", name="Précédent").click()
    expect(period).to_have_text(this_week)
    expect(page.get_by_test_id("agenda-entry")).to_have_count(2)

    page.get_by_role("button", name="Mois").click()
    expect(page.locator("#agenda-month")).to_be_visible()
    expect(page.get_by_role("button", name="Mois")).to_have_attribute("aria-pressed", "true")
    expect(period).to_have_text(re.compile(r"^[A-ZÉ][a-zéû]+ \d{4}$"))  # "Décembre 2026"
    # The month of today: its grid holds this whole week, Monday first.
    expect(page.get_by_test_id("agenda-month-day").first).to_have_attribute(
        "data-day", re.compile(r"\d{4}-\d{2}-\d{2}")
    )
    first_day = date.fromisoformat(page.get_by_test_id("agenda-month-day").first.get_attribute("data-day") or "")
    assert first_day.weekday() == 0
    month_tuesday = page.locator(
        f"[data-testid=agenda-month-day][data-day='{(monday + timedelta(days=1)).isoformat()}']"
    )
    expect(month_tuesday.get_by_test_id("agenda-month-entry")).to_contain_text(["09:00"])
    page.screenshot(path=str(SHOTS / "agenda-month-desktop.png"), full_page=True)
    month = period.inner_text()
    page.get_by_role("button", name="Suivant").click()
    expect(period).not_to_have_text(month)
    page.get_by_role("button", name="Aujourd'hui").click()
    expect(period).to_have_text(month)

    page.get_by_role("button", name="Semaine").click()
    expect(period).to_have_text(this_week)

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, email)
    phone.goto("/agenda")
    _loaded(phone)
    expect(phone.get_by_test_id("agenda-entry")).to_have_count(2)
    # One column: the days follow each other, none wider than the screen.
    boxes = [phone.get_by_test_id("agenda-day").nth(i).bounding_box() for i in (0, 1)]
    assert boxes[0] is not None and boxes[1] is not None
    assert boxes[1]["y"] > boxes[0]["y"]
    assert boxes[0]["width"] <= PHONE["width"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(SHOTS / "agenda-week-phone.png"), full_page=True)
    phone.get_by_role("button", name="Mois").click()
    expect(phone.locator("#agenda-month")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(SHOTS / "agenda-month-phone.png"), full_page=True)


def test_an_unavailability_shows_a_conflict_with_the_other_organisations_slot(server, new_context) -> None:
    email, monday = trainer_of_two_organisations(server)
    wednesday = monday + timedelta(days=9)  # next week, 09:00–12:30 in L'Atelier des Compétences (always ahead)
    page = new_context(viewport=DESK).new_page()
    sign_in(page, email)
    goto(page, "/agenda")
    _loaded(page)
    period = page.locator("#agenda-period").inner_text()
    page.get_by_role("button", name="Suivant").click()
    expect(page.locator("#agenda-period")).not_to_have_text(period)
    expect(page.locator("#agenda-conflicts")).to_have_count(0)
    card = page.locator("#agenda-unavailabilities")
    expect(card).to_contain_text("Aucune indisponibilité à venir.")

    # A wrong order of hours is refused next to its field, and nothing is added.
    card.get_by_label("Premier jour").fill(wednesday.isoformat())
    card.get_by_label("De (facultatif)").fill("11:00")
    card.get_by_label("À", exact=True).fill("10:00")
    card.get_by_role("button", name="Ajouter l'indisponibilité").click()
    expect(card).to_contain_text("L'heure de fin doit être après l'heure de début.")
    expect(page.get_by_test_id("unavailability-row")).to_have_count(0)

    card.get_by_label("À", exact=True).fill("13:00")
    card.get_by_label("Note (pour vous seul)").fill("Rendez-vous médical")
    card.get_by_role("button", name="Ajouter l'indisponibilité").click()
    expect(page.get_by_test_id("unavailability-row")).to_have_count(1)
    expect(page.get_by_test_id("unavailability-row")).to_contain_text(f"Le {wednesday:%d/%m/%Y}, 11:00–13:00")
    conflicts = page.locator("#agenda-conflicts")
    expect(conflicts).to_contain_text("L'Atelier des Compétences")
    expect(conflicts).to_contain_text("pendant une indisponibilité (Rendez-vous médical)")
    day = page.locator(f"[data-day='{wednesday.isoformat()}']")
    expect(day.get_by_test_id("agenda-busy")).to_contain_text("Indisponible 11:00–13:00")
    expect(day.get_by_test_id("agenda-entry-conflict")).to_have_count(1)
    page.screenshot(path=str(SHOTS / "agenda-conflict-desktop.png"), full_page=True)
    phone = new_context(viewport=PHONE).new_page()
    sign_in(phone, email)
    goto(phone, "/agenda")
    _loaded(phone)
    phone.get_by_role("button", name="Suivant").click()
    expect(phone.locator("#agenda-conflicts")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "agenda-conflict-phone.png"), full_page=True)

    page.get_by_test_id("unavailability-row").get_by_role("button").click()
    expect(page.get_by_test_id("unavailability-row")).to_have_count(0)
    expect(page.locator("#agenda-conflicts")).to_have_count(0)


def test_a_trainer_moves_a_slot_to_a_free_room_where_the_organisation_allows(server, new_context) -> None:
    email, monday = trainer_of_two_organisations(server)
    nine_days = monday + timedelta(days=9)  # next week's Wednesday in L'Atelier des Compétences, in "Salle Turing"
    suffix = email.split("@")[0]
    with server.session() as db:
        atelier = db.exec(select(Organisation).where(Organisation.name == "L'Atelier des Compétences")).one()
        atelier.trainers_change_rooms = True
        turing, curie = (Room(organisation_id=atelier.id or 0, name=f"{n} {suffix}") for n in ("Turing", "Curie"))
        db.add_all([atelier, turing, curie])
        db.flush()
        slot = db.exec(
            select(Slot)
            .join(TrainingSession, col(TrainingSession.id) == col(Slot.session_id))
            .join(TrainerPosition, col(TrainerPosition.session_id) == col(TrainingSession.id))
            .join(User, col(User.id) == col(TrainerPosition.user_id))
            .where(User.email == email, TrainingSession.organisation_id == atelier.id)
            .order_by(col(Slot.starts_at).desc())
        ).first()
        assert slot is not None
        slot.room, slot.room_id = turing.name, turing.id
        db.add(slot)
        db.commit()
    page = new_context(viewport=DESK).new_page()
    sign_in(page, email)
    goto(page, "/agenda")
    _loaded(page)
    page.get_by_role("button", name="Suivant").click()
    day = page.locator(f"[data-day='{nine_days.isoformat()}']")
    expect(day.get_by_test_id("agenda-entry")).to_contain_text([f"Turing {suffix}"])
    day.get_by_test_id("agenda-entry-room").click()
    dialog = page.get_by_role("dialog")
    # The organisation's demo rooms, and the two of this test.
    expect(dialog.get_by_test_id("room-choice").filter(has_text=suffix)).to_have_count(2)
    expect(dialog.get_by_test_id("room-choice").filter(has_text="Salle Molière")).to_contain_text("Libre")
    expect(dialog.get_by_test_id("room-choice").filter(has_text=f"Turing {suffix}")).to_contain_text("Salle actuelle")
    page.wait_for_timeout(400)  # the dialog fades in
    page.screenshot(path=str(SHOTS / "agenda-room-picker.png"))
    dialog.get_by_test_id("room-choice").filter(has_text=f"Curie {suffix}").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(day.get_by_test_id("agenda-entry")).to_contain_text([f"Curie {suffix}"])
    # Horizon Formation does not let its trainers move rooms: its slots offer no picker.
    page.get_by_role("button", name="Précédent").click()
    tuesday = page.locator(f"[data-day='{(monday + timedelta(days=1)).isoformat()}']")
    expect(tuesday.get_by_test_id("agenda-entry")).to_have_count(1)
    expect(tuesday.get_by_test_id("agenda-entry-room")).to_have_count(0)
