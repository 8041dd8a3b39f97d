"""Organisations, memberships, trainers and their invitations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.clock import paris_date_label, paris_datetime_label
from app.models import Invitation, Membership, Notification, Organisation, User
from app.models.base import utcnow
from app.services import audit, planning_rules
from app.services.accounts import clean_email, send_reset_link
from app.services.actor import Actor
from app.services.auth import normalise_email
from app.services.crypto import hash_token, new_token
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import enqueue_email, seal
from app.services.search import sort_key
from app.services.templates import get_template
from app.services.typed import clock_label, minutes_of, parse_time
from app.settings import get_settings

INVITATION_LIFETIME = timedelta(days=14)


@dataclass(frozen=True)
class OrganisationChoice:
    """One entry of the organisation switcher."""

    id: int
    name: str
    roles: tuple[str, ...]


def my_organisations(db: Session, actor: Actor) -> list[OrganisationChoice]:
    """The organisations the actor belongs to, by name.

    Args:
        db: Database session.
        actor: The signed-in actor.

    Returns:
        The switcher entries.
    """
    rows = db.exec(
        select(Organisation, Membership)
        .join(Membership, col(Membership.organisation_id) == col(Organisation.id))
        .where(Membership.user_id == actor.user_id)
        .order_by(sort_key(col(Organisation.name)), col(Organisation.id))
    ).all()
    order = ("staff", "trainer", "tutor", "learner")
    return [
        OrganisationChoice(id=org.id or 0, name=org.name, roles=tuple(r for r in order if r in m.roles))
        for org, m in rows
    ]


def require_staff(actor: Actor) -> int:
    """The organisation the actor is staff of.

    Args:
        actor: The signed-in actor.

    Returns:
        The organisation id.

    Raises:
        PlumeError: NOT_FOUND when the actor is not staff of the selected organisation.
    """
    if actor.organisation_id is None or not actor.has_role("staff"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return actor.organisation_id


@dataclass(frozen=True)
class TrainerRow:
    """One line of the staff's trainers page."""

    key: str
    name: str
    email: str
    kind: str
    status: str
    last_sent: str
    invitation_id: int
    user_id: int


def _fmt(dt: datetime | None) -> str:
    return paris_date_label(dt)


def list_trainers(db: Session, actor: Actor) -> list[TrainerRow]:
    """The organisation's trainers with their invitation status.

    Status is "accepted" (a member), "invited" (sent, not accepted) or
    "not_invited" (added by staff, no e-mail sent yet).

    Args:
        db: Database session.
        actor: A staff member.

    Returns:
        The rows, accepted first then by name.
    """
    org_id = require_staff(actor)
    rows: list[TrainerRow] = []
    members = db.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == org_id, col(Membership.is_trainer).is_(True))
    ).all()
    member_emails = set()
    for user, m in members:
        member_emails.add(user.email)
        rows.append(
            TrainerRow(
                key=f"u{user.id}",
                name=user.display_name,
                email=user.email,
                kind=m.trainer_kind,
                status="accepted",
                last_sent="",
                invitation_id=0,
                user_id=user.id or 0,
            )
        )
    invitations = db.exec(
        select(Invitation).where(
            Invitation.organisation_id == org_id,
            Invitation.role == "trainer",
            col(Invitation.accepted_at).is_(None),
        )
    ).all()
    for inv in invitations:
        if inv.email and inv.email in member_emails:
            continue
        name = f"{inv.first_name} {inv.last_name}".strip() or inv.email
        rows.append(
            TrainerRow(
                key=f"i{inv.id}",
                name=name,
                email=inv.email,
                kind=inv.trainer_kind,
                status="invited" if inv.sent_count else "not_invited",
                last_sent=_fmt(inv.last_sent_at),
                invitation_id=inv.id or 0,
                user_id=0,
            )
        )
    order = {"accepted": 0, "invited": 1, "not_invited": 2}
    rows.sort(key=lambda r: (order[r.status], r.name.lower()))
    return rows


def add_trainer(db: Session, actor: Actor, *, first_name: str, last_name: str, email: str, kind: str) -> Invitation:
    """Add a trainer to the organisation's list (not invited yet).

    Args:
        db: Database session.
        actor: A staff member.
        first_name: Trainer's first name.
        last_name: Trainer's last name.
        email: Trainer's e-mail (may be empty; needed to invite).
        kind: "internal" or "external".

    Returns:
        The new invitation row.

    Raises:
        PlumeError: NAME_REQUIRED, EMAIL_INVALID, ALREADY_MEMBER or INVALID_INPUT.
    """
    org_id = require_staff(actor)
    first, last = " ".join(first_name.split())[:100], " ".join(last_name.split())[:100]
    if not first or not last:
        raise PlumeError(ErrorCode.NAME_REQUIRED, field="first_name" if not first else "last_name")
    if kind not in ("internal", "external"):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    clean = clean_email(email) if email.strip() else ""
    if clean:
        _refuse_existing(db, org_id, clean)
    inv = Invitation(
        organisation_id=org_id,
        email=clean,
        first_name=first,
        last_name=last,
        role="trainer",
        trainer_kind=kind,
        token_hash=hash_token(new_token()),
        invited_by_id=actor.user_id,
    )
    db.add(inv)
    db.flush()
    audit.record(
        db,
        "trainer.add",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"invitation:{inv.id}",
        after={"email": clean, "name": f"{first} {last}"},
    )
    return inv


