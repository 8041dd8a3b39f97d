"""A session's chat room: messages and where each member stopped reading."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field


class ChatMessage(SQLModel, table=True):
    """One message of a session's room; removed messages stay, emptied, for the audit trail."""

    __table_args__ = (UniqueConstraint("author_id", "client_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    author_id: int = Field(foreign_key="user.id", index=True)
    client_id: str = Field(max_length=64)
    body: str = ""
    document_id: int | None = Field(default=None, foreign_key="document.id")
    created_at: datetime = utc_field(default_now=True, index=True)
    edited_at: datetime | None = utc_field(nullable=True)
    deleted_at: datetime | None = utc_field(nullable=True)
    deleted_by_id: int | None = Field(default=None, foreign_key="user.id")


class ChatRead(SQLModel, table=True):
    """The last message a member has seen in a room (unread counts start after it)."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    last_read_id: int = 0
