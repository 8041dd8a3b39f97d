"""A learner's side of an evaluation: start an attempt, answer (drafts), submit, and what their browser sees.

- Starting draws the questions (a certification: `draw_size` of its bank, with a stored seed),
  sets the deadline from the time limit, and counts against the attempts limit; starting again
  while an attempt is open gives that attempt back, with its deadline, so a reload loses nothing.
- Each answer is saved as a draft as the learner goes (one per attempt and question); an answer
  after the deadline, to a question not drawn for this attempt, or once submitted is refused.
- Submitting grades the attempt and records it in the learner's progress (the tutoring report's
  attempts, score and average). A quality evaluation's answers then move to an attempt without a
  learner: nobody can read them back per person.
- `learner_view` is everything the learner's browser gets: never a right answer, a point, or the
  feedback of an answer they did not choose (only a quiz gives feedback, on their own answers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypedDict

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.clock import paris_datetime_label
from app.live.bus import notify
from app.live.contract import EvaluationAnswered, EvaluationStarted, followers_topic
from app.models import Activity, TrainingSession
from app.models.base import utcnow
from app.models.evaluations import (
    Choice,
    EvaluationAnswer,
    EvaluationAttempt,
    Question,
    Questionnaire,
    QuestionnaireUse,
)
from app.services import progress
from app.services.access import SessionRole
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import draws, grading, library
from app.services.evaluations.gate import learner_activity
from app.services.evaluations.uses import use_of

SCORED_KINDS = ("diagnostic", "certification", "quiz")  # the learner sees their score
ANONYMOUS_KINDS = ("quality_evaluation",)
FEEDBACK_KINDS = ("quiz",)  # feedback on each of the learner's answers
UNLIMITED_KINDS = ("quiz",)


class LearnerChoice(TypedDict):
    """An answer offered, as the learner sees it: no `correct` flag, no feedback."""

    id: int
    label: str


class LearnerQuestion(TypedDict):
    """A question as the learner sees it: no points, no right answer."""

    id: int
    kind: str
    text: str
    scale_max: int  # 0 when not a scale or a grid
    rows: list[str]
    choices: list[LearnerChoice]


class LearnerAnswer(TypedDict):
    """The learner's own answer (a draft until submitted), as JSON."""

    question_id: int
    value_json: str


class LearnerFeedback(TypedDict):
    """A quiz's feedback on one of the learner's answers: right or not, and the feedback of what they chose."""

    question_id: int
    correct: bool
    feedback: list[str]


class LearnerQuestionnaire(TypedDict):
    """Everything a learner's browser gets of an evaluation activity."""

    activity_id: int
    kind: str
    title: str
    description: str
    moment: str
    status: str  # not_started, in_progress, submitted
    attempts_used: int
    attempts_left: int  # -1: unlimited
    deadline: str  # ISO 8601 UTC, "" without a time limit
    remaining_s: int  # -1 without a time limit
    questions: list[LearnerQuestion]
    answers: list[LearnerAnswer]
    score: float | None  # the last submitted attempt's, for the scored kinds
    passed: bool | None
    submitted_at: str  # Paris time
    feedback: list[LearnerFeedback]


class AnswerSaved(TypedDict):
    """What saving one answer gives back: saved, and a quiz's feedback on it."""

    question_id: int
    feedback: list[LearnerFeedback]


@dataclass(frozen=True)
class Place:
    """An evaluation activity as the gate found it for a learner."""

    activity: Activity
    training: TrainingSession
    role: SessionRole
    use: QuestionnaireUse
    questionnaire: Questionnaire


def _place(db: Session, actor: Actor, activity_id: object, *, write: bool) -> Place:
    """The learner's gate (`gate.learner_activity`), with the activity's questionnaire."""
    reached = learner_activity(db, actor, activity_id, write=write)
    use = use_of(db, reached.activity.id or 0)
    questionnaire = db.get(Questionnaire, use.questionnaire_id) if use is not None else None
    if use is None or questionnaire is None:
        raise PlumeError(ErrorCode.QUESTIONNAIRE_MISSING)
    return Place(
        activity=reached.activity, training=reached.training, role=reached.role, use=use, questionnaire=questionnaire
    )


def allowed_attempts(kind: str, questionnaire: Questionnaire) -> int | None:
    """How many attempts a learner has: a quiz's are unlimited, others have the limit set (one by default).

    Args:
        kind: The activity's kind.
        questionnaire: Its questionnaire.

    Returns:
        The number, or None for unlimited.
    """
    if kind in UNLIMITED_KINDS:
        return None
    return questionnaire.attempts_limit or 1


def _attempts(db: Session, activity_id: int, user_id: int) -> list[EvaluationAttempt]:
    return list(
        db.exec(
            select(EvaluationAttempt)
            .where(EvaluationAttempt.activity_id == activity_id, EvaluationAttempt.user_id == user_id)
            .order_by(col(EvaluationAttempt.number))
        ).all()
    )


