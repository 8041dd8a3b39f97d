"""Random tokens, keyed hashes and password hashing."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.settings import get_settings

_hasher = PasswordHasher()
# Compared against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("plume-timing-equaliser-0000")


def new_token() -> str:
    """A random URL-safe token of 256 bits.

    Returns:
        The token.
    """
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Keyed hash of a token, as stored in the database.

    Args:
        token: The raw token.

    Returns:
        Hex HMAC-SHA256 of the token under the deployment's secret.
    """
    key = get_settings().secret_key.encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    """A random 6-digit code.

    Returns:
        The code, zero-padded.
    """
    return f"{secrets.randbelow(1_000_000):06d}"


def hash_password(password: str) -> str:
    """Hash a password with argon2id.

    Args:
        password: The password.

    Returns:
        The encoded hash.
    """
    return _hasher.hash(password)


def check_password(password_hash: str, password: str) -> bool:
    """Whether a password matches a hash (constant work when the hash is empty).

    Args:
        password_hash: The stored hash, or "" for no account.
        password: The candidate.

    Returns:
        True when it matches.
    """
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False
