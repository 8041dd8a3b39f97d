"""The TOTP second factor: the secret is stored encrypted, and each time step is accepted once."""

from __future__ import annotations

import hmac
import re

import pyotp
from sqlalchemy import update
from sqlmodel import Session, col

from app.models import User
from app.models.base import utcnow
from app.services.crypto import decrypt_secret, encrypt_secret

PURPOSE = "totp"
ISSUER = "Plume"
# Secrets written before they were encrypted: bare base32, which a Fernet token never is.
_PLAIN_SECRET = re.compile(r"[A-Z2-7]{16,64}")
_CODE = re.compile(r"\d{6}")


def is_plain_secret(stored: str) -> bool:
    """Whether a stored secret is still in clear (written before secrets were encrypted).

    Args:
        stored: The `totp_secret` column.

    Returns:
        True for bare base32.
    """
    return bool(_PLAIN_SECRET.fullmatch(stored))


def new_secret(user: User) -> str:
    """Give the person a fresh secret (stored encrypted) and forget the last accepted step.

    Args:
        user: The account (added to the session by the caller).

    Returns:
        The plaintext secret, to show once as a QR code.
    """
    secret = pyotp.random_base32()
    user.totp_secret = encrypt_secret(secret, PURPOSE)
    user.totp_last_step = 0
    return secret


def secret_of(db: Session, user: User) -> str:
    """The plaintext secret; a secret still stored in clear is encrypted on the way.

    Args:
        db: Database session (the re-encrypted secret is saved with the caller's transaction).
        user: The account.

    Returns:
        The secret, or "" when there is none.
    """
    stored = user.totp_secret
    if not stored:
        return ""
    if is_plain_secret(stored):
        user.totp_secret = encrypt_secret(stored, PURPOSE)
        db.add(user)
        return stored
    return decrypt_secret(stored, PURPOSE)


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code.

    Args:
        secret: The plaintext secret.
        email: The account's address, shown in the app.

    Returns:
        The URI.
    """
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


def accept_code(db: Session, user: User, code: str) -> bool:
    """Check a code (one step of clock drift either way) and use up its time step.

    The step is claimed with a conditional update, so two requests racing with the same
    code cannot both succeed.

    Args:
        db: Database session.
        user: The account.
        code: As typed.

    Returns:
        True when the code is right and its step was not used before.
    """
    digits = code.strip().replace(" ", "")
    secret = secret_of(db, user)
    if not secret or not _CODE.fullmatch(digits) or user.id is None:
        return False
    totp = pyotp.TOTP(secret)
    now = totp.timecode(utcnow())
    for step in (now - 1, now, now + 1):
        if step <= user.totp_last_step or not hmac.compare_digest(totp.generate_otp(step), digits):
            continue
        claimed = db.exec(
            update(User).where(col(User.id) == user.id, col(User.totp_last_step) < step).values(totp_last_step=step)
        )
        # The ORM update also moves user.totp_last_step in memory (synchronize_session).
        return bool(claimed.rowcount == 1)
    return False
