"""Every outgoing message is written here first, then sent."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field

CHANNELS = ("email", "sms")
STATUSES = ("pending", "sent", "failed", "stored")


class OutboxEmail(SQLModel, table=True):
    """An e-mail (or SMS, channel="sms") waiting, sent or failed.

    Personal messages (reset, e-mail change, activation codes) have no organisation,
    so no staff outbox lists them.
    """

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    channel: str = Field(default="email", max_length=10)
    kind: str = Field(default="", max_length=40)
    to: str = Field(max_length=254, index=True)
    subject: str = Field(default="", max_length=300)
    body: str = ""
    body_html: str = ""
    attachment_name: str = Field(default="", max_length=120)
    attachment_type: str = Field(default="", max_length=100)
    attachment_data: str = ""
    # One-time secrets (reset/invitation links, codes): the real message, encrypted with a key
    # derived from the secret key outside the database; `subject`/`body` keep a redacted copy.
    sealed: str = ""
    status: str = Field(default="pending", max_length=10, index=True)
    attempts: int = 0
    last_error: str = Field(default="", max_length=500)
    created_at: datetime = utc_field(default_now=True, index=True)
    next_attempt_at: datetime = utc_field(default_now=True)
    sent_at: datetime | None = utc_field(nullable=True)
