"""Publishing an organisation's chain head outside the database.

A head e-mailed to the organisation's staff (on each certification, and once a
day when it changed) or printed on a PDF sheet is a copy a database writer cannot
reach: `plume verify-attendance --head HASH` later proves the chain still holds
that record, so a truncation or a rewrite before it is detected.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import AttendanceChain, AttendanceHeadPublication, Membership, Organisation, User
from app.services.outbox import enqueue_email
from app.services.templates import Template
from app.settings import get_settings


@dataclass(frozen=True)
class Recipient:
    """A staff member who receives published heads."""

    email: str
    first_name: str


def verification_url(organisation_id: int, head_hash: str) -> str:
    """The page that says whether a published head is still in the organisation's chain.

    Args:
        organisation_id: The organisation.
        head_hash: The published head.

    Returns:
        The absolute URL.
    """
    return f"{get_settings().base_url.rstrip('/')}/api/attendance/verifier/{int(organisation_id)}/{head_hash}"


def head_recipients(db: Session, organisation_id: int) -> list[Recipient]:
    """The organisation's active staff, who receive its published heads.

    Args:
        db: Database session.
        organisation_id: The organisation.

    Returns:
        The recipients, by e-mail.
    """
    users = db.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(
            Membership.organisation_id == organisation_id,
            col(Membership.is_staff).is_(True),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.email))
    ).all()
    return [Recipient(email=u.email, first_name=u.first_name) for u in users]


def _message(
    organisation: Organisation, seq: int, head_hash: str, *, reason: str, what: str, first_name: str
) -> Template:
    why = (
        f"La feuille d'émargement « {what} » vient d'être certifiée."
        if reason == "certification"
        else "Voici l'empreinte du jour de vos feuilles d'émargement."
    )
    body = (
        f"Bonjour {first_name},\n\n{why}\n\n"
        f"Empreinte de la chaîne d'émargement de {organisation.name} (enregistrement n° {seq}) :\n"
        f"{head_hash}\n\n"
        "Conservez ce message : il prouve l'état des émargements à cette date. Un auditeur le vérifie avec\n"
        f"  plume verify-attendance --organisation {organisation.id} --public-key CLE.pem --head {head_hash}\n"
        f"ou en ligne : {verification_url(organisation.id or 0, head_hash)}\n\n"
        "Plume"
    )
    return Template(subject=f"Empreinte des émargements de {organisation.name} (n° {seq})", body=body)


def publish_head(
    db: Session,
    organisation: Organisation,
    seq: int,
    head_hash: str,
    *,
    reason: str,
    unique_key: str,
    recipients: list[Recipient],
    what: str = "",
) -> AttendanceHeadPublication:
    """Record a published head and e-mail it to the staff, in the caller's transaction.

    Args:
        db: Database session (not committed here).
        organisation: The organisation.
        seq: The head record's sequence number.
        head_hash: The head record's hash.
        reason: "certification" or "daily".
        unique_key: Makes the publication happen once ("certification:<slot>", "daily:<org>:<date>").
        recipients: Who receives it (from `head_recipients`).
        what: The certified sheet, for the message.

    Returns:
        The publication row.
    """
    row = AttendanceHeadPublication(
        organisation_id=organisation.id or 0, reason=reason, unique_key=unique_key, seq=seq, hash=head_hash
    )
    db.add(row)
    for person in recipients:
        enqueue_email(
            db,
            to=person.email,
            message=_message(organisation, seq, head_hash, reason=reason, what=what, first_name=person.first_name),
            kind="attendance_head",
            organisation_id=organisation.id,
        )
    return row


def publish_daily_heads(db: Session, today: date) -> int:
    """E-mail each organisation's head once a day, when it changed since its last publication.

    Safe to run from several workers at once and again after a restart: the
    publication's unique key lets one transaction per organisation and day commit.

    Args:
        db: Database session (committed per organisation).
        today: The day (Paris time).

    Returns:
        How many heads were published.
    """
    published = 0
    for head in db.exec(select(AttendanceChain).where(col(AttendanceChain.last_seq) > 0)).all():
        org_id = head.organisation_id
        last = db.exec(
            select(AttendanceHeadPublication.hash)
            .where(AttendanceHeadPublication.organisation_id == org_id)
            .order_by(col(AttendanceHeadPublication.id).desc())
        ).first()
        organisation = db.get(Organisation, org_id)
        if last == head.last_hash or organisation is None:
            continue
        key = f"daily:{org_id}:{today.isoformat()}"
        if db.exec(select(AttendanceHeadPublication.id).where(AttendanceHeadPublication.unique_key == key)).first():
            continue
        publish_head(
            db,
            organisation,
            head.last_seq,
            head.last_hash,
            reason="daily",
            unique_key=key,
            recipients=head_recipients(db, org_id),
        )
        try:
            db.commit()
        except IntegrityError:  # another worker published it first
            db.rollback()
            continue
        published += 1
    return published
