import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pyotp
import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlmodel import Session, select

from app.models import AuditRecord, AuthSession, LoginAttempt
from app.models.base import utcnow
from app.services import auth, throttle
from app.services.crypto import check_password
from app.services.db import session_scope
from app.services.errors import ErrorCode, PlumeError
from app.settings import reset_settings
from tests.factories import PASSWORD, actor_for, make_learner, make_org, make_trainer, make_user


def test_sign_in_opens_a_session_stored_hashed(db: Session) -> None:
    user = make_user(db, email="anne@example.test")
    signed = auth.sign_in(db, email=" Anne@Example.test ", password=PASSWORD, ip="10.0.0.1")
    db.commit()
    row = db.exec(select(AuthSession).where(AuthSession.user_id == user.id)).one()
    assert row.token_hash != signed.token and signed.token not in row.token_hash
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None and actor.user_id == user.id


def test_wrong_password_and_unknown_email_get_the_same_answer(db: Session) -> None:
    make_user(db, email="anne@example.test")
    with pytest.raises(PlumeError) as wrong:
        auth.sign_in(db, email="anne@example.test", password="not the password")
    with pytest.raises(PlumeError) as unknown:
        auth.sign_in(db, email="nobody@example.test", password="not the password")
    assert wrong.value.code == unknown.value.code == ErrorCode.BAD_CREDENTIALS
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "auth.sign_in_failed")).all()


def test_sixth_try_is_throttled_even_with_the_right_password(db: Session) -> None:
    make_user(db, email="anne@example.test")
    for _ in range(5):
        with pytest.raises(PlumeError):
            auth.sign_in(db, email="anne@example.test", password="wrong password!")
    with pytest.raises(PlumeError) as err:
        auth.sign_in(db, email="anne@example.test", password=PASSWORD)
    assert err.value.code == ErrorCode.THROTTLED
    assert int(err.value.params["minutes"]) in (15, 16)


