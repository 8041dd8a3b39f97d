"""Audit trail of sensitive changes."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field


class AuditRecord(SQLModel, table=True):
    """Who did what, before and after, when (UTC)."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_now=True, index=True)
    actor_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    action: str = Field(max_length=60, index=True)
    target: str = Field(default="", max_length=200)
    before: str = ""
    after: str = ""
    ip: str = Field(default="", max_length=64)
