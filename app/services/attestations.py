"""Attestations of attendance and completion: issued per learner, checkable by their code.

The tutoring centre issues them for a selection of a session's learners (staff of
the organisation, or a tutor positioned on the session, as `access.access_followed_session` says). Each
one is an `Attestation` row with a fresh random code that anyone holding the paper
can check at `/api/attestations/verifier/<code>`.

Hours attended come from the signed attendance sheets: the sum of the exact
durations of the signed slots (in-person and virtual class) where the learner was
present, rounded to the nearest quarter hour. A slot counts when the learner
signed it, unless a correction made after certification says absent; a correction
saying present (or late) counts it even without a signature. Marks do not count:
a learner marked late who never signed has no proof of presence.

An attestation is issued only for a learner whose training was declared finished
("Formation terminée", `app.services.finishing`): a batch issues the others and says
how many were refused and why. It states the course's planned duration (which "ne
tient pas compte du temps passé ni de la participation aux activités") and the hours
actually attended from the signed sheets. The planned duration is the course's hours,
or, when the course gives none, the length of the session's attendance slots. Undoing
"Formation terminée" revokes the learner's attestations: their code then verifies as
"révoquée", with the date.

A batch is read in a handful of queries whatever its size, so 500 learners take
a few seconds, nearly all of it drawing the PDFs.
"""

from __future__ import annotations

import io
import json
import math
import os
import re
import secrets
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from pypdf import PdfReader, PdfWriter
from sqlmodel import Session, col, select

