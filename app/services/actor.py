"""Who is acting: built from the server-side session, never from the client."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """The signed-in person and their roles in the organisation they selected."""

    user_id: int
    session_id: int
    email: str
    display_name: str
    language: str = "fr"
    organisation_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)
    activated: bool = True
    mfa_pending: bool = False
    is_superuser: bool = False
    ip: str = ""

    @property
    def fully_signed_in(self) -> bool:
        """Whether the account is activated and the second factor (if any) passed."""
        return self.activated and not self.mfa_pending

    def has_role(self, *roles: str) -> bool:
        """Whether the actor holds one of the roles in the selected organisation.

        Args:
            *roles: Role names (staff, trainer, learner, tutor).

        Returns:
            True if any is held.
        """
        return self.fully_signed_in and bool(self.roles.intersection(roles))
