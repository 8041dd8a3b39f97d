"""Sign-up over the websocket: the same answer for a new and an existing address."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from app.models import User
from state.auth import SignUpConfirmState, SignUpState
from tests.live import adopt, handler, redirects, tab, var
from tests.server import body_of, link_in
from tests.wsclient import ReflexClient


def _form(email: str, phone: str) -> dict[str, dict[str, str]]:
    return {
        "form_data": {
            "email": email,
            "first_name": "Noé",
            "last_name": "Perrin",
            "password": "trois pommes sur la table",
            "phone": phone,
        }
    }


async def _sign_up(client: ReflexClient, form: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
    # The answer comes after the password is hashed: wait for it, not for a quiet moment.
    await client.emit(handler(SignUpState, "sign_up"), form, path="/inscription")
    return await client.until(lambda m: var([m], SignUpState, "busy") is False)


async def test_sign_up_answers_alike_and_mails_the_existing_account(server) -> None:
    new_email = f"new-{uuid.uuid4().hex[:6]}@example.test"
    client = await tab(server.url)
    await client.call(handler(SignUpState, "load"), path="/inscription")
    taken = await _sign_up(client, _form("learner30@demo.plume.test", "06 55 44 33 22"))
    fresh = await _sign_up(client, _form(new_email, "06 55 44 33 21"))
    assert redirects(taken) == redirects(fresh) == []
    assert var(taken, SignUpState, "sent_to") == "learner30@demo.plume.test"
    assert var(fresh, SignUpState, "sent_to") == new_email
    assert var(taken, SignUpState, "field_errors") in (None, {})
    told = server.mailbox.wait_for("learner30@demo.plume.test", contains="Quelqu'un a essayé de créer un compte")
    assert "jeton=" not in body_of(told)
    link = link_in(server.mailbox.wait_for(new_email, contains="/inscription/confirmer"))
    with server.session() as db:
        assert db.exec(select(User).where(User.email == new_email)).first() is None
    path = link.split("://", 1)[1].split("/", 1)[1]
    query = {"jeton": path.split("jeton=")[1]}
    page = await client.call(handler(SignUpConfirmState, "load"), path="/inscription/confirmer", query=query)
    assert var(page, SignUpConfirmState, "email") == new_email
    done = await client.call(handler(SignUpConfirmState, "confirm"), path="/inscription/confirmer", query=query)
    client, landing = await adopt(client, done)
    assert landing == "/activation"
    with server.session() as db:
        assert db.exec(select(User).where(User.email == new_email)).one().phone == "+33655443321"
    await client.close()
