"""The "bilan du questionnaire d'évaluation" of an anonymous quality evaluation, as an A4 PDF.

A pure renderer of `app.documents.data.EvaluationReport`, which `app.services.evaluations.report`
fills from the anonymous aggregates only (counts, averages, free texts in alphabetical order): it
holds no name and no row per person, so the PDF cannot show one. Drawn like the other documents
(reportlab's canvas, built-in Helvetica, every word real text); each distribution is a horizontal
bar chart drawn with rectangles.
"""

from __future__ import annotations

import io

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.clock import PARIS
from app.documents.attendance_pdf import BOLD, FONT, INK, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, printable
from app.documents.data import EvaluationReport, ReportQuestion
from app.i18n import decimal_text

TITLE = "Bilan du questionnaire d'évaluation"
WIDTH = PAGE_WIDTH - 2 * MARGIN
BOTTOM = 50.0
LABEL_WIDTH = 170.0
COUNT_WIDTH = 70.0
BAR_HEIGHT = 11.0
BAR_GAP = 4.0
BAR_COLOUR = (0.24, 0.42, 0.75)
TRACK_COLOUR = (0.92, 0.93, 0.95)
NO_ANSWER = "Aucune réponse."


def _answers(count: int) -> str:
    return f"{count} réponse" if count <= 1 else f"{count} réponses"


def _percent(count: int, total: int) -> str:
    return f"{decimal_text(100 * count / total, 0)} %" if total else "0 %"


