"""The organisation's questionnaire library (`Bibliothèque de questionnaires`): questionnaires, banks, questions.

Staff of the selected organisation edit it; its trainers read it (to attach a questionnaire to
an activity). `access_questionnaire` and `access_bank` are its gates, written like
`access.access_course`: a missing object and another organisation's answer the same NOT_FOUND.

Once a learner has answered, what is graded stays fixed: a questionnaire with attempts keeps its
questions and grading settings (duplicate it to change them), and a bank's question that was
answered can no longer be edited or deleted (nor its bank, nor a bank a questionnaire draws from), so every
stored attempt still reads as it was taken.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from app.models.base import utcnow
from app.models.evaluations import (
    EVALUATION_KINDS,
    QUESTION_KINDS,
    SATISFACTION_KEY,
    SCALE_MAXIMA,
    Choice,
    EvaluationAnswer,
    EvaluationAttempt,
    Question,
    QuestionBank,
    Questionnaire,
    QuestionnaireUse,
)
from app.services import audit
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations.grading import Key

TEST_USES = ("diagnostic", "certification", "quiz")  # their choice questions need a right answer
TITLE_MAX = 200
DESCRIPTION_MAX = 4000
QUESTION_TEXT_MAX = 2000
CHOICE_LABEL_MAX = 500
FEEDBACK_MAX = 1000
TAGS_MAX = 300
MAX_CHOICES = 20
MAX_ROWS = 30
MAX_POINTS = 100
MAX_TIME_LIMIT_S = 24 * 3600
MAX_ATTEMPTS = 100
MAX_DRAW = 500
SATISFACTION_TEXT = "Sur une échelle de 1 à 10, quel est votre niveau de satisfaction générale de cette formation ?"


@dataclass(frozen=True)
class ChoiceSpec:
    """A validated answer of a choice question."""

    label: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    """A validated question, as the editor and an imported file give it."""

    kind: str
    text: str
    points: float = 1
    scale_max: int | None = None
    rows: tuple[str, ...] = ()
    answer_number: float | None = None
    tolerance: float = 0
    tags: str = ""
    choices: tuple[ChoiceSpec, ...] = ()


@dataclass(frozen=True)
class QuestionnaireSpec:
    """A questionnaire's validated settings."""

    title: str
    use: str
    description: str = ""
    passing_score: int = 50
    time_limit_s: int | None = None
    attempts_limit: int | None = None
    draw_size: int | None = None
    tags: str = ""


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(data: Mapping[str, object], name: str, limit: int, *, required: ErrorCode | None = None) -> str:
    value = data.get(name, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field=name)
    text = value.strip()
    if required is not None and not text:
        raise PlumeError(required, field=name)
    if len(text) > limit:
        raise PlumeError(ErrorCode.TEXT_TOO_LONG, field=name, max=f"{limit:,}".replace(",", "\u202f"))
    return text


def _whole(data: Mapping[str, object], name: str, low: int, high: int, *, default: int | None) -> int | None:
    """An optional whole number (an int, or digits as typed); empty gives the default."""
    value = data.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    number = _id(value)
    if number is None or not low <= number <= high:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field=name, low=str(low), high=str(high))
    return number


def _real(data: Mapping[str, object], name: str, *, default: float | None) -> float | None:
    value = data.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            raise PlumeError(ErrorCode.NUMBER_INVALID, field=name) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > 1e12:
        raise PlumeError(ErrorCode.NUMBER_INVALID, field=name)
    return float(value)


def _tags(data: Mapping[str, object]) -> str:
    raw = data.get("tags", "")
    if isinstance(raw, list):
        if not all(isinstance(t, str) for t in raw):
            raise PlumeError(ErrorCode.INVALID_INPUT, field="tags")
        raw = ",".join(str(t) for t in raw)
    text = _str({"tags": raw}, "tags", TAGS_MAX)
    return ", ".join(dict.fromkeys(t.strip().lower() for t in text.split(",") if t.strip()))


def tag_list(tags: str) -> list[str]:
    """A stored tags field as a list.

    Args:
        tags: Comma-separated tags.

    Returns:
        The tags, in order.
    """
    return [t.strip() for t in tags.split(",") if t.strip()]


