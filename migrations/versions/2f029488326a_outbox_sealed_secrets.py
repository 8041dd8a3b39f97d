"""outbox sealed secrets

Revision ID: 2f029488326a
Revises: e60a1d6bb15a
Create Date: 2026-11-30 01:12:29.867953
"""

import json
import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '2f029488326a'
down_revision: str | None = 'e60a1d6bb15a'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LINK = re.compile(r"\S*jeton=\S+")
_CODE = re.compile(r"\b\d{6}\b")
_PERSONAL = ("reset", "email_change", "activation")


def _seal_existing() -> None:
    """Mask the links and codes already in the outbox; keep the real text sealed if still to send."""
    from app.services.crypto import encrypt_secret  # the stable helper; key from outside the DB

    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, kind, subject, body, body_html, status FROM outboxemail "
            "WHERE kind IN ('reset', 'email_change', 'activation', 'invitation')"
        )
    ).all()
    for row_id, kind, subject, body, html, status in rows:
        shown = _LINK.sub("[lien personnel masqué]", body or "")
        if kind == "activation":
            shown = _CODE.sub("[code personnel masqué]", shown)
        sealed = ""
        if status in ("pending", "sending", "failed", "stored"):
            payload = {"subject": subject or "", "body": body or "", "html": html or ""}
            sealed = encrypt_secret(json.dumps(payload), "outbox-message")
        conn.execute(
            sa.text("UPDATE outboxemail SET body = :body, body_html = '', sealed = :sealed WHERE id = :id"),
            {"body": shown, "sealed": sealed, "id": row_id},
        )
        if kind in _PERSONAL:
            conn.execute(sa.text("UPDATE outboxemail SET organisation_id = NULL WHERE id = :id"), {"id": row_id})


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('sealed', sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default='')
        )
    _seal_existing()


def downgrade() -> None:
    """Revert (the masked bodies stay masked)."""
    with op.batch_alter_table('outboxemail', schema=None) as batch_op:
        batch_op.drop_column('sealed')
