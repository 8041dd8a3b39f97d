"""Accounts: sign-up, phone activation, password reset, profile, e-mail change, TOTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from app.models import Organisation, PhoneActivation, User, UserToken
from app.models.base import utcnow
from app.services import audit, throttle
from app.services.actor import Actor
from app.services.auth import SignedIn, normalise_email, open_session, revoke_all_sessions
from app.services.crypto import check_password, hash_password, hash_token, new_code, new_token
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import enqueue_email, seal, sms_sender
from app.services.passwords import check_new_password
from app.services.templates import get_template
from app.settings import get_settings

CODE_TRIES = 5
CODE_LIFETIME = timedelta(minutes=15)
PHONE_CHANGES_ALLOWED = 1
LINK_LIFETIME = timedelta(hours=1)
LANGUAGES = ("fr", "en")
_PHONE_CHARS = re.compile(r"[\s.\-()]")


def clean_email(email: str) -> str:
    """Validate and normalise an e-mail address (no DNS lookup).

    Args:
        email: As typed.

    Returns:
        The normalised address.

    Raises:
        PlumeError: EMAIL_REQUIRED or EMAIL_INVALID.
    """
    email = normalise_email(email)
    if not email:
        raise PlumeError(ErrorCode.EMAIL_REQUIRED, field="email")
    try:
        checked = validate_email(email, check_deliverability=False, test_environment=True)
    except EmailNotValidError as exc:
        raise PlumeError(ErrorCode.EMAIL_INVALID, field="email") from exc
    return checked.normalized.lower()


def clean_phone(phone: str) -> str:
    """Normalise a mobile number to E.164 (French numbers may be typed as 06…).

    Args:
        phone: As typed.

    Returns:
        The number, e.g. "+33612345678".

    Raises:
        PlumeError: PHONE_INVALID.
    """
    digits = _PHONE_CHARS.sub("", phone.strip())
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    if re.fullmatch(r"0[67]\d{8}", digits):
        digits = "+33" + digits[1:]
    if digits.startswith("+33") and not re.fullmatch(r"\+33[67]\d{8}", digits):
        raise PlumeError(ErrorCode.PHONE_INVALID, field="phone")
    if not re.fullmatch(r"\+[1-9]\d{7,14}", digits):
        raise PlumeError(ErrorCode.PHONE_INVALID, field="phone")
    return digits


def _clean_name(value: str) -> str:
    return " ".join(value.split())[:100]


def _first_name_for_messages(user: User) -> str:
    return user.pseudonym or user.first_name or user.email.split("@")[0]


def _org_name(db: Session, organisation_id: int | None) -> str:
    org = db.get(Organisation, organisation_id) if organisation_id else None
    return org.name if org else "Plume"


def _send_code(db: Session, user: User, phone: str) -> None:
    assert user.id is not None
    for old in db.exec(
        select(PhoneActivation).where(PhoneActivation.user_id == user.id, col(PhoneActivation.used_at).is_(None))
    ).all():
        old.used_at = utcnow()
        db.add(old)
    code = new_code()
    db.add(
        PhoneActivation(
            user_id=user.id,
            phone=phone,
            code_hash=hash_token(code),
            expires_at=utcnow() + CODE_LIFETIME,
        )
    )
    message = seal(
        get_template(db, None, "activation", user.language),
        {
            "code": code,
            "prenom": _first_name_for_messages(user),
            "nom": user.last_name,
            "organisation": "Plume",
            "lien": get_settings().base_url,
        },
        secret_tags=("code",),
    )
    # The code belongs to the person: no organisation's outbox lists it.
    sms_sender().send(db, to=phone, text=message)


@dataclass(frozen=True)
class SignUp:
    """What a person types on the sign-up page."""

    email: str
    first_name: str
    last_name: str
    pseudonym: str
    password: str
    phone: str
    language: str = "fr"


def sign_up(db: Session, form: SignUp, *, ip: str = "", user_agent: str = "") -> SignedIn:
    """Create an account, send the activation code, and open a session.

    Args:
        db: Database session.
        form: The sign-up form.
        ip: Client address.
        user_agent: Client browser.

    Returns:
        The new session (the person must enter the code next).

    Raises:
        PlumeError: for the first invalid field, or EMAIL_TAKEN.
    """
    email = clean_email(form.email)
    first, last, pseudo = _clean_name(form.first_name), _clean_name(form.last_name), _clean_name(form.pseudonym)
    if not pseudo and not (first and last):
        raise PlumeError(ErrorCode.NAME_REQUIRED, field="first_name" if not first else "last_name")
    check_new_password(form.password, email=email, names=(first, last, pseudo))
    phone = clean_phone(form.phone)
    if db.exec(select(User.id).where(User.email == email)).first() is not None:
        raise PlumeError(ErrorCode.EMAIL_TAKEN, field="email")
    user = User(
        email=email,
        first_name=first,
        last_name=last,
        pseudonym=pseudo,
        password_hash=hash_password(form.password),
        phone=phone,
        language=form.language if form.language in LANGUAGES else "fr",
    )
    db.add(user)
    db.flush()
    _send_code(db, user, phone)
    audit.record(db, "account.sign_up", actor_user_id=user.id, target=f"user:{user.id}", ip=ip)
    return open_session(db, user, ip=ip, user_agent=user_agent)


@dataclass(frozen=True)
class ActivationStatus:
    """What the activation page shows."""

    phone: str
    can_change_phone: bool
    tries_left: int
    activated: bool


def _latest_code(db: Session, user_id: int) -> PhoneActivation | None:
    return db.exec(
        select(PhoneActivation)
        .where(PhoneActivation.user_id == user_id, col(PhoneActivation.used_at).is_(None))
        .order_by(col(PhoneActivation.id).desc())
    ).first()


def activation_status(db: Session, actor: Actor) -> ActivationStatus:
    """The state of the actor's phone activation.

    Args:
        db: Database session.
        actor: The signed-up actor.

    Returns:
        The masked number, whether it may change, tries left.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    code = _latest_code(db, actor.user_id)
    tries = CODE_TRIES - code.attempts if code and code.expires_at > utcnow() else 0
    return ActivationStatus(
        phone=user.phone,
        can_change_phone=user.phone_changes < PHONE_CHANGES_ALLOWED,
        tries_left=max(0, tries),
        activated=user.is_activated,
    )


