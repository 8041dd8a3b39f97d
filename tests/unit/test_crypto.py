"""Password hashes, keys derived from the secret key, and secrets encrypted at rest."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher, Type, extract_parameters

from app.services import crypto
from app.services.crypto import (
    SecretDecryptError,
    check_password,
    decrypt_secret,
    derive_key,
    encrypt_secret,
    hash_password,
    needs_rehash,
)
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


def test_a_new_password_hash_has_owasp_minimum_argon2id_parameters() -> None:
    params = extract_parameters(hash_password("correct horse battery staple"))
    assert params.type is Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert not needs_rehash(hash_password("correct horse battery staple"))


def test_a_hash_with_older_parameters_still_verifies_and_asks_to_be_replaced() -> None:
    old = PasswordHasher().hash("correct horse battery staple")  # argon2-cffi's defaults: 64 MiB, t=3, p=4
    assert check_password(old, "correct horse battery staple")
    assert not check_password(old, "wrong horse battery staple")
    assert needs_rehash(old)
    assert needs_rehash("not a hash")


class _CountingHasher:
    """The module's hasher, recording what it verifies and how many hashes run at once."""

    def __init__(self, real: PasswordHasher) -> None:
        self.real = real
        self.verified: list[str] = []
        self.running = self.most = 0
        self.lock = threading.Lock()

    def _enter(self) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)

    def _leave(self) -> None:
        with self.lock:
            self.running -= 1

    def hash(self, password: str) -> str:
        self._enter()
        try:
            return self.real.hash(password)
        finally:
            self._leave()

    def verify(self, stored: str, password: str) -> bool:
        self.verified.append(stored)
        self._enter()
        try:
            return self.real.verify(stored, password)
        finally:
            self._leave()

    def check_needs_rehash(self, stored: str) -> bool:
        return self.real.check_needs_rehash(stored)


def test_an_unknown_account_costs_a_hash_with_the_same_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _CountingHasher(crypto._hasher)
    monkeypatch.setattr(crypto, "_hasher", spy)
    assert not check_password("", "plume-timing-equaliser-0000")  # even the dummy's own password fails
    assert len(spy.verified) == 1
    assert extract_parameters(spy.verified[0]) == extract_parameters(hash_password("anything at all"))


def test_no_more_hashes_run_at_once_than_there_are_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    spy = _CountingHasher(crypto._hasher)
    monkeypatch.setattr(crypto, "_hasher", spy)
    stored = hash_password("correct horse battery staple")
    threads = crypto.HASH_SLOTS + 4
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(hash_password, [f"password {n}" for n in range(2 * threads)]))
        list(pool.map(lambda n: check_password(stored, f"guess {n}"), range(2 * threads)))
    assert 1 <= spy.most <= crypto.HASH_SLOTS