def parse_questionnaire(data: Mapping[str, object]) -> QuestionnaireSpec:
    """Validate a questionnaire's settings as the editor or a file gives them.

    Args:
        data: title, use, description, passing_score, time_limit_s, attempts_limit, draw_size, tags.

    Returns:
        The settings.

    Raises:
        PlumeError: TITLE_REQUIRED, TEXT_TOO_LONG, QUESTIONNAIRE_KIND, NUMBER_RANGE or INVALID_INPUT, with its field.
    """
    if not isinstance(data, Mapping):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    title = _str(data, "title", TITLE_MAX, required=ErrorCode.TITLE_REQUIRED)
    use = data.get("use")
    if use not in EVALUATION_KINDS:
        raise PlumeError(ErrorCode.QUESTIONNAIRE_KIND, field="use")
    return QuestionnaireSpec(
        title=title,
        use=str(use),
        description=_str(data, "description", DESCRIPTION_MAX),
        passing_score=_whole(data, "passing_score", 0, 100, default=50) or 0,
        time_limit_s=_whole(data, "time_limit_s", 60, MAX_TIME_LIMIT_S, default=None),
        attempts_limit=_whole(data, "attempts_limit", 1, MAX_ATTEMPTS, default=None),
        draw_size=_whole(data, "draw_size", 1, MAX_DRAW, default=None),
        tags=_tags(data),
    )


def _choices(data: Mapping[str, object], kind: str, test: bool) -> tuple[ChoiceSpec, ...]:
    raw = data.get("choices", [])
    if not isinstance(raw, list) or len(raw) > MAX_CHOICES:
        raise PlumeError(ErrorCode.QUESTION_CHOICES, field="choices")
    if kind not in ("single", "multiple"):
        if raw:
            raise PlumeError(ErrorCode.QUESTION_CHOICES, field="choices")
        return ()
    found: list[ChoiceSpec] = []
    for item in raw:
        if not isinstance(item, Mapping) or not isinstance(item.get("correct", False), bool):
            raise PlumeError(ErrorCode.QUESTION_CHOICES, field="choices")
        label = _str(item, "label", CHOICE_LABEL_MAX)
        if not label:
            raise PlumeError(ErrorCode.QUESTION_CHOICES, field="choices")
        found.append(
            ChoiceSpec(label=label, correct=bool(item.get("correct")), feedback=_str(item, "feedback", FEEDBACK_MAX))
        )
    if len(found) < 2:  # a choice between fewer than two answers is no choice
        raise PlumeError(ErrorCode.QUESTION_CHOICES, field="choices")
    right = sum(c.correct for c in found)
    if (kind == "single" and right > 1) or (test and right == 0):
        raise PlumeError(ErrorCode.QUESTION_CORRECT, field="choices")
    return tuple(found)


def parse_question(data: Mapping[str, object], *, test: bool) -> QuestionSpec:
    """Validate a question as the editor or a file gives it.

    Args:
        data: kind, text, points, scale_max, rows, answer_number, tolerance, tags, choices
            (each with label, correct, feedback).
        test: Whether it belongs to a test (diagnostic, certification, quiz, a bank): then a choice
            question needs its right answer(s).

    Returns:
        The question.

    Raises:
        PlumeError: QUESTION_KIND, QUESTION_TEXT_REQUIRED, QUESTION_CHOICES, QUESTION_CORRECT, QUESTION_SCALE,
            QUESTION_ROWS, NUMBER_RANGE, NUMBER_INVALID, TEXT_TOO_LONG or INVALID_INPUT, with its field.
    """
    if not isinstance(data, Mapping):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    kind = data.get("kind")
    if kind not in QUESTION_KINDS:
        raise PlumeError(ErrorCode.QUESTION_KIND, field="kind")
    kind = str(kind)
    text = _str(data, "text", QUESTION_TEXT_MAX, required=ErrorCode.QUESTION_TEXT_REQUIRED)
    scale_max = None
    rows: tuple[str, ...] = ()
    if kind in ("scale", "likert"):
        scale_max = _id(data.get("scale_max"))
        if scale_max not in SCALE_MAXIMA:
            raise PlumeError(ErrorCode.QUESTION_SCALE, field="scale_max")
    if kind == "likert":
        raw_rows = data.get("rows")
        if not isinstance(raw_rows, list) or not 1 <= len(raw_rows) <= MAX_ROWS:
            raise PlumeError(ErrorCode.QUESTION_ROWS, field="rows")
        rows = tuple(_str({"row": r}, "row", CHOICE_LABEL_MAX) if isinstance(r, str) else "" for r in raw_rows)
        if not all(rows):
            raise PlumeError(ErrorCode.QUESTION_ROWS, field="rows")
    answer = _real(data, "answer_number", default=None) if kind == "number" else None
    if kind == "number" and test and answer is None:
        raise PlumeError(ErrorCode.QUESTION_CORRECT, field="answer_number")
    tolerance = _real(data, "tolerance", default=0) if kind == "number" else 0
    if tolerance is None or tolerance < 0:
        raise PlumeError(ErrorCode.NUMBER_INVALID, field="tolerance")
    points = _real(data, "points", default=1)
    if points is None or not 0 <= points <= MAX_POINTS:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="points", low="0", high=str(MAX_POINTS))
    return QuestionSpec(
        kind=kind,
        text=text,
        points=points,
        scale_max=scale_max,
        rows=rows,
        answer_number=answer,
        tolerance=tolerance,
        tags=_tags(data),
        choices=_choices(data, kind, test),
    )


