"""The sealed attendance chain: tampering by a database writer, the auditor's public key and published heads,
erasure of personal fields, and audit rows and live events that commit with their record."""

from __future__ import annotations

import contextlib
import itertools
import stat
import threading
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlmodel import Session, col, select

from app.cli import main
from app.live import bus
from app.live.contract import slot_board_topic, slot_topic
from app.models import AttendanceChain, AttendanceHeadPublication, AttendanceRecord, AuditRecord, OutboxEmail
from app.services.attendance import actions
from app.services.attendance import chain as attendance_chain
from app.services.attendance import heads as attendance_heads
from app.services.db import get_engine
from app.settings import get_settings
from tests.backend import ON_POSTGRES, sqlite_only
from tests.unit.test_attendance import DRAWING, World, _world


def _sheet(db: Session) -> tuple[World, list[AttendanceRecord]]:
    """Two signatures, a late mark, the trainer's signature and the certification: five sealed records."""
    w = _world(db)
    sid = w.slot.id or 0
    actions.sign(db, w.learner, sid, DRAWING, "k" * 10, user_agent="Firefox")
    actions.sign(db, w.other, sid, DRAWING, "k" * 10)
    actions.mark(db, w.trainer, sid, w.learner.user_id, status="late", comment="Arrivé à 9 h 20")
    actions.sign(db, w.trainer, sid, DRAWING, "k" * 10)
    actions.certify(db, w.trainer, sid)
    rows = list(db.exec(select(AttendanceRecord).order_by(col(AttendanceRecord.seq))).all())
    assert [r.kind for r in rows] == ["signature", "signature", "mark", "signature", "certification"]
    return w, rows


def _verify(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["verify-attendance", *args])
    return code, capsys.readouterr().out


def _head(db: Session, org_id: int) -> AttendanceChain:
    head = db.exec(
        select(AttendanceChain)
        .where(AttendanceChain.organisation_id == org_id)
        .execution_options(populate_existing=True)
    ).one()
    return head


def test_records_and_head_are_sealed_with_a_key_file_outside_the_database(db: Session) -> None:
    w, rows = _sheet(db)
    path = get_settings().keys_dir / f"attendance-org-{w.org.id}.ed25519"
    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert all(len(r.seal) == 128 and len(r.personal_digest) == 64 for r in rows)
    assert _head(db, w.org.id or 0).seal
    assert attendance_chain.verify_chain(db).ok


def test_a_key_file_readable_by_others_is_refused(db: Session) -> None:
    w, _ = _sheet(db)
    path = attendance_chain.key_path(w.org.id or 0)
    path.chmod(0o644)
    attendance_chain._keys.clear()
    with pytest.raises(attendance_chain.KeyFileError):
        attendance_chain.signing_key(w.org.id or 0)


