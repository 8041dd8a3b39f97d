"""archive categories per organisation, and the process running a CSV import

Each organisation gets its own archive categories (m@gistère's "sous catégorie"),
seeded with the four that were fixed so far. An archived session keeps the
category's name from now on (it stayed a key before), so renaming or removing
a category leaves the sessions already filed as they were. A CSV enrolment
job records the process running it, so one left "running" by a stopped server
is taken up again.

Revision ID: e5b2a9c41d07
Revises: d14a0c0ffee1
Create Date: 2026-11-30 10:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel

from alembic import op

revision: str = "e5b2a9c41d07"
down_revision: str | None = "d14a0c0ffee1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in `app.models.finishing.DEFAULT_ARCHIVE_CATEGORIES` today: a migration keeps its own copy.
DEFAULTS = (
    ("completed", "Parcours terminé"),
    ("cancelled", "Session annulée"),
    ("postponed", "Session reportée"),
    ("misc", "Autre"),
)

_category = sa.table(
    "archive_category",
    sa.column("organisation_id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("name", sa.String),
    sa.column("position", sa.Integer),
)
_session = sa.table("session", sa.column("archive_category", sa.String))


def upgrade() -> None:
    """Create the categories, seed them for every organisation, file archived sessions by name."""
    op.create_table(
        "archive_category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "key"),
    )
    with op.batch_alter_table("archive_category", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_category_organisation_id"), ["organisation_id"], unique=False)
    bind = op.get_bind()
    organisations = [row[0] for row in bind.execute(sa.text("SELECT id FROM organisation ORDER BY id"))]
    rows = [
        {"organisation_id": org, "key": key, "name": name, "position": position}
        for org in organisations
        for position, (key, name) in enumerate(DEFAULTS)
    ]
    if rows:
        op.bulk_insert(_category, rows)
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.alter_column(
            "archive_category",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=20),
            type_=sqlmodel.sql.sqltypes.AutoString(length=80),
            existing_nullable=False,
            existing_server_default="",
        )
    for key, name in DEFAULTS:
        op.execute(_session.update().where(_session.c.archive_category == key).values(archive_category=name))
    with op.batch_alter_table("enrolment_import", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("worker", sqlmodel.sql.sqltypes.AutoString(length=100), server_default="", nullable=False)
        )


def downgrade() -> None:
    """Back to the fixed keys: a category of the four by its key, any other as "misc"."""
    with op.batch_alter_table("enrolment_import", schema=None) as batch_op:
        batch_op.drop_column("worker")
    for key, name in DEFAULTS:
        op.execute(_session.update().where(_session.c.archive_category == name).values(archive_category=key))
    keys = [key for key, _ in DEFAULTS]
    op.execute(
        _session.update()
        .where(_session.c.archive_category != "", _session.c.archive_category.not_in(keys))
        .values(archive_category="misc")
    )
    with op.batch_alter_table("session", schema=None) as batch_op:
        batch_op.alter_column(
            "archive_category",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=80),
            type_=sqlmodel.sql.sqltypes.AutoString(length=20),
            existing_nullable=False,
            existing_server_default="",
        )
    with op.batch_alter_table("archive_category", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_category_organisation_id"))
    op.drop_table("archive_category")
