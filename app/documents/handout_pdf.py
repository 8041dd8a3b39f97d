"""A short training handout as an A4 PDF: the demo's "Programme détaillé" and "Supports de formation".

A pure renderer of `app.documents.data.Handout`, drawn like the other documents:
reportlab's canvas in its built-in Helvetica, every word real text.
"""

from __future__ import annotations

import io

from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from app.documents.attendance_pdf import BOLD, FONT, INK, MARGIN, PAGE_HEIGHT, PAGE_WIDTH, printable
from app.documents.data import Handout

WIDTH = PAGE_WIDTH - 2 * MARGIN
LINE = 15.0


def render(handout: Handout) -> bytes:
    """Draw a handout.

    Args:
        handout: Its title, subtitle and sections.

    Returns:
        The PDF.
    """
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1)
    canvas.setTitle(printable(handout.title))
    canvas.setFillColorRGB(*INK)
    y = PAGE_HEIGHT - MARGIN - 20
    canvas.setFont(BOLD, 18)
    canvas.drawString(MARGIN, y, printable(handout.title))
    y -= 22
    canvas.setFont(FONT, 11)
    canvas.drawString(MARGIN, y, printable(handout.subtitle))
    y -= 30
    for heading, lines in handout.sections:
        if y < MARGIN + 60:
            canvas.showPage()
            canvas.setFillColorRGB(*INK)
            y = PAGE_HEIGHT - MARGIN
        canvas.setFont(BOLD, 12)
        canvas.drawString(MARGIN, y, printable(heading))
        y -= LINE + 3
        canvas.setFont(FONT, 10)
        for line in lines:
            for part in simpleSplit("• " + printable(line), FONT, 10, WIDTH):
                if y < MARGIN:
                    canvas.showPage()
                    canvas.setFillColorRGB(*INK)
                    canvas.setFont(FONT, 10)
                    y = PAGE_HEIGHT - MARGIN
                canvas.drawString(MARGIN + 8, y, part)
                y -= LINE
        y -= 10
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
