import pytest

from app.services.errors import ErrorCode, PlumeError
from app.services.passwords import check_new_password, common_passwords


def _code(password: str, **kw: object) -> ErrorCode | None:
    try:
        check_new_password(password, **kw)  # type: ignore[arg-type]
    except PlumeError as err:
        return err.code
    return None


def test_twelve_characters_without_composition_rule_are_enough() -> None:
    assert _code("une phrase facile") is None
    assert _code("tout en minuscules sans chiffre") is None


def test_short_passwords_are_refused() -> None:
    assert _code("Court1!") == ErrorCode.PASSWORD_TOO_SHORT
    assert _code("a" * 11) == ErrorCode.PASSWORD_TOO_SHORT


def test_too_long_passwords_are_refused() -> None:
    assert _code("x" * 129) == ErrorCode.PASSWORD_TOO_LONG


@pytest.mark.parametrize(
    "password", ["motdepasse123", "Azertyuiop123", "PASSWORD1234", "123456789012", "aaaaaaaaaaaaaa", "abcdefghijklmn"]
)
def test_common_and_trivial_passwords_are_refused(password: str) -> None:
    assert _code(password) == ErrorCode.PASSWORD_COMMON


def test_password_equal_to_the_email_is_refused() -> None:
    assert _code("jeanne.durand@example.test", email="jeanne.durand@example.test") == ErrorCode.PASSWORD_COMMON


def test_the_list_is_large_and_lowercase() -> None:
    words = common_passwords()
    assert len(words) > 1000
    assert all(w == w.lower() and len(w) >= 12 for w in words)
