"""Attendance sheets as PDF: one slot's sheet, or every signed slot of a session.

Drawn with reportlab's canvas in its built-in Helvetica (its cp1252 encoding covers
French), so no system font is needed. Signatures are drawn as vector lines from
their stored strokes, never as images, and every word is real text that can be
searched and copied. Each page's footer publishes the organisation's chain head at
generation time with its verification URL: `plume verify-attendance --head HASH`
later proves the chain still holds it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from sqlmodel import Session, col, select

from app.models import Activity, AttendanceChain, Course, Organisation, Slot, TrainingSession, User
from app.models.base import utcnow
from app.services import attendance
from app.services.actor import Actor
from app.services.attendance import PARIS, PersonState
from app.services.attendance_chain import GENESIS
from app.services.attendance_heads import verification_url
from app.services.errors import ErrorCode, PlumeError

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 40.0
CONTENT_BOTTOM = 58.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"
CELL_FONT_SIZE, CELL_LEADING, CELL_PADDING = 8.0, 9.5, 3.0
ROW_MIN_HEIGHT = 40.0
HEADER_ROW_HEIGHT = 16.0
HEADING_HEIGHT = 11 * 1.25 + 4
INK = (0.12, 0.16, 0.23)
STATUS_LABELS = {"present": "Présent", "late": "En retard", "absent": "Absent", "unsigned": "Non émargé"}
KIND_LABELS = {"in_person": "présentiel", "virtual_class": "classe virtuelle"}
EMPTY_SESSION = "Aucune demi-journée planifiée."
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})

Strokes = list[list[tuple[int, int]]]


@dataclass(frozen=True)
class _Column:
    title: str
    width: float
    drawing: bool = False


# 515 pt: A4's width less both margins.
COLUMNS = (
    _Column("Nom", 125),
    _Column("Statut", 60),
    _Column("Heure", 38),
    _Column("Signature", 112, drawing=True),
    _Column("Observations", 180),
)


@dataclass(frozen=True)
class _Line:
    """One person's row: name, status, signing time, strokes and notes."""

    name: str
    status: str
    signed_at: str
    strokes: Strokes
    note: str


@dataclass(frozen=True)
class _Sheet:
    """Everything one slot's sheet shows, read from the database before drawing."""

    organisation: str
    training: str
    activity: str
    when: str
    room: str
    learners: list[_Line]
    trainers: list[_Line]
    certification: str


# --- Text that Helvetica can show -------------------------------------------------------------


def _encodable(ch: str) -> bool:
    try:
        ch.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def printable(text: str) -> str:
    """A text reduced to what the built-in Helvetica shows (cp1252), on one line.

    Characters outside cp1252 keep their base letter when they have one (Ğ → G),
    else become "?", so nothing is drawn as a black box.

    Args:
        text: Any text.

    Returns:
        The text to draw.
    """
    out: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch.isspace():
            out.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        elif _encodable(ch):
            out.append(ch)
        else:
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c) and _encodable(c)
            )
            out.append(base or "?")
    return "".join(out)


def _fit(text: str, width: float, font: str, size: float) -> str:
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _wrap(text: str, width: float, font: str = FONT, size: float = CELL_FONT_SIZE) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        split = simpleSplit(printable(paragraph), font, size, width) or [""]
        lines.extend(_fit(line, width, font, size) for line in split)
    return lines


# --- Names, times, file names -------------------------------------------------------------------


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(PARIS).strftime("%H:%M") if moment else ""


def _names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    users = db.exec(select(User).where(col(User.id).in_(wanted))).all()
    return {u.id or 0: u.display_name for u in users}


def slug(text: str, fallback: str) -> str:
    """An ASCII file-name part: lower case, letters and digits joined by hyphens.

    Args:
        text: Any text, e.g. a session's title.
        fallback: What to use when nothing is left.

    Returns:
        e.g. "excel-avance-groupe-2".
    """
    plain = unicodedata.normalize("NFKD", text.translate(_LIGATURES)).encode("ascii", "ignore").decode()
    cleaned = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:60].strip("-")
    return cleaned or fallback


def _half_day(slot: Slot) -> tuple[date, str]:
    start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    if start.date() != end.date():
        return start.date(), ""
    if end.time() <= time(13, 30):
        return start.date(), "matin"
    if start.time() >= time(12, 0) and end.time() <= time(19, 0):
        return start.date(), "apres-midi"
    return start.date(), ""


