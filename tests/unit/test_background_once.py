"""Background work that must happen once: two workers race on the same database, SQLite and PostgreSQL.

Each "worker" is a thread running the same job as `app/tasks.py` at the same instant, with its own
sessions from the shared engine (as two processes would have their own connections); a local SMTP
server counts what actually leaves.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, SQLModel, select

from app import tasks
from app.models import AttendanceHeadPublication, OutboxEmail
from app.models.evaluations import QuestionnaireUse
from app.services.attendance import actions
from app.services.attendance import heads as attendance_heads
from app.services.db import make_engine, session_scope, set_engine
from app.services.evaluations import cold
from app.services.outbox import enqueue_email
from app.services.templates import Template
from app.settings import reset_settings
from tests.server import Mailbox, free_port
from tests.services_local import PostgresCluster, postgres_cluster
from tests.unit.test_attendance_chain import _sheet
from tests.unit.test_evaluations import _world as _evaluation_world
from tests.unit.test_evaluations_cold import DELAY, _cold, _paris

T = TypeVar("T")
WORKERS = 2


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    with postgres_cluster() as running:
        yield running


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture(params=["sqlite", "postgresql"])
def shared(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mailbox: Mailbox
) -> Iterator[Session]:
    """One database both workers use, with every table, and the SMTP server configured.

    Yields:
        A session on it, for setting up and checking.
    """
    if request.param == "postgresql":
        pg: PostgresCluster = request.getfixturevalue("cluster")
        url = pg.create_database("plume_once")
    else:
        url = f"sqlite:///{tmp_path / 'once.db'}"
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("PLUME_BASE_URL", "http://plume.test")
    monkeypatch.setenv("PLUME_KEYS_DIR", str(tmp_path / "keys"))
    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(smtp_port))
    reset_settings()
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    set_engine(engine)
    try:
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        set_engine(None)
        engine.dispose()
        controller.stop()
        reset_settings()
        if request.param == "postgresql":
            pg.drop_database(url)


def race(job: Callable[[], T], workers: int = WORKERS) -> list[T]:
    """Run a job in several threads released at the same instant.

    Args:
        job: What each worker runs.
        workers: How many.

    Returns:
        Each worker's result.

    Raises:
        BaseException: The first error a worker raised.
    """
    start = threading.Barrier(workers)
    results: list[T] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run() -> None:
        start.wait()
        try:
            result = job()
        except BaseException as exc:  # noqa: BLE001  # handed to the test's thread
            with lock:
                errors.append(exc)
            return
        with lock:
            results.append(result)

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def _drain() -> int:
    """One worker's outbox loop until nothing is due (as `tasks.outbox_sender` does every 2 s)."""
    sent = 0
    while True:
        batch = tasks._deliver_once()  # the loop's own round
        sent += batch
        with session_scope() as db:
            due = db.exec(select(OutboxEmail.id).where(OutboxEmail.status == "pending")).first()
        if not batch and due is None:
            return sent


def _recipients(mailbox: Mailbox) -> Counter[str]:
    with mailbox.lock:
        return Counter(str(message["To"]) for message in mailbox.messages)


def test_two_workers_send_each_outbox_message_once(shared: Session, mailbox: Mailbox) -> None:
    count = 120
    for n in range(count):
        enqueue_email(shared, to=f"learner{n}@example.test", message=Template(f"Sujet {n}", "Corps"), kind="reset")
    shared.commit()
    sent = race(_drain)
    assert sum(sent) == count
    received = _recipients(mailbox)
    assert len(received) == count and set(received.values()) == {1}
    rows = shared.exec(select(OutboxEmail).execution_options(populate_existing=True)).all()
    assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}


def test_two_workers_publish_the_daily_head_once_and_send_it_once(shared: Session, mailbox: Mailbox) -> None:
    w, _ = _sheet(shared)
    _drain()  # the certification's own publication
    with mailbox.lock:
        mailbox.messages.clear()
    actions.correct(shared, w.trainer, w.slot.id or 0, w.other.user_id, status="absent", reason="Parti à 10 h")
    today = date(2026, 11, 30)

    def publish() -> int:
        with session_scope() as db:
            return attendance_heads.publish_daily_heads(db, today)

    assert sorted(race(publish)) == [0, 1]
    assert sorted(race(_drain)) in ([0, 1], [1, 0])
    daily = shared.exec(select(AttendanceHeadPublication).where(AttendanceHeadPublication.reason == "daily")).all()
    assert len(daily) == 1
    assert _recipients(mailbox) == Counter({w.staff.email: 1})


def test_two_workers_send_the_cold_evaluation_once(shared: Session, mailbox: Mailbox) -> None:
    w = _evaluation_world(shared)
    activity = _cold(shared, w)
    at = _paris(w.session.ends_on + timedelta(days=DELAY), 9)

    def send() -> int:
        with session_scope() as db:
            return cold.send_due_cold_evaluations(db, at)

    assert sorted(race(send)) == [0, 4]
    race(_drain)
    assert _recipients(mailbox) == Counter({learner.email: 1 for learner in w.learners})
    use = shared.exec(
        select(QuestionnaireUse)
        .where(QuestionnaireUse.activity_id == activity)
        .execution_options(populate_existing=True)
    ).one()
    assert use.cold_sent_at is not None


def test_a_stopping_worker_takes_no_more_messages(shared: Session, mailbox: Mailbox) -> None:
    for n in range(3):
        enqueue_email(shared, to=f"later{n}@example.test", message=Template("Sujet", "Corps"), kind="reset")
    shared.commit()
    stop = threading.Event()
    stop.set()
    assert tasks._deliver_once(stop) == 0
    assert _recipients(mailbox) == Counter()
    pending = shared.exec(select(OutboxEmail).execution_options(populate_existing=True)).all()
    assert {(row.status, row.attempts) for row in pending} == {("pending", 0)}  # left for the other workers
    assert tasks._deliver_once() == 3
