"""Attendance (émargement): signing a slot's sheet, the trainer's board, certification, the proof chain.

Every fact is an `AttendanceRecord` appended to its organisation's hash chain:
signatures, marks (absent, late), the certification that locks a sheet, and
corrections made after it. Nothing is ever updated or deleted (except the
erasure of personal fields), so `attendance_chain.verify_chain` finds any later
edit, deletion, truncation or reordering.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.live.bus import notify
from app.live.contract import (
    Certified,
    MineChanged,
    MySignature,
    SheetChanged,
    Signed,
    slot_board_topic,
    slot_person_topic,
    slot_topic,
)
from app.models import (
    Activity,
    AttendanceChain,
    AttendanceRecord,
    Enrolment,
    Organisation,
    Slot,
    TrainerPosition,
    TrainingSession,
    User,
)
from app.models.attendance import CORRECTED_STATUSES, MARKS
from app.models.base import utcnow
from app.services import access, audience, audit
from app.services.access import Capability, SessionRole, access_session, access_slot
from app.services.actor import Actor
from app.services.attendance_chain import append_record, existing, existing_keys, sha256_text
from app.services.attendance_heads import head_recipients, publish_head
from app.services.errors import ErrorCode, PlumeError
from app.settings import get_settings

PARIS = ZoneInfo("Europe/Paris")
SIGNED_KINDS = ("in_person", "virtual_class")
QR_PERIOD_SECONDS = 30
QR_PROOF_VALID = timedelta(minutes=15)
PAD_WIDTH, PAD_HEIGHT = 1000, 400
MAX_POINTS = 6_000
MAX_STROKES = 300
_POINT = re.compile(r"^(\d{1,4}),(\d{1,4})$")
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


# --- Signatures as drawn --------------------------------------------------------------------


def parse_strokes(raw: object) -> list[list[tuple[int, int]]]:
    """Read a drawing sent by the pad: strokes split by `|`, points `x,y` split by spaces.

    Coordinates are in the pad's 1000 × 400 box. Anything else is refused, so
    the stored SVG is always built by us, never taken from the browser.

    Args:
        raw: As received.

    Returns:
        The strokes.

    Raises:
        PlumeError: SIGNATURE_EMPTY for nothing (or a dot), INVALID_INPUT for a malformed drawing.
    """
    if not isinstance(raw, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
    if not raw.strip():
        raise PlumeError(ErrorCode.SIGNATURE_EMPTY, field="signature")
    if len(raw) > MAX_POINTS * 10:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
    strokes: list[list[tuple[int, int]]] = []
    count = 0
    for part in raw.strip().split("|"):
        points: list[tuple[int, int]] = []
        for token in part.split():
            match = _POINT.match(token)
            if match is None:
                raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
            x, y = int(match.group(1)), int(match.group(2))
            if x > PAD_WIDTH or y > PAD_HEIGHT:
                raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
            points.append((x, y))
        count += len(points)
        if points:
            strokes.append(points)
    if count > MAX_POINTS or len(strokes) > MAX_STROKES:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="signature")
    xs = [x for s in strokes for x, _ in s]
    ys = [y for s in strokes for _, y in s]
    if count < 2 or max(max(xs) - min(xs), max(ys) - min(ys)) < 15:
        raise PlumeError(ErrorCode.SIGNATURE_EMPTY, field="signature")
    return strokes


def render_svg(strokes: list[list[tuple[int, int]]]) -> str:
    """The SVG we store for a drawing (only paths we wrote ourselves).

    Args:
        strokes: From `parse_strokes`.

    Returns:
        The SVG document.
    """
    paths = []
    for stroke in strokes:
        head, *rest = stroke
        d = f"M{head[0]} {head[1]}" + "".join(f"L{x} {y}" for x, y in rest or [head])
        paths.append(f'<path d="{d}"/>')
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {PAD_WIDTH} {PAD_HEIGHT}">'
        '<g fill="none" stroke="#1e293b" stroke-width="5" stroke-linecap="round" stroke-linejoin="round">'
        + "".join(paths)
        + "</g></svg>"
    )


def svg_strokes(svg: str) -> list[list[tuple[int, int]]]:
    """The strokes of an SVG made by `render_svg` (for the PDF sheets).

    Args:
        svg: The stored SVG.

    Returns:
        The strokes.
    """
    out: list[list[tuple[int, int]]] = []
    for d in re.findall(r'd="([^"]*)"', svg):
        points = [(int(x), int(y)) for x, y in re.findall(r"[ML](\d+) (\d+)", d)]
        if points:
            out.append(points)
    return out


# --- Slots and their window -----------------------------------------------------------------


@dataclass(frozen=True)
class SlotContext:
    """A slot with its activity, session, organisation and the actor's role."""

    slot: Slot
    activity: Activity
    session: TrainingSession
    organisation: Organisation
    role: SessionRole

    @property
    def manages(self) -> bool:
        """Trainers of the session and staff run the board (`access.Capability.MANAGE`)."""
        return self.role.manages

    @property
    def signer_role(self) -> str:
        """How the actor signs this slot: as a trainer, a learner, or not at all."""
        if self.role.trainer:
            return "trainer"
        if self.role.learner:
            return "learner"
        return ""


