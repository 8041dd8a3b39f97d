"""What each person sees after signing in: their sessions, or the staff dashboard."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import ColumnElement, case, func, or_
from sqlmodel import Session, col, select

from app.clock import PARIS, paris_datetime_label, paris_day, paris_time_label
from app.models import (
    Course,
    Enrolment,
    Invitation,
    Membership,
    OutboxEmail,
    Slot,
    TrainingSession,
)
from app.models.base import utcnow
from app.services import access, audience, follow_up
from app.services.access import Capability
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.orgs import require_staff
from app.services.outbox import Attachment


@dataclass(frozen=True)
class SessionCard:
    """One session as a card on a home page."""

    id: int
    course_title: str
    title: str
    starts_on: str
    ends_on: str
    status: str
    next_slot: str
    running_until: str  # "12:30" (Paris) while one of its slots runs, else ""
    place: str
    learners: int
    # The learner's own progress bar on the session (`Ma barre de progression`), when they are enrolled on it.
    segments: list[follow_up.Segment] = field(default_factory=list)


@dataclass(frozen=True)
class HomeSections:
    """The three sections of a trainer's or learner's home."""

    in_progress: list[SessionCard]
    upcoming: list[SessionCard]
    finished: list[SessionCard]


def paris_today() -> date:
    """Today's date in France.

    Returns:
        The date.
    """
    return paris_day(utcnow())


def _section(training: TrainingSession, today: date) -> str | None:
    if training.status == "archived":
        return None
    if training.status == "finished" or training.ends_on < today:
        if training.availability_ends_on is not None and training.availability_ends_on < today:
            return None
        return "finished"
    if training.starts_on > today:
        return "upcoming"
    return "in_progress"


def _utc(value: datetime | None) -> datetime | None:
    """A stored instant as an aware UTC datetime (SQLite hands aggregates back naive)."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _cards(
    db: Session, sessions: list[TrainingSession], hidden: set[int] | None = None, now: datetime | None = None
) -> dict[int, SessionCard]:
    if not sessions:
        return {}
    ids = [s.id for s in sessions]
    now = now or utcnow()
    starts, ends = col(Slot.starts_at), col(Slot.ends_at)
    # One query for both: the next slot to start, and the end of the one running now (the card says "until").
    upcoming = select(
        Slot.session_id, func.min(case((starts > now, starts))), func.max(case((starts <= now, ends)))
    ).where(col(Slot.session_id).in_(ids), ends >= now)
    if hidden:  # virtual classes the learner is not invited to are not their next slot
        upcoming = upcoming.where(or_(col(Slot.activity_id).is_(None), col(Slot.activity_id).not_in(sorted(hidden))))
    found = db.exec(upcoming.group_by(col(Slot.session_id))).all()
    next_slots: dict[int, datetime | None] = {sid: _utc(first) for sid, first, _ in found}
    running_until: dict[int, datetime | None] = {sid: _utc(until) for sid, _, until in found}
    counts = dict(
        db.exec(
            select(Enrolment.session_id, func.count(col(Enrolment.id)))
            .where(col(Enrolment.session_id).in_(ids))
            .group_by(col(Enrolment.session_id))
        ).all()
    )
    courses = {
        c.id: c for c in db.exec(select(Course).where(col(Course.id).in_({s.course_id for s in sessions}))).all()
    }
    cards = {}
    for s in sessions:
        assert s.id is not None
        nxt = next_slots.get(s.id)
        course = courses.get(s.course_id)
        cards[s.id] = SessionCard(
            id=s.id,
            course_title=course.title if course else s.title,
            title=s.title,
            starts_on=s.starts_on.isoformat(),
            ends_on=s.ends_on.isoformat(),
            status=s.status,
            next_slot=nxt.astimezone(PARIS).isoformat() if nxt else "",
            running_until=paris_time_label(running_until.get(s.id)),
            place=s.place,
            learners=counts.get(s.id, 0),
        )
    return cards


