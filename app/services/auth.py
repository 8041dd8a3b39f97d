"""Sign-in, server-side sessions and the actor they stand for."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import Fernet, InvalidToken
from sqlmodel import Session, col, select

from app.models import AuthSession, Membership, User
from app.models.base import utcnow
from app.services import audit, throttle, totp
from app.services.actor import Actor
from app.services.crypto import check_password, derive_key, hash_password, hash_token, needs_rehash, new_token
from app.services.errors import ErrorCode, PlumeError
from app.settings import get_settings

# The HttpOnly cookie carrying the raw session token: set by the HTTP route, read by the gate and file routes.
SESSION_COOKIE = "plume_session"
# A random HttpOnly cookie every browser gets on its first response: a sign-in's handoff code is
# bound to it, so a code cannot be redeemed in another browser (no signing a victim into one's account).
DEVICE_COOKIE = "plume_device"


@dataclass(frozen=True)
class SignedIn:
    """A new session: the raw token goes to the browser, never to the database."""

    token: str
    user_id: int
    needs_activation: bool
    needs_totp: bool


def normalise_email(email: str) -> str:
    """Trim and lower-case an e-mail address.

    Args:
        email: As typed.

    Returns:
        The canonical form.
    """
    return email.strip().lower()


def _first_organisation_id(db: Session, user_id: int) -> int | None:
    return db.exec(
        select(Membership.organisation_id).where(Membership.user_id == user_id).order_by(col(Membership.id))
    ).first()


def open_session(db: Session, user: User, *, ip: str = "", user_agent: str = "") -> SignedIn:
    """Create a server-side session for a person whose password was checked.

    Args:
        db: Database session.
        user: The person.
        ip: Client address.
        user_agent: Client browser.

    Returns:
        The new session's raw token and what the person must still do.
    """
    assert user.id is not None
    settings = get_settings()
    token = new_token()
    now = utcnow()
    db.add(
        AuthSession(
            user_id=user.id,
            token_hash=hash_token(token),
            current_organisation_id=_first_organisation_id(db, user.id),
            mfa_pending=user.totp_enabled,
            expires_at=now + timedelta(days=settings.session_absolute_days),
            ip=ip[:64],
            user_agent=user_agent[:300],
        )
    )
    return SignedIn(
        token=token,
        user_id=user.id,
        needs_activation=not user.is_activated,
        needs_totp=user.totp_enabled,
    )


def sign_in(db: Session, *, email: str, password: str, ip: str = "", user_agent: str = "") -> SignedIn:
    """Check a password and open a session, under the per-account and per-IP throttle.

    The refusal never tells whether the e-mail exists. The attempt is recorded
    (committed) as a failure before the password is checked, so concurrent
    guesses count each other, and is marked a success only if right. A right
    password whose hash has older parameters is hashed again, in the same transaction.

    Args:
        db: Database session.
        email: As typed.
        password: As typed.
        ip: Client address.
        user_agent: Client browser.

    Returns:
        The new session.

    Raises:
        PlumeError: THROTTLED or BAD_CREDENTIALS.
    """
    email = normalise_email(email)[:254]
    limits = [("signin", email, throttle.MAX_FAILURES)]
    if ip:
        limits.append(("signin-ip", ip, get_settings().throttle_ip_max_failures))
    attempts = throttle.begin(db, limits)  # recorded as failures first: concurrent guesses count each other
    user = db.exec(select(User).where(User.email == email)).first()
    ok = check_password(user.password_hash if user else "", password[:256])
    if user is None or not ok or not user.is_active:
        audit.record(db, "auth.sign_in_failed", actor_user_id=user.id if user else None, target=email, ip=ip)
        db.commit()
        raise PlumeError(ErrorCode.BAD_CREDENTIALS)
    throttle.succeeded(db, attempts)
    if needs_rehash(user.password_hash):  # made with older, costlier parameters: today's, while we know the password
        user.password_hash = hash_password(password[:256])
        db.add(user)
    audit.record(db, "auth.sign_in", actor_user_id=user.id, target=f"user:{user.id}", ip=ip)
    return open_session(db, user, ip=ip, user_agent=user_agent)


def sign_in_delay(db: Session, email: str) -> float:
    """How long to wait before answering a failed sign-in: it grows with the account's recent failures.

    Args:
        db: Database session.
        email: As typed.

    Returns:
        Seconds (the caller waits without holding a worker thread).
    """
    return throttle.failure_delay(throttle.recent_failures(db, "signin", normalise_email(email)[:254]))


HANDOFF_SECONDS = 60


def _handoff_key() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key("fernet:session-handoff")))


def _device_digest(device: str) -> str:
    return hashlib.sha256(device.encode()).hexdigest()


def handoff_code(token: str, device: str) -> str:
    """A short-lived code that carries a new session to the browser's HTTP-only cookie.

    The websocket never hands the session token itself to the page: it sends this
    sealed code, which the browser takes to `/api/session`; redeeming it rotates the
    token, so the code works once, within `HANDOFF_SECONDS`, and only in the browser
    that signed in (the one holding the same `plume_device` cookie).

    Args:
        token: The raw token `open_session` returned.
        device: The `plume_device` cookie of the browser that signed in.

    Returns:
        The code (URL-safe).
    """
    return _handoff_key().encrypt(f"{_device_digest(device)}:{token}".encode()).decode("ascii")


def redeem_handoff(db: Session, code: str, device: str) -> str | None:
    """Turn a handoff code into the session's cookie value (once: the token is rotated).

    Args:
        db: Database session.
        code: From the browser.
        device: The `plume_device` cookie of the browser redeeming it.

    Returns:
        The new raw token for the cookie, or None (expired, used, revoked, forged, another browser's).
    """
    if not code or len(code) > 500 or not device:
        return None
    try:
        sealed = _handoff_key().decrypt(code.encode("ascii"), ttl=HANDOFF_SECONDS).decode()
    except (InvalidToken, UnicodeError, ValueError):
        return None
    digest, _, token = sealed.partition(":")
    if not hmac.compare_digest(digest, _device_digest(device)):
        return None
    row = _live_session(db, token)
    if row is None:
        return None
    fresh = new_token()
    row.token_hash = hash_token(fresh)
    db.add(row)
    return fresh


def _usable(row: AuthSession | None) -> AuthSession | None:
    """The session row if it is neither revoked nor expired (absolute or idle), else None."""
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    idle = timedelta(minutes=get_settings().session_idle_minutes)
    if row.last_seen_at + idle <= utcnow():
        return None
    return row


def _live_session(db: Session, token: str) -> AuthSession | None:
    if not token or len(token) > 200:
        return None
    return _usable(db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).first())


def resolve_actor(db: Session, token: str, *, ip: str = "", touch: bool = False) -> Actor | None:
    """The actor a session token stands for, or None if it is unknown, expired or revoked.

    Two reads (every event of every tab passes here): the session with its person, then their memberships.

    Args:
        db: Database session.
        token: Raw token from the browser.
        ip: Client address, recorded on the actor.
        touch: Whether to extend the idle expiry (at most once a minute).

    Returns:
        The actor, or None.
    """
    if not token or len(token) > 200:
        return None
    found = db.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(AuthSession.token_hash == hash_token(token))
    ).first()
    row, user = found if found is not None else (None, None)
    row = _usable(row)
    if row is None or user is None or not user.is_active:
        return None
    memberships = db.exec(select(Membership).where(Membership.user_id == user.id).order_by(col(Membership.id))).all()
    actor = _actor(row, user, memberships, ip)
    if touch and utcnow() - row.last_seen_at > timedelta(minutes=1):
        row.last_seen_at = utcnow()
        db.add(row)
        db.commit()
    return actor


def resolve_actors(db: Session, tabs: Sequence[tuple[str, str]]) -> list[Actor | None]:
    """`resolve_actor` for many tokens in two reads (a live push re-checks every tab of a room at once).

    Args:
        db: Database session.
        tabs: (raw token, client address) pairs.

    Returns:
        One actor per pair, in order (None: unknown, expired or revoked).
    """
    hashes = [hash_token(token) if token and len(token) <= 200 else "" for token, _ in tabs]
    wanted = sorted({h for h in hashes if h})
    if not wanted:
        return [None] * len(tabs)
    found = db.exec(
        select(AuthSession, User)
        .join(User, col(User.id) == col(AuthSession.user_id))
        .where(col(AuthSession.token_hash).in_(wanted))
    ).all()
    signed = {row.token_hash: (row, user) for row, user in found if _usable(row) is not None and user.is_active}
    memberships: dict[int, list[Membership]] = {}
    users = sorted({user.id for _, user in signed.values() if user.id is not None})
    if users:
        for member in db.exec(
            select(Membership).where(col(Membership.user_id).in_(users)).order_by(col(Membership.id))
        ):
            memberships.setdefault(member.user_id, []).append(member)
    out: list[Actor | None] = []
    for digest, (_, ip) in zip(hashes, tabs, strict=True):
        pair = signed.get(digest)
        out.append(None if pair is None else _actor(pair[0], pair[1], memberships.get(pair[1].id or 0, []), ip))
    return out


def _actor(row: AuthSession, user: User, memberships: Sequence[Membership], ip: str) -> Actor:
    """The actor of a usable session (its person active).

    Args:
        row: The session.
        user: Its person.
        memberships: The person's memberships, oldest first.
        ip: Client address, recorded on the actor.

    Returns:
        The actor.
    """
    # The selected organisation, else the first one joined; without a membership there, none.
    current = row.current_organisation_id
    membership = next((m for m in memberships if current is None or m.organisation_id == current), None)
    org_id = membership.organisation_id if membership else None
    roles = membership.roles if membership else frozenset()
    assert user.id is not None and row.id is not None
    return Actor(
        user_id=user.id,
        session_id=row.id,
        email=user.email,
        display_name=user.display_name,
        language=user.language,
        organisation_id=org_id,
        roles=roles,
        activated=user.is_activated,
        mfa_pending=row.mfa_pending,
        is_superuser=user.is_superuser,
        ip=ip,
    )


def verify_totp(db: Session, actor: Actor, code: str) -> None:
    """Complete a sign-in with the second factor.

    Args:
        db: Database session.
        actor: The half-signed-in actor.
        code: The 6 digits from the authenticator app.

    Raises:
        PlumeError: THROTTLED or TOTP_WRONG.
    """
    key = f"user:{actor.user_id}"
    throttle.check(db, "totp", key)
    user = db.get(User, actor.user_id)
    signin = db.get(AuthSession, actor.session_id)
    if user is None or signin is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not user.totp_enabled:
        signin.mfa_pending = False
        db.add(signin)
        return
    if not totp.accept_code(db, user, code):
        throttle.note(db, "totp", key, success=False)
        db.commit()
        raise PlumeError(ErrorCode.TOTP_WRONG, field="code")
    throttle.note(db, "totp", key, success=True)
    signin.mfa_pending = False
    db.add(signin)


def sign_out(db: Session, actor: Actor) -> None:
    """Revoke the actor's session, in every tab that uses it.

    Args:
        db: Database session.
        actor: The signed-in actor.
    """
    row = db.get(AuthSession, actor.session_id)
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.add(row)
        audit.record(db, "auth.sign_out", actor_user_id=actor.user_id, target=f"session:{row.id}", ip=actor.ip)


def revoke_all_sessions(db: Session, user_id: int, *, except_session_id: int | None = None) -> None:
    """Revoke every session of a person (password reset or change).

    Args:
        db: Database session.
        user_id: The person.
        except_session_id: A session to keep (the one changing the password).
    """
    rows = db.exec(
        select(AuthSession).where(AuthSession.user_id == user_id, col(AuthSession.revoked_at).is_(None))
    ).all()
    for row in rows:
        if row.id != except_session_id:
            row.revoked_at = utcnow()
            db.add(row)


def switch_organisation(db: Session, actor: Actor, organisation_id: int) -> None:
    """Select another organisation for the actor's session.

    Args:
        db: Database session.
        actor: The signed-in actor.
        organisation_id: One of the actor's organisations.

    Raises:
        PlumeError: NOT_FOUND when the actor is not a member.
    """
    membership = db.exec(
        select(Membership).where(Membership.user_id == actor.user_id, Membership.organisation_id == organisation_id)
    ).first()
    signin = db.get(AuthSession, actor.session_id)
    if membership is None or signin is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    signin.current_organisation_id = organisation_id
    db.add(signin)