def slot_context(db: Session, actor: Actor, slot_id: object) -> SlotContext:
    """The only way to reach a slot's sheet: members of its session, else NOT_FOUND.

    Args:
        db: Database session.
        actor: The signed-in actor.
        slot_id: The slot asked for.

    Returns:
        The context.

    Raises:
        PlumeError: NOT_FOUND.
    """
    slot, activity, training, role = access_slot(db, actor, slot_id)
    if activity is None or activity.kind not in SIGNED_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    organisation = db.get(Organisation, training.organisation_id)
    context = _context(actor, slot=slot, activity=activity, training=training, organisation=organisation, role=role)
    if context is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return context


def _context(
    actor: Actor,
    *,
    slot: Slot,
    activity: Activity,
    training: TrainingSession,
    organisation: Organisation | None,
    role: SessionRole,
) -> SlotContext | None:
    """The rest of `slot_context`'s gate once the slot's rows are read (shared with `open_sheets`' batch)."""
    if organisation is None:
        return None
    if not role.sees_everything and not audience.invited(activity, actor.user_id):
        return None
    return SlotContext(slot=slot, activity=activity, session=training, organisation=organisation, role=role)


def window(organisation: Organisation, slot: Slot) -> tuple[datetime, datetime]:
    """When a slot's sheet can be signed: from N minutes before its start (the organisation's setting) to its end.

    Args:
        organisation: The slot's organisation.
        slot: The slot.

    Returns:
        (opens, closes), UTC.
    """
    return slot.starts_at - timedelta(minutes=max(0, organisation.signing_window_minutes)), slot.ends_at


def window_state(organisation: Organisation, slot: Slot, now: datetime | None = None) -> str:
    """Whether signing is `before` its window, `open` or `closed`.

    Args:
        organisation: The slot's organisation.
        slot: The slot.
        now: The time to judge at (now by default).

    Returns:
        The state.
    """
    opens, closes = window(organisation, slot)
    moment = now or utcnow()
    if moment < opens:
        return "before"
    return "open" if moment <= closes else "closed"


# --- QR codes --------------------------------------------------------------------------------


def qr_code(slot_id: int, period: int | None = None) -> str:
    """The code a slot's QR carries during one 30-second period.

    Args:
        slot_id: The slot.
        period: The period number (the current one by default).

    Returns:
        A short code.
    """
    number = int(time.time() // QR_PERIOD_SECONDS) if period is None else period
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"qr:{slot_id}:{number}".encode(), hashlib.sha256).hexdigest()[:20]