def _refuse_existing(db: Session, org_id: int, email: str, *, except_id: int | None = None) -> None:
    member = db.exec(
        select(Membership.id)
        .join(User, col(User.id) == col(Membership.user_id))
        .where(Membership.organisation_id == org_id, User.email == email, col(Membership.is_trainer).is_(True))
    ).first()
    pending = db.exec(
        select(Invitation.id).where(
            Invitation.organisation_id == org_id,
            Invitation.email == email,
            col(Invitation.accepted_at).is_(None),
            Invitation.role == "trainer",
        )
    ).first()
    if member is not None or (pending is not None and pending != except_id):
        raise PlumeError(ErrorCode.ALREADY_MEMBER, field="email")


def _own_invitation(db: Session, org_id: int, invitation_id: int) -> Invitation:
    inv = db.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None
    if inv is None or inv.organisation_id != org_id or inv.accepted_at is not None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return inv


def set_trainer_email(db: Session, actor: Actor, invitation_id: int, email: str) -> None:
    """Give a not-yet-accepted trainer an e-mail address.

    Args:
        db: Database session.
        actor: A staff member.
        invitation_id: The trainer's invitation row.
        email: The address.

    Raises:
        PlumeError: NOT_FOUND, EMAIL_REQUIRED, EMAIL_INVALID or ALREADY_MEMBER.
    """
    org_id = require_staff(actor)
    inv = _own_invitation(db, org_id, invitation_id)
    clean = clean_email(email)
    _refuse_existing(db, org_id, clean, except_id=inv.id)
    inv.email = clean
    db.add(inv)


def invite_trainer(db: Session, actor: Actor, invitation_id: int) -> None:
    """Send (or send again) the invitation e-mail with a fresh 14-day link.

    Args:
        db: Database session.
        actor: A staff member.
        invitation_id: The trainer's invitation row.

    Raises:
        PlumeError: NOT_FOUND, or EMAIL_REQUIRED when the trainer has no e-mail.
    """
    org_id = require_staff(actor)
    inv = _own_invitation(db, org_id, invitation_id)
    if not inv.email:
        raise PlumeError(ErrorCode.EMAIL_REQUIRED, field="email")
    token = new_token()
    inv.token_hash = hash_token(token)
    inv.sent_count += 1
    inv.last_sent_at = utcnow()
    inv.expires_at = utcnow() + INVITATION_LIFETIME
    db.add(inv)
    org = db.get(Organisation, org_id)
    assert org is not None
    existing = db.exec(select(User).where(User.email == inv.email)).first()
    language = existing.language if existing else "fr"
    # The outbox shows the invitation with its link masked; only the invitee gets the link.
    message = seal(
        get_template(db, org_id, "invitation", language),
        {
            "prenom": inv.first_name or (existing.first_name if existing else ""),
            "nom": inv.last_name or (existing.last_name if existing else ""),
            "organisation": org.name,
            "lien": f"{get_settings().base_url}/invitation?jeton={token}",
        },
        secret_tags=("lien",),
    )
    enqueue_email(db, to=inv.email, message=message, kind="invitation", organisation_id=org_id)
    audit.record(
        db,
        "trainer.invite",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"invitation:{inv.id}",
        after={"email": inv.email, "sent_count": inv.sent_count},
    )


def send_trainer_reset(db: Session, actor: Actor, user_id: int) -> None:
    """E-mail a password-reset link to an accepted trainer of the organisation.

    Args:
        db: Database session.
        actor: A staff member.
        user_id: The trainer.

    Raises:
        PlumeError: NOT_FOUND.
    """
    org_id = require_staff(actor)
    membership = db.exec(
        select(Membership).where(
            Membership.user_id == user_id,
            Membership.organisation_id == org_id,
            col(Membership.is_trainer).is_(True),
        )
    ).first()
    user = db.get(User, user_id) if membership else None
    if user is None or not user.is_active:
        raise PlumeError(ErrorCode.NOT_FOUND)
    send_reset_link(db, user, organisation_id=org_id)
    audit.record(
        db, "trainer.reset_sent", actor_user_id=actor.user_id, organisation_id=org_id, target=f"user:{user_id}"
    )