def _reads_library(actor: Actor) -> bool:
    return actor.organisation_id is not None and actor.has_role("staff", "trainer")


def _edits_library(actor: Actor) -> bool:
    return actor.organisation_id is not None and actor.has_role("staff")


def access_questionnaire(
    db: Session, actor: Actor, questionnaire_id: object, *, for_write: bool = False
) -> Questionnaire:
    """The library's gate: a questionnaire of the selected organisation, for its staff (write) or trainers (read).

    Args:
        db: Database session.
        actor: The signed-in actor.
        questionnaire_id: The questionnaire.
        for_write: Whether the caller changes it (staff only).

    Returns:
        The questionnaire.

    Raises:
        PlumeError: NOT_FOUND for a missing questionnaire and a forbidden one alike.
    """
    allowed = _edits_library(actor) if for_write else _reads_library(actor)
    key = _id(questionnaire_id)
    questionnaire = db.get(Questionnaire, key) if key is not None and allowed else None
    if questionnaire is None or questionnaire.organisation_id != actor.organisation_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return questionnaire


def access_bank(db: Session, actor: Actor, bank_id: object, *, for_write: bool = False) -> QuestionBank:
    """The gate of a question bank: like `access_questionnaire`.

    Args:
        db: Database session.
        actor: The signed-in actor.
        bank_id: The bank.
        for_write: Whether the caller changes it (staff only).

    Returns:
        The bank.

    Raises:
        PlumeError: NOT_FOUND for a missing bank and a forbidden one alike.
    """
    allowed = _edits_library(actor) if for_write else _reads_library(actor)
    key = _id(bank_id)
    bank = db.get(QuestionBank, key) if key is not None and allowed else None
    if bank is None or bank.organisation_id != actor.organisation_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return bank


def attempted(db: Session, questionnaire_id: int) -> bool:
    """Whether any learner has started the questionnaire (then its questions and grading stay as they are).

    Args:
        db: Database session.
        questionnaire_id: The questionnaire.

    Returns:
        True once an attempt exists.
    """
    return (
        db.exec(select(EvaluationAttempt.id).where(EvaluationAttempt.questionnaire_id == questionnaire_id)).first()
        is not None
    )


def _organisation(actor: Actor) -> int:
    if actor.organisation_id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return actor.organisation_id


def _check_bank_for(db: Session, actor: Actor, spec: QuestionnaireSpec, bank_id: object) -> int | None:
    if spec.draw_size is None:
        return None
    bank = access_bank(db, actor, bank_id, for_write=True)
    return bank.id


def _apply(questionnaire: Questionnaire, spec: QuestionnaireSpec, bank_id: int | None) -> None:
    questionnaire.title, questionnaire.description, questionnaire.use = spec.title, spec.description, spec.use
    questionnaire.passing_score, questionnaire.time_limit_s = spec.passing_score, spec.time_limit_s
    questionnaire.attempts_limit, questionnaire.draw_size = spec.attempts_limit, spec.draw_size
    questionnaire.bank_id, questionnaire.tags, questionnaire.updated_at = bank_id, spec.tags, utcnow()


def _snapshot(questionnaire: Questionnaire) -> dict[str, object]:
    return {
        "title": questionnaire.title,
        "use": questionnaire.use,
        "passing_score": questionnaire.passing_score,
        "time_limit_s": questionnaire.time_limit_s,
        "attempts_limit": questionnaire.attempts_limit,
        "draw_size": questionnaire.draw_size,
        "bank_id": questionnaire.bank_id,
    }


