"""What the documents draw: plain data prepared by the services, so `app.documents` never reads the database.

The services (`app.services.attendance.pdf`, `app.services.attestations`) read and
check everything, fill these dataclasses and hand them to the renderers; the
renderers only lay out and draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

Strokes = list[list[tuple[int, int]]]


@dataclass(frozen=True)
class SheetLine:
    """One person's row of an attendance sheet: name, status, signing time, strokes and notes."""

    name: str
    status: str
    signed_at: str
    strokes: Strokes
    note: str


@dataclass(frozen=True)
class Sheet:
    """Everything one slot's attendance sheet shows."""

    organisation: str
    training: str
    activity: str
    when: str
    room: str
    learners: list[SheetLine]
    trainers: list[SheetLine]
    certification: str
    module: str = ""  # the module the half-day belongs to (an auditor asks for it)
    hours: str = ""  # the half-day's duration in hours, e.g. "3,5 h"
    led_by_creator: bool = False  # a class led by the person who made it (a tutor), in place of the trainers


@dataclass(frozen=True)
class ChainHead:
    """The organisation's attendance chain head printed in each footer, and where to check it."""

    hash: str
    seq: int
    url: str


@dataclass(frozen=True)
class SheetsDocument:
    """One PDF of attendance sheets: one slot's, or every signed slot's of a session.

    `organisation` and `training` head the single page drawn when there is no sheet;
    the signature strokes are in the signature pad's coordinates (`pad_width` x `pad_height`).
    """

    title: str
    author: str
    organisation: str
    training: str
    head: ChainHead
    generated_at: datetime
    pad_width: int
    pad_height: int
    sheets: list[Sheet]


@dataclass(frozen=True)
class AttestationData:
    """What one learner's attestation says (drawn by `app.documents.attestation_pdf`)."""

    code: str
    user_id: int
    first_name: str
    last_name: str
    learner_name: str
    organisation: str
    course_title: str
    session_title: str
    starts_on: date
    ends_on: date
    in_person_hours: float
    remote_hours: float
    planned_hours: float
    hours_attended: float
    progress: int
    issued_at: datetime
    verify_url: str


@dataclass(frozen=True)
class Handout:
    """A short training handout (the demo's programme and course materials): a title, then titled sections."""

    title: str
    subtitle: str
    sections: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class ReportQuestion:
    """One question of an anonymous evaluation's report, summed up over every answer (no name)."""

    text: str
    kind: str
    labels: list[str]  # the choices, or the scale's levels
    counts: list[int]  # answers per label
    rows: list[str]  # a Likert grid's rows
    grid: list[list[int]]  # a Likert grid's answers per row and level
    average: float | None
    texts: list[str]  # free-text and number answers


@dataclass(frozen=True)
class EvaluationReport:
    """The "bilan du questionnaire d'évaluation" of an anonymous quality evaluation."""

    organisation: str
    training: str
    dates: str
    activity: str
    questionnaire: str
    moment: str  # "Évaluation à chaud", … ("" when none)
    answered: int
    expected: int
    satisfaction: float | None
    questions: list[ReportQuestion]
    generated_at: datetime
