"""The one attendance rule: the board's column, the PDF's status and notes, the report, in-person completion."""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.documents.attendance_pdf import render
from app.documents.data import ChainHead, Sheet, SheetLine, SheetsDocument
from app.models import Activity, ActivityCompletion, AttendanceRecord, Enrolment, Module, Slot, TrainingSession
from app.models.progress import LessonProgress
from app.services import progress, tutoring
from app.services.attendance import actions, completion, sheet, status
from app.services.attendance import pdf as attendance_pdf
from app.services.seed import seed_demo
from tests.unit.test_attendance import DRAWING, World, _world


@dataclass(frozen=True)
class _R:
    kind: str
    status: str
    created_at: datetime = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


# --- The rule, as a matrix ----------------------------------------------------------------------

MATRIX = [
    # (signed, mark, correction) → status
    (False, None, None, "unsigned"),
    (False, "late", None, "unsigned"),  # a lateness announced, not signed yet
    (False, "absent", None, "absent"),
    (True, None, None, "present"),
    (True, "late", None, "late"),
    (False, "late", "present", "present"),  # the case: corrected to present without signature
    (False, "absent", "present", "present"),
    (False, None, "late", "late"),
    (True, None, "absent", "absent"),
    (True, "late", "present", "present"),
    (False, None, "absent", "absent"),
]


@pytest.mark.parametrize(("signed", "mark", "correction", "expected"), MATRIX)
def test_decide_covers_every_combination(signed: bool, mark: str | None, correction: str | None, expected: str) -> None:
    assert status.decide(signed=signed, mark=mark, correction=correction) == expected
    assert status.attended(expected) == (expected in ("present", "late"))


def test_every_combination_gives_a_known_status() -> None:
    for signed, mark, correction in itertools.product(
        (False, True), (None, "late", "absent"), (None, "present", "late", "absent")
    ):
        assert status.decide(signed=signed, mark=mark, correction=correction) in status.STATUSES


def test_fold_reads_records_in_chain_order() -> None:
    def run(*records: _R) -> str:
        held: status.Held[_R] = (None, None, None)
        for record in records:
            held = status.fold(held, record)
        return status.status_of(held)

    assert run(_R("mark", "absent"), _R("signature", "present")) == "present"  # signing later overrides absence
    assert run(_R("signature", "present"), _R("mark", "late")) == "late"
    assert run(_R("signature", "present"), _R("mark", "late"), _R("mark", "clear")) == "present"
    assert run(_R("mark", "late"), _R("correction", "present")) == "present"
    assert run(_R("correction", "absent"), _R("correction", "late")) == "late"  # the last correction wins


def test_a_late_learner_who_never_signed_then_corrected_to_present_is_the_same_everywhere(db: Session) -> None:
    """The issue's case: board column, PDF status and notes, the learner's own page, completion, report."""
    w = _world(db)
    sid = w.slot.id or 0
    actions.mark(db, w.trainer, sid, w.learner.user_id, status="late", comment="Train en retard")
    # Before certification: not signed, lateness announced.
    row = next(r for r in sheet.sheet_view(db, w.trainer, sid).rows if r.user_id == w.learner.user_id)
    assert (row.status, row.attended, row.status_if_signed, row.mark) == ("unsigned", False, "late", "late")
    own = sheet.sheet_view(db, w.learner, sid)  # what the learner's page shows once they sign: late, not present
    assert (own.my_status, own.my_status_if_signed) == ("unsigned", "late")
    actions.sign(db, w.trainer, sid, DRAWING, "t" * 10)
    actions.certify(db, w.trainer, sid)
    actions.correct(db, w.staff, sid, w.learner.user_id, status="present", reason="Feuille papier signée")

    view = sheet.sheet_view(db, w.trainer, sid)
    row = next(r for r in view.rows if r.user_id == w.learner.user_id)
    assert row.status == "present" and row.attended  # listed under "Émargés"
    assert row.signed_at == ""  # no signature, so no time
    assert row.mark == "" and row.mark_comment == ""  # the late note is history, not current
    assert (row.previous, row.previous_comment) == ("unsigned", "Train en retard")
    assert row.correction == "present" and row.corrected_by == w.staff.display_name and row.corrected_at

    text = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(attendance_pdf.slot_sheet_pdf(db, w.trainer, sid)[1])).pages
    )
    assert "Présent (correction)" in text
    assert f"Correction après certification : présent — Feuille papier signée (par {w.staff.display_name}, le" in text
    assert "Avant correction : non émargé (retard signalé) : Train en retard" in text
    assert "En retard : Train en retard" not in text  # never shown as the current note

    mine = sheet.sheet_view(db, w.learner, sid)
    assert mine.my_status == "present" and mine.my_mark_comment == ""

    # Attended: the in-person activity counts as done, in progress and in the tutor's report.
    assert db.exec(select(ActivityCompletion).where(ActivityCompletion.user_id == w.learner.user_id)).first()
    report = tutoring.learner_report(db, w.staff, w.session.id or 0, w.learner.user_id)
    line = next(x for x in report.lessons if x.kind == "in_person")
    assert line.status == "completed"
    assert len(line.attendance) == 1 and line.attendance[0].endswith(" : Présent (correction)")


