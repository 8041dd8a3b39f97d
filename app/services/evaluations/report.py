"""The "bilan du questionnaire d'évaluation": an anonymous quality evaluation's results as a PDF.

Built from `results.quality_results` only, so it passes the same gate (OVERSEE on the activity's
session: its staff and trainers) and the same anonymity rule (nothing before
`results.MIN_ANONYMOUS_ANSWERS` answers): one definition of each. A trainer may download it, or
have Plume e-mail it, as an attachment, to an address they type (a client, a funder).
"""

from __future__ import annotations

from sqlmodel import Session

from app.clock import date_label
from app.documents import evaluation_pdf
from app.documents.attendance_pdf import slug
from app.documents.data import EvaluationReport, ReportQuestion
from app.i18n import t
from app.models import Activity, Module, Organisation, TrainingSession
from app.models.base import utcnow
from app.models.evaluations import Questionnaire
from app.services import audit
from app.services.accounts import clean_email
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import results
from app.services.evaluations.uses import use_of
from app.services.outbox import Attachment, enqueue_email
from app.services.templates import Template

PDF_TYPE = "application/pdf"


def quality_report(db: Session, actor: Actor, activity_id: int) -> EvaluationReport:
    """The report's data: the anonymous aggregates and what heads them.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A quality evaluation activity.

    Returns:
        The report.

    Raises:
        PlumeError: NOT_FOUND or QUESTIONNAIRE_MISSING (from the results' gate); EVALUATION_TOO_FEW_ANSWERS
            before enough learners answered.
    """
    return _read(db, actor, activity_id)[0]


def _read(db: Session, actor: Actor, activity_id: int) -> tuple[EvaluationReport, TrainingSession]:
    """The report and its session."""
    quality = results.quality_results(db, actor, activity_id)
    if not quality.shown:
        raise PlumeError(ErrorCode.EVALUATION_TOO_FEW_ANSWERS, count=str(results.MIN_ANONYMOUS_ANSWERS))
    # The gate passed: the activity, its session and its questionnaire exist and the actor oversees them.
    activity = db.get(Activity, activity_id)
    module = db.get(Module, activity.module_id) if activity is not None else None
    training = db.get(TrainingSession, module.session_id) if module is not None else None
    use = use_of(db, activity_id)
    questionnaire = db.get(Questionnaire, use.questionnaire_id) if use is not None else None
    if activity is None or training is None or use is None or questionnaire is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    organisation = db.get(Organisation, training.organisation_id)
    report = EvaluationReport(
        organisation=organisation.name if organisation is not None else "",
        training=training.title,
        dates=f"du {date_label(training.starts_on)} au {date_label(training.ends_on)}",
        activity=activity.title,
        questionnaire=questionnaire.title,
        moment=t("fr", f"moment.{use.moment}") if use.moment else "",
        answered=quality.answered,
        expected=quality.expected,
        satisfaction=quality.satisfaction,
        questions=[
            ReportQuestion(
                text=q.text,
                kind=q.kind,
                labels=q.labels,
                counts=q.counts,
                rows=q.rows,
                grid=q.grid,
                average=q.average,
                texts=q.texts,
            )
            for q in quality.questions
        ],
        generated_at=utcnow(),
    )
    return report, training


def quality_report_pdf(db: Session, actor: Actor, activity_id: int) -> tuple[str, bytes]:
    """The report as a PDF file, for its download.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A quality evaluation activity.

    Returns:
        The file's name and the PDF.

    Raises:
        PlumeError: as `quality_report`.
    """
    report = quality_report(db, actor, activity_id)
    return _file_name(report), evaluation_pdf.render(report)


def send_quality_report(db: Session, actor: Actor, activity_id: int, to: str) -> str:
    """E-mail the report, as a PDF attachment, to the address the trainer typed (through the outbox).

    Args:
        db: Database session (not committed here).
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A quality evaluation activity.
        to: The recipient's address, as typed.

    Returns:
        The address, normalised.

    Raises:
        PlumeError: as `quality_report` (the gate first); then EMAIL_REQUIRED or EMAIL_INVALID.
    """
    report, training = _read(db, actor, activity_id)
    address = clean_email(to if isinstance(to, str) else "")
    name, data = _file_name(report), evaluation_pdf.render(report)
    body = (
        f"Bonjour,\n\nVous trouverez ci-joint le bilan du questionnaire d'évaluation « {report.activity} » "
        f"de la formation « {report.training} » ({report.dates}), organisée par {report.organisation} : "
        f"{report.answered} réponses anonymes.\n\nCordialement,\n{report.organisation}"
    )
    enqueue_email(
        db,
        to=address,
        message=Template(subject=f"Bilan du questionnaire d'évaluation — {report.training}", body=body),
        kind="evaluation_report",
        organisation_id=training.organisation_id,
        attachment=Attachment(name=name, content_type=PDF_TYPE, data=data),
    )
    audit.record(
        db,
        "evaluation.report_sent",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"activity:{activity_id}",
        after={"to": address},
        ip=actor.ip,
    )
    return address


def _file_name(report: EvaluationReport) -> str:
    return f"bilan-{slug(report.activity, 'evaluation')}.pdf"
