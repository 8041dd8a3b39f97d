"""Acting on a slot's sheet: signing (on one's own device or the trainer's), marks, certification, corrections.

Each action appends one `AttendanceRecord` to the organisation's chain (`chain.append_record`)
and announces it with the transaction that commits it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

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
from app.models import AttendanceRecord, Enrolment, User
from app.models.attendance import CORRECTED_STATUSES, MARKS
from app.models.base import utcnow
from app.services import audience, audit, progress
from app.services.actor import Actor
from app.services.attendance import completion
from app.services.attendance.chain import append_record, existing, sha256_text
from app.services.attendance.drawing import parse_strokes, render_svg
from app.services.attendance.heads import head_recipients, publish_head
from app.services.attendance.sheet import load_sheet
from app.services.attendance.window import (
    QR_PROOF_VALID,
    SlotContext,
    clock,
    slot_context,
    when_label,
    window,
    window_state,
)
from app.services.errors import ErrorCode, PlumeError

_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def _clean_key(client_key: object) -> str:
    return client_key if isinstance(client_key, str) and _KEY.match(client_key) else ""


def _one_line(text: object, limit: int = 300) -> str:
    return " ".join(text.split())[:limit] if isinstance(text, str) else ""


def _follow_progress(db: Session, ctx: SlotContext, user_id: int | None, role: str = "learner") -> None:
    """An in-person activity is done when its half-days are attended: recount the learner's progress, say so.

    Its own transaction, after the record's: derived figures never hold the chain's write open
    (another worker may be appending), and the next recount repairs them if this one fails.
    """
    if ctx.activity.kind != "in_person" or role != "learner" or not user_id:
        return
    completion.follow(db, ctx.training.id or 0, [user_id])
    progress.announce(db, ctx.training.id or 0, user_id, ctx.activity.id)
    db.commit()


def _new_record(ctx: SlotContext, actor: Actor, kind: str, **fields: Any) -> AttendanceRecord:
    # Not chained yet: `append_record` sets its place (`seq`) and its hashes. `fields` are the kind's own
    # columns, passed through as they are (Any: the model's columns have as many types).
    return AttendanceRecord(
        organisation_id=ctx.organisation.id or 0,
        seq=0,
        session_id=ctx.training.id or 0,
        slot_id=ctx.slot.id or 0,
        kind=kind,
        recorded_by_id=actor.user_id,
        ip=actor.ip[:64],
        prev_hash="",
        hash="",
        **fields,
    )


def _new_signature(
    ctx: SlotContext,
    actor: Actor,
    strokes: object,
    *,
    client_key: object,
    unique_key: str,
    user_agent: str,
    **fields: Any,
) -> AttendanceRecord:
    # The drawing checked and stored as SVG (`SIGNATURE_EMPTY` when there is none), with its digest.
    svg = render_svg(parse_strokes(strokes))
    return _new_record(
        ctx,
        actor,
        "signature",
        status="present",
        signature_svg=svg,
        signature_sha256=sha256_text(svg),
        client_key=_clean_key(client_key),
        unique_key=unique_key,
        user_agent=user_agent[:300],
        **fields,
    )


def _store_signature(
    db: Session, ctx: SlotContext, record: AttendanceRecord, *, then: Callable[[Session, AttendanceRecord], None]
) -> AttendanceRecord:
    stored, _ = append_record(db, record, then=then)
    _follow_progress(db, ctx, stored.subject_user_id, stored.subject_role)
    return stored


def _audit(db: Session, ctx: SlotContext, actor: Actor, action: str, after: dict[str, Any]) -> None:
    audit.by_actor(db, actor, action, organisation_id=ctx.organisation.id, target=f"slot:{ctx.slot.id}", after=after)


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
    record = _new_signature(
        ctx,
        actor,
        strokes,
        client_key=client_key,
        unique_key=unique_key,
        user_agent=user_agent,
        subject_user_id=actor.user_id,
        subject_role=ctx.signer_role,
        qr_verified=qr_seen_at is not None and utcnow() - qr_seen_at <= QR_PROOF_VALID,
    )
    return _store_signature(db, ctx, record, then=lambda tx, new: _announce_signature(tx, ctx, new))


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
            select(Enrolment.id).where(Enrolment.session_id == ctx.training.id, Enrolment.user_id == user_id)
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
    record = _new_signature(
        ctx,
        actor,
        strokes,
        client_key=client_key,
        unique_key=unique_key,
        user_agent=user_agent,
        subject_user_id=learner.id,
        subject_role="learner",
        on_trainer_device=True,
        reason=why,
    )

    def with_record(tx: Session, new: AttendanceRecord) -> None:
        _audit(tx, ctx, actor, "attendance.sign_as", {"learner_id": learner.id, "reason": why, "record_seq": new.seq})
        _announce_signature(tx, ctx, new)

    return _store_signature(db, ctx, record, then=with_record)


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
    record = _new_record(
        ctx,
        actor,
        "mark",
        subject_user_id=learner.id,
        subject_role="learner",
        status=str(status),
        reason=_one_line(comment),
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
    if ctx.signer_role != "trainer":  # a trainer of the session, or the leader of a class for some learners
        raise PlumeError(ErrorCode.NOT_FOUND)
    if (found := existing(db, f"certification:{ctx.slot.id}")) is not None:
        return found
    if existing(db, f"signature:{ctx.slot.id}:{actor.user_id}") is None:
        raise PlumeError(ErrorCode.TRAINER_SIGNATURE_REQUIRED)
    if utcnow() < ctx.slot.starts_at:
        raise PlumeError(ErrorCode.CERTIFY_TOO_EARLY, time=clock(ctx.slot.starts_at))
    record = _new_record(ctx, actor, "certification", status="certified", unique_key=f"certification:{ctx.slot.id}")
    slot_id_ = ctx.slot.id or 0
    staff = head_recipients(db, ctx.organisation.id or 0)

    def with_record(tx: Session, new: AttendanceRecord) -> None:
        _audit(tx, ctx, actor, "attendance.certify", {"record_seq": new.seq, "hash": new.hash})
        publish_head(
            tx,
            ctx.organisation,
            new.seq,
            new.hash,
            reason="certification",
            unique_key=f"certification:{slot_id_}",
            recipients=staff,
            what=f"{ctx.training.title} — {ctx.activity.title}, {when_label(ctx.slot)}",
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
    record = _new_record(
        ctx,
        actor,
        "correction",
        subject_user_id=learner.id,
        subject_role="learner",
        status=str(status),
        reason=why,
        corrects_id=(original or certification).id,
    )

    def with_record(tx: Session, new: AttendanceRecord) -> None:
        after = {"learner_id": learner.id, "status": status, "reason": why, "record_seq": new.seq}
        _audit(tx, ctx, actor, "attendance.correct", after)
        _changed(tx, ctx, learner.id, "correction")

    append_record(db, record, then=with_record)
    _follow_progress(db, ctx, learner.id)