def home_sections(db: Session, actor: Actor, now: datetime | None = None) -> HomeSections:
    """The actor's sessions in the selected organisation: in progress, upcoming, finished.

    Trainers see the sessions they are positioned on, learners those they are
    enrolled in (once confirmed), tutors those they follow: `access.Capability.MINE`.
    Finished sessions stay until the session's availability end date.

    Args:
        db: Database session.
        actor: The signed-in actor.
        now: The time to judge the cards' slots at (now by default).

    Returns:
        The three sections, each sorted by date.
    """
    org_id = actor.organisation_id
    if org_id is None:
        return HomeSections([], [], [])
    mine = access.session_filter(actor, Capability.MINE)
    query = select(TrainingSession).where(TrainingSession.organisation_id == org_id, mine)
    sessions = list(db.exec(query).all())
    only_learner: set[int] = set()
    if sessions and not actor.has_role("staff"):
        # Where they only learn, the virtual classes they are not invited to stay off their cards.
        teaching = access.session_filter(actor, Capability.CORRECT)  # their sessions as a trainer or a tutor
        taught = set(db.exec(select(TrainingSession.id).where(TrainingSession.organisation_id == org_id, teaching)))
        only_learner = {s.id for s in sessions if s.id is not None and s.id not in taught}
    today = paris_today()
    # Nor an appointment's times (theirs is in "Mes prochains créneaux" once confirmed).
    hidden = audience.hidden_from(db, only_learner, actor.user_id) | audience.per_slot(db, only_learner)
    cards = _cards(db, sessions, hidden, now)
    for sid, segments in follow_up.bars(db, actor.user_id, list(cards), now=now).items():
        cards[sid] = replace(cards[sid], segments=segments)
    buckets: dict[str, list[SessionCard]] = {"in_progress": [], "upcoming": [], "finished": []}
    for s in sorted(sessions, key=lambda s: (s.starts_on, s.id or 0)):
        section = _section(s, today)
        if section is not None and s.id in cards:
            buckets[section].append(cards[s.id])
    buckets["finished"].reverse()
    return HomeSections(buckets["in_progress"], buckets["upcoming"], buckets["finished"])


@dataclass(frozen=True)
class Dashboard:
    """The staff's organisation dashboard."""

    sessions_in_progress: int
    sessions_upcoming: int
    learners: int
    trainers: int
    pending_invitations: int
    outbox_failed: int
    sessions: list[SessionCard]


def staff_dashboard(db: Session, actor: Actor) -> Dashboard:
    """Figures and current sessions of the staff's organisation.

    Args:
        db: Database session.
        actor: A staff member.

    Returns:
        The dashboard.
    """
    org_id = require_staff(actor)
    today = paris_today()
    sessions = list(
        db.exec(
            select(TrainingSession)
            .where(TrainingSession.organisation_id == org_id, col(TrainingSession.status).in_(("draft", "active")))
            .where(TrainingSession.ends_on >= today)
            .order_by(col(TrainingSession.starts_on))
            .limit(12)
        ).all()
    )

    def count(query: object) -> int:
        return int(db.exec(query).one())  # type: ignore[call-overload]  # scalar count queries

    in_progress = count(
        select(func.count(col(TrainingSession.id))).where(
            TrainingSession.organisation_id == org_id,
            TrainingSession.status == "active",
            TrainingSession.starts_on <= today,
            TrainingSession.ends_on >= today,
        )
    )
    upcoming = count(
        select(func.count(col(TrainingSession.id))).where(
            TrainingSession.organisation_id == org_id,
            col(TrainingSession.status).in_(("draft", "active")),
            TrainingSession.starts_on > today,
        )
    )
    learners = count(
        select(func.count(col(Membership.id))).where(
            Membership.organisation_id == org_id, col(Membership.is_learner).is_(True)
        )
    )
    trainers = count(
        select(func.count(col(Membership.id))).where(
            Membership.organisation_id == org_id, col(Membership.is_trainer).is_(True)
        )
    )
    pending = count(
        select(func.count(col(Invitation.id))).where(
            Invitation.organisation_id == org_id, col(Invitation.accepted_at).is_(None)
        )
    )
    failed = count(
        select(func.count(col(OutboxEmail.id))).where(
            OutboxEmail.organisation_id == org_id, OutboxEmail.status == "failed"
        )
    )
    cards = _cards(db, sessions)
    return Dashboard(
        sessions_in_progress=in_progress,
        sessions_upcoming=upcoming,
        learners=learners,
        trainers=trainers,
        pending_invitations=pending,
        outbox_failed=failed,
        sessions=[cards[s.id] for s in sessions if s.id in cards],
    )