def drawn_ids(attempt: EvaluationAttempt) -> list[int]:
    """The questions drawn for an attempt, in the order asked.

    Args:
        attempt: The attempt.

    Returns:
        Their ids.
    """
    try:
        ids = json.loads(attempt.question_ids_json or "[]")
    except ValueError:
        return []
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def _expired(attempt: EvaluationAttempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline


def _question_ids(db: Session, place: Place, seed: int | None) -> list[int]:
    questionnaire = place.questionnaire
    if questionnaire.draw_size is not None and questionnaire.bank_id is not None and seed is not None:
        return draws.draw(library.bank_question_ids(db, questionnaire.bank_id), questionnaire.draw_size, seed)
    ids = library.own_question_ids(db, questionnaire.id or 0)
    if place.activity.kind == "quality_evaluation" and place.use.moment == "hot":
        first = library.satisfaction_question(db, place.training.organisation_id).id or 0
        ids = [first, *(i for i in ids if i != first)]
    if not ids:
        raise PlumeError(ErrorCode.QUESTIONNAIRE_EMPTY)
    return ids


def start(db: Session, actor: Actor, activity_id: int, *, now: datetime | None = None) -> LearnerQuestionnaire:
    """A learner opens an evaluation: their open attempt, or a new one (drawn, with its deadline).

    An open attempt whose deadline passed is submitted first with the answers saved in time.

    Args:
        db: Database session.
        actor: A learner of the activity's session.
        activity_id: The activity.
        now: The current time (tests).

    Returns:
        The learner's view, in progress.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_MISSING; QUESTIONNAIRE_EMPTY; BANK_TOO_SMALL;
            EVALUATION_ATTEMPTS once the attempts are used up.
    """
    moment = now or utcnow()
    place = _place(db, actor, activity_id, write=True)
    activity_key = place.activity.id or 0
    attempts = _attempts(db, activity_key, actor.user_id)
    current = attempts[-1] if attempts and attempts[-1].submitted_at is None else None
    if current is not None and _expired(current, moment):
        _finalise(db, place, current, at=current.deadline or moment)
        current = None
    if current is None:
        limit = allowed_attempts(place.activity.kind, place.questionnaire)
        if limit is not None and len(attempts) >= limit:
            raise PlumeError(ErrorCode.EVALUATION_ATTEMPTS)
        seed = draws.new_seed() if place.questionnaire.draw_size is not None else None
        ids = _question_ids(db, place, seed)
        limit_s = place.questionnaire.time_limit_s
        current = EvaluationAttempt(
            activity_id=activity_key,
            questionnaire_id=place.questionnaire.id or 0,
            session_id=place.training.id or 0,
            user_id=actor.user_id,
            number=(attempts[-1].number if attempts else 0) + 1,
            seed=seed,
            question_ids_json=json.dumps(ids),
            started_at=moment,
            deadline=moment + timedelta(seconds=limit_s) if limit_s else None,
        )
        db.add(current)
        progress.opened(db, place.activity, actor.user_id, place.training.id or 0)
        db.flush()
        if place.activity.kind not in ANONYMOUS_KINDS:  # the results page's line turns "in progress"
            topic = followers_topic(place.training.id or 0)
            notify(db, topic, EvaluationStarted(activity_id=activity_key, user_id=actor.user_id))
    return _view(db, place, actor.user_id, moment)


def _open_attempt(db: Session, place: Place, user_id: int, now: datetime) -> EvaluationAttempt:
    attempts = _attempts(db, place.activity.id or 0, user_id)
    if not attempts:
        raise PlumeError(ErrorCode.NOT_FOUND)
    current = attempts[-1]
    if current.submitted_at is not None:
        raise PlumeError(ErrorCode.EVALUATION_SUBMITTED)
    if _expired(current, now):
        raise PlumeError(ErrorCode.EVALUATION_DEADLINE)
    return current


def _quiz_feedback(db: Session, keys: list[grading.Key], answers: dict[int, object]) -> list[LearnerFeedback]:
    """A quiz's feedback on the learner's answers: right or not, and the feedback of the choices they ticked."""
    _, choices = library.load_questions(db, [k.id for k in keys])
    found: list[LearnerFeedback] = []
    for key in keys:
        right = grading.is_correct(key, answers.get(key.id))
        if right is None or key.id not in answers:
            continue
        value = answers[key.id]
        chosen = set(value) if isinstance(value, list) else {value}
        texts = [c.feedback for c in choices.get(key.id, []) if c.id in chosen and c.feedback]
        found.append(LearnerFeedback(question_id=key.id, correct=right, feedback=texts))
    return found


def save_answer(
    db: Session, actor: Actor, activity_id: int, question_id: int, value: object, *, now: datetime | None = None
) -> AnswerSaved:
    """Save one answer of the learner's open attempt, as a draft (again replaces it; None clears it).

    Args:
        db: Database session.
        actor: A learner of the activity's session.
        activity_id: The activity.
        question_id: A question drawn for this attempt.
        value: The answer (see `grading` for each kind's form).
        now: The current time (tests).

    Returns:
        The question saved, and for a quiz the feedback on this answer.

    Raises:
        PlumeError: NOT_FOUND (no attempt, or a question not drawn for it); EVALUATION_SUBMITTED;
            EVALUATION_DEADLINE after the deadline; ANSWER_INVALID.
    """
    moment = now or utcnow()
    place = _place(db, actor, activity_id, write=True)
    attempt = _open_attempt(db, place, actor.user_id, moment)
    if not isinstance(question_id, int) or isinstance(question_id, bool) or question_id not in drawn_ids(attempt):
        raise PlumeError(ErrorCode.NOT_FOUND)
    keys = library.load_keys(db, [question_id])
    if not keys:
        raise PlumeError(ErrorCode.NOT_FOUND)
    stored = grading.check_value(keys[0], value)
    answer = db.exec(
        select(EvaluationAnswer).where(
            EvaluationAnswer.attempt_id == attempt.id, EvaluationAnswer.question_id == question_id
        )
    ).first()
    if answer is None:
        answer = EvaluationAnswer(attempt_id=attempt.id or 0, question_id=question_id)
    answer.value_json, answer.saved_at = json.dumps(stored, ensure_ascii=False), moment
    db.add(answer)
    db.flush()
    feedback = (
        _quiz_feedback(db, keys, {question_id: stored})
        if place.activity.kind in FEEDBACK_KINDS and stored is not None
        else []
    )
    return AnswerSaved(question_id=question_id, feedback=feedback)


def submit(db: Session, actor: Actor, activity_id: int, *, now: datetime | None = None) -> LearnerQuestionnaire:
    """Submit the learner's open attempt: graded, recorded in their progress, final.

    After the deadline the attempt is still submitted, with the answers saved in time (the
    later ones were refused), as of its deadline.

    Args:
        db: Database session.
        actor: A learner of the activity's session.
        activity_id: The activity.
        now: The current time (tests).

    Returns:
        The learner's view, submitted.

    Raises:
        PlumeError: NOT_FOUND (nothing started); EVALUATION_SUBMITTED (already submitted).
    """
    moment = now or utcnow()
    place = _place(db, actor, activity_id, write=True)
    attempts = _attempts(db, place.activity.id or 0, actor.user_id)
    if not attempts:
        raise PlumeError(ErrorCode.NOT_FOUND)
    current = attempts[-1]
    if current.submitted_at is not None:
        raise PlumeError(ErrorCode.EVALUATION_SUBMITTED)
    at = min(moment, current.deadline) if current.deadline is not None else moment
    _finalise(db, place, current, at=at)
    return _view(db, place, actor.user_id, moment)


def stored_answers(db: Session, attempt_id: int) -> dict[int, object]:
    """An attempt's answers, decoded.

    Args:
        db: Database session.
        attempt_id: The attempt.

    Returns:
        Question id → answer.
    """
    found: dict[int, object] = {}
    for answer in db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempt_id)).all():
        try:
            found[answer.question_id] = json.loads(answer.value_json)
        except ValueError:
            continue
    return found


