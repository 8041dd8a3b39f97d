"""A questionnaire as JSON, so organisations share them: exported whole, imported whole or not at all.

The file is versioned::

    {"format": "plume.questionnaire", "version": 1,
     "questionnaire": {"title", "use", "description", "passing_score", "time_limit_s",
                       "attempts_limit", "draw_size", "tags",
                       "questions": [{"kind", "text", "points", "scale_max", "rows",
                                      "answer_number", "tolerance", "tags",
                                      "choices": [{"label", "correct", "feedback"}]}]},
     "bank": null | {"title", "tags", "questions": [...]}}

An import checks the whole file before writing anything: one bad question and nothing is created.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from app.models.evaluations import QuestionBank, Questionnaire
from app.services import audit
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations import library

FORMAT = "plume.questionnaire"
VERSION = 1
MAX_FILE_BYTES = 5_000_000
MAX_QUESTIONS = 5_000


def _question_data(db: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    questions, choices = library.load_questions(db, ids)
    return [
        {
            "kind": q.kind,
            "text": q.text,
            "points": q.points,
            "scale_max": q.scale_max,
            "rows": library.rows_of(q),
            "answer_number": q.answer_number,
            "tolerance": q.tolerance,
            "tags": library.tag_list(q.tags),
            "choices": [{"label": c.label, "correct": c.correct, "feedback": c.feedback} for c in choices[i]],
        }
        for i in ids
        if i in questions
        for q in (questions[i],)
    ]


def export_questionnaire(db: Session, actor: Actor, questionnaire_id: int) -> str:
    """A questionnaire of the library as JSON (staff and trainers), with its bank's questions if it draws from one.

    Args:
        db: Database session.
        actor: Staff or a trainer of the selected organisation.
        questionnaire_id: The questionnaire.

    Returns:
        The JSON text.

    Raises:
        PlumeError: NOT_FOUND.
    """
    questionnaire = library.access_questionnaire(db, actor, questionnaire_id)
    bank = db.get(QuestionBank, questionnaire.bank_id) if questionnaire.bank_id is not None else None
    document = {
        "format": FORMAT,
        "version": VERSION,
        "questionnaire": {
            "title": questionnaire.title,
            "use": questionnaire.use,
            "description": questionnaire.description,
            "passing_score": questionnaire.passing_score,
            "time_limit_s": questionnaire.time_limit_s,
            "attempts_limit": questionnaire.attempts_limit,
            "draw_size": questionnaire.draw_size,
            "tags": library.tag_list(questionnaire.tags),
            "questions": _question_data(db, library.own_question_ids(db, questionnaire.id or 0)),
        },
        "bank": (
            {
                "title": bank.title,
                "tags": library.tag_list(bank.tags),
                "questions": _question_data(db, library.bank_question_ids(db, bank.id or 0)),
            }
            if bank is not None
            else None
        ),
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def _questions(raw: object, *, test: bool) -> list[library.QuestionSpec]:
    if not isinstance(raw, list) or len(raw) > MAX_QUESTIONS:
        raise PlumeError(ErrorCode.IMPORT_INVALID, field="file")
    specs = []
    for item in raw:
        if not isinstance(item, Mapping):
            raise PlumeError(ErrorCode.IMPORT_INVALID, field="file")
        specs.append(library.parse_question(item, test=test))
    return specs


def _read(text: str | bytes) -> Mapping[str, Any]:
    if len(text) > MAX_FILE_BYTES:
        raise PlumeError(ErrorCode.IMPORT_INVALID, field="file")
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise PlumeError(ErrorCode.IMPORT_INVALID, field="file") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise PlumeError(ErrorCode.IMPORT_INVALID, field="file")
    if document.get("version") != VERSION:
        raise PlumeError(ErrorCode.IMPORT_VERSION, field="file")
    return document


def import_questionnaire(db: Session, actor: Actor, text: str | bytes) -> int:
    """Add a questionnaire (and its bank, if it has one) to the library from an exported file (staff).

    Everything is checked before anything is written: a bad file creates nothing.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        text: The file's content.

    Returns:
        The new questionnaire's id.

    Raises:
        PlumeError: NOT_FOUND (not staff); IMPORT_INVALID (not JSON, not a questionnaire, wrong structure);
            IMPORT_VERSION; a validation code of `library.parse_questionnaire` / `parse_question` (field "file").
    """
    if actor.organisation_id is None or not actor.has_role("staff"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    document = _read(text)
    body, bank_body = document.get("questionnaire"), document.get("bank")
    if not isinstance(body, Mapping) or not (bank_body is None or isinstance(bank_body, Mapping)):
        raise PlumeError(ErrorCode.IMPORT_INVALID, field="file")
    try:
        spec = library.parse_questionnaire(body)
        questions = _questions(body.get("questions", []), test=spec.use in library.TEST_USES)
        bank_questions = _questions(bank_body.get("questions", []), test=True) if bank_body is not None else []
        bank_title, bank_tags = library.parse_bank(bank_body) if bank_body is not None else ("", "")
    except PlumeError as error:
        raise PlumeError(error.code, field="file", **error.params) from None
    if spec.draw_size is not None and (bank_body is None or len(bank_questions) < spec.draw_size):
        raise PlumeError(ErrorCode.BANK_TOO_SMALL, field="file", size=str(spec.draw_size))
    if spec.draw_size is None and not questions:
        raise PlumeError(ErrorCode.QUESTIONNAIRE_EMPTY, field="file")
    organisation_id = actor.organisation_id
    bank_id = None
    if bank_body is not None:
        bank = QuestionBank(organisation_id=organisation_id, title=bank_title, tags=bank_tags)
        db.add(bank)
        db.flush()
        bank_id = bank.id
        for n, question in enumerate(bank_questions):
            library.write_question(db, organisation_id, question, questionnaire_id=None, bank_id=bank_id, position=n)
    questionnaire = Questionnaire(
        organisation_id=organisation_id,
        title=spec.title,
        use=spec.use,
        description=spec.description,
        passing_score=spec.passing_score,
        time_limit_s=spec.time_limit_s,
        attempts_limit=spec.attempts_limit,
        draw_size=spec.draw_size,
        bank_id=bank_id if spec.draw_size is not None else None,
        tags=spec.tags,
        created_by_id=actor.user_id,
    )
    db.add(questionnaire)
    db.flush()
    for n, question in enumerate(questions):
        library.write_question(
            db, organisation_id, question, questionnaire_id=questionnaire.id, bank_id=None, position=n
        )
    audit.record(
        db,
        "questionnaire.import",
        actor_user_id=actor.user_id,
        organisation_id=organisation_id,
        target=f"questionnaire:{questionnaire.id}",
        after={"title": spec.title, "questions": len(questions), "bank_questions": len(bank_questions)},
        ip=actor.ip,
    )
    return questionnaire.id or 0


def duplicate_questionnaire(db: Session, actor: Actor, questionnaire_id: int) -> int:
    """Copy a questionnaire within the library (staff), to change one that learners already answered.

    The copy draws from the same bank; its title says it is a copy.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        questionnaire_id: The questionnaire.

    Returns:
        The copy's id.

    Raises:
        PlumeError: NOT_FOUND.
    """
    original = library.access_questionnaire(db, actor, questionnaire_id, for_write=True)
    copy = Questionnaire(
        organisation_id=original.organisation_id,
        title=f"{original.title} (copie)"[: library.TITLE_MAX],
        use=original.use,
        description=original.description,
        passing_score=original.passing_score,
        time_limit_s=original.time_limit_s,
        attempts_limit=original.attempts_limit,
        draw_size=original.draw_size,
        bank_id=original.bank_id,
        tags=original.tags,
        created_by_id=actor.user_id,
    )
    db.add(copy)
    db.flush()
    for n, data in enumerate(_question_data(db, library.own_question_ids(db, original.id or 0))):
        spec = library.parse_question(data, test=False)
        library.write_question(db, copy.organisation_id, spec, questionnaire_id=copy.id, bank_id=None, position=n)
    audit.record(
        db,
        "questionnaire.duplicate",
        actor_user_id=actor.user_id,
        organisation_id=copy.organisation_id,
        target=f"questionnaire:{copy.id}",
        before={"questionnaire_id": original.id},
        ip=actor.ip,
    )
    return copy.id or 0