@dataclass(frozen=True)
class OutboxRow:
    """One message on the staff's outbox page."""

    id: int
    channel: str
    kind: str
    to: str
    subject: str
    body: str
    status: str
    attempts: int
    last_error: str
    created_at: str
    attachment_name: str = ""  # "" for none
    attachment_url: str = ""  # its download route; "" for none, and for a message carrying a one-time secret
    attachment_hidden: bool = False  # it has one, kept from view with the message's secret


def outbox_attachment_path(outbox_id: int) -> str:
    """The download route of an outbox message's attachment (`app/api/outbox.py`).

    Args:
        outbox_id: The message.

    Returns:
        The path.
    """
    return f"/api/outbox/{outbox_id}/attachment"


def _outbox_visible(actor: Actor) -> ColumnElement[bool]:
    """Which outbox rows a staff member sees: the one rule of the list, a message and its attachment.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff.
    """
    org_id = require_staff(actor)
    mine = col(OutboxEmail.organisation_id) == org_id
    if actor.is_superuser:
        mine = or_(mine, col(OutboxEmail.organisation_id).is_(None))
    return mine


def outbox_attachment(db: Session, actor: Actor, outbox_id: int) -> Attachment:
    """The file attached to an outbox message, for staff who see the message.

    A message carrying a one-time secret (`outbox.seal`) keeps its attachment hidden like its secret.

    Args:
        db: Database session.
        actor: A staff member.
        outbox_id: The message.

    Returns:
        The file: its name, content type and bytes.

    Raises:
        PlumeError: NOT_FOUND for a missing, hidden, sealed or attachment-less message alike.
    """
    row = db.exec(select(OutboxEmail).where(_outbox_visible(actor), col(OutboxEmail.id) == outbox_id)).first()
    if row is None or row.sealed or not row.attachment_name or not row.attachment_data:
        raise PlumeError(ErrorCode.NOT_FOUND)
    try:
        data = base64.b64decode(row.attachment_data, validate=True)
    except binascii.Error as exc:
        raise PlumeError(ErrorCode.NOT_FOUND) from exc
    return Attachment(row.attachment_name, row.attachment_type or "application/octet-stream", data)


def list_outbox(db: Session, actor: Actor, *, status: str = "", limit: int = 100) -> list[OutboxRow]:
    """The organisation's latest outgoing messages, one-time secrets masked.

    Personal messages (reset, e-mail change, activation codes) belong to no organisation:
    only a superuser sees them listed, and never their secret.

    Args:
        db: Database session.
        actor: A staff member.
        status: Only this status, if given.
        limit: At most this many.

    Returns:
        Newest first.
    """
    query = select(OutboxEmail).where(_outbox_visible(actor))
    if status:
        query = query.where(OutboxEmail.status == status)
    rows = db.exec(query.order_by(col(OutboxEmail.id).desc()).limit(limit)).all()
    return [
        OutboxRow(
            id=r.id or 0,
            channel=r.channel,
            kind=r.kind,
            to=r.to,
            subject=r.subject,
            body=r.body,
            status=r.status,
            attempts=r.attempts,
            last_error=r.last_error,
            created_at=paris_datetime_label(r.created_at),
            attachment_name=r.attachment_name,
            attachment_url=outbox_attachment_path(r.id or 0) if r.attachment_name and not r.sealed else "",
            attachment_hidden=bool(r.attachment_name and r.sealed),
        )
        for r in rows
    ]
