"""One-time secrets never reach staff: not on the outbox page, not in any delta, not in the log.

The demo trainer (trainer@demo.plume.test) works for both demo organisations: staff of
one must not be able to read a reset link that would open the account shared with the other.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlparse

from sqlmodel import select

from app.models import OutboxEmail, User
from app.services.crypto import hash_password
from app.services.outbox import delivered
from state.auth import ActivationState, ForgotState, ResetState
from state.staff import OutboxState, TrainersState
from tests.live import handler, signed_in_tab, tab, var
from tests.server import body_of, link_in

STAFF_A, STAFF_B = "staff@demo.plume.test", "staff2@demo.plume.test"


async def _outbox_deltas(server: Any, email: str) -> str:
    """Everything a staff member's tab receives on the outbox page, opening every message."""
    staff = await signed_in_tab(server.url, email)
    messages = await staff.call(handler(OutboxState, "load"), path="/boite-envoi")
    for row in var(messages, OutboxState, "rows") or []:
        messages += await staff.call(handler(OutboxState, "toggle"), {"outbox_id": row["id"]}, path="/boite-envoi")
    for status in ("pending", "sent", "failed", "all"):
        messages += await staff.call(handler(OutboxState, "filter_status"), {"status": status}, path="/boite-envoi")
    await staff.close()
    return json.dumps(messages, ensure_ascii=False)


def _new_reset_mail(server: Any, to: str, before: int) -> str:
    """The token of the first reset e-mail to `to` received after `before` messages."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with server.mailbox.lock:
            fresh = [m for m in server.mailbox.messages[before:] if to in str(m["To"])]
        for message in fresh:
            if "/reinitialiser?jeton=" in body_of(message):
                return _token_of(link_in(message))
        time.sleep(0.2)
    msg = f"no new reset e-mail to {to}"
    raise AssertionError(msg)


def _token_of(link: str) -> str:
    return parse_qs(urlparse(link).query)["jeton"][0]


async def _link_works(server: Any, token: str) -> bool:
    client = await tab(server.url)
    checked = await client.call(handler(ResetState, "load"), path="/reinitialiser", query={"jeton": token})
    await client.close()
    return bool(var(checked, ResetState, "valid"))


async def test_staff_reset_of_a_shared_trainer_is_readable_by_no_staff(server) -> None:
    log_offset, before = server.log_size(), len(server.mailbox.messages)
    staff = await signed_in_tab(server.url, STAFF_A)
    loaded = await staff.call(handler(TrainersState, "load"), path="/formateurs")
    trainer = next(r for r in var(loaded, TrainersState, "rows") if r["email"] == "trainer@demo.plume.test")
    sent = await staff.call(handler(TrainersState, "send_reset"), {"user_id": trainer["user_id"]}, path="/formateurs")
    assert var(sent, TrainersState, "notice")
    await staff.close()
    token = _new_reset_mail(server, "trainer@demo.plume.test", before)
    for email in (STAFF_A, STAFF_B):
        seen = await _outbox_deltas(server, email)
        assert token not in seen and "jeton=" not in seen
    with server.session() as db:
        row = db.exec(
            select(OutboxEmail)
            .where(OutboxEmail.to == "trainer@demo.plume.test", OutboxEmail.kind == "reset")
            .order_by(OutboxEmail.id.desc())  # type: ignore[union-attr]
        ).first()
        assert row is not None
        assert row.organisation_id is None and token not in row.body + row.subject + row.body_html + row.sealed
    assert token not in server.log_path.read_text(errors="replace")[log_offset:]
    assert await _link_works(server, token)


async def test_self_service_reset_is_readable_by_no_staff(server) -> None:
    before = len(server.mailbox.messages)
    client = await tab(server.url)
    await client.call(
        handler(ForgotState, "request"),
        {"form_data": {"email": "learner25@demo.plume.test"}},
        path="/mot-de-passe-oublie",
    )
    await client.close()
    token = _new_reset_mail(server, "learner25@demo.plume.test", before)
    for email in (STAFF_A, STAFF_B):  # learner25 belongs to both organisations
        seen = await _outbox_deltas(server, email)
        assert token not in seen and "learner25@demo.plume.test" not in seen
    assert await _link_works(server, token)


async def test_activation_code_is_readable_by_no_staff(server) -> None:
    phone = "+33799887766"
    with server.session() as db:
        db.add(
            User(
                email="newcomer.sms@demo.plume.test",
                first_name="Nouveau",
                last_name="Venu",
                password_hash=hash_password("un mot de passe tout neuf"),
                phone=phone,
                phone_verified_at=None,
            )
        )
        db.commit()
    newcomer = await signed_in_tab(server.url, "newcomer.sms@demo.plume.test", "un mot de passe tout neuf")
    await newcomer.call(handler(ActivationState, "resend"), path="/activation")
    await newcomer.close()
    with server.session() as db:
        row = db.exec(
            select(OutboxEmail).where(OutboxEmail.to == phone).order_by(OutboxEmail.id.desc())  # type: ignore[union-attr]
        ).first()
        assert row is not None and row.organisation_id is None
        code = re.search(r"\b(\d{6})\b", delivered(row).body).group(1)  # type: ignore[union-attr]
        assert code not in row.body
    for email in (STAFF_A, STAFF_B):
        seen = await _outbox_deltas(server, email)
        assert phone not in seen and not re.search(rf"\b{code}\b", seen)
