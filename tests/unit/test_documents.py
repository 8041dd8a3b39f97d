import hashlib
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.clock import paris_date_label
from app.live import bus
from app.models import AuditRecord, Document, Enrolment, Module, Organisation, TrainerPosition, TrainingSession, User
from app.services import audit, documents, home
from app.services.errors import ErrorCode, PlumeError
from app.settings import reset_settings
from tests.factories import (
    actor_for,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
    make_user,
)

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
JPEG = b"\xff\xd8\xff\xe0" + bytes(32)


@pytest.fixture
def files_dir(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "files"
    monkeypatch.setenv("PLUME_FILES_DIR", str(directory))
    reset_settings()
    return directory


def _setup(db: Session) -> tuple[Organisation, Organisation, User, User, TrainingSession, Module]:
    org, other = make_org(db), make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = home.paris_today()
    session = make_session(
        db, org, start=today, end=today + timedelta(days=2), trainers=(trainer,), learners=(learner,)
    )
    module = Module(session_id=session.id, title="Jour 1", phase="during")
    db.add(module)
    db.commit()
    return org, other, trainer, learner, session, module


def _stored(files_dir: Path) -> list[Path]:
    return sorted(files_dir.iterdir()) if files_dir.exists() else []


def _documents(db: Session) -> list[Document]:
    return list(db.exec(select(Document)).all())


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_pdf_uploaded_by_a_positioned_trainer_is_listed_for_an_enrolled_learner(db: Session, files_dir: Path) -> None:
    _org, _, trainer, learner, session, module = _setup(db)
    received: list[tuple[str, dict]] = []
    dispatcher = lambda topic, event: received.append((topic, event))  # noqa: E731
    bus.install(dispatcher)
    try:
        document = documents.store(
            db, actor_for(db, trainer), module_id=module.id or 0, name="  Support.pdf ", data=PDF
        )
        db.commit()
    finally:
        bus.uninstall(dispatcher)
    assert received == [(f"session:{session.id}", {"type": "documents", "op": "added", "module_id": module.id})]
    assert document.name == "Support.pdf"
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert document.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (document.uploaded_by_id, document.session_id, document.module_id) == (trainer.id, session.id, module.id)
    assert len(document.stored_name) == 32
    assert "Support" not in document.stored_name
    assert (files_dir / document.stored_name).read_bytes() == PDF
    assert _stored(files_dir) == [files_dir / document.stored_name]  # no temporary file left behind

    rows = documents.list_for_module(db, actor_for(db, learner), module.id or 0)
    assert [(r.id, r.name, r.size, r.content_type) for r in rows] == [
        (document.id, "Support.pdf", len(PDF), "application/pdf")
    ]
    assert rows[0].uploader_name == trainer.display_name
    assert rows[0].created_at == paris_date_label(document.created_at)  # the Paris day, DD/MM/YYYY
    assert not rows[0].can_manage
    assert documents.list_for_module(db, actor_for(db, trainer), module.id or 0)[0].can_manage

    path, name, content_type = documents.open_for_download(db, actor_for(db, learner), document.id or 0)
    assert (path.read_bytes(), name, content_type) == (PDF, "Support.pdf", "application/pdf")
    upload = db.exec(select(AuditRecord).where(AuditRecord.action == "document.upload")).one()
    assert upload.actor_user_id == trainer.id
    assert upload.target == f"document:{document.id}"


def test_several_files_are_stored_at_once_and_listed_in_order(db: Session, files_dir: Path) -> None:
    org, _, _trainer, learner, _session, module = _setup(db)
    staff = actor_for(db, make_staff(db, org))
    stored = documents.store_many(
        db,
        staff,
        module_id=module.id or 0,
        files=[("a.pdf", PDF), ("photo.png", PNG), ("scan.jpg", JPEG)],
    )
    db.commit()
    assert [d.content_type for d in stored] == ["application/pdf", "image/png", "image/jpeg"]
    rows = documents.list_for_module(db, actor_for(db, learner), module.id or 0)
    assert [r.name for r in rows] == ["a.pdf", "photo.png", "scan.jpg"]
    assert len(_stored(files_dir)) == 3
    assert len(db.exec(select(AuditRecord).where(AuditRecord.action == "document.upload")).all()) == 3


def test_only_staff_and_trainers_of_the_session_can_upload(db: Session, files_dir: Path) -> None:
    org, other, _trainer, learner, _session, module = _setup(db)
    refused = [
        learner,
        make_member(db, org, "tutor"),
        make_user(db),
        make_trainer(db, org),
        make_staff(db, other),
    ]
    for person in refused:
        with pytest.raises(PlumeError) as err:
            documents.store(db, actor_for(db, person), module_id=module.id or 0, name="x.pdf", data=PDF)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as missing:
        documents.store(db, actor_for(db, make_staff(db, org)), module_id=999_999, name="x.pdf", data=PDF)
    assert missing.value.code == ErrorCode.NOT_FOUND
    assert _documents(db) == []
    assert _stored(files_dir) == []


def test_a_template_module_takes_no_documents(db: Session, files_dir: Path) -> None:
    org, _, _, _, session, _ = _setup(db)
    template = Module(course_id=session.course_id, title="Modèle")
    db.add(template)
    db.commit()
    with pytest.raises(PlumeError) as err:
        documents.store(db, actor_for(db, make_staff(db, org)), module_id=template.id or 0, name="x.pdf", data=PDF)
    assert err.value.code == ErrorCode.NOT_FOUND


BAD_FILES = [
    ("vide.pdf", b"", ErrorCode.DOCUMENT_EMPTY),
    ("gros.pdf", b"%PDF-" + bytes(50 * 1024 * 1024 - 4), ErrorCode.DOCUMENT_TOO_LARGE),
    ("cours.pdf", b"MZ\x90\x00" + bytes(200), ErrorCode.DOCUMENT_TYPE),
    ("archive.docx", _zip({"hello.txt": b"hi"}), ErrorCode.DOCUMENT_TYPE),
    (
        "setup.docx",
        b"MZ\x90\x00" + _zip({"[Content_Types].xml": b"<x/>", "word/document.xml": b"<x/>"}),
        ErrorCode.DOCUMENT_TYPE,
    ),
    ("faux.odt", _zip({"mimetype": b"application/x-msdownload"}), ErrorCode.DOCUMENT_TYPE),
    ("tronque.docx", b"PK\x03\x04" + bytes(100), ErrorCode.DOCUMENT_TYPE),
    ("installeur.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), ErrorCode.DOCUMENT_TYPE),
    ("page.pdf", b"<html><script>alert(1)</script></html>", ErrorCode.DOCUMENT_TYPE),
    ("../etc/passwd", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("a/b.pdf", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("a\\b.pdf", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("cours\x00.pdf", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("cours\n.pdf", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("facture\u202efdp.exe", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("   ", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("x" * 197 + ".pdf", PDF, ErrorCode.DOCUMENT_NAME_INVALID),
    ("../vide.pdf", b"", ErrorCode.DOCUMENT_NAME_INVALID),  # the name is checked first
    ("vide-et-faux.pdf", b"", ErrorCode.DOCUMENT_EMPTY),
]


@pytest.mark.parametrize(("name", "data", "code"), BAD_FILES, ids=[f"{c.value}:{n[:20]!r}" for n, _, c in BAD_FILES])
def test_a_bad_file_is_refused_and_nothing_is_written(
    db: Session, files_dir: Path, name: str, data: bytes, code: ErrorCode
) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    with pytest.raises(PlumeError) as err:
        documents.store(db, actor_for(db, trainer), module_id=module.id or 0, name=name, data=data)
    assert err.value.code == code
    assert err.value.field == "files"
    assert err.value.params == {"name": name}
    db.commit()
    assert _documents(db) == []
    assert _stored(files_dir) == []


def test_a_bad_last_file_of_three_saves_none_of_them(db: Session, files_dir: Path) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    with pytest.raises(PlumeError) as err:
        documents.store_many(
            db,
            actor_for(db, trainer),
            module_id=module.id or 0,
            files=[("un.pdf", PDF), ("deux.png", PNG), ("trois.pdf", b"MZ" + bytes(64))],
        )
    assert err.value.code == ErrorCode.DOCUMENT_TYPE
    assert err.value.params == {"name": "trois.pdf"}
    db.commit()
    assert _documents(db) == []
    assert _stored(files_dir) == []


def test_a_database_failure_after_writing_removes_the_file(
    db: Session, files_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    actor = actor_for(db, trainer)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("database gone")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        documents.store(db, actor, module_id=module.id or 0, name="a.pdf", data=PDF)
    db.rollback()
    assert _stored(files_dir) == []
    assert _documents(db) == []


def test_a_rolled_back_upload_leaves_no_file(db: Session, files_dir: Path) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    documents.store(db, actor_for(db, trainer), module_id=module.id or 0, name="a.pdf", data=PDF)
    assert len(_stored(files_dir)) == 1
    db.rollback()
    assert _stored(files_dir) == []
    assert _documents(db) == []


def test_an_upload_never_committed_leaves_no_file(db: Session, files_dir: Path) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    actor = actor_for(db, trainer)
    with Session(db.get_bind(), expire_on_commit=False) as other:
        documents.store(other, actor, module_id=module.id or 0, name="a.pdf", data=PDF)
        assert len(_stored(files_dir)) == 1
    assert _stored(files_dir) == []
    assert _documents(db) == []


@pytest.mark.parametrize(
    ("entries", "content_type"),
    [
        (
            {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<x/>", "word/document.xml": b"<w/>"},
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<x/>"},
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            {"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"},
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"},
            "application/vnd.oasis.opendocument.text",
        ),
        (
            {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"},
            "application/vnd.oasis.opendocument.spreadsheet",
        ),
    ],
)
def test_office_documents_built_in_memory_are_accepted_with_their_type(
    db: Session, files_dir: Path, entries: dict[str, bytes], content_type: str
) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    document = documents.store(
        db, actor_for(db, trainer), module_id=module.id or 0, name="fichier.bin", data=_zip(entries)
    )
    db.commit()
    assert document.content_type == content_type


def test_legacy_office_files_are_recognised_by_their_main_stream(db: Session, files_dir: Path) -> None:
    _org, _, trainer, _, _session, module = _setup(db)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    word = header + "WordDocument\0".encode("utf-16-le") + bytes(64)
    excel = header + "Workbook\0".encode("utf-16-le") + bytes(64)
    actor = actor_for(db, trainer)
    stored = documents.store_many(db, actor, module_id=module.id or 0, files=[("a.doc", word), ("b.xls", excel)])
    assert [d.content_type for d in stored] == ["application/msword", "application/vnd.ms-excel"]


def _uploaded(db: Session) -> tuple[Organisation, User, User, Document, TrainingSession]:
    org, _, trainer, learner, session, module = _setup(db)
    document = documents.store(db, actor_for(db, trainer), module_id=module.id or 0, name="support.pdf", data=PDF)
    db.commit()
    return org, trainer, learner, document, session


def test_the_uploader_and_staff_rename_and_delete(db: Session, files_dir: Path) -> None:
    org, trainer, learner, document, _session = _uploaded(db)
    documents.rename(db, actor_for(db, trainer), document.id or 0, " Support jour 1.pdf ")
    db.commit()
    assert db.get(Document, document.id).name == "Support jour 1.pdf"
    staff = actor_for(db, make_staff(db, org))
    documents.rename(db, staff, document.id or 0, "Support définitif.pdf")
    db.commit()
    assert db.get(Document, document.id).name == "Support définitif.pdf"
    with pytest.raises(PlumeError) as bad:
        documents.rename(db, staff, document.id or 0, "../x.pdf")
    assert (bad.value.code, bad.value.field) == (ErrorCode.DOCUMENT_NAME_INVALID, "name")

    documents.delete(db, actor_for(db, trainer), document.id or 0)
    db.commit()
    assert db.get(Document, document.id).deleted_at is not None
    assert _stored(files_dir) == []
    assert documents.list_for_module(db, actor_for(db, learner), document.module_id or 0) == []
    actions = [r.action for r in db.exec(select(AuditRecord).where(AuditRecord.target == f"document:{document.id}"))]
    assert actions == ["document.upload", "document.rename", "document.rename", "document.delete"]


def test_staff_delete_a_trainers_document(db: Session, files_dir: Path) -> None:
    org, _trainer, _, document, _session = _uploaded(db)
    documents.delete(db, actor_for(db, make_staff(db, org)), document.id or 0)
    db.commit()
    assert _stored(files_dir) == []


def test_another_trainer_or_a_learner_cannot_rename_or_delete(db: Session, files_dir: Path) -> None:
    org, _trainer, learner, document, session = _uploaded(db)
    colleague = make_trainer(db, org)
    db.add(TrainerPosition(session_id=session.id or 0, user_id=colleague.id or 0))
    db.commit()
    colleague_actor = actor_for(db, colleague)
    rows = documents.list_for_module(db, colleague_actor, document.module_id or 0)
    assert [r.can_manage for r in rows] == [False]
    for person in (colleague, learner, make_staff(db, make_org(db))):
        actor = actor_for(db, person)
        for attempt in (
            lambda a=actor: documents.rename(db, a, document.id or 0, "pirate.pdf"),
            lambda a=actor: documents.delete(db, a, document.id or 0),
        ):
            with pytest.raises(PlumeError) as err:
                attempt()
            assert err.value.code == ErrorCode.NOT_FOUND
    db.commit()
    assert db.get(Document, document.id).name == "support.pdf"
    assert db.get(Document, document.id).deleted_at is None
    assert len(_stored(files_dir)) == 1


def test_a_rolled_back_delete_keeps_the_file(db: Session, files_dir: Path) -> None:
    _org, trainer, _, document, _session = _uploaded(db)
    documents.delete(db, actor_for(db, trainer), document.id or 0)
    db.rollback()
    assert len(_stored(files_dir)) == 1


def test_a_deleted_document_cannot_be_downloaded(db: Session, files_dir: Path) -> None:
    _org, trainer, learner, document, _session = _uploaded(db)
    documents.delete(db, actor_for(db, trainer), document.id or 0)
    db.commit()
    for person in (trainer, learner):
        with pytest.raises(PlumeError) as err:
            documents.open_for_download(db, actor_for(db, person), document.id or 0)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError):
        documents.delete(db, actor_for(db, trainer), document.id or 0)


def test_outsiders_get_not_found_for_a_document_and_its_list(db: Session, files_dir: Path) -> None:
    org, _trainer, _, document, _session = _uploaded(db)
    today = home.paris_today()
    stranger = make_learner(db, org)
    make_session(db, org, start=today, end=today, learners=(stranger,))
    outsider = actor_for(db, stranger)
    for attempt in (
        lambda: documents.open_for_download(db, outsider, document.id or 0),
        lambda: documents.list_for_module(db, outsider, document.module_id or 0),
        lambda: documents.open_for_download(db, outsider, 999_999),
    ):
        with pytest.raises(PlumeError) as err:
            attempt()
        assert err.value.code == ErrorCode.NOT_FOUND


def test_a_document_whose_file_is_gone_is_not_found(db: Session, files_dir: Path) -> None:
    _org, _trainer, learner, document, _session = _uploaded(db)
    (files_dir / document.stored_name).unlink()
    with pytest.raises(PlumeError) as err:
        documents.open_for_download(db, actor_for(db, learner), document.id or 0)
    assert err.value.code == ErrorCode.NOT_FOUND


def test_documents_of_a_locked_module_stay_closed_to_learners(db, tmp_path, monkeypatch) -> None:
    from datetime import timedelta

    from app.models import Module
    from app.models.base import utcnow
    from app.services import documents, home
    from app.settings import reset_settings
    from tests.factories import actor_for, make_learner, make_org, make_session, make_trainer

    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    reset_settings()
    org = make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = home.paris_today()
    session = make_session(db, org, start=today, end=today, trainers=(trainer,), learners=(learner,))
    module = Module(
        session_id=session.id, title="Plus tard", opening_rule="date", opens_at=utcnow() + timedelta(days=2)
    )
    db.add(module)
    db.commit()
    doc = documents.store(db, actor_for(db, trainer), module_id=module.id or 0, name="corrige.pdf", data=b"%PDF-1.4 x")
    db.commit()
    learner_actor = actor_for(db, learner)
    with pytest.raises(PlumeError):
        documents.list_for_module(db, learner_actor, module.id or 0)
    with pytest.raises(PlumeError):
        documents.open_for_download(db, learner_actor, doc.id or 0)
    module.opening_rule = "always"
    db.add(module)
    db.commit()
    assert documents.open_for_download(db, learner_actor, doc.id or 0)[1] == "corrige.pdf"


def test_a_chat_file_whose_message_was_removed_is_not_found(db: Session, files_dir: Path) -> None:
    from app.services import chat

    _org, _, trainer, learner, session, _ = _setup(db)
    classmate = make_learner(db, _org)
    db.add(Enrolment(session_id=session.id or 0, user_id=classmate.id or 0))
    db.commit()
    author = actor_for(db, learner)
    doc = documents.store_chat_file(db, author, session_id=session.id or 0, name="notes.pdf", data=PDF)
    sent = chat.post(db, author, session.id or 0, "", "client-file-rm", document_id=doc.id)
    db.commit()
    assert documents.open_for_download(db, actor_for(db, classmate), doc.id or 0)[0].read_bytes() == PDF
    chat.remove(db, actor_for(db, trainer), sent.id)
    db.commit()
    for reader in (classmate, learner, trainer):
        with pytest.raises(PlumeError) as err:
            documents.open_for_download(db, actor_for(db, reader), doc.id or 0)
        assert err.value.code == ErrorCode.NOT_FOUND


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("rapport.html", PDF, "rapport.pdf"),
        ("photo.pdf", PNG, "photo.png"),
        ("image.jpeg", JPEG, "image.jpeg"),
        ("Photo.JPG", JPEG, "Photo.JPG"),
        ("sans extension", PDF, "sans extension.pdf"),
        ("archive.tar.gz", b"GIF89a" + bytes(16), "archive.tar.gif"),
        (".html", PDF, "document.pdf"),
    ],
)
def test_a_download_is_named_by_its_detected_type(
    db: Session, files_dir: Path, name: str, data: bytes, expected: str
) -> None:
    _org, _, trainer, learner, _, module = _setup(db)
    stored = documents.store(db, actor_for(db, trainer), module_id=module.id or 0, name=name, data=data)
    db.commit()
    _, download_name, _ = documents.open_for_download(db, actor_for(db, learner), stored.id or 0)
    assert download_name == expected


def test_a_course_image_is_not_shown_to_a_sign_in_half_done(db: Session, files_dir: Path) -> None:
    from dataclasses import replace

    from app.services import catalogue

    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    course = catalogue.create_course(db, staff, catalogue.CourseForm(title="Excel"))
    documents.store_course_image(db, staff, course_id=course.id or 0, name="vignette.png", data=PNG)
    db.commit()
    learner = actor_for(db, make_learner(db, org))
    assert documents.open_course_image(db, learner, course.id or 0)[1] == "image/png"
    pending = actor_for(db, make_learner(db, org, activated=False))
    for half in (pending, replace(learner, mfa_pending=True)):
        with pytest.raises(PlumeError) as err:
            documents.open_course_image(db, half, course.id or 0)
        assert err.value.code == ErrorCode.NOT_FOUND


def test_a_batch_upload_keeps_the_good_files_and_names_each_refused_one(db: Session, files_dir: Path) -> None:
    _org, _, trainer, learner, _session, module = _setup(db)
    batch = documents.store_batch(
        db,
        actor_for(db, trainer),
        module_id=module.id or 0,
        files=[("un.pdf", PDF), ("trois.pdf", b"MZ" + bytes(64)), ("deux.png", PNG), ("a/b.pdf", PDF)],
    )
    db.commit()
    assert [d.name for d in batch.stored] == ["un.pdf", "deux.png"]
    assert [(r.name, r.error.code) for r in batch.refused] == [
        ("trois.pdf", ErrorCode.DOCUMENT_TYPE),
        ("a/b.pdf", ErrorCode.DOCUMENT_NAME_INVALID),
    ]
    assert [r.name for r in documents.list_for_module(db, actor_for(db, learner), module.id or 0)] == [
        "un.pdf",
        "deux.png",
    ]
    assert len(_stored(files_dir)) == 2
    with pytest.raises(PlumeError) as err:  # the module's gate still holds for the whole batch
        documents.store_batch(db, actor_for(db, learner), module_id=module.id or 0, files=[("un.pdf", PDF)])
    assert err.value.code == ErrorCode.NOT_FOUND
