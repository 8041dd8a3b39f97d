"""Enrolment by CSV ("Inscription par CSV"): read a file of addresses, preview it, apply it in one transaction.

A file is either a plain list of e-mail addresses or a registration export (`Nom;Mail;Fonction;Grade`,
`prénom, nom, e-mail, type`...). Nothing is written by the preview; the apply re-reads the database in the
same transaction, so applying the same file twice changes nothing the second time. Every read and write is
done by batches of addresses (never one query per line): 10,000 lines take a handful of queries.
"""

from __future__ import annotations

import csv
import io
import os
import re
import secrets
import socket
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, insert, update
from sqlmodel import Session, col, select

from app.i18n import t
from app.live.bus import notify
from app.live.contract import PeopleChanged, session_topic
from app.models import Enrolment, EnrolmentImport, Membership, Organisation, User, UserToken
from app.models.base import utcnow
from app.models.events import name_key
from app.models.training import ENROLMENT_KINDS
from app.services import audit
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.crypto import hash_token, new_token
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import enqueue_email, seal
from app.services.templates import Template
from app.settings import get_settings

MAX_LINES = 20_000
MAX_BYTES = 8 * 1024 * 1024
# Ids per IN (...) list: well under SQLite's bound on query parameters.
CHUNK = 900
# A new account's first link: choosing a password, valid as long as a staff invitation.
INVITE_LIFETIME = timedelta(days=14)
OUTCOMES = ("enrolled", "created", "already", "invalid", "duplicate")
CHANGING = ("enrolled", "created")

_ADDRESS_HEADERS = {"mail", "email", "e-mail", "courriel", "adresse", "adresse mail", "adresse e-mail", "address"}
_FIRST_HEADERS = {"prenom", "first name", "firstname", "given name"}
_LAST_HEADERS = {"nom", "last name", "lastname", "surname", "name", "nom complet", "full name"}
_KIND_HEADERS = {"type", "type d'inscription", "enrolment type", "enrollment type", "inscription"}
_KIND_WORDS = {
    "obligatoire": "mandatory",
    "mandatory": "mandatory",
    "designe": "mandatory",
    "recommandee": "recommended",
    "recommande": "recommended",
    "recommended": "recommended",
    "libre": "free",
    "free": "free",
    "individuelle": "free",
}
_T = TypeVar("_T")
_LOOKS_LIKE_ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+$")


def _fold(text: str) -> str:
    """Lower-case without accents, for matching headers and types ("Prénom" → "prenom")."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@dataclass(frozen=True)
class CsvRow:
    """One data line of the file, as read."""

    line: int
    address: str
    first_name: str
    last_name: str
    kind: str


@dataclass(frozen=True)
class ParsedFile:
    """The file's lines and how it was read."""

    rows: list[CsvRow]
    delimiter: str
    header: bool
    encoding: str


def decode(data: bytes) -> tuple[str, str]:
    """Decode a file strictly as UTF-8 (with or without BOM), else as Windows-1252.

    Args:
        data: The file's bytes.

    Returns:
        The text and the encoding's name.

    Raises:
        PlumeError: CSV_NOT_TEXT for a binary file.
    """
    if b"\x00" in data[:4096]:
        raise PlumeError(ErrorCode.CSV_NOT_TEXT, field="file")
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:  # Excel on Windows saves "CSV (séparateur: point-virgule)" in Windows-1252
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise PlumeError(ErrorCode.CSV_NOT_TEXT, field="file") from exc


