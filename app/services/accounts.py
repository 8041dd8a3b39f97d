"""Accounts: sign-up, phone activation, password reset, profile, e-mail change, TOTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlmodel import Session, col, select

from app.models import Organisation, PhoneActivation, SignUpRequest, User, UserToken
from app.models.base import utcnow
from app.services import audit, throttle, totp
from app.services.actor import Actor
from app.services.auth import SignedIn, normalise_email, open_session, revoke_all_sessions
from app.services.crypto import check_password, hash_password, hash_token, new_code, new_token
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import enqueue_email, seal, sms_sender
from app.services.passwords import check_new_password
from app.services.templates import get_template, render
from app.settings import get_settings

L = TypeVar("L", SignUpRequest, UserToken)  # what a one-use e-mailed link names
CODE_TRIES = 5
CODE_LIFETIME = timedelta(minutes=15)
PHONE_CHANGES_ALLOWED = 1
LINK_LIFETIME = timedelta(hours=1)
REVERT_LIFETIME = timedelta(days=7)
SIGN_UP_LIFETIME = timedelta(hours=24)
# Sign-ups per 15 minutes before a 15-minute pause: a training room shares one address, while
# each attempt costs an e-mail (and an SMS once confirmed), so one number or address gets few.
SIGN_UP_MAX_PER_IP = 30
SIGN_UP_MAX_PER_PHONE = 3
SIGN_UP_MAX_PER_EMAIL = 3
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


@dataclass(frozen=True)
class SignUpOutcome:
    """What follows a sign-up form.

    `signed` is a session only when an invitation link already proved the address; otherwise
    the person is told to open the e-mail just sent, whether or not the address has an account.
    """

    email: str
    signed: SignedIn | None


def _throttle_sign_up(db: Session, *, ip: str, phone: str, email: str) -> None:
    limits = [("signup-phone", phone, SIGN_UP_MAX_PER_PHONE), ("signup-email", email, SIGN_UP_MAX_PER_EMAIL)]
    if ip:
        limits.append(("signup-ip", ip, SIGN_UP_MAX_PER_IP))
    for scope, key, most in limits:
        throttle.check(db, scope, key, max_failures=most)
    for scope, key, _ in limits:
        throttle.note(db, scope, key, success=False)


def sign_up(db: Session, form: SignUp, *, ip: str = "", user_agent: str = "", proven_email: str = "") -> SignUpOutcome:
    """Start an account, answering the same whether or not the address already has one.

    A new address gets a link; the account is created (and the SMS code sent) when it is
    opened. An address that has an account gets a message saying someone tried to sign up
    with it, and nothing is created. Only an address proven by an invitation link gets its
    account at once, with a session, so the person goes straight to the SMS activation.

    Args:
        db: Database session.
        form: The sign-up form.
        ip: Client address (throttled).
        user_agent: Client browser.
        proven_email: The address of a valid invitation the person came with, if any.

    Returns:
        The address written to, and the session when the account was created at once.

    Raises:
        PlumeError: for the first invalid field, or THROTTLED.
    """
    email = clean_email(form.email)
    first, last, pseudo = _clean_name(form.first_name), _clean_name(form.last_name), _clean_name(form.pseudonym)
    if not pseudo and not (first and last):
        raise PlumeError(ErrorCode.NAME_REQUIRED, field="first_name" if not first else "last_name")
    check_new_password(form.password, email=email, names=(first, last, pseudo))
    phone = clean_phone(form.phone)
    _throttle_sign_up(db, ip=ip, phone=phone, email=email)
    # Hashed on both paths, so an existing address does not answer faster.
    draft = SignUpRequest(
        email=email,
        first_name=first,
        last_name=last,
        pseudonym=pseudo,
        password_hash=hash_password(form.password),
        phone=phone,
        language=form.language if form.language in LANGUAGES else "fr",
        token_hash="",
        expires_at=utcnow() + SIGN_UP_LIFETIME,
    )
    existing = db.exec(select(User).where(User.email == email)).first()
    if existing is not None:
        _tell_existing_account(db, existing)
        audit.record(db, "account.sign_up_existing", target=f"user:{existing.id}", ip=ip)
        return SignUpOutcome(email=email, signed=None)
    if proven_email and email == normalise_email(proven_email):
        user = _create_account(db, draft, ip=ip)
        return SignUpOutcome(email=email, signed=open_session(db, user, ip=ip, user_agent=user_agent))
    token = new_token()
    draft.token_hash = hash_token(token)
    db.add(draft)
    message = seal(
        get_template(db, None, "sign_up_confirm", draft.language),
        {
            "prenom": pseudo or first or email.split("@")[0],
            "nom": last,
            "organisation": "Plume",
            "lien": f"{get_settings().base_url}/inscription/confirmer?jeton={token}",
        },
        secret_tags=("lien",),
    )
    enqueue_email(db, to=email, message=message, kind="sign_up_confirm")
    return SignUpOutcome(email=email, signed=None)


def _tell_existing_account(db: Session, user: User) -> None:
    base = get_settings().base_url
    message = render(
        get_template(db, None, "sign_up_existing", user.language),
        {
            "prenom": _first_name_for_messages(user),
            "nom": user.last_name,
            "organisation": "Plume",
            "lien": f"{base}/connexion",
            "lien_oubli": f"{base}/mot-de-passe-oublie",
        },
    )
    enqueue_email(db, to=user.email, message=message, kind="sign_up_existing")


def _create_account(db: Session, draft: SignUpRequest, *, ip: str) -> User:
    user = User(
        email=draft.email,
        first_name=draft.first_name,
        last_name=draft.last_name,
        pseudonym=draft.pseudonym,
        password_hash=draft.password_hash,
        phone=draft.phone,
        language=draft.language,
    )
    db.add(user)
    db.flush()
    _send_code(db, user, user.phone)
    audit.record(db, "account.sign_up", actor_user_id=user.id, target=f"user:{user.id}", ip=ip)
    return user


def _take_link(db: Session, token: str, ip: str, find: Callable[[str], L | None], usable: Callable[[L], bool]) -> L:
    """The row a link's token names (`find` by its hash) if `usable`; else a failed try for the address."""
    if ip:
        throttle.check(db, "link", ip)
    row = find(hash_token(token)) if token and len(token) < 200 else None
    if row is None or not usable(row):
        if ip:
            throttle.note(db, "link", ip, success=False)
            db.commit()
        raise PlumeError(ErrorCode.LINK_INVALID)
    return row