def _finalise(db: Session, place: Place, attempt: EvaluationAttempt, *, at: datetime) -> None:
    """Grade and close an attempt, record it in the learner's progress, and unlink an anonymous one's answers."""
    keys = library.load_keys(db, drawn_ids(attempt))
    answers = stored_answers(db, attempt.id or 0)
    result = grading.grade(keys, answers, place.questionnaire.passing_score)
    for answer in db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempt.id)).all():
        right = result.correct.get(answer.question_id)
        points = next((k.points for k in keys if k.id == answer.question_id), 0.0)
        answer.correct, answer.points = right, (points if right else 0.0) if right is not None else None
        db.add(answer)
    attempt.submitted_at, attempt.duration_s = at, max(0, int((at - attempt.started_at).total_seconds()))
    attempt.score, attempt.passed = result.score, result.passed
    attempt.points, attempt.max_points = result.points, result.max_points
    db.add(attempt)
    db.flush()
    user_id = attempt.user_id or 0
    if place.activity.kind in ANONYMOUS_KINDS:
        _seal_anonymously(db, attempt, at)
    status = "completed" if result.passed is None else ("passed" if result.passed else "failed")
    progress.finished(db, place.activity, user_id, place.training.id or 0, status=status, score=result.score)
    # To the results pages open on the session (delivered on commit, to those who follow its learners):
    # who answered, for a graded evaluation's line; never who for a quality evaluation.
    who = None if place.activity.kind in ANONYMOUS_KINDS else user_id
    notify(
        db,
        followers_topic(place.training.id or 0),
        EvaluationAnswered(activity_id=place.activity.id or 0, user_id=who),
    )


