"""calendar feeds and cancelled slots (issue 17)

`calendar_feed`: each person's private subscription URL (its secret's keyed hash, the secret encrypted);
`cancelled_slot`: what a calendar needs to hear that a deleted slot is cancelled (`app/models/calendar.py`).

Revision ID: f18c74eb201b
Revises: c3a8e0f1b2d4
Create Date: 2026-11-30 19:50:56.234627
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = "f18c74eb201b"
down_revision: str | None = "c3a8e0f1b2d4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the feeds and cancelled slots tables."""
    op.create_table(
        "calendar_feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("secret_sealed", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("secret_hash"),
        sa.UniqueConstraint("user_id"),
    )
    op.create_table(
        "cancelled_slot",
        sa.Column("slot_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("starts_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("invitees_json", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("cancelled_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["session.id"],
        ),
        sa.PrimaryKeyConstraint("slot_id"),
    )
    with op.batch_alter_table("cancelled_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cancelled_slot_cancelled_at"), ["cancelled_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cancelled_slot_session_id"), ["session_id"], unique=False)


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("cancelled_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cancelled_slot_session_id"))
        batch_op.drop_index(batch_op.f("ix_cancelled_slot_cancelled_at"))

    op.drop_table("cancelled_slot")
    op.drop_table("calendar_feed")
