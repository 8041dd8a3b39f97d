"""The "bilan du questionnaire d'évaluation": the renderer, the service's rules, the route's gate, the send handler."""

from __future__ import annotations

import base64
import io
from datetime import UTC, datetime
from types import SimpleNamespace

import httpx
from pypdf import PdfReader
from sqlmodel import Session, select

from app.api.routes import build_api
from app.documents import evaluation_pdf
from app.documents.data import EvaluationReport, ReportQuestion
from app.models import AuditRecord, OutboxEmail, User
from app.models.evaluations import Question
from app.services.actor import Actor
from app.services.auth import open_session
from app.services.errors import ErrorCode
from app.services.evaluations import attempts, library, report
from state import guard
from state.evaluations import OVERSEERS, EvaluationResultsState
from tests.unit.test_evaluations import NOW, World, _choice, _hot, _refused, _world


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(data)).pages)


def _answered(db: Session, count: int) -> tuple[World, int]:
    """A hot evaluation (satisfaction, a choice, a comment, a 1-5 scale) answered by `count` learners."""
    w = _world(db)
    activity, questions = _hot(db, w)
    recommend, comment = questions
    qid = recommend.questionnaire_id or 0
    library.add_question(
        db, w.staff, {"kind": "scale", "text": "Rythme de la formation ?", "scale_max": 5}, questionnaire_id=qid
    )
    db.commit()
    pace = db.exec(select(Question).where(Question.questionnaire_id == qid, Question.kind == "scale")).one()
    for n, learner in enumerate(w.actors[:count]):
        view = attempts.start(db, learner, activity, now=NOW)
        attempts.save_answer(db, learner, activity, view["questions"][0]["id"], 7 + n, now=NOW)
        attempts.save_answer(db, learner, activity, recommend.id or 0, _choice(db, recommend, "Oui"), now=NOW)
        attempts.save_answer(db, learner, activity, comment.id or 0, f"Très utile {'CBA'[n]}", now=NOW)
        attempts.save_answer(db, learner, activity, pace.id or 0, 3 + n % 2, now=NOW)
        attempts.submit(db, learner, activity, now=NOW)
    db.commit()
    return w, activity


def test_the_renderer_draws_labels_averages_bars_and_free_texts() -> None:
    data = evaluation_pdf.render(
        EvaluationReport(
            organisation="Formations Lumière",
            training="Excel avancé — groupe 2",
            dates="du 02/11/2026 au 05/11/2026",
            activity="Évaluation à chaud",
            questionnaire="Satisfaction fin de stage",
            moment="À chaud (fin de formation)",
            answered=3,
            expected=4,
            satisfaction=8.33,
            questions=[
                ReportQuestion(
                    "Satisfaction générale ?",
                    "scale",
                    [str(n) for n in range(1, 11)],
                    [0] * 6 + [1, 1, 1, 0],
                    [],
                    [],
                    8.33,
                    [],
                ),
                ReportQuestion(
                    "Outils utilisés ?", "multiple", ["Tableaux croisés", "Macros"], [3, 1], [], [], None, []
                ),
                ReportQuestion(
                    "Clarté",
                    "likert",
                    ["1", "2", "3", "4", "5"],
                    [],
                    ["Supports", "Exposés"],
                    [[0, 0, 1, 1, 1], [0, 0, 0, 3, 0]],
                    None,
                    [],
                ),
                ReportQuestion("Un commentaire ?", "long_text", [], [], [], [], None, ["Rythme soutenu", "Très clair"]),
                ReportQuestion("Vide ?", "short_text", [], [], [], [], None, []),
            ],
            generated_at=datetime(2026, 11, 30, 10, 0, tzinfo=UTC),
        )
    )
    text = _text(data)
    assert "Bilan du questionnaire d'évaluation" in text
    for expected in (
        "Satisfaction générale moyenne : 8,33 / 10",
        "1. Satisfaction générale ?",
        "Moyenne : 8,33 / 10",
        "2. Outils utilisés ?",
        "Tableaux croisés 3 (100 %)",
        "Macros 1 (33 %)",
        "Supports (3 réponses) — moyenne : 4 / 5",
        "- Rythme soutenu",
        "5. Vide ? Aucune réponse.",
        "Réponses : 3 sur 4 apprenants",
        "11:00 (heure de Paris)",
    ):
        assert expected in text, expected
    # Each bar is a filled rectangle: the chart is drawn, not just written.
    assert PdfReader(io.BytesIO(data)).pages[0].get_contents().get_data().count(b" re") >= 10


