import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.i18n import t
from app.models import Activity, Module, Organisation, TrainingSession, User
from app.models.evaluations import (
    Choice,
    EvaluationAnswer,
    EvaluationAttempt,
    Question,
    QuestionBank,
    Questionnaire,
    QuestionnaireUse,
)
from app.models.progress import LessonAttempt, LessonProgress
from app.services import timeline
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import attempts, draws, grading, library, results, transfer, uses
from app.services.sessions import view as session_view
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)

START = date(2026, 11, 2)
NOW = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)


@dataclass
class World:
    session: TrainingSession
    module: Module
    staff: Actor
    trainer: Actor
    idle_trainer: Actor  # a trainer of the organisation, not on the session
    foreign_staff: Actor
    outsider: Actor  # a learner of the organisation, not enrolled
    learners: list[User]
    actors: list[Actor]


def _world(db: Session, *, status: str = "active") -> World:
    org, other = make_org(db), make_org(db)
    trainer, idle = make_trainer(db, org), make_trainer(db, org)
    learners = [make_learner(db, org, first_name=f"L{n}", last_name=f"Learner{n}") for n in range(4)]
    session = make_session(
        db,
        org,
        start=START,
        end=START + timedelta(days=3),
        status=status,
        trainers=(trainer,),
        learners=tuple(learners),
    )
    module = Module(session_id=session.id, title="Jour 1", phase="during")
    db.add(module)
    db.commit()
    return World(
        session=session,
        module=module,
        staff=actor_for(db, make_staff(db, org)),
        trainer=actor_for(db, trainer),
        idle_trainer=actor_for(db, idle),
        foreign_staff=actor_for(db, make_staff(db, other)),
        outsider=actor_for(db, make_learner(db, org)),
        learners=learners,
        actors=[actor_for(db, u) for u in learners],
    )


def _activity(db: Session, w: World, kind: str, title: str = "") -> int:
    activity = Activity(module_id=w.module.id or 0, kind=kind, title=title or kind)
    db.add(activity)
    db.commit()
    return activity.id or 0


def _single(text: str, right: str, wrong: str, *, points: float = 1) -> dict[str, object]:
    return {
        "kind": "single",
        "text": text,
        "points": points,
        "choices": [
            {"label": right, "correct": True, "feedback": f"Oui : {right}"},
            {"label": wrong, "correct": False, "feedback": f"Non : {wrong}"},
        ],
    }


def _diagnostic(db: Session, w: World, **settings: object) -> int:
    """A diagnostic of three graded questions (2 + 1 + 1 points) and one scale."""
    qid = library.create_questionnaire(db, w.staff, {"title": "Positionnement", "use": "diagnostic", **settings})
    library.add_question(
        db, w.staff, _single("Capitale de la France ?", "Paris", "Lyon", points=2), questionnaire_id=qid
    )
    library.add_question(
        db,
        w.staff,
        {
            "kind": "multiple",
            "text": "Nombres pairs ?",
            "choices": [
                {"label": "2", "correct": True},
                {"label": "3", "correct": False},
                {"label": "4", "correct": True},
            ],
        },
        questionnaire_id=qid,
    )
    library.add_question(
        db, w.staff, {"kind": "number", "text": "7 × 6 ?", "answer_number": 42, "tolerance": 0}, questionnaire_id=qid
    )
    library.add_question(
        db, w.staff, {"kind": "scale", "text": "Votre aisance ?", "scale_max": 5}, questionnaire_id=qid
    )
    db.commit()
    return qid


def _questions(db: Session, questionnaire_id: int) -> list[Question]:
    return list(
        db.exec(
            select(Question).where(Question.questionnaire_id == questionnaire_id).order_by(col(Question.position))
        ).all()
    )


def _choice(db: Session, question: Question, label: str) -> int:
    return db.exec(select(Choice.id).where(Choice.question_id == question.id, Choice.label == label)).one() or 0


def _answer_all(db: Session, actor: Actor, activity_id: int, questions: list[Question], *, right: bool) -> None:
    single, multiple, number, scale = questions
    attempts.save_answer(
        db, actor, activity_id, single.id or 0, _choice(db, single, "Paris" if right else "Lyon"), now=NOW
    )
    ticks = [_choice(db, multiple, "2"), _choice(db, multiple, "4")] if right else [_choice(db, multiple, "3")]
    attempts.save_answer(db, actor, activity_id, multiple.id or 0, ticks, now=NOW)
    attempts.save_answer(db, actor, activity_id, number.id or 0, "42" if right else "41,5", now=NOW)
    attempts.save_answer(db, actor, activity_id, scale.id or 0, 4, now=NOW)


