"""A stolen session is not a takeover: re-authentication, revert links, one-use TOTP steps, throttles."""

from __future__ import annotations

import time
from datetime import timedelta

import pyotp
import pytest
from sqlmodel import Session, select

from app.models import AuthSession, OutboxEmail, User, UserToken
from app.models.base import utcnow
from app.services import accounts, auth
from app.services.actor import Actor
from app.services.crypto import decrypt_secret, hash_token
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import delivered
from tests.factories import PASSWORD, actor_for, make_user

NEW = "a brand new passphrase"


def _token(db: Session, kind: str, to: str = "") -> str:
    query = select(OutboxEmail).where(OutboxEmail.kind == kind)
    if to:
        query = query.where(OutboxEmail.to == to)
    mail = db.exec(query.order_by(OutboxEmail.id.desc())).first()  # type: ignore[union-attr]
    assert mail is not None
    return delivered(mail).body.split("jeton=")[1].split()[0]


def _reset_link(db: Session, user: User) -> str:
    accounts.send_reset_link(db, user)
    db.commit()
    return _token(db, "reset", user.email)


def _with_totp(db: Session, user: User) -> tuple[Actor, pyotp.TOTP]:
    actor = actor_for(db, user)
    uri = accounts.start_totp(db, actor, PASSWORD)
    totp = pyotp.TOTP(uri.split("secret=")[1].split("&")[0])
    accounts.confirm_totp(db, actor, totp.at(time.time() - 30))
    db.commit()
    return actor, totp


def _form(**kw: str) -> accounts.SignUp:
    data = {
        "email": "nouvelle@example.test",
        "first_name": "Léa",
        "last_name": "Roux",
        "pseudonym": "",
        "password": "une phrase assez longue",
        "phone": "06 12 34 56 78",
    }
    data.update(kw)
    return accounts.SignUp(**data)


# Older reset links


def test_a_reset_uses_up_every_other_reset_link(db: Session) -> None:
    user = make_user(db)
    first, second = _reset_link(db, user), _reset_link(db, user)
    accounts.reset_password(db, second, NEW, NEW)
    db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.check_reset_link(db, first)
    assert err.value.code == ErrorCode.LINK_INVALID


def test_a_password_change_uses_up_pending_reset_links(db: Session) -> None:
    user = make_user(db)
    link = _reset_link(db, user)
    accounts.change_password(db, actor_for(db, user), current=PASSWORD, new=NEW, confirm=NEW)
    db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.reset_password(db, link, "yet another passphrase", "yet another passphrase")
    assert err.value.code == ErrorCode.LINK_INVALID


# Re-authentication for the e-mail and the second factor