def verify_activation_code(db: Session, actor: Actor, code: str) -> None:
    """Confirm the mobile number with the 6-digit code (5 tries per code).

    Args:
        db: Database session.
        actor: The signed-up actor.
        code: As typed.

    Raises:
        PlumeError: CODE_EXHAUSTED, CODE_EXPIRED or CODE_WRONG (committed before raising).
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if user.is_activated:
        return
    _use_code(db, user, code, field="code")
    user.phone_verified_at = utcnow()
    db.add(user)
    audit.record(db, "account.activated", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)


def _use_code(db: Session, user: User, code: str, *, field: str) -> None:
    """Check the latest SMS code (5 tries); on success the number it went to becomes the user's.

    Raises:
        PlumeError: CODE_EXHAUSTED, CODE_EXPIRED or CODE_WRONG (committed before raising).
    """
    assert user.id is not None
    pending = _latest_code(db, user.id)
    if pending is None or pending.attempts >= CODE_TRIES:
        raise PlumeError(ErrorCode.CODE_EXHAUSTED, field=field)
    if pending.expires_at <= utcnow():
        raise PlumeError(ErrorCode.CODE_EXPIRED, field=field)
    if hash_token(code.strip().replace(" ", "")) != pending.code_hash:
        pending.attempts += 1
        db.add(pending)
        db.commit()
        left = CODE_TRIES - pending.attempts
        if left <= 0:
            raise PlumeError(ErrorCode.CODE_EXHAUSTED, field=field)
        raise PlumeError(ErrorCode.CODE_WRONG, field=field, left=str(left))
    pending.used_at = utcnow()
    user.phone = pending.phone
    db.add(pending)
    db.add(user)


def request_phone_change(db: Session, actor: Actor, phone: str) -> str:
    """Text a code to a new mobile number; the number changes once the code is entered.

    Args:
        db: Database session.
        actor: The signed-in actor.
        phone: The new number.

    Returns:
        The normalised number.

    Raises:
        PlumeError: PHONE_INVALID or THROTTLED.
    """
    number = clean_phone(phone)
    key = f"user:{actor.user_id}"
    throttle.check(db, "code-send", key)
    throttle.note(db, "code-send", key, success=False)
    user = db.get(User, actor.user_id)
    assert user is not None
    _send_code(db, user, number)
    return number


def confirm_phone_change(db: Session, actor: Actor, code: str) -> str:
    """Switch to the new number with the code it received.

    Args:
        db: Database session.
        actor: The signed-in actor.
        code: As typed.

    Returns:
        The new number.

    Raises:
        PlumeError: CODE_EXHAUSTED, CODE_EXPIRED or CODE_WRONG.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    before = user.phone
    _use_code(db, user, code, field="phone_code")
    audit.record(
        db,
        "account.phone_change",
        actor_user_id=user.id,
        target=f"user:{user.id}",
        before={"phone": before},
        after={"phone": user.phone},
        ip=actor.ip,
    )
    return user.phone


