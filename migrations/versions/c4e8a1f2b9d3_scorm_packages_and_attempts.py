"""scorm packages and attempts (issue 18)

The SCORM packages staff upload, unpacked once under their content's SHA-256 (`scorm_package`), and each
learner's attempts at each SCO of a SCORM activity (`scorm_attempt`).

Revision ID: c4e8a1f2b9d3
Revises: a7c31e90d5b2
Create Date: 2026-11-30 23:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = "c4e8a1f2b9d3"
down_revision: str | None = "a7c31e90d5b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the two tables."""
    op.create_table(
        "scorm_package",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("version", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("edition", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("manifest_json", sa.Text(), server_default="{}", nullable=False),
        sa.Column("file_count", sa.Integer(), nullable=False),
        sa.Column("unpacked_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("sha256"),
    )
    op.create_table(
        "scorm_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("item", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("completion", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("success", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("score_raw", sa.Float(), nullable=True),
        sa.Column("score_min", sa.Float(), nullable=True),
        sa.Column("score_max", sa.Float(), nullable=True),
        sa.Column("score_scaled", sa.Float(), nullable=True),
        sa.Column("total_seconds", sa.Float(), nullable=False),
        sa.Column("run_base_seconds", sa.Float(), nullable=False),
        sa.Column("run", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("run_started_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("suspend_data", sa.Text(), server_default="", nullable=False),
        sa.Column("exit", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("details_json", sa.Text(), server_default="{}", nullable=False),
        sa.Column("commits", sa.Integer(), nullable=False),
        sa.Column("started_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("committed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "user_id", "item", "number"),
    )
    op.create_index(op.f("ix_scorm_attempt_activity_id"), "scorm_attempt", ["activity_id"], unique=False)
    op.create_index(op.f("ix_scorm_attempt_session_id"), "scorm_attempt", ["session_id"], unique=False)
    op.create_index(op.f("ix_scorm_attempt_user_id"), "scorm_attempt", ["user_id"], unique=False)


def downgrade() -> None:
    """Drop them."""
    op.drop_index(op.f("ix_scorm_attempt_user_id"), table_name="scorm_attempt")
    op.drop_index(op.f("ix_scorm_attempt_session_id"), table_name="scorm_attempt")
    op.drop_index(op.f("ix_scorm_attempt_activity_id"), table_name="scorm_attempt")
    op.drop_table("scorm_attempt")
    op.drop_table("scorm_package")
