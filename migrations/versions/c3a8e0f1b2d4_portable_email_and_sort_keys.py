"""e-mails unique whatever their case; learners' sort keys compared code point by code point (issue 16)

The database refuses two accounts whose addresses differ only by case (a unique index on
`lower(email)`, on SQLite and PostgreSQL alike). On PostgreSQL, `enrolment.sort_name` takes the
"C" collation so learners sort as on SQLite whatever the database's locale; SQLite already
compares text byte by byte, so nothing changes there.

Revision ID: c3a8e0f1b2d4
Revises: e15c01d5e4a7
Create Date: 2026-11-30 13:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "c3a8e0f1b2d4"
down_revision: str | None = "e15c01d5e4a7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _sort_name_collation(collation: str) -> None:
    # Only PostgreSQL has per-column collations to choose; the index on the column is rebuilt with it.
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "enrolment",
        "sort_name",
        type_=sa.String(300, collation=collation),
        existing_type=sa.String(300),
        existing_nullable=False,
        existing_server_default="",
    )


def upgrade() -> None:
    """Add the index, set the collation."""
    op.create_index("uq_user_email_lower", "user", [sa.text("lower(email)")], unique=True)
    _sort_name_collation("C")


def downgrade() -> None:
    """Drop the index, back to the database's collation."""
    _sort_name_collation("default")
    op.drop_index("uq_user_email_lower", table_name="user")