class _Writer:
    """A canvas that knows where it is on the page, breaks pages and numbers them."""

    def __init__(self, report: EvaluationReport) -> None:
        self._buffer = io.BytesIO()
        self.canvas = Canvas(self._buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
        self.canvas.setTitle(printable(f"{TITLE} — {report.activity}"))
        self.canvas.setAuthor(printable(report.organisation))
        self.canvas.setCreator("Plume")
        self.generated = report.generated_at.astimezone(PARIS)
        self.page = 0
        self.y = 0.0
        self.new_page()

    def new_page(self) -> None:
        """Close the current page (footer) and start a fresh one at the top."""
        if self.page:
            self._footer()
            self.canvas.showPage()
        self.page += 1
        self.y = PAGE_HEIGHT - MARGIN

    def need(self, height: float) -> None:
        """Go to a new page unless `height` still fits.

        Args:
            height: The height about to be drawn.
        """
        if self.y - height < BOTTOM:
            self.new_page()

    def text(self, value: str, *, size: float = 10, bold: bool = False, after: float = 4, indent: float = 0) -> None:
        """Draw wrapped text across the page's width.

        Args:
            value: The text.
            size: Font size.
            bold: Whether bold.
            after: Space left below it.
            indent: Left indent.
        """
        font = BOLD if bold else FONT
        leading = size * 1.25
        for paragraph in value.split("\n"):
            for line in simpleSplit(printable(paragraph), font, size, WIDTH - indent) or [""]:
                self.need(leading)
                self.y -= leading
                self.canvas.setFillColorRGB(*INK)
                self.canvas.setFont(font, size)
                self.canvas.drawString(MARGIN + indent, self.y + size * 0.25, line)
        self.y -= after

    def bars(self, labels: list[str], counts: list[int], total: int) -> None:
        """A horizontal bar chart: one bar per label, its length the share of `total`.

        Args:
            labels: The choices or levels.
            counts: Answers per label.
            total: What a full bar stands for (the answers to the question).
        """
        track = WIDTH - LABEL_WIDTH - COUNT_WIDTH
        for label, count in zip(labels, counts, strict=False):
            self.need(BAR_HEIGHT + BAR_GAP)
            self.y -= BAR_HEIGHT + BAR_GAP
            text = printable(label)
            while text and stringWidth(text, FONT, 8.5) > LABEL_WIDTH - 8:
                text = text[:-2] + "…" if len(text) > 2 else ""
            self.canvas.setFillColorRGB(*INK)
            self.canvas.setFont(FONT, 8.5)
            self.canvas.drawString(MARGIN, self.y + 2.5, text)
            left = MARGIN + LABEL_WIDTH
            self.canvas.setFillColorRGB(*TRACK_COLOUR)
            self.canvas.rect(left, self.y, track, BAR_HEIGHT, stroke=0, fill=1)
            if total and count:
                self.canvas.setFillColorRGB(*BAR_COLOUR)
                self.canvas.rect(left, self.y, track * count / total, BAR_HEIGHT, stroke=0, fill=1)
            self.canvas.setFillColorRGB(*INK)
            self.canvas.drawString(left + track + 6, self.y + 2.5, f"{count} ({_percent(count, total)})")
        self.y -= 6

    def _footer(self) -> None:
        self.canvas.setStrokeColorRGB(0.75, 0.78, 0.82)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(MARGIN, 36, PAGE_WIDTH - MARGIN, 36)
        self.canvas.setFillColorRGB(*INK)
        self.canvas.setFont(FONT, 7)
        self.canvas.drawString(
            MARGIN,
            24,
            f"Résultats anonymes — édité par Plume le {self.generated:%d/%m/%Y} à {self.generated:%H:%M} "
            "(heure de Paris)",
        )
        self.canvas.drawRightString(PAGE_WIDTH - MARGIN, 24, f"Page {self.page}")

    def finish(self) -> bytes:
        """Close the last page and the document.

        Returns:
            The PDF.
        """
        self._footer()
        self.canvas.showPage()
        self.canvas.save()
        return self._buffer.getvalue()


def _question(writer: _Writer, number: int, question: ReportQuestion, answered: int) -> None:
    writer.need(60)
    writer.text(f"{number}. {question.text}", size=11, bold=True, after=2)
    if question.kind == "multiple":
        # Each learner may tick several choices: a bar is the share of those who answered the questionnaire.
        writer.text(f"Plusieurs choix possibles, sur {_answers(answered)}", size=8.5, after=0)
        writer.bars(question.labels, question.counts, answered)
    elif question.kind in ("single", "scale"):
        total = sum(question.counts)
        writer.text(_answers(total), size=8.5, after=0)
        writer.bars(question.labels, question.counts, total)
        if question.average is not None:
            writer.text(f"Moyenne : {decimal_text(question.average)} / {len(question.labels)}", bold=True, after=8)
    elif question.kind == "likert":
        for row, counts in zip(question.rows, question.grid, strict=False):
            given = sum(counts)
            mean = sum(level * n for level, n in enumerate(counts, start=1)) / given if given else None
            suffix = f" — moyenne : {decimal_text(mean)} / {len(question.labels)}" if mean is not None else ""
            writer.text(f"{row} ({_answers(given)}){suffix}", size=9.5, bold=True, after=0, indent=8)
            writer.bars(question.labels, counts, given)
    elif question.texts:
        writer.text(_answers(len(question.texts)), size=8.5, after=2)
        for answer in question.texts:
            writer.text(f"- {answer}", size=9.5, after=2, indent=8)
    else:
        writer.text(NO_ANSWER, size=9.5, after=2)
    writer.y -= 10


def render(report: EvaluationReport) -> bytes:
    """Draw the report: the heading, the average satisfaction, then each question's summary.

    Args:
        report: The anonymous aggregates, read and checked by `app.services.evaluations.report`.

    Returns:
        The PDF.
    """
    writer = _Writer(report)
    writer.text(TITLE, size=16, bold=True, after=6)
    writer.text(report.organisation, size=11, bold=True, after=2)
    writer.text(f"Formation : {report.training}" + (f" ({report.dates})" if report.dates else ""), after=2)
    writer.text(f"Activité : {report.activity}" + (f" — {report.moment}" if report.moment else ""), after=2)
    writer.text(f"Questionnaire : {report.questionnaire}", after=2)
    writer.text(f"Réponses : {report.answered} sur {report.expected} apprenants", after=2)
    writer.text("Les réponses sont anonymes : aucun nom, aucune réponse individuelle n'est présentée.", size=8.5)
    writer.y -= 8
    if report.satisfaction is not None:
        writer.text(f"Satisfaction générale moyenne : {decimal_text(report.satisfaction)} / 10", size=13, bold=True)
        writer.y -= 8
    for number, question in enumerate(report.questions, start=1):
        _question(writer, number, question, report.answered)
    return writer.finish()