def _refused(code: ErrorCode, call: object, *args: object, **kwargs: object) -> None:
    with pytest.raises(PlumeError) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    assert caught.value.code == code


# Grading and draws: pure functions.


def test_grading_counts_points_of_single_multiple_and_number_only() -> None:
    single = grading.Key(id=1, kind="single", points=2, choice_ids=(10, 11), correct=frozenset({10}))
    multiple = grading.Key(id=2, kind="multiple", points=1, choice_ids=(20, 21, 22), correct=frozenset({20, 22}))
    number = grading.Key(id=3, kind="number", points=1, answer_number=3.5, tolerance=0.1)
    scale = grading.Key(id=4, kind="scale", points=5, scale_max=10)
    text = grading.Key(id=5, kind="long_text", points=5)
    keys = [single, multiple, number, scale, text]
    perfect = grading.grade(keys, {1: 10, 2: [20, 22], 3: 3.55, 4: 9, 5: "bien"}, passing_score=50)
    assert (perfect.points, perfect.max_points, perfect.score, perfect.passed) == (4, 4, 100, True)
    assert perfect.correct == {1: True, 2: True, 3: True, 4: None, 5: None}
    # A multiple choice is all or nothing; an unanswered question is wrong.
    partial = grading.grade(keys, {1: 10, 2: [20]}, passing_score=60)
    assert (partial.points, partial.score, partial.passed) == (2, 50, False)
    assert grading.grade([scale, text], {4: 3}, passing_score=50).score is None
    assert grading.is_correct(grading.Key(id=6, kind="number", points=1, answer_number=0.3), 0.1 + 0.2)


def test_answers_that_do_not_fit_their_question_are_refused() -> None:
    single = grading.Key(id=1, kind="single", points=1, choice_ids=(10, 11), correct=frozenset({10}))
    multiple = grading.Key(id=2, kind="multiple", points=1, choice_ids=(20, 21), correct=frozenset({20}))
    scale = grading.Key(id=3, kind="scale", points=0, scale_max=5)
    likert = grading.Key(id=4, kind="likert", points=0, scale_max=5, rows=2)
    short = grading.Key(id=5, kind="short_text", points=0)
    number = grading.Key(id=6, kind="number", points=1, answer_number=1)
    assert grading.check_value(multiple, [21, 20]) == [20, 21]
    assert grading.check_value(likert, [5, None]) == [5, None]
    assert grading.check_value(number, "1,5") == 1.5
    for key, value in (
        (single, 12),
        (single, True),
        (single, "10"),
        (multiple, [20, 20]),
        (multiple, [99]),
        (scale, 6),
        (scale, 0),
        (likert, [1]),
        (likert, [1, 6]),
        (short, "x" * 301),
        (short, 3),
        (number, "beaucoup"),
        (number, float("nan")),
    ):
        _refused(ErrorCode.ANSWER_INVALID, grading.check_value, key, value)


def test_a_stored_seed_replays_the_same_draw_whatever_the_pool_order() -> None:
    pool = list(range(1, 2001))
    seed = draws.new_seed()
    first = draws.draw(pool, 40, seed)
    assert len(first) == len(set(first)) == 40
    assert draws.draw(reversed(pool), 40, seed) == first
    assert any(draws.draw(pool, 40, s) != first for s in (seed + 1, seed + 2))
    _refused(ErrorCode.BANK_TOO_SMALL, draws.draw, range(10), 11, seed)


# Taking a questionnaire.


def test_diagnostic_is_graded_against_the_questionnaire_and_recorded_in_progress(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w, passing_score=75)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.trainer, activity, qid, moment="before")
    questions = _questions(db, qid)
    learner = w.actors[0]
    view = attempts.start(db, learner, activity, now=NOW)
    assert view["status"] == "in_progress" and [q["id"] for q in view["questions"]] == [q.id for q in questions]
    _answer_all(db, learner, activity, questions, right=True)
    attempts.save_answer(db, learner, activity, questions[2].id or 0, 41, now=NOW)  # changed: now wrong
    done = attempts.submit(db, learner, activity, now=NOW + timedelta(minutes=3))
    assert (done["status"], done["score"], done["passed"]) == ("submitted", 75.0, True)  # 3 of 4 points
    lesson = db.exec(select(LessonProgress).where(LessonProgress.activity_id == activity)).one()
    assert (lesson.status, lesson.score) == ("passed", 75.0)
    attempt = db.exec(select(EvaluationAttempt).where(EvaluationAttempt.activity_id == activity)).one()
    assert attempt.duration_s == 180 and attempt.seed is None
    # One attempt by default: answering again, starting again and submitting again are refused.
    _refused(ErrorCode.EVALUATION_SUBMITTED, attempts.save_answer, db, learner, activity, questions[0].id, None)
    _refused(ErrorCode.EVALUATION_ATTEMPTS, attempts.start, db, learner, activity, now=NOW)
    _refused(ErrorCode.EVALUATION_SUBMITTED, attempts.submit, db, learner, activity, now=NOW)