from app.documents import attestation_pdf
from app.documents.attendance_pdf import slug
from app.documents.data import AttestationData
from app.models import (
    Activity,
    AttendanceRecord,
    Attestation,
    Course,
    Enrolment,
    Organisation,
    Slot,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.services import audience, audit, finishing
from app.services.access import access_followed_session
from app.services.actor import Actor
from app.services.attendance import status as status_rule
from app.services.attendance.sheet import name_key
from app.services.attendance.window import SIGNED_KINDS
from app.services.errors import ErrorCode, PlumeError
from app.settings import get_settings

MAX_LEARNERS = 10_000
HOURS_STEP = 0.25
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper
CODE_GROUPS, CODE_GROUP_LENGTH = 3, 4
EXPORT_TTL = timedelta(minutes=15)
EXPORTS_FOLDER = "exports"
_CODE = re.compile(rf"^[{CODE_ALPHABET}]{{{CODE_GROUP_LENGTH}}}(-[{CODE_ALPHABET}]{{{CODE_GROUP_LENGTH}}}){{2}}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")
T = TypeVar("T")
_CHUNK = 900  # ids per IN (...): under every database's bound-parameter limit
# Why an enrolled learner gets no attestation: their training is not declared finished.
REFUSALS = (ErrorCode.ATTESTATION_NOT_FINISHED,)


@dataclass(frozen=True)
class VerificationData:
    """What the public check of a code shows."""

    code: str
    learner_name: str
    organisation: str
    course_title: str
    session_title: str
    starts_on: date
    ends_on: date
    hours_attended: float
    progress: int
    issued_at: datetime
    revoked_at: datetime | None = None


def _chunks(ids: Sequence[T]) -> Iterator[Sequence[T]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


def round_hours(hours: float) -> float:
    """Hours rounded to the nearest quarter hour (a half rounds up).

    Args:
        hours: Exact hours.

    Returns:
        A multiple of 0.25.
    """
    return math.floor(hours / HOURS_STEP + 0.5) * HOURS_STEP


@dataclass(frozen=True)
class _Sheet:
    """A slot with an attendance sheet: how long it lasts, in person or not, for every learner or a few."""

    seconds: float
    in_person: bool
    for_everyone: bool


def _sheets(db: Session, session_id: int) -> dict[int, _Sheet]:
    rows = db.exec(
        select(Slot.id, Slot.starts_at, Slot.ends_at, Activity)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(Slot.session_id == session_id, col(Activity.kind).in_(SIGNED_KINDS))
    ).all()
    return {
        slot_id or 0: _Sheet(
            seconds=max(0.0, (ends - starts).total_seconds()),
            in_person=activity.kind == "in_person",
            for_everyone=audience.invitees(activity) is None,
        )
        for slot_id, starts, ends, activity in rows
    }


def planned_hours(course: Course, sheets: dict[int, _Sheet]) -> tuple[float, float]:
    """The training's planned hours, in person and at a distance.

    The course's hours when it gives some; otherwise the length of the session's
    attendance slots every learner has (a tutor's class for a few learners is extra),
    half-days in person and virtual classes at a distance.

    Args:
        course: The session's course.
        sheets: The session's slots with an attendance sheet.

    Returns:
        (in-person hours, remote hours).
    """
    if course.in_person_hours + course.remote_hours > 0:
        return course.in_person_hours, course.remote_hours
    common = [sheet for sheet in sheets.values() if sheet.for_everyone]
    in_person = sum(sheet.seconds for sheet in common if sheet.in_person)
    remote = sum(sheet.seconds for sheet in common if not sheet.in_person)
    return round_hours(in_person / 3600), round_hours(remote / 3600)


@dataclass(frozen=True)
class _Fact:
    """One attendance record as the status rule reads it."""

    kind: str
    status: str


def _attended_hours(
    db: Session, session_id: int, user_ids: Sequence[int], sheets: dict[int, _Sheet] | None = None
) -> dict[int, float]:
    found = _sheets(db, session_id) if sheets is None else sheets
    seconds = {slot_id: sheet.seconds for slot_id, sheet in found.items()}
    held: dict[tuple[int, int], status_rule.Held[_Fact]] = {}
    for chunk in _chunks(user_ids) if seconds else ():
        rows = db.exec(
            select(
                AttendanceRecord.slot_id,
                AttendanceRecord.subject_user_id,
                AttendanceRecord.kind,
                AttendanceRecord.status,
            )
            .where(
                AttendanceRecord.session_id == session_id,
                col(AttendanceRecord.kind).in_(("signature", "mark", "correction")),
                col(AttendanceRecord.subject_user_id).in_(chunk),
            )
            .order_by(col(AttendanceRecord.seq))
        ).all()
        for record_slot, subject_id, kind, status in rows:
            if record_slot in seconds and subject_id is not None:
                key = (subject_id, record_slot)
                held[key] = status_rule.fold(held.get(key, (None, None, None)), _Fact(kind, status))
    # The sheet's one rule decides which half-days count (the board's "Émargés" column).
    totals = dict.fromkeys(user_ids, 0.0)
    for (user_id, slot_id), facts in held.items():
        if status_rule.attended(status_rule.status_of(facts)):
            totals[user_id] += seconds[slot_id]
    return {user_id: round_hours(total / 3600) for user_id, total in totals.items()}


def hours_attended(db: Session, session_id: int, user_id: int) -> float:
    """A learner's hours of presence on a session, from its signed attendance sheets.

    The sum of the durations of the signed slots (in-person and virtual class) the
    learner signed, or was corrected to present or late after certification, less
    those corrected to absent, rounded to the nearest quarter hour.

    Args:
        db: Database session.
        session_id: The session.
        user_id: The learner.

    Returns:
        Hours, a multiple of 0.25.
    """
    return _attended_hours(db, session_id, [user_id])[user_id]


def _wanted(user_ids: object) -> list[int]:
    if not isinstance(user_ids, list | tuple | set | frozenset):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    wanted = sorted({u for u in user_ids if isinstance(u, int) and not isinstance(u, bool)})
    if not wanted or len(wanted) > MAX_LEARNERS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    return wanted


def _enrolled(db: Session, session_id: int, wanted: list[int]) -> list[tuple[User, int]]:
    found: list[tuple[User, int]] = []
    for chunk in _chunks(wanted):
        found.extend(
            db.exec(
                select(User, Enrolment.progress)
                .join(Enrolment, col(Enrolment.user_id) == col(User.id))
                .where(Enrolment.session_id == session_id, col(User.id).in_(chunk))
            ).all()
        )
    return found


def new_code() -> str:
    """A fresh verification code: 12 random characters (60 bits) in three groups.

    Returns:
        e.g. "K7QM-2XWP-HR9D".
    """
    groups = ("".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_GROUP_LENGTH)) for _ in range(CODE_GROUPS))
    return "-".join(groups)


