"""cold evaluation sent (issue 15)

When a quality evaluation's cold moment was e-mailed to the session's learners
(`QuestionnaireUse.cold_sent_at`): one worker claims it with a conditional update,
so the e-mail goes once across workers and restarts.

Revision ID: e15c01d5e4a7
Revises: f15a7c0d2e4b
Create Date: 2026-11-30 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

import app.models.base
from alembic import op

revision: str = "e15c01d5e4a7"
down_revision: str | None = "f15a7c0d2e4b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the column."""
    with op.batch_alter_table("questionnaire_use", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cold_sent_at", app.models.base.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    """Drop the column."""
    with op.batch_alter_table("questionnaire_use", schema=None) as batch_op:
        batch_op.drop_column("cold_sent_at")