def test_learner_view_never_holds_right_answers_points_or_unchosen_feedback(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.staff, activity, qid)
    questions = _questions(db, qid)
    learner = w.actors[0]
    before = attempts.start(db, learner, activity, now=NOW)
    _answer_all(db, learner, activity, questions, right=False)
    during = attempts.learner_view(db, learner, activity, now=NOW)
    after = attempts.submit(db, learner, activity, now=NOW)
    for view in (before, during, after):
        raw = json.dumps(view, ensure_ascii=False)
        assert "correct" not in raw and "points" not in raw and 'feedback": [{' not in raw
        assert "Oui :" not in raw and "Non :" not in raw
        assert all(set(q) == {"id", "kind", "text", "scale_max", "rows", "choices"} for q in view["questions"])
        assert all(set(c) == {"id", "label"} for q in view["questions"] for c in q["choices"])
    # After submitting, a diagnostic shows the score only: no question, no answer, nothing per question.
    assert after["score"] == 0.0 and after["questions"] == [] and after["feedback"] == []


def test_a_quiz_gives_feedback_on_the_learners_own_answers_and_records_every_attempt(db: Session) -> None:
    w = _world(db)
    qid = library.create_questionnaire(db, w.staff, {"title": "Quiz", "use": "quiz", "attempts_limit": 1})
    library.add_question(db, w.staff, _single("2 + 2 ?", "4", "5"), questionnaire_id=qid)
    activity = _activity(db, w, "quiz")
    uses.attach(db, w.trainer, activity, qid)
    question = _questions(db, qid)[0]
    learner = w.actors[1]
    for n, label in enumerate(("5", "4", "4")):
        attempts.start(db, learner, activity, now=NOW + timedelta(minutes=n))
        saved = attempts.save_answer(db, learner, activity, question.id or 0, _choice(db, question, label), now=NOW)
        right = label == "4"
        assert saved["feedback"] == [
            {"question_id": question.id, "correct": right, "feedback": [f"{'Oui' if right else 'Non'} : {label}"]}
        ]
        view = attempts.submit(db, learner, activity, now=NOW + timedelta(minutes=n, seconds=30))
        assert view["score"] == (100.0 if right else 0.0) and view["attempts_left"] == -1
        assert "Oui : 4" not in json.dumps(view["questions"]) and ("Non : 5" in json.dumps(view)) == (not right)
    lessons = db.exec(select(LessonAttempt).where(LessonAttempt.activity_id == activity)).all()
    assert sorted(a.score or 0 for a in lessons) == [0, 100, 100] and len(lessons) == 3


def test_the_deadline_is_stored_survives_a_reload_and_refuses_late_answers(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w, time_limit_s=600)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.staff, activity, qid)
    questions = _questions(db, qid)
    learner = w.actors[0]
    started = attempts.start(db, learner, activity, now=NOW)
    assert started["remaining_s"] == 600
    attempts.save_answer(db, learner, activity, questions[0].id or 0, _choice(db, questions[0], "Paris"), now=NOW)
    # A reload (or another tab) five minutes later finds the same attempt and the same deadline.
    reloaded = attempts.start(db, learner, activity, now=NOW + timedelta(minutes=5))
    assert reloaded["deadline"] == started["deadline"] and reloaded["remaining_s"] == 300
    assert reloaded["answers"] == [
        {"question_id": questions[0].id, "value_json": str(_choice(db, questions[0], "Paris"))}
    ]
    late = NOW + timedelta(minutes=10, seconds=1)
    _refused(ErrorCode.EVALUATION_DEADLINE, attempts.save_answer, db, learner, activity, questions[2].id, 42, now=late)
    done = attempts.submit(db, learner, activity, now=NOW + timedelta(hours=2))
    attempt = db.exec(select(EvaluationAttempt).where(EvaluationAttempt.activity_id == activity)).one()
    assert attempt.submitted_at == NOW + timedelta(minutes=10) and attempt.duration_s == 600
    assert done["score"] == 50.0  # the 2 points answered in time, of 4


