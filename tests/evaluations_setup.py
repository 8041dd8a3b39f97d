"""A questionnaire attached to an activity of the demo's SST session (no other server test uses it).

Written straight into the running server's database, as the library's editor would leave it: a few
questions of every type, right answers and feedback that must never reach a learner's browser.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.models import Activity, Enrolment, Module, TrainingSession, User
from app.models.evaluations import Choice, Question, Questionnaire, QuestionnaireUse

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
    db: Session, kind: str, title: str, *, time_limit_s: int | None = None, attempts_limit: int | None = None
) -> Attached:
    """A new activity of `kind` using a new questionnaire of five questions (single, multiple, scale, text, number)."""
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
    db.add(QuestionnaireUse(activity_id=activity_id, questionnaire_id=questionnaire.id or 0, moment=""))
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