def create_questionnaire(db: Session, actor: Actor, data: Mapping[str, object], *, bank_id: object = None) -> int:
    """Add a questionnaire to the organisation's library (staff).

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        data: Its settings (see `parse_questionnaire`).
        bank_id: The bank a certification draws `draw_size` questions from (required with a draw size).

    Returns:
        The new questionnaire's id.

    Raises:
        PlumeError: NOT_FOUND (not staff, or a bank not theirs); a validation code (see `parse_questionnaire`).
    """
    if not _edits_library(actor):
        raise PlumeError(ErrorCode.NOT_FOUND)
    spec = parse_questionnaire(data)
    questionnaire = Questionnaire(
        organisation_id=_organisation(actor), title=spec.title, use=spec.use, created_by_id=actor.user_id
    )
    _apply(questionnaire, spec, _check_bank_for(db, actor, spec, bank_id))
    db.add(questionnaire)
    db.flush()
    audit.record(
        db,
        "questionnaire.create",
        actor_user_id=actor.user_id,
        organisation_id=questionnaire.organisation_id,
        target=f"questionnaire:{questionnaire.id}",
        after=_snapshot(questionnaire),
        ip=actor.ip,
    )
    return questionnaire.id or 0


def update_questionnaire(
    db: Session, actor: Actor, questionnaire_id: int, data: Mapping[str, object], *, bank_id: object = None
) -> None:
    """Change a questionnaire's settings (staff); once attempted, only its title, description and tags.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        questionnaire_id: The questionnaire.
        data: Its settings (see `parse_questionnaire`).
        bank_id: The bank to draw from, with a draw size.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_IN_USE for a grading change once attempted; a validation code.
    """
    questionnaire = access_questionnaire(db, actor, questionnaire_id, for_write=True)
    spec = parse_questionnaire(data)
    bank = _check_bank_for(db, actor, spec, bank_id)
    before = _snapshot(questionnaire)
    grading = (spec.use, spec.passing_score, spec.time_limit_s, spec.attempts_limit, spec.draw_size, bank)
    kept = (
        questionnaire.use,
        questionnaire.passing_score,
        questionnaire.time_limit_s,
        questionnaire.attempts_limit,
        questionnaire.draw_size,
        questionnaire.bank_id,
    )
    if grading != kept and attempted(db, questionnaire.id or 0):
        raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
    _apply(questionnaire, spec, bank)
    db.add(questionnaire)
    audit.record(
        db,
        "questionnaire.update",
        actor_user_id=actor.user_id,
        organisation_id=questionnaire.organisation_id,
        target=f"questionnaire:{questionnaire.id}",
        before=before,
        after=_snapshot(questionnaire),
        ip=actor.ip,
    )


def delete_questionnaire(db: Session, actor: Actor, questionnaire_id: int) -> None:
    """Remove a questionnaire no activity uses and nobody answered (staff), with its questions.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        questionnaire_id: The questionnaire.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_IN_USE while an activity uses it or once attempted.
    """
    questionnaire = access_questionnaire(db, actor, questionnaire_id, for_write=True)
    used = db.exec(select(QuestionnaireUse.id).where(QuestionnaireUse.questionnaire_id == questionnaire.id)).first()
    if used is not None or attempted(db, questionnaire.id or 0):
        raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
    question_ids = list(db.exec(select(Question.id).where(Question.questionnaire_id == questionnaire.id)).all())
    db.exec(delete(Choice).where(col(Choice.question_id).in_(question_ids)))
    db.exec(delete(Question).where(col(Question.questionnaire_id) == questionnaire.id))
    audit.record(
        db,
        "questionnaire.delete",
        actor_user_id=actor.user_id,
        organisation_id=questionnaire.organisation_id,
        target=f"questionnaire:{questionnaire.id}",
        before=_snapshot(questionnaire),
        ip=actor.ip,
    )
    db.delete(questionnaire)
    db.flush()


def parse_bank(data: Mapping[str, object]) -> tuple[str, str]:
    """Validate a bank's title and tags.

    Args:
        data: title, tags.

    Returns:
        The title and the tags, cleaned.

    Raises:
        PlumeError: TITLE_REQUIRED, TEXT_TOO_LONG or INVALID_INPUT.
    """
    return _str(data, "title", TITLE_MAX, required=ErrorCode.TITLE_REQUIRED), _tags(data)