def resend_activation_code(db: Session, actor: Actor) -> None:
    """Send a new code (the old one stops working), at most 5 per 15 minutes.

    Args:
        db: Database session.
        actor: The signed-up actor.

    Raises:
        PlumeError: THROTTLED.
    """
    key = f"user:{actor.user_id}"
    throttle.check(db, "code-send", key)
    user = db.get(User, actor.user_id)
    assert user is not None
    if user.is_activated:
        return
    throttle.note(db, "code-send", key, success=False)
    _send_code(db, user, user.phone)


def change_activation_phone(db: Session, actor: Actor, phone: str) -> None:
    """Correct the mobile number before activation (allowed once).

    Args:
        db: Database session.
        actor: The signed-up actor.
        phone: The new number.

    Raises:
        PlumeError: PHONE_INVALID or PHONE_CHANGE_LIMIT.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if user.is_activated:
        return
    if user.phone_changes >= PHONE_CHANGES_ALLOWED:
        raise PlumeError(ErrorCode.PHONE_CHANGE_LIMIT, field="phone")
    user.phone = clean_phone(phone)
    user.phone_changes += 1
    db.add(user)
    _send_code(db, user, user.phone)


def request_password_reset(db: Session, email: str, *, ip: str = "") -> None:
    """E-mail a reset link if the account exists; the caller answers the same either way.

    Args:
        db: Database session.
        email: As typed.
        ip: Client address (throttled too).
    """
    email = normalise_email(email)[:254]
    if not email:
        return
    over = throttle.locked_until(db, "reset-request", email) is not None or (
        ip and throttle.locked_until(db, "reset-request-ip", ip) is not None
    )
    throttle.note(db, "reset-request", email, success=False)
    if ip:
        throttle.note(db, "reset-request-ip", ip, success=False)
    if over:
        return
    user = db.exec(select(User).where(User.email == email)).first()
    if user is None or not user.is_active:
        return
    send_reset_link(db, user)


def send_reset_link(db: Session, user: User, *, organisation_id: int | None = None) -> None:
    """Create a single-use reset link valid one hour and e-mail it.

    Args:
        db: Database session.
        user: The account.
        organisation_id: The organisation that asked for it (named in the message), if any.
    """
    assert user.id is not None
    token = new_token()
    db.add(
        UserToken(
            user_id=user.id,
            purpose="reset",
            token_hash=hash_token(token),
            expires_at=utcnow() + LINK_LIFETIME,
        )
    )
    # The link belongs to the person: Plume's own wording (no organisation's template decides
    # where it points), no organisation's outbox lists it, and the outbox keeps it sealed.
    message = seal(
        get_template(db, None, "reset", user.language),
        {
            "prenom": _first_name_for_messages(user),
            "nom": user.last_name,
            "organisation": _org_name(db, organisation_id),
            "lien": f"{get_settings().base_url}/reinitialiser?jeton={token}",
        },
        secret_tags=("lien",),
    )
    enqueue_email(db, to=user.email, message=message, kind="reset")


def _take_token(db: Session, token: str, purpose: str, *, ip: str) -> UserToken:
    if ip:
        throttle.check(db, "link", ip)
    row = None
    if token and len(token) < 200:
        row = db.exec(
            select(UserToken).where(UserToken.token_hash == hash_token(token), UserToken.purpose == purpose)
        ).first()
    if row is None or row.used_at is not None or row.expires_at <= utcnow():
        if ip:
            throttle.note(db, "link", ip, success=False)
            db.commit()
        raise PlumeError(ErrorCode.LINK_INVALID)
    return row


def check_reset_link(db: Session, token: str, *, ip: str = "") -> None:
    """Whether a reset link may still be used (for the page to say so at once).

    Args:
        db: Database session.
        token: From the link.
        ip: Client address.

    Raises:
        PlumeError: LINK_INVALID.
    """
    _take_token(db, token, "reset", ip=ip)


def reset_password(db: Session, token: str, password: str, confirm: str, *, ip: str = "") -> None:
    """Set a new password with a reset link; the link then stops working.

    Args:
        db: Database session.
        token: From the link.
        password: The new password.
        confirm: Typed again.
        ip: Client address.

    Raises:
        PlumeError: LINK_INVALID, PASSWORD_MISMATCH or a password rule.
    """
    row = _take_token(db, token, "reset", ip=ip)
    user = db.get(User, row.user_id)
    assert user is not None
    if password != confirm:
        raise PlumeError(ErrorCode.PASSWORD_MISMATCH, field="confirm")
    check_new_password(password, email=user.email, names=(user.first_name, user.last_name))
    row.used_at = utcnow()
    user.password_hash = hash_password(password)
    db.add(row)
    db.add(user)
    revoke_all_sessions(db, user.id or 0)
    audit.record(db, "account.password_reset", actor_user_id=user.id, target=f"user:{user.id}", ip=ip)


@dataclass(frozen=True)
class Profile:
    """What the profile page shows and edits."""

    email: str
    first_name: str
    last_name: str
    pseudonym: str
    phone: str
    language: str
    totp_enabled: bool


def get_profile(db: Session, actor: Actor) -> Profile:
    """The actor's own profile.

    Args:
        db: Database session.
        actor: The signed-in actor.

    Returns:
        The profile.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    return Profile(
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        pseudonym=user.pseudonym,
        phone=user.phone,
        language=user.language,
        totp_enabled=user.totp_enabled,
    )


