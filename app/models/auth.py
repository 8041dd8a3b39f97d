"""Server-side sign-in sessions and the throttle's memory of attempts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field


class AuthSession(SQLModel, table=True):
    """One signed-in browser: only the hash of its token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    current_organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    mfa_pending: bool = False
    created_at: datetime = utc_field(default_now=True)
    last_seen_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    revoked_at: datetime | None = utc_field(nullable=True)
    ip: str = Field(default="", max_length=64)
    user_agent: str = Field(default="", max_length=300)


class LoginAttempt(SQLModel, table=True):
    """One guess at a guessable input (password, code, reset), for throttling."""

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=20, index=True)
    key: str = Field(max_length=300, index=True)
    success: bool = False
    at: datetime = utc_field(default_now=True, index=True)
