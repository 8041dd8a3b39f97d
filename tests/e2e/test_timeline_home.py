"""The session page's timeline and home in Chromium: moving around modules, joining a virtual class, slot wording."""

from __future__ import annotations

import itertools
import re
import time
from datetime import UTC

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.clock import paris_time_label
from app.models import Slot, TrainingSession
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in
from tests.e2e.test_attendance import draw

SHOTS = "screenshots"
DESK = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def _session_id(server, title: str) -> int:
    with server.session() as db:
        return db.exec(select(TrainingSession.id).where(TrainingSession.title == title)).one()  # type: ignore[return-value]


def _box(page: Page, selector: str, index: int = 0) -> dict[str, float]:
    box = page.locator(selector).nth(index).bounding_box()
    assert box is not None, selector
    return box


def test_a_module_picked_in_the_list_scrolls_into_view_and_is_highlighted(server, new_context) -> None:
    sid = _session_id(server, "Manager une équipe — session de novembre")
    page = new_context(viewport=DESK).new_page()
    sign_in(page, "trainer@demo.plume.test")
    goto(page, f"/sessions/{sid}")
    columns = page.locator("[data-testid=timeline-module]")
    expect(columns).to_have_count(4)
    strip = _box(page, "#timeline")
    last = columns.nth(3)
    # 1366 px wide: not every column fits, and the strip says so (an arrow, a fade on its right edge).
    assert last.bounding_box()["x"] >= strip["x"] + strip["width"] - 10  # type: ignore[index]
    expect(page.get_by_test_id("timeline-scroll-right")).to_be_visible()
    expect(page.get_by_test_id("timeline-scroll-left")).to_be_hidden()
    page.screenshot(path=f"{SHOTS}/session-trainer-desktop.png", full_page=True)

    title = page.locator("[data-testid=module-row]").nth(3).inner_text().split("\n")[0]
    page.locator("[data-testid=module-row]").nth(3).click()
    expect(last).to_have_attribute("data-focused", "")
    expect(page.locator("[data-testid=module-row]").nth(3)).to_have_attribute("aria-current", "true")
    expect(last).to_contain_text(title)

    def last_in_view() -> bool:
        box, strip_now = last.bounding_box(), _box(page, "#timeline")
        assert box is not None
        return box["x"] >= strip_now["x"] - 1 and box["x"] + box["width"] <= strip_now["x"] + strip_now["width"] + 1

    deadline = time.monotonic() + 5
    while not last_in_view() and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert last_in_view()
    expect(page.get_by_test_id("timeline-scroll-left")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/session-trainer-desktop-module-4.png")

    # The arrows move the strip back; a keyboard user picks a module with Enter.
    page.get_by_test_id("timeline-scroll-left").click()
    expect(page.get_by_test_id("timeline-scroll-right")).to_be_visible()
    page.locator("[data-testid=module-row]").nth(0).focus()
    page.keyboard.press("Enter")
    expect(columns.nth(0)).to_have_attribute("data-focused", "")
    expect(last).not_to_have_attribute("data-focused", "")


def test_on_a_phone_the_modules_are_stacked_and_a_pick_scrolls_down_to_it(server, new_context) -> None:
    sid = _session_id(server, "Manager une équipe — session de novembre")
    page = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(page, "learner2@demo.plume.test")
    goto(page, f"/sessions/{sid}")
    columns = page.locator("[data-testid=timeline-module]")
    expect(columns).to_have_count(4)
    boxes = [_box(page, "[data-testid=timeline-module]", i) for i in range(4)]
    for above, below in itertools.pairwise(boxes):
        assert below["x"] == above["x"]  # one column
        assert below["y"] >= above["y"] + above["height"]  # each under the previous one
    assert all(b["x"] >= 0 and b["x"] + b["width"] <= PHONE["width"] for b in boxes)  # nothing off to the right
    assert boxes[0]["width"] >= PHONE["width"] - 80  # the screen's width, not an 18rem column
    expect(page.get_by_test_id("timeline-scroll-right")).to_be_hidden()
    page.screenshot(path=f"{SHOTS}/session-learner-phone.png", full_page=True)

    page.get_by_test_id("module-row").nth(2).tap()
    expect(columns.nth(2)).to_have_attribute("data-focused", "")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        top = columns.nth(2).bounding_box()["y"]  # type: ignore[index]
        if 0 <= top < PHONE["height"] / 2:
            break
        page.wait_for_timeout(100)
    assert 0 <= columns.nth(2).bounding_box()["y"] < PHONE["height"] / 2  # type: ignore[index]


def test_after_signing_the_panel_home_and_sheet_offer_to_join_without_a_reload(server, new_context) -> None:
    email, link = "learner29@demo.plume.test", "https://meet.jit.si/plume-e2e-rejoindre"
    title = f"Classe à rejoindre {time.time():.0f}"
    session_id, slot_id = live_slot(server.session(), title=title, learners=[email], kind="virtual_class", link=link)
    with server.session() as db:
        slot = db.get(Slot, slot_id)
        assert slot is not None
        until = paris_time_label(slot.ends_at.replace(tzinfo=UTC))
    context = new_context(viewport=DESK)
    home = context.new_page()
    sign_in(home, email)
    # Home: the slot already runs, so the card says until when (not "Prochain créneau"); the sheet is open.
    card = home.get_by_test_id("session-card").filter(has_text=f"Cours — {title}")
    expect(card).to_contain_text(f"En cours jusqu'à {until}")
    expect(card).not_to_contain_text("Prochain créneau")
    expect(home.get_by_test_id("open-sheet").filter(has_text=title)).to_be_visible()
    expect(home.get_by_test_id("joinable-class")).to_have_count(0)

    panel_page = context.new_page()
    goto(panel_page, f"/sessions/{session_id}")
    panel_page.get_by_role("button", name="Ouvrir l'activité Classe virtuelle — atelier").click()
    panel = panel_page.get_by_role("dialog")
    expect(panel).to_contain_text("s'affichera après votre émargement")
    expect(panel.get_by_test_id("join-link")).to_have_count(0)

    sheet = context.new_page()
    goto(sheet, f"/emargement/{slot_id}")
    draw(sheet)
    sheet.get_by_role("button", name="Confirmer").click()
    expect(sheet.get_by_role("link", name="Commencer")).to_have_attribute("href", link)

    # The session page's open panel heard the signature: no reload.
    join = panel.get_by_test_id("join-link")
    expect(join).to_be_visible()
    expect(join).to_have_attribute("href", link)
    expect(panel).not_to_contain_text("s'affichera après votre émargement")
    panel_page.screenshot(path=f"{SHOTS}/session-learner-join-panel.png")

    goto(home, "/accueil")
    expect(home.get_by_test_id("open-sheet").filter(has_text=title)).to_have_count(0)
    joinable = home.get_by_test_id("joinable-class").filter(has_text=title)
    expect(joinable.get_by_role("link", name="Rejoindre la classe virtuelle")).to_have_attribute("href", link)
    home.screenshot(path=f"{SHOTS}/home-learner-desktop.png", full_page=True)
    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(phone, email)
    expect(phone.get_by_test_id("joinable-class").filter(has_text=title)).to_be_visible()
    phone.screenshot(path=f"{SHOTS}/home-learner-phone.png", full_page=True)


def test_home_and_session_page_screens_for_the_trainer(server, new_context) -> None:
    title = f"Journée en cours {time.time():.0f}"
    session_id, _ = live_slot(server.session(), title=title, learners=["learner28@demo.plume.test"])
    for name, viewport in (("desktop", DESK), ("phone", PHONE)):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, trainer_email(session_id))
        card = page.get_by_test_id("session-card").filter(has_text=f"Cours — {title}")
        expect(card.get_by_test_id("slot-running")).to_contain_text(re.compile(r"En cours jusqu'à \d\d:\d\d"))
        page.screenshot(path=f"{SHOTS}/home-trainer-{name}.png", full_page=True)
    for name, viewport in (("desktop", DESK), ("phone", PHONE)):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, "trainer@demo.plume.test")
        page.screenshot(path=f"{SHOTS}/home-demo-trainer-{name}.png", full_page=True)
        goto(page, f"/sessions/{_session_id(server, 'Manager une équipe — session de novembre')}")
        expect(page.locator("[data-testid=timeline-module]")).to_have_count(4)
        page.screenshot(path=f"{SHOTS}/session-trainer-{name}-full.png", full_page=True)
    for name, viewport in (("desktop", DESK), ("phone", PHONE)):
        page = new_context(viewport=viewport).new_page()
        sign_in(page, "learner2@demo.plume.test")
        page.screenshot(path=f"{SHOTS}/home-demo-learner-{name}.png", full_page=True)
        goto(page, f"/sessions/{_session_id(server, 'Manager une équipe — session de novembre')}")
        expect(page.locator("[data-testid=timeline-module]")).to_have_count(4)
        page.screenshot(path=f"{SHOTS}/session-learner-{name}-full.png", full_page=True)
