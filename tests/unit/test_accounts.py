import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.models import AuthSession, OutboxEmail, PhoneActivation, User, UserToken
from app.models.base import utcnow
from app.services import accounts, auth
from app.services.crypto import hash_token
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import delivered
from tests.factories import PASSWORD, actor_for, make_user


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


def _sms_code(db: Session, phone: str) -> str:
    sms = db.exec(
        select(OutboxEmail).where(OutboxEmail.channel == "sms", OutboxEmail.to == phone).order_by(OutboxEmail.id.desc())
    ).first()  # type: ignore[union-attr]
    assert sms is not None
    return next(
        word.rstrip(".")
        for word in delivered(sms).body.split()
        if word.rstrip(".").isdigit() and len(word.rstrip(".")) == 6
    )


def _link_token(db: Session, kind: str, to: str = "") -> str:
    query = select(OutboxEmail).where(OutboxEmail.kind == kind)
    if to:
        query = query.where(OutboxEmail.to == to)
    mail = db.exec(query.order_by(OutboxEmail.id.desc())).first()  # type: ignore[union-attr]
    assert mail is not None
    return delivered(mail).body.split("jeton=")[1].split()[0]


def _signed_up(db: Session, **override: str) -> auth.SignedIn:
    """Sign up, then open the confirmation link e-mailed to the address."""
    outcome = accounts.sign_up(db, _form(**override))
    db.commit()
    assert outcome.signed is None
    signed = accounts.confirm_sign_up(db, _link_token(db, "sign_up_confirm", outcome.email))
    db.commit()
    return signed


def test_sign_up_creates_an_unactivated_account_and_texts_a_code(db: Session) -> None:
    assert accounts.sign_up(db, _form()).email == "nouvelle@example.test"
    db.commit()
    assert db.exec(select(User)).all() == []
    signed = accounts.confirm_sign_up(db, _link_token(db, "sign_up_confirm", "nouvelle@example.test"))
    db.commit()
    user = db.get(User, signed.user_id)
    assert user is not None and user.phone == "+33612345678" and not user.is_activated
    assert signed.needs_activation
    code = _sms_code(db, "+33612345678")
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None and not actor.activated
    accounts.verify_activation_code(db, actor, code)
    db.commit()
    db.refresh(user)
    assert user.is_activated


@pytest.mark.parametrize(
    ("override", "code", "field"),
    [
        ({"email": "pas-une-adresse"}, ErrorCode.EMAIL_INVALID, "email"),
        ({"email": ""}, ErrorCode.EMAIL_REQUIRED, "email"),
        ({"first_name": "", "last_name": ""}, ErrorCode.NAME_REQUIRED, "first_name"),
        ({"password": "court"}, ErrorCode.PASSWORD_TOO_SHORT, "password"),
        ({"password": "motdepasse123"}, ErrorCode.PASSWORD_COMMON, "password"),
        ({"phone": "12"}, ErrorCode.PHONE_INVALID, "phone"),
        ({"phone": "+33112345678"}, ErrorCode.PHONE_INVALID, "phone"),
    ],
)
def test_bad_sign_up_input_names_the_field_and_writes_nothing(
    db: Session, override: dict, code: ErrorCode, field: str
) -> None:
    with pytest.raises(PlumeError) as err:
        accounts.sign_up(db, _form(**override))
    db.rollback()
    assert (err.value.code, err.value.field) == (code, field)
    assert db.exec(select(User)).all() == []


def test_pseudonym_replaces_names(db: Session) -> None:
    signed = _signed_up(db, first_name="", last_name="", pseudonym="Plume42")
    user = db.get(User, signed.user_id)
    assert user is not None and user.display_name == "Plume42"


def test_email_already_used_gets_the_same_answer_and_a_message_to_the_account(db: Session) -> None:
    make_user(db, email="nouvelle@example.test")
    outcome = accounts.sign_up(db, _form(email="NOUVELLE@example.test"))
    db.commit()
    assert outcome == accounts.SignUpOutcome(email="nouvelle@example.test", signed=None)
    assert len(db.exec(select(User)).all()) == 1
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.to == "nouvelle@example.test")).one()
    assert mail.kind == "sign_up_existing" and "/mot-de-passe-oublie" in mail.body
    assert db.exec(select(OutboxEmail).where(OutboxEmail.channel == "sms")).all() == []


def test_five_wrong_codes_exhaust_the_code(db: Session) -> None:
    signed = _signed_up(db)
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None
    right = _sms_code(db, "+33612345678")
    wrong = "000000" if right != "000000" else "111111"
    lefts = []
    for _ in range(4):
        with pytest.raises(PlumeError) as err:
            accounts.verify_activation_code(db, actor, wrong)
        assert err.value.code == ErrorCode.CODE_WRONG
        lefts.append(err.value.params["left"])
    assert lefts == ["4", "3", "2", "1"]
    with pytest.raises(PlumeError) as err:
        accounts.verify_activation_code(db, actor, wrong)
    assert err.value.code == ErrorCode.CODE_EXHAUSTED
    with pytest.raises(PlumeError) as err:
        accounts.verify_activation_code(db, actor, right)
    assert err.value.code == ErrorCode.CODE_EXHAUSTED
    accounts.resend_activation_code(db, actor)
    db.commit()
    accounts.verify_activation_code(db, actor, _sms_code(db, "+33612345678"))


