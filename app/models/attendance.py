"""Attendance evidence: append-only signature records, hash-chained and sealed per organisation."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field

RECORD_KINDS = ("signature", "mark", "certification", "correction")
MARKS = ("absent", "late", "clear")
CORRECTED_STATUSES = ("present", "absent", "late")


class AttendanceRecord(SQLModel, table=True):
    """One fact about a slot's attendance sheet; never updated nor deleted.

    `kind` says what it is: a `signature` (its subject signed, themself or on the
    trainer's device), a `mark` (absent, late or cleared, with a comment), the
    sheet's `certification`, or a `correction` made after certification, which
    points to the record it corrects. `unique_key` makes a second signature of
    the same person for the same slot, or a second certification, impossible.

    The chain covers `personal_digest` (a salted SHA-256 of the personal fields:
    reason, IP, user agent, the drawing's SHA-256) instead of those fields, so a
    legal erasure can empty them (`erased_at`) and the chain still verifies; `seal`
    is the organisation's Ed25519 signature of `hash`, made with a key kept
    outside the database.
    """

    __table_args__ = (UniqueConstraint("organisation_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    seq: int
    session_id: int = Field(foreign_key="session.id", index=True)
    slot_id: int = Field(foreign_key="slot.id", index=True)
    kind: str = Field(max_length=15)
    subject_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    subject_role: str = Field(default="", max_length=10)
    status: str = Field(default="", max_length=10)
    recorded_by_id: int = Field(foreign_key="user.id")
    on_trainer_device: bool = False
    reason: str = Field(default="", max_length=300)
    corrects_id: int | None = Field(default=None, foreign_key="attendancerecord.id")
    signature_svg: str = ""
    signature_sha256: str = Field(default="", max_length=64)
    qr_verified: bool = False
    client_key: str = Field(default="", max_length=64)
    unique_key: str | None = Field(default=None, max_length=80, unique=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)
    personal_salt: str = Field(default="", max_length=32)
    personal_digest: str = Field(default="", max_length=64)
    erased_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field()
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    seal: str = Field(default="", max_length=128)


class AttendanceChain(SQLModel, table=True):
    """The head of an organisation's chain: the last sequence number and hash appended, sealed."""

    organisation_id: int = Field(primary_key=True, foreign_key="organisation.id")
    last_seq: int = 0
    last_hash: str = Field(default="", max_length=64)
    seal: str = Field(default="", max_length=128)


class AttendanceHeadPublication(SQLModel, table=True):
    """A chain head sent outside the database (e-mailed to the organisation's staff).

    One row per certification and per day the head changed; `unique_key`
    ("daily:<org>:<date>", "certification:<slot>") makes each one happen once
    across workers and restarts.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    reason: str = Field(max_length=15)
    unique_key: str = Field(max_length=80, unique=True)
    seq: int
    hash: str = Field(max_length=64)
    created_at: datetime = utc_field(default_now=True)