def qr_valid(slot_id: int, code: object) -> bool:
    """Whether a scanned code is the slot's current one (or the one just before, for a slow scan).

    Args:
        slot_id: The slot.
        code: As found in the URL.

    Returns:
        True if valid now.
    """
    if not isinstance(code, str) or len(code) != 20:
        return False
    now = int(time.time() // QR_PERIOD_SECONDS)
    return any(hmac.compare_digest(code, qr_code(slot_id, p)) for p in (now, now - 1))


def qr_seconds_left() -> int:
    """Seconds until the current QR code changes.

    Returns:
        1 to 30.
    """
    return QR_PERIOD_SECONDS - int(time.time()) % QR_PERIOD_SECONDS


# --- The sheet's state ----------------------------------------------------------------------


@dataclass
class PersonState:
    """Where one person stands on a slot's sheet."""

    user_id: int
    name: str
    role: str
    signature: AttendanceRecord | None = None
    mark: AttendanceRecord | None = None
    correction: AttendanceRecord | None = None

    @property
    def status(self) -> str:
        """present, absent, late or unsigned (a correction wins over everything)."""
        if self.correction is not None:
            return self.correction.status
        if self.signature is not None:
            return "late" if self.mark is not None and self.mark.status == "late" else "present"
        return self.mark.status if self.mark is not None else "unsigned"


@dataclass
class SheetData:
    """Every record of a slot, folded per person."""

    people: dict[int, PersonState] = field(default_factory=dict)
    certification: AttendanceRecord | None = None
    records: list[AttendanceRecord] = field(default_factory=list)


def _roster(db: Session, session_id: int, invitees: frozenset[int] | None = None) -> list[tuple[int, str, str]]:
    trainers = db.exec(
        select(User)
        .join(TrainerPosition, col(TrainerPosition.user_id) == col(User.id))
        .where(TrainerPosition.session_id == session_id)
    ).all()
    enrolled = select(User).join(Enrolment, col(Enrolment.user_id) == col(User.id))
    enrolled = enrolled.where(Enrolment.session_id == session_id)
    if invitees is not None:
        enrolled = enrolled.where(col(User.id).in_(sorted(invitees)))
    learners = db.exec(enrolled).all()
    return [(u.id or 0, u.display_name, "trainer") for u in trainers] + [
        (u.id or 0, u.display_name, "learner") for u in learners
    ]


def load_sheet(db: Session, slot: Slot, *, only: tuple[int, str, str] | None = None) -> SheetData:
    """Fold a slot's records into each person's state.

    Args:
        db: Database session.
        slot: The slot.
        only: (user id, name, role) to fold one person's records only (a learner's own page).

    Returns:
        The sheet.
    """
    data = SheetData()
    query = select(AttendanceRecord).where(AttendanceRecord.slot_id == slot.id)
    if only is None:
        activity = db.get(Activity, slot.activity_id) if slot.activity_id else None
        for uid, name, role in _roster(db, slot.session_id, audience.invitees(activity) if activity else None):
            data.people[uid] = PersonState(user_id=uid, name=name, role=role)
    else:
        data.people[only[0]] = PersonState(user_id=only[0], name=only[1], role=only[2])
        query = query.where(
            (col(AttendanceRecord.subject_user_id) == only[0]) | (col(AttendanceRecord.kind) == "certification")
        )
    data.records = list(db.exec(query.order_by(col(AttendanceRecord.seq))).all())
    for record in data.records:
        if record.kind == "certification":
            data.certification = record
            continue
        person = data.people.get(record.subject_user_id or 0)
        if person is None:  # no longer enrolled: the record stays in the chain and the PDF
            user = db.get(User, record.subject_user_id) if record.subject_user_id else None
            if user is None:
                continue
            person = data.people[user.id or 0] = PersonState(
                user_id=user.id or 0, name=user.display_name, role=record.subject_role or "learner"
            )
        if record.kind == "signature":
            person.signature = person.signature or record
            if person.mark is not None and person.mark.status == "absent":
                person.mark = None  # signing afterwards (at the trainer's desk) overrides an absence
        elif record.kind == "mark":
            person.mark = None if record.status == "clear" else record
        elif record.kind == "correction":
            person.correction = record
    return data


def name_key(name: str) -> str:
    """How names sort on a sheet: without case or accents (Élodie with the E's).

    Args:
        name: A display name.

    Returns:
        The sort key.
    """
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


def clock(moment: datetime | None) -> str:
    """A time as HH:MM in French time ("" for none).

    Args:
        moment: The time.

    Returns:
        The text.
    """
    return moment.astimezone(PARIS).strftime("%H:%M") if moment else ""


def when_label(slot: Slot) -> str:
    """A slot's date and times in French time.

    Args:
        slot: The slot.

    Returns:
        e.g. "21/11/2026 · 09:00–12:30".
    """
    start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    return f"{start:%d/%m/%Y} · {start:%H:%M}–{end:%H:%M}"


@dataclass(frozen=True)
class BoardRow:
    """One person's line on the trainer's board."""

    user_id: int
    name: str
    role: str
    status: str
    signed_at: str
    on_trainer_device: bool
    signed_by: str
    reason: str
    mark: str
    mark_comment: str
    correction: str
    correction_reason: str


@dataclass(frozen=True)
class SheetView:
    """What the slot's page shows to one member."""

    slot_id: int
    session_id: int
    session_title: str
    activity_title: str
    kind: str
    when: str
    room: str
    window_state: str
    opens_at: str
    closes_at: str
    signer_role: str
    signed: bool
    signed_at: str
    signed_on_trainer_device: bool
    my_signature_svg: str
    my_status: str
    my_mark_comment: str
    can_sign: bool
    meeting_link: str
    manages: bool
    sees_board: bool
    certified: bool
    certified_at: str
    certified_by: str
    can_certify: bool
    chain_hash: str
    rows: list[BoardRow]


def _names(db: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id or 0: u.display_name for u in db.exec(select(User).where(col(User.id).in_(wanted))).all()}


def _row(person: PersonState, names: dict[int, str]) -> BoardRow:
    sig, mark, corr = person.signature, person.mark, person.correction
    return BoardRow(
        user_id=person.user_id,
        name=person.name,
        role=person.role,
        status=person.status,
        signed_at=clock(sig.created_at) if sig else "",
        on_trainer_device=bool(sig and sig.on_trainer_device),
        signed_by=names.get(sig.recorded_by_id, "") if sig and sig.on_trainer_device else "",
        reason=sig.reason if sig else "",
        mark=mark.status if mark else "",
        mark_comment=mark.reason if mark else "",
        correction=corr.status if corr else "",
        correction_reason=corr.reason if corr else "",
    )


def meeting_link(ctx: SlotContext) -> str:
    """The virtual class's link (to be shown only to a participant who signed).

    Args:
        ctx: The slot's context.

    Returns:
        The URL, or "".
    """
    if ctx.activity.kind != "virtual_class":
        return ""
    try:
        settings = json.loads(ctx.activity.settings_json or "{}")
    except ValueError:
        settings = {}
    link = settings.get("link") if isinstance(settings, dict) else ""
    return str(link or ctx.organisation.virtual_class_url or "")


def _hosts(ctx: SlotContext, actor: Actor) -> bool:
    """Whether the actor created the virtual class for some learners and, not being on its sheet, runs it unsigned."""
    if ctx.signer_role or ctx.activity.kind != "virtual_class":
        return False
    try:
        settings = json.loads(ctx.activity.settings_json or "{}")
    except ValueError:
        return False
    return isinstance(settings, dict) and settings.get("created_by") == actor.user_id


def sheet_view(db: Session, actor: Actor, slot_id: int, now: datetime | None = None) -> SheetView:
    """A slot's page for one member: their own signature, and the board for those who run it.

    Learners see only themselves; the virtual class link is included only once the
    person has signed (or for the tutor who created a class for some learners: they are not on its sheet).

    Args:
        db: Database session.
        actor: A member of the slot's session.
        slot_id: The slot.
        now: The time to judge the window at.

    Returns:
        The view.

    Raises:
        PlumeError: NOT_FOUND.
    """
    ctx = slot_context(db, actor, slot_id)
    sees_board = ctx.role.sees_everything
    only = None if sees_board else (actor.user_id, actor.display_name, ctx.signer_role)
    data = load_sheet(db, ctx.slot, only=only)
    me = data.people.get(actor.user_id) if ctx.signer_role else None
    state = window_state(ctx.organisation, ctx.slot, now)
    opens, closes = window(ctx.organisation, ctx.slot)
    sig = me.signature if me else None
    certified = data.certification is not None
    names = _names(
        db,
        [r.recorded_by_id for r in data.records if r.on_trainer_device]
        + ([data.certification.recorded_by_id] if data.certification else []),
    )
    rows = [_row(p, names) for p in data.people.values()] if sees_board else []
    rows.sort(key=lambda r: (r.role != "trainer", name_key(r.name)))
    head = db.get(AttendanceChain, ctx.organisation.id)
    me_trainer_signed = ctx.role.trainer and sig is not None
    return SheetView(
        slot_id=ctx.slot.id or 0,
        session_id=ctx.session.id or 0,
        session_title=ctx.session.title,
        activity_title=ctx.activity.title,
        kind=ctx.activity.kind,
        when=when_label(ctx.slot),
        room=ctx.slot.room,
        window_state=state,
        opens_at=clock(opens),
        closes_at=clock(closes),
        signer_role=ctx.signer_role,
        signed=sig is not None,
        signed_at=clock(sig.created_at) if sig else "",
        signed_on_trainer_device=bool(sig and sig.on_trainer_device),
        my_signature_svg=sig.signature_svg if sig else "",
        my_status=me.status if me else "",
        my_mark_comment=me.mark.reason if me and me.mark else "",
        can_sign=bool(ctx.signer_role) and sig is None and state == "open" and not certified,
        meeting_link=meeting_link(ctx) if sig is not None or _hosts(ctx, actor) else "",
        manages=ctx.manages,
        sees_board=sees_board,
        certified=certified,
        certified_at=(
            data.certification.created_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if data.certification else ""
        ),
        certified_by=names.get(data.certification.recorded_by_id, "") if data.certification else "",
        can_certify=me_trainer_signed and not certified and utcnow() >= ctx.slot.starts_at,
        chain_hash=head.last_hash if head else "",
        rows=rows,
    )


# --- Acting on the sheet ----------------------------------------------------------------------


def _clean_key(client_key: object) -> str:
    return client_key if isinstance(client_key, str) and _KEY.match(client_key) else ""


def _one_line(text: object, limit: int = 300) -> str:
    return " ".join(text.split())[:limit] if isinstance(text, str) else ""


def _announce_signature(db: Session, ctx: SlotContext, record: AttendanceRecord) -> None:
    slot_id = ctx.slot.id or 0
    uid = record.subject_user_id or 0
    at, device = clock(record.created_at), record.on_trainer_device
    notify(db, slot_board_topic(slot_id), Signed(slot_id=slot_id, user_id=uid, at=at, device=device))
    notify(db, slot_person_topic(slot_id, uid), MySignature(slot_id=slot_id))


def sign(
    db: Session,
    actor: Actor,
    slot_id: int,
    strokes: object,
    client_key: object,
    *,
    user_agent: str = "",
    qr_seen_at: datetime | None = None,
) -> AttendanceRecord:
    """The actor signs a slot's sheet on their own device (learner or trainer of the session).

    Signing twice (a double click, a retry after a dropped connection) returns the
    first signature: one person signs a slot once.

    Args:
        db: Database session (committed here).
        actor: A learner enrolled in, or a trainer of, the slot's session.
        slot_id: The slot.
        strokes: The drawing, as sent by the pad.
        client_key: The pad's idempotency key.
        user_agent: The browser's User-Agent.
        qr_seen_at: When the person opened the page from the room's current QR code.

    Returns:
        The signature record.

    Raises:
        PlumeError: NOT_FOUND, SIGNING_NOT_ALLOWED, SIGNING_NOT_OPEN, SIGNING_CLOSED,
            SHEET_CERTIFIED, SIGNATURE_EMPTY or INVALID_INPUT.
    """
    ctx = slot_context(db, actor, slot_id)
    if not ctx.signer_role:
        raise PlumeError(ErrorCode.SIGNING_NOT_ALLOWED)
    unique_key = f"signature:{ctx.slot.id}:{actor.user_id}"
    if (found := existing(db, unique_key)) is not None:
        return found
    _check_open(db, ctx)
    svg = render_svg(parse_strokes(strokes))
    record = AttendanceRecord(
        organisation_id=ctx.organisation.id or 0,
        seq=0,
        session_id=ctx.session.id or 0,
        slot_id=ctx.slot.id or 0,
        kind="signature",
        subject_user_id=actor.user_id,
        subject_role=ctx.signer_role,
        status="present",
        recorded_by_id=actor.user_id,
        signature_svg=svg,
        signature_sha256=sha256_text(svg),
        qr_verified=qr_seen_at is not None and utcnow() - qr_seen_at <= QR_PROOF_VALID,
        client_key=_clean_key(client_key),
        unique_key=unique_key,
        ip=actor.ip[:64],
        user_agent=user_agent[:300],
        prev_hash="",
        hash="",
    )
    stored, _ = append_record(db, record, then=lambda tx, new: _announce_signature(tx, ctx, new))
    return stored


def _check_open(db: Session, ctx: SlotContext) -> None:
    state = window_state(ctx.organisation, ctx.slot)
    if _certified(db, ctx.slot.id or 0):
        raise PlumeError(ErrorCode.SHEET_CERTIFIED)
    if state == "before":
        opens, _ = window(ctx.organisation, ctx.slot)
        raise PlumeError(ErrorCode.SIGNING_NOT_OPEN, time=clock(opens))
    if state == "closed":
        raise PlumeError(ErrorCode.SIGNING_CLOSED)


def _certified(db: Session, slot_id: int) -> bool:
    return existing(db, f"certification:{slot_id}") is not None


def _managed(db: Session, actor: Actor, slot_id: int) -> SlotContext:
    ctx = slot_context(db, actor, slot_id)
    if not ctx.manages:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return ctx


def _learner_of(db: Session, ctx: SlotContext, user_id: object) -> User:
    enrolled = (
        isinstance(user_id, int)
        and audience.invited(ctx.activity, user_id)
        and db.exec(
            select(Enrolment.id).where(Enrolment.session_id == ctx.session.id, Enrolment.user_id == user_id)
        ).first()
        is not None
    )
    user = db.get(User, user_id) if enrolled else None
    if user is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return user


def sign_as(
    db: Session,
    actor: Actor,
    slot_id: int,
    learner_id: int,
    *,
    strokes: object,
    client_key: object,
    reason: object,
    user_agent: str = "",
) -> AttendanceRecord:
    """A learner signs on the trainer's device ("Signer en tant que"), with a one-line reason.

    Allowed from the window's opening until the sheet is certified: a learner who
    could not sign on the day signs later at the trainer's desk.

    Args:
        db: Database session (committed here).
        actor: A trainer of the session, or staff.
        slot_id: The slot.
        learner_id: The learner who signs.
        strokes: The drawing.
        client_key: The pad's idempotency key.
        reason: Why the learner signs here (required).
        user_agent: The trainer's browser.

    Returns:
        The signature (the existing one if the learner had already signed).

    Raises:
        PlumeError: NOT_FOUND, REASON_REQUIRED, SIGNING_NOT_OPEN, SHEET_CERTIFIED, SIGNATURE_EMPTY.
    """
    ctx = _managed(db, actor, slot_id)
    learner = _learner_of(db, ctx, learner_id)
    unique_key = f"signature:{ctx.slot.id}:{learner.id}"
    if (found := existing(db, unique_key)) is not None:
        return found
    why = _one_line(reason)
    if not why:
        raise PlumeError(ErrorCode.REASON_REQUIRED, field="reason")
    if _certified(db, ctx.slot.id or 0):
        raise PlumeError(ErrorCode.SHEET_CERTIFIED)
    opens, _ = window(ctx.organisation, ctx.slot)
    if utcnow() < opens:
        raise PlumeError(ErrorCode.SIGNING_NOT_OPEN, time=clock(opens))
    svg = render_svg(parse_strokes(strokes))
    record = AttendanceRecord(
        organisation_id=ctx.organisation.id or 0,
        seq=0,
        session_id=ctx.session.id or 0,
        slot_id=ctx.slot.id or 0,
        kind="signature",
        subject_user_id=learner.id,
        subject_role="learner",
        status="present",
        recorded_by_id=actor.user_id,
        on_trainer_device=True,
        reason=why,
        signature_svg=svg,
        signature_sha256=sha256_text(svg),
        client_key=_clean_key(client_key),
        unique_key=unique_key,
        ip=actor.ip[:64],
        user_agent=user_agent[:300],
        prev_hash="",
        hash="",
    )

    def with_record(tx: Session, new: AttendanceRecord) -> None:
        audit.record(
            tx,
            "attendance.sign_as",
            actor_user_id=actor.user_id,
            organisation_id=ctx.organisation.id,
            target=f"slot:{ctx.slot.id}",
            after={"learner_id": learner.id, "reason": why, "record_seq": new.seq},
            ip=actor.ip,
        )
        _announce_signature(tx, ctx, new)

    stored, _ = append_record(db, record, then=with_record)
    return stored


def _changed(db: Session, ctx: SlotContext, user_id: int | None, op: str) -> None:
    slot_id = ctx.slot.id or 0
    notify(db, slot_board_topic(slot_id), SheetChanged(op=op, slot_id=slot_id))
    if user_id:
        notify(db, slot_person_topic(slot_id, user_id), MineChanged(slot_id=slot_id))


def mark(db: Session, actor: Actor, slot_id: int, learner_id: int, *, status: object, comment: object) -> None:
    """Mark a learner absent or late (with a comment), or clear the mark, before certification.

    Args:
        db: Database session (committed here).
        actor: A trainer of the session, or staff.
        slot_id: The slot.
        learner_id: The learner.
        status: absent, late or clear.
        comment: A comment (optional).

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, SHEET_CERTIFIED or ALREADY_SIGNED (absent after signing).
    """
    ctx = _managed(db, actor, slot_id)
    learner = _learner_of(db, ctx, learner_id)
    if status not in MARKS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="status")
    if _certified(db, ctx.slot.id or 0):
        raise PlumeError(ErrorCode.SHEET_CERTIFIED)
    if status == "absent" and existing(db, f"signature:{ctx.slot.id}:{learner.id}") is not None:
        raise PlumeError(ErrorCode.ALREADY_SIGNED)
    record = AttendanceRecord(
        organisation_id=ctx.organisation.id or 0,
        seq=0,
        session_id=ctx.session.id or 0,
        slot_id=ctx.slot.id or 0,
        kind="mark",
        subject_user_id=learner.id,
        subject_role="learner",
        status=str(status),
        recorded_by_id=actor.user_id,
        reason=_one_line(comment),
        ip=actor.ip[:64],
        prev_hash="",
        hash="",
    )
    append_record(db, record, then=lambda tx, _new: _changed(tx, ctx, learner.id, "mark"))


