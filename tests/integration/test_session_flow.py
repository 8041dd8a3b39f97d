"""Sign-in, the gate and sessions, over a real websocket against the running app."""

from __future__ import annotations

import json
import urllib.request

from sqlmodel import select

from app.models import AuditRecord, AuthSession, User
from app.services.crypto import hash_token
from state.auth import SignInState
from state.home import HomeState
from state.session import SessionState
from tests.live import cookie_value, follow, handler, handoff, redirects, sign_in, signed_in_tab, tab, var


def test_health_route_answers(server) -> None:
    with urllib.request.urlopen(f"{server.url}/api/health") as response:
        assert response.status == 200
        assert b'"ok"' in response.read()


async def test_sign_in_sets_an_http_only_cookie_stored_only_hashed(server) -> None:
    client = await tab(server.url)
    messages = await client.call(
        handler(SignInState, "sign_in"),
        {"form_data": {"email": "trainer@demo.plume.test", "password": "plume-demo-2026"}},
        path="/connexion",
    )
    path = handoff(messages)
    assert path.endswith("&suivant=%2Faccueil")
    # The websocket never carries a session token, only the sealed handoff code.
    assert var(messages, SessionState, "session_token") is None
    location, set_cookie = follow(server.url, path, client.device)
    token = cookie_value(set_cookie)
    assert location == "/accueil" and token and len(token) >= 32
    assert token not in json.dumps(messages)
    flags = {f.strip().lower() for f in set_cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags and "secure" not in flags  # http test server
    # The code works once: replayed, it signs nobody in and sets no cookie.
    again, replayed = follow(server.url, path, client.device)
    assert again == "/connexion" and not cookie_value(replayed)
    with server.session() as db:
        row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token_for_server(token))).first()
        assert row is not None
        assert not db.exec(select(AuthSession).where(AuthSession.token_hash == token)).first()
    signed = await tab(server.url, token)
    assert var(await signed.call(handler(SessionState, "load_page"), path="/accueil"), SessionState, "signed_in")
    for c in (client, signed):
        await c.close()


def test_a_forged_or_foreign_handoff_sets_no_cookie(server) -> None:
    for path in ("/api/session?code=forged&suivant=%2Faccueil", "/api/session?suivant=%2Faccueil"):
        location, set_cookie = follow(server.url, path)
        assert location == "/connexion" and not cookie_value(set_cookie)


async def test_the_handoff_goes_nowhere_else(server) -> None:
    client = await tab(server.url)
    messages = await client.call(
        handler(SignInState, "sign_in"),
        {"form_data": {"email": "learner7@demo.plume.test", "password": "plume-demo-2026"}},
        path="/connexion",
        query={"suivant": "/sessions"},
    )
    path = handoff(messages).replace("suivant=%2Fsessions", "suivant=%2F%2Fevil.example%2F")
    location, set_cookie = follow(server.url, path, client.device)
    assert location == "/accueil" and cookie_value(set_cookie)
    await client.close()


async def test_a_handoff_works_only_in_the_browser_that_signed_in(server) -> None:
    # Login CSRF: someone signs in to their own account and sends the handoff link to a victim,
    # whose browser would then act (and upload, and type) in the attacker's account.
    attacker = await tab(server.url)
    messages = await attacker.call(
        handler(SignInState, "sign_in"),
        {"form_data": {"email": "learner6@demo.plume.test", "password": "plume-demo-2026"}},
        path="/connexion",
    )
    path = handoff(messages)
    assert path
    for victim_device in ("another-browser-device-cookie", ""):
        location, set_cookie = follow(server.url, path, victim_device)
        assert location == "/connexion" and not cookie_value(set_cookie)
    # Refused elsewhere, the code still works once in the browser that signed in.
    location, set_cookie = follow(server.url, path, attacker.device)
    assert location == "/accueil" and cookie_value(set_cookie)
    await attacker.close()


