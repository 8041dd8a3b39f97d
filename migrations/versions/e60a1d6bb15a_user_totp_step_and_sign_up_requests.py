"""user totp step and sign-up requests

Revision ID: e60a1d6bb15a
Revises: a0849c90f908
Create Date: 2026-11-30 01:13:12.472380
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "e60a1d6bb15a"
down_revision: str | None = "a0849c90f908"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Apply."""
    op.create_table(
        "signuprequest",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("first_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("last_name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("pseudonym", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("phone", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", app.models.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", app.models.base.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signuprequest", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signuprequest_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_signuprequest_token_hash"), ["token_hash"], unique=True)

    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=False, server_default="0"))
        batch_op.alter_column(
            "totp_secret",
            existing_type=sa.VARCHAR(length=64),
            type_=sqlmodel.sql.sqltypes.AutoString(length=255),
            existing_nullable=False,
        )

    # Secrets stored in clear before this revision are encrypted now, under the key outside the database.
    from app.services.crypto import encrypt_secret
    from app.services.totp import PURPOSE, is_plain_secret

    conn = op.get_bind()
    users = sa.table("user", sa.column("id", sa.Integer), sa.column("totp_secret", sa.String))
    for user_id, secret in conn.execute(sa.select(users.c.id, users.c.totp_secret).where(users.c.totp_secret != "")):
        if is_plain_secret(secret):
            conn.execute(
                users.update().where(users.c.id == user_id).values(totp_secret=encrypt_secret(secret, PURPOSE))
            )


def downgrade() -> None:
    """Revert."""
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column(
            "totp_secret",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
            type_=sa.VARCHAR(length=64),
            existing_nullable=False,
        )
        batch_op.drop_column("totp_last_step")

    with op.batch_alter_table("signuprequest", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signuprequest_token_hash"))
        batch_op.drop_index(batch_op.f("ix_signuprequest_email"))

    op.drop_table("signuprequest")
