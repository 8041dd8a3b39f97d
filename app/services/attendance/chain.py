"""The attendance proof: each organisation's records, hash-chained and sealed with its Ed25519 key.

Each record's hash covers its facts, a salted digest of its personal fields and
the previous record's hash; its `seal` is the organisation's Ed25519 signature of
that hash, and the head row is sealed too. The private key lives in a file
outside the database (`PLUME_KEYS_DIR/attendance-org-<id>.ed25519`, mode 0600),
so someone who can write the database can delete or edit records but cannot
seal a recomputed chain: `verify_chain` needs only the public key. Truncating
the chain and restoring an older sealed head is caught by the heads published
outside the database (e-mails, PDF sheets): `verify_chain(head=...)` checks that
a published head is still a record of the chain.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import AttendanceChain, AttendanceRecord, Organisation
from app.models.base import utcnow
from app.services.errors import ErrorCode, PlumeError
from app.settings import get_settings

GENESIS = "0" * 64
PERSONAL_FIELDS = ("reason", "ip", "user_agent", "signature_sha256")
_RECORD_DOMAIN = b"plume-attendance-record:v1:"
_HEAD_DOMAIN = b"plume-attendance-head:v1:"
# One writer at a time per process; re-entrant so a test can append from a second session inside a commit.
_chain_lock = threading.RLock()
_key_lock = threading.Lock()
_keys: dict[Path, Ed25519PrivateKey] = {}

AfterAppend = Callable[[Session, AttendanceRecord], None]


class KeyFileError(RuntimeError):
    """An organisation's key file is unsafe (readable by others) or is not an Ed25519 key."""


def sha256_text(text: str) -> str:
    """SHA-256 of a text in UTF-8.

    Args:
        text: The text.

    Returns:
        Hex digest.
    """
    return hashlib.sha256(text.encode()).hexdigest()


