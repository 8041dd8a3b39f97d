"""The app shell in Chromium: the header keeps to one row on a phone for every role; a lost connection shows
Plume's banner in the person's language (never Reflex's English toast) and it clears on reconnect."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import goto, sign_in

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
PEOPLE = {
    "learner": "learner25@demo.plume.test",  # in two organisations: the switcher shows
    "trainer": "trainer@demo.plume.test",  # in two organisations
    "tutor": "tutor@demo.plume.test",
    "staff": "staff@demo.plume.test",
}


def _top(page: Page, selector: str) -> float:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box["y"]


def test_the_header_keeps_to_one_row_on_a_phone_for_every_role(server, new_context) -> None:
    for role, email in PEOPLE.items():
        for viewport in (PHONE, DESKTOP):
            phone = viewport is PHONE
            page = new_context(viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
            sign_in(page, email)
            expect(page.locator("#user-menu")).to_be_visible()
            logo, bell, menu = (
                _top(page, "#app-header a[aria-label='Plume']"),
                _top(page, "#notifications"),
                _top(page, "#user-menu"),
            )
            # Logo, bell and avatar on one row (their tops within a few pixels), nothing past the right edge.
            assert max(logo, bell, menu) - min(logo, bell, menu) < 16, (role, viewport, logo, bell, menu)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (role, viewport, width)
            if role in ("learner", "trainer"):
                expect(page.locator("#org-switcher")).to_be_visible()
            page.locator("#app-header").screenshot(path=f"screenshots/header-{role}-{viewport['width']}.png")
            page.screenshot(path=f"screenshots/home-{role}-{viewport['width']}.png")
            page.context.close()


def test_a_lost_connection_shows_a_french_banner_that_clears_on_reconnect(server, new_context) -> None:
    for viewport in (PHONE, DESKTOP):
        phone = viewport is PHONE
        context = new_context(viewport=viewport, is_mobile=phone, has_touch=phone)
        page = context.new_page()
        sign_in(page, PEOPLE["learner"])
        banner = page.get_by_test_id("connection-banner")
        expect(banner).to_have_count(0)
        context.set_offline(True)
        expect(banner).to_be_visible(timeout=30_000)
        expect(banner).to_contain_text("Connexion perdue — nouvelle tentative…")
        page.wait_for_timeout(2_500)  # Reflex's own toast would have shown by now
        expect(page.get_by_text("Cannot connect to server", exact=False)).to_have_count(0)
        expect(page.locator("[data-sonner-toast]")).to_have_count(0)
        page.screenshot(path=f"screenshots/connection-lost-{viewport['width']}.png")
        context.set_offline(False)
        expect(banner).to_have_count(0, timeout=30_000)
        # Back online the page works again: the socket reconnected (a live action answers).
        goto(page, "/accueil")
        expect(page.locator("#user-menu")).to_be_visible()


def test_the_banner_speaks_english_to_an_english_reader(server, new_context) -> None:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    goto(page, "/connexion")
    page.get_by_role("radio", name="EN").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    context.set_offline(True)
    banner = page.get_by_test_id("connection-banner")
    expect(banner).to_contain_text("Connection lost — retrying…", timeout=30_000)
    context.set_offline(False)
    expect(banner).to_have_count(0, timeout=30_000)
