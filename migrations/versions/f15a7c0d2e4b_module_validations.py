"""module validations (issue 15)

A trainer validates, per learner, the modules of a session (`validation des modules`):
`module_validation`, one row per module and learner (`app/models/evaluations.py`).

Revision ID: f15a7c0d2e4b
Revises: e15e0a1b2c3d
Create Date: 2026-11-30 11:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "f15a7c0d2e4b"
down_revision: str | None = "e15e0a1b2c3d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the module validations table."""
    op.create_table(
        "module_validation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("module_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("validated_by_id", sa.Integer(), nullable=False),
        sa.Column("validated_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["module_id"], ["module.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["validated_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("module_id", "user_id"),
    )
    with op.batch_alter_table("module_validation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_module_validation_module_id"), ["module_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_module_validation_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_module_validation_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Drop the module validations table."""
    with op.batch_alter_table("module_validation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_module_validation_user_id"))
        batch_op.drop_index(batch_op.f("ix_module_validation_session_id"))
        batch_op.drop_index(batch_op.f("ix_module_validation_module_id"))

    op.drop_table("module_validation")