def slot_filename(session: TrainingSession, slot: Slot, siblings: Sequence[Slot]) -> str:
    """The file name of a slot's sheet: session, day, and half-day (or start time).

    Args:
        session: The slot's session.
        slot: The slot.
        siblings: The session's signed slots; two in the same half-day are told apart by their start time.

    Returns:
        e.g. "emargement-excel-avance-2026-11-21-matin.pdf", ASCII only.
    """
    day, half = _half_day(slot)
    if not half or any(s.id != slot.id and _half_day(s) == (day, half) for s in siblings):
        half = slot.starts_at.astimezone(PARIS).strftime("%Hh%M")
    return f"emargement-{slug(session.title, f'session-{session.id}')}-{day.isoformat()}-{half}.pdf"


def session_filename(session: TrainingSession) -> str:
    """The file name of a session's sheets.

    Args:
        session: The session.

    Returns:
        e.g. "emargement-excel-avance.pdf", ASCII only.
    """
    return f"emargement-{slug(session.title, f'session-{session.id}')}.pdf"


# --- Reading a sheet ----------------------------------------------------------------------------


def _line(person: PersonState, names: dict[int, str]) -> _Line:
    sig, mark, correction = person.signature, person.mark, person.correction
    notes: list[str] = []
    if sig is not None and sig.on_trainer_device:
        by = names.get(sig.recorded_by_id, "?")
        notes.append(f"Signé sur le poste du formateur (par {by}) — {sig.reason}")
    if mark is not None and mark.reason:
        notes.append(f"{STATUS_LABELS.get(mark.status, mark.status)} : {mark.reason}")
    if correction is not None:
        label = STATUS_LABELS.get(correction.status, correction.status).lower()
        notes.append(f"Correction après certification : {label} — {correction.reason}")
    return _Line(
        name=person.name or names.get(person.user_id, ""),
        status=STATUS_LABELS.get(person.status, person.status),
        signed_at=_clock(sig.created_at) if sig else "",
        strokes=attendance.svg_strokes(sig.signature_svg) if sig else [],
        note="\n".join(notes),
    )


def _sort_key(line: _Line) -> tuple[str, str]:
    return attendance.name_key(line.name), line.name


def _training_title(db: Session, session: TrainingSession) -> str:
    course = db.get(Course, session.course_id)
    if course is None or course.title == session.title:
        return session.title
    return f"{course.title} — {session.title}"


def _read_sheet(
    db: Session, slot: Slot, activity: Activity, session: TrainingSession, organisation: Organisation
) -> _Sheet:
    data = attendance.load_sheet(db, slot)
    names = _names(db, [r.recorded_by_id for r in data.records] + list(data.people))
    learners = sorted((_line(p, names) for p in data.people.values() if p.role != "trainer"), key=_sort_key)
    trainers = sorted((_line(p, names) for p in data.people.values() if p.role == "trainer"), key=_sort_key)
    certification = "Feuille non certifiée"
    if data.certification is not None:
        at = data.certification.created_at.astimezone(PARIS)
        by = names.get(data.certification.recorded_by_id, "?")
        certification = f"Feuille certifiée le {at:%d/%m/%Y} à {at:%H:%M} par {by}"
    kind = KIND_LABELS.get(activity.kind, "")
    return _Sheet(
        organisation=organisation.name,
        training=_training_title(db, session),
        activity=f"{activity.title} ({kind})" if kind else activity.title,
        when=attendance.when_label(slot),
        room=slot.room,
        learners=learners,
        trainers=trainers,
        certification=certification,
    )


@dataclass(frozen=True)
class _Head:
    hash: str
    seq: int
    url: str


def _chain_head(db: Session, organisation_id: int) -> _Head:
    head = db.get(AttendanceChain, organisation_id)
    hash_ = head.last_hash if head is not None and head.last_hash else GENESIS
    return _Head(hash=hash_, seq=head.last_seq if head else 0, url=verification_url(organisation_id, hash_))


# --- Drawing ----------------------------------------------------------------------------------------