def _take_sign_up(db: Session, token: str, *, ip: str) -> SignUpRequest:
    return _take_link(
        db,
        token,
        ip,
        lambda digest: db.exec(select(SignUpRequest).where(SignUpRequest.token_hash == digest)).first(),
        lambda draft: (
            draft.used_at is None
            and draft.expires_at > utcnow()
            and db.exec(select(User.id).where(User.email == draft.email)).first() is None
        ),
    )


def check_sign_up_link(db: Session, token: str, *, ip: str = "") -> str:
    """Whether a sign-up confirmation link may still be used.

    Args:
        db: Database session.
        token: From the link.
        ip: Client address.

    Returns:
        The address being confirmed.

    Raises:
        PlumeError: LINK_INVALID (used, expired, or the address has an account by now).
    """
    return _take_sign_up(db, token, ip=ip).email


def confirm_sign_up(db: Session, token: str, *, ip: str = "", user_agent: str = "") -> SignedIn:
    """Create the account of a confirmed sign-up, text its activation code and open a session.

    Args:
        db: Database session.
        token: From the link.
        ip: Client address.
        user_agent: Client browser.

    Returns:
        The new session (the person enters the SMS code next).

    Raises:
        PlumeError: LINK_INVALID.
    """
    draft = _take_sign_up(db, token, ip=ip)
    draft.used_at = utcnow()
    db.add(draft)
    user = _create_account(db, draft, ip=ip)
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


def _new_link(db: Session, user_id: int, purpose: str, lifetime: timedelta, *, new_email: str = "") -> str:
    """Store a single-use link token (hashed) for a person; the raw token goes in the e-mail only.

    Returns:
        The raw token.
    """
    token = new_token()
    db.add(
        UserToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=hash_token(token),
            new_email=new_email,
            expires_at=utcnow() + lifetime,
        )
    )
    return token


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
    token = _new_link(db, user.id, "reset", LINK_LIFETIME)
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


