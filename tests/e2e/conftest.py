"""Playwright in Debian's Chromium: one browser for the run, one context per person."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.live import DEMO_PASSWORD, fresh_ip

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Chromium for the e2e package (Playwright's sync loop must not outlive it: async tests follow)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser: Browser, server) -> Iterator[Callable[..., BrowserContext]]:
    """Contexts for the people of a test (each its own cookies and client address)."""
    made: list[BrowserContext] = []

    def make(**kw: object) -> BrowserContext:
        kw.setdefault("viewport", {"width": 1280, "height": 860})
        context = browser.new_context(
            base_url=server.url, extra_http_headers={"X-Forwarded-For": fresh_ip()}, locale="fr-FR", **kw
        )  # type: ignore[arg-type]
        context.set_default_timeout(20_000)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def ready(page: Page) -> None:
    """Wait until the page's data is loaded (Reflex hydrated it and ran its on_load handlers)."""
    # A first load hydrates a new tab state (in Redis with several workers): give a busy CI box the contexts' 20 s.
    expect(page.locator("[data-hydrated='true']").first).to_be_attached(timeout=20_000)


def goto(page: Page, path: str) -> None:
    """Open a page and wait until it is ready."""
    page.goto(path)
    ready(page)


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the sign-in page and wait for home."""
    goto(page, "/connexion")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/accueil/?$"))
    ready(page)
