"""A questionnaire attached to an activity of the demo's SST session (no other server test uses it).

Written straight into the running server's database, as the library's editor would leave it: a few
questions of every type, right answers and feedback that must never reach a learner's browser.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, SQLModel, col, delete, select

from app.models import Activity, Enrolment, Membership, Module, TrainingSession, User
from app.models.evaluations import (
    Choice,
    EvaluationAnswer,
    EvaluationAttempt,
    Question,
    QuestionBank,
    Questionnaire,
    QuestionnaireUse,
)

SST = "SST — formation initiale"
TRAINER = "trainer@demo.plume.test"
SECRET_FEEDBACK = "RETOUR-SECRET-DE-LA-MAUVAISE-REPONSE"
RIGHT_FEEDBACK = "Oui : protéger, alerter, secourir."
WRONG_LABEL = "Secourir d'abord, protéger ensuite"
RIGHT_LABEL = "Protéger, alerter, secourir"


@dataclass(frozen=True)
class Attached:
    """What a test needs of the attached questionnaire."""

    session_id: int
    activity_id: int
    single_id: int
    right_choice: int
    wrong_choice: int
    multiple_id: int
    scale_id: int
    text_id: int
    number_id: int


def sst_session(db: Session) -> TrainingSession:
    """The demo's SST session."""
    return db.exec(select(TrainingSession).where(TrainingSession.title == SST)).one()


def learner_emails(db: Session, session_id: int) -> list[str]:
    """The session's learners' addresses, by address."""
    return sorted(
        db.exec(
            select(User.email)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == session_id)
        ).all()
    )


def add_activity(db: Session, kind: str, title: str) -> tuple[int, int]:
    """A new activity of the SST session's first module (always open).

    Returns:
        The session and the activity.
    """
    training = sst_session(db)
    module = db.exec(select(Module).where(Module.session_id == training.id).order_by(col(Module.position))).first()
    assert module is not None
    module.opening_rule = "always"
    activity = Activity(module_id=module.id or 0, kind=kind, title=title, position=90)
    db.add_all([module, activity])
    db.flush()
    return training.id or 0, activity.id or 0


def attach(
    db: Session,
    kind: str,
    title: str,
    *,
    time_limit_s: int | None = None,
    attempts_limit: int | None = None,
    moment: str = "",
) -> Attached:
    """A new activity of `kind` using a new questionnaire of five questions (single, multiple, scale, text, number).

    `moment="hot"` makes a quality evaluation the end-of-session one (the satisfaction question first).
    """
    session_id, activity_id = add_activity(db, kind, title)
    organisation_id = sst_session(db).organisation_id
    questionnaire = Questionnaire(
        organisation_id=organisation_id,
        title=f"Questionnaire — {title}",
        description="Cinq questions pour faire le point.",
        use=kind,
        passing_score=60,
        time_limit_s=time_limit_s,
        attempts_limit=attempts_limit,
    )
    db.add(questionnaire)
    db.flush()

    def question(position: int, kind_: str, text: str, **extra: object) -> Question:
        row = Question(
            organisation_id=organisation_id,
            questionnaire_id=questionnaire.id,
            position=position,
            kind=kind_,
            text=text,
            **extra,  # type: ignore[arg-type]  # the model's own fields
        )
        db.add(row)
        db.flush()
        return row

    single = question(0, "single", "Dans quel ordre intervenir face à un accident ?")
    right = Choice(question_id=single.id or 0, position=0, label=RIGHT_LABEL, correct=True, feedback=RIGHT_FEEDBACK)
    wrong = Choice(question_id=single.id or 0, position=1, label=WRONG_LABEL, feedback=SECRET_FEEDBACK)
    other = Choice(question_id=single.id or 0, position=2, label="Alerter, puis attendre", feedback=SECRET_FEEDBACK)
    multiple = question(1, "multiple", "Quels numéros d'urgence sont valables en France ?")
    db.add_all(
        [
            right,
            wrong,
            other,
            Choice(question_id=multiple.id or 0, position=0, label="15", correct=True),
            Choice(question_id=multiple.id or 0, position=1, label="112", correct=True),
            Choice(question_id=multiple.id or 0, position=2, label="36 15", feedback=SECRET_FEEDBACK),
        ]
    )
    scale = question(2, "scale", "Vous sentez-vous prêt à intervenir ?", scale_max=5, points=0)
    text = question(3, "short_text", "Qu'attendez-vous de la formation ?", points=0)
    number = question(4, "number", "Combien de compressions thoraciques par minute (minimum) ?", answer_number=100)
    db.flush()
    db.add(QuestionnaireUse(activity_id=activity_id, questionnaire_id=questionnaire.id or 0, moment=moment))
    activity = db.get(Activity, activity_id)
    assert activity is not None
    activity.settings_json = json.dumps({"passing_score": 60})
    db.add(activity)
    db.commit()
    return Attached(
        session_id=session_id,
        activity_id=activity_id,
        single_id=single.id or 0,
        right_choice=right.id or 0,
        wrong_choice=wrong.id or 0,
        multiple_id=multiple.id or 0,
        scale_id=scale.id or 0,
        text_id=text.id or 0,
        number_id=number.id or 0,
    )


