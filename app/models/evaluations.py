"""Evaluations: the questionnaire library, its use by activities, attempts, grids and competencies.

One engine serves six activity kinds (diagnostic, third-party evaluation, certification,
quality evaluation, quiz, self-assessment). A questionnaire belongs to an organisation's
library; an activity uses it at a moment (before / after a session, hot / cold); a learner's
attempt stores the questions drawn for them (and the seed that drew them), a deadline, and
their answers, drafts until submitted.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field

EVALUATION_KINDS = (
    "diagnostic",
    "third_party_evaluation",
    "certification",
    "quality_evaluation",
    "quiz",
    "self_assessment",
)
QUESTION_KINDS = ("single", "multiple", "scale", "likert", "short_text", "long_text", "number")
GRADED_KINDS = ("single", "multiple", "number")
SCALE_MAXIMA = (5, 10)
MOMENTS = ("", "before", "after", "hot", "cold")  # "" for a questionnaire used once
GRID_LEVELS = ("acquired", "in_progress", "not_acquired")  # Acquis, En cours d'acquisition, Non acquis
SATISFACTION_KEY = "satisfaction"  # the hot evaluation's first question, one per organisation


class QuestionBank(SQLModel, table=True):
    """A pool of questions of an organisation, tagged, that certifications draw from."""

    __tablename__ = "question_bank"

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=200)
    tags: str = Field(default="", max_length=300)
    created_at: datetime = utc_field(default_now=True)


class Questionnaire(SQLModel, table=True):
    """A questionnaire of the organisation's library (`Bibliothèque de questionnaires`).

    Its questions are its own (`Question.questionnaire_id`), or, when `draw_size` is set,
    that many questions drawn at random from `bank_id` for each attempt.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", max_length=4000)
    use: str = Field(max_length=30)  # one of EVALUATION_KINDS
    passing_score: int = 50  # in %
    time_limit_s: int | None = None
    attempts_limit: int | None = None  # None: one attempt, except a quiz's (unlimited)
    draw_size: int | None = None
    bank_id: int | None = Field(default=None, foreign_key="question_bank.id")
    tags: str = Field(default="", max_length=300)
    created_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)