@dataclass(frozen=True)
class InvitationView:
    """What the invitation page shows."""

    organisation: str
    email: str
    first_name: str
    last_name: str
    account_exists: bool


def _find_invitation(db: Session, token: str) -> Invitation:
    inv = None
    if token and len(token) < 200:
        inv = db.exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).first()
    if (
        inv is None
        or inv.accepted_at is not None
        or inv.sent_count == 0
        or inv.expires_at is None
        or inv.expires_at <= utcnow()
    ):
        raise PlumeError(ErrorCode.INVITATION_INVALID)
    return inv


def view_invitation(db: Session, token: str) -> InvitationView:
    """Describe a valid invitation link.

    Args:
        db: Database session.
        token: From the link.

    Returns:
        The organisation and invited address.

    Raises:
        PlumeError: INVITATION_INVALID.
    """
    inv = _find_invitation(db, token)
    org = db.get(Organisation, inv.organisation_id)
    exists = db.exec(select(User.id).where(User.email == inv.email)).first() is not None
    return InvitationView(
        organisation=org.name if org else "",
        email=inv.email,
        first_name=inv.first_name,
        last_name=inv.last_name,
        account_exists=exists,
    )


def accept_invitation(db: Session, user_id: int, token: str) -> int:
    """Link an account to the inviting organisation with the invited role.

    Args:
        db: Database session.
        user_id: The account accepting (its e-mail must be the invited one).
        token: From the link.

    Returns:
        The organisation id.

    Raises:
        PlumeError: INVITATION_INVALID or INVITATION_EMAIL_MISMATCH.
    """
    inv = _find_invitation(db, token)
    user = db.get(User, user_id)
    if user is None:
        raise PlumeError(ErrorCode.INVITATION_INVALID)
    if normalise_email(user.email) != inv.email:
        raise PlumeError(ErrorCode.INVITATION_EMAIL_MISMATCH, email=inv.email)
    membership = db.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == inv.organisation_id)
    ).first()
    if membership is None:
        membership = Membership(user_id=user_id, organisation_id=inv.organisation_id)
    setattr(membership, f"is_{inv.role}", True)
    if inv.role == "trainer":
        membership.trainer_kind = inv.trainer_kind
    inv.accepted_at = utcnow()
    inv.accepted_by_id = user_id
    db.add(membership)
    db.add(inv)
    audit.record(
        db,
        "invitation.accept",
        actor_user_id=user_id,
        organisation_id=inv.organisation_id,
        target=f"invitation:{inv.id}",
    )
    return inv.organisation_id


@dataclass(frozen=True)
class NotificationRow:
    """One in-app notification."""

    id: int
    kind: str
    title: str
    link: str
    created_at: str
    unread: bool


def my_notifications(db: Session, actor: Actor, *, limit: int = 8) -> list[NotificationRow]:
    """The actor's latest notifications in the selected organisation.

    Args:
        db: Database session.
        actor: The signed-in actor.
        limit: At most this many.

    Returns:
        Newest first.
    """
    rows = db.exec(
        select(Notification)
        .where(Notification.user_id == actor.user_id, Notification.organisation_id == actor.organisation_id)
        .order_by(col(Notification.id).desc())
        .limit(limit)
    ).all()
    return [
        NotificationRow(
            id=n.id or 0,
            kind=n.kind,
            title=n.title,
            link=n.link,
            created_at=paris_datetime_label(n.created_at),
            unread=n.read_at is None,
        )
        for n in rows
    ]


def read_notifications(db: Session, actor: Actor) -> None:
    """Mark all of the actor's notifications read.

    Args:
        db: Database session.
        actor: The signed-in actor.
    """
    for n in db.exec(
        select(Notification).where(Notification.user_id == actor.user_id, col(Notification.read_at).is_(None))
    ).all():
        n.read_at = utcnow()
        db.add(n)


@dataclass(frozen=True)
class OrganisationSettings:
    """What staff set for their whole organisation."""

    name: str
    signing_window_minutes: int
    virtual_class_url: str
    holiday_region: str = ""
    school_zone: str = ""
    day_starts: str = "08:00"
    day_ends: str = "18:00"
    trainers_change_rooms: bool = False
    trainers_plan_slots: bool = False
    learners_propose_appointments: bool = False


def organisation_settings(db: Session, actor: Actor) -> OrganisationSettings:
    """The organisation's settings (staff).

    Args:
        db: Database session.
        actor: A staff member.

    Returns:
        The settings.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff.
    """
    org = db.get(Organisation, require_staff(actor))
    if org is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return OrganisationSettings(
        name=org.name,
        signing_window_minutes=org.signing_window_minutes,
        virtual_class_url=org.virtual_class_url,
        holiday_region=org.holiday_region,
        school_zone=org.school_zone,
        day_starts=clock_label(org.day_starts_minute),
        day_ends=clock_label(org.day_ends_minute),
        trainers_change_rooms=org.trainers_change_rooms,
        trainers_plan_slots=org.trainers_plan_slots,
        learners_propose_appointments=org.learners_propose_appointments,
    )


