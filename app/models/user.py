"""People: one account per person, across organisations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, func
from sqlmodel import Field, SQLModel, col

from app.models.base import utc_field


class User(SQLModel, table=True):
    """A person's account (one e-mail, one password, many memberships)."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    pseudonym: str = Field(default="", max_length=100)
    password_hash: str = ""
    phone: str = Field(default="", max_length=32)
    phone_changes: int = 0
    phone_verified_at: datetime | None = utc_field(nullable=True)
    language: str = Field(default="fr", max_length=5)
    # Encrypted with crypto.encrypt_secret (key outside the database); see services/totp.py.
    totp_secret: str = Field(default="", max_length=255)
    totp_enabled: bool = False
    # The last TOTP time step accepted: a code of this step or an earlier one is refused (no replay).
    totp_last_step: int = 0
    is_active: bool = True
    is_superuser: bool = False
    created_at: datetime = utc_field(default_now=True)

    @property
    def display_name(self) -> str:
        """The name shown to others: the pseudonym, else first and last name."""
        if self.pseudonym:
            return self.pseudonym
        full = f"{self.first_name} {self.last_name}".strip()
        return full or self.email

    @property
    def is_activated(self) -> bool:
        """Whether the mobile number was confirmed with the activation code."""
        return self.phone_verified_at is not None


# One account per address whatever its case: services store addresses lower case (`auth.normalise_email`),
# and the database itself refuses "A@x.fr" beside "a@x.fr", from a bulk import or a hand-written query too.
Index("uq_user_email_lower", func.lower(col(User.email)), unique=True)


class PhoneActivation(SQLModel, table=True):
    """A 6-digit code sent by SMS to confirm a mobile number."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    phone: str = Field(max_length=32)
    code_hash: str = Field(max_length=128)
    attempts: int = 0
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)


class UserToken(SQLModel, table=True):
    """A single-use e-mailed link: password reset, e-mail change, or reverting an e-mail change."""

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    new_email: str = Field(default="", max_length=254)
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)


class SignUpRequest(SQLModel, table=True):
    """A sign-up waiting for its e-mail address to be confirmed; the account is created then."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    pseudonym: str = Field(default="", max_length=100)
    password_hash: str = ""
    phone: str = Field(default="", max_length=32)
    language: str = Field(default="fr", max_length=5)
    token_hash: str = Field(max_length=128, unique=True, index=True)
    created_at: datetime = utc_field(default_now=True)
    expires_at: datetime = utc_field()
    used_at: datetime | None = utc_field(nullable=True)