def update_names(db: Session, actor: Actor, *, first_name: str, last_name: str, pseudonym: str) -> None:
    """Change the actor's names.

    Args:
        db: Database session.
        actor: The signed-in actor.
        first_name: New first name.
        last_name: New last name.
        pseudonym: New pseudonym (may be empty when both names are given).

    Raises:
        PlumeError: NAME_REQUIRED.
    """
    first, last, pseudo = _clean_name(first_name), _clean_name(last_name), _clean_name(pseudonym)
    if not pseudo and not (first and last):
        raise PlumeError(ErrorCode.NAME_REQUIRED, field="first_name" if not first else "last_name")
    user = db.get(User, actor.user_id)
    assert user is not None
    before = {"first_name": user.first_name, "last_name": user.last_name, "pseudonym": user.pseudonym}
    user.first_name, user.last_name, user.pseudonym = first, last, pseudo
    db.add(user)
    audit.record(
        db,
        "account.names",
        actor_user_id=user.id,
        target=f"user:{user.id}",
        before=before,
        after={"first_name": first, "last_name": last, "pseudonym": pseudo},
    )


def set_language(db: Session, actor: Actor, language: str) -> None:
    """Persist the actor's interface language.

    Args:
        db: Database session.
        actor: The signed-in actor.
        language: "fr" or "en".

    Raises:
        PlumeError: INVALID_INPUT for another language.
    """
    if language not in LANGUAGES:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    user = db.get(User, actor.user_id)
    assert user is not None
    user.language = language
    db.add(user)


def change_password(db: Session, actor: Actor, *, current: str, new: str, confirm: str) -> None:
    """Change the password after checking the current one; other sessions are revoked.

    Args:
        db: Database session.
        actor: The signed-in actor.
        current: The current password.
        new: The new password.
        confirm: Typed again.

    Raises:
        PlumeError: THROTTLED, PASSWORD_WRONG, PASSWORD_MISMATCH or a password rule.
    """
    key = f"user:{actor.user_id}"
    throttle.check(db, "password", key)
    user = db.get(User, actor.user_id)
    assert user is not None
    if not check_password(user.password_hash, current[:256]):
        throttle.note(db, "password", key, success=False)
        db.commit()
        raise PlumeError(ErrorCode.PASSWORD_WRONG, field="current")
    if new != confirm:
        raise PlumeError(ErrorCode.PASSWORD_MISMATCH, field="confirm")
    check_new_password(new, email=user.email, names=(user.first_name, user.last_name))
    user.password_hash = hash_password(new)
    db.add(user)
    revoke_all_sessions(db, actor.user_id, except_session_id=actor.session_id)
    audit.record(db, "account.password_change", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)