def test_email_change_asks_the_current_password(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    with pytest.raises(PlumeError) as err:
        accounts.request_email_change(db, actor, "thief@example.test", password="a stolen session only")
    assert (err.value.code, err.value.field) == (ErrorCode.PASSWORD_WRONG, "email_password")
    db.rollback()
    assert db.exec(select(OutboxEmail).where(OutboxEmail.to == "thief@example.test")).all() == []
    assert accounts.request_email_change(db, actor, "mine@example.test", password=PASSWORD) == "mine@example.test"


def test_email_change_asks_the_totp_code_when_it_is_on(db: Session) -> None:
    user = make_user(db)
    actor, totp = _with_totp(db, user)
    with pytest.raises(PlumeError) as err:
        accounts.request_email_change(db, actor, "mine@example.test", password=PASSWORD, code="")
    assert (err.value.code, err.value.field) == (ErrorCode.TOTP_CODE_REQUIRED, "email_code")
    db.rollback()
    accounts.request_email_change(db, actor, "mine@example.test", password=PASSWORD, code=totp.now())


def test_an_empty_password_is_named_missing_and_counts_as_no_guess(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    for _ in range(8):
        with pytest.raises(PlumeError) as err:
            accounts.request_email_change(db, actor, "mine@example.test", password="")
        assert (err.value.code, err.value.field) == (ErrorCode.CURRENT_PASSWORD_REQUIRED, "email_password")
    # Eight empty submissions later the person is not locked out.
    assert accounts.request_email_change(db, actor, "mine@example.test", password=PASSWORD) == "mine@example.test"


def test_showing_a_totp_secret_asks_the_password(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    with pytest.raises(PlumeError) as err:
        accounts.start_totp(db, actor, "not the password")
    assert (err.value.code, err.value.field) == (ErrorCode.PASSWORD_WRONG, "totp_start_password")
    db.refresh(user)
    assert user.totp_secret == ""


def test_turning_totp_off_asks_a_current_code_too(db: Session) -> None:
    user = make_user(db)
    actor, totp = _with_totp(db, user)
    with pytest.raises(PlumeError) as err:
        accounts.disable_totp(db, actor, PASSWORD, "")
    assert (err.value.code, err.value.field) == (ErrorCode.TOTP_CODE_REQUIRED, "totp_off_code")
    with pytest.raises(PlumeError) as err:
        accounts.disable_totp(db, actor, PASSWORD, "12345")
    assert (err.value.code, err.value.field) == (ErrorCode.TOTP_WRONG, "totp_off_code")
    db.refresh(user)
    assert user.totp_enabled
    accounts.disable_totp(db, actor, PASSWORD, totp.now())
    db.commit()
    db.refresh(user)
    assert not user.totp_enabled and user.totp_secret == ""


def test_turning_totp_off_is_throttled(db: Session) -> None:
    user = make_user(db, totp_secret=pyotp.random_base32(), totp_enabled=True)
    actor = actor_for(db, user)
    for _ in range(5):
        with pytest.raises(PlumeError) as err:
            accounts.disable_totp(db, actor, "wrong password!")
        assert err.value.code == ErrorCode.PASSWORD_WRONG
    with pytest.raises(PlumeError) as err:
        accounts.disable_totp(db, actor, PASSWORD)
    assert err.value.code == ErrorCode.THROTTLED
    db.refresh(user)
    assert user.totp_enabled


# The old address can revert an e-mail change


def test_the_old_address_can_revert_an_email_change(db: Session) -> None:
    user = make_user(db, email="owner@example.test")
    actor = actor_for(db, user)
    thief = actor_for(db, user)
    accounts.request_email_change(db, thief, "thief@example.test", password=PASSWORD)
    db.commit()
    accounts.confirm_email_change(db, _token(db, "email_change", "thief@example.test"))
    db.commit()
    notice = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "email_changed")).one()
    assert notice.to == "owner@example.test" and "thief@example.test" in notice.body
    assert "jeton=" not in notice.body  # the outbox keeps the link sealed
    revert = _token(db, "email_changed", "owner@example.test")
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(revert))).one()
    assert timedelta(days=6) < row.expires_at - utcnow() <= timedelta(days=7)
    assert accounts.check_revert_link(db, revert) == "owner@example.test"

    assert accounts.revert_email_change(db, revert) == "owner@example.test"
    db.commit()
    db.refresh(user)
    assert user.email == "owner@example.test"
    for session_id in (actor.session_id, thief.session_id):
        session = db.get(AuthSession, session_id)
        assert session is not None and session.revoked_at is not None
    assert _token(db, "reset", "owner@example.test")
    with pytest.raises(PlumeError) as err:
        accounts.revert_email_change(db, revert)
    assert err.value.code == ErrorCode.LINK_INVALID


def test_a_revert_link_expires_after_seven_days(db: Session) -> None:
    user = make_user(db, email="owner2@example.test")
    accounts.request_email_change(db, actor_for(db, user), "other@example.test", password=PASSWORD)
    db.commit()
    accounts.confirm_email_change(db, _token(db, "email_change"))
    db.commit()
    revert = _token(db, "email_changed")
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(revert))).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.revert_email_change(db, revert)
    assert err.value.code == ErrorCode.LINK_INVALID


# TOTP: one use per time step, secret encrypted


def test_a_totp_code_cannot_be_replayed(db: Session) -> None:
    totp = pyotp.TOTP(pyotp.random_base32())
    user = make_user(db, totp_secret=totp.secret, totp_enabled=True)
    code = totp.now()
    first = auth.sign_in(db, email=user.email, password=PASSWORD)
    second = auth.sign_in(db, email=user.email, password=PASSWORD)
    db.commit()
    first_actor, second_actor = auth.resolve_actor(db, first.token), auth.resolve_actor(db, second.token)
    assert first_actor is not None and second_actor is not None
    auth.verify_totp(db, first_actor, code)
    db.commit()
    with pytest.raises(PlumeError) as err:
        auth.verify_totp(db, second_actor, code)
    assert err.value.code == ErrorCode.TOTP_WRONG
    with pytest.raises(PlumeError):  # an earlier step is refused too
        auth.verify_totp(db, second_actor, totp.at(time.time() - 30))
    auth.verify_totp(db, second_actor, totp.at(time.time() + 30))


