from datetime import timedelta

from sqlmodel import Session

from app.models import LoginAttempt
from app.models.base import utcnow
from app.services import throttle


def _fail(db: Session, minutes_ago: float, key: str = "a@example.test") -> None:
    db.add(LoginAttempt(scope="signin", key=key, success=False, at=utcnow() - timedelta(minutes=minutes_ago)))
    db.commit()


def test_four_failures_do_not_lock(db: Session) -> None:
    for m in (4, 3, 2, 1):
        _fail(db, m)
    assert throttle.locked_until(db, "signin", "a@example.test") is None


def test_five_failures_in_fifteen_minutes_lock_for_fifteen_minutes(db: Session) -> None:
    for m in (10, 8, 6, 4, 2):
        _fail(db, m)
    until = throttle.locked_until(db, "signin", "a@example.test")
    assert until is not None
    remaining = until - utcnow()
    assert timedelta(minutes=12) < remaining <= timedelta(minutes=13)


def test_lock_ends_after_fifteen_minutes(db: Session) -> None:
    for m in (34, 33, 32, 31, 30):
        _fail(db, m)
    assert throttle.locked_until(db, "signin", "a@example.test") is None


def test_failures_spread_over_more_than_the_window_do_not_lock(db: Session) -> None:
    for m in (28, 20, 12, 6, 1):
        _fail(db, m)
    assert throttle.locked_until(db, "signin", "a@example.test") is None


def test_keys_are_independent(db: Session) -> None:
    for m in (5, 4, 3, 2, 1):
        _fail(db, m, key="other@example.test")
    assert throttle.locked_until(db, "signin", "a@example.test") is None
    assert throttle.locked_until(db, "signin", "other@example.test") is not None