class _Writer:
    """A canvas that knows where it is on the page, breaks pages and signs each footer."""

    def __init__(self, title: str, author: str, head: _Head) -> None:
        self._buffer = io.BytesIO()
        self.canvas = Canvas(self._buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(printable(title))
        self.canvas.setAuthor(printable(author))
        self.canvas.setCreator("Plume")
        self.head = head
        self.generated = utcnow().astimezone(PARIS)
        self.page = 0
        self.y = 0.0
        self.continuation: Callable[[], None] | None = None

    def new_page(self) -> None:
        """Close the current page (footer) and start a fresh one at the top."""
        if self.page:
            self._footer()
            self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN

    def need(self, height: float) -> None:
        """Go to a new page, with its continuation header, unless `height` still fits.

        Args:
            height: The height about to be drawn.
        """
        if self.y - height < CONTENT_BOTTOM:
            self.new_page()
            if self.continuation is not None:
                self.continuation()

    def text(self, value: str, *, size: float = 10, bold: bool = False, after: float = 4) -> None:
        """Draw wrapped text across the page's width.

        Args:
            value: The text.
            size: Font size.
            bold: Whether bold.
            after: Space left below it.
        """
        font = BOLD if bold else FONT
        lines = _wrap(value, PAGE_WIDTH - 2 * MARGIN, font, size)
        leading = size * 1.25
        self.need(leading * len(lines))
        self.canvas.setFillColorRGB(*INK)
        self.canvas.setFont(font, size)
        for line in lines:
            self.y -= leading
            self.canvas.drawString(MARGIN, self.y + size * 0.25, line)
        self.y -= after

    def table_header(self) -> None:
        """The table's column titles."""
        self.need(HEADER_ROW_HEIGHT)
        top = self.y
        self.canvas.setFillColorRGB(0.93, 0.94, 0.96)
        self.canvas.setStrokeColorRGB(*INK)
        self.canvas.setLineWidth(0.5)
        self.canvas.rect(MARGIN, top - HEADER_ROW_HEIGHT, sum(c.width for c in COLUMNS), HEADER_ROW_HEIGHT, fill=1)
        self.canvas.setFillColorRGB(*INK)
        self.canvas.setFont(BOLD, CELL_FONT_SIZE)
        x = MARGIN
        for column in COLUMNS:
            self.canvas.drawString(x + CELL_PADDING, top - HEADER_ROW_HEIGHT + 5, column.title)
            x += column.width
        self.y -= HEADER_ROW_HEIGHT

    def row(self, line: _Line) -> None:
        """One person's row; it moves whole to the next page when it does not fit.

        Args:
            line: The row.
        """
        cells = [line.name, line.status, line.signed_at, "", line.note]
        wrapped = [_wrap(cell, c.width - 2 * CELL_PADDING) for cell, c in zip(cells, COLUMNS, strict=True)]
        height = max(ROW_MIN_HEIGHT, max(len(w) for w in wrapped) * CELL_LEADING + 2 * CELL_PADDING)
        self.need(height)
        top = self.y
        x = MARGIN
        self.canvas.setStrokeColorRGB(*INK)
        self.canvas.setLineWidth(0.5)
        for column, lines in zip(COLUMNS, wrapped, strict=True):
            self.canvas.rect(x, top - height, column.width, height, fill=0)
            if column.drawing:
                self._strokes(line.strokes, x, top, column.width, height)
            else:
                self.canvas.setFillColorRGB(*INK)
                self.canvas.setFont(FONT, CELL_FONT_SIZE)
                for i, text in enumerate(lines):
                    baseline = top - CELL_PADDING - CELL_FONT_SIZE - i * CELL_LEADING + 1
                    self.canvas.drawString(x + CELL_PADDING, baseline, text)
            x += column.width
        self.y -= height

    def _strokes(self, strokes: Strokes, x: float, top: float, width: float, height: float) -> None:
        if not strokes:
            return
        scale = min(
            (width - 2 * CELL_PADDING) / attendance.PAD_WIDTH, (height - 2 * CELL_PADDING) / attendance.PAD_HEIGHT
        )
        left = x + (width - attendance.PAD_WIDTH * scale) / 2
        upper = top - (height - attendance.PAD_HEIGHT * scale) / 2
        path = self.canvas.beginPath()
        for stroke in strokes:
            (x0, y0), *rest = stroke
            path.moveTo(left + x0 * scale, upper - y0 * scale)
            for px, py in rest or [(x0, y0)]:
                path.lineTo(left + px * scale, upper - py * scale)
        self.canvas.saveState()
        self.canvas.setStrokeColorRGB(*INK)
        self.canvas.setLineWidth(max(0.5, 5 * scale))
        self.canvas.setLineCap(1)
        self.canvas.setLineJoin(1)
        self.canvas.drawPath(path, stroke=1, fill=0)
        self.canvas.restoreState()

    def _footer(self) -> None:
        self.canvas.setStrokeColorRGB(0.75, 0.78, 0.82)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, 52, PAGE_WIDTH - MARGIN, 52)
        self.canvas.setFillColorRGB(*INK)
        self.canvas.setFont(FONT, 7)
        self.canvas.drawString(
            MARGIN, 42, f"Empreinte de la chaîne : {printable(self.head.hash)} (enregistrement n° {self.head.seq})"
        )
        self.canvas.drawString(MARGIN, 32, f"Vérification : {printable(self.head.url)}")
        self.canvas.drawString(
            MARGIN, 22, f"Édité par Plume le {self.generated:%d/%m/%Y} à {self.generated:%H:%M} (heure de Paris)"
        )
        self.canvas.setFont(FONT, 8)
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, 42, f"Page {self.page}")

    def finish(self) -> bytes:
        """Close the last page and the document.

        Returns:
            The PDF.
        """
        if not self.page:
            self.new_page()
        self._footer()
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()


