"""Archiving a session: a category, read-only for everyone through the access gate, out of current lists."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import Activity, AuditRecord, Document, Module, Slot, TrainingSession
from app.models.base import utcnow
from app.services import archives, catalogue, chat, documents, home, timeline, tutoring
from app.services.attendance import actions, pdf
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions import status as session_status
from app.services.sessions import view as session_view
from app.settings import reset_settings
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DRAWING = "10,10 200,120 380,40|400,300 420,310"


@pytest.fixture
def files_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    reset_settings()
    return tmp_path / "files"


def _world(db: Session) -> tuple[TrainingSession, dict[str, object], Module, Slot]:
    org = make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = home.paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=3),
        end=today + timedelta(days=3),
        status="finished",
        trainers=(trainer,),
        learners=(learner,),
    )
    tutor = make_member(db, org, "tutor")
    assign_tutor(db, session, tutor)
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add(module)
    db.flush()
    room = Activity(module_id=module.id or 0, kind="in_person", title="Séance")
    db.add(room)
    db.flush()
    now = utcnow()
    slot = Slot(
        session_id=session.id or 0,
        activity_id=room.id,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
    )
    db.add(slot)
    db.commit()
    people: dict[str, object] = {
        "staff": actor_for(db, make_staff(db, org)),
        "trainer": actor_for(db, trainer),
        "learner": actor_for(db, learner),
        "tutor": actor_for(db, tutor),
        "other trainer": actor_for(db, make_trainer(db, org)),
    }
    return session, people, module, slot


def _archive(db: Session, session: TrainingSession, staff: object) -> None:
    session_status.advance_status(db, staff, session.id or 0, "archived", "completed")  # type: ignore[arg-type]
    db.commit()


def test_archiving_asks_a_category_and_only_staff_archive_and_unarchive(db: Session) -> None:
    session, a, _, _ = _world(db)
    sid = session.id or 0
    for who in ("learner", "trainer", "tutor", "other trainer"):
        with pytest.raises(PlumeError) as err:
            session_status.advance_status(db, a[who], sid, "archived", "completed")  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.NOT_FOUND, who
    for bad in ("", "nope", "<script>"):
        with pytest.raises(PlumeError) as err:
            session_status.advance_status(db, a["staff"], sid, "archived", bad)  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.ARCHIVE_CATEGORY and err.value.field == "archive_category"
    _archive(db, session, a["staff"])
    db.refresh(session)
    assert (session.status, session.archive_category) == ("archived", "completed")
    audit = db.exec(select(AuditRecord).where(AuditRecord.action == "session.status")).all()[-1]
    assert json.loads(audit.after) == {"status": "archived", "category": "completed"}
    for who in ("learner", "trainer", "tutor", "other trainer"):
        with pytest.raises(PlumeError) as err:
            session_status.unarchive(db, a[who], sid)  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.NOT_FOUND, who
    view = session_view.session_view(db, a["staff"], sid)  # type: ignore[arg-type]
    assert view.can_restore and view.archive_category == "completed" and not view.can_edit
    assert not session_view.session_view(db, a["trainer"], sid).can_restore  # type: ignore[arg-type]
    session_status.unarchive(db, a["staff"], sid)  # type: ignore[arg-type]
    db.commit()
    db.refresh(session)
    assert (session.status, session.archive_category) == ("finished", "")
    undo = db.exec(select(AuditRecord).where(AuditRecord.action == "session.unarchive")).one()
    assert json.loads(undo.before) == {"status": "archived", "category": "completed"}
    with pytest.raises(PlumeError) as err:  # not archived any more: nothing to restore
        session_status.unarchive(db, a["staff"], sid)  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.NOT_FOUND


def test_an_archived_session_refuses_every_write_and_stays_readable(db: Session, files_dir: Path) -> None:
    session, a, module, slot = _world(db)
    sid = session.id or 0
    posted = chat.post(db, a["learner"], sid, "avant l'archive", "client-before-01")  # type: ignore[arg-type]
    doc = documents.store_batch(db, a["trainer"], module_id=module.id or 0, files=[("support.pdf", PDF)])  # type: ignore[arg-type]
    db.commit()
    # The same writes went through before: what refuses them below is the archive.
    actions.sign(db, a["learner"], slot.id or 0, DRAWING, "k" * 12)  # type: ignore[arg-type]
    timeline.rename_module(db, a["staff"], module.id or 0, "Pendant")  # type: ignore[arg-type]
    db.commit()
    _archive(db, session, a["staff"])
    writes = {
        "chat post (learner)": lambda: chat.post(db, a["learner"], sid, "après", "client-after-01"),
        "chat post (trainer)": lambda: chat.post(db, a["trainer"], sid, "après", "client-after-02"),
        "chat post (tutor)": lambda: chat.post(db, a["tutor"], sid, "après", "client-after-03"),
        "chat file": lambda: documents.store_chat_file(db, a["learner"], session_id=sid, name="n.pdf", data=PDF),
        "module upload (trainer)": lambda: documents.store_batch(
            db, a["trainer"], module_id=module.id or 0, files=[("b.pdf", PDF)]
        ),
        "module upload (staff)": lambda: documents.store_batch(
            db, a["staff"], module_id=module.id or 0, files=[("c.pdf", PDF)]
        ),
        "learner signs again": lambda: actions.sign(db, a["learner"], slot.id or 0, DRAWING, "k" * 10),
        "trainer signs": lambda: actions.sign(db, a["trainer"], slot.id or 0, DRAWING, "k" * 11),
        "timeline rename (staff)": lambda: timeline.rename_module(db, a["staff"], module.id or 0, "Renommé"),
        "timeline rename (trainer)": lambda: timeline.rename_module(db, a["trainer"], module.id or 0, "Renommé"),
        "status back (staff)": lambda: session_status.advance_status(db, a["staff"], sid, "active"),
    }
    for label, write in writes.items():
        with pytest.raises(PlumeError) as err:
            write()  # type: ignore[no-untyped-call]
        assert err.value.code in (ErrorCode.NOT_FOUND, ErrorCode.STATUS_CHANGE, ErrorCode.SIGNING_NOT_ALLOWED), label
        db.rollback()
    assert db.exec(select(Module.title).where(Module.id == module.id)).one() == "Pendant"
    # Reading stays: the chat's history, the documents, the session page, for members and staff.
    for who in ("learner", "trainer", "tutor", "staff"):
        assert [m.body for m in chat.history(db, a[who], sid).messages] == [posted.body], who  # type: ignore[arg-type]
        assert session_view.session_view(db, a[who], sid).status == "archived", who  # type: ignore[arg-type]
    stored = db.exec(select(Document).where(Document.module_id == module.id)).all()
    assert len(stored) == 1 and len(doc.stored) == 1
    path, name, _ = documents.open_for_download(db, a["learner"], stored[0].id or 0)  # type: ignore[arg-type]
    assert path.read_bytes() == PDF and name == "support.pdf"
    for who in ("staff", "trainer"):  # the signed sheets stay readable
        name, sheet = pdf.slot_sheet_pdf(db, a[who], slot.id or 0)  # type: ignore[arg-type]
        assert sheet.startswith(b"%PDF"), who
        assert pdf.session_sheets_pdf(db, a[who], sid)[1].startswith(b"%PDF"), who  # type: ignore[arg-type]


def test_an_archived_session_leaves_current_lists_and_appears_under_archives(db: Session) -> None:
    session, a, _, _ = _world(db)
    sid = session.id or 0
    assert sid in {s.id for s in tutoring.tutored_sessions(db, a["tutor"])}  # type: ignore[arg-type]
    assert sid in {s.id for s in catalogue.list_sessions(db, a["staff"])}  # type: ignore[arg-type]
    _archive(db, session, a["staff"])
    assert sid not in {s.id for s in tutoring.tutored_sessions(db, a["tutor"])}  # type: ignore[arg-type]
    assert sid not in {s.id for s in tutoring.tutored_sessions(db, a["staff"])}  # type: ignore[arg-type]
    assert sid not in {s.id for s in catalogue.list_sessions(db, a["staff"])}  # type: ignore[arg-type]
    for who in ("learner", "trainer", "tutor"):
        sections = home.home_sections(db, a[who])  # type: ignore[arg-type]
        listed = {c.id for c in sections.in_progress + sections.upcoming + sections.finished}
        assert sid not in listed, who
    for who in ("learner", "trainer", "tutor", "staff"):
        found = archives.archived_sessions(db, a[who])  # type: ignore[arg-type]
        assert [(s.id, s.category) for s in found] == [(sid, "completed")], who
    assert archives.archived_sessions(db, a["other trainer"]) == []  # type: ignore[arg-type]
    assert archives.archived_sessions(db, actor_for(db, make_staff(db, make_org(db)))) == []