def test_a_lost_key_is_never_silently_replaced(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    w, _ = _sheet(db)
    attendance_chain.key_path(w.org.id or 0).unlink()
    with pytest.raises(attendance_chain.KeyFileError):
        actions.sign(db, w.third, w.virtual.id or 0, DRAWING, "k" * 10)
    assert main(["attendance-public-key", "--organisation", str(w.org.id)]) == 2
    assert "restore it from a backup" in capsys.readouterr().err
    assert not attendance_chain.key_path(w.org.id or 0).exists()


def test_deleting_the_last_record_and_rolling_the_head_back_is_detected(
    db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    w, rows = _sheet(db)
    last, previous = rows[-1], rows[-2]
    db.execute(text("DELETE FROM attendancerecord WHERE id = :i"), {"i": last.id})
    db.execute(
        text("UPDATE attendancechain SET last_seq = :s, last_hash = :h WHERE organisation_id = :o"),
        {"s": previous.seq, "h": previous.hash, "o": w.org.id},
    )
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "head" and report.record_id == previous.id
    code, out = _verify(capsys)
    assert code == 1 and out.startswith(f"ROMPU : organisation {w.org.id}, enregistrement {previous.id}")


def test_editing_a_mark_and_recomputing_every_later_hash_is_detected(
    db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    w, rows = _sheet(db)
    mark = rows[2]
    # The attacker can write the database and knows the hash function, not the organisation's key.
    forged = db.exec(select(AttendanceRecord).order_by(col(AttendanceRecord.seq))).all()
    forged[2].status = "absent"
    previous = forged[1].hash
    for row in forged[2:]:
        row.prev_hash = previous
        row.hash = attendance_chain.record_hash(row)
        previous = row.hash
        db.add(row)
    db.execute(
        text("UPDATE attendancechain SET last_hash = :h WHERE organisation_id = :o"), {"h": previous, "o": w.org.id}
    )
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "forged" and report.record_id == mark.id
    code, out = _verify(capsys)
    assert code == 1
    assert out == (
        f"ROMPU : organisation {w.org.id}, enregistrement {mark.id} (n° {mark.seq}) : "
        "sceau invalide : chaîne recalculée sans la clé de l'organisme\n"
    )


def test_the_auditors_old_head_exposes_a_truncation_with_a_restored_head(
    db: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    w, rows = _sheet(db)
    published = rows[-1].hash  # e-mailed at certification, printed on the PDF
    assert _verify(capsys, "--head", rows[1].hash) == (
        0,
        "OK : 5 enregistrements vérifiés (1 organisation(s)).\n"
        f"OK : empreinte publiée présente (organisation {w.org.id}, enregistrement n° 2).\n",
    )
    # A writer who kept a copy of the head row as it was before the certification puts it back.
    before = attendance_chain.AttendanceChain(organisation_id=w.org.id or 0, last_seq=4, last_hash=rows[-2].hash)
    attendance_chain.seal_head(before, attendance_chain.signing_key(w.org.id or 0))
    db.execute(text("DELETE FROM attendancerecord WHERE id = :i"), {"i": rows[-1].id})
    db.execute(
        text("UPDATE attendancechain SET last_seq = 4, last_hash = :h, seal = :s WHERE organisation_id = :o"),
        {"h": before.last_hash, "s": before.seal, "o": w.org.id},
    )
    db.commit()
    assert attendance_chain.verify_chain(db).ok  # without a published head, a clean truncation is invisible
    code, out = _verify(capsys, "--head", published)
    assert code == 1
    assert out == f"ROMPU : {published} : l'empreinte publiée n'est plus dans la chaîne (chaîne tronquée ou réécrite)\n"


def test_the_auditors_old_head_exposes_a_rewrite_before_it(db: Session) -> None:
    w, rows = _sheet(db)
    org = w.org.id or 0
    published = rows[3].hash
    # Even a writer who also replaced the key (and the public key the server shows) is caught by a published head.
    fake = attendance_chain.Ed25519PrivateKey.generate()
    forged = db.exec(select(AttendanceRecord).order_by(col(AttendanceRecord.seq))).all()
    forged[2].status = "absent"
    previous = attendance_chain.GENESIS
    for row in forged:
        attendance_chain.seal_record(row, previous, fake)
        previous = row.hash
        db.add(row)
    head = _head(db, org)
    head.last_hash = previous
    attendance_chain.seal_head(head, fake)
    db.add(head)
    db.commit()
    assert not attendance_chain.verify_chain(db).ok  # the real key: forged
    assert attendance_chain.verify_chain(db, org, public_key=fake.public_key()).ok
    report = attendance_chain.verify_chain(db, org, public_key=fake.public_key(), head=published)
    assert not report.ok and report.problem == "head_unknown"


def test_an_auditor_verifies_with_the_public_key_alone(
    db: Session, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    w, rows = _sheet(db)
    org = str(w.org.id)
    assert main(["attendance-public-key", "--organisation", org]) == 0
    pem = capsys.readouterr().out
    assert pem.startswith("-----BEGIN PUBLIC KEY-----") and "PRIVATE" not in pem
    public = tmp_path / "auditor.pem"
    public.write_text(pem)
    # The auditor's machine has no key files at all.
    monkeypatch.setenv("PLUME_KEYS_DIR", str(tmp_path / "nothing-here"))
    from app.settings import reset_settings

    reset_settings()
    assert _verify(capsys) == (
        1,
        f"ROMPU : organisation {org}, aucun enregistrement restant : aucune clé publique pour vérifier les sceaux\n",
    )
    code, out = _verify(capsys, "--organisation", org, "--public-key", str(public), "--head", rows[-1].hash)
    assert code == 0 and out.startswith("OK : 5 enregistrements vérifiés (1 organisation(s)).\n")
    assert not (tmp_path / "nothing-here").exists()  # verifying never creates a key
    # Another organisation's public key does not verify these seals.
    other = tmp_path / "other.pem"
    other.write_text(attendance_chain.public_key_pem(attendance_chain.Ed25519PrivateKey.generate().public_key()))
    code, out = _verify(capsys, "--organisation", org, "--public-key", str(other))
    assert code == 1 and out.endswith("sceau invalide : chaîne recalculée sans la clé de l'organisme\n")
    assert main(["verify-attendance", "--public-key", str(public)]) == 2  # a key is one organisation's


def test_erasing_personal_fields_keeps_the_chain_sound(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    w, rows = _sheet(db)
    assert attendance_chain.erase_personal_fields(db, w.learner.user_id) == 2
    erased = db.exec(
        select(AttendanceRecord)
        .where(AttendanceRecord.subject_user_id == w.learner.user_id)
        .execution_options(populate_existing=True)
    ).all()
    assert all(
        r.erased_at and not (r.ip or r.user_agent or r.reason or r.signature_svg or r.personal_salt) for r in erased
    )
    assert {r.personal_digest for r in erased} == {rows[0].personal_digest, rows[2].personal_digest}
    assert _verify(capsys) == (
        0,
        "OK : 5 enregistrements vérifiés (1 organisation(s)), dont 2 aux données personnelles effacées.\n",
    )
    # Personal fields put back (or changed) on an erased record, or changed on a live one, are caught.
    db.execute(text("UPDATE attendancerecord SET ip = '10.0.0.9' WHERE id = :i"), {"i": rows[0].id})
    db.commit()
    assert attendance_chain.verify_chain(db).problem == "personal_edited"
    db.execute(text("UPDATE attendancerecord SET ip = '' WHERE id = :i"), {"i": rows[0].id})
    db.execute(text("UPDATE attendancerecord SET user_agent = 'Edge' WHERE id = :i"), {"i": rows[1].id})
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert report.problem == "personal_edited" and report.record_id == rows[1].id


def test_certification_publishes_the_head_to_the_staff(db: Session) -> None:
    w, rows = _sheet(db)
    certification = rows[-1]
    publication = db.exec(select(AttendanceHeadPublication)).one()
    assert (publication.reason, publication.seq, publication.hash) == ("certification", 5, certification.hash)
    mails = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "attendance_head")).all()
    assert [m.to for m in mails] == [w.staff.email]
    body = mails[0].body
    assert certification.hash in body and "certifiée" in body
    assert f"http://plume.test/api/attendance/verifier/{w.org.id}/{certification.hash}" in body


def test_the_daily_head_is_published_once_per_day_and_only_when_it_changed(db: Session) -> None:
    w, _ = _sheet(db)
    today = date(2026, 11, 30)

    def mails() -> int:
        return len(db.exec(select(OutboxEmail).where(OutboxEmail.kind == "attendance_head")).all())

    assert attendance_heads.publish_daily_heads(db, today) == 0  # certification already published this head
    actions.correct(db, w.trainer, w.slot.id or 0, w.other.user_id, status="absent", reason="Parti à 10 h")
    assert attendance_heads.publish_daily_heads(db, today) == 1
    assert attendance_heads.publish_daily_heads(db, today) == 0  # a restart, the same day
    assert mails() == 2
    actions.correct(db, w.trainer, w.slot.id or 0, w.other.user_id, status="late", reason="Revenu à 11 h")
    assert attendance_heads.publish_daily_heads(db, today) == 0  # changed again: tomorrow's e-mail
    assert attendance_heads.publish_daily_heads(db, today + timedelta(days=1)) == 1
    assert mails() == 3


def test_two_workers_publish_the_daily_head_once(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    w, _ = _sheet(db)
    actions.correct(db, w.trainer, w.slot.id or 0, w.other.user_id, status="absent", reason="Parti à 10 h")
    today = date(2026, 11, 30)
    real = attendance_heads.head_recipients
    raced: list[int] = []
    started: list[bool] = []

    def other_worker_first(tx: Session, organisation_id: int) -> list[attendance_heads.Recipient]:
        if not started:  # the other worker runs its whole round between our check and our commit
            started.append(True)
            with Session(get_engine(), expire_on_commit=False) as other:
                raced.append(attendance_heads.publish_daily_heads(other, today))
        return real(tx, organisation_id)

    monkeypatch.setattr(attendance_heads, "head_recipients", other_worker_first)
    assert attendance_heads.publish_daily_heads(db, today) == 0
    assert raced == [1]
    daily = db.exec(select(AttendanceHeadPublication).where(AttendanceHeadPublication.reason == "daily")).all()
    assert len(daily) == 1
    assert len(db.exec(select(OutboxEmail).where(OutboxEmail.kind == "attendance_head")).all()) == 2


@sqlite_only(
    "interleaves another writer before our commit in one thread: on PostgreSQL the head's row lock makes that"
    " writer wait for our commit instead; the retry there (two first links) is test_concurrent_appends_keep_the_chain_linear"
)
@pytest.mark.parametrize("action", ["sign_as", "certify"])
def test_a_retried_append_keeps_its_audit_row_and_live_event(
    db: Session, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    """Two writers on one slot: another worker appends first, this commit conflicts and is retried."""
    w = _world(db)
    sid = w.slot.id or 0
    actions.sign(db, w.trainer, sid, DRAWING, "k" * 10)
    # Another process appends between our read of the head and our commit (re-entrant lock, one thread here).
    monkeypatch.setattr(attendance_chain, "_chain_lock", threading.RLock())
    events: list[tuple[str, dict[str, Any]]] = []

    def dispatcher(topic: str, payload: dict[str, Any]) -> None:
        events.append((topic, payload))

    def other_writer(_session: Session) -> None:
        with Session(get_engine(), expire_on_commit=False) as other:
            actions.sign(other, w.other, sid, DRAWING, "o" * 10)

    event.listen(db, "before_commit", other_writer, once=True)
    bus.install(dispatcher)
    try:
        if action == "sign_as":
            stored = actions.sign_as(
                db, w.trainer, sid, w.learner.user_id, strokes=DRAWING, client_key="s" * 10, reason="Téléphone"
            )
        else:
            stored = actions.certify(db, w.trainer, sid)
    finally:
        bus.uninstall(dispatcher)
    assert stored.seq == 3  # the other writer took n° 2
    audits = db.exec(select(AuditRecord).where(AuditRecord.action == f"attendance.{action}")).all()
    assert len(audits) == 1 and f'"record_seq": {stored.seq}' in audits[0].after
    if action == "sign_as":
        signed = [p for t, p in events if t == slot_board_topic(sid) and p.get("user_id") == w.learner.user_id]
        assert len(signed) == 1 and signed[0]["op"] == "signed"
    else:
        certified = [p for t, p in events if t == slot_topic(sid) and p.get("op") == "certified"]
        assert len(certified) == 1
        assert len(db.exec(select(AttendanceHeadPublication)).all()) == 1
    assert attendance_chain.verify_chain(db).ok


def test_each_pdf_page_prints_the_head_and_its_verification_url(db: Session) -> None:
    from app.services.attendance import pdf as attendance_pdf
    from tests.unit.test_attendance_pdf import _pages

    w, rows = _sheet(db)
    url = f"http://plume.test/api/attendance/verifier/{w.org.id}/{rows[-1].hash}"
    pages = _pages(attendance_pdf.slot_sheet_pdf(db, w.trainer, w.slot.id or 0)[1])
    for page in pages:
        assert f"Empreinte de la chaîne : {rows[-1].hash} (enregistrement n° 5)" in page
        assert f"Vérification : {url}" in page


def test_the_verification_url_says_whether_the_head_is_still_in_the_chain(db: Session) -> None:
    from app.api.attendance import _head_page

    w, rows = _sheet(db)
    org = w.org.id or 0
    page, status = _head_page(org, rows[1].hash)
    assert status == 200 and "Empreinte présente dans la chaîne" in page and "enregistrement n° 2" in page
    assert "-----BEGIN PUBLIC KEY-----" in page and f"--head {rows[1].hash}" in page
    for org_id, head in ((org, "f" * 64), (org + 1, rows[1].hash), (org, "<script>"), (org, rows[1].hash.upper())):
        page, status = _head_page(org_id, head)
        assert status == 404 and "Empreinte absente de la chaîne" in page and "<script>" not in page
    db.execute(text("DELETE FROM attendancerecord WHERE seq >= 2"))
    db.commit()
    assert _head_page(org, rows[1].hash)[1] == 404


def test_concurrent_appends_keep_the_chain_linear(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two writers append to one organisation's new chain at once: every link follows the one before.

    On PostgreSQL each thread stands for another worker (no process lock): both read "no chain yet"
    and prepare n° 1 together, one commit loses and is tried again; then the head's row lock makes
    each append wait for the other's commit.
    """
    w = _world(db)
    if ON_POSTGRES:
        monkeypatch.setattr(attendance_chain, "_chain_lock", contextlib.nullcontext())
    per_writer, writers = 15, 2
    start, both_prepared = threading.Barrier(writers), threading.Barrier(writers)
    stored: list[tuple[int, int]] = []
    prepared: list[int] = []
    failures: list[Exception] = []

    def with_audit(tx: Session, record: AttendanceRecord) -> None:
        if ON_POSTGRES and record.seq == 1 and len(prepared) < writers:
            prepared.append(record.seq)
            both_prepared.wait(timeout=30)  # the other writer has read the same (empty) head
        tx.add(AuditRecord(action="test.append", after=str(record.seq)))

    def write(writer: int) -> None:
        try:
            with Session(get_engine(), expire_on_commit=False) as own:
                start.wait(timeout=30)
                for n in range(per_writer):
                    record = AttendanceRecord(
                        organisation_id=w.org.id or 0,
                        seq=0,
                        session_id=w.session.id or 0,
                        slot_id=w.slot.id or 0,
                        kind="mark",
                        status="late",
                        reason=f"writer {writer} n° {n}",
                        recorded_by_id=w.trainer.user_id,
                        prev_hash="",
                        hash="",
                    )
                    done, new = attendance_chain.append_record(own, record, then=with_audit)
                    assert new
                    stored.append((writer, done.seq))
        except Exception as exc:  # noqa: BLE001  # reported below, from the test's own thread
            failures.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    if ON_POSTGRES:
        assert prepared == [1, 1]  # both prepared n° 1: one of them was tried again
    total = per_writer * writers
    assert sorted(seq for _, seq in stored) == list(range(1, total + 1))
    rows = db.exec(select(AttendanceRecord).order_by(col(AttendanceRecord.seq))).all()
    assert [r.seq for r in rows] == list(range(1, total + 1))
    assert all(row.prev_hash == before.hash for before, row in itertools.pairwise(rows))
    assert len({r.prev_hash for r in rows}) == total  # no two links hang from the same one: no fork
    assert _head(db, w.org.id or 0).last_seq == total
    audits = db.exec(select(AuditRecord).where(AuditRecord.action == "test.append")).all()
    assert sorted(int(a.after) for a in audits) == list(range(1, total + 1))  # one audit row per stored record
    assert attendance_chain.verify_chain(db).ok