def certify(db: Session, actor: Actor, slot_id: int) -> AttendanceRecord:
    """The trainer certifies the sheet: it is locked; later changes are corrections.

    Args:
        db: Database session (committed here).
        actor: A trainer of the session who signed the slot.
        slot_id: The slot.

    Returns:
        The certification record.

    Raises:
        PlumeError: NOT_FOUND, TRAINER_SIGNATURE_REQUIRED, CERTIFY_TOO_EARLY (before the slot starts).
    """
    ctx = slot_context(db, actor, slot_id)
    if not ctx.role.trainer:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if (found := existing(db, f"certification:{ctx.slot.id}")) is not None:
        return found
    if existing(db, f"signature:{ctx.slot.id}:{actor.user_id}") is None:
        raise PlumeError(ErrorCode.TRAINER_SIGNATURE_REQUIRED)
    if utcnow() < ctx.slot.starts_at:
        raise PlumeError(ErrorCode.CERTIFY_TOO_EARLY, time=clock(ctx.slot.starts_at))
    record = AttendanceRecord(
        organisation_id=ctx.organisation.id or 0,
        seq=0,
        session_id=ctx.session.id or 0,
        slot_id=ctx.slot.id or 0,
        kind="certification",
        status="certified",
        recorded_by_id=actor.user_id,
        unique_key=f"certification:{ctx.slot.id}",
        ip=actor.ip[:64],
        prev_hash="",
        hash="",
    )
    slot_id_ = ctx.slot.id or 0
    staff = head_recipients(db, ctx.organisation.id or 0)

    def with_record(tx: Session, new: AttendanceRecord) -> None:
        audit.record(
            tx,
            "attendance.certify",
            actor_user_id=actor.user_id,
            organisation_id=ctx.organisation.id,
            target=f"slot:{slot_id_}",
            after={"record_seq": new.seq, "hash": new.hash},
            ip=actor.ip,
        )
        publish_head(
            tx,
            ctx.organisation,
            new.seq,
            new.hash,
            reason="certification",
            unique_key=f"certification:{slot_id_}",
            recipients=staff,
            what=f"{ctx.session.title} — {ctx.activity.title}, {when_label(ctx.slot)}",
        )
        # Announced last, with the rest of the transaction: delivered only if this try commits.
        notify(tx, slot_topic(slot_id_), Certified(slot_id=slot_id_))
        notify(tx, slot_board_topic(slot_id_), Certified(slot_id=slot_id_))

    stored, _ = append_record(db, record, then=with_record)
    return stored