def request_email_change(db: Session, actor: Actor, new_email: str) -> str:
    """E-mail a confirmation link to the new address; the sign-in e-mail changes only then.

    Args:
        db: Database session.
        actor: The signed-in actor.
        new_email: The new address.

    Returns:
        The normalised new address.

    Raises:
        PlumeError: EMAIL_INVALID or EMAIL_TAKEN.
    """
    email = clean_email(new_email)
    user = db.get(User, actor.user_id)
    assert user is not None
    if email == user.email or db.exec(select(User.id).where(User.email == email)).first() is not None:
        raise PlumeError(ErrorCode.EMAIL_TAKEN, field="new_email")
    token = new_token()
    db.add(
        UserToken(
            user_id=actor.user_id,
            purpose="email_change",
            token_hash=hash_token(token),
            new_email=email,
            expires_at=utcnow() + LINK_LIFETIME,
        )
    )
    message = seal(
        get_template(db, None, "email_change", user.language),
        {
            "prenom": _first_name_for_messages(user),
            "nom": user.last_name,
            "organisation": _org_name(db, actor.organisation_id),
            "lien": f"{get_settings().base_url}/confirmer-email?jeton={token}",
        },
        secret_tags=("lien",),
    )
    enqueue_email(db, to=email, message=message, kind="email_change")
    return email


def confirm_email_change(db: Session, token: str, *, ip: str = "") -> str:
    """Switch the sign-in e-mail to the confirmed address.

    Args:
        db: Database session.
        token: From the link.
        ip: Client address.

    Returns:
        The new address.

    Raises:
        PlumeError: LINK_INVALID or EMAIL_TAKEN.
    """
    row = _take_token(db, token, "email_change", ip=ip)
    user = db.get(User, row.user_id)
    assert user is not None
    if db.exec(select(User.id).where(User.email == row.new_email)).first() is not None:
        raise PlumeError(ErrorCode.EMAIL_TAKEN)
    before = user.email
    user.email = row.new_email
    row.used_at = utcnow()
    db.add(user)
    db.add(row)
    audit.record(
        db,
        "account.email_change",
        actor_user_id=user.id,
        target=f"user:{user.id}",
        before={"email": before},
        after={"email": user.email},
        ip=ip,
    )
    return user.email


def start_totp(db: Session, actor: Actor) -> str:
    """Create a new TOTP secret (not active until confirmed).

    Args:
        db: Database session.
        actor: The signed-in actor.

    Returns:
        The otpauth:// URI to show as a QR code.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if user.totp_enabled:
        return ""
    user.totp_secret = pyotp.random_base32()
    db.add(user)
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name="Plume")


def confirm_totp(db: Session, actor: Actor, code: str) -> None:
    """Turn the second factor on after a correct first code.

    Args:
        db: Database session.
        actor: The signed-in actor.
        code: From the authenticator app.

    Raises:
        PlumeError: TOTP_WRONG.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(code.strip().replace(" ", ""), valid_window=1):
        raise PlumeError(ErrorCode.TOTP_WRONG, field="totp_code")
    user.totp_enabled = True
    db.add(user)
    audit.record(db, "account.totp_on", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)


def disable_totp(db: Session, actor: Actor, password: str) -> None:
    """Turn the second factor off (asks the password).

    Args:
        db: Database session.
        actor: The signed-in actor.
        password: The current password.

    Raises:
        PlumeError: PASSWORD_WRONG.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if not check_password(user.password_hash, password[:256]):
        raise PlumeError(ErrorCode.PASSWORD_WRONG, field="totp_password")
    user.totp_enabled, user.totp_secret = False, ""
    db.add(user)
    audit.record(db, "account.totp_off", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)
