"""Attendance sheets as PDF: one slot's sheet, or every signed slot of a session, drawn from prepared data.

A pure renderer: `app.services.attendance.pdf` reads and checks, then hands a
`SheetsDocument` to `render`. Drawn with reportlab's canvas in its built-in
Helvetica (its cp1252 encoding covers French), so no system font is needed.
Signatures are drawn as vector lines from their stored strokes, never as images,
and every word is real text that can be searched and copied. Each page's footer
publishes the organisation's chain head at generation time with its verification
URL: `plume verify-attendance --head HASH` later proves the chain still holds it.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.clock import PARIS
from app.documents.data import ChainHead, Sheet, SheetLine, SheetsDocument, Strokes

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 40.0
CONTENT_BOTTOM = 58.0
FONT, BOLD = "Helvetica", "Helvetica-Bold"
CELL_FONT_SIZE, CELL_LEADING, CELL_PADDING = 8.0, 9.5, 3.0
ROW_MIN_HEIGHT = 40.0
HEADER_ROW_HEIGHT = 16.0
HEADING_HEIGHT = 11 * 1.25 + 4
INK = (0.12, 0.16, 0.23)
EMPTY_SESSION = "Aucune demi-journée planifiée."
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})


@dataclass(frozen=True)
class _Column:
    title: str
    width: float
    drawing: bool = False


# 515 pt: A4's width less both margins.
COLUMNS = (
    _Column("Nom", 115),
    _Column("Statut", 90),  # "En retard (correction)" on one line
    _Column("Heure", 38),
    _Column("Signature", 92, drawing=True),
    _Column("Observations", 180),
)


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


# --- File names ------------------------------------------------------------------------------------


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


# --- Drawing ----------------------------------------------------------------------------------------


class _Writer:
    """A canvas that knows where it is on the page, breaks pages and signs each footer."""

    def __init__(self, document: SheetsDocument) -> None:
        self._buffer = io.BytesIO()
        self.canvas = Canvas(self._buffer, pagesize=A4, pageCompression=1)
        self.canvas.setTitle(printable(document.title))
        self.canvas.setAuthor(printable(document.author))
        self.canvas.setCreator("Plume")
        self.head: ChainHead = document.head
        self.pad = (document.pad_width, document.pad_height)
        self.generated = document.generated_at.astimezone(PARIS)
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

    def row(self, line: SheetLine, keep: float = 0.0) -> None:
        """One person's row; it moves whole to the next page when it does not fit.

        Args:
            line: The row.
            keep: The height of what must stay on the same page after it (the certification after the last row).
        """
        cells = [line.name, line.status, line.signed_at, "", line.note]
        wrapped = [_wrap(cell, c.width - 2 * CELL_PADDING) for cell, c in zip(cells, COLUMNS, strict=True)]
        height = max(ROW_MIN_HEIGHT, max(len(w) for w in wrapped) * CELL_LEADING + 2 * CELL_PADDING)
        self.need(height + keep)
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
        pad_width, pad_height = self.pad
        scale = min((width - 2 * CELL_PADDING) / pad_width, (height - 2 * CELL_PADDING) / pad_height)
        left = x + (width - pad_width * scale) / 2
        upper = top - (height - pad_height * scale) / 2
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


def _text_height(value: str, size: float, after: float, bold: bool = True) -> float:
    return len(_wrap(value, PAGE_WIDTH - 2 * MARGIN, BOLD if bold else FONT, size)) * size * 1.25 + after


def _draw_people(writer: _Writer, heading: str, lines: list[SheetLine], empty: str, keep: float = 0.0) -> None:
    """A heading and its table; `keep` is the height that must follow its last row on the same page."""
    page_top = writer.continuation
    # Never a heading alone at a page's foot; nor what must follow the table (the certification) alone on the next.
    writer.need(HEADING_HEIGHT + HEADER_ROW_HEIGHT + ROW_MIN_HEIGHT + (keep if len(lines) <= 1 else 0.0))
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
    for index, line in enumerate(lines):
        writer.row(line, keep=keep + 12 if index == len(lines) - 1 else 0.0)
    writer.continuation = page_top
    writer.y -= 12


def _draw_heading(writer: _Writer, organisation: str, training: str) -> None:
    writer.text("Feuille d'émargement", size=16, bold=True, after=6)
    writer.text(organisation, size=11, bold=True, after=2)
    writer.text(f"Formation : {training}", after=2)


def _draw_sheet(writer: _Writer, sheet: Sheet) -> None:
    writer.continuation = None
    writer.new_page()
    _draw_heading(writer, sheet.organisation, sheet.training)
    if sheet.module:
        writer.text(f"Module : {sheet.module}", after=2)
    writer.text(f"Activité : {sheet.activity}", after=2)
    writer.text(f"Date : {sheet.when}" + (f" — Durée : {sheet.hours}" if sheet.hours else ""), after=2)
    if sheet.room:
        writer.text(f"Salle : {sheet.room}", after=2)
    writer.y -= 10
    writer.continuation = lambda: writer.text(
        f"Feuille d'émargement (suite) — {sheet.activity} — {sheet.when}", size=9, bold=True, after=6
    )
    _draw_people(writer, "Apprenants", sheet.learners, "Aucun apprenant inscrit.")
    # The certification closes the sheet: it stays on the page of the last row, never alone on a page.
    certification = _text_height(sheet.certification, 10, 4)
    heading = "Animée par" if sheet.led_by_creator else "Formateurs"
    _draw_people(writer, heading, sheet.trainers, "Aucun formateur positionné.", keep=certification)
    writer.text(sheet.certification, size=10, bold=True)


# --- Entry point ---------------------------------------------------------------------------------


def render(document: SheetsDocument) -> bytes:
    """Draw attendance sheets, one after the other, each starting on a new page.

    Args:
        document: The sheets, read and checked by `app.services.attendance.pdf`.

    Returns:
        The PDF; without any sheet, one page with the heading and EMPTY_SESSION.
    """
    writer = _Writer(document)
    for sheet in document.sheets:
        _draw_sheet(writer, sheet)
    if not writer.page:
        writer.new_page()
        _draw_heading(writer, document.organisation, document.training)
        writer.y -= 10
        writer.text(EMPTY_SESSION, size=11)
    return writer.finish()