def _void_links(db: Session, user_id: int, *purposes: str) -> None:
    """Use up every unused link of a person for these purposes (older reset links stop working)."""
    rows = db.exec(
        select(UserToken).where(
            UserToken.user_id == user_id, col(UserToken.purpose).in_(purposes), col(UserToken.used_at).is_(None)
        )
    ).all()
    for row in rows:
        row.used_at = utcnow()
        db.add(row)


def _take_token(db: Session, token: str, purpose: str, *, ip: str) -> UserToken:
    return _take_link(
        db,
        token,
        ip,
        lambda digest: db.exec(
            select(UserToken).where(UserToken.token_hash == digest, UserToken.purpose == purpose)
        ).first(),
        lambda row: row.used_at is None and row.expires_at > utcnow(),
    )


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
    _void_links(db, user.id or 0, "reset")
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
    _void_links(db, actor.user_id, "reset")
    revoke_all_sessions(db, actor.user_id, except_session_id=actor.session_id)
    audit.record(db, "account.password_change", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)


def _confirm_identity(
    db: Session, actor: Actor, user: User, *, password: str, code: str, fields: tuple[str, str]
) -> None:
    """Ask again for the password, and the TOTP code when it is on, before a sensitive change.

    A stolen session token alone then cannot change the e-mail, the second factor or see its
    secret. Wrong guesses share the throttles of the password change and of the sign-in code.

    Raises:
        PlumeError: CURRENT_PASSWORD_REQUIRED or TOTP_CODE_REQUIRED (nothing typed, nothing counted),
            THROTTLED, PASSWORD_WRONG or TOTP_WRONG (failures committed before raising).
    """
    # Nothing typed is a slip, not a guess: say which field is missing, count nothing.
    if not password:
        raise PlumeError(ErrorCode.CURRENT_PASSWORD_REQUIRED, field=fields[0])
    key = f"user:{actor.user_id}"
    throttle.check(db, "password", key)
    if not check_password(user.password_hash, password[:256]):
        throttle.note(db, "password", key, success=False)
        db.commit()
        raise PlumeError(ErrorCode.PASSWORD_WRONG, field=fields[0])
    if not user.totp_enabled:
        return
    if not code.strip():
        raise PlumeError(ErrorCode.TOTP_CODE_REQUIRED, field=fields[1])
    throttle.check(db, "totp", key)
    if not totp.accept_code(db, user, code[:20]):
        throttle.note(db, "totp", key, success=False)
        db.commit()
        raise PlumeError(ErrorCode.TOTP_WRONG, field=fields[1])
    throttle.note(db, "totp", key, success=True)


def request_email_change(db: Session, actor: Actor, new_email: str, *, password: str, code: str = "") -> str:
    """E-mail a confirmation link to the new address; the sign-in e-mail changes only then.

    Args:
        db: Database session.
        actor: The signed-in actor.
        new_email: The new address.
        password: The current password.
        code: The TOTP code, when the second factor is on.

    Returns:
        The normalised new address.

    Raises:
        PlumeError: EMAIL_INVALID, THROTTLED, PASSWORD_WRONG, TOTP_WRONG or EMAIL_TAKEN.
    """
    email = clean_email(new_email)
    user = db.get(User, actor.user_id)
    assert user is not None
    _confirm_identity(db, actor, user, password=password, code=code, fields=("email_password", "email_code"))
    if email == user.email or db.exec(select(User.id).where(User.email == email)).first() is not None:
        raise PlumeError(ErrorCode.EMAIL_TAKEN, field="new_email")
    token = _new_link(db, actor.user_id, "email_change", LINK_LIFETIME, new_email=email)
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

    The old address is told, with a link that reverts the change for 7 days.

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
    _void_links(db, user.id or 0, "email_change", "reset")
    _send_revert_link(db, user, old_email=before)
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


def _send_revert_link(db: Session, user: User, *, old_email: str) -> None:
    assert user.id is not None
    token = _new_link(db, user.id, "email_revert", REVERT_LIFETIME, new_email=old_email)
    message = seal(
        get_template(db, None, "email_changed", user.language),
        {
            "prenom": _first_name_for_messages(user),
            "nom": user.last_name,
            "organisation": "Plume",
            "adresse": user.email,
            "lien": f"{get_settings().base_url}/annuler-changement-email?jeton={token}",
        },
        secret_tags=("lien",),
    )
    enqueue_email(db, to=old_email, message=message, kind="email_changed")