def _canonical(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# --- What is chained ------------------------------------------------------------------------


def personal_digest(record: Any) -> str:
    """The salted digest of a record's personal fields (what the chain covers in their place).

    The salt is random per record and erased with the fields, so the digest of an
    erased record reveals nothing (an IP address cannot be guessed back from it).

    Args:
        record: An `AttendanceRecord` (or any object with the same attributes).

    Returns:
        Hex SHA-256.
    """
    content = {name: getattr(record, name) or "" for name in PERSONAL_FIELDS}
    content["salt"] = record.personal_salt
    return _canonical(content)


def record_hash(record: Any) -> str:
    """The hash of a record: its facts, its personal digest and the previous record's hash.

    Args:
        record: An `AttendanceRecord` (or any object with the same attributes).

    Returns:
        Hex SHA-256.
    """
    return _canonical(
        {
            "organisation_id": record.organisation_id,
            "seq": record.seq,
            "session_id": record.session_id,
            "slot_id": record.slot_id,
            "kind": record.kind,
            "subject_user_id": record.subject_user_id,
            "subject_role": record.subject_role,
            "status": record.status,
            "recorded_by_id": record.recorded_by_id,
            "on_trainer_device": bool(record.on_trainer_device),
            "corrects_id": record.corrects_id,
            "qr_verified": bool(record.qr_verified),
            "client_key": record.client_key,
            "unique_key": record.unique_key,
            "personal_digest": record.personal_digest,
            "created_at": record.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
            "prev_hash": record.prev_hash,
        }
    )


def _head_message(organisation_id: int, seq: int, hash_: str) -> bytes:
    return _HEAD_DOMAIN + f"{organisation_id}:{seq}:{hash_}".encode()


# --- The organisation's key -------------------------------------------------------------------


def key_path(organisation_id: int) -> Path:
    """Where an organisation's private key is kept (outside the database).

    Args:
        organisation_id: The organisation.

    Returns:
        The key file's path.
    """
    return get_settings().keys_dir / f"attendance-org-{int(organisation_id)}.ed25519"


def _write_new_key(path: Path) -> None:
    """Write a fresh key to `path`, unless another worker wrote one first (hard link never overwrites)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another worker created it first: use theirs
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def signing_key(organisation_id: int, *, create: bool = True) -> Ed25519PrivateKey:
    """An organisation's private key, created on first use.

    Args:
        organisation_id: The organisation.
        create: Whether a missing file may be created (never once the chain has records:
            a lost key must be restored, not silently replaced).

    Returns:
        The key.

    Raises:
        KeyFileError: The file is missing (and may not be created), readable by others,
            or not an Ed25519 private key.
    """
    path = key_path(organisation_id)
    with _key_lock:
        if (cached := _keys.get(path)) is not None and path.exists():
            return cached
        if not path.exists():
            if not create:
                msg = f"{path} is missing but the chain has sealed records: restore it from a backup."
                raise KeyFileError(msg)
            _write_new_key(path)
        if path.stat().st_mode & 0o077:
            msg = f"{path} must be readable by its owner only (chmod 600 {path})."
            raise KeyFileError(msg)
        try:
            key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        except ValueError as exc:
            msg = f"{path} is not a PEM private key."
            raise KeyFileError(msg) from exc
        if not isinstance(key, Ed25519PrivateKey):
            msg = f"{path} is not an Ed25519 private key."
            raise KeyFileError(msg)
        _keys[path] = key
        return key


def public_key_pem(key: Ed25519PublicKey) -> str:
    """A public key as PEM text (what an auditor keeps).

    Args:
        key: The public key.

    Returns:
        PEM.
    """
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    """Read a public key written by `public_key_pem`.

    Args:
        pem: The PEM bytes.

    Returns:
        The key.

    Raises:
        ValueError: Not an Ed25519 public key.
    """
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        msg = "not an Ed25519 public key"
        raise ValueError(msg)
    return key


def stored_public_key(organisation_id: int) -> Ed25519PublicKey | None:
    """The public half of the organisation's key file, without creating one.

    Args:
        organisation_id: The organisation.

    Returns:
        The key, or None when the organisation has no key file.
    """
    if not key_path(organisation_id).exists():
        return None
    return signing_key(organisation_id).public_key()


def _verifies(key: Ed25519PublicKey, seal: str, message: bytes) -> bool:
    try:
        key.verify(bytes.fromhex(seal), message)
    except (InvalidSignature, ValueError):
        return False
    return True


# --- Appending ----------------------------------------------------------------------------------


def seal_record(record: Any, prev_hash: str, key: Ed25519PrivateKey) -> None:
    """Fill a record's personal digest, hash and seal, chained after `prev_hash`.

    Args:
        record: The record (its seq and created_at set); a salt is drawn if it has none.
        prev_hash: The previous record's hash (GENESIS for the first).
        key: The organisation's private key.
    """
    record.personal_salt = record.personal_salt or secrets.token_hex(16)
    record.personal_digest = personal_digest(record)
    record.prev_hash = prev_hash
    record.hash = record_hash(record)
    record.seal = key.sign(_RECORD_DOMAIN + record.hash.encode()).hex()


def seal_head(head: AttendanceChain, key: Ed25519PrivateKey) -> None:
    """Seal the head row over (organisation, last seq, last hash).

    Args:
        head: The head row, already moved to the last record.
        key: The organisation's private key.
    """
    head.seal = key.sign(_head_message(head.organisation_id, head.last_seq, head.last_hash)).hex()


def existing(db: Session, unique_key: str) -> AttendanceRecord | None:
    """The record holding a unique key (a person's signature of a slot, a certification).

    Args:
        db: Database session.
        unique_key: The key.

    Returns:
        The record, or None.
    """
    return db.exec(select(AttendanceRecord).where(AttendanceRecord.unique_key == unique_key)).first()


def existing_keys(db: Session, unique_keys: Collection[str]) -> set[str]:
    """Which of several unique keys a record already holds (`existing` for a list, in one query).

    Args:
        db: Database session.
        unique_keys: The keys.

    Returns:
        The keys taken.
    """
    if not unique_keys:
        return set()
    query = select(AttendanceRecord.unique_key).where(col(AttendanceRecord.unique_key).in_(sorted(unique_keys)))
    return {key for key in db.exec(query).all() if key}


def append_record(
    db: Session,
    record: AttendanceRecord,
    *,
    at: datetime | None = None,
    then: AfterAppend | None = None,
) -> tuple[AttendanceRecord, bool]:
    """Append a record to its organisation's chain, seal it and the head, and commit at once.

    One writer at a time per process (the lock); across processes the head row is
    locked (PostgreSQL) and the (organisation, seq) and unique-key constraints
    refuse a concurrent duplicate: the transaction rolls back and is tried again.
    `then` adds what goes with the record (audit rows, live events, e-mails) to the
    same transaction, on every try, so they are stored and sent exactly when the
    record is.

    Args:
        db: Database session (committed here).
        record: The new record, without seq and hashes.
        at: Its time (now by default; the demo seed backdates).
        then: Called with (db, record) once the record has its seq, time and hash, before commit.

    Returns:
        The stored record, and whether it is new (False: the unique key existed).

    Raises:
        PlumeError: INVALID_INPUT after five conflicting tries.
    """
    for _ in range(5):
        with _chain_lock:
            if record.unique_key and (found := existing(db, record.unique_key)) is not None:
                return found, False
            head = db.exec(
                select(AttendanceChain)
                .where(AttendanceChain.organisation_id == record.organisation_id)
                .with_for_update()
                .execution_options(populate_existing=True)
            ).first()
            if head is None:
                head = AttendanceChain(organisation_id=record.organisation_id, last_seq=0, last_hash=GENESIS)
            key = signing_key(record.organisation_id, create=head.last_seq == 0)
            record.seq = head.last_seq + 1
            record.created_at = at or utcnow()
            seal_record(record, head.last_hash or GENESIS, key)
            head.last_seq, head.last_hash = record.seq, record.hash
            seal_head(head, key)
            db.add(record)
            db.add(head)
            if then is not None:
                then(db, record)
            try:
                db.commit()
            except IntegrityError:
                db.rollback()
                continue
            return record, True
    raise PlumeError(ErrorCode.INVALID_INPUT)


# --- Erasure --------------------------------------------------------------------------------------


def erase_personal_fields(db: Session, subject_user_id: int) -> int:
    """Tombstone a person's attendance records: their personal fields and salt are emptied.

    The chain keeps each record's personal digest, so it still verifies; the
    facts (who, which slot, present or absent, when) stay.

    Args:
        db: Database session (committed here).
        subject_user_id: The person whose data is erased.

    Returns:
        How many records were erased.
    """
    rows = db.exec(
        select(AttendanceRecord).where(
            AttendanceRecord.subject_user_id == subject_user_id, col(AttendanceRecord.erased_at).is_(None)
        )
    ).all()
    now = utcnow()
    for row in rows:
        for name in PERSONAL_FIELDS:
            setattr(row, name, "")
        row.signature_svg = ""
        row.personal_salt = ""
        row.erased_at = now
        db.add(row)
    db.commit()
    return len(rows)


# --- Verifying ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """What `verify_chain` found."""

    ok: bool
    records: int
    organisations: int
    problem: str = ""
    organisation_id: int | None = None
    record_id: int | None = None
    seq: int | None = None
    erased: int = 0
    head_seq: int | None = None
    head_organisation_id: int | None = None


def verify_chain(
    db: Session,
    organisation_id: int | None = None,
    *,
    public_key: Ed25519PublicKey | None = None,
    head: str | None = None,
) -> ChainReport:
    """Walk every organisation's chain and report the first broken record.

    Problems: `no_key` (no public key to check the seals with), `deleted` (a
    sequence number or the link to the previous hash is missing), `reordered`,
    `personal_edited` (a personal field no longer matches its digest), `edited`
    (the hash no longer matches the content), `forged` (the seal is not the
    organisation's: the chain was recomputed without its key), `signature_edited`
    (the image no longer matches its SHA-256), `head` (the head row is not the
    last record's, or its seal is wrong: records removed from the end),
    `head_unknown` (the published head given is not a record of the chain).

    Args:
        db: Database session.
        organisation_id: One organisation only (all by default).
        public_key: The organisation's public key as the auditor holds it (requires
            `organisation_id`); by default the key file's public half.
        head: A published head hash that must be a record of the checked chain(s).

    Returns:
        The report.
    """
    query = select(AttendanceChain)
    if organisation_id is not None:
        query = query.where(AttendanceChain.organisation_id == organisation_id)
    heads = {h.organisation_id: h for h in db.exec(query.execution_options(populate_existing=True)).all()}
    org_query = select(AttendanceRecord.organisation_id).distinct()
    if organisation_id is not None:
        org_query = org_query.where(AttendanceRecord.organisation_id == organisation_id)
    orgs = sorted(set(heads) | set(db.exec(org_query).all()))
    total = erased = 0
    found: tuple[int, int] | None = None
    for org in orgs:

        def broken(problem: str, row: AttendanceRecord | None, org: int = org, done: int = total) -> ChainReport:
            return ChainReport(
                ok=False,
                records=done,
                organisations=len(orgs),
                problem=problem,
                organisation_id=org,
                record_id=row.id if row else None,
                seq=row.seq if row else None,
            )

        key = public_key if public_key is not None and org == organisation_id else stored_public_key(org)
        if key is None:
            return broken("no_key", None)
        rows = db.exec(
            select(AttendanceRecord)
            .where(AttendanceRecord.organisation_id == org)
            .order_by(col(AttendanceRecord.seq), col(AttendanceRecord.id))
            .execution_options(populate_existing=True)
        ).all()
        problem, row = _walk(rows, key)
        if problem:
            return broken(problem, row)
        chain_head = heads.get(org)
        last_seq, last_hash = (rows[-1].seq, rows[-1].hash) if rows else (0, GENESIS)
        if (
            chain_head is None
            or (chain_head.last_seq, chain_head.last_hash or GENESIS) != (last_seq, last_hash)
            or not _verifies(key, chain_head.seal, _head_message(org, chain_head.last_seq, chain_head.last_hash))
        ):
            return broken("head", rows[-1] if rows else None)
        total += len(rows)
        erased += sum(1 for r in rows if r.erased_at is not None)
        if head and found is None:
            found = next(((org, r.seq) for r in rows if r.hash == head), None)
    if head and found is None:
        return ChainReport(ok=False, records=total, organisations=len(orgs), problem="head_unknown", erased=erased)
    return ChainReport(
        ok=True,
        records=total,
        organisations=len(orgs),
        erased=erased,
        head_organisation_id=found[0] if found else None,
        head_seq=found[1] if found else None,
    )


def _walk(rows: Iterable[AttendanceRecord], key: Ed25519PublicKey) -> tuple[str, AttendanceRecord | None]:
    """The first problem in one organisation's records, in chain order ("" when sound)."""
    seen: list[AttendanceRecord] = list(rows)
    known_hashes = {r.hash for r in seen}
    previous, last_id, expected = GENESIS, 0, 1
    for row in seen:
        if row.seq != expected:
            return ("deleted" if row.seq > expected else "reordered"), row
        if (row.id or 0) <= last_id:
            return "reordered", row
        if row.prev_hash != previous:
            return ("reordered" if row.prev_hash in known_hashes else "deleted"), row
        if row.erased_at is None and personal_digest(row) != row.personal_digest:
            return "personal_edited", row
        if row.erased_at is not None and any(getattr(row, n) for n in (*PERSONAL_FIELDS, "signature_svg")):
            return "personal_edited", row
        if record_hash(row) != row.hash:
            return "edited", row
        if not _verifies(key, row.seal, _RECORD_DOMAIN + row.hash.encode()):
            return "forged", row
        if row.kind == "signature" and row.erased_at is None and sha256_text(row.signature_svg) != row.signature_sha256:
            return "signature_edited", row
        previous, last_id, expected = row.hash, row.id or 0, expected + 1
    return "", None


@dataclass(frozen=True)
class PublishedHead:
    """A published head found in an organisation's chain (the public verification page)."""

    organisation_id: int
    organisation_name: str
    seq: int
    created_at: datetime
    sealed: bool
    later_records: int
    public_key_pem: str


_HEX64 = frozenset("0123456789abcdef")


def find_head(db: Session, organisation_id: int, head_hash: str) -> PublishedHead | None:
    """Whether a published head is a record of the organisation's chain, with its seal checked.

    A quick check for the page a PDF sheet links to (one record, no walk of the
    chain); `verify_chain` with the public key is the auditor's full check.

    Args:
        db: Database session.
        organisation_id: The organisation.
        head_hash: The published hash.

    Returns:
        What was found, or None when the hash is not a record of that chain.
    """
    if len(head_hash) != 64 or not set(head_hash) <= _HEX64:
        return None
    row = db.exec(
        select(AttendanceRecord).where(
            AttendanceRecord.organisation_id == organisation_id, AttendanceRecord.hash == head_hash
        )
    ).first()
    key = stored_public_key(organisation_id)
    if row is None or key is None:
        return None
    chain_head = db.get(AttendanceChain, organisation_id)
    organisation = db.get(Organisation, organisation_id)
    return PublishedHead(
        organisation_id=organisation_id,
        organisation_name=organisation.name if organisation else "",
        seq=row.seq,
        created_at=row.created_at,
        sealed=record_hash(row) == row.hash and _verifies(key, row.seal, _RECORD_DOMAIN + row.hash.encode()),
        later_records=max(0, (chain_head.last_seq if chain_head else 0) - row.seq),
        public_key_pem=public_key_pem(key),
    )