def test_a_correction_to_absent_takes_a_signed_learner_out_of_the_signed_column(db: Session) -> None:
    w = _world(db)
    sid = w.slot.id or 0
    actions.sign(db, w.learner, sid, DRAWING, "l" * 10)
    actions.sign(db, w.trainer, sid, DRAWING, "t" * 10)
    actions.certify(db, w.trainer, sid)
    actions.correct(db, w.trainer, sid, w.learner.user_id, status="absent", reason="Parti à 9 h 30")
    row = next(r for r in sheet.sheet_view(db, w.trainer, sid).rows if r.user_id == w.learner.user_id)
    assert (row.status, row.attended, row.previous) == ("absent", False, "present")
    assert row.signed_at  # the signature stays on the sheet
    assert db.exec(select(ActivityCompletion).where(ActivityCompletion.user_id == w.learner.user_id)).first() is None


# --- In-person completion -------------------------------------------------------------------------


def _progress_of(db: Session, w: World, user_id: int) -> int:
    enrolment = db.exec(
        select(Enrolment).where(Enrolment.session_id == w.session.id, Enrolment.user_id == user_id)
    ).one()
    db.refresh(enrolment)
    return enrolment.progress


def test_signing_every_half_day_completes_an_in_person_activity(db: Session) -> None:
    w = _world(db)
    sid = w.slot.id or 0
    room_id = w.slot.activity_id or 0
    # A second half-day of the same activity, this afternoon.
    afternoon = Slot(
        session_id=w.session.id or 0,
        activity_id=room_id,
        starts_at=w.slot.starts_at - timedelta(minutes=1),
        ends_at=w.slot.ends_at,
    )
    db.add(afternoon)
    db.commit()
    before = _progress_of(db, w, w.learner.user_id)
    actions.sign(db, w.learner, sid, DRAWING, "l" * 10)
    # One of two half-days: not done yet.
    assert completion.in_person_attended(db, w.session.id or 0)[1] == {}
    actions.sign(db, w.learner, afternoon.id or 0, DRAWING, "m" * 10)
    done = db.exec(
        select(ActivityCompletion).where(
            ActivityCompletion.user_id == w.learner.user_id, ActivityCompletion.activity_id == room_id
        )
    ).one()
    assert done.completed_at is not None
    lesson = db.exec(
        select(LessonProgress).where(LessonProgress.user_id == w.learner.user_id, LessonProgress.activity_id == room_id)
    ).one()
    assert lesson.status == "completed"  # the invariant: a completion has its lesson line done
    after = progress.learner_progress(db, w.session.id or 0, w.learner.user_id)
    assert sum(f for f, _ in after.modules.values()) == 1
    assert _progress_of(db, w, w.learner.user_id) > before
    # A learner who signed nothing is not done; the trainer's own signature counts for no one.
    assert (w.other.user_id, room_id) not in completion.in_person_attended(db, w.session.id or 0)[1]


def test_demo_like_records_written_directly_are_followed_for_a_whole_session(db: Session) -> None:
    w = _world(db)
    sid = w.slot.id or 0
    for who in (w.learner, w.other):
        actions.sign(db, who, sid, DRAWING, f"{who.user_id:0>10}")
    for row in db.exec(select(ActivityCompletion)).all():
        db.delete(row)
    db.commit()
    completion.follow(db, w.session.id or 0)
    db.commit()
    users = {c.user_id for c in db.exec(select(ActivityCompletion)).all()}
    assert users == {w.learner.user_id, w.other.user_id}