def correct(db: Session, actor: Actor, slot_id: int, learner_id: int, *, status: object, reason: object) -> None:
    """After certification, record a learner's corrected attendance, pointing to what it corrects.

    Args:
        db: Database session (committed here).
        actor: A trainer of the session, or staff.
        slot_id: The slot (certified).
        learner_id: The learner.
        status: present, absent or late.
        reason: Why (required).

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, NOT_CERTIFIED or REASON_REQUIRED.
    """
    ctx = _managed(db, actor, slot_id)
    learner = _learner_of(db, ctx, learner_id)
    certification = existing(db, f"certification:{ctx.slot.id}")
    if certification is None:
        raise PlumeError(ErrorCode.NOT_CERTIFIED)
    if status not in CORRECTED_STATUSES:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="status")
    why = _one_line(reason)
    if not why:
        raise PlumeError(ErrorCode.REASON_REQUIRED, field="reason")
    person = load_sheet(db, ctx.slot).people.get(learner.id or 0)
    original = (person.correction or person.mark or person.signature) if person else None
    record = AttendanceRecord(
        organisation_id=ctx.organisation.id or 0,
        seq=0,
        session_id=ctx.session.id or 0,
        slot_id=ctx.slot.id or 0,
        kind="correction",
        subject_user_id=learner.id,
        subject_role="learner",
        status=str(status),
        recorded_by_id=actor.user_id,
        reason=why,
        corrects_id=(original or certification).id,
        ip=actor.ip[:64],
        prev_hash="",
        hash="",
    )

    def with_record(tx: Session, new: AttendanceRecord) -> None:
        audit.record(
            tx,
            "attendance.correct",
            actor_user_id=actor.user_id,
            organisation_id=ctx.organisation.id,
            target=f"slot:{ctx.slot.id}",
            after={"learner_id": learner.id, "status": status, "reason": why, "record_seq": new.seq},
            ip=actor.ip,
        )
        _changed(tx, ctx, learner.id, "correction")

    append_record(db, record, then=with_record)


