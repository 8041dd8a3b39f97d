"""What trainers and staff read of an evaluation: per learner, their progression, and anonymous aggregates.

Reading takes `Capability.OVERSEE` on the activity's session (staff of its organisation and its
trainers, archived sessions included). A quality evaluation is anonymous everywhere: it has no
per-learner result, and its aggregates stay hidden until `MIN_ANONYMOUS_ANSWERS` learners answered.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.clock import paris_datetime_label
from app.i18n import decimal_text, percent_text
from app.models import Activity, Enrolment, Module, TrainingSession, User
from app.models.evaluations import (
    EVALUATION_KINDS,
    SATISFACTION_KEY,
    Choice,
    EvaluationAnswer,
    EvaluationAttempt,
    Question,
    Questionnaire,
)
from app.models.evaluations import QuestionnaireUse as Use
from app.services import audience
from app.services.access import Capability, access_activity
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import library
from app.services.evaluations.attempts import ANONYMOUS_KINDS, drawn_ids, stored_answers
from app.services.evaluations.uses import use_of

MIN_ANONYMOUS_ANSWERS = 3


@dataclass(frozen=True)
class Overseen:
    """An evaluation activity as its overseer reaches it."""

    activity: Activity
    training: TrainingSession
    use: Use
    questionnaire: Questionnaire


def _overseen(db: Session, actor: Actor, activity_id: object) -> Overseen:
    activity, _, training, _ = access_activity(db, actor, activity_id, Capability.OVERSEE)
    if activity.kind not in EVALUATION_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    use = use_of(db, activity.id or 0)
    questionnaire = db.get(Questionnaire, use.questionnaire_id) if use is not None else None
    if use is None or questionnaire is None:
        raise PlumeError(ErrorCode.QUESTIONNAIRE_MISSING)
    return Overseen(activity=activity, training=training, use=use, questionnaire=questionnaire)


def _learners(db: Session, activity: Activity, session_id: int, user_id: int | None = None) -> list[User]:
    query = (
        select(User)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(Enrolment.session_id == session_id)
        .order_by(col(Enrolment.sort_name), col(User.id))
    )
    if user_id is not None:  # one learner's line (a live update), by the same rule as the whole list
        query = query.where(col(User.id) == user_id)
    return [u for u in db.exec(query).all() if audience.invited(activity, u.id or 0)]


@dataclass(frozen=True)
class LearnerResult:
    """One learner's line on an evaluation's results: done or not, attempts, score."""

    user_id: int
    name: str
    status: str  # not_started, in_progress, submitted
    attempts: int
    score: float | None  # the last submitted attempt's
    score_text: str  # the same as a French reader writes it ("66,67 %"), "" when none
    best_score: float | None
    passed: bool | None
    submitted_at: str
    duration_s: int | None


def learner_results(db: Session, actor: Actor, activity_id: int, user_id: int | None = None) -> list[LearnerResult]:
    """Each learner of the activity, done or not, with their score (not for an anonymous evaluation).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A diagnostic, certification, quiz or self-assessment activity.
        user_id: Only this learner's line (none when they are not one the activity is for).

    Returns:
        One line per learner the activity is for, by name.

    Raises:
        PlumeError: NOT_FOUND (also for a quality evaluation: it has no per-person results); QUESTIONNAIRE_MISSING.
    """
    seen = _overseen(db, actor, activity_id)
    if seen.activity.kind in ANONYMOUS_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    by_user: dict[int, list[EvaluationAttempt]] = defaultdict(list)
    mine = col(EvaluationAttempt.user_id).is_not(None) if user_id is None else EvaluationAttempt.user_id == user_id
    for attempt in db.exec(
        select(EvaluationAttempt)
        .where(EvaluationAttempt.activity_id == seen.activity.id, mine)
        .order_by(col(EvaluationAttempt.number))
    ).all():
        by_user[attempt.user_id or 0].append(attempt)
    lines: list[LearnerResult] = []
    for user in _learners(db, seen.activity, seen.training.id or 0, user_id):
        attempts = by_user.get(user.id or 0, [])
        done = [a for a in attempts if a.submitted_at is not None]
        last = done[-1] if done else None
        scores = [a.score for a in done if a.score is not None]
        status = (
            "not_started" if not attempts else ("in_progress" if attempts[-1].submitted_at is None else "submitted")
        )
        lines.append(
            LearnerResult(
                user_id=user.id or 0,
                name=user.display_name,
                status=status,
                attempts=len(done),
                score=last.score if last is not None else None,
                score_text=percent_text(last.score if last is not None else None),
                best_score=max(scores) if scores else None,
                passed=last.passed if last is not None else None,
                submitted_at=paris_datetime_label(last.submitted_at) if last is not None else "",
                duration_s=last.duration_s if last is not None else None,
            )
        )
    return lines


@dataclass(frozen=True)
class ChoiceLine:
    """A choice as the trainer reads a learner's answer: right or not, ticked or not."""

    id: int
    label: str
    correct: bool
    chosen: bool


