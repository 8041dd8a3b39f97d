"""What the library's editor reads, and the few edits it adds.

A questionnaire or a bank with its questions, the banks, the order of questions, and which
questionnaire each activity of a session uses.

The gates are `library.access_questionnaire` / `access_bank` (staff edit, trainers read) and
`access.access_session` with MANAGE for a session's uses. What is read here holds the right answers:
it is for the library's editors only, never for a learner's browser.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Activity, Module
from app.models.evaluations import Question, QuestionBank, Questionnaire, QuestionnaireUse
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import library


@dataclass(frozen=True)
class ChoiceView:
    """An answer of a choice question, as the editor shows it."""

    label: str
    correct: bool
    feedback: str


@dataclass(frozen=True)
class QuestionView:
    """A question as the editor shows it (with its right answers)."""

    id: int
    position: int
    kind: str
    text: str
    points: float
    scale_max: int
    rows: list[str]
    answer_number: str  # "" when none; as typed back in the form
    tolerance: str
    tags: str
    choices: list[ChoiceView]


@dataclass(frozen=True)
class QuestionnaireDetail:
    """A questionnaire of the library, its settings and its own questions."""

    id: int
    title: str
    description: str
    use: str
    passing_score: int
    time_limit_min: str  # "" for none; minutes as the form shows them
    attempts_limit: str
    draw_size: str
    bank_id: int
    tags: str
    frozen: bool  # learners answered it: its questions and grading stay as they are
    uses: int  # activities using it
    questions: list[QuestionView]


@dataclass(frozen=True)
class BankRow:
    """A question bank of the library list."""

    id: int
    title: str
    tags: list[str]
    questions: int


@dataclass(frozen=True)
class BankDetail:
    """A question bank and its questions."""

    id: int
    title: str
    tags: str
    questions: list[QuestionView]


@dataclass(frozen=True)
class AttachedUse:
    """The questionnaire an activity uses."""

    activity_id: int
    questionnaire_id: int
    title: str
    moment: str
    send_after_days: int


def number_text(value: float | None) -> str:
    """A number as the editor's field shows it: "2" rather than "2.0", "" for none.

    Args:
        value: The number.

    Returns:
        The text.
    """
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _views(db: Session, ids: list[int]) -> list[QuestionView]:
    questions, choices = library.load_questions(db, ids)
    return [
        QuestionView(
            id=q.id or 0,
            position=n,
            kind=q.kind,
            text=q.text,
            points=q.points,
            scale_max=q.scale_max or 0,
            rows=library.rows_of(q),
            answer_number=number_text(q.answer_number),
            tolerance=number_text(q.tolerance) if q.tolerance else "",
            tags=q.tags,
            choices=[ChoiceView(label=c.label, correct=c.correct, feedback=c.feedback) for c in choices[i]],
        )
        for n, i in enumerate(i for i in ids if i in questions)
        for q in (questions[i],)
    ]


def questionnaire_detail(db: Session, actor: Actor, questionnaire_id: object) -> QuestionnaireDetail:
    """A questionnaire with its questions, for the library's editor (staff and trainers).

    Args:
        db: Database session.
        actor: Staff or a trainer of the selected organisation.
        questionnaire_id: The questionnaire.

    Returns:
        The questionnaire.

    Raises:
        PlumeError: NOT_FOUND.
    """
    questionnaire = library.access_questionnaire(db, actor, questionnaire_id)
    qid = questionnaire.id or 0
    uses = db.exec(select(func.count()).select_from(QuestionnaireUse).where(QuestionnaireUse.questionnaire_id == qid))
    return QuestionnaireDetail(
        id=qid,
        title=questionnaire.title,
        description=questionnaire.description,
        use=questionnaire.use,
        passing_score=questionnaire.passing_score,
        time_limit_min=str(questionnaire.time_limit_s // 60) if questionnaire.time_limit_s else "",
        attempts_limit=str(questionnaire.attempts_limit or ""),
        draw_size=str(questionnaire.draw_size or ""),
        bank_id=questionnaire.bank_id or 0,
        tags=questionnaire.tags,
        frozen=library.attempted(db, qid),
        uses=uses.one(),
        questions=_views(db, library.own_question_ids(db, qid)),
    )


def list_banks(db: Session, actor: Actor) -> list[BankRow]:
    """The organisation's question banks, by title, with their question counts (staff and trainers).

    Args:
        db: Database session.
        actor: Staff or a trainer of the selected organisation.

    Returns:
        The banks.

    Raises:
        PlumeError: NOT_FOUND (neither staff nor trainer).
    """
    if actor.organisation_id is None or not actor.has_role("staff", "trainer"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    counts = (
        select(Question.bank_id, func.count().label("n"))
        .where(col(Question.bank_id).is_not(None))
        .group_by(col(Question.bank_id))
        .subquery()
    )
    rows = db.exec(
        select(QuestionBank, counts.c.n)
        .outerjoin(counts, counts.c.bank_id == col(QuestionBank.id))
        .where(QuestionBank.organisation_id == actor.organisation_id)
        .order_by(func.lower(col(QuestionBank.title)), col(QuestionBank.id))
    ).all()
    return [BankRow(id=b.id or 0, title=b.title, tags=library.tag_list(b.tags), questions=n or 0) for b, n in rows]


def bank_detail(db: Session, actor: Actor, bank_id: object) -> BankDetail:
    """A question bank with its questions (staff and trainers).

    Args:
        db: Database session.
        actor: Staff or a trainer of the selected organisation.
        bank_id: The bank.

    Returns:
        The bank.

    Raises:
        PlumeError: NOT_FOUND.
    """
    bank = library.access_bank(db, actor, bank_id)
    return BankDetail(
        id=bank.id or 0,
        title=bank.title,
        tags=bank.tags,
        questions=_views(db, library.bank_question_ids(db, bank.id or 0)),
    )


def move_question(db: Session, actor: Actor, question_id: object, step: int) -> None:
    """Move a questionnaire's question up (-1) or down (1) (staff), until learners answered it.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        question_id: The question.
        step: -1 or 1.

    Raises:
        PlumeError: NOT_FOUND; QUESTIONNAIRE_IN_USE once the questionnaire was attempted.
    """
    key = question_id if isinstance(question_id, int) and not isinstance(question_id, bool) else None
    question = db.get(Question, key) if key is not None else None
    if question is None or question.questionnaire_id is None or step not in (-1, 1):
        raise PlumeError(ErrorCode.NOT_FOUND)
    questionnaire = library.access_questionnaire(db, actor, question.questionnaire_id, for_write=True)
    if library.attempted(db, questionnaire.id or 0):
        raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
    ids = library.own_question_ids(db, questionnaire.id or 0)
    at = ids.index(question.id or 0)
    if not 0 <= at + step < len(ids):
        return
    ids[at], ids[at + step] = ids[at + step], ids[at]
    questions, _ = library.load_questions(db, ids)
    for position, qid in enumerate(ids):  # positions renumbered: older rows may share one
        questions[qid].position = position
        db.add(questions[qid])
    db.flush()


def session_uses(db: Session, actor: Actor, session_id: int) -> list[AttachedUse]:
    """Which questionnaire each evaluation activity of a session uses (staff and its trainers: MANAGE).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or one of its trainers.
        session_id: The session.

    Returns:
        The uses, one per activity that has one.

    Raises:
        PlumeError: NOT_FOUND.
    """
    training, _ = access_session(db, actor, session_id, Capability.MANAGE)
    rows = db.exec(
        select(QuestionnaireUse, Questionnaire.title)
        .join(Questionnaire, col(Questionnaire.id) == col(QuestionnaireUse.questionnaire_id))
        .join(Activity, col(Activity.id) == col(QuestionnaireUse.activity_id))
        .join(Module, col(Module.id) == col(Activity.module_id))
        .where(Module.session_id == training.id)
    ).all()
    return [
        AttachedUse(
            activity_id=use.activity_id,
            questionnaire_id=use.questionnaire_id,
            title=title,
            moment=use.moment,
            send_after_days=use.send_after_days or 0,
        )
        for use, title in rows
    ]
