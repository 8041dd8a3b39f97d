"""Sign-in with a second factor, over the websocket."""

from __future__ import annotations

import time
import uuid

import pyotp
from sqlmodel import select

from app.models import OutboxEmail, User
from app.models.base import utcnow
from app.services.crypto import hash_password
from state.auth import SignInState, VerifyState
from state.home import HomeState
from state.profile import ProfileState
from state.session import SessionState
from tests.live import adopt, handler, redirects, tab, var

OWN_PASSWORD = "une clef de voute solide"  # test password


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
    client, landing = await adopt(client, signed)
    assert landing == "/verification"
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


def _account(server, email: str, *, totp_secret: str = "") -> None:
    with server.session() as db:
        db.add(
            User(
                email=email,
                first_name="Inès",
                last_name="Garnier",
                phone="+33600000077",
                password_hash=hash_password(OWN_PASSWORD),
                phone_verified_at=utcnow(),
                totp_secret=totp_secret,
                totp_enabled=bool(totp_secret),
            )
        )
        db.commit()


async def test_a_session_alone_cannot_change_the_email_or_turn_totp_off(server) -> None:
    email = f"takeover-{uuid.uuid4().hex[:6]}@example.test"
    totp = pyotp.TOTP(pyotp.random_base32())
    _account(server, email, totp_secret=totp.secret)
    client = await tab(server.url)
    signed = await client.call(
        handler(SignInState, "sign_in"), {"form_data": {"email": email, "password": OWN_PASSWORD}}, path="/connexion"
    )
    client, _ = await adopt(client, signed)
    right = await client.call(
        handler(VerifyState, "verify"), {"form_data": {"code": totp.at(time.time() - 30)}}, path="/verification"
    )
    assert redirects(right) == ["/accueil"]
    await client.call(handler(ProfileState, "load"), path="/profil")

    no_password = await client.call(
        handler(ProfileState, "change_email"), {"form_data": {"new_email": "thief@example.test"}}, path="/profil"
    )
    assert var(no_password, ProfileState, "field_errors") == {
        "email_password": "Saisissez votre mot de passe actuel pour confirmer."
    }
    wrong_password = await client.call(
        handler(ProfileState, "change_email"),
        {"form_data": {"new_email": "thief@example.test", "email_password": "a guessed password"}},
        path="/profil",
    )
    assert var(wrong_password, ProfileState, "field_errors") == {"email_password": "Mot de passe incorrect."}
    no_code = await client.call(
        handler(ProfileState, "change_email"),
        {"form_data": {"new_email": "thief@example.test", "email_password": OWN_PASSWORD}},
        path="/profil",
    )
    assert var(no_code, ProfileState, "field_errors") == {
        "email_code": "Saisissez le code à 6 chiffres de votre application."
    }
    off_without_code = await client.call(
        handler(ProfileState, "disable_totp"), {"form_data": {"totp_password": OWN_PASSWORD}}, path="/profil"
    )
    assert var(off_without_code, ProfileState, "field_errors") == {
        "totp_off_code": "Saisissez le code à 6 chiffres de votre application."
    }
    with server.session() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        assert user.totp_enabled
        assert db.exec(select(OutboxEmail).where(OutboxEmail.to == "thief@example.test")).all() == []
        assert user.totp_secret != totp.secret  # encrypted on first use

    changed = await client.call(
        handler(ProfileState, "change_email"),
        {"form_data": {"new_email": "mine@example.test", "email_password": OWN_PASSWORD, "email_code": totp.now()}},
        path="/profil",
    )
    assert var(changed, ProfileState, "notice").startswith("Un lien de confirmation a été envoyé à mine@example.test")
    off = await client.call(
        handler(ProfileState, "disable_totp"),
        {"form_data": {"totp_password": OWN_PASSWORD, "totp_off_code": totp.at(time.time() + 30)}},
        path="/profil",
    )
    assert var(off, ProfileState, "totp_enabled") is False
    await client.close()
