"""The one rule of a person's attendance on a half-day: the board's column, the PDF's status, the report, completion.

A person's records on a slot fold into three facts (`sheet.load_sheet`): their
signature, the trainer's current mark (absent or late, until cleared) and the last
correction made after certification. `decide` turns them into one status:

| correction | signature | mark   | status                                   |
|------------|-----------|--------|------------------------------------------|
| any        | any       | any    | the correction's (present, late, absent) |
| none       | yes       | late   | late                                     |
| none       | yes       | other  | present                                  |
| none       | no        | absent | absent                                   |
| none       | no        | late   | unsigned (a lateness announced, not yet signed) |
| none       | no        | none   | unsigned                                 |

A person *attended* when the status is present or late: the board lists them
under "Émargés" (a correction to present without signature too, shown as
"Présent (correction)" without a time), the PDF and the tutoring report say so,
and an `in_person` activity whose half-days were all attended counts as done
(`app.services.progress`). A mark that a correction replaced is history: it is
shown as what the sheet said before the correction, never as the current note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar

from app.clock import PARIS
from app.models import AttendanceRecord
from app.services.attendance.window import clock

STATUSES = ("present", "late", "absent", "unsigned")
ATTENDED = frozenset({"present", "late"})
LABELS = {"present": "Présent", "late": "En retard", "absent": "Absent", "unsigned": "Non émargé"}


def decide(*, signed: bool, mark: str | None, correction: str | None) -> str:
    """A person's status on a slot (the table of the module docstring).

    Args:
        signed: Whether they signed (on their device or the trainer's).
        mark: The trainer's current mark (absent, late), or None.
        correction: The status of the last correction after certification, or None.

    Returns:
        present, late, absent or unsigned.
    """
    if correction:
        return correction
    if signed:
        return "late" if mark == "late" else "present"
    return "absent" if mark == "absent" else "unsigned"


class Fact(Protocol):
    """What the rule reads of a record: its kind (signature, mark, correction) and its status."""

    @property
    def kind(self) -> str:
        """signature, mark, certification or correction."""
        ...

    @property
    def status(self) -> str:
        """present, late, absent, clear (a mark removed) or certified."""
        ...


R = TypeVar("R", bound=Fact)
Held = tuple[R | None, R | None, R | None]


def fold(held: Held[R], record: R) -> Held[R]:
    """Add one record (in chain order) to a person's (signature, mark, correction) on a slot.

    The first signature counts; signing afterwards (at the trainer's desk) overrides an
    absence; a `clear` mark removes the mark; the last correction wins.

    Args:
        held: The person's facts so far.
        record: The next record about them.

    Returns:
        Their facts with it.
    """
    signature, mark, correction = held
    if record.kind == "signature":
        signature = signature or record
        if mark is not None and mark.status == "absent":
            mark = None
    elif record.kind == "mark":
        mark = None if record.status == "clear" else record
    elif record.kind == "correction":
        correction = record
    return signature, mark, correction


def status_of(held: Held[R]) -> str:
    """A person's status from their folded facts (`decide`).

    Args:
        held: (signature, mark, correction) from `fold`.

    Returns:
        present, late, absent or unsigned.
    """
    signature, mark, correction = held
    return decide(
        signed=signature is not None,
        mark=mark.status if mark is not None else None,
        correction=correction.status if correction is not None else None,
    )


def attended(status: str) -> bool:
    """Whether a status counts as attended (the "Émargés" column, a completed in-person half-day).

    Args:
        status: A status of `decide`.

    Returns:
        True for present and late.
    """
    return status in ATTENDED


@dataclass(frozen=True)
class Standing:
    """Everything the board, the PDF and the report say of one person on one slot, from `decide`."""

    status: str
    corrected: bool
    attended: bool
    signed_at: datetime | None
    status_if_signed: str  # what a signature arriving now would make of them (the board's live move)
    mark: str  # the current mark ("" once a correction replaced it)
    mark_comment: str
    previous: str  # the status the correction replaced ("" without one)
    previous_comment: str

    @property
    def label(self) -> str:
        """The status in French, "(correction)" after a corrected one (the PDF)."""
        text = LABELS.get(self.status, self.status)
        return f"{text} (correction)" if self.corrected else text


def standing(
    signature: AttendanceRecord | None, mark: AttendanceRecord | None, correction: AttendanceRecord | None
) -> Standing:
    """One person's standing on a slot from their folded records.

    Args:
        signature: Their signature record, if any.
        mark: Their current mark, if any.
        correction: The last correction, if any.

    Returns:
        The standing.
    """
    mark_status = mark.status if mark is not None else None
    before = decide(signed=signature is not None, mark=mark_status, correction=None)
    status = decide(
        signed=signature is not None, mark=mark_status, correction=correction.status if correction else None
    )
    return Standing(
        status=status,
        corrected=correction is not None,
        attended=attended(status),
        signed_at=signature.created_at if signature is not None else None,
        status_if_signed=decide(signed=True, mark=mark_status, correction=correction.status if correction else None),
        mark=(mark_status or "") if correction is None else "",
        mark_comment=mark.reason if mark is not None and correction is None else "",
        previous=before if correction is not None else "",
        previous_comment=mark.reason if mark is not None and correction is not None else "",
    )


def moment_label(moment: datetime) -> str:
    """A record's date and time in Paris, as the sheet prints it ("21/11/2026 à 09:05").

    Args:
        moment: The time.

    Returns:
        The text.
    """
    return f"{moment.astimezone(PARIS):%d/%m/%Y} à {clock(moment)}"


def notes(
    signature: AttendanceRecord | None,
    mark: AttendanceRecord | None,
    correction: AttendanceRecord | None,
    names: dict[int, str],
) -> list[str]:
    """What the PDF's notes column says of one person, current facts first, in French.

    A correction names who made it, when and why; the mark it replaced is shown as
    what the sheet said before it, never as the current note.

    Args:
        signature: Their signature record, if any.
        mark: Their current mark, if any.
        correction: The last correction, if any.
        names: User id → display name (recorders).

    Returns:
        The note lines.
    """
    state = standing(signature, mark, correction)
    out: list[str] = []
    if correction is not None:
        by = names.get(correction.recorded_by_id, "?")
        label = LABELS.get(correction.status, correction.status).lower()
        out.append(
            f"Correction après certification : {label} — {correction.reason}"
            f" (par {by}, le {moment_label(correction.created_at)})"
        )
    if signature is not None and signature.on_trainer_device:
        by = names.get(signature.recorded_by_id, "?")
        out.append(f"Signé sur le poste du formateur (par {by}) — {signature.reason}")
    if correction is not None:
        before = LABELS.get(state.previous, state.previous).lower()
        late = " (retard signalé)" if mark is not None and mark.status == "late" and signature is None else ""
        comment = f" : {mark.reason}" if mark is not None and mark.reason else ""
        out.append(f"Avant correction : {before}{late}{comment}")
    elif mark is not None:
        if mark.status == "late" and signature is None:
            out.append("Retard signalé" + (f" : {mark.reason}" if mark.reason else ""))
        elif mark.reason:
            out.append(f"{LABELS.get(mark.status, mark.status)} : {mark.reason}")
    return out
