"""attendance sealed chain

Records get a salted digest of their personal fields, an erasure time and the
organisation's Ed25519 seal; the head row is sealed; published heads are kept.
Existing records are re-chained and sealed with each organisation's key (created
in PLUME_KEYS_DIR on first use): the proof starts here.

Revision ID: b7e3c1a9d402
Revises: 2f029488326a
Create Date: 2026-11-30 01:30:00
"""

import hashlib
import json
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import app.models.base

revision: str = "b7e3c1a9d402"
down_revision: str | None = "2f029488326a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
_CHAINED = (
    "id",
    "organisation_id",
    "seq",
    "session_id",
    "slot_id",
    "kind",
    "subject_user_id",
    "subject_role",
    "status",
    "recorded_by_id",
    "on_trainer_device",
    "reason",
    "corrects_id",
    "signature_sha256",
    "qr_verified",
    "client_key",
    "unique_key",
    "ip",
    "user_agent",
    "created_at",
)


def _records(with_new: bool) -> sa.TableClause:
    columns = [sa.column(name) for name in _CHAINED if name != "created_at"]
    columns.append(sa.column("created_at", app.models.base.UTCDateTime()))
    columns += [sa.column("prev_hash"), sa.column("hash")]
    if with_new:
        columns += [sa.column("personal_salt"), sa.column("personal_digest"), sa.column("seal")]
    return sa.table("attendancerecord", *columns)


def _rows(connection: Any, table: sa.TableClause) -> list[Any]:
    return list(
        connection.execute(
            sa.select(*[table.c[name] for name in _CHAINED]).order_by(table.c.organisation_id, table.c.seq, table.c.id)
        ).all()
    )


def _set_head(connection: Any, organisation_id: int, seq: int, last_hash: str, seal: str | None) -> None:
    values = {"last_seq": seq, "last_hash": last_hash, **({"seal": seal} if seal is not None else {})}
    chain = sa.table("attendancechain", *[sa.column(n) for n in ("organisation_id", *values)])
    done = connection.execute(
        sa.update(chain).where(chain.c.organisation_id == organisation_id).values(**values)
    ).rowcount
    if not done:
        connection.execute(sa.insert(chain).values(organisation_id=organisation_id, **values))


def upgrade() -> None:
    """Apply."""
    with op.batch_alter_table("attendancerecord", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("personal_salt", sqlmodel.sql.sqltypes.AutoString(length=32), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("personal_digest", sqlmodel.sql.sqltypes.AutoString(length=64), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("erased_at", app.models.base.UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("seal", sqlmodel.sql.sqltypes.AutoString(length=128), server_default="", nullable=False)
        )
    with op.batch_alter_table("attendancechain", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seal", sqlmodel.sql.sqltypes.AutoString(length=128), server_default="", nullable=False)
        )
    op.create_table(
        "attendanceheadpublication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=15), nullable=False),
        sa.Column("unique_key", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", app.models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unique_key"),
    )
    with op.batch_alter_table("attendanceheadpublication", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendanceheadpublication_organisation_id"), ["organisation_id"], unique=False
        )

    # Re-chain and seal what exists, with the service's v1 format (its domains say "v1": a later
    # format is a new revision). Imported here, not at the top, so other revisions never load it.
    from app.services.attendance.chain import seal_head, seal_record, signing_key

    connection = op.get_bind()
    table = _records(with_new=True)
    previous: dict[int, tuple[int, str]] = {}
    for row in _rows(connection, table):
        record = SimpleNamespace(**row._mapping, personal_salt="")
        org = record.organisation_id
        seal_record(record, previous.get(org, (0, GENESIS))[1], signing_key(org))
        connection.execute(
            sa.update(table)
            .where(table.c.id == record.id)
            .values(
                personal_salt=record.personal_salt,
                personal_digest=record.personal_digest,
                prev_hash=record.prev_hash,
                hash=record.hash,
                seal=record.seal,
            )
        )
        previous[org] = (record.seq, record.hash)
    for org, (seq, last_hash) in previous.items():
        head = SimpleNamespace(organisation_id=org, last_seq=seq, last_hash=last_hash, seal="")
        seal_head(head, signing_key(org))  # type: ignore[arg-type]  # the columns seal_head reads
        _set_head(connection, org, seq, last_hash, head.seal)


def _plain_hash(record: Any, prev_hash: str) -> str:
    content = {name: getattr(record, name) for name in _CHAINED if name not in ("id", "created_at")}
    content["created_at"] = record.created_at.isoformat(timespec="microseconds")
    content["prev_hash"] = prev_hash
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def downgrade() -> None:
    """Revert (records go back to the unsealed SHA-256 chain; erased fields stay empty)."""
    connection = op.get_bind()
    table = _records(with_new=False)
    previous: dict[int, tuple[int, str]] = {}
    for row in _rows(connection, table):
        record = SimpleNamespace(**row._mapping)
        record.on_trainer_device, record.qr_verified = bool(record.on_trainer_device), bool(record.qr_verified)
        record.reason, record.ip, record.user_agent = record.reason or "", record.ip or "", record.user_agent or ""
        record.signature_sha256 = record.signature_sha256 or ""
        org = record.organisation_id
        prev_hash = previous.get(org, (0, GENESIS))[1]
        new_hash = _plain_hash(record, prev_hash)
        connection.execute(sa.update(table).where(table.c.id == record.id).values(prev_hash=prev_hash, hash=new_hash))
        previous[org] = (record.seq, new_hash)
    for org, (seq, last_hash) in previous.items():
        _set_head(connection, org, seq, last_hash, None)
    with op.batch_alter_table("attendanceheadpublication", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendanceheadpublication_organisation_id"))
    op.drop_table("attendanceheadpublication")
    with op.batch_alter_table("attendancechain", schema=None) as batch_op:
        batch_op.drop_column("seal")
    with op.batch_alter_table("attendancerecord", schema=None) as batch_op:
        batch_op.drop_column("seal")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("personal_digest")
        batch_op.drop_column("personal_salt")