def test_the_report_is_built_from_anonymous_aggregates_only_and_never_before_three_answers(db: Session) -> None:
    w, activity = _answered(db, 2)
    _refused(ErrorCode.EVALUATION_TOO_FEW_ANSWERS, report.quality_report_pdf, db, w.trainer, activity)
    w, activity = _answered(db, 3)
    name, data = report.quality_report_pdf(db, w.trainer, activity)
    assert name == "bilan-quality-evaluation.pdf"
    text = _text(data)
    for expected in (
        "Satisfaction générale moyenne : 8 / 10",
        "Recommanderiez-vous ?",
        "Oui 3 (100 %)",
        "Rythme de la formation ?",
        "Moyenne : 3,33 / 5",
        "- Très utile A - Très utile B - Très utile C",
    ):
        assert expected in text, expected
    for user in db.exec(select(User)).all():
        for part in (user.first_name, user.last_name, user.email):
            assert part and part not in text, part
    # Who may read the results may have the report; nobody else.
    assert report.quality_report_pdf(db, w.staff, activity)[1].startswith(b"%PDF")
    for outsider in (w.actors[0], w.idle_trainer, w.foreign_staff, w.outsider):
        _refused(ErrorCode.NOT_FOUND, report.quality_report_pdf, db, outsider, activity)


def _token(db: Session, user_id: int) -> str:
    signed = open_session(db, db.get(User, user_id))  # type: ignore[arg-type]  # the user exists
    db.commit()
    return signed.token


async def test_the_route_gives_the_pdf_to_the_trainer_and_the_same_404_to_a_learner(db: Session) -> None:
    w, activity = _answered(db, 3)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://plume.test")
    url = f"/api/evaluations/{activity}/bilan.pdf"
    response = await client.get(url, headers={"Cookie": f"plume_session={_token(db, w.trainer.user_id)}"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == 'attachment; filename="bilan-quality-evaluation.pdf"'
    learner = _token(db, w.actors[0].user_id)
    for target, headers in (
        (url, {"Cookie": f"plume_session={learner}"}),
        (url, {}),
        ("/api/evaluations/999999/bilan.pdf", {"Cookie": f"plume_session={learner}"}),
    ):
        refused = await client.get(target, headers=headers)
        assert (refused.status_code, refused.text) == (404, "Introuvable")
    await client.aclose()
    denied = db.exec(select(AuditRecord.target).where(AuditRecord.action == "access.denied")).all()
    assert set(denied) == {f"activity:{activity}", "activity:999999"}


def test_sending_the_report_attaches_the_pdf_to_a_checked_address(db: Session) -> None:
    w, activity = _answered(db, 3)
    _refused(ErrorCode.EMAIL_INVALID, report.send_quality_report, db, w.trainer, activity, "pas-une-adresse")
    _refused(ErrorCode.EMAIL_REQUIRED, report.send_quality_report, db, w.trainer, activity, "  ")
    _refused(ErrorCode.NOT_FOUND, report.send_quality_report, db, w.actors[0], activity, "client@example.com")
    assert db.exec(select(OutboxEmail)).all() == []
    assert report.send_quality_report(db, w.trainer, activity, " Client@Example.com ") == "client@example.com"
    db.commit()
    mail = db.exec(select(OutboxEmail)).one()
    assert (mail.to, mail.kind, mail.attachment_type) == ("client@example.com", "evaluation_report", "application/pdf")
    assert mail.attachment_name == "bilan-quality-evaluation.pdf"
    assert "Satisfaction générale moyenne : 8 / 10" in _text(base64.b64decode(mail.attachment_data))
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "evaluation.report_sent")).one()


async def _send(actor: Actor, activity: int, form: object, mode: str = "quality") -> SimpleNamespace:
    state = SimpleNamespace(_activity_id=activity, mode=mode, report_notice="", report_error="")

    async def get_state(_cls: object) -> SimpleNamespace:
        return SimpleNamespace(lang="fr")

    state.get_state = get_state
    token = guard._actor.set(actor)
    try:
        await EvaluationResultsState.send_report.fn(state, form)  # type: ignore[attr-defined]  # the handler's function
    finally:
        guard._actor.reset(token)
    return state


async def test_the_send_handler_is_for_trainers_and_staff_and_checks_the_address(db: Session) -> None:
    handler = EvaluationResultsState.send_report.fn  # type: ignore[attr-defined]  # the handler's function
    assert getattr(handler, guard.POLICY_ATTR) is OVERSEERS
    w, activity = _answered(db, 3)
    bad = await _send(w.trainer, activity, {"report_to": "client@"})
    assert bad.report_error == "Cette adresse e-mail n'est pas valide." and bad.report_notice == ""
    forged = await _send(w.trainer, activity, ["not", "a", "form"])
    assert forged.report_error != "" and forged.report_notice == ""
    learner = await _send(w.actors[0], activity, {"report_to": "client@example.com"})
    assert learner.report_error != "" and learner.report_notice == ""
    elsewhere = await _send(w.trainer, activity, {"report_to": "client@example.com"}, mode="scores")
    assert (elsewhere.report_error, elsewhere.report_notice) == ("", "")
    assert db.exec(select(OutboxEmail)).all() == []
    sent = await _send(w.trainer, activity, {"report_to": "client@example.com"})
    assert (sent.report_error, sent.report_notice) == ("", "Le bilan est envoyé à client@example.com.")
    assert [m.to for m in db.exec(select(OutboxEmail)).all()] == ["client@example.com"]
