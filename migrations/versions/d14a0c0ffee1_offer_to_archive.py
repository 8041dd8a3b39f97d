"""offer to archive (issue 14)

Course requests and the offer's filters, CSV enrolment jobs, monitored
activities and the follow-up, "Formation terminée" and archive categories.
Each part below is written by hand next to the models it mirrors
(`tests/unit/test_platform.py` checks the schema matches the models).

Revision ID: d14a0c0ffee1
Revises: b7e3c1a9d402
Create Date: 2026-11-30 08:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401  # used by the parts below
import sqlmodel  # noqa: F401

import app.models.base  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "d14a0c0ffee1"
down_revision: str | None = "b7e3c1a9d402"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _upgrade_offer() -> None:
    """The course offer: course requests, origin and modality of courses."""
    op.create_table(
        "courserequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("remote_hours", sa.Float(), nullable=False),
        sa.Column("in_person_hours", sa.Float(), nullable=False),
        sa.Column("pedagogical_lead", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["course_id"], ["course.id"]),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.ForeignKeyConstraint(["requested_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("courserequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_courserequest_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_courserequest_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_courserequest_status"), ["status"], unique=False)
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=100), server_default="", nullable=False)
        )
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("staff_wanted", sa.Integer(), server_default="2", nullable=False))


def _upgrade_enrolment() -> None:
    """CSV enrolment jobs and their lines; unenrolment reasons."""
    op.create_table(
        "enrolment_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("report", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("enrolment_import", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_import_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_import_created_by_id"), ["created_by_id"], unique=False)


def _upgrade_follow_up() -> None:
    """Monitored activities (per session), expected dates, required activities."""
    op.create_table(
        "monitored_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=False),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"]),
        sa.ForeignKeyConstraint(["created_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id"),
    )
    with op.batch_alter_table("monitored_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_monitored_activity_session_id"), ["session_id"], unique=False)


def _upgrade_finishing() -> None:
    """ "Formation terminée" per learner, attestation revocation, archive categories."""
    op.create_table(
        "trainingcompletion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("decided_by_id", sa.Integer(), nullable=False),
        sa.Column("decided_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["decided_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("session_id", "user_id"),
    )
    with op.batch_alter_table("trainingcompletion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainingcompletion_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trainingcompletion_user_id"), ["user_id"], unique=False)
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("revoked_at", app.models.base.UTCDateTime(), nullable=True))
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "archive_category", sqlmodel.sql.sqltypes.AutoString(length=20), server_default="", nullable=False
            )
        )


def upgrade() -> None:
    """Apply every part."""
    _upgrade_offer()
    _upgrade_enrolment()
    _upgrade_follow_up()
    _upgrade_finishing()


def _downgrade_offer() -> None:
    """Undo `_upgrade_offer`."""
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("staff_wanted")
    with op.batch_alter_table("course", schema=None) as batch_op:
        batch_op.drop_column("origin")
    with op.batch_alter_table("courserequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_courserequest_status"))
        batch_op.drop_index(batch_op.f("ix_courserequest_requested_by_id"))
        batch_op.drop_index(batch_op.f("ix_courserequest_organisation_id"))
    op.drop_table("courserequest")


def _downgrade_enrolment() -> None:
    """Undo `_upgrade_enrolment`."""
    with op.batch_alter_table("enrolment_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrolment_import_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_import_session_id"))
    op.drop_table("enrolment_import")


def _downgrade_follow_up() -> None:
    """Undo `_upgrade_follow_up`."""
    with op.batch_alter_table("monitored_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitored_activity_session_id"))
    op.drop_table("monitored_activity")


def _downgrade_finishing() -> None:
    """Undo `_upgrade_finishing`."""
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.drop_column("archive_category")
    with op.batch_alter_table("attestation", schema=None) as batch_op:
        batch_op.drop_column("revoked_at")
    with op.batch_alter_table("trainingcompletion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainingcompletion_user_id"))
        batch_op.drop_index(batch_op.f("ix_trainingcompletion_session_id"))
    op.drop_table("trainingcompletion")


def downgrade() -> None:
    """Undo every part, in reverse order."""
    _downgrade_finishing()
    _downgrade_follow_up()
    _downgrade_enrolment()
    _downgrade_offer()
