"""The session cookie in a real browser: HttpOnly (page scripts cannot read it), kept across reloads, cleared on sign-out."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, expect
from sqlmodel import select

from app.models import Membership, Organisation, User
from tests.e2e.conftest import goto, ready, sign_in


def _own_learner(server: Any) -> str:
    """A learner of Horizon Formation with the demo password, used by this test alone."""
    email = f"cookie-{uuid.uuid4().hex[:8]}@demo.plume.test"
    with server.session() as db:
        model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
        org = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        user = User(
            email=email,
            first_name="Camille",
            last_name="Biscuit",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(user)
        db.flush()
        db.add(Membership(user_id=user.id or 0, organisation_id=org.id or 0, is_learner=True))
        db.commit()
    return email


def test_page_scripts_cannot_read_the_session_cookie(server: Any, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context().new_page()
    sign_in(page, _own_learner(server))
    assert "plume_session" not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == "plume_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and cookie["path"] == "/"
    # A reload (new websocket, new Reflex token) is still signed in: the handshake carries the cookie.
    page.reload()
    ready(page)
    expect(page).to_have_url(re.compile(r"/accueil/?$"))
    expect(page.get_by_role("button", name="Menu du compte")).to_be_visible()
    # A page script cannot sign the tab out or in by writing the cookie either.
    page.evaluate("document.cookie = 'plume_session=forged; path=/'")
    assert any(c["value"] == cookie["value"] for c in page.context.cookies() if c["name"] == "plume_session")
    page.get_by_role("button", name="Menu du compte").click()
    page.get_by_role("menuitem", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion/?$"))
    assert not [c for c in page.context.cookies() if c["name"] == "plume_session"]
    goto(page, "/accueil")
    expect(page).to_have_url(re.compile(r"/connexion"))
