"""Random tokens, keyed hashes, password hashing and secrets encrypted at rest."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.settings import get_settings


class SecretDecryptError(ValueError):
    """An encrypted secret cannot be read with this deployment's key."""


# OWASP's minimum for argon2id (19 MiB, 2 passes, 1 lane): enough beside the sign-in throttles, and
# ~30 ms a hash instead of ~250 ms with argon2-cffi's defaults, so a classroom signing in at once is not
# kept waiting. A stored hash with other parameters is replaced at its next sign-in (`needs_rehash`).
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Compared against when the account does not exist, so both paths cost the same.
_DUMMY_HASH = _hasher.hash("plume-timing-equaliser-0000")
# Hashing is CPU-bound (argon2 releases the GIL): more hashes at once than cores only makes each slower.
# Every thread that hashes takes a slot first, so a crowd of sign-ins queues instead of thrashing.
HASH_SLOTS = os.cpu_count() or 1
_hash_slots = threading.BoundedSemaphore(HASH_SLOTS)


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
    with _hash_slots:
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
        with _hash_slots:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (older, costlier defaults).

    Args:
        password_hash: The stored hash (checked right before, so well-formed).

    Returns:
        True when it should be replaced by `hash_password` of the same password.
    """
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def derive_key(purpose: str) -> bytes:
    """A 32-byte key for one purpose, derived from the deployment's secret key.

    The secret key lives outside the database (environment or `var/secret.key`), so
    anything encrypted with a derived key stays unreadable from a database dump.

    Args:
        purpose: A short fixed label, e.g. "outbox" or "totp"; each purpose gets its own key.

    Returns:
        HKDF-SHA256 output of 32 bytes.
    """
    hkdf = HKDF(
        algorithm=SHA256(),
        length=32,
        salt=b"plume-derived-key-v1",
        info=purpose.encode(),
    )
    return hkdf.derive(get_settings().secret_key.encode())


def _fernet(purpose: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(f"fernet:{purpose}")))


def encrypt_secret(plaintext: str, purpose: str) -> str:
    """Encrypt a small secret with a key derived for `purpose` (Fernet, authenticated).

    Args:
        plaintext: The secret.
        purpose: The same label must be given to `decrypt_secret`.

    Returns:
        An ASCII token safe to store in a text column.
    """
    return _fernet(purpose).encrypt(plaintext.encode()).decode("ascii")


def decrypt_secret(token: str, purpose: str) -> str:
    """Decrypt a token made by `encrypt_secret` for the same purpose.

    Args:
        token: The stored token.
        purpose: The label given at encryption.

    Returns:
        The plaintext.

    Raises:
        SecretDecryptError: The token is damaged, was made for another purpose or
            under another secret key.
    """
    try:
        return _fernet(purpose).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeError, ValueError) as exc:
        raise SecretDecryptError(purpose) from exc
