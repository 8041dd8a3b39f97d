"""Staff templates, the websocket origin rule, and client addresses behind a trusted proxy."""

from __future__ import annotations

import pytest
import socketio
from sqlmodel import select

from app.models import AuditRecord, EmailTemplate
from state.auth import SignInState
from state.staff import TemplatesState
from tests.live import handler, signed_in_tab, var
from tests.wsclient import ReflexClient


async def test_template_with_an_unknown_tag_is_refused_with_the_valid_ones(server) -> None:
    staff = await signed_in_tab(server.url, "staff@demo.plume.test")
    loaded = await staff.call(handler(TemplatesState, "load"), path="/modeles-emails")
    assert var(loaded, TemplatesState, "subject") == "{organisation} vous invite sur Plume"
    refused = await staff.call(
        handler(TemplatesState, "save"),
        {"form_data": {"subject": "Bienvenue {prenom}", "body": "Cliquez {lien} — {entreprise}"}},
        path="/modeles-emails",
    )
    assert var(refused, TemplatesState, "field_errors") == {
        "body": "Balise inconnue : {entreprise}. Balises valides : {prenom}, {nom}, {organisation}, {lien}."
    }
    with server.session() as db:
        assert db.exec(select(EmailTemplate)).first() is None
    saved = await staff.call(
        handler(TemplatesState, "save"),
        {"form_data": {"subject": "Bienvenue chez {organisation}", "body": "Bonjour {prenom}, cliquez {lien}"}},
        path="/modeles-emails",
    )
    assert var(saved, TemplatesState, "notice") == "Modèle enregistré."
    assert var(saved, TemplatesState, "customised") is True
    restored = await staff.call(handler(TemplatesState, "restore_default"), path="/modeles-emails")
    assert var(restored, TemplatesState, "customised") is False
    await staff.close()


async def test_websocket_from_a_foreign_origin_is_refused(server) -> None:
    client = ReflexClient(server.url, headers={"Origin": "http://evil.example"})
    with pytest.raises(socketio.exceptions.ConnectionError):
        await client.connect()


async def test_client_address_comes_from_the_trusted_proxy_header(server) -> None:
    client = ReflexClient(server.url, headers={"X-Forwarded-For": "198.51.100.77"})
    await client.connect()
    await client.call(
        handler(SignInState, "sign_in"),
        {"form_data": {"email": "learner20@demo.plume.test", "password": "plume-demo-2026"}},
        path="/connexion",
    )
    with server.session() as db:
        record = db.exec(
            select(AuditRecord).where(AuditRecord.action == "auth.sign_in").order_by(AuditRecord.id.desc())  # type: ignore[union-attr]
        ).first()
        assert record is not None and record.ip == "198.51.100.77"
    await client.close()
