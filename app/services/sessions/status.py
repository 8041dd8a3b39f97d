"""A training session's status: draft → active → finished → archived (confirming e-mails everyone).

Staff move a session along (EDIT); archiving is also open to the session's own trainers
(`access.Capability.ARCHIVE`), and taking it out of the archive is staff's only (RESTORE).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from app.live.bus import notify
from app.live.contract import StatusChanged, session_topic
from app.models import Enrolment, Slot
from app.services import archives, audience, audit
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.notify import confirmation_recipients, session_confirmation_emails

NEXT_STATUS = {"draft": "active", "active": "finished", "finished": "archived"}


def _capability(to: str) -> Capability:
    """Staff change a session's status; its trainers may archive it too."""
    return Capability.ARCHIVE if to == "archived" else Capability.EDIT


@dataclass(frozen=True)
class StatusChange:
    """What moving a session to its next status will do, said to staff before they confirm it."""

    next_status: str
    trainers: int  # e-mails to trainers (confirming only)
    learners: int  # e-mails to learners when confirming; the learners concerned otherwise
    slots: int


def status_change(db: Session, actor: Actor, session_id: int, to: str) -> StatusChange:
    """What `advance_status(…, to)` would do, without doing it.

    Args:
        db: Database session.
        actor: A staff member (or a trainer of the session, archiving).
        session_id: The session.
        to: The next status.

    Returns:
        The e-mails it sends (to whom) or the learners it concerns, and the slots.

    Raises:
        PlumeError: NOT_FOUND, STATUS_CHANGE or NO_SLOTS (confirming a session without slots).
    """
    training, _ = access_session(db, actor, session_id, _capability(to) if isinstance(to, str) else Capability.EDIT)
    if NEXT_STATUS.get(training.status) != to:
        raise PlumeError(ErrorCode.STATUS_CHANGE)
    slots = int(db.exec(select(func.count()).select_from(Slot).where(Slot.session_id == training.id)).one())
    if to == "active":
        if not slots:  # said before the dialog opens, as confirming would refuse
            raise PlumeError(ErrorCode.NO_SLOTS)
        trainers, learners = confirmation_recipients(db, training)
        return StatusChange(next_status=to, trainers=len(trainers), learners=len(learners), slots=slots)
    enrolled = db.exec(select(func.count()).select_from(Enrolment).where(Enrolment.session_id == training.id)).one()
    return StatusChange(next_status=to, trainers=0, learners=int(enrolled), slots=slots)


def advance_status(db: Session, actor: Actor, session_id: int, to: str, category: str = "") -> None:
    """Move a session along draft → active → finished → archived.

    Confirming (draft → active) e-mails every trainer and learner the session's
    details, an "Ouvrir" link and `votre-session.ics` with its slots. Archiving
    (staff, or a trainer of the session) files the session under the name of one of
    its organisation's archive categories; from then on it is read-only for everyone
    (`access`: no grant that writes holds on it).

    Args:
        db: Database session.
        actor: A staff member (or a trainer of the session, archiving).
        session_id: The session.
        to: The next status.
        category: The key of one of the organisation's archive categories (archiving only).

    Raises:
        PlumeError: NOT_FOUND, STATUS_CHANGE, NO_SLOTS, or ARCHIVE_CATEGORY (archiving without a known category).
    """
    training, _ = access_session(db, actor, session_id, _capability(to) if isinstance(to, str) else Capability.EDIT)
    if NEXT_STATUS.get(training.status) != to:
        raise PlumeError(ErrorCode.STATUS_CHANGE)
    name = ""
    if to == "archived":
        name = archives.category_name(db, training.organisation_id, category)
        training.archive_category = name
    if to == "active":
        slots = list(db.exec(select(Slot).where(Slot.session_id == training.id)).all())
        if not slots:
            raise PlumeError(ErrorCode.NO_SLOTS)
        # A restricted class's invitees had their own invitation; an appointment's times are sent once confirmed.
        hidden = set(audience.restricted(db, [training.id or 0])) | audience.per_slot(db, [training.id or 0])
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
        after={"status": to, "category": name} if to == "archived" else {"status": to},
    )
    notify(db, session_topic(training.id or 0), StatusChanged(status=to))


def unarchive(db: Session, actor: Actor, session_id: int) -> None:
    """Take a session out of the archive (back to finished): staff only (RESTORE), audited.

    Args:
        db: Database session.
        actor: Staff of the session's organisation.
        session_id: An archived session.

    Raises:
        PlumeError: NOT_FOUND for anyone else, or a session that is not archived.
    """
    training, _ = access_session(db, actor, session_id, Capability.RESTORE)
    category = training.archive_category
    training.status, training.archive_category = "finished", ""
    db.add(training)
    audit.record(
        db,
        "session.unarchive",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}",
        before={"status": "archived", "category": category},
        after={"status": "finished"},
    )
    notify(db, session_topic(training.id or 0), StatusChanged(status="finished"))
