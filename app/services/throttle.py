"""Throttle guessable inputs: 5 failures in 15 minutes lock the key for 15 minutes.

`begin` records an attempt as a failure before the guess is checked, and judges it
against the attempts recorded before it only: concurrent guesses count each other,
so twenty at once for one account check five, not nine. A right guess is then
marked a success (`succeeded`). Failures also slow the next answer down
(`failure_delay`), which the caller waits out without holding a worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.models import LoginAttempt
from app.models.base import utcnow
from app.services.errors import ErrorCode, PlumeError

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
DELAY_BASE = 0.25
DELAY_MAX = 4.0


def locked_until(
    db: Session,
    scope: str,
    key: str,
    *,
    now: datetime | None = None,
    max_failures: int = MAX_FAILURES,
    before_id: int | None = None,
) -> datetime | None:
    """When a key's lockout ends, or None when it may try now.

    Args:
        db: Database session.
        scope: What is guessed ("signin", "signin-ip", "code", "reset").
        key: Whose guesses (an e-mail, an IP, a user id).
        now: The current time (tests pass one).
        max_failures: Failures within the window that lock the key.
        before_id: Count only the attempts recorded before this one.

    Returns:
        The end of the lockout, or None.
    """
    now = now or utcnow()
    since = now - WINDOW - LOCKOUT
    query = (
        select(LoginAttempt.at)
        .where(LoginAttempt.scope == scope, LoginAttempt.key == key[:300])
        .where(col(LoginAttempt.success).is_(False), LoginAttempt.at >= since)
    )
    if before_id is not None:
        query = query.where(col(LoginAttempt.id) < before_id)
    failures = db.exec(query.order_by(col(LoginAttempt.at))).all()
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
        raise _throttled(until)


def _throttled(until: datetime) -> PlumeError:
    minutes = max(1, int((until - utcnow()).total_seconds() // 60) + 1)
    return PlumeError(ErrorCode.THROTTLED, minutes=str(minutes))


def begin(db: Session, limits: list[tuple[str, str, int]]) -> list[LoginAttempt]:
    """Record an attempt as failed before checking it (committed), then refuse it if a key was locked before it.

    Args:
        db: Database session (committed here).
        limits: (scope, key, max failures) for each key the attempt counts against.

    Returns:
        The recorded attempts, to pass to `succeeded` when the guess is right.

    Raises:
        PlumeError: THROTTLED with the minutes left (the refused attempt is not kept).
    """
    rows = [LoginAttempt(scope=scope, key=key[:300], success=False) for scope, key, _ in limits]
    db.add_all(rows)
    db.commit()
    for row, (scope, key, max_failures) in zip(rows, limits, strict=True):
        until = locked_until(db, scope, key, max_failures=max_failures, before_id=row.id)
        if until is not None:
            for refused in rows:
                db.delete(refused)
            db.commit()
            raise _throttled(until)
    return rows


def succeeded(db: Session, rows: list[LoginAttempt]) -> None:
    """Mark attempts recorded by `begin` as right guesses.

    Args:
        db: Database session.
        rows: From `begin`.
    """
    for row in rows:
        row.success = True
        db.add(row)


def recent_failures(db: Session, scope: str, key: str) -> int:
    """How many failures a key has had within the window.

    Args:
        db: Database session.
        scope: What was guessed.
        key: Whose guesses.

    Returns:
        The count.
    """
    since = utcnow() - WINDOW
    return len(
        db.exec(
            select(LoginAttempt.id).where(
                LoginAttempt.scope == scope,
                LoginAttempt.key == key[:300],
                col(LoginAttempt.success).is_(False),
                LoginAttempt.at >= since,
            )
        ).all()
    )


def failure_delay(failures: int) -> float:
    """How long to wait before answering a failed guess: nothing for the first, then doubling up to 4 s.

    Args:
        failures: The key's failures within the window, this one included.

    Returns:
        Seconds.
    """
    if failures <= 1:
        return 0.0
    return float(min(DELAY_MAX, DELAY_BASE * 2 ** (failures - 2)))


def note(db: Session, scope: str, key: str, *, success: bool) -> None:
    """Remember an attempt.

    Args:
        db: Database session.
        scope: What was guessed.
        key: Whose guess.
        success: Whether it was right.
    """
    db.add(LoginAttempt(scope=scope, key=key[:300], success=success))