def test_an_expired_attempt_is_closed_when_the_learner_comes_back(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w, time_limit_s=60, attempts_limit=2)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.staff, activity, qid)
    learner = w.actors[0]
    attempts.start(db, learner, activity, now=NOW)
    second = attempts.start(db, learner, activity, now=NOW + timedelta(hours=1))
    assert (second["status"], second["attempts_used"], second["attempts_left"]) == ("in_progress", 2, 0)
    first = db.exec(select(EvaluationAttempt).where(EvaluationAttempt.number == 1)).one()
    assert first.submitted_at == NOW + timedelta(minutes=1) and first.score == 0
    attempts.submit(db, learner, activity, now=NOW + timedelta(hours=1))
    _refused(ErrorCode.EVALUATION_ATTEMPTS, attempts.start, db, learner, activity, now=NOW + timedelta(hours=2))


def _bank(db: Session, w: World, size: int) -> int:
    """A bank of `size` single choice questions, written in bulk (choice "A" is right)."""
    bank = QuestionBank(organisation_id=w.session.organisation_id, title="Banque")
    db.add(bank)
    db.flush()
    rows = [
        Question(organisation_id=w.session.organisation_id, bank_id=bank.id, position=n, kind="single", text=f"Q{n}")
        for n in range(size)
    ]
    db.add_all(rows)
    db.flush()
    db.add_all(
        Choice(question_id=q.id or 0, position=p, label=label, correct=label == "A")
        for q in rows
        for p, label in enumerate("AB")
    )
    db.commit()
    return bank.id or 0


def test_a_certification_draws_from_its_bank_and_an_auditor_replays_the_draw(db: Session) -> None:
    w = _world(db)
    bank = _bank(db, w, 2000)
    qid = library.create_questionnaire(
        db,
        w.staff,
        {"title": "Examen", "use": "certification", "draw_size": 40, "time_limit_s": 3600, "passing_score": 70},
        bank_id=bank,
    )
    activity = _activity(db, w, "certification")
    uses.attach(db, w.staff, activity, qid)
    learner = w.actors[2]
    view = attempts.start(db, learner, activity, now=NOW)
    ids = [q["id"] for q in view["questions"]]
    attempt = db.exec(select(EvaluationAttempt).where(EvaluationAttempt.activity_id == activity)).one()
    assert len(set(ids)) == 40 and json.loads(attempt.question_ids_json) == ids and attempt.seed is not None
    assert draws.draw(library.bank_question_ids(db, bank), 40, attempt.seed) == ids
    right = dict(
        db.exec(
            select(Choice.question_id, Choice.id).where(col(Choice.question_id).in_(ids), Choice.label == "A")
        ).all()
    )
    wrong = dict(
        db.exec(
            select(Choice.question_id, Choice.id).where(col(Choice.question_id).in_(ids), Choice.label == "B")
        ).all()
    )
    for n, question_id in enumerate(ids):
        attempts.save_answer(db, learner, activity, question_id, (right if n < 30 else wrong)[question_id], now=NOW)
    # A question of the bank not drawn for this candidate is refused like a missing one.
    not_drawn = next(i for i in library.bank_question_ids(db, bank) if i not in ids)
    _refused(ErrorCode.NOT_FOUND, attempts.save_answer, db, learner, activity, not_drawn, right.get(ids[0]), now=NOW)
    done = attempts.submit(db, learner, activity, now=NOW + timedelta(minutes=20))
    assert (done["score"], done["passed"]) == (75.0, True)
    detail = results.learner_detail(db, w.trainer, activity, learner.user_id)
    assert detail.seed == attempt.seed and [line.question_id for line in detail.lines] == ids


def test_a_bank_smaller_than_the_draw_is_refused_at_start(db: Session) -> None:
    w = _world(db)
    bank = _bank(db, w, 5)
    qid = library.create_questionnaire(
        db, w.staff, {"title": "Examen", "use": "certification", "draw_size": 6}, bank_id=bank
    )
    activity = _activity(db, w, "certification")
    uses.attach(db, w.staff, activity, qid)
    _refused(ErrorCode.BANK_TOO_SMALL, attempts.start, db, w.actors[0], activity, now=NOW)


# Quality evaluations: anonymous.


