from datetime import timedelta

import pytest
from sqlmodel import Session, select

from app.models import OutboxEmail
from app.models.base import utcnow
from app.services import outbox
from app.services.templates import Template
from app.settings import reset_settings
from tests.server import free_port


def test_without_smtp_server_messages_stay_in_the_outbox(db: Session) -> None:
    outbox.enqueue_email(db, to="a@example.test", message=Template("Sujet", "Corps"), kind="reset")
    db.commit()
    assert outbox.deliver_pending(db) == 0
    row = db.exec(select(OutboxEmail)).one()
    assert row.status == "stored"


def test_failures_are_retried_with_backoff_then_marked_failed(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    reset_settings()
    outbox.enqueue_email(
        db, to="a@example.test", message=Template("Sujet", "Corps"), kind="reset", organisation_id=None
    )
    db.commit()
    delays = []
    for _ in range(outbox.MAX_ATTEMPTS):
        row = db.exec(select(OutboxEmail)).one()
        row.next_attempt_at = utcnow() - timedelta(seconds=1)
        db.add(row)
        db.commit()
        assert outbox.deliver_pending(db) == 0
        db.refresh(row)
        if row.status == "pending":
            delays.append(round((row.next_attempt_at - utcnow()).total_seconds() / 30))
    assert row.status == "failed" and row.attempts == outbox.MAX_ATTEMPTS and "Error" in row.last_error
    assert delays == [1, 2, 4, 8, 16]


def test_a_claimed_message_is_not_sent_twice(db: Session) -> None:
    outbox.enqueue_email(db, to="a@example.test", message=Template("S", "B"), kind="reset")
    db.commit()
    row = db.exec(select(OutboxEmail)).one()
    row.status, row.next_attempt_at = "sending", utcnow() + timedelta(minutes=4)
    db.add(row)
    db.commit()
    assert outbox.deliver_pending(db) == 0
    db.refresh(row)
    assert row.status == "sending" and row.attempts == 0


def test_a_message_left_sending_by_a_crash_is_taken_again(db: Session) -> None:
    outbox.enqueue_email(db, to="a@example.test", message=Template("S", "B"), kind="reset")
    db.commit()
    row = db.exec(select(OutboxEmail)).one()
    row.status, row.next_attempt_at = "sending", utcnow() - timedelta(seconds=1)
    db.add(row)
    db.commit()
    outbox.deliver_pending(db)
    db.refresh(row)
    assert row.status == "stored" and row.attempts == 1


def test_sms_goes_to_the_gateway_when_one_is_configured(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[dict] = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            return

    httpd = HTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    monkeypatch.setenv("PLUME_SMS_GATEWAY_URL", f"http://127.0.0.1:{httpd.server_port}/sms")
    reset_settings()
    outbox.sms_sender().send(db, to="+33612345678", text="Plume : votre code est 123456.")
    db.commit()
    assert outbox.deliver_pending(db) == 1
    httpd.shutdown()
    assert received == [{"to": "+33612345678", "text": "Plume : votre code est 123456."}]
    assert db.exec(select(OutboxEmail)).one().status == "sent"