def test_every_browser_gets_an_http_only_device_cookie(server) -> None:
    with urllib.request.urlopen(f"{server.url}/connexion") as response:
        set_cookies = response.headers.get_all("Set-Cookie") or []
    device = [c for c in set_cookies if c.startswith("plume_device=")]
    assert device, set_cookies
    flags = {f.strip().lower() for f in device[0].split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/"} <= flags
    request = urllib.request.Request(f"{server.url}/connexion", headers={"Cookie": device[0].split(";")[0]})
    with urllib.request.urlopen(request) as again:
        assert not [c for c in again.headers.get_all("Set-Cookie") or [] if c.startswith("plume_device=")]


def hash_token_for_server(token: str) -> str:
    # the test server runs with the default (test) secret, like this process
    return hash_token(token)


async def test_wrong_password_shows_the_neutral_message(server) -> None:
    client = await tab(server.url)
    messages = await client.call(
        handler(SignInState, "sign_in"),
        {"form_data": {"email": "trainer@demo.plume.test", "password": "wrong password!!"}},
        path="/connexion",
    )
    assert var(messages, SignInState, "error") == "E-mail ou mot de passe incorrect."
    assert not handoff(messages)
    await client.close()


async def test_anonymous_tab_is_sent_to_sign_in_by_the_gate(server) -> None:
    client = await tab(server.url)
    messages = await client.call(handler(HomeState, "load"), path="/accueil")
    assert redirects(messages) == ["/connexion?suivant=%2Faccueil"]
    assert var(messages, HomeState, "in_progress") is None
    with server.session() as db:
        denied = db.exec(select(AuditRecord).where(AuditRecord.action == "access.denied")).all()
        assert any(r.target.endswith("home_state.load") for r in denied)
    await client.close()


async def test_home_lists_the_trainers_sessions(server) -> None:
    client = await signed_in_tab(server.url, "trainer@demo.plume.test")
    messages = await client.call(handler(HomeState, "load"), path="/accueil")
    in_progress = var(messages, HomeState, "in_progress")
    assert [c["course_title"] for c in in_progress] == ["Manager une équipe au quotidien"]
    assert len(var(messages, HomeState, "upcoming")) == 1
    await client.close()


async def test_sign_out_revokes_the_session_in_every_tab(server) -> None:
    first = await signed_in_tab(server.url, "learner3@demo.plume.test")
    second = await tab(server.url, first.session, device=first.device)
    messages = await first.call(handler(SessionState, "load_page"), path="/accueil")
    assert var(messages, SessionState, "signed_in") is True
    out = await first.call(handler(SessionState, "sign_out"), path="/accueil")
    assert "/api/session/out" in json.dumps(out)
    location, set_cookie = follow(server.url, "/api/session/out")
    assert location == "/connexion" and set_cookie.startswith('plume_session=""') and "max-age=0" in set_cookie.lower()
    with server.session() as db:
        user = db.exec(select(User).where(User.email == "learner3@demo.plume.test")).one()
        sessions = db.exec(select(AuthSession).where(AuthSession.user_id == user.id)).all()
        assert sessions and all(s.revoked_at is not None for s in sessions)
    loaded = await second.call(handler(SessionState, "load_page"), path="/accueil")
    assert redirects(loaded) == ["/connexion?suivant=/accueil"]
    for c in (first, second):
        await c.close()


async def test_a_new_tab_with_the_cookie_is_signed_in(server) -> None:
    """A reload or a reconnect gets a fresh Reflex token; the cookie in the handshake rebuilds the sign-in."""
    first = await tab(server.url)
    token = await sign_in(first, "learner4@demo.plume.test")
    await first.close()
    second = await tab(server.url, token)
    loaded = await second.call(handler(SessionState, "load_page"), path="/accueil")
    assert var(loaded, SessionState, "signed_in") is True
    assert var(loaded, SessionState, "user_email") == "learner4@demo.plume.test"
    home = await second.call(handler(HomeState, "load"), path="/accueil")
    assert var(home, HomeState, "in_progress")
    await second.close()


async def test_a_forged_cookie_or_a_token_in_state_is_nobody(server) -> None:
    first = await tab(server.url)
    token = await sign_in(first, "learner8@demo.plume.test")
    forged = await tab(server.url, "forged-token-value")
    loaded = await forged.call(handler(SessionState, "load_page"), path="/accueil")
    assert redirects(loaded) == ["/connexion?suivant=/accueil"]
    # A page script writing a real token into the state (the old JS cookie) signs nobody in.
    anonymous = await tab(server.url)
    await anonymous.call(
        "reflex___state____state.reflex___state____update_vars_internal_state.update_vars_internal",
        {"vars": {f"{SessionState.get_full_name()}.session_token_rx_state_": token}},
        path="/accueil",
    )
    loaded = await anonymous.call(handler(SessionState, "load_page"), path="/accueil")
    assert redirects(loaded) == ["/connexion?suivant=/accueil"]
    for c in (first, forged, anonymous):
        await c.close()


async def test_signing_in_again_in_a_tab_revokes_its_previous_session(server) -> None:
    client = await signed_in_tab(server.url, "learner5@demo.plume.test")
    token = await sign_in(client, "learner6@demo.plume.test")
    with server.session() as db:
        first = db.exec(select(User).where(User.email == "learner5@demo.plume.test")).one()
        sessions = db.exec(select(AuthSession).where(AuthSession.user_id == first.id)).all()
        assert sessions and all(s.revoked_at is not None for s in sessions)
    reloaded = await tab(server.url, token)
    page = await reloaded.call(handler(SessionState, "load_page"), path="/accueil")
    assert var(page, SessionState, "user_email") == "learner6@demo.plume.test"
    for c in (client, reloaded):
        await c.close()