class Question(SQLModel, table=True):
    """A question of a questionnaire or of a bank (or the organisation's satisfaction question)."""

    __table_args__ = (Index("ix_question_questionnaire_position", "questionnaire_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    questionnaire_id: int | None = Field(default=None, foreign_key="questionnaire.id")
    bank_id: int | None = Field(default=None, foreign_key="question_bank.id", index=True)
    system_key: str = Field(default="", max_length=20)  # SATISFACTION_KEY for the built-in question
    position: int = 0
    kind: str = Field(max_length=12)  # one of QUESTION_KINDS
    text: str = Field(max_length=2000)
    points: float = 1
    scale_max: int | None = None  # 5 or 10, for a scale or a Likert grid
    rows_json: str = "[]"  # a Likert grid's rows
    answer_number: float | None = None  # a number question's right answer
    tolerance: float = 0
    tags: str = Field(default="", max_length=300)


class Choice(SQLModel, table=True):
    """One answer offered by a single or multiple choice question."""

    __tablename__ = "question_choice"
    __table_args__ = (Index("ix_question_choice_question_position", "question_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    question_id: int = Field(foreign_key="question.id")
    position: int = 0
    label: str = Field(max_length=500)
    correct: bool = False
    feedback: str = Field(default="", max_length=1000)


class QuestionnaireUse(SQLModel, table=True):
    """An activity of one of the six kinds using a questionnaire, at a moment of the session."""

    __tablename__ = "questionnaire_use"

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", unique=True)
    questionnaire_id: int = Field(foreign_key="questionnaire.id", index=True)
    moment: str = Field(default="", max_length=10)  # one of MOMENTS
    send_after_days: int | None = None  # a cold evaluation's delay after the session ends
    # When the cold evaluation was e-mailed to the learners: claimed by one worker, once.
    cold_sent_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)


class EvaluationAttempt(SQLModel, table=True):
    """One learner's attempt at an evaluation activity: the draw, the deadline, the result.

    The questions drawn (`question_ids_json`) and the seed that drew them are stored, so an
    auditor replays which questions a candidate got. An anonymous questionnaire's answers move,
    on submission, to a row without `user_id`: the learner's row then says only that they answered.
    """

    __tablename__ = "evaluation_attempt"
    __table_args__ = (
        UniqueConstraint("activity_id", "user_id", "number"),
        Index("ix_evaluation_attempt_activity_submitted", "activity_id", "submitted_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id")
    questionnaire_id: int = Field(foreign_key="questionnaire.id")
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    number: int = 1
    seed: int | None = None
    question_ids_json: str = "[]"
    started_at: datetime = utc_field(default_now=True)
    deadline: datetime | None = utc_field(nullable=True)
    submitted_at: datetime | None = utc_field(nullable=True)
    score: float | None = None  # in %, None when nothing is graded
    points: float | None = None
    max_points: float | None = None
    passed: bool | None = None
    duration_s: int | None = None


class EvaluationAnswer(SQLModel, table=True):
    """An answer to one question of an attempt: a draft until the attempt is submitted."""

    __tablename__ = "evaluation_answer"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: int | None = Field(default=None, primary_key=True)
    attempt_id: int = Field(foreign_key="evaluation_attempt.id", index=True)
    question_id: int = Field(foreign_key="question.id", index=True)
    value_json: str = "null"
    points: float | None = None
    correct: bool | None = None
    saved_at: datetime = utc_field(default_now=True)


class GridEntry(SQLModel, table=True):
    """A trainer's judgement of one learner on one objective or competency (third-party evaluation)."""

    __tablename__ = "evaluation_grid_entry"
    __table_args__ = (UniqueConstraint("activity_id", "learner_id", "objective"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    learner_id: int = Field(foreign_key="user.id", index=True)
    trainer_id: int = Field(foreign_key="user.id")
    objective: str = Field(max_length=300)
    competency_id: int | None = Field(default=None, foreign_key="competency.id")
    level: str = Field(max_length=12)  # one of GRID_LEVELS
    comment: str = Field(default="", max_length=2000)
    recorded_at: datetime = utc_field(default_now=True)


class Competency(SQLModel, table=True):
    """A competency of an organisation's framework (`Référentiel de compétences`)."""

    __table_args__ = (UniqueConstraint("organisation_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    code: str = Field(max_length=40)
    label: str = Field(max_length=300)
    category: str = Field(default="", max_length=200)


class CourseCompetency(SQLModel, table=True):
    """A competency a course develops."""

    __tablename__ = "course_competency"
    __table_args__ = (UniqueConstraint("course_id", "competency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    competency_id: int = Field(foreign_key="competency.id", index=True)
    position: int = 0


class AcquiredCompetency(SQLModel, table=True):
    """A competency a trainer recorded as acquired by a learner of a session."""

    __tablename__ = "acquired_competency"
    __table_args__ = (UniqueConstraint("session_id", "user_id", "competency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    competency_id: int = Field(foreign_key="competency.id")
    recorded_by_id: int = Field(foreign_key="user.id")
    recorded_at: datetime = utc_field(default_now=True)


class ModuleValidation(SQLModel, table=True):
    """A module of a session a trainer validated for one learner (`validation des modules`)."""

    __tablename__ = "module_validation"
    __table_args__ = (UniqueConstraint("module_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    module_id: int = Field(foreign_key="module.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    validated_by_id: int = Field(foreign_key="user.id")
    validated_at: datetime = utc_field(default_now=True)


class SelfPosition(SQLModel, table=True):
    """A learner's self-assessment on one competency, at a moment (before / after)."""

    __tablename__ = "self_position"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", "competency_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    competency_id: int = Field(foreign_key="competency.id")
    moment: str = Field(default="", max_length=10)
    level: int
    recorded_at: datetime = utc_field(default_now=True)