@dataclass(frozen=True)
class Drawn:
    """A certification drawing `size` questions from a bank of single choice questions."""

    session_id: int
    activity_id: int
    bank_ids: list[int]  # every question of the bank, drawn or not
    right: dict[int, int]  # question → its right choice


def attach_draw(db: Session, title: str, *, pool: int = 6, size: int = 3) -> Drawn:
    """A new certification drawing `size` of a new bank's `pool` questions for each attempt."""
    session_id, activity_id = add_activity(db, "certification", title)
    organisation_id = sst_session(db).organisation_id
    bank = QuestionBank(organisation_id=organisation_id, title=f"Banque — {title}")
    db.add(bank)
    db.flush()
    questionnaire = Questionnaire(
        organisation_id=organisation_id,
        title=f"Questionnaire — {title}",
        use="certification",
        passing_score=60,
        draw_size=size,
        bank_id=bank.id,
    )
    db.add(questionnaire)
    db.flush()
    right: dict[int, int] = {}
    for n in range(pool):
        question = Question(
            organisation_id=organisation_id, bank_id=bank.id, position=n, kind="single", text=f"Question de banque {n}"
        )
        db.add(question)
        db.flush()
        good = Choice(question_id=question.id or 0, position=0, label=f"Bonne {n}", correct=True)
        db.add_all([good, Choice(question_id=question.id or 0, position=1, label=f"Mauvaise {n}")])
        db.flush()
        right[question.id or 0] = good.id or 0
    db.add(QuestionnaireUse(activity_id=activity_id, questionnaire_id=questionnaire.id or 0))
    db.commit()
    return Drawn(session_id=session_id, activity_id=activity_id, bank_ids=list(right), right=right)


def new_learner(db: Session, tag: str) -> str:
    """A new learner enrolled in the SST session, with the demo password: the demo's learners stay as other tests
    expect them. Their address sorts after the demo's, so `learner_emails` keeps its order.

    Returns:
        Their address.
    """
    model = db.exec(select(User).where(User.email == "learner21@demo.plume.test")).one()
    training = sst_session(db)
    email = f"sst-{tag}-{time.time_ns()}@demo.plume.test"
    user = User(
        email=email,
        first_name=tag.capitalize(),
        last_name="Évaluée",
        password_hash=model.password_hash,
        phone=model.phone,
        phone_verified_at=model.phone_verified_at,
    )
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id or 0, organisation_id=training.organisation_id, is_learner=True))
    db.add(Enrolment(session_id=training.id or 0, user_id=user.id or 0))
    db.commit()
    return email


def forget(db: Session, activity_id: int, emails: tuple[str, ...] = ()) -> None:
    """Take a test's activity away with all that was written on it, and its new learners out of the SST session."""
    use = db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity_id)).first()
    questionnaire = db.get(Questionnaire, use.questionnaire_id) if use is not None else None
    attempts = select(EvaluationAttempt.id).where(EvaluationAttempt.activity_id == activity_id)
    wipe: list[Any] = [delete(EvaluationAnswer).where(col(EvaluationAnswer.attempt_id).in_(attempts))]
    # Every row naming the activity (attempts, progress, completions, the use…), dependants first.
    wipe += [
        delete(table).where(key.parent == activity_id)
        for table in reversed(SQLModel.metadata.sorted_tables)
        for key in table.foreign_keys
        if key.column.table.name == "activity"
    ]
    wipe.append(delete(Activity).where(col(Activity.id) == activity_id))
    if questionnaire is not None:
        owned = (col(Question.questionnaire_id) == questionnaire.id) | (
            col(Question.bank_id) == (questionnaire.bank_id or -1)
        )
        wipe += [
            delete(Choice).where(col(Choice.question_id).in_(select(Question.id).where(owned))),
            delete(Question).where(owned),
            delete(Questionnaire).where(col(Questionnaire.id) == questionnaire.id),
            delete(QuestionBank).where(col(QuestionBank.id) == (questionnaire.bank_id or -1)),
        ]
    if emails:
        users = select(User.id).where(col(User.email).in_(emails))
        wipe.append(
            delete(Enrolment).where(Enrolment.session_id == sst_session(db).id, col(Enrolment.user_id).in_(users))
        )
    for statement in wipe:
        db.exec(statement)
    db.commit()
