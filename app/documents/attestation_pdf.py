"""A learner's attestation of attendance and completion, as a one-page A4 PDF in French.

A pure renderer: `app.services.attestations` prepares the `AttestationData` it draws.

Drawn like the attendance sheets: reportlab's canvas in its built-in Helvetica, no
embedded font nor image, so a page costs a few milliseconds and 500 of them fit in
one download. Every word is real text that can be searched and copied.
"""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from app.clock import PARIS
from app.documents.attendance_pdf import BOLD, FONT, INK, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, printable, slug
from app.documents.data import AttestationData

TITLE = "Attestation de fin de formation"
SUBTITLE = "Assiduité et réalisation"
LEFT = MARGIN + 20
WIDTH = PAGE_WIDTH - 2 * LEFT
LABEL_WIDTH = 150.0
MUTED = (0.38, 0.42, 0.48)
MAX_LINES = 3
FOOTER_TOP = 110.0


def hours_label(hours: float) -> str:
    """A duration in French: hours and minutes.

    Args:
        hours: Hours, e.g. 6.5.

    Returns:
        e.g. "6 h 30", "7 h", "0 h 15".
    """
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


def filename(data: AttestationData) -> str:
    """The file name of one learner's attestation.

    Args:
        data: The attestation.

    Returns:
        e.g. "attestation-lefevre-zoe-42.pdf", ASCII only.
    """
    return f"attestation-{slug(data.last_name, 'nom')}-{slug(data.first_name, 'prenom')}-{data.user_id}.pdf"


@lru_cache(maxsize=4096)  # a batch repeats the organisation, course and labels on every page
def _split(text: str, font: str, size: float, width: float, most: int) -> tuple[str, ...]:
    lines = simpleSplit(printable(text), font, size, width) or [""]
    if len(lines) > most:  # titles are capped in the database, but three long ones must still fit one page
        lines = [*lines[: most - 1], _ellipsis(" ".join(lines[most - 1 :]), font, size, width)]
    return tuple(lines)


def _ellipsis(text: str, font: str, size: float, width: float) -> str:
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _shrunk(text: str, font: str, size: float, width: float) -> float:
    """The font size, at most `size`, at which the text fits the width (a long address stays whole)."""
    return max(5.0, min(size, size * width / max(1.0, stringWidth(text, font, size))))


class _Page:
    """A canvas and the height reached on its one page."""

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = PAGE_HEIGHT - MARGIN

    def lines(
        self,
        text: str,
        *,
        size: float = 11,
        bold: bool = False,
        x: float = LEFT,
        width: float = WIDTH,
        most: int = MAX_LINES,
    ) -> None:
        font = BOLD if bold else FONT
        self.canvas.setFont(font, size)
        for line in _split(text, font, size, width, most):
            self.y -= size * 1.3
            self.canvas.drawString(x, self.y, line)

    def centred(self, text: str, *, size: float, bold: bool = False) -> None:
        self.canvas.setFont(BOLD if bold else FONT, size)
        self.y -= size * 1.3
        self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y, printable(text))

    def field(self, label: str, value: str) -> None:
        top = self.y
        self.canvas.setFillColorRGB(*MUTED)
        self.lines(label, size=10, width=LABEL_WIDTH - 8)
        label_bottom = self.y
        self.y = top
        self.canvas.setFillColorRGB(*INK)
        self.lines(value, size=11, bold=True, x=LEFT + LABEL_WIDTH, width=WIDTH - LABEL_WIDTH)
        self.y = min(self.y, label_bottom) - 6


def build_pdf(data: AttestationData) -> bytes:
    """Draw one learner's attestation.

    Args:
        data: What the attestation says, from `app.services.attestations.issue`.

    Returns:
        The PDF: one A4 page.
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1)
    canvas.setTitle(printable(f"{TITLE} — {data.learner_name}"))
    canvas.setAuthor(printable(data.organisation))
    canvas.setCreator("Plume")
    page = _Page(canvas)
    canvas.setFillColorRGB(*INK)
    page.lines(data.organisation, size=12, bold=True, most=2)
    page.y -= 36
    page.centred(TITLE, size=20, bold=True)
    canvas.setFillColorRGB(*MUTED)
    page.centred(SUBTITLE, size=12)
    canvas.setFillColorRGB(*INK)
    page.y -= 30
    page.lines(
        "L'organisme de formation ci-dessus atteste que l'apprenant désigné ci-dessous a suivi la formation suivante :"
    )
    page.y -= 16
    planned = hours_label(data.planned_hours)
    if data.in_person_hours and data.remote_hours:
        planned += (
            f" (dont {hours_label(data.in_person_hours)} en présentiel et {hours_label(data.remote_hours)} à distance)"
        )
    issued = data.issued_at.astimezone(PARIS)
    for label, value in (
        ("Apprenant", data.learner_name),
        ("Formation", data.course_title),
        ("Session", data.session_title),
        ("Dates", f"du {data.starts_on:%d/%m/%Y} au {data.ends_on:%d/%m/%Y}"),
        ("Durée prévue", planned),
        ("Heures de présence", f"{hours_label(data.hours_attended)} (d'après les feuilles d'émargement signées)"),
        ("Taux de réalisation", f"{data.progress} %"),
    ):
        page.field(label, value)
    page.y -= 6
    # Seed 003: the duration is the course's, whatever the learner did online.
    canvas.setFillColorRGB(*MUTED)
    page.lines(
        "La durée prévue est celle de la formation : elle ne tient pas compte du temps passé ni de la "
        "participation aux activités.",
        size=9,
        most=2,
    )
    canvas.setFillColorRGB(*INK)
    page.y -= 10
    page.lines(f"Fait le {issued:%d/%m/%Y}, pour servir et valoir ce que de droit.")
    page.y -= 30
    right = PAGE_WIDTH / 2 + 20
    signer = f"Pour l'organisme de formation {data.organisation}"
    page.lines(signer, size=10, x=right, width=PAGE_WIDTH - MARGIN - right, most=2)
    page.lines("Signature et cachet", size=10, x=right)
    page.y -= 60
    canvas.setStrokeColorRGB(*INK)
    canvas.setLineWidth(0.5)
    canvas.line(right, page.y, PAGE_WIDTH - MARGIN - 20, page.y)
    _footer(canvas, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _footer(canvas: Canvas, data: AttestationData) -> None:
    top = FOOTER_TOP
    canvas.setStrokeColorRGB(0.75, 0.78, 0.82)
    canvas.setLineWidth(0.5)
    canvas.rect(LEFT, top - 66, WIDTH, 66, fill=0)
    canvas.setFillColorRGB(*INK)
    canvas.setFont(BOLD, 11)
    canvas.drawString(LEFT + 10, top - 20, f"Code de vérification : {data.code}")
    canvas.setFont(FONT, 9)
    canvas.drawString(LEFT + 10, top - 37, "Vérifiez l'authenticité de cette attestation à l'adresse :")
    url = printable(data.verify_url)
    canvas.setFont(FONT, _shrunk(url, FONT, 9, WIDTH - 20))
    canvas.drawString(LEFT + 10, top - 52, url)
    issued = data.issued_at.astimezone(PARIS)
    canvas.setFillColorRGB(*MUTED)
    canvas.setFont(FONT, 7)
    canvas.drawString(LEFT, 28, f"Éditée par Plume le {issued:%d/%m/%Y} à {issued:%H:%M} (heure de Paris)")