def create_bank(db: Session, actor: Actor, title: object, tags: object = "") -> int:
    """Add a question bank to the organisation's library (staff).

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        title: Its title.
        tags: Its tags, comma-separated.

    Returns:
        The new bank's id.

    Raises:
        PlumeError: NOT_FOUND (not staff); TITLE_REQUIRED, TEXT_TOO_LONG or INVALID_INPUT.
    """
    if not _edits_library(actor):
        raise PlumeError(ErrorCode.NOT_FOUND)
    clean_title, clean_tags = parse_bank({"title": title, "tags": tags})
    bank = QuestionBank(organisation_id=_organisation(actor), title=clean_title, tags=clean_tags)
    db.add(bank)
    db.flush()
    return bank.id or 0


def update_bank(db: Session, actor: Actor, bank_id: object, title: object, tags: object = "") -> None:
    """Rename a question bank and change its tags (staff).

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        bank_id: The bank.
        title: Its new title.
        tags: Its new tags, comma-separated.

    Raises:
        PlumeError: NOT_FOUND; TITLE_REQUIRED, TEXT_TOO_LONG or INVALID_INPUT, with its field.
    """
    bank = access_bank(db, actor, bank_id, for_write=True)
    bank.title, bank.tags = parse_bank({"title": title, "tags": tags})
    db.add(bank)
    db.flush()


def _check_bank_deletable(db: Session, bank: QuestionBank) -> None:
    """Refuse to delete a bank a questionnaire draws from, or whose questions a candidate answered.

    A questionnaire keeps its bank once attempted, so these two checks also keep every stored draw
    (`EvaluationAttempt.question_ids_json`) replayable for an audit.

    Args:
        db: Database session.
        bank: The bank, through `access_bank`.

    Raises:
        PlumeError: BANK_IN_USE (with the questionnaire's title) or BANK_ANSWERED.
    """
    drawing = db.exec(
        select(Questionnaire.title).where(Questionnaire.bank_id == bank.id).order_by(col(Questionnaire.id))
    ).first()
    if drawing is not None:
        raise PlumeError(ErrorCode.BANK_IN_USE, title=drawing)
    answered = db.exec(
        select(EvaluationAnswer.id)
        .join(Question, col(Question.id) == col(EvaluationAnswer.question_id))
        .where(Question.bank_id == bank.id)
    ).first()
    if answered is not None:
        raise PlumeError(ErrorCode.BANK_ANSWERED)


def delete_bank(db: Session, actor: Actor, bank_id: object) -> None:
    """Remove a question bank with its questions and their answers offered (staff), while nothing uses it.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        bank_id: The bank.

    Raises:
        PlumeError: NOT_FOUND; BANK_IN_USE while a questionnaire draws from it; BANK_ANSWERED once a
            candidate answered one of its questions.
    """
    bank = access_bank(db, actor, bank_id, for_write=True)
    _check_bank_deletable(db, bank)
    question_ids = bank_question_ids(db, bank.id or 0)
    db.exec(delete(Choice).where(col(Choice.question_id).in_(question_ids)))
    db.exec(delete(Question).where(col(Question.bank_id) == bank.id))
    db.delete(bank)
    db.flush()


def write_question(
    db: Session,
    organisation_id: int,
    spec: QuestionSpec,
    *,
    questionnaire_id: int | None,
    bank_id: int | None,
    position: int,
) -> Question:
    """Write a validated question (no access check: for `add_question` and an import, after their gate).

    Args:
        db: Database session.
        organisation_id: The organisation.
        spec: The question, validated.
        questionnaire_id: Its questionnaire, or None for a bank's question.
        bank_id: Its bank, or None.
        position: Its rank.

    Returns:
        The question (flushed, with its choices).
    """
    question = Question(
        organisation_id=organisation_id,
        questionnaire_id=questionnaire_id,
        bank_id=bank_id,
        position=position,
        kind=spec.kind,
        text=spec.text,
    )
    _store_question(db, question, spec, fresh=True)
    return question


def _store_question(db: Session, question: Question, spec: QuestionSpec, *, fresh: bool = False) -> None:
    question.kind, question.text, question.points = spec.kind, spec.text, spec.points
    question.scale_max, question.rows_json = spec.scale_max, json.dumps(list(spec.rows), ensure_ascii=False)
    question.answer_number, question.tolerance, question.tags = spec.answer_number, spec.tolerance, spec.tags
    db.add(question)
    db.flush()
    if not fresh:
        db.exec(delete(Choice).where(col(Choice.question_id) == question.id))
    db.add_all(
        Choice(question_id=question.id or 0, position=i, label=c.label, correct=c.correct, feedback=c.feedback)
        for i, c in enumerate(spec.choices)
    )