def save_settings(
    db: Session,
    actor: Actor,
    *,
    signing_window: str,
    virtual_class_url: str,
    holiday_region: str | None = None,
    school_zone: str | None = None,
    day_starts: str | None = None,
    day_ends: str | None = None,
    trainers_change_rooms: bool | None = None,
    trainers_plan_slots: bool | None = None,
    learners_propose_appointments: bool | None = None,
) -> None:
    """Change when signing opens before a slot (0–240 minutes), the default virtual class link, the planning rules.

    Args:
        db: Database session.
        actor: A staff member.
        signing_window: Minutes, as typed.
        virtual_class_url: An https:// address, or "" for generated Jitsi rooms.
        holiday_region: The region of its public holidays (`planning_rules.REGIONS`); None keeps it.
        school_zone: The zone of its school holidays ("", A, B, C); None keeps it.
        day_starts: When its business hours start (HH:MM); None keeps them.
        day_ends: When they end (HH:MM).
        trainers_change_rooms: Whether its trainers may move their own slots to another room; None keeps it.
        trainers_plan_slots: Whether its trainers plan their sessions' slots themselves; None keeps it.
        learners_propose_appointments: Whether a learner may propose an appointment time; None keeps it.

    Raises:
        PlumeError: NOT_FOUND, NUMBER_RANGE (field signing_window, 0 to 240), LINK_INVALID_URL (field
            virtual_class_url), INVALID_INPUT (field holiday_region or school_zone), TIME_INVALID or TIME_ORDER.
    """
    org = db.get(Organisation, require_staff(actor))
    if org is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    raw = signing_window.strip()
    if not raw.isdigit() or not 0 <= int(raw) <= 240:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="signing_window", low="0", high="240")
    url = virtual_class_url.strip()
    if url and (not url.startswith("https://") or len(url) > 500 or any(c.isspace() for c in url)):
        raise PlumeError(ErrorCode.LINK_INVALID_URL, field="virtual_class_url")
    rules = _planning_settings(org, holiday_region, school_zone, day_starts, day_ends)
    before = {
        "signing_window_minutes": org.signing_window_minutes,
        "virtual_class_url": org.virtual_class_url,
        "holiday_region": org.holiday_region,
        "school_zone": org.school_zone,
        "day_starts_minute": org.day_starts_minute,
        "day_ends_minute": org.day_ends_minute,
        "trainers_change_rooms": org.trainers_change_rooms,
        "trainers_plan_slots": org.trainers_plan_slots,
        "learners_propose_appointments": org.learners_propose_appointments,
    }
    org.signing_window_minutes, org.virtual_class_url = int(raw), url
    if trainers_change_rooms is not None:
        org.trainers_change_rooms = trainers_change_rooms
    if trainers_plan_slots is not None:
        org.trainers_plan_slots = trainers_plan_slots
    if learners_propose_appointments is not None:
        org.learners_propose_appointments = learners_propose_appointments
    org.holiday_region, org.school_zone, org.day_starts_minute, org.day_ends_minute = rules
    db.add(org)
    audit.record(
        db,
        "organisation.settings",
        actor_user_id=actor.user_id,
        organisation_id=org.id,
        target=f"organisation:{org.id}",
        before=before,
        after={
            "signing_window_minutes": org.signing_window_minutes,
            "virtual_class_url": url,
            "holiday_region": org.holiday_region,
            "school_zone": org.school_zone,
            "day_starts_minute": org.day_starts_minute,
            "day_ends_minute": org.day_ends_minute,
            "trainers_change_rooms": org.trainers_change_rooms,
            "trainers_plan_slots": org.trainers_plan_slots,
            "learners_propose_appointments": org.learners_propose_appointments,
        },
    )


def _planning_settings(
    org: Organisation, region: str | None, zone: str | None, starts: str | None, ends: str | None
) -> tuple[str, str, int, int]:
    """The planning rules typed in the settings form, checked (None: keep the organisation's)."""
    if region is not None and region not in planning_rules.REGIONS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="holiday_region")
    if zone is not None and zone not in planning_rules.SCHOOL_ZONES:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="school_zone")
    start_minute, end_minute = org.day_starts_minute, org.day_ends_minute
    if starts is not None or ends is not None:
        first, last = parse_time(starts or "", "day_starts"), parse_time(ends or "", "day_ends")
        start_minute, end_minute = minutes_of(first), minutes_of(last)
        if end_minute <= start_minute:
            raise PlumeError(ErrorCode.TIME_ORDER, field="day_ends")
    chosen_region = org.holiday_region if region is None else region
    return chosen_region, org.school_zone if zone is None else zone, start_minute, end_minute