def _hot(db: Session, w: World) -> tuple[int, list[Question]]:
    qid = library.create_questionnaire(db, w.staff, {"title": "À chaud", "use": "quality_evaluation"})
    library.add_question(
        db,
        w.staff,
        {"kind": "single", "text": "Recommanderiez-vous ?", "choices": [{"label": "Oui"}, {"label": "Non"}]},
        questionnaire_id=qid,
    )
    library.add_question(db, w.staff, {"kind": "long_text", "text": "Un commentaire ?"}, questionnaire_id=qid)
    activity = _activity(db, w, "quality_evaluation")
    uses.attach(db, w.trainer, activity, qid, moment="hot")
    return activity, _questions(db, qid)


def test_a_hot_evaluation_opens_with_the_satisfaction_question(db: Session) -> None:
    w = _world(db)
    activity, questions = _hot(db, w)
    view = attempts.start(db, w.actors[0], activity, now=NOW)
    first = view["questions"][0]
    assert first["text"] == (
        "Sur une échelle de 1 à 10, quel est votre niveau de satisfaction générale de cette formation ?"
    )
    assert (first["kind"], first["scale_max"]) == ("scale", 10)
    assert [q["id"] for q in view["questions"][1:]] == [q.id for q in questions]
    assert view["score"] is None


def test_quality_results_are_anonymous_and_hidden_until_three_answers(db: Session) -> None:
    w = _world(db)
    activity, questions = _hot(db, w)
    recommend, comment = questions
    for n, learner in enumerate(w.actors[:3]):
        view = attempts.start(db, learner, activity, now=NOW)
        satisfaction = view["questions"][0]["id"]
        attempts.save_answer(db, learner, activity, satisfaction, 7 + n, now=NOW)
        attempts.save_answer(db, learner, activity, recommend.id or 0, _choice(db, recommend, "Oui"), now=NOW)
        attempts.save_answer(db, learner, activity, comment.id or 0, f"Remarque {'CBA'[n]}", now=NOW)
        attempts.submit(db, learner, activity, now=NOW)
        shown = results.quality_results(db, w.trainer, activity)
        assert shown.answered == n + 1 and shown.expected == 4
        if n < 2:
            assert not shown.shown and shown.questions == [] and shown.satisfaction is None
    assert shown.shown and shown.satisfaction == 8.0
    by_text = {q.text: q for q in shown.questions}
    assert by_text["Recommanderiez-vous ?"].counts == [3, 0]
    assert by_text["Un commentaire ?"].texts == ["Remarque A", "Remarque B", "Remarque C"]
    assert shown.questions[0].counts == [0, 0, 0, 0, 0, 0, 1, 1, 1, 0]
    # The answers sit on attempts without a learner: nothing links an answer to a person.
    owners = db.exec(
        select(EvaluationAttempt.user_id)
        .join(EvaluationAnswer, col(EvaluationAnswer.attempt_id) == col(EvaluationAttempt.id))
        .distinct()
    ).all()
    assert owners == [None]
    _refused(ErrorCode.NOT_FOUND, results.learner_results, db, w.trainer, activity)
    _refused(ErrorCode.NOT_FOUND, results.learner_detail, db, w.trainer, activity, w.actors[0].user_id)
    assert "Remarque" not in json.dumps(attempts.learner_view(db, w.actors[0], activity, now=NOW))


# What trainers read.


