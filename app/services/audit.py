"""Write audit records for sensitive changes."""

from __future__ import annotations

import json
from typing import Any

from sqlmodel import Session

from app.models import AuditRecord
from app.services.actor import Actor


def record(
    db: Session,
    action: str,
    *,
    actor_user_id: int | None = None,
    organisation_id: int | None = None,
    target: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str = "",
) -> AuditRecord:
    """Add an audit record to the current transaction.

    Args:
        db: Database session.
        action: What happened (e.g. "auth.sign_in").
        actor_user_id: Who did it, when known.
        organisation_id: The organisation concerned.
        target: The object concerned ("user:12").
        before: Values before the change.
        after: Values after the change.
        ip: The client's address.

    Returns:
        The record (its id once flushed).
    """
    row = AuditRecord(
        action=action[:60],
        actor_user_id=actor_user_id,
        organisation_id=organisation_id,
        target=target[:200],  # a forged e-mail may be longer: PostgreSQL refuses what SQLite would store
        before=json.dumps(before, default=str) if before else "",
        after=json.dumps(after, default=str) if after else "",
        ip=ip[:64],
    )
    db.add(row)
    return row


def by_actor(
    db: Session,
    actor: Actor,
    action: str,
    *,
    organisation_id: int | None,
    target: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditRecord:
    """`record` for what a signed-in person did: their id and their address.

    Args:
        db: Database session.
        actor: Who did it.
        action: What happened (e.g. "document.upload").
        organisation_id: The organisation concerned.
        target: The object concerned ("document:12").
        before: Values before the change.
        after: Values after the change.

    Returns:
        The record (its id once flushed).
    """
    return record(
        db,
        action,
        actor_user_id=actor.user_id,
        organisation_id=organisation_id,
        target=target,
        before=before,
        after=after,
        ip=actor.ip,
    )


def update_after(db: Session, record_id: int, after: dict[str, Any]) -> None:
    """Update the "after" values of a record that aggregates repeated events (a count of refusals).

    Args:
        db: Database session.
        record_id: The record.
        after: The new values.
    """
    row = db.get(AuditRecord, record_id)
    if row is not None:
        row.after = json.dumps(after, default=str)
        db.add(row)