def _next_position(db: Session, questionnaire_id: int | None, bank_id: int | None) -> int:
    where = (
        col(Question.questionnaire_id) == questionnaire_id
        if questionnaire_id is not None
        else col(Question.bank_id) == bank_id
    )
    last = db.exec(select(func.max(Question.position)).where(where)).one()
    return (last if isinstance(last, int) else -1) + 1


def add_question(
    db: Session,
    actor: Actor,
    data: Mapping[str, object],
    *,
    questionnaire_id: object = None,
    bank_id: object = None,
) -> int:
    """Add a question at the end of a questionnaire, or to a bank (staff).

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        data: The question (see `parse_question`).
        questionnaire_id: The questionnaire (or None, with a bank).
        bank_id: The bank (or None, with a questionnaire).

    Returns:
        The new question's id.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_IN_USE for a questionnaire already attempted; a validation code.
    """
    if (questionnaire_id is None) == (bank_id is None):
        raise PlumeError(ErrorCode.NOT_FOUND)
    if questionnaire_id is not None:
        questionnaire = access_questionnaire(db, actor, questionnaire_id, for_write=True)
        if attempted(db, questionnaire.id or 0):
            raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
        owner, bank, test = questionnaire.id, None, questionnaire.use in TEST_USES
    else:
        owner, bank, test = None, access_bank(db, actor, bank_id, for_write=True).id, True
    spec = parse_question(data, test=test)
    position = _next_position(db, owner, bank)
    question = write_question(db, _organisation(actor), spec, questionnaire_id=owner, bank_id=bank, position=position)
    return question.id or 0


def _editable_question(db: Session, actor: Actor, question_id: object) -> tuple[Question, bool]:
    """A question the actor may change, and whether it belongs to a test; NOT_FOUND or QUESTIONNAIRE_IN_USE."""
    key = _id(question_id)
    question = db.get(Question, key) if key is not None else None
    if question is None or question.system_key:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if question.questionnaire_id is not None:
        questionnaire = access_questionnaire(db, actor, question.questionnaire_id, for_write=True)
        if attempted(db, questionnaire.id or 0):
            raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
        return question, questionnaire.use in TEST_USES
    access_bank(db, actor, question.bank_id, for_write=True)
    answered = db.exec(select(EvaluationAnswer.id).where(EvaluationAnswer.question_id == question.id)).first()
    if answered is not None:
        raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
    return question, True


def update_question(db: Session, actor: Actor, question_id: int, data: Mapping[str, object]) -> None:
    """Change a question (staff), until a learner answered it.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        question_id: The question.
        data: The question (see `parse_question`).

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_IN_USE; a validation code.
    """
    question, test = _editable_question(db, actor, question_id)
    _store_question(db, question, parse_question(data, test=test))


def delete_question(db: Session, actor: Actor, question_id: int) -> None:
    """Remove a question (staff), until a learner answered it.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        question_id: The question.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_IN_USE.
    """
    question, _ = _editable_question(db, actor, question_id)
    db.exec(delete(Choice).where(col(Choice.question_id) == question.id))
    db.delete(question)
    db.flush()


@dataclass(frozen=True)
class QuestionnaireRow:
    """One questionnaire of the library list."""

    id: int
    title: str
    use: str
    tags: list[str]
    questions: int
    draw_size: int | None


def list_questionnaires(db: Session, actor: Actor, *, use: str = "") -> list[QuestionnaireRow]:
    """The organisation's library, by title (staff and trainers).

    Args:
        db: Database session.
        actor: Staff or a trainer of the selected organisation.
        use: Only the questionnaires for this kind ("" for all).

    Returns:
        The questionnaires with their counts of own questions.

    Raises:
        PlumeError: NOT_FOUND (neither staff nor trainer); INVALID_INPUT for an unknown use.
    """
    if not _reads_library(actor):
        raise PlumeError(ErrorCode.NOT_FOUND)
    if use and use not in EVALUATION_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    counts = (
        select(Question.questionnaire_id, func.count().label("n"))
        .where(col(Question.questionnaire_id).is_not(None))
        .group_by(col(Question.questionnaire_id))
        .subquery()
    )
    query = (
        select(Questionnaire, counts.c.n)
        .outerjoin(counts, counts.c.questionnaire_id == col(Questionnaire.id))
        .where(Questionnaire.organisation_id == actor.organisation_id)
        .order_by(func.lower(col(Questionnaire.title)), col(Questionnaire.id))
    )
    if use:
        query = query.where(Questionnaire.use == use)
    return [
        QuestionnaireRow(
            id=q.id or 0, title=q.title, use=q.use, tags=tag_list(q.tags), questions=n or 0, draw_size=q.draw_size
        )
        for q, n in db.exec(query).all()
    ]


