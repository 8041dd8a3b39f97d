"""Attendance sheets as PDF downloads: who may have them, what they say, and their file names.

This module reads and checks; `app.documents.attendance_pdf.render` only draws. A sheet is
read from the database into `app.documents.data.Sheet` (names, statuses, signing
times, signature strokes, notes, certification), and the organisation's chain head
at generation time goes into each page's footer with its verification URL:
`plume verify-attendance --head HASH` later proves the chain still holds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time

from sqlmodel import Session, col, select

from app.clock import PARIS
from app.documents.attendance_pdf import render, slug
from app.documents.data import ChainHead, Sheet, SheetLine, SheetsDocument
from app.i18n import decimal_text
from app.models import Activity, AttendanceChain, Course, Module, Organisation, Slot, TrainingSession
from app.models.base import utcnow
from app.services import audience
from app.services.access import Capability
from app.services.actor import Actor
from app.services.attendance.chain import GENESIS
from app.services.attendance.drawing import PAD_HEIGHT, PAD_WIDTH, svg_strokes
from app.services.attendance.heads import verification_url
from app.services.attendance.sheet import PersonState, display_names, load_sheet, name_key
from app.services.attendance.status import notes
from app.services.attendance.summaries import session_slots
from app.services.attendance.window import clock, slot_context, when_label
from app.services.errors import ErrorCode, PlumeError

KIND_LABELS = {"in_person": "présentiel", "virtual_class": "classe virtuelle"}


# --- Names, times, file names -------------------------------------------------------------------


def _half_day(slot: Slot) -> tuple[date, str]:
    start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    if start.date() != end.date():
        return start.date(), ""
    if end.time() <= time(13, 30):
        return start.date(), "matin"
    if start.time() >= time(12, 0) and end.time() <= time(19, 0):
        return start.date(), "apres-midi"
    return start.date(), ""


def slot_filename(training: TrainingSession, slot: Slot, siblings: Sequence[Slot]) -> str:
    """The file name of a slot's sheet: session, day, and half-day (or start time).

    Args:
        training: The slot's session.
        slot: The slot.
        siblings: The session's signed slots; two in the same half-day are told apart by their start time.

    Returns:
        e.g. "emargement-excel-avance-2026-11-21-matin.pdf", ASCII only.
    """
    day, half = _half_day(slot)
    if not half or any(s.id != slot.id and _half_day(s) == (day, half) for s in siblings):
        half = slot.starts_at.astimezone(PARIS).strftime("%Hh%M")
    return f"emargement-{slug(training.title, f'session-{training.id}')}-{day.isoformat()}-{half}.pdf"


def session_filename(training: TrainingSession) -> str:
    """The file name of a session's sheets.

    Args:
        training: The session.

    Returns:
        e.g. "emargement-excel-avance.pdf", ASCII only.
    """
    return f"emargement-{slug(training.title, f'session-{training.id}')}.pdf"


# --- Reading a sheet ----------------------------------------------------------------------------


def _line(person: PersonState, names: dict[int, str]) -> SheetLine:
    sig, mark, correction = person.signature, person.mark, person.correction
    return SheetLine(
        name=person.name or names.get(person.user_id, ""),
        status=person.standing.label,  # the one rule (`status`), as on the board and in the report
        signed_at=clock(sig.created_at) if sig else "",
        strokes=svg_strokes(sig.signature_svg) if sig else [],
        note="\n".join(notes(sig, mark, correction, names)),
    )


def _sort_key(line: SheetLine) -> tuple[str, str]:
    return name_key(line.name), line.name


def _training_title(db: Session, training: TrainingSession) -> str:
    course = db.get(Course, training.course_id)
    if course is None or course.title == training.title:
        return training.title
    return f"{course.title} — {training.title}"


def hours_label(slot: Slot) -> str:
    """A half-day's duration in hours, as a French sheet writes it.

    Args:
        slot: The slot.

    Returns:
        e.g. "3,5 h", "3 h", "3,25 h".
    """
    hours = max(0.0, (slot.ends_at - slot.starts_at).total_seconds()) / 3600
    return decimal_text(hours) + " h"


def _read_sheet(
    db: Session,
    slot: Slot,
    activity: Activity,
    training: TrainingSession,
    organisation: Organisation,
    *,
    module_title: str,
) -> Sheet:
    data = load_sheet(db, slot)
    names = display_names(db, [r.recorded_by_id for r in data.records] + list(data.people))
    learners = sorted((_line(p, names) for p in data.people.values() if p.role != "trainer"), key=_sort_key)
    trainers = sorted((_line(p, names) for p in data.people.values() if p.role == "trainer"), key=_sort_key)
    certification = "Feuille non certifiée"
    if data.certification is not None:
        at = data.certification.created_at.astimezone(PARIS)
        by = names.get(data.certification.recorded_by_id, "?")
        certification = f"Feuille certifiée le {at:%d/%m/%Y} à {at:%H:%M} par {by}"
    kind = KIND_LABELS.get(activity.kind, "")
    return Sheet(
        organisation=organisation.name,
        training=_training_title(db, training),
        activity=f"{activity.title} ({kind})" if kind else activity.title,
        when=when_label(slot),
        room=slot.room,
        learners=learners,
        trainers=trainers,
        certification=certification,
        module=module_title,
        hours=hours_label(slot),
        led_by_creator=audience.leader(activity) is not None,
    )


def _chain_head(db: Session, organisation_id: int) -> ChainHead:
    head = db.get(AttendanceChain, organisation_id)
    hash_ = head.last_hash if head is not None and head.last_hash else GENESIS
    return ChainHead(hash=hash_, seq=head.last_seq if head else 0, url=verification_url(organisation_id, hash_))


def _document(
    db: Session, title: str, organisation: Organisation, training: str, sheets: list[Sheet]
) -> SheetsDocument:
    return SheetsDocument(
        title=title,
        author=organisation.name,
        organisation=organisation.name,
        training=training,
        head=_chain_head(db, organisation.id or 0),
        generated_at=utcnow(),
        pad_width=PAD_WIDTH,
        pad_height=PAD_HEIGHT,
        sheets=sheets,
    )


# --- Entry points ---------------------------------------------------------------------------------


def slot_sheet_pdf(db: Session, actor: Actor, slot_id: int) -> tuple[str, bytes]:
    """One slot's attendance sheet as a PDF, for the session's trainers and staff.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the slot's session.
        slot_id: The slot.

    Returns:
        The file name (ASCII) and the PDF.

    Raises:
        PlumeError: NOT_FOUND for a missing slot, one without a sheet, and anyone else alike.
    """
    ctx = slot_context(db, actor, slot_id)
    # Reading a sheet (OVERSEE) outlives the archive; running the board (MANAGE) does not.
    if not (ctx.role.can(Capability.OVERSEE) or ctx.leads):
        raise PlumeError(ErrorCode.NOT_FOUND)
    module = db.get(Module, ctx.activity.module_id)
    sheet = _read_sheet(
        db, ctx.slot, ctx.activity, ctx.training, ctx.organisation, module_title=module.title if module else ""
    )
    _, siblings = session_slots(db, actor, ctx.training.id or 0)
    title = f"Feuille d'émargement — {sheet.training} — {sheet.when}"
    document = _document(db, title, ctx.organisation, sheet.training, [sheet])
    return slot_filename(ctx.training, ctx.slot, siblings), render(document)


def session_sheets_pdf(db: Session, actor: Actor, session_id: int) -> tuple[str, bytes]:
    """Every signed slot's sheet of a session, in time order, as one PDF.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session.
        session_id: The session.

    Returns:
        The file name (ASCII) and the PDF; a session without signed slots gives one page saying so.

    Raises:
        PlumeError: NOT_FOUND for a missing session and anyone but its staff and trainers alike.
    """
    training, slots = session_slots(db, actor, session_id)
    organisation = db.get(Organisation, training.organisation_id)
    if organisation is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    activities = {
        a.id: a for a in db.exec(select(Activity).where(col(Activity.id).in_({s.activity_id for s in slots}))).all()
    }
    modules = {
        m.id: m.title
        for m in db.exec(select(Module).where(col(Module.id).in_({a.module_id for a in activities.values()}))).all()
    }
    training_title = _training_title(db, training)
    sheets = [
        _read_sheet(db, slot, activity, training, organisation, module_title=modules.get(activity.module_id, ""))
        for slot in slots
        if (activity := activities.get(slot.activity_id)) is not None
    ]
    document = _document(db, f"Feuilles d'émargement — {training_title}", organisation, training_title, sheets)
    return session_filename(training), render(document)
