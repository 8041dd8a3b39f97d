"""Shared column helpers: UTC-aware datetimes and timestamps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, String
from sqlalchemy.types import TypeDecorator, TypeEngine
from sqlmodel import Field


def utcnow() -> datetime:
    """The current time, timezone-aware UTC.

    Returns:
        Now, in UTC.
    """
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite gives it back aware too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Refuse naive datetimes; store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            msg = "naive datetime given to a UTC column"
            raise ValueError(msg)
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Give back an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def sort_key_type(length: int) -> TypeEngine[str]:
    """The type of a sort key column (a name lower case without accents), compared code point by code point.

    SQLite compares text byte by byte (BINARY); a PostgreSQL database created with a language's locale
    would ignore spaces and hyphens ("de la Tour" beside "Delatour"). The "C" collation on PostgreSQL
    gives the order SQLite and Python's `sorted` give, and the index on the column still serves it.

    Args:
        length: The column's maximum length.

    Returns:
        The column type.
    """
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def utc_field(*, nullable: bool = False, index: bool = False, default_now: bool = False) -> Any:
    """A UTC datetime column.

    Args:
        nullable: Whether the column may be empty.
        index: Whether to index it.
        default_now: Whether new rows get the current time.

    Returns:
        The SQLModel field.
    """
    if default_now:
        return Field(default_factory=utcnow, sa_type=UTCDateTime, nullable=nullable, index=index)
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)