def check_revert_link(db: Session, token: str, *, ip: str = "") -> str:
    """Whether a link reverting an e-mail change may still be used.

    Args:
        db: Database session.
        token: From the link.
        ip: Client address.

    Returns:
        The address it would restore (the one the link was sent to).

    Raises:
        PlumeError: LINK_INVALID.
    """
    return _take_token(db, token, "email_revert", ip=ip).new_email


def revert_email_change(db: Session, token: str, *, ip: str = "") -> str:
    """Restore the address an e-mail change replaced, sign out everywhere and send a reset link.

    Whoever changed the address may know the password: every session is revoked, every
    pending link used up, and the restored address gets a link to choose a new password.

    Args:
        db: Database session.
        token: From the link sent to the old address.
        ip: Client address.

    Returns:
        The restored address.

    Raises:
        PlumeError: LINK_INVALID, or EMAIL_TAKEN when another account has taken the old address since.
    """
    row = _take_token(db, token, "email_revert", ip=ip)
    user = db.get(User, row.user_id)
    assert user is not None and user.id is not None
    holder = db.exec(select(User.id).where(User.email == row.new_email)).first()
    if holder is not None and holder != user.id:
        raise PlumeError(ErrorCode.EMAIL_TAKEN)
    before = user.email
    user.email = row.new_email
    db.add(user)
    _void_links(db, user.id, "reset", "email_change", "email_revert")
    revoke_all_sessions(db, user.id)
    audit.record(
        db,
        "account.email_revert",
        actor_user_id=user.id,
        target=f"user:{user.id}",
        before={"email": before},
        after={"email": user.email},
        ip=ip,
    )
    send_reset_link(db, user)
    return user.email


def start_totp(db: Session, actor: Actor, password: str) -> str:
    """Create a new TOTP secret (not active until confirmed); showing it asks the password.

    Args:
        db: Database session.
        actor: The signed-in actor.
        password: The current password.

    Returns:
        The otpauth:// URI to show as a QR code ("" when the second factor is already on).

    Raises:
        PlumeError: THROTTLED or PASSWORD_WRONG.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if user.totp_enabled:
        return ""
    _confirm_identity(db, actor, user, password=password, code="", fields=("totp_start_password", ""))
    secret = totp.new_secret(user)
    db.add(user)
    return totp.provisioning_uri(secret, user.email)


def confirm_totp(db: Session, actor: Actor, code: str) -> None:
    """Turn the second factor on after a correct first code.

    Args:
        db: Database session.
        actor: The signed-in actor.
        code: From the authenticator app.

    Raises:
        PlumeError: THROTTLED or TOTP_WRONG.
    """
    key = f"user:{actor.user_id}"
    throttle.check(db, "totp", key)
    user = db.get(User, actor.user_id)
    assert user is not None
    if user.totp_enabled:
        return
    if not totp.accept_code(db, user, code[:20]):
        throttle.note(db, "totp", key, success=False)
        db.commit()
        raise PlumeError(ErrorCode.TOTP_WRONG, field="totp_code")
    user.totp_enabled = True
    db.add(user)
    audit.record(db, "account.totp_on", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)


def disable_totp(db: Session, actor: Actor, password: str, code: str = "") -> None:
    """Turn the second factor off: asks the password and a current code (throttled).

    Args:
        db: Database session.
        actor: The signed-in actor.
        password: The current password.
        code: A code from the authenticator app.

    Raises:
        PlumeError: THROTTLED, PASSWORD_WRONG or TOTP_WRONG.
    """
    user = db.get(User, actor.user_id)
    assert user is not None
    if not user.totp_enabled:
        return
    _confirm_identity(db, actor, user, password=password, code=code, fields=("totp_password", "totp_off_code"))
    user.totp_enabled, user.totp_secret, user.totp_last_step = False, "", 0
    db.add(user)
    audit.record(db, "account.totp_off", actor_user_id=user.id, target=f"user:{user.id}", ip=actor.ip)