def test_ip_throttle_covers_many_accounts(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUME_THROTTLE_IP_MAX_FAILURES", "5")
    reset_settings()
    for n in range(5):
        with pytest.raises(PlumeError):
            auth.sign_in(db, email=f"guess{n}@example.test", password="wrong password!", ip="203.0.113.9")
    make_user(db, email="anne@example.test")
    with pytest.raises(PlumeError) as err:
        auth.sign_in(db, email="anne@example.test", password=PASSWORD, ip="203.0.113.9")
    assert err.value.code == ErrorCode.THROTTLED
    assert auth.sign_in(db, email="anne@example.test", password=PASSWORD, ip="198.51.100.1").token


def test_a_training_room_sharing_one_address_is_not_locked_out(db: Session) -> None:
    """30 learners behind one public address, each mistyping twice, all sign in; each account still locks at 5."""
    room = "203.0.113.50"
    learners = [make_user(db, email=f"stagiaire{n}@example.test") for n in range(30)]
    for user in learners:
        for _ in range(2):
            with pytest.raises(PlumeError) as err:
                auth.sign_in(db, email=user.email, password="wrong password!", ip=room)
            assert err.value.code == ErrorCode.BAD_CREDENTIALS
        assert auth.sign_in(db, email=user.email, password=PASSWORD, ip=room).token
        db.commit()
    for _ in range(5):
        with pytest.raises(PlumeError):
            auth.sign_in(db, email=learners[0].email, password="wrong password!", ip=room)
    with pytest.raises(PlumeError) as locked:
        auth.sign_in(db, email=learners[0].email, password=PASSWORD, ip=room)
    assert locked.value.code == ErrorCode.THROTTLED
    assert auth.sign_in(db, email=learners[1].email, password=PASSWORD, ip=room).token


def test_concurrent_wrong_passwords_check_at_most_five(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """20 guesses at once for one account (threads, file SQLite): the password is checked 5 times, not 9."""
    make_user(db, email="cible@example.test")
    db.commit()
    checked: list[str] = []
    lock = threading.Lock()
    real_check = auth.check_password

    def slow_check(stored: str, password: str) -> bool:
        with lock:
            checked.append(password)
        time.sleep(0.2)  # a real argon2 check takes this long: every thread is in flight at once
        return real_check(stored, password)

    monkeypatch.setattr(auth, "check_password", slow_check)
    barrier = threading.Barrier(20)

    def guess(n: int) -> str:
        barrier.wait()
        with session_scope() as own:
            try:
                auth.sign_in(own, email="cible@example.test", password=f"wrong password {n}", ip=f"198.51.100.{n}")
            except PlumeError as err:
                return err.code.value
        return "signed in"

    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(guess, range(20)))
    assert len(checked) <= 5
    assert answers.count(ErrorCode.BAD_CREDENTIALS.value) == len(checked)
    assert answers.count(ErrorCode.THROTTLED.value) == 20 - len(checked)
    with pytest.raises(PlumeError) as err:
        auth.sign_in(db, email="cible@example.test", password=PASSWORD)
    assert err.value.code == ErrorCode.THROTTLED


def test_each_failure_slows_the_next_answer(db: Session) -> None:
    make_user(db, email="anne@example.test")
    delays = []
    for _ in range(5):
        with pytest.raises(PlumeError):
            auth.sign_in(db, email="anne@example.test", password="wrong password!")
        delays.append(auth.sign_in_delay(db, " Anne@example.test"))
    assert delays == [0.0, 0.25, 0.5, 1.0, 2.0]
    assert throttle.failure_delay(40) == throttle.DELAY_MAX
    assert auth.sign_in_delay(db, "other@example.test") == 0.0


def test_failed_attempts_survive_the_rollback_of_the_caller(db: Session) -> None:
    with pytest.raises(PlumeError):
        auth.sign_in(db, email="x@example.test", password="wrong password!")
    db.rollback()
    assert db.exec(select(LoginAttempt)).all()


def test_sign_out_revokes_the_session(db: Session) -> None:
    actor = actor_for(db, make_user(db))
    auth.sign_out(db, actor)
    db.commit()
    session = db.get(AuthSession, actor.session_id)
    assert session is not None and session.revoked_at is not None


def test_expired_idle_and_revoked_sessions_resolve_to_nobody(db: Session) -> None:
    user = make_user(db)
    signed = auth.open_session(db, user)
    db.commit()
    row = db.exec(select(AuthSession)).one()
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    assert auth.resolve_actor(db, signed.token) is None
    row.expires_at = utcnow() + timedelta(days=1)
    row.last_seen_at = utcnow() - timedelta(days=30)
    db.add(row)
    db.commit()
    assert auth.resolve_actor(db, signed.token) is None
    assert auth.resolve_actor(db, "") is None
    assert auth.resolve_actor(db, "x" * 5000) is None


def test_disabled_accounts_lose_their_sessions(db: Session) -> None:
    user = make_user(db)
    signed = auth.open_session(db, user)
    user.is_active = False
    db.add(user)
    db.commit()
    assert auth.resolve_actor(db, signed.token) is None


def test_actor_roles_follow_the_selected_organisation(db: Session) -> None:
    org_a, org_b = make_org(db), make_org(db)
    trainer = make_trainer(db, org_a)
    from app.models import Membership

    db.add(Membership(user_id=trainer.id or 0, organisation_id=org_b.id or 0, is_learner=True))
    db.commit()
    actor = actor_for(db, trainer)
    assert actor.organisation_id == org_a.id and actor.roles == {"trainer"}
    auth.switch_organisation(db, actor, org_b.id or 0)
    db.commit()
    session = db.get(AuthSession, actor.session_id)
    assert session is not None and session.current_organisation_id == org_b.id


def test_switching_to_a_foreign_organisation_is_refused(db: Session) -> None:
    mine, other = make_org(db), make_org(db)
    actor = actor_for(db, make_learner(db, mine))
    with pytest.raises(PlumeError) as err:
        auth.switch_organisation(db, actor, other.id or 0)
    assert err.value.code == ErrorCode.NOT_FOUND


def test_totp_sign_in_needs_the_code(db: Session) -> None:
    secret = pyotp.random_base32()
    user = make_user(db, totp_enabled=True, totp_secret=secret)
    signed = auth.sign_in(db, email=user.email, password=PASSWORD)
    db.commit()
    assert signed.needs_totp
    actor = auth.resolve_actor(db, signed.token)
    assert actor is not None and actor.mfa_pending and not actor.fully_signed_in
    with pytest.raises(PlumeError):
        auth.verify_totp(db, actor, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    auth.verify_totp(db, actor, pyotp.TOTP(secret).now())
    db.commit()
    again = auth.resolve_actor(db, signed.token)
    assert again is not None and again.fully_signed_in


def test_sign_in_replaces_a_hash_made_with_older_parameters(db: Session) -> None:
    user = make_user(db, email="anne@example.test")
    user.password_hash = PasswordHasher().hash(PASSWORD)  # argon2-cffi's defaults: 64 MiB, t=3, p=4
    db.add(user)
    db.commit()
    with session_scope() as own:  # the caller's one transaction, as `run_password_db` runs it
        assert auth.sign_in(own, email="anne@example.test", password=PASSWORD, ip="198.51.100.1").token
    db.refresh(user)
    params = extract_parameters(user.password_hash)
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert check_password(user.password_hash, PASSWORD)
    again = user.password_hash
    assert auth.sign_in(db, email="anne@example.test", password=PASSWORD).token
    db.commit()
    db.refresh(user)
    assert user.password_hash == again  # today's parameters: kept as it is


def test_a_wrong_password_leaves_an_old_hash_alone(db: Session) -> None:
    user = make_user(db, email="anne@example.test")
    old = PasswordHasher().hash(PASSWORD)
    user.password_hash = old
    db.add(user)
    db.commit()
    with pytest.raises(PlumeError):
        auth.sign_in(db, email="anne@example.test", password="not the password")
    db.refresh(user)
    assert user.password_hash == old


def test_an_unknown_account_still_checks_a_password(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    checked: list[str] = []
    real_check = auth.check_password

    def spy(stored: str, password: str) -> bool:
        checked.append(stored)
        return real_check(stored, password)

    monkeypatch.setattr(auth, "check_password", spy)
    with pytest.raises(PlumeError) as err:
        auth.sign_in(db, email="nobody@example.test", password=PASSWORD)
    assert err.value.code == ErrorCode.BAD_CREDENTIALS
    assert checked == [""]  # `check_password` then verifies against the dummy hash (test_crypto)
