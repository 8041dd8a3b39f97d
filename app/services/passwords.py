"""Password rules (NIST SP 800-63B): long enough, not a common one, no composition rule."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path

from app.services.errors import ErrorCode, PlumeError

MIN_LENGTH = 12
MAX_LENGTH = 128
_LIST = Path(__file__).parent / "data" / "common_passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The refused list, lower-cased.

    Returns:
        The set of common passwords.
    """
    return frozenset(line.strip().lower() for line in _LIST.read_text().splitlines() if line.strip())


def _is_trivial(password: str) -> bool:
    lowered = password.lower()
    if len(set(lowered)) <= 2:
        return True
    steps = {ord(b) - ord(a) for a, b in pairwise(lowered)}
    return steps in ({1}, {-1})


def check_new_password(password: str, *, email: str = "", names: tuple[str, ...] = ()) -> None:
    """Refuse a password a person should not use.

    Args:
        password: The candidate.
        email: The account's e-mail: a password equal to it is refused.
        names: The person's names: a password equal to one is refused.

    Raises:
        PlumeError: PASSWORD_TOO_SHORT, PASSWORD_TOO_LONG or PASSWORD_COMMON.
    """
    if len(password) < MIN_LENGTH:
        raise PlumeError(ErrorCode.PASSWORD_TOO_SHORT, field="password")
    if len(password) > MAX_LENGTH:
        raise PlumeError(ErrorCode.PASSWORD_TOO_LONG, field="password")
    lowered = password.lower()
    personal = {email.lower(), email.split("@", maxsplit=1)[0].lower(), *(n.lower() for n in names if n)}
    if lowered in common_passwords() or lowered in personal or _is_trivial(password):
        raise PlumeError(ErrorCode.PASSWORD_COMMON, field="password")