@dataclass(frozen=True)
class AnswerLine:
    """One question of a learner's attempt, with their answer and whether it was right."""

    question_id: int
    kind: str
    text: str
    choices: list[ChoiceLine]
    rows: list[str]
    answer_json: str  # the stored answer ("null" when not answered)
    correct: bool | None  # None: not graded
    points: float | None
    max_points: float


@dataclass(frozen=True)
class AttemptDetail:
    """A learner's attempt as the trainer reads it (the seed and draw included, for an audit)."""

    user_id: int
    name: str
    number: int
    score: float | None
    passed: bool | None
    started_at: str
    submitted_at: str
    duration_s: int | None
    seed: int | None
    lines: list[AnswerLine]


def learner_detail(
    db: Session, actor: Actor, activity_id: int, user_id: int, *, number: int | None = None
) -> AttemptDetail:
    """One learner's attempt (the last one by default): each question, their answer, right or not.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: The activity (not a quality evaluation: anonymous).
        user_id: A learner the activity is for.
        number: Which attempt (1 for the first); None for the last.

    Returns:
        The attempt.

    Raises:
        PlumeError: NOT_FOUND (no such learner or attempt, or an anonymous evaluation); QUESTIONNAIRE_MISSING.
    """
    seen = _overseen(db, actor, activity_id)
    if seen.activity.kind in ANONYMOUS_KINDS or not isinstance(user_id, int) or isinstance(user_id, bool):
        raise PlumeError(ErrorCode.NOT_FOUND)
    learner = next((u for u in _learners(db, seen.activity, seen.training.id or 0) if u.id == user_id), None)
    query = select(EvaluationAttempt).where(
        EvaluationAttempt.activity_id == seen.activity.id, EvaluationAttempt.user_id == user_id
    )
    if number is not None:
        query = query.where(EvaluationAttempt.number == number)
    attempt = db.exec(query.order_by(col(EvaluationAttempt.number).desc())).first()
    if learner is None or attempt is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    ids = drawn_ids(attempt)
    questions, choices = library.load_questions(db, ids)
    keys = {k.id: k for k in library.load_keys(db, ids)}
    answers = stored_answers(db, attempt.id or 0)
    graded = {
        a.question_id: a
        for a in db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempt.id)).all()
    }
    lines: list[AnswerLine] = []
    for i in ids:
        if i not in questions:
            continue
        value = answers.get(i)
        ticked = set(value) if isinstance(value, list) else {value}
        row = graded.get(i)
        lines.append(
            AnswerLine(
                question_id=i,
                kind=questions[i].kind,
                text=questions[i].text,
                choices=[
                    ChoiceLine(id=c.id or 0, label=c.label, correct=c.correct, chosen=c.id in ticked)
                    for c in choices[i]
                ],
                rows=library.rows_of(questions[i]),
                answer_json=json.dumps(value, ensure_ascii=False),
                correct=row.correct if row is not None else None,
                points=row.points if row is not None else None,
                max_points=keys[i].points if keys[i].graded else 0,
            )
        )
    return AttemptDetail(
        user_id=user_id,
        name=learner.display_name,
        number=attempt.number,
        score=attempt.score,
        passed=attempt.passed,
        started_at=paris_datetime_label(attempt.started_at),
        submitted_at=paris_datetime_label(attempt.submitted_at),
        duration_s=attempt.duration_s,
        seed=attempt.seed,
        lines=lines,
    )


