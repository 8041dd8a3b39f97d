"""A training session's status: draft → active → finished → archived (confirming e-mails everyone)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.live.bus import notify
from app.live.contract import StatusChanged, session_topic
from app.models import Slot
from app.services import audience, audit
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.notify import session_confirmation_emails

NEXT_STATUS = {"draft": "active", "active": "finished", "finished": "archived"}


def advance_status(db: Session, actor: Actor, session_id: int, to: str) -> None:
    """Move a session along draft → active → finished → archived.

    Confirming (draft → active) e-mails every trainer and learner the session's
    details, an "Ouvrir" link and `votre-session.ics` with its slots.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        to: The next status.

    Raises:
        PlumeError: NOT_FOUND, STATUS_CHANGE or NO_SLOTS.
    """
    training, _ = access_session(db, actor, session_id, Capability.EDIT)
    if NEXT_STATUS.get(training.status) != to:
        raise PlumeError(ErrorCode.STATUS_CHANGE)
    if to == "active":
        slots = list(db.exec(select(Slot).where(Slot.session_id == training.id)).all())
        if not slots:
            raise PlumeError(ErrorCode.NO_SLOTS)
        hidden = audience.restricted(db, [training.id or 0])  # their invitees had their own invitation
        session_confirmation_emails(db, training, [s for s in slots if s.activity_id not in hidden])
    before = training.status
    training.status = to
    db.add(training)
    audit.record(
        db,
        "session.status",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}",
        before={"status": before},
        after={"status": to},
    )
    notify(db, session_topic(training.id or 0), StatusChanged(status=to))