def test_expired_code_is_refused(db: Session) -> None:
    signed = _signed_up(db)
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None
    row = db.exec(select(PhoneActivation)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.verify_activation_code(db, actor, _sms_code(db, "+33612345678"))
    assert err.value.code == ErrorCode.CODE_EXPIRED


def test_phone_can_be_changed_once_before_activation(db: Session) -> None:
    signed = _signed_up(db)
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None
    accounts.change_activation_phone(db, actor, "07 00 00 00 01")
    db.commit()
    assert accounts.activation_status(db, actor).can_change_phone is False
    with pytest.raises(PlumeError) as err:
        accounts.change_activation_phone(db, actor, "07 00 00 00 02")
    assert err.value.code == ErrorCode.PHONE_CHANGE_LIMIT
    code = _sms_code(db, "+33700000001")
    accounts.verify_activation_code(db, actor, code)


def _reset_token(db: Session, user: User) -> str:
    accounts.send_reset_link(db, user)
    db.commit()
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "reset")).all()[-1]
    return delivered(mail).body.split("jeton=")[1].split()[0]


def test_reset_link_works_once_and_revokes_sessions(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    token = _reset_token(db, user)
    accounts.reset_password(db, token, "un tout nouveau secret", "un tout nouveau secret")
    db.commit()
    assert auth.resolve_actor(db, "x") is None
    session = db.get(AuthSession, actor.session_id)
    assert session is not None and session.revoked_at is not None
    assert auth.sign_in(db, email=user.email, password="un tout nouveau secret").token
    with pytest.raises(PlumeError) as err:
        accounts.reset_password(db, token, "encore un autre secret", "encore un autre secret")
    assert err.value.code == ErrorCode.LINK_INVALID


def test_reset_link_expires_after_an_hour(db: Session) -> None:
    user = make_user(db)
    token = _reset_token(db, user)
    row = db.exec(select(UserToken).where(UserToken.token_hash == hash_token(token))).one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.add(row)
    db.commit()
    with pytest.raises(PlumeError) as err:
        accounts.check_reset_link(db, token)
    assert err.value.code == ErrorCode.LINK_INVALID


def test_reset_request_is_silent_for_unknown_addresses(db: Session) -> None:
    make_user(db, email="known@example.test")
    accounts.request_password_reset(db, "unknown@example.test")
    accounts.request_password_reset(db, "known@example.test")
    db.commit()
    to = [m.to for m in db.exec(select(OutboxEmail)).all()]
    assert to == ["known@example.test"]


def test_email_change_takes_effect_only_after_confirmation(db: Session) -> None:
    user = make_user(db, email="old@example.test")
    actor = actor_for(db, user)
    accounts.request_email_change(db, actor, "New@Example.test", password=PASSWORD)
    db.commit()
    db.refresh(user)
    assert user.email == "old@example.test"
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "email_change")).one()
    assert mail.to == "new@example.test"
    token = delivered(mail).body.split("jeton=")[1].split()[0]
    assert accounts.confirm_email_change(db, token) == "new@example.test"
    db.commit()
    db.refresh(user)
    assert user.email == "new@example.test"


def test_password_change_asks_the_current_one(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    with pytest.raises(PlumeError) as err:
        accounts.change_password(
            db, actor, current="not it at all", new="a brand new secret", confirm="a brand new secret"
        )
    assert err.value.code == ErrorCode.PASSWORD_WRONG
    with pytest.raises(PlumeError) as err:
        accounts.change_password(db, actor, current=PASSWORD, new="a brand new secret", confirm="different one here")
    assert err.value.code == ErrorCode.PASSWORD_MISMATCH
    accounts.change_password(db, actor, current=PASSWORD, new="a brand new secret", confirm="a brand new secret")


def test_totp_is_enabled_only_after_a_right_code(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    uri = accounts.start_totp(db, actor, PASSWORD)
    secret = uri.split("secret=")[1].split("&")[0]
    with pytest.raises(PlumeError):
        accounts.confirm_totp(db, actor, "abc")
    accounts.confirm_totp(db, actor, pyotp.TOTP(secret).now())
    db.commit()
    db.refresh(user)
    assert user.totp_enabled
    with pytest.raises(PlumeError):
        accounts.disable_totp(db, actor, "wrong password!", pyotp.TOTP(secret).at(time.time() + 30))
    db.rollback()
    accounts.disable_totp(db, actor, PASSWORD, pyotp.TOTP(secret).at(time.time() + 30))
    assert not user.totp_enabled


def test_language_is_persisted_and_checked(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    accounts.set_language(db, actor, "en")
    assert user.language == "en"
    with pytest.raises(PlumeError):
        accounts.set_language(db, actor, "de")


def test_profile_phone_changes_only_with_the_code_sent_to_the_new_number(db: Session) -> None:
    user = make_user(db)
    actor = actor_for(db, user)
    assert accounts.request_phone_change(db, actor, "07 11 22 33 44") == "+33711223344"
    db.commit()
    assert user.phone == "+33612345678"
    with pytest.raises(PlumeError) as err:
        accounts.confirm_phone_change(db, actor, "abcdef")
    assert (err.value.code, err.value.field) == (ErrorCode.CODE_WRONG, "phone_code")
    assert accounts.confirm_phone_change(db, actor, _sms_code(db, "+33711223344")) == "+33711223344"
    db.commit()
    db.refresh(user)
    assert user.phone == "+33711223344" and user.is_activated


def test_the_database_refuses_two_accounts_whose_emails_differ_only_by_case(db: Session) -> None:
    db.add(User(email="a@x.fr", password_hash="x"))
    db.commit()
    db.add(User(email="A@x.fr", password_hash="x"))  # a bulk import or a hand-written query skipping the services
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()
    assert [u.email for u in db.exec(select(User)).all()] == ["a@x.fr"]