@dataclass(frozen=True)
class ProgressionRow:
    """A learner's score before and after the session, on the same questionnaire."""

    user_id: int
    name: str
    before: float | None
    after: float | None
    change: float | None


def _last_scores(db: Session, activity_id: int) -> dict[int, float | None]:
    scores: dict[int, float | None] = {}
    for user_id, score in db.exec(
        select(EvaluationAttempt.user_id, EvaluationAttempt.score)
        .where(EvaluationAttempt.activity_id == activity_id, col(EvaluationAttempt.submitted_at).is_not(None))
        .order_by(col(EvaluationAttempt.number))
    ).all():
        if user_id is not None:
            scores[user_id] = score
    return scores


def progression(db: Session, actor: Actor, activity_id: int) -> list[ProgressionRow]:
    """Each learner's progression between the session's "before" and "after" uses of the same questionnaire.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: Either activity of the pair.

    Returns:
        One row per learner of the session (empty when the session has no before / after pair).

    Raises:
        PlumeError: NOT_FOUND (also for an anonymous evaluation); QUESTIONNAIRE_MISSING.
    """
    seen = _overseen(db, actor, activity_id)
    if seen.activity.kind in ANONYMOUS_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    pair = dict(
        db.exec(
            select(Use.moment, Use.activity_id)
            .join(Activity, col(Activity.id) == col(Use.activity_id))
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(
                Module.session_id == seen.training.id,
                Use.questionnaire_id == seen.questionnaire.id,
                col(Use.moment).in_(("before", "after")),
            )
            .order_by(col(Activity.id))
        ).all()
    )
    if "before" not in pair or "after" not in pair:
        return []
    before, after = _last_scores(db, pair["before"]), _last_scores(db, pair["after"])
    rows: list[ProgressionRow] = []
    for user in _learners(db, seen.activity, seen.training.id or 0):
        b, a = before.get(user.id or 0), after.get(user.id or 0)
        change = round(a - b, 2) if a is not None and b is not None else None
        rows.append(ProgressionRow(user_id=user.id or 0, name=user.display_name, before=b, after=a, change=change))
    return rows


@dataclass(frozen=True)
class QuestionSummary:
    """One question of an anonymous evaluation, summed up over every answer."""

    question_id: int
    kind: str
    text: str
    labels: list[str]  # the choices, or the scale's levels ("1" … "10")
    counts: list[int]  # answers per label (single, multiple, scale)
    rows: list[str]  # a Likert grid's rows
    grid: list[list[int]]  # a Likert grid's answers per row and level
    average: float | None  # a scale's
    average_text: str  # the same as a French reader writes it ("8,33"), "" when none
    texts: list[str]  # text and number answers, in alphabetical order (never in the order given)


@dataclass(frozen=True)
class QualityResults:
    """An anonymous evaluation's results: nothing but counts until enough learners answered."""

    answered: int
    expected: int
    shown: bool
    satisfaction: float | None  # the hot evaluation's average satisfaction (1 to 10)
    satisfaction_text: str  # the same as a French reader writes it ("8,33"), "" when none
    questions: list[QuestionSummary]