# --- Summaries for other pages ----------------------------------------------------------------


def attendance_labels(db: Session, slot: Slot) -> dict[int, str]:
    """Each person's attendance status on a slot (present, late, absent, unsigned).

    Args:
        db: Database session.
        slot: The slot.

    Returns:
        User id → status.
    """
    return {uid: p.status for uid, p in load_sheet(db, slot).people.items()}


def session_slots(db: Session, actor: Actor, session_id: int) -> tuple[TrainingSession, list[Slot]]:
    """A session's signed slots in time order, for its staff and trainers.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        session_id: The session.

    Returns:
        The session and its slots.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.MANAGE)
    slots = db.exec(
        select(Slot)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(Slot.session_id == session_id, col(Activity.kind).in_(SIGNED_KINDS))
        .order_by(col(Slot.starts_at))
    ).all()
    return session, list(slots)


@dataclass(frozen=True)
class OpenSheet:
    """A slot the person can sign right now (shown first on their home page)."""

    slot_id: int
    activity_title: str
    session_title: str
    when: str
    kind: str


def open_sheets(db: Session, actor: Actor, now: datetime | None = None) -> list[OpenSheet]:
    """The slots of the actor's sessions (as learner or trainer) open for signing now and not yet signed.

    Args:
        db: Database session.
        actor: The signed-in actor.
        now: The time to judge at.

    Returns:
        The open sheets, earliest first.
    """
    if actor.organisation_id is None or not actor.fully_signed_in:
        return []
    moment = now or utcnow()
    organisation = db.get(Organisation, actor.organisation_id)
    if organisation is None:
        return []
    early = timedelta(minutes=max(0, organisation.signing_window_minutes))
    rows = db.exec(
        select(Slot, Activity, TrainingSession)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Slot.session_id))
        .where(
            TrainingSession.organisation_id == actor.organisation_id,
            col(TrainingSession.status).in_(("active", "finished")),
            col(Activity.kind).in_(SIGNED_KINDS),
            col(Slot.starts_at) <= moment + early,
            col(Slot.ends_at) >= moment,
            access.session_filter(actor, Capability.SIGN),  # their sessions as a trainer or a learner
        )
        .order_by(col(Slot.starts_at))
    ).all()
    # One read for everything the gate and the sheet need, whatever the number of open slots.
    roles = access.session_roles(db, actor, [training for _, _, training in rows])
    taken = existing_keys(
        db,
        [f"signature:{slot.id}:{actor.user_id}" for slot, _, _ in rows]
        + [f"certification:{slot.id}" for slot, _, _ in rows],
    )
    out: list[OpenSheet] = []
    for slot, activity, training in rows:
        role = roles.get(training.id or 0, access.NO_ROLE)
        ctx = (
            _context(actor, slot=slot, activity=activity, training=training, organisation=organisation, role=role)
            if role.can(Capability.SEE)  # what `slot_context` asks of `access_slot`
            else None
        )
        if ctx is None or not ctx.signer_role or f"signature:{slot.id}:{actor.user_id}" in taken:
            continue
        if f"certification:{slot.id}" in taken:
            continue
        out.append(
            OpenSheet(
                slot_id=slot.id or 0,
                activity_title=activity.title,
                session_title=training.title,
                when=when_label(slot),
                kind=activity.kind,
            )
        )
    return out
