"""rooms (issue 17)

An organisation's rooms (`room`), whether its trainers may move their own slots to another room
(`organisation.trainers_change_rooms`), and the room a slot is booked in (`slot.room_id`). SQLite adds
the column with its reference in place (a rebuilt `slot` table would have to drop a table other rows point to).

Revision ID: 849e0f18abd6
Revises: 31b461fb4e87
Create Date: 2026-11-30 20:18:42.725036
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = "849e0f18abd6"
down_revision: str | None = "31b461fb4e87"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the rooms; a slot may be booked in one."""
    op.create_table(
        "room",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("organisation_id", "name"),
    )
    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_room_organisation_id"), ["organisation_id"], unique=False)

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trainers_change_rooms", sa.Boolean(), server_default="0", nullable=False))

    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE slot ADD COLUMN room_id INTEGER REFERENCES room (id)")
    else:
        op.add_column("slot", sa.Column("room_id", sa.Integer(), nullable=True))
        op.create_foreign_key("fk_slot_room_id_room", "slot", "room", ["room_id"], ["id"])
    op.create_index(op.f("ix_slot_room_id"), "slot", ["room_id"], unique=False)


def downgrade() -> None:
    """Drop them."""
    op.drop_index(op.f("ix_slot_room_id"), table_name="slot")
    if op.get_bind().dialect.name != "sqlite":
        op.drop_constraint("fk_slot_room_id_room", "slot", type_="foreignkey")
    op.drop_column("slot", "room_id")  # SQLite 3.35+ drops a plain column in place

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("trainers_change_rooms")

    with op.batch_alter_table("room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_room_organisation_id"))

    op.drop_table("room")