def test_the_totp_secret_is_stored_encrypted(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    secret = accounts.start_totp(db, actor, PASSWORD).split("secret=")[1].split("&")[0]
    db.commit()
    db.refresh(user)
    assert secret not in user.totp_secret
    assert decrypt_secret(user.totp_secret, "totp") == secret


def test_a_plaintext_totp_secret_is_encrypted_when_first_used(db: Session) -> None:
    secret = pyotp.random_base32()
    user = make_user(db, totp_secret=secret, totp_enabled=True)
    signed = auth.sign_in(db, email=user.email, password=PASSWORD)
    db.commit()
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None
    auth.verify_totp(db, actor, pyotp.TOTP(secret).now())
    db.commit()
    db.refresh(user)
    assert user.totp_secret != secret and decrypt_secret(user.totp_secret, "totp") == secret


# Sign-up: throttled, and the same answer for an address that has an account


def test_sign_up_is_throttled_per_phone_number(db: Session) -> None:
    for n in range(3):
        accounts.sign_up(db, _form(email=f"p{n}@example.test"))
        db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.sign_up(db, _form(email="another@example.test"))
    assert err.value.code == ErrorCode.THROTTLED


def test_sign_up_is_throttled_per_client_address(db: Session) -> None:
    for n in range(30):
        accounts.sign_up(db, _form(email=f"a{n}@example.test", phone=f"+3361234{n:04d}"), ip="198.51.100.7")
        db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.sign_up(db, _form(email="late@example.test", phone="+33698765432"), ip="198.51.100.7")
    assert err.value.code == ErrorCode.THROTTLED
    accounts.sign_up(db, _form(email="late@example.test", phone="+33698765432"), ip="198.51.100.8")


def test_sign_up_answers_alike_for_a_new_and_an_existing_address(db: Session) -> None:
    make_user(db, email="taken@example.test")
    new = accounts.sign_up(db, _form(email="free@example.test", phone="+33611111111"))
    old = accounts.sign_up(db, _form(email="taken@example.test", phone="+33622222222"))
    db.commit()
    assert (new.signed, old.signed) == (None, None)
    kinds = {m.to: m.kind for m in db.exec(select(OutboxEmail)).all()}
    assert kinds == {"free@example.test": "sign_up_confirm", "taken@example.test": "sign_up_existing"}
    assert len(db.exec(select(User)).all()) == 1


def test_a_sign_up_link_is_refused_once_the_address_has_an_account(db: Session) -> None:
    accounts.sign_up(db, _form(email="race@example.test"))
    db.commit()
    link = _token(db, "sign_up_confirm", "race@example.test")
    assert accounts.check_sign_up_link(db, link) == "race@example.test"
    make_user(db, email="race@example.test")
    with pytest.raises(PlumeError) as err:
        accounts.confirm_sign_up(db, link)
    assert err.value.code == ErrorCode.LINK_INVALID


def test_a_sign_up_link_works_once(db: Session) -> None:
    accounts.sign_up(db, _form(email="once@example.test"))
    db.commit()
    link = _token(db, "sign_up_confirm", "once@example.test")
    signed = accounts.confirm_sign_up(db, link)
    db.commit()
    assert signed.needs_activation
    with pytest.raises(PlumeError) as err:
        accounts.confirm_sign_up(db, link)
    assert err.value.code == ErrorCode.LINK_INVALID


def test_an_invited_address_gets_its_account_at_once(db: Session) -> None:
    outcome = accounts.sign_up(db, _form(email="Invited@example.test"), proven_email="invited@example.test")
    db.commit()
    assert outcome.signed is not None and outcome.signed.needs_activation
    assert db.exec(select(OutboxEmail).where(OutboxEmail.channel == "sms")).one().to == "+33612345678"


def test_the_migration_encrypts_totp_secrets_stored_in_clear(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlalchemy as sa
    from alembic import command

    from app.migrate import alembic_config
    from app.services.crypto import decrypt_secret
    from app.services.db import make_engine, set_engine
    from app.settings import reset_settings

    url = empty_database_url
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    set_engine(None)
    command.upgrade(alembic_config(), "a0849c90f908")  # the schema before secrets were encrypted
    engine = make_engine(url)
    plain = pyotp.random_base32()
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                'INSERT INTO "user" (email, first_name, last_name, pseudonym, password_hash, phone, phone_changes,'
                " language, totp_secret, totp_enabled, is_active, is_superuser, created_at)"
                " VALUES ('old@plume.test', 'A', 'B', '', 'x', '', 0, 'fr', :secret, :yes, :yes, :no, '2026-01-01')"
            ),
            {"secret": plain, "yes": True, "no": False},
        )
    command.upgrade(alembic_config(), "head")
    with engine.connect() as conn:
        stored = conn.execute(sa.text("""SELECT totp_secret FROM "user" WHERE email = 'old@plume.test'""")).scalar_one()
    assert stored != plain
    assert plain not in stored
    assert decrypt_secret(stored, "totp") == plain
    engine.dispose()
    set_engine(None)
    reset_settings()