def _fresh_codes(db: Session, count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        batch = {new_code() for _ in range(count - len(codes))} - codes
        for chunk in _chunks(sorted(batch)):
            batch -= set(db.exec(select(Attestation.code).where(col(Attestation.code).in_(chunk))).all())
        codes |= batch
    return list(codes)


def _full_name(user: User) -> str:
    return f"{user.first_name} {user.last_name}".strip() or user.display_name


def _name_key(user: User) -> tuple[str, str, int]:
    return name_key(user.last_name), name_key(user.first_name), user.id or 0


def verify_url(code: str) -> str:
    """The public page that checks an attestation's code.

    Args:
        code: The verification code.

    Returns:
        The absolute URL.
    """
    return f"{get_settings().base_url.rstrip('/')}/api/attestations/verifier/{code}"


def _data(
    user: User,
    training: TrainingSession,
    *,
    organisation: Organisation,
    course: Course,
    planned: tuple[float, float],
    code: str,
    hours_attended: float,
    progress: int,
    issued_at: datetime,
) -> AttestationData:
    in_person, remote = planned
    return AttestationData(
        code=code,
        user_id=user.id or 0,
        first_name=user.first_name,
        last_name=user.last_name,
        learner_name=_full_name(user),
        organisation=organisation.name,
        course_title=course.title,
        session_title=training.title,
        starts_on=training.starts_on,
        ends_on=training.ends_on,
        in_person_hours=in_person,
        remote_hours=remote,
        planned_hours=in_person + remote,
        hours_attended=hours_attended,
        progress=progress,
        issued_at=issued_at,
        verify_url=verify_url(code),
    )


@dataclass(frozen=True)
class Issuance:
    """What a batch gave: the attestations, and the learners refused, by reason."""

    attestations: list[AttestationData]
    refused: dict[ErrorCode, list[int]]

    @property
    def refused_count(self) -> int:
        """How many chosen learners got no attestation.

        Returns:
            The count.
        """
        return sum(len(ids) for ids in self.refused.values())


def issue_batch(db: Session, actor: Actor, session_id: int, user_ids: object) -> Issuance:
    """Issue one attestation per chosen learner declared "Formation terminée", each with its verification code.

    A learner whose training is not declared finished is refused, with the reason, while
    the others of the batch get theirs. A learner whose latest attestation is still valid
    and still says the same (hours attended, progress) gets that one again,
    same code and date, rather than a new row: opening the certificate link twice does
    not multiply attestations. Ids of people not enrolled in the session are ignored.
    The whole batch is read in a handful of queries and written in the caller's
    transaction, with one audit record for what was newly issued.

    Args:
        db: Database session.
        actor: Staff of the organisation, or a tutor positioned on the session.
        session_id: The session.
        user_ids: The learners chosen (at most 10,000).

    Returns:
        The attestations, by last name then first name, and who was refused and why.

    Raises:
        PlumeError: NOT_FOUND for a missing or forbidden session; INVALID_INPUT when no
            learner of the session was chosen, or too many ids.
    """
    training = access_followed_session(db, actor, session_id)
    wanted = _wanted(user_ids)
    organisation = db.get(Organisation, training.organisation_id)
    course = db.get(Course, training.course_id)
    if organisation is None or course is None or training.id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    learners = sorted(_enrolled(db, training.id, wanted), key=lambda row: _name_key(row[0]))
    if not learners:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    ids = [user.id or 0 for user, _ in learners]
    finished = finishing.finished_ids(db, training.id, ids)
    refused: dict[ErrorCode, list[int]] = {}
    if len(finished) < len(ids):
        refused[ErrorCode.ATTESTATION_NOT_FINISHED] = [uid for uid in ids if uid not in finished]
    learners = [(user, progress) for user, progress in learners if (user.id or 0) in finished]
    ids = [user.id or 0 for user, _ in learners]
    if not learners:
        return Issuance(attestations=[], refused=refused)
    sheets = _sheets(db, training.id)
    planned = planned_hours(course, sheets)
    hours = _attended_hours(db, training.id, ids, sheets)
    progress_of = {user.id or 0: progress for user, progress in learners}
    latest: dict[int, Attestation] = {
        row.user_id: row
        for row in db.exec(
            select(Attestation)
            .where(
                Attestation.session_id == training.id,
                col(Attestation.user_id).in_(ids),
                col(Attestation.revoked_at).is_(None),  # a revoked code is never handed out again
            )
            .order_by(col(Attestation.issued_at), col(Attestation.id))
        ).all()
    }
    same = {uid for uid, row in latest.items() if (row.hours_attended, row.progress) == (hours[uid], progress_of[uid])}
    fresh = iter(_fresh_codes(db, len(learners) - len(same)))
    now = utcnow()
    out: list[AttestationData] = []
    rows: list[Attestation] = []
    for user, progress in learners:
        user_id = user.id or 0
        if user_id in same:
            code, issued_at = latest[user_id].code, latest[user_id].issued_at
        else:
            code, issued_at = next(fresh), now
            rows.append(
                Attestation(
                    session_id=training.id,
                    user_id=user_id,
                    code=code,
                    hours_attended=hours[user_id],
                    progress=progress,
                    issued_by_id=actor.user_id,
                    issued_at=issued_at,
                )
            )
        out.append(
            _data(
                user,
                training,
                organisation=organisation,
                course=course,
                planned=planned,
                code=code,
                hours_attended=hours[user_id],
                progress=progress,
                issued_at=issued_at,
            )
        )
    db.add_all(rows)
    audit.by_actor(
        db,
        actor,
        "attestation.issue",
        organisation_id=organisation.id,
        target=f"session:{training.id}",
        after={"count": len(rows), "learners": [r.user_id for r in rows], "again": len(same)},
    )
    db.flush()
    return Issuance(attestations=out, refused=refused)


def issue(db: Session, actor: Actor, session_id: int, user_ids: object) -> list[AttestationData]:
    """Issue the chosen learners' attestations (as `issue_batch`), refusing the whole choice if none qualifies.

    Args:
        db: Database session.
        actor: Staff of the organisation, or a tutor positioned on the session.
        session_id: The session.
        user_ids: The learners chosen (at most 10,000).

    Returns:
        The attestations issued, by last name then first name; learners refused are left out.

    Raises:
        PlumeError: As `issue_batch`; ATTESTATION_NOT_FINISHED when every learner chosen is refused.
    """
    issued = issue_batch(db, actor, session_id, user_ids)
    if not issued.attestations:
        raise PlumeError(next(iter(issued.refused), ErrorCode.INVALID_INPUT))
    return issued.attestations


def issue_for_learner(db: Session, actor: Actor, session_id: int, user_id: int) -> str:
    """Issue one learner's attestation (the learner table's "certificate" button), in the caller's transaction.

    Issuing writes: it happens in an event or a POST, never in a GET. The browser then
    fetches the PDF from the returned path, which only draws what was issued.

    Args:
        db: Database session.
        actor: Staff of the organisation, or a tutor positioned on the session.
        session_id: The session.
        user_id: A learner enrolled in it.

    Returns:
        The path of the PDF's download (`learner_pdf`).

    Raises:
        PlumeError: NOT_FOUND for a forbidden or missing session, or a person not enrolled in it;
            ATTESTATION_NOT_FINISHED (as `issue`) for a learner of the session whose training is not
            declared finished.
    """
    try:
        issue(db, actor, session_id, [user_id])
    except PlumeError as err:
        if err.code in REFUSALS:  # the learner is there and may be named: say why, not "not found"
            raise
        raise PlumeError(ErrorCode.NOT_FOUND) from err
    return learner_pdf_url(session_id, user_id)


def learner_pdf_url(session_id: int, user_id: int) -> str:
    """The path a learner's last issued attestation downloads from.

    Args:
        session_id: The session.
        user_id: The learner.

    Returns:
        A path on this site.
    """
    return f"/api/attestations/sessions/{session_id}/learners/{user_id}.pdf"


def learner_pdf(db: Session, actor: Actor, session_id: int, user_id: int) -> tuple[str, bytes]:
    """Draw the attestation last issued to one learner; issue nothing (the GET route's work).

    Args:
        db: Database session.
        actor: Staff of the organisation, or a tutor positioned on the session.
        session_id: The session.
        user_id: A learner enrolled in it, with an attestation issued.

    Returns:
        The file name (ASCII) and the PDF.

    Raises:
        PlumeError: NOT_FOUND for a forbidden or missing session, a person not enrolled in it,
            or no valid attestation issued (none yet, or revoked).
    """
    training = access_followed_session(db, actor, session_id)
    row = db.exec(
        select(Attestation)
        .where(
            Attestation.session_id == training.id,
            Attestation.user_id == user_id,
            col(Attestation.revoked_at).is_(None),
        )
        .order_by(col(Attestation.issued_at).desc(), col(Attestation.id).desc())
    ).first()
    enrolled = db.exec(select(Enrolment.id).where(Enrolment.session_id == training.id, Enrolment.user_id == user_id))
    user = db.get(User, user_id) if isinstance(user_id, int) else None
    organisation = db.get(Organisation, training.organisation_id)
    course = db.get(Course, training.course_id)
    if row is None or enrolled.first() is None or user is None or organisation is None or course is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    data = _data(
        user,
        training,
        organisation=organisation,
        course=course,
        planned=planned_hours(course, _sheets(db, training.id or 0)),
        code=row.code,
        hours_attended=row.hours_attended,
        progress=row.progress,
        issued_at=row.issued_at,
    )
    return attestation_pdf.filename(data), attestation_pdf.build_pdf(data)


def _bundle_name(db: Session, session_id: int, extension: str) -> str:
    training = db.get(TrainingSession, session_id)
    title = training.title if training is not None else ""
    return f"attestations-{slug(title, f'session-{session_id}')}.{extension}"


def _zip(db: Session, session_id: int, attestations: list[AttestationData]) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    # The PDFs' pages are already compressed: deflating them again would cost time for little.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for data in attestations:
            archive.writestr(attestation_pdf.filename(data), attestation_pdf.build_pdf(data))
    return _bundle_name(db, session_id, "zip"), buffer.getvalue()


def _merged(db: Session, session_id: int, attestations: list[AttestationData]) -> tuple[str, bytes]:
    writer = PdfWriter()
    for data in attestations:
        writer.append(PdfReader(io.BytesIO(attestation_pdf.build_pdf(data))))
    buffer = io.BytesIO()
    writer.write(buffer)
    return _bundle_name(db, session_id, "pdf"), buffer.getvalue()


def build_bundle(
    db: Session, actor: Actor, session_id: int, user_ids: object, *, merged: bool = False
) -> tuple[str, bytes]:
    """Issue the chosen learners' attestations and put one PDF per learner in a zip, or all in one PDF.

    Args:
        db: Database session.
        actor: Staff of the organisation, or a tutor positioned on the session.
        session_id: The session.
        user_ids: The learners chosen.
        merged: One PDF with a page per learner (to send to the sponsor) instead of a zip of PDFs.

    Returns:
        The file's name (e.g. "attestations-excel-avance.zip" or ".pdf") and its bytes; learners refused
        are left out.

    Raises:
        PlumeError: As `issue`.
    """
    return (_merged if merged else _zip)(db, session_id, issue(db, actor, session_id, user_ids))


# --- Exports: a zip written once, fetched by the person who asked for it ------------------------


def exports_dir() -> Path:
    """Where prepared zips wait for their download (private, outside any public folder).

    Returns:
        The folder.
    """
    return get_settings().files_dir / EXPORTS_FOLDER


def export_url(token: str, *, merged: bool = False) -> str:
    """The path the browser fetches a prepared zip (or merged PDF) from.

    Args:
        token: From `prepare_download`.
        merged: The export is one merged PDF rather than a zip.

    Returns:
        A path on this site.
    """
    return f"/api/attestations/exports/{token}.{'pdf' if merged else 'zip'}"


def _write(path: Path, data: bytes) -> None:
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _read_sidecar(path: Path) -> dict[str, object] | None:
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def _expired(meta: dict[str, object] | None, now: datetime) -> bool:
    raw = meta.get("expires_at") if meta else None
    try:
        return not isinstance(raw, str) or datetime.fromisoformat(raw) <= now
    except ValueError:
        return True


def remove_expired_exports(now: datetime | None = None) -> int:
    """Delete the prepared zips whose time is up, and leftovers of failed writes.

    Args:
        now: The time to judge at (now by default).

    Returns:
        How many files were deleted.
    """
    moment = now or utcnow()
    directory = exports_dir()
    if not directory.is_dir():
        return 0
    removed = 0
    for path in sorted(directory.iterdir(), key=lambda p: p.suffix != ".json"):  # sidecars first
        if path.suffix == ".json":
            if _expired(_read_sidecar(path), moment):
                removed += _unlink(path.with_suffix(".zip")) + _unlink(path)
        elif not path.with_suffix(".json").exists() and _older_than(path, moment - EXPORT_TTL):
            removed += _unlink(path)  # a zip without its sidecar, or a failed write's temporary file
    return removed


def _older_than(path: Path, moment: datetime) -> bool:
    try:
        return datetime.fromtimestamp(path.stat().st_mtime, tz=moment.tzinfo) <= moment
    except FileNotFoundError:  # removed meanwhile, by us or another worker
        return False


def _unlink(path: Path) -> int:
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return 1


@dataclass(frozen=True)
class PreparedExport:
    """A batch's zip waiting for its download, and what the batch gave."""

    token: str  # "" when no learner qualified: there is nothing to download
    issued: int
    refused: dict[ErrorCode, int]


def prepare_download(
    db: Session, actor: Actor, session_id: int, user_ids: object, *, merged: bool = False
) -> PreparedExport:
    """Issue the chosen learners' attestations and leave their zip (or one merged PDF) for the actor to fetch.

    The zip is written under the files folder with a random name; a sidecar notes who
    may fetch it and until when (15 minutes). The attestations are committed first, so
    a zip never holds codes that do not verify. Expired exports are removed on the way.
    Learners refused (see `issue_batch`) are counted by reason; when all are, no zip is written.

    Args:
        db: Database session (committed here).
        actor: Staff of the organisation, or a tutor positioned on the session.
        session_id: The session.
        user_ids: The learners chosen.
        merged: One PDF with a page per learner (to send to the sponsor) instead of a zip of PDFs.

    Returns:
        The export's token (the browser fetches `export_url(token, merged=…)`), with how many were issued and refused.

    Raises:
        PlumeError: As `issue_batch`.
    """
    issued = issue_batch(db, actor, session_id, user_ids)
    refused = {code: len(ids) for code, ids in issued.refused.items()}
    if not issued.attestations:
        db.commit()
        return PreparedExport(token="", issued=0, refused=refused)
    # The file keeps the .zip suffix on disk whatever it holds: the sidecar's name says what is served.
    name, data = (_merged if merged else _zip)(db, session_id, issued.attestations)
    db.commit()
    directory = exports_dir()
    directory.mkdir(parents=True, exist_ok=True)
    remove_expired_exports()
    token = secrets.token_urlsafe(24)
    _write(directory / f"{token}.zip", data)
    meta = {"user_id": actor.user_id, "expires_at": (utcnow() + EXPORT_TTL).isoformat(), "name": name}
    _write(directory / f"{token}.json", json.dumps(meta).encode())
    return PreparedExport(token=token, issued=len(issued.attestations), refused=refused)


def open_export(actor: Actor, token: object, now: datetime | None = None) -> tuple[Path, str]:
    """A prepared zip, for the person who asked for it, before it expires.

    Args:
        actor: The signed-in actor.
        token: From the URL.
        now: The time to judge at (now by default).

    Returns:
        The zip's path and its download name.

    Raises:
        PlumeError: NOT_FOUND for a malformed, unknown, expired or someone else's token alike.
    """
    if not isinstance(token, str) or not _TOKEN.match(token) or not actor.fully_signed_in:
        raise PlumeError(ErrorCode.NOT_FOUND)
    directory = exports_dir()
    meta = _read_sidecar(directory / f"{token}.json")
    path = directory / f"{token}.zip"
    name = meta.get("name") if meta else None
    if meta is None or meta.get("user_id") != actor.user_id or not isinstance(name, str):
        raise PlumeError(ErrorCode.NOT_FOUND)
    if _expired(meta, now or utcnow()) or not path.is_file():
        raise PlumeError(ErrorCode.NOT_FOUND)
    return path, name


# --- The public check -----------------------------------------------------------------------------


def normalise_code(code: object) -> str | None:
    """A code as typed or scanned, in its canonical form.

    Args:
        code: e.g. "k7qm 2xwp hr9d" or "K7QM-2XWP-HR9D".

    Returns:
        "K7QM-2XWP-HR9D", or None when it cannot be a code.
    """
    if not isinstance(code, str) or len(code) > 40:
        return None
    plain = re.sub(r"[\s-]", "", code).upper()
    size = CODE_GROUP_LENGTH
    canonical = "-".join(plain[i : i + size] for i in range(0, len(plain), size))
    return canonical if _CODE.match(canonical) else None


def verify(db: Session, code: object) -> VerificationData | None:
    """Find the attestation a code belongs to (the public check; no sign-in).

    Args:
        db: Database session.
        code: The code as given.

    Returns:
        What the attestation says, or None for an unknown code.
    """
    canonical = normalise_code(code)
    if canonical is None:
        return None
    found = db.exec(
        select(Attestation, User, TrainingSession, Course)
        .join(User, col(User.id) == col(Attestation.user_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Attestation.session_id))
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .where(Attestation.code == canonical)
    ).first()
    if found is None:
        return None
    attestation, user, training, course = found
    organisation = db.get(Organisation, training.organisation_id)
    if organisation is None:
        return None
    return VerificationData(
        code=attestation.code,
        learner_name=_full_name(user),
        organisation=organisation.name,
        course_title=course.title,
        session_title=training.title,
        starts_on=training.starts_on,
        ends_on=training.ends_on,
        hours_attended=attestation.hours_attended,
        progress=attestation.progress,
        issued_at=attestation.issued_at,
        revoked_at=attestation.revoked_at,
    )