def _summary(question: Question, choices: list[Choice], values: list[object]) -> QuestionSummary:
    labels: list[str] = []
    counts: list[int] = []
    grid: list[list[int]] = []
    texts: list[str] = []
    average = None
    rows = library.rows_of(question)
    if question.kind in ("single", "multiple"):
        labels = [c.label for c in choices]
        index = {c.id: n for n, c in enumerate(choices)}
        counts = [0] * len(choices)
        for value in values:
            for chosen in value if isinstance(value, list) else [value]:
                if chosen in index:
                    counts[index[chosen]] += 1
    elif question.kind in ("scale", "likert"):
        top = question.scale_max or 0
        labels = [str(n) for n in range(1, top + 1)]
        if question.kind == "scale":
            levels = [v for v in values if isinstance(v, int) and 1 <= v <= top]
            counts = [levels.count(n) for n in range(1, top + 1)]
            average = round(sum(levels) / len(levels), 2) if levels else None
        else:
            grid = [[0] * top for _ in rows]
            for value in values:
                for r, level in enumerate(value if isinstance(value, list) else []):
                    if r < len(rows) and isinstance(level, int) and 1 <= level <= top:
                        grid[r][level - 1] += 1
    else:
        texts = sorted((str(v) for v in values if v not in (None, "")), key=str.casefold)
    return QuestionSummary(
        question_id=question.id or 0,
        kind=question.kind,
        text=question.text,
        labels=labels,
        counts=counts,
        rows=rows,
        grid=grid,
        average=average,
        average_text=decimal_text(average) if average is not None else "",
        texts=texts,
    )


def quality_results(db: Session, actor: Actor, activity_id: int) -> QualityResults:
    """An anonymous evaluation's results: distributions, average satisfaction, free texts; no name, no row per person.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        activity_id: A quality evaluation activity.

    Returns:
        The counts, and the summaries once at least `MIN_ANONYMOUS_ANSWERS` learners answered.

    Raises:
        PlumeError: NOT_FOUND (not a quality evaluation); QUESTIONNAIRE_MISSING.
    """
    seen = _overseen(db, actor, activity_id)
    if seen.activity.kind not in ANONYMOUS_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    sealed = [
        a
        for a in db.exec(
            select(EvaluationAttempt).where(
                EvaluationAttempt.activity_id == seen.activity.id,
                col(EvaluationAttempt.user_id).is_(None),
                col(EvaluationAttempt.submitted_at).is_not(None),
            )
        ).all()
    ]
    expected = len(_learners(db, seen.activity, seen.training.id or 0))
    if len(sealed) < MIN_ANONYMOUS_ANSWERS:
        return QualityResults(
            answered=len(sealed), expected=expected, shown=False, satisfaction=None, satisfaction_text="", questions=[]
        )
    order: list[int] = []
    for attempt in sealed:
        order.extend(i for i in drawn_ids(attempt) if i not in order)
    values: dict[int, list[object]] = defaultdict(list)
    for answer in db.exec(
        select(EvaluationAnswer).where(col(EvaluationAnswer.attempt_id).in_([a.id for a in sealed]))
    ).all():
        try:
            values[answer.question_id].append(json.loads(answer.value_json))
        except ValueError:
            continue
    questions, choices = library.load_questions(db, order)
    summaries = [_summary(questions[i], choices[i], values.get(i, [])) for i in order if i in questions]
    satisfaction = next((s.average for s in summaries if questions[s.question_id].system_key == SATISFACTION_KEY), None)
    return QualityResults(
        answered=len(sealed),
        expected=expected,
        shown=True,
        satisfaction=satisfaction,
        satisfaction_text=decimal_text(satisfaction) if satisfaction is not None else "",
        questions=summaries,
    )


def submitted_count(db: Session, activity_id: int) -> int:
    """How many learners submitted an activity's questionnaire (no access check: for callers' gates).

    Args:
        db: Database session.
        activity_id: The activity.

    Returns:
        The number of distinct learners.
    """
    return int(
        db.exec(
            select(func.count(func.distinct(EvaluationAttempt.user_id))).where(
                EvaluationAttempt.activity_id == activity_id, col(EvaluationAttempt.submitted_at).is_not(None)
            )
        ).one()
    )
