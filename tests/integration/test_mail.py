"""E-mail goes through the outbox to a real SMTP server."""

from __future__ import annotations

from sqlmodel import select

from app.models import OutboxEmail
from state.auth import ForgotState
from state.staff import OutboxState, TrainersState
from tests.live import handler, signed_in_tab, tab, var
from tests.server import link_in


async def test_reset_request_reaches_smtp_through_the_outbox(server) -> None:
    client = await tab(server.url)
    messages = await client.call(
        handler(ForgotState, "request"),
        {"form_data": {"email": "learner7@demo.plume.test"}},
        path="/mot-de-passe-oublie",
    )
    assert var(messages, ForgotState, "sent") is True
    mail = server.mailbox.wait_for("learner7@demo.plume.test", contains="/reinitialiser?jeton=")
    assert mail["Subject"] == "Réinitialisation de votre mot de passe Plume"
    assert link_in(mail).startswith(f"{server.url}/reinitialiser?jeton=")
    with server.session() as db:
        row = db.exec(select(OutboxEmail).where(OutboxEmail.to == "learner7@demo.plume.test")).one()
        assert row.status == "sent" and row.sent_at is not None
    await client.close()


async def test_unknown_address_gets_the_same_answer_and_no_mail(server) -> None:
    client = await tab(server.url)
    messages = await client.call(
        handler(ForgotState, "request"),
        {"form_data": {"email": "nobody@demo.plume.test"}},
        path="/mot-de-passe-oublie",
    )
    assert var(messages, ForgotState, "sent") is True
    with server.session() as db:
        assert db.exec(select(OutboxEmail).where(OutboxEmail.to == "nobody@demo.plume.test")).first() is None
    await client.close()


async def test_staff_invites_a_trainer_and_sees_the_message_in_the_outbox(server) -> None:
    staff = await signed_in_tab(server.url, "staff@demo.plume.test")
    await staff.call(handler(TrainersState, "load"), path="/formateurs")
    added = await staff.call(
        handler(TrainersState, "add"),
        {
            "form_data": {
                "first_name": "Hélène",
                "last_name": "Vidal",
                "email": "helene.vidal@example.test",
                "kind": "external",
            }
        },
        path="/formateurs",
    )
    rows = var(added, TrainersState, "rows")
    row = next(r for r in rows if r["email"] == "helene.vidal@example.test")
    assert row["status"] == "not_invited"
    invited = await staff.call(
        handler(TrainersState, "invite"), {"invitation_id": row["invitation_id"]}, path="/formateurs"
    )
    assert var(invited, TrainersState, "notice") == "Invitation envoyée à helene.vidal@example.test."
    row = next(r for r in var(invited, TrainersState, "rows") if r["email"] == "helene.vidal@example.test")
    assert row["status"] == "invited"
    mail = server.mailbox.wait_for("helene.vidal@example.test", contains="/invitation?jeton=")
    assert "Horizon Formation" in mail["Subject"]
    outbox = await staff.call(handler(OutboxState, "load"), path="/boite-envoi")
    assert any(r["to"] == "helene.vidal@example.test" for r in var(outbox, OutboxState, "rows"))
    await staff.close()


async def test_inviting_a_trainer_without_email_says_why(server) -> None:
    staff = await signed_in_tab(server.url, "staff@demo.plume.test")
    loaded = await staff.call(handler(TrainersState, "load"), path="/formateurs")
    row = next(r for r in var(loaded, TrainersState, "rows") if r["name"] == "Nathalie Rousseau")
    refused = await staff.call(
        handler(TrainersState, "invite"), {"invitation_id": row["invitation_id"]}, path="/formateurs"
    )
    assert "adresse e-mail est nécessaire" in var(refused, TrainersState, "error")
    await staff.close()