def own_question_ids(db: Session, questionnaire_id: int) -> list[int]:
    """A questionnaire's own questions, in order.

    Args:
        db: Database session.
        questionnaire_id: The questionnaire.

    Returns:
        Their ids.
    """
    ids = db.exec(
        select(Question.id)
        .where(Question.questionnaire_id == questionnaire_id)
        .order_by(col(Question.position), col(Question.id))
    ).all()
    return [i for i in ids if i is not None]


def bank_question_ids(db: Session, bank_id: int) -> list[int]:
    """A bank's questions (the pool a certification draws from).

    Args:
        db: Database session.
        bank_id: The bank.

    Returns:
        Their ids, ascending.
    """
    ids = db.exec(select(Question.id).where(Question.bank_id == bank_id).order_by(col(Question.id))).all()
    return [i for i in ids if i is not None]


def load_questions(db: Session, ids: Sequence[int]) -> tuple[dict[int, Question], dict[int, list[Choice]]]:
    """Questions and their choices, in two queries whatever their number.

    Args:
        db: Database session.
        ids: The questions.

    Returns:
        Question id → question, and question id → its choices in order.
    """
    wanted = sorted(set(ids))
    if not wanted:
        return {}, {}
    questions = {q.id or 0: q for q in db.exec(select(Question).where(col(Question.id).in_(wanted))).all()}
    choices: dict[int, list[Choice]] = {i: [] for i in questions}
    for choice in db.exec(
        select(Choice).where(col(Choice.question_id).in_(wanted)).order_by(col(Choice.position), col(Choice.id))
    ).all():
        choices[choice.question_id].append(choice)
    return questions, choices


def rows_of(question: Question) -> list[str]:
    """A Likert grid's rows.

    Args:
        question: The question.

    Returns:
        Its rows (empty for other kinds).
    """
    try:
        rows = json.loads(question.rows_json or "[]")
    except ValueError:
        return []
    return [r for r in rows if isinstance(r, str)] if isinstance(rows, list) else []


def key_of(question: Question, choices: Iterable[Choice]) -> Key:
    """A question's answer key, for grading.

    Args:
        question: The question.
        choices: Its choices.

    Returns:
        The key.
    """
    listed = list(choices)
    return Key(
        id=question.id or 0,
        kind=question.kind,
        points=question.points,
        choice_ids=tuple(c.id or 0 for c in listed),
        correct=frozenset(c.id or 0 for c in listed if c.correct),
        answer_number=question.answer_number,
        tolerance=question.tolerance,
        scale_max=question.scale_max,
        rows=len(rows_of(question)),
    )


def load_keys(db: Session, ids: Sequence[int]) -> list[Key]:
    """The answer keys of some questions, in the order given (missing questions left out).

    Args:
        db: Database session.
        ids: The questions, in the order asked.

    Returns:
        Their keys.
    """
    questions, choices = load_questions(db, ids)
    return [key_of(questions[i], choices[i]) for i in ids if i in questions]


def satisfaction_question(db: Session, organisation_id: int) -> Question:
    """The organisation's "satisfaction générale 1 à 10" question, the first of every hot evaluation.

    Created on first use; its answers are those of every hot evaluation of the organisation.

    Args:
        db: Database session.
        organisation_id: The organisation.

    Returns:
        The question.
    """
    found = db.exec(
        select(Question)
        .where(Question.organisation_id == organisation_id, Question.system_key == SATISFACTION_KEY)
        .order_by(col(Question.id))
    ).first()
    if found is not None:
        return found
    question = Question(
        organisation_id=organisation_id,
        system_key=SATISFACTION_KEY,
        kind="scale",
        text=SATISFACTION_TEXT,
        scale_max=10,
        points=0,
    )
    db.add(question)
    db.flush()
    return question