def test_trainer_reads_each_learner_and_their_progression_before_and_after(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    before, after = _activity(db, w, "diagnostic", "Avant"), _activity(db, w, "diagnostic", "Après")
    uses.attach(db, w.trainer, before, qid, moment="before")
    uses.attach(db, w.trainer, after, qid, moment="after")
    questions = _questions(db, qid)
    anna, bob = w.actors[0], w.actors[1]
    for activity, right in ((before, False), (after, True)):
        attempts.start(db, anna, activity, now=NOW)
        _answer_all(db, anna, activity, questions, right=right)
        attempts.submit(db, anna, activity, now=NOW)
    attempts.start(db, bob, before, now=NOW)
    lines = {line.user_id: line for line in results.learner_results(db, w.trainer, before)}
    assert lines[anna.user_id].status == "submitted" and lines[anna.user_id].score == 0
    assert lines[bob.user_id].status == "in_progress" and lines[w.actors[2].user_id].status == "not_started"
    rows = {row.user_id: row for row in results.progression(db, w.staff, after)}
    assert (rows[anna.user_id].before, rows[anna.user_id].after, rows[anna.user_id].change) == (0, 100, 100)
    assert rows[bob.user_id].change is None
    detail = results.learner_detail(db, w.trainer, after, anna.user_id)
    first = detail.lines[0]
    assert first.correct is True and first.points == 2 and first.max_points == 2
    assert [(c.label, c.correct, c.chosen) for c in first.choices] == [("Paris", True, True), ("Lyon", False, False)]


# The library.


def test_library_validation_gives_a_translated_reason(db: Session) -> None:
    w = _world(db)
    qid = library.create_questionnaire(db, w.staff, {"title": "Test", "use": "diagnostic"})
    cases = [
        (ErrorCode.TITLE_REQUIRED, {"title": "  ", "use": "diagnostic"}, None),
        (ErrorCode.QUESTIONNAIRE_KIND, {"title": "x", "use": "poll"}, None),
        (ErrorCode.NUMBER_RANGE, {"title": "x", "use": "quiz", "passing_score": 120}, None),
        (ErrorCode.QUESTION_KIND, None, {"kind": "essay", "text": "?"}),
        (ErrorCode.QUESTION_TEXT_REQUIRED, None, {"kind": "short_text", "text": ""}),
        (
            ErrorCode.QUESTION_CHOICES,
            None,
            {"kind": "single", "text": "?", "choices": [{"label": "a", "correct": True}]},
        ),
        (
            ErrorCode.QUESTION_CORRECT,
            None,
            {"kind": "single", "text": "?", "choices": [{"label": "a"}, {"label": "b"}]},
        ),
        (ErrorCode.QUESTION_SCALE, None, {"kind": "scale", "text": "?", "scale_max": 7}),
        (ErrorCode.QUESTION_ROWS, None, {"kind": "likert", "text": "?", "scale_max": 5, "rows": []}),
        (ErrorCode.QUESTION_CORRECT, None, {"kind": "number", "text": "?"}),
    ]
    for code, questionnaire, question in cases:
        with pytest.raises(PlumeError) as caught:
            if questionnaire is not None:
                library.create_questionnaire(db, w.staff, questionnaire)
            else:
                library.add_question(db, w.staff, question or {}, questionnaire_id=qid)
        assert caught.value.code == code
        assert not t("fr", f"error.{code.value}", **caught.value.params).startswith("error.")
    assert _questions(db, qid) == []
    # A quality evaluation's choices need no right answer; a Likert grid has rows.
    quality = library.create_questionnaire(db, w.staff, {"title": "Qualité", "use": "quality_evaluation"})
    library.add_question(
        db,
        w.staff,
        {"kind": "single", "text": "?", "choices": [{"label": "a"}, {"label": "b"}]},
        questionnaire_id=quality,
    )
    library.add_question(
        db,
        w.staff,
        {"kind": "likert", "text": "Accord ?", "scale_max": 5, "rows": ["Rythme", "Contenu"]},
        questionnaire_id=quality,
    )
    assert [q.kind for q in _questions(db, quality)] == ["single", "likert"]


def test_an_answered_questionnaire_keeps_its_questions_and_can_be_duplicated(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.staff, activity, qid)
    attempts.start(db, w.actors[0], activity, now=NOW)
    question = _questions(db, qid)[0]
    _refused(
        ErrorCode.QUESTIONNAIRE_IN_USE,
        library.add_question,
        db,
        w.staff,
        {"kind": "short_text", "text": "?"},
        questionnaire_id=qid,
    )
    _refused(ErrorCode.QUESTIONNAIRE_IN_USE, library.delete_question, db, w.staff, question.id)
    _refused(
        ErrorCode.QUESTIONNAIRE_IN_USE,
        library.update_questionnaire,
        db,
        w.staff,
        qid,
        {"title": "x", "use": "diagnostic", "passing_score": 10},
    )
    _refused(ErrorCode.QUESTIONNAIRE_IN_USE, library.delete_questionnaire, db, w.staff, qid)
    library.update_questionnaire(db, w.staff, qid, {"title": "Nouveau titre", "use": "diagnostic"})
    copy = transfer.duplicate_questionnaire(db, w.staff, qid)
    assert [q.text for q in _questions(db, copy)] == [q.text for q in _questions(db, qid)]
    library.add_question(db, w.staff, {"kind": "short_text", "text": "Et vous ?"}, questionnaire_id=copy)


def test_json_export_and_import_round_trip(db: Session) -> None:
    w = _world(db)
    bank = library.create_bank(db, w.staff, "Banque sécurité", "sécurité, incendie")
    for n in range(3):
        library.add_question(db, w.staff, _single(f"B{n} ?", "oui", "non"), bank_id=bank)
    exam = library.create_questionnaire(
        db, w.staff, {"title": "Examen", "use": "certification", "draw_size": 2, "tags": ["SST"]}, bank_id=bank
    )
    diagnostic = _diagnostic(db, w)
    library.add_question(
        db,
        w.staff,
        {"kind": "likert", "text": "Grille", "scale_max": 5, "rows": ["a", "b"], "points": 0},
        questionnaire_id=diagnostic,
    )
    for qid in (exam, diagnostic):
        exported = transfer.export_questionnaire(db, w.trainer, qid)
        copy = transfer.import_questionnaire(db, w.staff, exported.encode())
        assert copy != qid
        assert json.loads(transfer.export_questionnaire(db, w.staff, copy)) == json.loads(exported)
    assert json.loads(exported)["version"] == 1 and len(json.loads(exported)["questionnaire"]["questions"]) == 5


def test_a_bad_import_writes_nothing(db: Session) -> None:
    w = _world(db)
    good = json.loads(transfer.export_questionnaire(db, w.staff, _diagnostic(db, w)))
    two_right = json.loads(json.dumps(good))
    two_right["questionnaire"]["questions"][0]["choices"][1]["correct"] = True
    no_choices = json.loads(json.dumps(good))
    no_choices["questionnaire"]["questions"][-1]["kind"] = "banana"
    too_small = json.loads(json.dumps(good))
    too_small["questionnaire"]["draw_size"] = 3
    too_small["bank"] = {"title": "b", "questions": []}
    counts = (
        db.exec(select(func.count()).select_from(Questionnaire)).one(),
        db.exec(select(func.count()).select_from(Question)).one(),
    )
    for text, code in (
        ("pas du json", ErrorCode.IMPORT_INVALID),
        (json.dumps([1, 2]), ErrorCode.IMPORT_INVALID),
        (json.dumps({**good, "format": "autre"}), ErrorCode.IMPORT_INVALID),
        (json.dumps({**good, "version": 2}), ErrorCode.IMPORT_VERSION),
        (json.dumps({**good, "questionnaire": {**good["questionnaire"], "questions": "?"}}), ErrorCode.IMPORT_INVALID),
        (json.dumps(two_right), ErrorCode.QUESTION_CORRECT),
        (json.dumps(no_choices), ErrorCode.QUESTION_KIND),
        (json.dumps(too_small), ErrorCode.BANK_TOO_SMALL),
        (b"\xff\xfe", ErrorCode.IMPORT_INVALID),
    ):
        _refused(code, transfer.import_questionnaire, db, w.staff, text)
    assert (
        db.exec(select(func.count()).select_from(Questionnaire)).one(),
        db.exec(select(func.count()).select_from(Question)).one(),
    ) == counts


# Access: the same answer for missing and forbidden.


def test_who_may_do_what_goes_through_the_gates(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    learner = w.actors[0]
    # The library: staff write, trainers read, learners and other organisations see nothing.
    for actor in (learner, w.trainer):
        _refused(ErrorCode.NOT_FOUND, library.create_questionnaire, db, actor, {"title": "x", "use": "quiz"})
        _refused(
            ErrorCode.NOT_FOUND,
            library.add_question,
            db,
            actor,
            {"kind": "short_text", "text": "?"},
            questionnaire_id=qid,
        )
        _refused(ErrorCode.NOT_FOUND, transfer.import_questionnaire, db, actor, "{}")
    assert [row.id for row in library.list_questionnaires(db, w.trainer)] == [qid]
    _refused(ErrorCode.NOT_FOUND, library.list_questionnaires, db, learner)
    _refused(ErrorCode.NOT_FOUND, transfer.export_questionnaire, db, w.foreign_staff, qid)
    _refused(ErrorCode.NOT_FOUND, library.delete_questionnaire, db, w.foreign_staff, qid)
    # Attaching takes MANAGE: not a trainer of another session, not a learner.
    for actor in (w.idle_trainer, learner, w.foreign_staff):
        _refused(ErrorCode.NOT_FOUND, uses.attach, db, actor, activity, qid)
    _refused(ErrorCode.QUESTIONNAIRE_MISSING, attempts.start, db, learner, activity, now=NOW)
    quiz = library.create_questionnaire(db, w.staff, {"title": "Quiz", "use": "quiz"})
    _refused(ErrorCode.NOT_FOUND, uses.attach, db, w.trainer, activity, quiz)  # made for another kind
    uses.attach(db, w.trainer, activity, qid)
    # Answering: the session's learners only; reading results: staff and its trainers only.
    for actor in (w.outsider, w.foreign_staff, w.idle_trainer):
        _refused(ErrorCode.NOT_FOUND, attempts.start, db, actor, activity, now=NOW)
    _refused(ErrorCode.NOT_FOUND, attempts.start, db, w.trainer, activity, now=NOW)
    for actor in (learner, w.outsider, w.idle_trainer, w.foreign_staff):
        _refused(ErrorCode.NOT_FOUND, results.learner_results, db, actor, activity)
        _refused(ErrorCode.NOT_FOUND, results.learner_detail, db, actor, activity, w.actors[1].user_id)
    _refused(ErrorCode.NOT_FOUND, attempts.start, db, learner, 10**6, now=NOW)
    _refused(ErrorCode.NOT_FOUND, attempts.start, db, learner, True, now=NOW)
    # Another learner's attempt is not reachable: the view is always the actor's own.
    attempts.start(db, w.actors[1], activity, now=NOW)
    assert attempts.learner_view(db, learner, activity, now=NOW)["status"] == "not_started"


def test_an_archived_session_is_read_only_for_learners(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.staff, activity, qid)
    attempts.start(db, w.actors[0], activity, now=NOW)
    w.session.status = "archived"
    db.add(w.session)
    db.commit()
    question = _questions(db, qid)[3]
    _refused(ErrorCode.NOT_FOUND, attempts.save_answer, db, w.actors[0], activity, question.id, 3, now=NOW)
    _refused(ErrorCode.NOT_FOUND, attempts.submit, db, w.actors[0], activity, now=NOW)
    assert attempts.learner_view(db, w.actors[0], activity, now=NOW)["status"] == "in_progress"
    assert [line.status for line in results.learner_results(db, w.trainer, activity)][:1] == ["in_progress"]


def test_the_results_link_shows_to_whoever_the_results_page_lets_in(db: Session) -> None:
    """The activity panel's "Voir les résultats" reads the session view's OVERSEE flag: the results' own gate."""
    w = _world(db)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.staff, activity, _diagnostic(db, w))
    org = db.get(Organisation, w.session.organisation_id)
    assert org is not None
    tutor = make_member(db, org, "tutor")
    assign_tutor(db, w.session, tutor)
    people = {
        "staff": w.staff,
        "trainer": w.trainer,
        "tutor": actor_for(db, tutor),
        "learner": w.actors[0],
        "idle trainer": w.idle_trainer,
        "foreign staff": w.foreign_staff,
    }

    def shows_link(actor: Actor) -> bool:
        try:
            return session_view.session_view(db, actor, w.session.id or 0).can_read_sheets
        except PlumeError:
            return False

    def opens_results(actor: Actor) -> bool:
        try:
            results.learner_results(db, actor, activity)
        except PlumeError:
            return False
        return True

    for status in ("active", "archived"):
        w.session.status = status
        db.add(w.session)
        db.commit()
        seen = {name: (shows_link(actor), opens_results(actor)) for name, actor in people.items()}
        assert all(link == page for link, page in seen.values()), (status, seen)
        # The session's trainers keep their results once it is archived (they can no longer edit it).
        assert seen["trainer"] == seen["staff"] == (True, True)
        assert seen["tutor"] == seen["learner"] == (False, False)


def test_deleting_an_answered_evaluation_activity_removes_its_attempts_and_link(db: Session) -> None:
    w = _world(db)
    qid = _diagnostic(db, w)
    activity = _activity(db, w, "diagnostic")
    uses.attach(db, w.trainer, activity, qid, moment="before")
    attempts.start(db, w.actors[0], activity, now=NOW)
    _answer_all(db, w.actors[0], activity, _questions(db, qid), right=True)
    attempts.submit(db, w.actors[0], activity, now=NOW + timedelta(minutes=2))
    timeline.delete_activity(db, w.trainer, activity)
    db.commit()
    assert db.get(Activity, activity) is None
    for table in (EvaluationAttempt, QuestionnaireUse):
        assert db.exec(select(func.count()).select_from(table).where(col(table.activity_id) == activity)).one() == 0
    assert db.exec(select(func.count()).select_from(EvaluationAnswer)).one() == 0
    assert db.get(Questionnaire, qid) is not None  # the library keeps the questionnaire
