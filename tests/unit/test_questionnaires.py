"""The library's editor: what it reads (`evaluations.editing`) and the state helpers that shape its forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Activity, Module
from app.models.evaluations import Choice, EvaluationAnswer, EvaluationAttempt
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import editing, library, transfer, uses
from app.services.evaluations.library import QuestionnaireRow
from state.questionnaires import filter_rows, question_data, settings_data, tags_of
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer
from tests.querycount import count_queries

START = date(2026, 11, 2)


def _row(title: str, use: str = "diagnostic", tags: tuple[str, ...] = ()) -> QuestionnaireRow:
    return QuestionnaireRow(id=1, title=title, use=use, tags=list(tags), questions=0, draw_size=None)


def _single(text: str) -> dict[str, object]:
    return {
        "kind": "single",
        "text": text,
        "choices": [{"label": "Oui", "correct": True, "feedback": "Bien vu"}, {"label": "Non"}],
    }


def test_search_ignores_case_and_accents_and_filters_combine() -> None:
    rows = [
        _row("Équipe et sécurité", tags=("accueil",)),
        _row("Quiz Excel", "quiz", ("bureautique", "niveau 1")),
        _row("Satisfaction", "quality_evaluation", ("accueil",)),
    ]
    assert [r.title for r in filter_rows(rows, "equipe SECURITE", "", "")] == ["Équipe et sécurité"]
    assert [r.title for r in filter_rows(rows, "accueil", "", "")] == ["Équipe et sécurité", "Satisfaction"]
    assert [r.title for r in filter_rows(rows, "", "quiz", "")] == ["Quiz Excel"]
    assert [r.title for r in filter_rows(rows, "", "", "accueil")] == ["Équipe et sécurité", "Satisfaction"]
    assert filter_rows(rows, "excel", "diagnostic", "") == []
    assert tags_of(rows) == ["accueil", "bureautique", "niveau 1"]


def test_settings_take_minutes_and_keep_a_frozen_questionnaire_grading() -> None:
    data = settings_data({"title": "T", "use": "diagnostic", "time_limit_min": "15", "draw_size": "4"}, None)
    assert data["time_limit_s"] == 900 and data["draw_size"] is None  # a draw is a certification's
    with pytest.raises(PlumeError) as caught:
        settings_data({"title": "T", "use": "quiz", "time_limit_min": "quinze"}, None)
    assert caught.value.code == ErrorCode.NUMBER_RANGE and caught.value.field == "time_limit_s"
    frozen = editing.QuestionnaireDetail(
        id=1, title="T", description="", use="certification", passing_score=70, time_limit_min="30",
        attempts_limit="2", draw_size="10", bank_id=3, tags="", frozen=True, uses=1, questions=[],
    )  # fmt: skip
    kept = settings_data({"title": "Nouveau titre", "use": "quiz", "passing_score": "10"}, frozen)
    assert kept["title"] == "Nouveau titre"
    assert (kept["use"], kept["passing_score"], kept["time_limit_s"], kept["attempts_limit"], kept["draw_size"]) == (
        "certification", 70, 1800, "2", "10",
    )  # fmt: skip


def test_question_form_reads_each_kind() -> None:
    form = {
        "text": "Capitale ?",
        "points": "2",
        "choice_label_0": "Paris",
        "choice_correct_0": True,
        "choice_feedback_0": "Oui",
        "choice_label_1": "Lyon",
        "choice_correct_1": "on",
        "choice_label_2": "ignored: beyond the dialog's answers",
    }
    single = question_data(form, "single", 2)
    assert single["choices"] == [
        {"label": "Paris", "correct": True, "feedback": "Oui"},
        {"label": "Lyon", "correct": True, "feedback": ""},
    ]
    likert = question_data({"text": "G", "scale_max": "10", "rows": "Accueil\n\n Rythme \n"}, "likert", 0)
    assert likert["scale_max"] == 10 and likert["rows"] == ["Accueil", "Rythme"] and "choices" not in likert
    number = question_data({"text": "N", "answer_number": "3,5", "tolerance": "0.1"}, "number", 0)
    assert (number["answer_number"], number["tolerance"]) == ("3,5", "0.1")
    spec = library.parse_question(number, test=True)
    assert spec.answer_number == 3.5


def test_the_editor_reads_a_questionnaire_with_its_answers_for_the_library_only(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    staff, trainer = actor_for(db, make_staff(db, org)), actor_for(db, make_trainer(db, org))
    learner, foreign = actor_for(db, make_learner(db, org)), actor_for(db, make_staff(db, other))
    qid = library.create_questionnaire(db, staff, {"title": "Positionnement", "use": "diagnostic", "tags": "a, b"})
    first = library.add_question(db, staff, _single("Un ?"), questionnaire_id=qid)
    second = library.add_question(
        db, staff, {"kind": "number", "text": "Deux ?", "answer_number": 2}, questionnaire_id=qid
    )
    detail = editing.questionnaire_detail(db, trainer, qid)
    assert [q.id for q in detail.questions] == [first, second] and not detail.frozen
    assert detail.questions[0].choices[0] == editing.ChoiceView(label="Oui", correct=True, feedback="Bien vu")
    assert detail.questions[1].answer_number == "2"
    for outsider in (learner, foreign):
        with pytest.raises(PlumeError) as caught:
            editing.questionnaire_detail(db, outsider, qid)
        assert caught.value.code == ErrorCode.NOT_FOUND
    editing.move_question(db, staff, second, -1)
    assert [q.id for q in editing.questionnaire_detail(db, staff, qid).questions] == [second, first]
    editing.move_question(db, staff, second, -1)  # already first: nothing moves
    assert [q.id for q in editing.questionnaire_detail(db, staff, qid).questions] == [second, first]
    with pytest.raises(PlumeError):
        editing.move_question(db, trainer, second, 1)  # trainers read, staff edit
    bank = library.create_bank(db, staff, "Banque", "sécurité")
    library.add_question(db, staff, _single("B ?"), bank_id=bank)
    assert editing.list_banks(db, trainer) == [editing.BankRow(id=bank, title="Banque", tags=["sécurité"], questions=1)]
    assert [q.text for q in editing.bank_detail(db, trainer, bank).questions] == ["B ?"]
    with pytest.raises(PlumeError):
        editing.list_banks(db, learner)
    with pytest.raises(PlumeError):
        editing.bank_detail(db, foreign, bank)
    exported = transfer.export_questionnaire(db, staff, qid)
    copy = transfer.import_questionnaire(db, staff, exported)
    assert [q.text for q in editing.questionnaire_detail(db, staff, copy).questions] == ["Deux ?", "Un ?"]


def test_a_frozen_questionnaire_says_so_and_its_questions_stay_in_place(db: Session) -> None:
    org = make_org(db)
    staff, trainer, learner = make_staff(db, org), make_trainer(db, org), make_learner(db, org)
    session = make_session(
        db, org, start=START, end=START + timedelta(days=2), trainers=(trainer,), learners=(learner,)
    )
    module = Module(session_id=session.id, title="Jour 1", phase="during")
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="diagnostic", title="Positionnement")
    db.add(activity)
    db.commit()
    boss = actor_for(db, staff)
    qid = library.create_questionnaire(db, boss, {"title": "Positionnement", "use": "diagnostic"})
    one = library.add_question(db, boss, _single("Un ?"), questionnaire_id=qid)
    library.add_question(db, boss, _single("Deux ?"), questionnaire_id=qid)
    uses.attach(db, actor_for(db, trainer), activity.id or 0, qid, moment="before")
    found = editing.session_uses(db, actor_for(db, trainer), session.id or 0)
    assert [(u.activity_id, u.title, u.moment) for u in found] == [(activity.id, "Positionnement", "before")]
    with pytest.raises(PlumeError):
        editing.session_uses(db, actor_for(db, learner), session.id or 0)
    db.add(
        EvaluationAttempt(
            activity_id=activity.id or 0, questionnaire_id=qid, session_id=session.id or 0, user_id=learner.id
        )
    )
    db.commit()
    detail = editing.questionnaire_detail(db, boss, qid)
    assert detail.frozen and detail.uses == 1
    with pytest.raises(PlumeError) as caught:
        editing.move_question(db, boss, one, 1)
    assert caught.value.code == ErrorCode.QUESTIONNAIRE_IN_USE


def _editor_load_queries(db: Session, size: int) -> int:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    qid = 0
    for n in range(size):
        qid = library.create_questionnaire(db, staff, {"title": f"Q{n}", "use": "quiz", "tags": f"t{n}"})
        library.add_question(db, staff, _single(f"Question {n}"), questionnaire_id=qid)
        library.add_question(db, staff, _single(f"Autre {n}"), questionnaire_id=qid)
        library.add_question(db, staff, _single(f"Banque {n}"), bank_id=library.create_bank(db, staff, f"B{n}"))
    for n in range(size * 3):
        library.add_question(db, staff, _single(f"Encore {n}"), questionnaire_id=qid)
    db.commit()
    engine = db.get_bind()
    with count_queries(engine) as counted, Session(engine) as fresh:  # type: ignore[arg-type]
        library.list_questionnaires(fresh, staff)
        editing.list_banks(fresh, staff)
        editing.questionnaire_detail(fresh, staff, qid)
    return counted.count


def test_the_library_and_the_editor_load_in_a_fixed_number_of_queries(db: Session) -> None:
    small, large = _editor_load_queries(db, 2), _editor_load_queries(db, 12)
    assert small == large <= 9


def _refused(code: ErrorCode, call: Any, *args: object) -> PlumeError:
    with pytest.raises(PlumeError) as caught:
        call(*args)
    assert caught.value.code == code
    return caught.value


def _bank_rows(db: Session, bank: int) -> tuple[int, int]:
    """How many questions the bank holds, and how many answers they offer."""
    ids = library.bank_question_ids(db, bank)
    choices = db.exec(select(func.count()).select_from(Choice).where(col(Choice.question_id).in_(ids))).one()
    return len(ids), choices


def test_staff_rename_a_bank_and_change_its_tags_as_they_would_create_it(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    staff, trainer = actor_for(db, make_staff(db, org)), actor_for(db, make_trainer(db, org))
    learner, foreign = actor_for(db, make_learner(db, org)), actor_for(db, make_staff(db, other))
    bank = library.create_bank(db, staff, "Banque", "sécurité")
    library.update_bank(db, staff, bank, "  Banque SST  ", "SST, Incendie, sst")
    detail = editing.bank_detail(db, trainer, bank)
    assert (detail.title, detail.tags) == ("Banque SST", "sst, incendie")
    assert _refused(ErrorCode.TITLE_REQUIRED, library.update_bank, db, staff, bank, " ", "").field == "title"
    too_long = _refused(ErrorCode.TEXT_TOO_LONG, library.update_bank, db, staff, bank, "T", "x" * 301)
    assert too_long.field == "tags"
    _refused(ErrorCode.INVALID_INPUT, library.update_bank, db, staff, bank, ["T"], "")
    for outsider in (trainer, learner, foreign):  # trainers read the library, staff change it
        _refused(ErrorCode.NOT_FOUND, library.update_bank, db, outsider, bank, "Autre", "")
        _refused(ErrorCode.NOT_FOUND, library.delete_bank, db, outsider, bank)
    _refused(ErrorCode.NOT_FOUND, library.update_bank, db, staff, 10**6, "Autre", "")
    _refused(ErrorCode.NOT_FOUND, library.delete_bank, db, staff, True)
    assert editing.bank_detail(db, staff, bank).title == "Banque SST"


def test_a_bank_is_deleted_with_its_questions_and_their_answers_only(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    bank, kept = library.create_bank(db, staff, "Banque"), library.create_bank(db, staff, "Autre banque")
    for n in range(3):
        library.add_question(db, staff, _single(f"B{n} ?"), bank_id=bank)
    library.add_question(db, staff, _single("Gardée ?"), bank_id=kept)
    qid = library.create_questionnaire(db, staff, {"title": "Quiz", "use": "quiz"})
    library.add_question(db, staff, _single("Q ?"), questionnaire_id=qid)
    assert _bank_rows(db, bank) == (3, 6)
    library.delete_bank(db, staff, bank)
    _refused(ErrorCode.NOT_FOUND, editing.bank_detail, db, staff, bank)
    assert _bank_rows(db, bank) == (0, 0)
    assert [b.id for b in editing.list_banks(db, staff)] == [kept] and _bank_rows(db, kept) == (1, 2)
    assert len(editing.questionnaire_detail(db, staff, qid).questions) == 1


def test_a_bank_a_questionnaire_draws_from_is_kept_and_says_which(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    bank = library.create_bank(db, staff, "Banque")
    library.add_question(db, staff, _single("B ?"), bank_id=bank)
    exam = {"title": "Examen SST", "use": "certification", "draw_size": 1}
    qid = library.create_questionnaire(db, staff, exam, bank_id=bank)
    refused = _refused(ErrorCode.BANK_IN_USE, library.delete_bank, db, staff, bank)
    assert refused.params == {"title": "Examen SST"}
    assert _bank_rows(db, bank) == (1, 2)
    library.update_bank(db, staff, bank, "Banque renommée", "")  # a rename changes no draw
    library.delete_questionnaire(db, staff, qid)
    library.delete_bank(db, staff, bank)
    assert editing.list_banks(db, staff) == []


def test_a_bank_whose_question_a_candidate_answered_is_kept_for_the_audit(db: Session) -> None:
    org = make_org(db)
    staff, trainer, learner = make_staff(db, org), make_trainer(db, org), make_learner(db, org)
    session = make_session(
        db, org, start=START, end=START + timedelta(days=2), trainers=(trainer,), learners=(learner,)
    )
    module = Module(session_id=session.id, title="Jour 1", phase="during")
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="quiz", title="Quiz")
    db.add(activity)
    db.flush()
    boss = actor_for(db, staff)
    bank = library.create_bank(db, boss, "Banque")
    question = library.add_question(db, boss, _single("B ?"), bank_id=bank)
    qid = library.create_questionnaire(db, boss, {"title": "Quiz", "use": "quiz"})
    attempt = EvaluationAttempt(
        activity_id=activity.id or 0, questionnaire_id=qid, session_id=session.id or 0, user_id=learner.id
    )
    db.add(attempt)
    db.flush()
    db.add(EvaluationAnswer(attempt_id=attempt.id or 0, question_id=question))
    db.commit()
    _refused(ErrorCode.BANK_ANSWERED, library.delete_bank, db, boss, bank)
    assert _bank_rows(db, bank) == (1, 2)
    library.update_bank(db, boss, bank, "Banque 2025", "archives")
    assert editing.bank_detail(db, boss, bank).title == "Banque 2025"
