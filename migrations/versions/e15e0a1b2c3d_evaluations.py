"""evaluations (issue 15)

The questionnaire engine: the library (questionnaires, banks, questions, choices), the
use of a questionnaire by an activity, learners' attempts and answers, third-party grids,
the competencies framework, acquired competencies and self-assessment positions
(`app/models/evaluations.py`; `tests/unit/test_platform.py` checks the schema matches the models).

Revision ID: e15e0a1b2c3d
Revises: e5b2a9c41d07
Create Date: 2026-11-30 10:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

import app.models.base
from alembic import op

revision: str = "e15e0a1b2c3d"
down_revision: str | None = "e5b2a9c41d07"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the evaluation tables."""
    op.create_table(
        "competency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("code", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("category", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "code"),
    )
    with op.batch_alter_table("competency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_competency_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "question_bank",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_bank", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_bank_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "course_competency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["course.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("course_id", "competency_id"),
    )
    with op.batch_alter_table("course_competency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_competency_competency_id"), ["competency_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_competency_course_id"), ["course_id"], unique=False)

    op.create_table(
        "questionnaire",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("use", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("passing_score", sa.Integer(), nullable=False),
        sa.Column("time_limit_s", sa.Integer(), nullable=True),
        sa.Column("attempts_limit", sa.Integer(), nullable=True),
        sa.Column("draw_size", sa.Integer(), nullable=True),
        sa.Column("bank_id", sa.Integer(), nullable=True),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["question_bank.id"],
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_organisation_id"), ["organisation_id"], unique=False)

    op.create_table(
        "acquired_competency",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id", "competency_id"),
    )
    with op.batch_alter_table("acquired_competency", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_acquired_competency_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_acquired_competency_user_id"), ["user_id"], unique=False)

    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=True),
        sa.Column("bank_id", sa.Integer(), nullable=True),
        sa.Column("system_key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("scale_max", sa.Integer(), nullable=True),
        sa.Column("rows_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answer_number", sa.Float(), nullable=True),
        sa.Column("tolerance", sa.Float(), nullable=False),
        sa.Column("tags", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["bank_id"],
            ["question_bank.id"],
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_question_bank_id"), ["bank_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_question_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index("ix_question_questionnaire_position", ["questionnaire_id", "position"], unique=False)

    op.create_table(
        "question_choice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("feedback", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("question_choice", schema=None) as batch_op:
        batch_op.create_index("ix_question_choice_question_position", ["question_id", "position"], unique=False)

    op.create_table(
        "evaluation_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("question_ids_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("started_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("max_points", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("duration_s", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "user_id", "number"),
    )
    with op.batch_alter_table("evaluation_attempt", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_attempt_activity_submitted", ["activity_id", "submitted_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_attempt_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_attempt_user_id"), ["user_id"], unique=False)

    op.create_table(
        "evaluation_grid_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("objective", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=True),
        sa.Column("level", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("recorded_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"],
            ["user.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "learner_id", "objective"),
    )
    with op.batch_alter_table("evaluation_grid_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_grid_entry_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_grid_entry_learner_id"), ["learner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_grid_entry_session_id"), ["session_id"], unique=False)

    op.create_table(
        "questionnaire_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("questionnaire_id", sa.Integer(), nullable=False),
        sa.Column("moment", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("send_after_days", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
        ),
        sa.ForeignKeyConstraint(
            ["questionnaire_id"],
            ["questionnaire.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id"),
    )
    with op.batch_alter_table("questionnaire_use", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaire_use_questionnaire_id"), ["questionnaire_id"], unique=False)

    op.create_table(
        "self_position",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("competency_id", sa.Integer(), nullable=False),
        sa.Column("moment", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("recorded_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activity.id"],
        ),
        sa.ForeignKeyConstraint(
            ["competency_id"],
            ["competency.id"],
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session.id"],
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "user_id", "competency_id"),
    )
    with op.batch_alter_table("self_position", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_self_position_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_self_position_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_self_position_user_id"), ["user_id"], unique=False)

    op.create_table(
        "evaluation_answer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("points", sa.Float(), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("saved_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["evaluation_attempt.id"],
        ),
        sa.ForeignKeyConstraint(
            ["question_id"],
            ["question.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("attempt_id", "question_id"),
    )
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_answer_attempt_id"), ["attempt_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_answer_question_id"), ["question_id"], unique=False)


def downgrade() -> None:
    """Drop the evaluation tables."""
    with op.batch_alter_table("evaluation_answer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_answer_question_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_answer_attempt_id"))

    op.drop_table("evaluation_answer")
    with op.batch_alter_table("self_position", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_self_position_user_id"))
        batch_op.drop_index(batch_op.f("ix_self_position_session_id"))
        batch_op.drop_index(batch_op.f("ix_self_position_activity_id"))

    op.drop_table("self_position")
    with op.batch_alter_table("questionnaire_use", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_use_questionnaire_id"))

    op.drop_table("questionnaire_use")
    with op.batch_alter_table("evaluation_grid_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_grid_entry_session_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_grid_entry_learner_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_grid_entry_activity_id"))

    op.drop_table("evaluation_grid_entry")
    with op.batch_alter_table("evaluation_attempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_attempt_user_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_attempt_session_id"))
        batch_op.drop_index("ix_evaluation_attempt_activity_submitted")

    op.drop_table("evaluation_attempt")
    with op.batch_alter_table("question_choice", schema=None) as batch_op:
        batch_op.drop_index("ix_question_choice_question_position")

    op.drop_table("question_choice")
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_index("ix_question_questionnaire_position")
        batch_op.drop_index(batch_op.f("ix_question_organisation_id"))
        batch_op.drop_index(batch_op.f("ix_question_bank_id"))

    op.drop_table("question")
    with op.batch_alter_table("acquired_competency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_acquired_competency_user_id"))
        batch_op.drop_index(batch_op.f("ix_acquired_competency_session_id"))

    op.drop_table("acquired_competency")
    with op.batch_alter_table("questionnaire", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_questionnaire_organisation_id"))

    op.drop_table("questionnaire")
    with op.batch_alter_table("course_competency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_competency_course_id"))
        batch_op.drop_index(batch_op.f("ix_course_competency_competency_id"))

    op.drop_table("course_competency")
    with op.batch_alter_table("question_bank", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_question_bank_organisation_id"))

    op.drop_table("question_bank")
    with op.batch_alter_table("competency", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_competency_organisation_id"))

    op.drop_table("competency")
