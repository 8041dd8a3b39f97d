"""trainers' unavailabilities (issue 17)

`unavailability`: days, or hours on days, a person cannot work, repeated weekly or not
(`app/models/calendar.py`).

Revision ID: 0b3c4558c8c5
Revises: f18c74eb201b
Create Date: 2026-11-30 19:59:02.446560
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = "0b3c4558c8c5"
down_revision: str | None = "f18c74eb201b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the unavailabilities table."""
    op.create_table(
        "unavailability",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("weekly_until", sa.Date(), nullable=True),
        sa.Column("note", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("unavailability", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unavailability_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("unavailability", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unavailability_user_id"))

    op.drop_table("unavailability")
