"""organisation planning rules (issue 17)

The region of its public holidays, the zone of its school holidays and its business hours
(`app/services/planning_rules.py`).

Revision ID: 31b461fb4e87
Revises: 0b3c4558c8c5
Create Date: 2026-11-30 20:04:37.521559
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op



revision: str = "31b461fb4e87"
down_revision: str | None = "0b3c4558c8c5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Add the rules' columns."""
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("holiday_region", sqlmodel.sql.sqltypes.AutoString(length=10), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("school_zone", sqlmodel.sql.sqltypes.AutoString(length=1), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("day_starts_minute", sa.Integer(), server_default="480", nullable=False))
        batch_op.add_column(sa.Column("day_ends_minute", sa.Integer(), server_default="1080", nullable=False))


def downgrade() -> None:
    """Drop them."""
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("day_ends_minute")
        batch_op.drop_column("day_starts_minute")
        batch_op.drop_column("school_zone")
        batch_op.drop_column("holiday_region")
