"""Throttle guessable inputs: 5 failures in 15 minutes lock the key for 15 minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.models import LoginAttempt
from app.models.base import utcnow
from app.services.errors import ErrorCode, PlumeError

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)


def locked_until(
    db: Session, scope: str, key: str, *, now: datetime | None = None, max_failures: int = MAX_FAILURES
) -> datetime | None:
    """When a key's lockout ends, or None when it may try now.

    Args:
        db: Database session.
        scope: What is guessed ("signin", "signin-ip", "code", "reset").
        key: Whose guesses (an e-mail, an IP, a user id).
        now: The current time (tests pass one).
        max_failures: Failures within the window that lock the key.

    Returns:
        The end of the lockout, or None.
    """
    now = now or utcnow()
    since = now - WINDOW - LOCKOUT
    failures = db.exec(
        select(LoginAttempt.at)
        .where(LoginAttempt.scope == scope, LoginAttempt.key == key)
        .where(col(LoginAttempt.success).is_(False), LoginAttempt.at >= since)
        .order_by(col(LoginAttempt.at))
    ).all()
    for i in range(len(failures) - max_failures + 1):
        first, fifth = failures[i], failures[i + max_failures - 1]
        if fifth - first <= WINDOW and now < fifth + LOCKOUT:
            return fifth + LOCKOUT
    return None


def check(db: Session, scope: str, key: str, *, max_failures: int = MAX_FAILURES) -> None:
    """Refuse the attempt while the key is locked.

    Args:
        db: Database session.
        scope: What is guessed.
        key: Whose guesses.
        max_failures: Failures within the window that lock the key.

    Raises:
        PlumeError: THROTTLED with the minutes left.
    """
    until = locked_until(db, scope, key, max_failures=max_failures)
    if until is not None:
        minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
        raise PlumeError(ErrorCode.THROTTLED, minutes=str(minutes))


def note(db: Session, scope: str, key: str, *, success: bool) -> None:
    """Remember an attempt.

    Args:
        db: Database session.
        scope: What was guessed.
        key: Whose guess.
        success: Whether it was right.
    """
    db.add(LoginAttempt(scope=scope, key=key[:300], success=success))