def _delimiter(sample: str) -> str:
    first = next((line for line in sample.splitlines() if line.strip()), "")
    try:
        found = csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        found = ""
    # The sniffer can pick a separator that only appears inside quotes or names: keep it only when the
    # first line splits on it; else take the candidate the first line holds most (a single column: any).
    if found and found in first:
        return found
    counts = {d: first.count(d) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _is_address(value: str) -> bool:
    return bool(_LOOKS_LIKE_ADDRESS.match(value.strip()))


def parse(data: bytes, *, kind: str = "mandatory") -> ParsedFile:
    """Read a CSV of addresses or a registration export.

    Args:
        data: The file's bytes.
        kind: The enrolment type for lines whose file gives none.

    Returns:
        Its data lines (line numbers as a spreadsheet shows them).

    Raises:
        PlumeError: CSV_NOT_TEXT, CSV_EMPTY, CSV_TOO_LARGE, CSV_TOO_MANY_LINES, CSV_NO_ADDRESS_COLUMN or CSV_JUNK.
    """
    if len(data) > MAX_BYTES:
        raise PlumeError(ErrorCode.CSV_TOO_LARGE, field="file", max=str(MAX_BYTES // (1024 * 1024)))
    text, encoding = decode(data)
    if not text.strip():
        raise PlumeError(ErrorCode.CSV_EMPTY, field="file")
    delimiter = _delimiter(text[:20_000])
    try:
        records = [
            (number, [cell.strip() for cell in cells])
            for number, cells in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), 1)
            if any(cell.strip() for cell in cells)
        ]
    except csv.Error as exc:
        raise PlumeError(ErrorCode.CSV_NOT_TEXT, field="file") from exc
    if not records:
        raise PlumeError(ErrorCode.CSV_EMPTY, field="file")
    first = [_fold(cell) for cell in records[0][1]]
    header = not any(_is_address(cell) for cell in records[0][1]) and any(
        cell in _ADDRESS_HEADERS | _FIRST_HEADERS | _LAST_HEADERS | _KIND_HEADERS for cell in first
    )
    body = records[1:] if header else records
    if len(body) > MAX_LINES:
        raise PlumeError(ErrorCode.CSV_TOO_MANY_LINES, field="file", max=f"{MAX_LINES:,}".replace(",", " "))
    columns = _columns(first if header else [], body)
    address_col, first_col, last_col, kind_col = columns
    rows = [
        CsvRow(
            line=number,
            address=_cell(cells, address_col),
            first_name=_cell(cells, first_col)[:100],
            last_name=_cell(cells, last_col)[:100],
            kind=_KIND_WORDS.get(_fold(_cell(cells, kind_col)), kind),
        )
        for number, cells in body
    ]
    looking = sum(1 for row in rows if _is_address(row.address))
    # A column of names or codes is a wrong file, not a thousand "invalid address" lines.
    if rows and looking * 2 < len(rows):
        raise PlumeError(ErrorCode.CSV_JUNK, field="file")
    return ParsedFile(rows, delimiter, header, encoding)


def _cell(cells: Sequence[str], index: int | None) -> str:
    return cells[index] if index is not None and index < len(cells) else ""


def _columns(header: list[str], body: list[tuple[int, list[str]]]) -> tuple[int, int | None, int | None, int | None]:
    """Which column holds the address, first name, last name and enrolment type."""

    def find(names: set[str]) -> int | None:
        return next((i for i, cell in enumerate(header) if cell in names), None)

    address = find(_ADDRESS_HEADERS)
    if address is None:  # no header, or one without an address title: the column that holds addresses
        sample = body[:200]
        width = max((len(cells) for _, cells in sample), default=0)
        scores = [sum(1 for _, cells in sample if _is_address(_cell(cells, i))) for i in range(width)]
        if not scores or max(scores) == 0:
            raise PlumeError(ErrorCode.CSV_NO_ADDRESS_COLUMN, field="file")
        address = scores.index(max(scores))
    return address, find(_FIRST_HEADERS), find(_LAST_HEADERS), find(_KIND_HEADERS)


@dataclass(frozen=True)
class PreviewLine:
    """What one line does (or did): an outcome from OUTCOMES and the i18n key of its reason."""

    line: int
    address: str
    name: str
    kind: str
    outcome: str
    reason: str
    params: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Preview:
    """Every line's outcome, the counts per outcome and how many places the session lacks."""

    lines: list[PreviewLine]
    counts: dict[str, int]
    over_capacity: int = 0

    @property
    def changes(self) -> int:
        """How many lines write something (an enrolment, maybe an account)."""
        return sum(self.counts[o] for o in CHANGING)


@dataclass
class _Known:
    users: dict[str, tuple[int, bool]]  # address -> (user id, active)
    members: dict[int, bool]  # user id -> is a learner of the organisation
    enrolled: set[int]


def _chunks(values: Sequence[_T]) -> Iterable[Sequence[_T]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _known(db: Session, organisation_id: int, session_id: int, addresses: list[str]) -> _Known:
    users: dict[str, tuple[int, bool]] = {}
    for emails in _chunks(addresses):
        for uid, email, active in db.exec(
            select(User.id, User.email, User.is_active).where(col(User.email).in_(emails))
        ).all():
            users[email] = (uid or 0, active)
    ids = [uid for uid, _ in users.values()]
    members: dict[int, bool] = {}
    enrolled: set[int] = set()
    for part in _chunks(ids):
        for uid, learner in db.exec(
            select(Membership.user_id, Membership.is_learner).where(
                Membership.organisation_id == organisation_id, col(Membership.user_id).in_(part)
            )
        ).all():
            members[uid] = learner
        enrolled.update(
            db.exec(
                select(Enrolment.user_id).where(Enrolment.session_id == session_id, col(Enrolment.user_id).in_(part))
            ).all()
        )
    return _Known(users, members, enrolled)


def _normalised(address: str) -> tuple[str, str]:
    """The address as stored, or "" and the reason it is refused."""
    raw = address.strip()
    if not raw:
        return "", "enrolment_csv.reason.empty"
    try:
        checked = validate_email(raw, check_deliverability=False, test_environment=True)
    except EmailNotValidError:
        return "", "enrolment_csv.reason.invalid"
    return checked.normalized.lower(), ""


def _classify(db: Session, organisation_id: int, session_id: int, parsed: ParsedFile, capacity: int | None) -> Preview:
    checked = [(row, *_normalised(row.address)) for row in parsed.rows]
    known = _known(db, organisation_id, session_id, sorted({a for _, a, _ in checked if a}))
    first_line: dict[str, int] = {}
    lines: list[PreviewLine] = []
    for row, address, refused in checked:
        name = f"{row.first_name} {row.last_name}".strip()
        shown = address or row.address[:254]
        if refused:
            lines.append(PreviewLine(row.line, shown, name, row.kind, "invalid", refused))
            continue
        if address in first_line:
            reason = "enrolment_csv.reason.duplicate"
            lines.append(
                PreviewLine(row.line, shown, name, row.kind, "duplicate", reason, {"line": str(first_line[address])})
            )
            continue
        first_line[address] = row.line
        user = known.users.get(address)
        if user is None:
            lines.append(PreviewLine(row.line, address, name, row.kind, "created", "enrolment_csv.reason.new"))
        elif not user[1]:
            lines.append(PreviewLine(row.line, address, name, row.kind, "invalid", "enrolment_csv.reason.inactive"))
        elif user[0] in known.enrolled:
            lines.append(PreviewLine(row.line, address, name, row.kind, "already", "enrolment_csv.reason.already"))
        else:
            reason = "enrolment_csv.reason.member" if user[0] in known.members else "enrolment_csv.reason.joins"
            lines.append(PreviewLine(row.line, address, name, row.kind, "enrolled", reason))
    counts = {o: 0 for o in OUTCOMES}
    for line in lines:
        counts[line.outcome] += 1
    over = 0
    if capacity is not None:
        current = int(db.exec(select(func.count(col(Enrolment.id))).where(Enrolment.session_id == session_id)).one())
        over = max(0, current + counts["enrolled"] + counts["created"] - capacity)
    return Preview(lines, counts, over)


def preview(db: Session, actor: Actor, session_id: int, data: bytes, *, kind: str = "mandatory") -> Preview:
    """What importing a file would do, line by line; nothing is written.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session (MANAGE).
        session_id: The session.
        data: The file's bytes.
        kind: The enrolment type for lines whose file gives none.

    Returns:
        Every line's outcome.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, or one of the file errors of `parse`.
    """
    training, _ = access_session(db, actor, session_id, Capability.MANAGE)
    if kind not in ENROLMENT_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    parsed = parse(data, kind=kind)
    return _classify(db, training.organisation_id, training.id or 0, parsed, training.max_participants)


def _invite_template(language: str) -> Template:
    return Template(t(language, "enrolment_csv.mail.subject"), t(language, "enrolment_csv.mail.body"))


def apply(
    db: Session,
    actor: Actor,
    session_id: int,
    data: bytes,
    *,
    kind: str = "mandatory",
    progress: Callable[[int, int], None] | None = None,
) -> Preview:
    """Import a file: enrol the known people, create and invite the others; the caller commits once.

    Everything happens in the caller's transaction (all or nothing); the lines are read again here, so
    a second import of the same file finds everyone "already enrolled" and writes nothing.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session (MANAGE).
        session_id: The session.
        data: The file's bytes.
        kind: The enrolment type for lines whose file gives none.
        progress: Told (done, total) as the batches are written.

    Returns:
        What each line did.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, SESSION_FULL, or one of the file errors of `parse`.
    """
    training, _ = access_session(db, actor, session_id, Capability.MANAGE)
    if kind not in ENROLMENT_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    parsed = parse(data, kind=kind)
    org_id, sid = training.organisation_id, training.id or 0
    result = _classify(db, org_id, sid, parsed, training.max_participants)
    if result.over_capacity:
        raise PlumeError(ErrorCode.SESSION_FULL, max=str(training.max_participants))
    total = result.changes
    if progress:
        progress(0, total)
    now = utcnow()
    new = [line for line in result.lines if line.outcome == "created"]
    rows_by_line = {row.line: row for row in parsed.rows}
    if new:
        accounts = []
        for line in new:
            row = rows_by_line.get(line.line)
            accounts.append(
                _row(
                    User,
                    email=line.address,
                    first_name=row.first_name if row else "",
                    last_name=row.last_name if row else "",
                    created_at=now,
                )
            )
        for batch in _chunks(accounts):
            db.execute(insert(User), list(batch))
    ids: dict[str, int] = {}
    changing = [line for line in result.lines if line.outcome in CHANGING]
    for emails in _chunks([line.address for line in changing]):
        ids.update(
            {e: i or 0 for i, e in db.exec(select(User.id, User.email).where(col(User.email).in_(emails))).all()}
        )
    user_ids = [ids[line.address] for line in changing]
    members: dict[int, bool] = {}
    for part in _chunks(user_ids):
        members.update(
            db.exec(
                select(Membership.user_id, Membership.is_learner).where(
                    Membership.organisation_id == org_id, col(Membership.user_id).in_(part)
                )
            ).all()
        )
    joining = [
        _row(Membership, user_id=u, organisation_id=org_id, is_learner=True, created_at=now)
        for u in user_ids
        if u not in members
    ]
    for batch in _chunks(joining):
        db.execute(insert(Membership), list(batch))
    promote = [u for u, learner in members.items() if not learner]
    for part in _chunks(promote):
        db.execute(
            update(Membership)
            .where(col(Membership.organisation_id) == org_id, col(Membership.user_id).in_(part))
            .values(is_learner=True)
        )
    names = {}
    for part in _chunks(user_ids):
        names.update(
            {
                i: name_key(last, first)
                for i, last, first in db.exec(
                    select(User.id, User.last_name, User.first_name).where(col(User.id).in_(part))
                ).all()
            }
        )
    enrolments = [
        _row(
            Enrolment,
            session_id=sid,
            user_id=ids[line.address],
            kind=line.kind,
            sort_name=names.get(ids[line.address], ""),
            created_at=now,
        )
        for line in changing
    ]
    done = 0
    for batch in _chunks(enrolments):
        db.execute(insert(Enrolment), list(batch))
        done += len(batch)
        if progress:
            progress(done, total)
    if new:
        _invite(db, training.title, org_id, [ids[line.address] for line in new])
    audit.record(
        db,
        "session.enrol_csv",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"session:{sid}",
        after={o: result.counts[o] for o in OUTCOMES},
    )
    if changing:
        notify(db, session_topic(sid), PeopleChanged())
    return result


_DEFAULT_ROWS: dict[type, dict[str, object]] = {}


def _row(model: type, **values: object) -> dict[str, object]:
    """A row for a bulk INSERT: the model's defaults (worked out once per table) and these values.

    Building 10,000 SQLModel objects costs more than the whole INSERT; a dict copy does not.
    """
    if model not in _DEFAULT_ROWS:
        sample = {name: values[name] for name in ("email", "token_hash", "expires_at") if name in values}
        _DEFAULT_ROWS[model] = model(**sample).model_dump(exclude={"id"})
    return {**_DEFAULT_ROWS[model], **values}


def _invite(db: Session, session_title: str, organisation_id: int, user_ids: list[int]) -> None:
    """Give each new account a 14-day link to choose a password, in a sealed e-mail (the outbox masks it)."""
    org = db.get(Organisation, organisation_id)
    base = get_settings().base_url
    now = utcnow()
    tokens = []
    for part in _chunks(user_ids):
        for user in db.exec(select(User).where(col(User.id).in_(part))).all():
            token = new_token()
            tokens.append(
                _row(
                    UserToken,
                    user_id=user.id or 0,
                    purpose="reset",
                    token_hash=hash_token(token),
                    created_at=now,
                    expires_at=now + INVITE_LIFETIME,
                )
            )
            message = seal(
                _invite_template(user.language),
                {
                    "prenom": user.first_name or user.last_name,  # an export's "Nom" column may hold the whole name
                    "nom": user.last_name,
                    "organisation": org.name if org else "",
                    "session": session_title,
                    "lien": f"{base}/reinitialiser?jeton={token}",
                },
                secret_tags=("lien",),
            )
            enqueue_email(
                db, to=user.email, message=message, kind="enrolment_invitation", organisation_id=organisation_id
            )
    for batch in _chunks(tokens):
        db.execute(insert(UserToken), list(batch))


REPORT_COLUMNS = ("line", "address", "name", "kind", "outcome", "reason")


def report_csv(result: Preview, language: str) -> bytes:
    """The result report ("Résultat de vos inscriptions par CSV"), for a spreadsheet (UTF-8 with BOM, `;`).

    Args:
        result: What the import did.
        language: The reader's language.

    Returns:
        The CSV file.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([t(language, f"enrolment_csv.column.{c}") for c in REPORT_COLUMNS])
    for line in result.lines:
        writer.writerow(
            [
                line.line,
                _safe(line.address),
                _safe(line.name),
                t(language, f"enrolment.{line.kind}"),
                t(language, f"enrolment_csv.outcome.{line.outcome}"),
                t(language, line.reason, **line.params),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe(value: str) -> str:
    """Keep a spreadsheet from running a cell as a formula (=, +, -, @ first)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


# Jobs: a large file runs as a background task; its row keeps the outcome for when the person comes back.
# Progress lives in this process while a job runs: its writes are one transaction, invisible until the end.
_PROGRESS: dict[int, tuple[int, int]] = {}
# The process that claims a job signs it (`EnrolmentImport.worker`): host, pid, and a token drawn at start-up
# (a restarted server may get the same pid). A job still "running" whose process is gone was rolled back with
# it, so its author's next visit queues it again (`resume_orphaned`); applying it twice changes nothing.
WORKER = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
_RUNNING: set[int] = set()  # the jobs this process runs now
# Another host's job, or one signed by no process, is given up on after this long (one runs in seconds).
ORPHANED_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class JobView:
    """A CSV enrolment job as its page shows it."""

    id: int
    file_name: str
    status: str
    done: int
    total: int
    counts: dict[str, int]
    error: str


def start_job(db: Session, actor: Actor, session_id: int, *, file_name: str, data: bytes, kind: str) -> int:
    """Check a file and queue its import; a bad file is refused here, before any job exists.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session (MANAGE).
        session_id: The session.
        file_name: The uploaded file's name (shown back).
        data: The file's bytes.
        kind: The enrolment type for lines whose file gives none.

    Returns:
        The job id.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, SESSION_FULL, or one of the file errors of `parse`.
    """
    found = preview(db, actor, session_id, data, kind=kind)
    if found.over_capacity:
        training, _ = access_session(db, actor, session_id, Capability.MANAGE)
        raise PlumeError(ErrorCode.SESSION_FULL, max=str(training.max_participants))
    text, _ = decode(data)
    job = EnrolmentImport(
        session_id=session_id,
        created_by_id=actor.user_id,
        file_name=file_name[:200],
        kind=kind,
        total=found.changes,
        source=text,
    )
    db.add(job)
    db.flush()
    return job.id or 0


def _own_job(db: Session, actor: Actor, job_id: int) -> EnrolmentImport:
    job = db.get(EnrolmentImport, job_id) if isinstance(job_id, int) else None
    if job is None or job.created_by_id != actor.user_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    access_session(db, actor, job.session_id, Capability.MANAGE)
    return job


def mark_running(db: Session, actor: Actor, job_id: int) -> bool:
    """Take a queued job (committed before the long transaction, so a returning page sees it running).

    Args:
        db: Database session.
        actor: The job's author.
        job_id: The job.

    Returns:
        Whether the job was queued and is now this caller's to run.

    Raises:
        PlumeError: NOT_FOUND.
    """
    _own_job(db, actor, job_id)
    claimed = db.execute(
        update(EnrolmentImport)
        .where(col(EnrolmentImport.id) == job_id, col(EnrolmentImport.status) == "queued")
        .values(status="running", worker=WORKER)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        return False  # another tab (or a resumed run) took it first
    _RUNNING.add(job_id)
    return True


def release(job_id: int) -> None:
    """Forget a job this process ran (called once its outcome is committed, or it failed).

    Args:
        job_id: The job.
    """
    _RUNNING.discard(job_id)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def worker_gone(worker: str, started: datetime, job_id: int, now: datetime) -> bool:
    """Whether the process that claimed a job is gone (so the job will never finish by itself).

    Args:
        worker: The job's `worker` signature ("" if none).
        started: When the job was created.
        job_id: The job.
        now: The time now.

    Returns:
        True when it is this process's and not running here, when its process on this host has exited,
        or (another host, no signature) when it has been running for longer than `ORPHANED_AFTER`.
    """
    if worker == WORKER:
        return job_id not in _RUNNING
    host, _, rest = worker.partition(":")
    pid, _, _token = rest.partition(":")
    if worker and host == socket.gethostname() and pid.isdigit():
        return int(pid) == os.getpid() or not _process_alive(int(pid))  # our pid, an earlier token: a restart
    return now - started > ORPHANED_AFTER


def resume_orphaned(db: Session, actor: Actor, job_id: int) -> bool:
    """Queue again a job left "running" by a process that stopped (a server crash), to run it afresh.

    Nothing of it was written: its enrolments are one transaction, rolled back with the process.

    Args:
        db: Database session.
        actor: The job's author.
        job_id: The job.

    Returns:
        Whether the job was orphaned and is queued again (the caller then runs it).

    Raises:
        PlumeError: NOT_FOUND.
    """
    job = _own_job(db, actor, job_id)
    if job.status != "running" or not worker_gone(job.worker, job.created_at, job_id, utcnow()):
        return False
    requeued = db.execute(
        update(EnrolmentImport)
        .where(
            col(EnrolmentImport.id) == job_id,
            col(EnrolmentImport.status) == "running",
            col(EnrolmentImport.worker) == job.worker,
        )
        .values(status="queued", worker="")
    )
    if requeued.rowcount != 1:  # type: ignore[attr-defined]  # CursorResult has rowcount
        return False
    audit.record(
        db,
        "enrolment_import.resume",
        actor_user_id=actor.user_id,
        target=f"enrolment_import:{job_id}",
        before={"worker": job.worker},
    )
    return True


def run_job(db: Session, actor: Actor, job_id: int) -> JobView:
    """Apply a running job's file in the caller's transaction and keep its result report.

    Args:
        db: Database session.
        actor: The job's author.
        job_id: The job.

    Returns:
        The finished job.

    Raises:
        PlumeError: NOT_FOUND, or why the file cannot be applied (the caller records it with `fail_job`).
    """
    job = _own_job(db, actor, job_id)

    def told(done: int, total: int) -> None:
        _PROGRESS[job_id] = (done, total)

    try:
        result = apply(db, actor, job.session_id, job.source.encode("utf-8"), kind=job.kind, progress=told)
    finally:
        _PROGRESS.pop(job_id, None)
    job.status = "done"
    job.done = result.changes
    job.total = result.changes
    job.report = report_csv(result, actor.language).decode("utf-8")
    job.summary = ",".join(f"{o}={result.counts[o]}" for o in OUTCOMES)
    job.source = ""  # the addresses are in the report now; the upload is not kept twice
    job.finished_at = utcnow()
    db.add(job)
    return _view(job)


def fail_job(db: Session, actor: Actor, job_id: int, code: str) -> None:
    """Record why a job could not be applied (nothing of it was written).

    Args:
        db: Database session.
        actor: The job's author.
        job_id: The job.
        code: The error code.
    """
    job = _own_job(db, actor, job_id)
    job.status = "failed"
    job.error = code[:300]
    job.source = ""
    job.finished_at = utcnow()
    db.add(job)


def _view(job: EnrolmentImport) -> JobView:
    counts = {o: 0 for o in OUTCOMES}
    for part in job.summary.split(","):
        name, _, value = part.partition("=")
        if name in counts and value.isdigit():
            counts[name] = int(value)
    done, total = _PROGRESS.get(job.id or 0, (job.done, job.total))
    return JobView(job.id or 0, job.file_name, job.status, done, total, counts, job.error)


def job_view(db: Session, actor: Actor, job_id: int) -> JobView:
    """A job of the actor's, with its live progress while it runs.

    Args:
        db: Database session.
        actor: The job's author.
        job_id: The job.

    Returns:
        The job.

    Raises:
        PlumeError: NOT_FOUND.
    """
    return _view(_own_job(db, actor, job_id))


def latest_job(db: Session, actor: Actor, session_id: int) -> JobView | None:
    """The actor's last CSV import on a session, so its result waits for them when they come back.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session (MANAGE).
        session_id: The session.

    Returns:
        The job, or None.

    Raises:
        PlumeError: NOT_FOUND.
    """
    access_session(db, actor, session_id, Capability.MANAGE)
    job = db.exec(
        select(EnrolmentImport)
        .where(EnrolmentImport.session_id == session_id, EnrolmentImport.created_by_id == actor.user_id)
        .order_by(col(EnrolmentImport.id).desc())
        .limit(1)
    ).first()
    return _view(job) if job is not None else None


def job_report(db: Session, actor: Actor, job_id: int) -> tuple[str, bytes]:
    """The result report of a finished job, for download.

    Args:
        db: Database session.
        actor: The job's author.
        job_id: The job.

    Returns:
        A file name and the CSV.

    Raises:
        PlumeError: NOT_FOUND (also while the job has no report yet).
    """
    job = _own_job(db, actor, job_id)
    if job.status != "done" or not job.report:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return f"resultat-inscriptions-{job.id}.csv", job.report.encode("utf-8")


def participants_csv(db: Session, actor: Actor, session_id: int) -> tuple[str, bytes]:
    """A session's participants as CSV (the seed's "Export csv"), ready for a spreadsheet or a new import.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session (MANAGE).
        session_id: The session.

    Returns:
        A file name and the CSV (UTF-8 with BOM, `;`), one line per learner, by name.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.MANAGE)
    lang = actor.language
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [t(lang, f"enrolment_csv.export.{c}") for c in ("last_name", "first_name", "email", "kind", "progress")]
    )
    for user, enrolment in db.exec(
        select(User, Enrolment)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(Enrolment.session_id == training.id)
        .order_by(col(Enrolment.sort_name), col(User.id))
    ).all():
        writer.writerow(
            [
                _safe(user.last_name),
                _safe(user.first_name),
                _safe(user.email),
                t(lang, f"enrolment.{enrolment.kind}"),
                f"{enrolment.progress} %",
            ]
        )
    return f"participants-session-{training.id}.csv", ("\ufeff" + out.getvalue()).encode("utf-8")


def progress_of(job_id: int) -> tuple[int, int] | None:
    """A running job's (done, total) in this process, or None when it is not running here.

    Args:
        job_id: The job.

    Returns:
        The counts, or None.
    """
    return _PROGRESS.get(job_id)