def _draw_people(writer: _Writer, heading: str, lines: list[_Line], empty: str) -> None:
    page_top = writer.continuation
    writer.need(HEADING_HEIGHT + HEADER_ROW_HEIGHT + ROW_MIN_HEIGHT)  # never a heading alone at a page's foot
    writer.text(heading, size=11, bold=True, after=4)
    if not lines:
        writer.text(empty, size=9, after=8)
        return

    def continuation() -> None:
        if page_top is not None:
            page_top()
        writer.text(f"{heading} (suite)", size=10, bold=True, after=3)
        writer.table_header()

    writer.table_header()
    writer.continuation = continuation
    for line in lines:
        writer.row(line)
    writer.continuation = page_top
    writer.y -= 12


def _draw_heading(writer: _Writer, organisation: str, training: str) -> None:
    writer.text("Feuille d'émargement", size=16, bold=True, after=6)
    writer.text(organisation, size=11, bold=True, after=2)
    writer.text(f"Formation : {training}", after=2)


def _draw_sheet(writer: _Writer, sheet: _Sheet) -> None:
    writer.continuation = None
    writer.new_page()
    _draw_heading(writer, sheet.organisation, sheet.training)
    writer.text(f"Activité : {sheet.activity}", after=2)
    writer.text(f"Date : {sheet.when}", after=2)
    if sheet.room:
        writer.text(f"Salle : {sheet.room}", after=2)
    writer.y -= 10
    writer.continuation = lambda: writer.text(
        f"Feuille d'émargement (suite) — {sheet.activity} — {sheet.when}", size=9, bold=True, after=6
    )
    _draw_people(writer, "Apprenants", sheet.learners, "Aucun apprenant inscrit.")
    _draw_people(writer, "Formateurs", sheet.trainers, "Aucun formateur positionné.")
    writer.text(sheet.certification, size=10, bold=True)


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
    ctx = attendance.slot_context(db, actor, slot_id)
    if not ctx.manages:
        raise PlumeError(ErrorCode.NOT_FOUND)
    sheet = _read_sheet(db, ctx.slot, ctx.activity, ctx.session, ctx.organisation)
    _, siblings = attendance.session_slots(db, actor, ctx.session.id or 0)
    writer = _Writer(
        f"Feuille d'émargement — {sheet.training} — {sheet.when}",
        ctx.organisation.name,
        _chain_head(db, ctx.organisation.id or 0),
    )
    _draw_sheet(writer, sheet)
    return slot_filename(ctx.session, ctx.slot, siblings), writer.finish()


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
    session, slots = attendance.session_slots(db, actor, session_id)
    organisation = db.get(Organisation, session.organisation_id)
    if organisation is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    activities = {
        a.id: a for a in db.exec(select(Activity).where(col(Activity.id).in_({s.activity_id for s in slots}))).all()
    }
    training = _training_title(db, session)
    writer = _Writer(f"Feuilles d'émargement — {training}", organisation.name, _chain_head(db, organisation.id or 0))
    for slot in slots:
        activity = activities.get(slot.activity_id)
        if activity is not None:
            _draw_sheet(writer, _read_sheet(db, slot, activity, session, organisation))
    if not writer.page:
        writer.new_page()
        _draw_heading(writer, organisation.name, training)
        writer.y -= 10
        writer.text(EMPTY_SESSION, size=11)
    return session_filename(session), writer.finish()