# --- The PDF: module, hours, no orphan certification ---------------------------------------------


def test_the_sheet_names_the_module_and_the_half_days_hours(db: Session) -> None:
    w = _world(db)
    text = " ".join(
        " ".join((p.extract_text() or "").split())
        for p in PdfReader(io.BytesIO(attendance_pdf.slot_sheet_pdf(db, w.trainer, w.slot.id or 0)[1])).pages
    )
    assert "Module : Pendant" in text
    assert "Durée : 3 h" in text
    slot = Slot(
        session_id=1,
        starts_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        ends_at=datetime(2026, 11, 30, 11, 30, tzinfo=UTC),
    )
    assert attendance_pdf.hours_label(slot) == "3,5 h"
    slot.ends_at = datetime(2026, 11, 30, 11, 15, tzinfo=UTC)
    assert attendance_pdf.hours_label(slot) == "3,25 h"


def _document(learners: int, note_lines: int = 0) -> SheetsDocument:
    line = SheetLine(name="", status="Présent", signed_at="09:01", strokes=[], note="\n".join(["x"] * note_lines))
    return SheetsDocument(
        title="t",
        author="o",
        organisation="Organisme",
        training="Formation",
        head=ChainHead(hash="0" * 64, seq=1, url="http://plume.test/v"),
        generated_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        pad_width=1000,
        pad_height=400,
        sheets=[
            Sheet(
                organisation="Organisme",
                training="Formation",
                activity="Séance",
                when="30/11/2026 09:00–12:30",
                room="",
                learners=[SheetLine(**{**line.__dict__, "name": f"Apprenant {i:02d}"}) for i in range(learners)],
                trainers=[SheetLine(**{**line.__dict__, "name": "Formatrice Unique"})],
                certification="Feuille certifiée le 30/11/2026 à 12:40 par Formatrice Unique",
                module="Jour 1",
                hours="3,5 h",
            )
        ],
    )


def test_the_certification_never_ends_up_alone_on_a_page() -> None:
    # Whatever the number and height of rows, the page holding the certification also holds the last row
    # (the trainer's). Without the fix, 9 rows of 5-line notes or 18 of 6 left the certification alone on page 2.
    for learners in range(1, 56):
        for note_lines in (0, 5, 6):
            pages = [
                " ".join((p.extract_text() or "").split())
                for p in PdfReader(io.BytesIO(render(_document(learners, note_lines)))).pages
            ]
            last = next(p for p in pages if "Feuille certifiée le" in p)
            assert "Formatrice Unique Présent" in last, (learners, note_lines)  # the trainer's row, not only the line


def test_the_demos_signed_in_person_days_count_as_completed(db: Session) -> None:
    """The issue's "Journée en salle: 0/30 completed despite signed sheets"."""
    seed_demo(db, learners=31)
    db.commit()
    # The November management session's day: its sheets are signed (the same title exists in other sessions).
    day = db.exec(
        select(Activity)
        .join(Module, col(Module.id) == col(Activity.module_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Module.session_id))
        .where(
            Activity.title == "Journée en salle", TrainingSession.title == "Manager une équipe — session de novembre"
        )
    ).first()
    assert day is not None
    slots = db.exec(select(Slot).where(Slot.activity_id == day.id)).all()
    assert slots
    signers = {
        r.subject_user_id
        for r in db.exec(
            select(AttendanceRecord).where(
                col(AttendanceRecord.slot_id).in_([s.id for s in slots]),
                AttendanceRecord.kind == "signature",
                AttendanceRecord.subject_role == "learner",
            )
        ).all()
    }
    done = {
        c.user_id for c in db.exec(select(ActivityCompletion).where(ActivityCompletion.activity_id == day.id)).all()
    }
    assert signers and done == signers  # every learner who signed its half-days (one was absent)
    module = db.get(Module, day.module_id)
    assert module is not None
    attended = completion.in_person_attended(db, module.session_id)[1]
    assert done == {u for u, a in attended if a == day.id}