def _seal_anonymously(db: Session, attempt: EvaluationAttempt, at: datetime) -> None:
    """Move a submitted anonymous attempt's answers to a row without a learner: they only count in aggregates."""
    sealed = EvaluationAttempt(
        activity_id=attempt.activity_id,
        questionnaire_id=attempt.questionnaire_id,
        session_id=attempt.session_id,
        user_id=None,
        number=0,
        question_ids_json=attempt.question_ids_json,
        started_at=at,
        submitted_at=at,
    )
    db.add(sealed)
    db.flush()
    db.exec(update(EvaluationAnswer).where(col(EvaluationAnswer.attempt_id) == attempt.id).values(attempt_id=sealed.id))
    attempt.question_ids_json = "[]"
    db.add(attempt)


def _learner_question(question: Question, choices: list[Choice]) -> LearnerQuestion:
    return LearnerQuestion(
        id=question.id or 0,
        kind=question.kind,
        text=question.text,
        scale_max=question.scale_max or 0,
        rows=library.rows_of(question),
        choices=[LearnerChoice(id=c.id or 0, label=c.label) for c in choices],
    )


def _view(db: Session, place: Place, user_id: int, now: datetime) -> LearnerQuestionnaire:
    kind = place.activity.kind
    attempts = _attempts(db, place.activity.id or 0, user_id)
    last = attempts[-1] if attempts else None
    open_attempt = last if last is not None and last.submitted_at is None else None
    done = next((a for a in reversed(attempts) if a.submitted_at is not None), None)
    limit = allowed_attempts(kind, place.questionnaire)
    questions: list[LearnerQuestion] = []
    answers: list[LearnerAnswer] = []
    feedback: list[LearnerFeedback] = []
    shown = open_attempt if open_attempt is not None else (done if kind in FEEDBACK_KINDS else None)
    if shown is not None:
        ids = drawn_ids(shown)
        rows, choices = library.load_questions(db, ids)
        questions = [_learner_question(rows[i], choices[i]) for i in ids if i in rows]
        given = stored_answers(db, shown.id or 0)
        answers = [LearnerAnswer(question_id=i, value_json=json.dumps(v, ensure_ascii=False)) for i, v in given.items()]
        if kind in FEEDBACK_KINDS:
            feedback = _quiz_feedback(db, library.load_keys(db, ids), given)
    deadline = open_attempt.deadline if open_attempt is not None else None
    scored = kind in SCORED_KINDS and done is not None
    return LearnerQuestionnaire(
        activity_id=place.activity.id or 0,
        kind=kind,
        title=place.activity.title,
        description=place.questionnaire.description,
        moment=place.use.moment,
        status="in_progress" if open_attempt is not None else ("submitted" if done is not None else "not_started"),
        attempts_used=len(attempts),
        attempts_left=-1 if limit is None else max(0, limit - len(attempts)),
        deadline=deadline.isoformat() if deadline is not None else "",
        remaining_s=max(0, int((deadline - now).total_seconds())) if deadline is not None else -1,
        questions=questions,
        answers=answers,
        score=done.score if scored and done is not None else None,
        passed=done.passed if scored and done is not None else None,
        submitted_at=paris_datetime_label(done.submitted_at) if done is not None else "",
        feedback=feedback,
    )


def learner_view(db: Session, actor: Actor, activity_id: int, *, now: datetime | None = None) -> LearnerQuestionnaire:
    """What the learner's browser shows of an evaluation activity (read only: it starts nothing).

    Never a right answer, a point, or the feedback of an answer not chosen: the questions carry
    their text and choices' labels only; a quiz adds feedback on the learner's own answers.

    Args:
        db: Database session.
        actor: A learner of the activity's session.
        activity_id: The activity.
        now: The current time (tests).

    Returns:
        The view.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_MISSING.
    """
    place = _place(db, actor, activity_id, write=False)
    return _view(db, place, actor.user_id, now or utcnow())


def attempt_count(db: Session, activity_id: int) -> int:
    """How many attempts were submitted at an activity (no access check: for the callers' gates).

    Args:
        db: Database session.
        activity_id: The activity.

    Returns:
        The count of learners' attempts (an anonymous one's sealed copy is not counted again).
    """
    return int(
        db.exec(
            select(func.count())
            .select_from(EvaluationAttempt)
            .where(
                EvaluationAttempt.activity_id == activity_id,
                col(EvaluationAttempt.submitted_at).is_not(None),
                col(EvaluationAttempt.number) > 0,
            )
        ).one()
    )
