"""One-time secrets in the outbox: masked for everyone, put back only when the message leaves."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import Session, col, select

from app.models import Membership, OutboxEmail, UserToken
from app.services import accounts, home, orgs, outbox, templates
from app.services.crypto import hash_token
from app.services.errors import PlumeError
from app.services.templates import Template
from app.settings import reset_settings
from tests.factories import actor_for, make_member, make_org, make_staff, make_trainer, make_user

RESET = Template("Réinitialisation", "Bonjour {prenom}, ouvrez {lien} vite.")


def _token_in(text: str) -> str:
    return text.split("jeton=")[1].split(maxsplit=1)[0]


def _all_outbox_text(rows: list[home.OutboxRow]) -> str:
    return json.dumps([row.__dict__ for row in rows], ensure_ascii=False)


def test_seal_masks_secret_tags_and_keeps_the_real_text() -> None:
    message = outbox.seal(RESET, {"prenom": "Zoé", "lien": "https://p.test/r?jeton=S3CRET"}, secret_tags=("lien",))
    assert message.shown.body == "Bonjour Zoé, ouvrez [lien personnel masqué] vite."
    assert message.real.body == "Bonjour Zoé, ouvrez https://p.test/r?jeton=S3CRET vite."
    code = outbox.seal(Template("", "Code {code}"), {"code": "123456"}, secret_tags=("code",))
    assert (code.shown.body, code.real.body) == ("Code [code personnel masqué]", "Code 123456")


def test_sealed_row_keeps_no_plain_secret_and_rebuilds_the_real_message(db: Session) -> None:
    message = outbox.seal(RESET, {"prenom": "Zoé", "lien": "https://p.test/r?jeton=S3CRET"}, secret_tags=("lien",))
    row = outbox.enqueue_email(db, to="z@example.test", message=message, kind="reset", html="<a href='x'>S3CRET</a>")
    db.commit()
    stored = db.exec(select(OutboxEmail)).one()
    for column, value in stored.model_dump().items():
        assert "S3CRET" not in str(value), column
    assert stored.body_html == ""
    real = outbox.delivered(row)
    assert real.body == "Bonjour Zoé, ouvrez https://p.test/r?jeton=S3CRET vite."
    assert real.html == "<a href='x'>S3CRET</a>"


def test_plain_messages_are_delivered_as_stored(db: Session) -> None:
    row = outbox.enqueue_email(db, to="z@example.test", message=Template("S", "B"), kind="reminder", html="<p>B</p>")
    assert (row.sealed, outbox.delivered(row)) == ("", outbox.Delivered("S", "B", "<p>B</p>"))


def test_smtp_gets_the_real_link(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, *args: object, **kwargs: object) -> None:
            return

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *args: object) -> None:
            return

        def send_message(self, msg: Any) -> None:
            sent.append(msg)

    monkeypatch.setenv("SMTP_HOST", "smtp.example.test")
    reset_settings()
    monkeypatch.setattr(outbox.smtplib, "SMTP", FakeSMTP)
    message = outbox.seal(RESET, {"prenom": "Zoé", "lien": "https://p.test/r?jeton=S3CRET"}, secret_tags=("lien",))
    outbox.enqueue_email(db, to="z@example.test", message=message, kind="reset")
    db.commit()
    assert outbox.deliver_pending(db) == 1
    assert "https://p.test/r?jeton=S3CRET" in sent[0].get_content()
    row = db.exec(select(OutboxEmail)).one()
    assert row.status == "sent" and "S3CRET" not in row.body


def test_sms_gateway_gets_the_real_code(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    posted: list[dict[str, str]] = []

    class Answer:
        status = 202

        def __enter__(self) -> Answer:
            return self

        def __exit__(self, *args: object) -> None:
            return

    def fake_urlopen(request: Any, timeout: float) -> Answer:
        posted.append(json.loads(request.data))
        return Answer()

    monkeypatch.setenv("PLUME_SMS_GATEWAY_URL", "http://gateway.test/sms")
    reset_settings()
    monkeypatch.setattr(outbox.urllib.request, "urlopen", fake_urlopen)
    user = make_user(db, activated=False)
    accounts.resend_activation_code(db, actor_for(db, user))
    db.commit()
    row = db.exec(select(OutboxEmail).where(OutboxEmail.channel == "sms")).one()
    assert "[code personnel masqué]" in row.body
    assert outbox.deliver_pending(db) == 1
    code = next(word.rstrip(".") for word in posted[0]["text"].split() if word.rstrip(".").isdigit())
    accounts.verify_activation_code(db, actor_for(db, user), code)


def test_a_seal_made_under_another_key_fails_the_attempt_without_crashing(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    message = outbox.seal(RESET, {"prenom": "Zoé", "lien": "https://p.test/r?jeton=S3CRET"}, secret_tags=("lien",))
    outbox.enqueue_email(db, to="z@example.test", message=message, kind="reset")
    db.commit()
    monkeypatch.setenv("PLUME_SECRET_KEY", "a-different-private-secret-0123456789abcdef")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.test")
    reset_settings()
    assert outbox.deliver_pending(db) == 0
    row = db.exec(select(OutboxEmail)).one()
    assert row.status == "pending" and row.attempts == 1 and "SecretDecryptError" in row.last_error


def test_staff_reset_for_a_shared_trainer_shows_in_no_staff_outbox(db: Session) -> None:
    org_a, org_b = make_org(db), make_org(db)
    staff_a, staff_b = actor_for(db, make_staff(db, org_a)), actor_for(db, make_staff(db, org_b))
    trainer = make_trainer(db, org_a, email="shared@example.test")
    db.add(Membership(user_id=trainer.id or 0, organisation_id=org_b.id or 0, is_trainer=True))
    db.commit()
    orgs.send_trainer_reset(db, staff_a, trainer.id or 0)
    db.commit()
    row = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "reset")).one()
    assert row.organisation_id is None and row.to == "shared@example.test"
    assert "jeton=" not in row.body and "[lien personnel masqué]" in row.body
    for staff in (staff_a, staff_b):
        assert home.list_outbox(db, staff) == []
    token = _token_in(outbox.delivered(row).body)
    assert db.exec(select(UserToken).where(UserToken.token_hash == hash_token(token))).one().user_id == trainer.id
    assert not outbox.retry(db, outbox_id=row.id or 0, organisation_id=org_a.id or 0)


def test_organisation_reset_template_cannot_steer_the_link(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    with pytest.raises(PlumeError):
        templates.save_template(
            db, organisation_id=org.id or 0, user_id=0, kind="reset", language="fr", subject="S", body="x {lien}"
        )
    from app.models import EmailTemplate

    db.add(EmailTemplate(organisation_id=org.id or 0, kind="reset", language="fr", subject="S", body="evil?{lien}"))
    db.commit()
    trainer = make_trainer(db, org)
    orgs.send_trainer_reset(db, staff, trainer.id or 0)
    db.commit()
    row = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "reset")).one()
    assert "evil?" not in outbox.delivered(row).body


def test_self_service_reset_shows_in_no_staff_outbox(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    learner = make_member(db, org, "learner", email="me@example.test")
    accounts.request_password_reset(db, learner.email)
    db.commit()
    row = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "reset")).one()
    assert row.organisation_id is None and "jeton=" not in row.body
    assert home.list_outbox(db, staff) == []


def test_sign_up_code_is_hidden_from_staff_even_in_dev_and_masked_for_superusers(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUME_ENV", "dev")
    reset_settings()
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    admin_user = make_staff(db, org, is_superuser=True)
    newcomer = make_user(db, activated=False)
    accounts.resend_activation_code(db, actor_for(db, newcomer))
    db.commit()
    assert home.list_outbox(db, staff) == []
    admin_rows = home.list_outbox(db, actor_for(db, admin_user))
    assert [r.kind for r in admin_rows] == ["activation"]
    real = outbox.delivered(db.exec(select(OutboxEmail)).one()).body
    code = next(word.rstrip(".") for word in real.split() if word.rstrip(".").isdigit())
    assert code not in _all_outbox_text(admin_rows)
    assert "[code personnel masqué]" in admin_rows[0].body


def test_trainer_invitation_is_listed_for_its_organisation_with_the_link_masked(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    inv = orgs.add_trainer(db, staff, first_name="Nina", last_name="Neuve", email="nina@example.test", kind="external")
    orgs.invite_trainer(db, staff, inv.id or 0)
    db.commit()
    rows = home.list_outbox(db, staff)
    assert [r.kind for r in rows] == ["invitation"]
    assert "jeton=" not in _all_outbox_text(rows) and "[lien personnel masqué]" in rows[0].body
    row = db.exec(select(OutboxEmail).where(col(OutboxEmail.kind) == "invitation")).one()
    assert orgs.view_invitation(db, _token_in(outbox.delivered(row).body)).email == "nina@example.test"
