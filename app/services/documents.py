"""Module documents: private files checked by content, stored under random names, served to members only."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session, col, select

from app.clock import paris_date_label
from app.live.bus import notify
from app.live.contract import DocumentsChanged, session_topic
from app.models import Document, Module, TrainingSession, User
from app.models.base import utcnow
from app.services import access, audit
from app.services.access import Capability, SessionRole
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.locks import locked_for, open_modules
from app.settings import get_settings

MAX_SIZE = 50 * 1024 * 1024
MAX_NAME_LENGTH = 200
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_WRITTEN_KEY = "plume_documents_written"  # files to remove unless the transaction commits
_UNLINK_KEY = "plume_documents_unlink"  # files to remove once the transaction commits

_OOXML = (
    ("word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
_OPENDOCUMENT = frozenset(
    {
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.oasis.opendocument.presentation",
    }
)
# An OLE2 container is an Office file only if it holds the application's main stream
# (an .msi installer is OLE2 too); directory entry names are UTF-16LE.
_OLE2_STREAMS = (
    ("WordDocument", "application/msword"),
    ("Workbook", "application/vnd.ms-excel"),
    ("Book", "application/vnd.ms-excel"),
    ("PowerPoint Document", "application/vnd.ms-powerpoint"),
)
# The extensions a download may carry for each accepted type (the first one when the name has another).
_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/gif": (".gif",),
    "image/webp": (".webp",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (".pptx",),
    "application/vnd.oasis.opendocument.text": (".odt",),
    "application/vnd.oasis.opendocument.spreadsheet": (".ods",),
    "application/vnd.oasis.opendocument.presentation": (".odp",),
    "application/msword": (".doc",),
    "application/vnd.ms-excel": (".xls",),
    "application/vnd.ms-powerpoint": (".ppt",),
    "video/mp4": (".mp4",),
    "video/webm": (".webm",),
}
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError, RuntimeError)


@dataclass(frozen=True)
class DocumentRow:
    """One document of a module, as a member sees it in the list."""

    id: int
    name: str
    size: int
    content_type: str
    uploader_name: str
    created_at: str  # the Paris day it was uploaded, DD/MM/YYYY
    can_manage: bool


@dataclass(frozen=True)
class _Checked:
    name: str
    data: bytes
    content_type: str


def _clean_name(name: object, *, field: str) -> str:
    if not isinstance(name, str):
        raise PlumeError(ErrorCode.DOCUMENT_NAME_INVALID, field=field, name=str(name))
    clean = unicodedata.normalize("NFC", name.strip())
    forbidden = (
        not clean
        or len(clean) > MAX_NAME_LENGTH
        or "/" in clean
        or "\\" in clean
        or ".." in clean
        or any(unicodedata.category(ch) in ("Cc", "Cs") or ch in _BIDI_CONTROLS for ch in clean)
    )
    if forbidden:
        raise PlumeError(ErrorCode.DOCUMENT_NAME_INVALID, field=field, name=name)
    return clean


def _zip_type(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", errors="replace").strip()
                return declared if declared in _OPENDOCUMENT else None
    except _ZIP_ERRORS:
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in _OOXML:
        if any(n.startswith(prefix) for n in names):
            return content_type
    return None


def _ole2_type(data: bytes) -> str | None:
    for stream, content_type in _OLE2_STREAMS:
        if (stream + "\0").encode("utf-16-le") in data:
            return content_type
    return None


def detect_type(data: bytes) -> str | None:
    """The MIME type of an accepted file, read from its content (never from its name).

    Args:
        data: The file's bytes.

    Returns:
        The MIME type, or None if the content is not of an accepted type.
    """
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return _ole2_type(data)
    # A zip must start with a local header: an .exe with a zip appended is still an .exe.
    if data.startswith(b"PK\x03\x04"):
        return _zip_type(data)
    return None


VIDEO_TYPES = frozenset({"video/mp4", "video/webm"})


def detect_video(data: bytes) -> str | None:
    """The MIME type of an accepted video (MP4 or WebM), read from its content.

    Args:
        data: The file's bytes.

    Returns:
        The MIME type, or None.
    """
    if data[4:8] == b"ftyp":
        return "video/mp4"
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "video/webm"
    return None


def download_name(name: str, content_type: str) -> str:
    """The name to download a file as: the uploader's name with the extension of its detected type.

    A PDF uploaded as `rapport.html` downloads as `rapport.pdf`, so the browser and the
    operating system open it for what it is, never for what its name claimed.

    Args:
        name: The name the file was uploaded (or renamed) as.
        content_type: The type detected from its content.

    Returns:
        The name, its extension replaced when it is not one of the type's own.
    """
    allowed = _EXTENSIONS.get(content_type, (".bin",))
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem = name
    elif not stem.strip():
        stem = "document"  # a name that is only an extension (".html")
    elif f".{extension.lower()}" in allowed:
        return name
    return f"{stem}{allowed[0]}"


def _check_file(name: object, data: object, *, video: bool = False) -> _Checked:
    clean = _clean_name(name, field="files")
    given = str(name)
    if not isinstance(data, bytes) or not data:
        raise PlumeError(ErrorCode.DOCUMENT_EMPTY, field="files", name=given)
    if len(data) > MAX_SIZE:
        raise PlumeError(ErrorCode.DOCUMENT_TOO_LARGE, field="files", name=given)
    content_type = detect_video(data) if video else detect_type(data)
    if content_type is None:
        raise PlumeError(ErrorCode.VIDEO_TYPE if video else ErrorCode.DOCUMENT_TYPE, field="files", name=given)
    return _Checked(name=clean, data=data, content_type=content_type)


def _remove(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@event.listens_for(OrmSession, "after_commit")
def _after_commit(db: OrmSession) -> None:
    db.info.pop(_WRITTEN_KEY, None)
    for path in db.info.pop(_UNLINK_KEY, []):
        _remove(path)


@event.listens_for(OrmSession, "after_transaction_end")
def _after_transaction_end(db: OrmSession, transaction: SessionTransaction) -> None:
    """Files written by a transaction that ended without committing (rolled back or closed) go."""
    if transaction.parent is not None:
        return
    db.info.pop(_UNLINK_KEY, None)
    for path in db.info.pop(_WRITTEN_KEY, []):
        _remove(path)


def _write(directory: Path, stored_name: str, data: bytes) -> Path:
    """Write a file whole or not at all: a temporary file in the same directory, then renamed."""
    directory.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        final = directory / stored_name
        os.replace(temporary, final)
    except BaseException:
        _remove(Path(temporary))
        raise
    return final


def _editable_module(db: Session, actor: Actor, module_id: int) -> tuple[Module, TrainingSession]:
    module, training, _ = access.access_module(db, actor, module_id, Capability.MANAGE)
    return module, training


@dataclass(frozen=True)
class Refused:
    """A file of a batch that was not stored, and why (the error names the file)."""

    name: str
    error: PlumeError


@dataclass(frozen=True)
class Batch:
    """What a batch upload did: the files stored, in the order given, and the files refused."""

    stored: list[Document]
    refused: list[Refused]


def check_batch(files: list[tuple[str, bytes]], *, video: bool = False) -> tuple[list[_Checked], list[Refused]]:
    """Check every file of a batch on its own: the accepted ones, and the refused ones with their reason.

    Args:
        files: (name as given, content) pairs.
        video: Accept videos (MP4, WebM) instead of documents and images.

    Returns:
        The accepted files (checked, ready to store) and the refused ones, each in the order given.
    """
    accepted: list[_Checked] = []
    refused: list[Refused] = []
    for name, data in files:
        try:
            accepted.append(_check_file(name, data, video=video))
        except PlumeError as err:
            refused.append(Refused(name=str(name), error=err))
    return accepted, refused


def _new_document(
    db: Session, actor: Actor, item: _Checked, *, session_id: int | None = None, module_id: int | None = None
) -> tuple[Document, Path]:
    """Write a checked file under a fresh name and add its row; the file goes unless the transaction commits."""
    stored_name = secrets.token_hex(16)
    path = _write(get_settings().files_dir, stored_name, item.data)
    db.info.setdefault(_WRITTEN_KEY, []).append(path)
    document = Document(
        session_id=session_id,
        module_id=module_id,
        name=item.name,
        stored_name=stored_name,
        size=len(item.data),
        content_type=item.content_type,
        sha256=hashlib.sha256(item.data).hexdigest(),
        uploaded_by_id=actor.user_id,
    )
    db.add(document)
    return document, path


def _save(
    db: Session,
    actor: Actor,
    training: TrainingSession,
    checked: list[_Checked],
    *,
    module_id: int | None,
    what: dict[str, object],
) -> list[Document]:
    """Write checked files and their rows (one audit entry each); files are removed unless the transaction commits."""
    assert training.id is not None
    written: list[Path] = []
    documents: list[Document] = []
    try:
        for item in checked:
            document, path = _new_document(db, actor, item, session_id=training.id, module_id=module_id)
            written.append(path)
            documents.append(document)
        db.flush()
        for document in documents:
            audit.by_actor(
                db,
                actor,
                "document.upload",
                organisation_id=training.organisation_id,
                target=f"document:{document.id}",
                after={
                    "name": document.name,
                    **what,
                    "size": document.size,
                    "content_type": document.content_type,
                    "sha256": document.sha256,
                },
            )
    except BaseException:
        for path in written:
            _remove(path)
        raise
    return documents


def store_many(
    db: Session, actor: Actor, *, module_id: int, files: list[tuple[str, bytes]], video: bool = False
) -> list[Document]:
    """Add files to a module: all are checked before any is stored, so a bad one saves nothing.

    The upload form uses `store_batch` (the good files of a batch are kept); this is
    for callers that need every file or none.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        module_id: A module of a session.
        files: (name as given, content) pairs.
        video: Accept videos (MP4, WebM) instead of documents and images.

    Returns:
        The new documents, in the order given.

    Raises:
        PlumeError: NOT_FOUND for a missing or forbidden module; DOCUMENT_NAME_INVALID,
            DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE or DOCUMENT_TYPE (field "files", param
            `name`) for the first bad file.
    """
    module, training = _editable_module(db, actor, module_id)
    checked, refused = check_batch(files, video=video)
    if refused:
        raise refused[0].error
    return _store_in_module(db, actor, training, module, checked)


def store_batch(db: Session, actor: Actor, *, module_id: int, files: list[tuple[str, bytes]]) -> Batch:
    """Add a batch of files to a module: the good ones are stored, the bad ones named with their reason.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        module_id: A module of a session.
        files: (name as given, content) pairs.

    Returns:
        The documents stored (in the order given) and the files refused (each with its
        DOCUMENT_NAME_INVALID, DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE or DOCUMENT_TYPE error).

    Raises:
        PlumeError: NOT_FOUND for a missing or forbidden module.
    """
    module, training = _editable_module(db, actor, module_id)
    checked, refused = check_batch(files)
    return Batch(stored=_store_in_module(db, actor, training, module, checked), refused=refused)


def _store_in_module(
    db: Session, actor: Actor, training: TrainingSession, module: Module, checked: list[_Checked]
) -> list[Document]:
    if not checked:
        return []
    assert module.id is not None and training.id is not None
    stored = _save(db, actor, training, checked, module_id=module.id, what={"module_id": module.id})
    notify(db, session_topic(training.id), DocumentsChanged(op="added", module_id=module.id))
    return stored


def store_attached(
    db: Session,
    actor: Actor,
    training: TrainingSession,
    files: list[tuple[str, bytes]],
    *,
    activity_id: int,
    video: bool = False,
) -> Batch:
    """Store files an activity holds (a document activity's files, a video activity's video).

    They belong to no module, so no module's document list shows them and
    `open_for_download` refuses them: only the activity's own route serves them
    (`activities.open_file`, which checks the activity's gate). The caller has checked
    that the actor may change the activity.

    Args:
        db: Database session.
        actor: Who uploads (checked by the caller).
        training: The activity's session.
        files: (name as given, content) pairs.
        activity_id: The activity, for the audit trail.
        video: Accept videos (MP4, WebM) instead of documents and images.

    Returns:
        The documents stored and the files refused, with their reasons.
    """
    checked, refused = check_batch(files, video=video)
    stored = _save(db, actor, training, checked, module_id=None, what={"activity_id": activity_id}) if checked else []
    return Batch(stored=stored, refused=refused)


def attached_rows(db: Session, actor: Actor, role: SessionRole, session_id: int, ids: list[int]) -> list[DocumentRow]:
    """The files an activity holds, in its order (deleted ones and another session's left out).

    Args:
        db: Database session.
        actor: The reader (for `can_manage`).
        role: Their role in the session.
        session_id: The activity's session.
        ids: The document ids the activity lists.

    Returns:
        One row each.
    """
    if not ids:
        return []
    rows = db.exec(
        select(Document, User)
        .outerjoin(User, col(User.id) == col(Document.uploaded_by_id))
        .where(
            col(Document.id).in_(ids),
            col(Document.session_id) == session_id,
            col(Document.module_id).is_(None),
            col(Document.deleted_at).is_(None),
        )
    ).all()
    by_id = {document.id: _row(actor, role, document, uploader) for document, uploader in rows}
    return [by_id[i] for i in ids if i in by_id]


def attached_file(db: Session, session_id: int, document_id: int) -> tuple[Path, str, str]:
    """Where an activity's file is, once the caller has checked the activity lists it and the reader may see it.

    Args:
        db: Database session.
        session_id: The activity's session.
        document_id: The document.

    Returns:
        The file's path, the name to download it as, and its content type.

    Raises:
        PlumeError: NOT_FOUND for a missing, deleted or another session's document alike.
    """
    document = db.get(Document, document_id)
    if document is None or document.deleted_at is not None or document.session_id != session_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    path = get_settings().files_dir / document.stored_name
    if not path.is_file():
        raise PlumeError(ErrorCode.NOT_FOUND)
    return path, download_name(document.name, document.content_type), document.content_type


def read_attached(db: Session, session_id: int, ids: list[int]) -> dict[int, tuple[str, bytes]]:
    """The name and content of a session's files an activity holds (to copy them with the activity).

    Args:
        db: Database session.
        session_id: The activity's session.
        ids: The documents.

    Returns:
        (name, content) by document id, for the live ones whose file is on disk.
    """
    found: dict[int, tuple[str, bytes]] = {}
    rows = db.exec(select(Document).where(col(Document.id).in_(ids), Document.session_id == session_id)).all()
    for document in rows:
        path = get_settings().files_dir / document.stored_name
        if document.deleted_at is None and path.is_file():
            found[document.id or 0] = (document.name, path.read_bytes())
    return found


def _retire(db: Session, actor: Actor, training: TrainingSession, document: Document, **holder: int | None) -> None:
    # The row stays, marked deleted, for the audit trail (which names what held it); the file goes at commit.
    document.deleted_at = utcnow()
    db.add(document)
    db.info.setdefault(_UNLINK_KEY, []).append(get_settings().files_dir / document.stored_name)
    audit.by_actor(
        db,
        actor,
        "document.delete",
        organisation_id=training.organisation_id,
        target=f"document:{document.id}",
        before={"name": document.name, **holder, "sha256": document.sha256},
    )


def remove_attached(
    db: Session, actor: Actor, training: TrainingSession, document_id: int, *, activity_id: int
) -> None:
    """Delete a file an activity holds (the caller checked the activity lists it and the actor may change it).

    The row stays, marked deleted, for the audit trail; the file goes once the transaction commits.

    Args:
        db: Database session.
        actor: Who deletes.
        training: The activity's session.
        document_id: The document.
        activity_id: The activity, for the audit trail.

    Raises:
        PlumeError: NOT_FOUND for a missing, deleted or another session's document alike.
    """
    document = db.get(Document, document_id)
    if document is None or document.deleted_at is not None or document.session_id != training.id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    _retire(db, actor, training, document, activity_id=activity_id)


def store_chat_file(db: Session, actor: Actor, *, session_id: int, name: str, data: bytes) -> Document:
    """Store a file sent in a session's chat (same checks and storage as module documents).

    Args:
        db: Database session.
        actor: A learner, trainer or tutor of the session (the caller checks the room).
        session_id: The session.
        name: The file's name.
        data: Its content.

    Returns:
        The document (no module: it belongs to the room).

    Raises:
        PlumeError: DOCUMENT_NAME_INVALID, DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE or DOCUMENT_TYPE.
    """
    # Those who may post (TALK): nobody once the session is archived, so no file lands in a read-only room.
    training, _ = access.access_session(db, actor, session_id, Capability.TALK)
    return _store_unattached(db, actor, training, name, data, what={"chat": True})


def store_private_file(db: Session, actor: Actor, *, session_id: int, name: str, data: bytes, purpose: str) -> Document:
    """Store a session's file that no module or chat message holds (a mission hand-in, a correction's file).

    Same checks and storage as module documents; `open_for_download` refuses it,
    so only the route of its owner (e.g. `app/api/missions.py`) serves it, with its own check.

    Args:
        db: Database session.
        actor: A member of the session (the caller checks what they may store).
        session_id: The session.
        name: The file's name.
        data: Its content.
        purpose: What it is, for the audit trail (e.g. "mission.hand_in").

    Returns:
        The document.

    Raises:
        PlumeError: NOT_FOUND, DOCUMENT_NAME_INVALID, DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE or DOCUMENT_TYPE.
    """
    training, _ = access.access_session(db, actor, session_id)
    return _store_unattached(db, actor, training, name, data, what={"purpose": purpose})


def _store_unattached(
    db: Session, actor: Actor, training: TrainingSession, name: str, data: bytes, *, what: dict[str, object]
) -> Document:
    document, _ = _new_document(db, actor, _check_file(name, data), session_id=training.id)
    db.flush()
    audit.by_actor(
        db,
        actor,
        "document.upload",
        organisation_id=training.organisation_id,
        target=f"document:{document.id}",
        after={"name": document.name, **what, "size": document.size, "sha256": document.sha256},
    )
    return document


def store(db: Session, actor: Actor, *, module_id: int, name: str, data: bytes) -> Document:
    """Add one file to a module.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        module_id: A module of a session.
        name: The file's name as given (shown to members, used for downloads).
        data: The file's content; its type is read from it, never from the name.

    Returns:
        The new document.

    Raises:
        PlumeError: NOT_FOUND, DOCUMENT_NAME_INVALID, DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE or
            DOCUMENT_TYPE (checked in that order).
    """
    return store_many(db, actor, module_id=module_id, files=[(name, data)])[0]


def _rows(db: Session, actor: Actor, role: SessionRole, module_ids: Collection[int]) -> dict[int, list[DocumentRow]]:
    """The documents (not deleted) of some modules, oldest first, in one query."""
    out: dict[int, list[DocumentRow]] = {m: [] for m in module_ids}
    if not out:
        return out
    rows = db.exec(
        select(Document, User)
        .outerjoin(User, col(User.id) == col(Document.uploaded_by_id))
        .where(col(Document.module_id).in_(sorted(out)), col(Document.deleted_at).is_(None))
        .order_by(col(Document.created_at), col(Document.id))
    ).all()
    for document, uploader in rows:
        out[document.module_id or 0].append(_row(actor, role, document, uploader))
    return out


def _row(actor: Actor, role: SessionRole, document: Document, uploader: User | None) -> DocumentRow:
    return DocumentRow(
        id=document.id or 0,
        name=document.name,
        size=document.size,
        content_type=document.content_type,
        uploader_name=uploader.display_name if uploader else "",
        created_at=paris_date_label(document.created_at),
        can_manage=_can_manage(actor, role, document),
    )


def list_for_module(db: Session, actor: Actor, module_id: int) -> list[DocumentRow]:
    """A module's documents, oldest first, for any member of its session (learners once it is open).

    Args:
        db: Database session.
        actor: A member of the module's session.
        module_id: The module.

    Returns:
        The documents not deleted.

    Raises:
        PlumeError: NOT_FOUND for a missing module and a forbidden one alike.
    """
    module, _, role = access.access_module(db, actor, module_id)
    if locked_for(db, module, role, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return _rows(db, actor, role, [module.id or 0])[module.id or 0]


def list_for_session(
    db: Session, actor: Actor, session_id: int, module_ids: Collection[int] | None = None
) -> dict[int, list[DocumentRow]]:
    """The documents of every module of a session open to the actor, per module (the session's page).

    The session's gate is checked once and the timeline walked once (a learner's
    locked modules are left out), then one query reads every module's files.

    Args:
        db: Database session.
        actor: A member of the session.
        session_id: The session.
        module_ids: Only these modules (those the page shows); the others are left out.

    Returns:
        Module id → its documents not deleted, oldest first (every open module has a list, maybe empty).

    Raises:
        PlumeError: NOT_FOUND for a missing session and a forbidden one alike.
    """
    training, role = access.access_session(db, actor, session_id)
    opened = [m.id or 0 for m in open_modules(db, training.id or 0, role, actor.user_id)]
    if module_ids is not None:
        shown = set(module_ids)
        opened = [m for m in opened if m in shown]
    return _rows(db, actor, role, opened)


def _can_manage(actor: Actor, role: SessionRole, document: Document) -> bool:
    """Staff of the session, or the uploader while still positioned on it as a trainer."""
    uploader = document.uploaded_by_id == actor.user_id
    return role.edits or (role.manages and uploader)


def _access_document(db: Session, actor: Actor, document_id: int) -> tuple[Document, TrainingSession, SessionRole]:
    """The documents' gate: `access.access_document`, then a module still locked to a learner looks missing."""
    document, training, role = access.access_document(db, actor, document_id)
    if document.module_id is None:
        # A file sent in the session's chat: every member of the room reads it (access checked it is attached).
        return document, training, role
    module = db.get(Module, document.module_id)
    if module is None or locked_for(db, module, role, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return document, training, role


def _managed_document(db: Session, actor: Actor, document_id: int) -> tuple[Document, TrainingSession]:
    document, training, role = _access_document(db, actor, document_id)
    if not _can_manage(actor, role, document):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return document, training


def rename(db: Session, actor: Actor, document_id: int, new_name: str) -> None:
    """Rename a document (staff of the session, or the trainer who uploaded it).

    Args:
        db: Database session.
        actor: The signed-in actor.
        document_id: The document.
        new_name: The new name, checked like an uploaded file's.

    Raises:
        PlumeError: NOT_FOUND, or DOCUMENT_NAME_INVALID (field "name").
    """
    document, training = _managed_document(db, actor, document_id)
    assert training.id is not None
    clean = _clean_name(new_name, field="name")
    if clean == document.name:
        return
    before = document.name
    document.name = clean
    db.add(document)
    audit.by_actor(
        db,
        actor,
        "document.rename",
        organisation_id=training.organisation_id,
        target=f"document:{document.id}",
        before={"name": before},
        after={"name": clean},
    )
    notify(db, session_topic(training.id), DocumentsChanged(op="renamed", module_id=document.module_id))


def delete(db: Session, actor: Actor, document_id: int) -> None:
    """Delete a document (staff of the session, or the trainer who uploaded it).

    The row stays, marked deleted, for the audit trail; the file is removed from disk
    once the transaction commits.

    Args:
        db: Database session.
        actor: The signed-in actor.
        document_id: The document.

    Raises:
        PlumeError: NOT_FOUND for a missing, already deleted or forbidden document.
    """
    document, training = _managed_document(db, actor, document_id)
    assert training.id is not None
    _retire(db, actor, training, document, module_id=document.module_id)
    notify(db, session_topic(training.id), DocumentsChanged(op="deleted", module_id=document.module_id))


def open_for_download(db: Session, actor: Actor, document_id: int) -> tuple[Path, str, str]:
    """Where a document's file is, for any member of its session (learners once its module is open).

    Args:
        db: Database session.
        actor: The signed-in actor.
        document_id: The document.

    Returns:
        The file's path, the name to download it as, and its content type.

    Raises:
        PlumeError: NOT_FOUND for a missing, deleted or forbidden document alike.
    """
    document, _, _ = _access_document(db, actor, document_id)
    path = get_settings().files_dir / document.stored_name
    if not path.is_file():
        raise PlumeError(ErrorCode.NOT_FOUND)
    return path, download_name(document.name, document.content_type), document.content_type


def store_course_image(db: Session, actor: Actor, *, course_id: int, name: str, data: bytes) -> Document:
    """Set a course's thumbnail (staff): an image, checked from its content, stored privately.

    Args:
        db: Database session.
        actor: A staff member of the course's organisation.
        course_id: The course.
        name: The file's name.
        data: Its content.

    Returns:
        The stored image.

    Raises:
        PlumeError: NOT_FOUND, DOCUMENT_NAME_INVALID, DOCUMENT_EMPTY, DOCUMENT_TOO_LARGE or DOCUMENT_TYPE.
    """
    course = access.access_course(db, actor, course_id)
    item = _check_file(name, data)
    if not item.content_type.startswith("image/"):
        raise PlumeError(ErrorCode.DOCUMENT_TYPE, field="files", name=str(name))
    document, _ = _new_document(db, actor, item)
    db.flush()
    course.thumbnail_document_id = document.id
    db.add(course)
    audit.by_actor(
        db,
        actor,
        "course.thumbnail",
        organisation_id=course.organisation_id,
        target=f"course:{course.id}",
        after={"document": document.id},
    )
    return document


def open_course_image(db: Session, actor: Actor, course_id: int) -> tuple[Path, str]:
    """A course's thumbnail, for any member of its organisation.

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course.

    Returns:
        The file's path and content type.

    Raises:
        PlumeError: NOT_FOUND when there is none or the actor is not a member.
    """
    course = access.access_member_course(db, actor, course_id)
    document = db.get(Document, course.thumbnail_document_id) if course.thumbnail_document_id else None
    if document is None or document.deleted_at is not None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    path = get_settings().files_dir / document.stored_name
    if not path.is_file():
        raise PlumeError(ErrorCode.NOT_FOUND)
    return path, document.content_type
