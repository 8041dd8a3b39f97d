"""appointments and progressive planning (issue 17)

The times proposed for an appointment activity (`appointment_offer`) and the learners' places in them
(`appointment_booking`); whether an organisation's learners may propose a time
(`organisation.learners_propose_appointments`) and its trainers plan their sessions' slots
(`organisation.trainers_plan_slots`); the hours a session's slots should add up to (`session.hours_to_plan`).

Revision ID: a7c31e90d5b2
Revises: 849e0f18abd6
Create Date: 2026-11-30 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base


revision: str = "a7c31e90d5b2"
down_revision: str | None = "849e0f18abd6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the appointment tables and the planning columns."""
    op.create_table(
        "appointment_offer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        sa.Column("room", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=False),
        sa.Column("by_learner", sa.Boolean(), nullable=False),
        sa.Column("slot_id", sa.Integer(), nullable=True),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"]),
        sa.ForeignKeyConstraint(["session_id"], ["session.id"]),
        sa.ForeignKeyConstraint(["proposed_by_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["slot_id"], ["slot.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_appointment_offer_activity_id"), "appointment_offer", ["activity_id"], unique=False)
    op.create_index(op.f("ix_appointment_offer_session_id"), "appointment_offer", ["session_id"], unique=False)
    op.create_index(op.f("ix_appointment_offer_slot_id"), "appointment_offer", ["slot_id"], unique=False)
    op.create_table(
        "appointment_booking",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["offer_id"], ["appointment_offer.id"]),
        sa.ForeignKeyConstraint(["activity_id"], ["activity.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"]),
        sa.ForeignKeyConstraint(["confirmed_by_id"], ["user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("activity_id", "user_id"),
    )
    op.create_index(op.f("ix_appointment_booking_offer_id"), "appointment_booking", ["offer_id"], unique=False)
    op.create_index(op.f("ix_appointment_booking_activity_id"), "appointment_booking", ["activity_id"], unique=False)
    op.create_index(op.f("ix_appointment_booking_user_id"), "appointment_booking", ["user_id"], unique=False)

    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("trainers_plan_slots", sa.Boolean(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("learners_propose_appointments", sa.Boolean(), server_default="0", nullable=False)
        )
    # A plain column added in place (SQLite would otherwise rebuild `session`, which many tables point to).
    op.add_column("session", sa.Column("hours_to_plan", sa.Float(), server_default="0", nullable=False))


def downgrade() -> None:
    """Drop them."""
    op.drop_column("session", "hours_to_plan")  # SQLite 3.35+ drops a plain column in place
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("learners_propose_appointments")
        batch_op.drop_column("trainers_plan_slots")
    op.drop_index(op.f("ix_appointment_booking_user_id"), table_name="appointment_booking")
    op.drop_index(op.f("ix_appointment_booking_activity_id"), table_name="appointment_booking")
    op.drop_index(op.f("ix_appointment_booking_offer_id"), table_name="appointment_booking")
    op.drop_table("appointment_booking")
    op.drop_index(op.f("ix_appointment_offer_slot_id"), table_name="appointment_offer")
    op.drop_index(op.f("ix_appointment_offer_session_id"), table_name="appointment_offer")
    op.drop_index(op.f("ix_appointment_offer_activity_id"), table_name="appointment_offer")
    op.drop_table("appointment_offer")
