"""Sign-in with a second factor, over the websocket."""

from __future__ import annotations

import pyotp
from sqlmodel import select

from app.models import User
from state.auth import SignInState, VerifyState
from state.home import HomeState
from state.session import SessionState
from tests.live import handler, redirects, tab, var


async def test_totp_account_must_give_its_code_before_reaching_home(server) -> None:
    secret = pyotp.random_base32()
    with server.session() as db:
        user = db.exec(select(User).where(User.email == "learner22@demo.plume.test")).one()
        user.totp_secret, user.totp_enabled = secret, True
        db.add(user)
        db.commit()
    client = await tab(server.url)
    signed = await client.call(
        handler(SignInState, "sign_in"),
        {"form_data": {"email": "learner22@demo.plume.test", "password": "plume-demo-2026"}},
        path="/connexion",
    )
    assert redirects(signed) == ["/verification"]
    blocked = await client.call(handler(HomeState, "load"), path="/accueil")
    assert redirects(blocked) == ["/verification"]
    assert var(blocked, HomeState, "in_progress") is None
    wrong = await client.call(handler(VerifyState, "verify"), {"form_data": {"code": "12345"}}, path="/verification")
    assert var(wrong, VerifyState, "field_errors") == {"code": "Code incorrect."}
    right = await client.call(
        handler(VerifyState, "verify"), {"form_data": {"code": pyotp.TOTP(secret).now()}}, path="/verification"
    )
    assert redirects(right) == ["/accueil"]
    home = await client.call(handler(HomeState, "load"), path="/accueil")
    assert var(home, HomeState, "in_progress")
    page = await client.call(handler(SessionState, "load_page"), path="/accueil")
    assert var(page, SessionState, "signed_in") is True
    await client.close()
