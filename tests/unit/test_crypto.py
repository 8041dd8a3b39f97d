"""Keys derived from the secret key, and secrets encrypted at rest."""

from __future__ import annotations

import pytest

from app.services.crypto import SecretDecryptError, decrypt_secret, derive_key, encrypt_secret
from app.settings import reset_settings


def test_derive_key_is_stable_per_purpose_and_distinct_between_purposes() -> None:
    assert len(derive_key("outbox")) == 32
    assert derive_key("outbox") == derive_key("outbox")
    assert derive_key("outbox") != derive_key("totp")


def test_encrypted_secret_round_trips_and_hides_the_plaintext() -> None:
    token = encrypt_secret("https://plume.test/reset/abc", "outbox")
    assert "abc" not in token
    assert decrypt_secret(token, "outbox") == "https://plume.test/reset/abc"


def test_encrypted_secret_is_bound_to_its_purpose() -> None:
    token = encrypt_secret("123456", "outbox")
    with pytest.raises(SecretDecryptError):
        decrypt_secret(token, "totp")


def test_encrypted_secret_is_bound_to_the_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    token = encrypt_secret("123456", "outbox")
    monkeypatch.setenv("PLUME_SECRET_KEY", "another-private-secret-key-0123456789abcdef")
    reset_settings()
    try:
        assert derive_key("outbox") != b""
        with pytest.raises(SecretDecryptError):
            decrypt_secret(token, "outbox")
    finally:
        monkeypatch.undo()
        reset_settings()


def test_damaged_token_is_refused() -> None:
    with pytest.raises(SecretDecryptError):
        decrypt_secret("not-a-token", "outbox")
