"""The session chat: who may read and post, idempotency, throttle, edit window, moderation, unread counts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import AuditRecord, ChatMessage
from app.services import chat
from app.services.errors import ErrorCode, PlumeError
from app.services.home import paris_today
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


def _room(db: Session):
    org, other_org = make_org(db), make_org(db)
    staff, trainer = make_staff(db, org), make_trainer(db, org)
    learner, classmate, outsider = make_learner(db, org), make_learner(db, org), make_learner(db, org)
    tutor = make_member(db, org, "tutor")
    foreign = make_staff(db, other_org)
    today = paris_today()
    session = make_session(db, org, start=today, end=today, trainers=(trainer,), learners=(learner, classmate))
    assign_tutor(db, session, tutor)
    actors = {
        name: actor_for(db, user)
        for name, user in {
            "staff": staff,
            "trainer": trainer,
            "learner": learner,
            "classmate": classmate,
            "outsider": outsider,
            "tutor": tutor,
            "foreign": foreign,
        }.items()
    }
    return session.id or 0, actors


def test_members_post_staff_read_and_others_cannot_see_the_room(db: Session) -> None:
    sid, a = _room(db)
    for who in ("learner", "trainer", "tutor"):
        chat.post(db, a[who], sid, f"Bonjour de {who}", f"client-{who}-1")
    page = chat.history(db, a["staff"], sid)
    assert [m.body for m in page.messages] == ["Bonjour de learner", "Bonjour de trainer", "Bonjour de tutor"]
    assert page.can_moderate and not page.can_post
    for who in ("outsider", "foreign"):
        with pytest.raises(PlumeError) as err:
            chat.history(db, a[who], sid)
        assert err.value.code == ErrorCode.NOT_FOUND
        with pytest.raises(PlumeError):
            chat.post(db, a[who], sid, "intrus", f"client-{who}-1")
    with pytest.raises(PlumeError) as err:
        chat.post(db, a["staff"], sid, "staff", "client-staff-1")
    assert err.value.code == ErrorCode.NOT_FOUND


def test_posting_is_idempotent_validated_and_throttled(db: Session) -> None:
    sid, a = _room(db)
    first = chat.post(db, a["learner"], sid, "  Salut\r\ntout le monde  ", "same-client-id")
    again = chat.post(db, a["learner"], sid, "autre texte", "same-client-id")
    assert again.id == first.id and first.body == "Salut\ntout le monde"
    assert len(db.exec(select(ChatMessage)).all()) == 1
    with pytest.raises(PlumeError) as err:
        chat.post(db, a["learner"], sid, "   ", "client-empty-1")
    assert err.value.code == ErrorCode.MESSAGE_EMPTY
    with pytest.raises(PlumeError) as err:
        chat.post(db, a["learner"], sid, "x" * 4001, "client-long-1")
    assert err.value.code == ErrorCode.MESSAGE_TOO_LONG
    with pytest.raises(PlumeError) as err:
        chat.post(db, a["learner"], sid, "ok", "bad id!")
    assert err.value.code == ErrorCode.INVALID_INPUT
    for n in range(9):
        chat.post(db, a["learner"], sid, f"message {n}", f"client-burst-{n:02d}")
    with pytest.raises(PlumeError) as err:
        chat.post(db, a["learner"], sid, "un de trop", "client-burst-99")
    assert err.value.code == ErrorCode.CHAT_SLOW_DOWN
    chat.post(db, a["classmate"], sid, "les autres parlent encore", "client-other-1")


def test_links_become_parts_and_markup_stays_text(db: Session) -> None:
    assert chat.segments("Voir https://exemple.fr/page?x=1, puis <script>alert(1)</script>") == [
        {"text": "Voir ", "href": ""},
        {"text": "https://exemple.fr/page?x=1", "href": "https://exemple.fr/page?x=1"},
        {"text": ", puis <script>alert(1)</script>", "href": ""},
    ]
    assert chat.segments("javascript:alert(1) ftp://x") == [{"text": "javascript:alert(1) ftp://x", "href": ""}]


def test_edit_and_delete_own_messages_within_15_minutes(db: Session) -> None:
    sid, a = _room(db)
    mine = chat.post(db, a["learner"], sid, "brouillon", "client-edit-01")
    edited = chat.edit(db, a["learner"], mine.id, "version finale")
    assert edited.edited and edited.body == "version finale"
    with pytest.raises(PlumeError) as err:
        chat.edit(db, a["classmate"], mine.id, "piraté")
    assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        chat.remove(db, a["classmate"], mine.id)
    row = db.get(ChatMessage, mine.id)
    assert row is not None
    row.created_at = row.created_at - timedelta(minutes=16)
    db.add(row)
    db.commit()
    with pytest.raises(PlumeError) as err:
        chat.edit(db, a["learner"], mine.id, "trop tard")
    assert err.value.code == ErrorCode.EDIT_WINDOW_PASSED
    with pytest.raises(PlumeError) as err:
        chat.remove(db, a["learner"], mine.id)
    assert err.value.code == ErrorCode.EDIT_WINDOW_PASSED
    recent = chat.post(db, a["learner"], sid, "à supprimer", "client-del-01")
    assert chat.remove(db, a["learner"], recent.id).removed == "author"


def test_trainers_and_staff_moderate_and_the_text_stays_in_the_audit(db: Session) -> None:
    sid, a = _room(db)
    rude = chat.post(db, a["learner"], sid, "propos déplacés", "client-rude-01")
    shown = chat.remove(db, a["trainer"], rude.id)
    assert shown.removed == "moderator" and shown.body == "" and shown.parts == []
    assert db.get(ChatMessage, rude.id).body == ""  # type: ignore[union-attr]
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "chat.moderate")).one()
    assert json.loads(record.before)["body"] == "propos déplacés"
    other = chat.post(db, a["classmate"], sid, "encore", "client-rude-02")
    assert chat.remove(db, a["staff"], other.id).removed == "moderator"
    with pytest.raises(PlumeError) as err:
        chat.remove(db, a["staff"], other.id)
    assert err.value.code == ErrorCode.MESSAGE_REMOVED


def test_unread_counts_follow_what_each_member_read(db: Session) -> None:
    sid, a = _room(db)
    ids = [chat.post(db, a["trainer"], sid, f"consigne {n}", f"client-unread-{n}").id for n in range(3)]
    chat.post(db, a["learner"], sid, "mon message", "client-unread-own")
    assert chat.unread_counts(db, a["learner"], [sid]) == {sid: 3}
    chat.mark_read(db, a["learner"], sid, ids[1])
    db.commit()
    assert chat.unread_counts(db, a["learner"], [sid]) == {sid: 1}
    assert chat.history(db, a["learner"], sid).last_read_id == ids[1]
    chat.mark_read(db, a["learner"], sid, 10**9)  # never beyond the newest message
    db.commit()
    assert chat.unread_counts(db, a["learner"], [sid]) == {}
    assert chat.unread_counts(db, a["classmate"], [sid]) == {sid: 4}


def test_history_pages_fifty_at_a_time(db: Session) -> None:
    sid, a = _room(db)
    for n in range(60):
        db.add(ChatMessage(session_id=sid, author_id=a["trainer"].user_id, client_id=f"seed-{n:04d}", body=str(n)))
    db.commit()
    latest = chat.history(db, a["learner"], sid)
    assert len(latest.messages) == 50 and latest.has_more and latest.messages[-1].body == "59"
    older = chat.history(db, a["learner"], sid, before_id=latest.messages[0].id)
    assert [m.body for m in older.messages] == [str(n) for n in range(10)] and not older.has_more


def test_a_file_sent_in_the_room_is_read_by_members_only(db: Session, tmp_path, monkeypatch) -> None:
    from app.services import documents
    from app.settings import reset_settings

    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    reset_settings()
    sid, a = _room(db)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    doc = documents.store_chat_file(db, a["learner"], session_id=sid, name="notes.pdf", data=pdf)
    sent = chat.post(db, a["learner"], sid, "", "client-file-01", document_id=doc.id)
    assert sent.document_name == "notes.pdf" and sent.document_id == doc.id
    path, name, _ = documents.open_for_download(db, a["classmate"], doc.id or 0)
    assert path.read_bytes() == pdf and name == "notes.pdf"
    for who in ("outsider", "foreign"):
        with pytest.raises(PlumeError):
            documents.open_for_download(db, a[who], doc.id or 0)
    with pytest.raises(PlumeError) as err:
        documents.store_chat_file(db, a["learner"], session_id=sid, name="virus.exe", data=b"MZ\x90\x00" * 10)
    assert err.value.code == ErrorCode.DOCUMENT_TYPE


def test_the_edit_offer_and_the_refusal_follow_one_window(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    sid, a = _room(db)
    view = chat.post(db, a["learner"], sid, "presque trop tard", "client-window-01")
    row = db.get(ChatMessage, view.id)
    assert row is not None
    assert view.edit_until == chat.edit_deadline(row.created_at).timestamp()
    assert chat.edit_deadline(datetime(2026, 11, 30, 9, 0, tzinfo=UTC)) == datetime(2026, 11, 30, 9, 15, tzinfo=UTC)
    # The page offers "Modifier" exactly while the service accepts it: both ask `may_still_change`.
    assert chat.may_still_change(view.edit_until, now=view.edit_until)
    assert not chat.may_still_change(view.edit_until, now=view.edit_until + 1)
    deadline = chat.edit_deadline(row.created_at)
    monkeypatch.setattr(chat, "utcnow", lambda: deadline + timedelta(seconds=1))
    assert not chat.may_still_change(view.edit_until)
    with pytest.raises(PlumeError) as err:
        chat.edit(db, a["learner"], view.id, "refusé")
    assert err.value.code == ErrorCode.EDIT_WINDOW_PASSED
    monkeypatch.setattr(chat, "utcnow", lambda: deadline - timedelta(seconds=1))
    assert chat.may_still_change(view.edit_until)
    assert chat.edit(db, a["learner"], view.id, "accepté").body == "accepté"
