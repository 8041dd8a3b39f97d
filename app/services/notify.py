"""E-mails about sessions: a trainer positioned, a session confirmed (with its .ics), a slot changed or cancelled."""

from __future__ import annotations

from email.utils import parseaddr
from html import escape

from sqlmodel import Session, col, select

from app.clock import PARIS
from app.models import Activity, Course, Enrolment, Organisation, Slot, TrainerPosition, TrainingSession, User
from app.services import audience
from app.services.calendar import invitation_ics, part_name, session_calendar, session_ics, slot_uid
from app.services.outbox import Attachment, enqueue_email
from app.services.templates import Template, get_template, render
from app.settings import get_settings

POSITIONED = {
    "fr": Template(
        "Vous êtes positionné sur la session {session}",
        "Bonjour {prenom},\n\n{organisation} vous a positionné comme formateur sur la session « {session} » "
        "({dates}).\n\nOuvrir : {lien}",
    ),
    "en": Template(
        "You are positioned on the session {session}",
        'Hello {prenom},\n\n{organisation} positioned you as a trainer on the session "{session}" '
        "({dates}).\n\nOpen: {lien}",
    ),
}


def _dates(training: TrainingSession) -> str:
    return f"{training.starts_on:%d/%m/%Y} – {training.ends_on:%d/%m/%Y}"


def _values(db: Session, training: TrainingSession, user: User) -> dict[str, str]:
    org = db.get(Organisation, training.organisation_id)
    return {
        "prenom": user.pseudonym or user.first_name,
        "nom": user.last_name,
        "organisation": org.name if org else "",
        "lien": f"{get_settings().base_url}/sessions/{training.id}",
        "session": training.title,
        "dates": _dates(training),
    }


def trainer_positioned_email(db: Session, training: TrainingSession, trainer: User) -> None:
    """Tell a trainer they were positioned on a session.

    Args:
        db: Database session.
        training: The session.
        trainer: The trainer.
    """
    message = render(POSITIONED.get(trainer.language, POSITIONED["fr"]), _values(db, training, trainer))
    enqueue_email(
        db, to=trainer.email, message=message, kind="trainer_positioned", organisation_id=training.organisation_id
    )


def _html(body: str, link: str, label: str) -> str:
    paragraphs = "".join(f"<p>{escape(p)}</p>" for p in body.split("\n\n") if link not in p)
    button = (
        f'<p><a href="{escape(link)}" style="display:inline-block;padding:10px 18px;background:#3e63dd;'
        f'color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600">{escape(label)}</a></p>'
    )
    return f'<html><body style="font-family:sans-serif">{paragraphs}{button}</body></html>'


def confirmation_recipients(db: Session, training: TrainingSession) -> tuple[list[User], list[User]]:
    """Who a session's confirmation e-mails: its trainers, then its learners (one e-mail each).

    The confirmation dialog counts these same people before staff confirm.

    Args:
        db: Database session.
        training: The session.

    Returns:
        The trainers and the learners (someone both is counted once, as a trainer).
    """
    trainer_ids = set(db.exec(select(TrainerPosition.user_id).where(TrainerPosition.session_id == training.id)).all())
    learner_ids = set(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == training.id)).all())
    people = db.exec(select(User).where(col(User.id).in_(trainer_ids | learner_ids)).order_by(col(User.id))).all()
    return [p for p in people if p.id in trainer_ids], [p for p in people if p.id not in trainer_ids]


def session_confirmation_emails(db: Session, training: TrainingSession, slots: list[Slot]) -> int:
    """E-mail every trainer and learner of a session its confirmation with `votre-session.ics`.

    Args:
        db: Database session.
        training: The session being confirmed.
        slots: Its slots.

    Returns:
        How many e-mails were queued.
    """
    course = db.get(Course, training.course_id)
    link = f"{get_settings().base_url}/sessions/{training.id}"
    calendar = session_calendar(db, training, slots, course_title=course.title if course else training.title)
    files: dict[str, bytes] = {}  # one file per language: the events are named in the reader's words
    trainers, learners = confirmation_recipients(db, training)
    people = [*trainers, *learners]

    def ics_for(language: str) -> bytes:
        if language not in files:
            files[language] = session_ics(calendar, slots, language=language)
        return files[language]

    for person in people:
        message = render(
            get_template(db, training.organisation_id, "session_confirmation", person.language),
            _values(db, training, person),
        )
        label = "Open" if person.language == "en" else "Ouvrir"
        enqueue_email(
            db,
            to=person.email,
            message=message,
            kind="session_confirmation",
            organisation_id=training.organisation_id,
            html=_html(message.body, link, label),
            attachment=Attachment("votre-session.ics", "text/calendar", ics_for(person.language)),
        )
    return len(people)


def _invitation_email(
    db: Session,
    training: TrainingSession,
    slot: Slot,
    person: User,
    *,
    kind: str,
    values: dict[str, str],
    ics: dict[str, object],
    filename: str,
) -> None:
    """Queue one person's e-mail about a slot, with its event (`invitation_ics`) attached.

    Args:
        db: Database session.
        training: The slot's session.
        slot: The slot.
        person: The recipient.
        kind: The template's kind.
        values: The template's values (`lien` included).
        ics: `invitation_ics`'s keyword arguments besides the slot and what this fills in (the message's text,
            the link, the attendee).
        filename: The attachment's name.
    """
    message = render(get_template(db, training.organisation_id, kind, person.language), values)
    event = invitation_ics(
        slot,
        description=message.body,
        url=values["lien"],
        attendee=(person.display_name, person.email),
        **ics,  # type: ignore[arg-type]
    )
    enqueue_email(
        db,
        to=person.email,
        message=message,
        kind=kind,
        organisation_id=training.organisation_id,
        html=_html(message.body, values["lien"], "Open" if person.language == "en" else "Ouvrir"),
        attachment=Attachment(filename, "text/calendar", event),
    )


def slot_change_emails(
    db: Session, training: TrainingSession, activity: Activity, slot: Slot, *, sequence: int, cancelled: bool = False
) -> int:
    """Tell a confirmed session's people that one of its slots moved or is cancelled, with the calendar update.

    Only once the session is confirmed (`active`): before, nobody holds its events. The .ics carries the slot's
    UID (a restricted class's per-person one, as in its invitation) and its new SEQUENCE, so calendars replace
    or remove the event they hold (METHOD:REQUEST, or CANCEL).

    Args:
        db: Database session.
        training: The slot's session.
        activity: The slot's activity.
        slot: The slot as it now is (or was, when cancelled).
        sequence: Its revision after this change.
        cancelled: Whether it is cancelled.

    Returns:
        How many e-mails were queued.
    """
    if training.status != "active":
        return 0
    trainers, learners = confirmation_recipients(db, training)
    invited = audience.slot_invitees(db, activity, slot)
    if invited is not None:
        learners = [p for p in learners if p.id in invited]
    organisation = db.get(Organisation, training.organisation_id)
    course = db.get(Course, training.course_id)
    organiser = (organisation.name if organisation else "Plume", parseaddr(get_settings().smtp_from)[1])
    start, finish = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    kind = "slot_cancelled" if cancelled else "slot_changed"
    people = [*trainers, *learners]
    for person in people:
        values = _values(db, training, person)
        values.update(titre=activity.title, date=f"{start:%d/%m/%Y}", debut=f"{start:%H:%M}", fin=f"{finish:%H:%M}")
        ics = {
            "uid": slot_uid(slot.id or 0, person.id if invited is not None else None),
            "summary": f"{course.title if course else training.title} — {part_name(slot, activity, person.language)}",
            "organiser": organiser,
            "sequence": sequence,
            "cancelled": cancelled,
        }
        _invitation_email(db, training, slot, person, kind=kind, values=values, ics=ics, filename="creneau.ics")
    return len(people)


def appointment_emails(
    db: Session,
    training: TrainingSession,
    activity: Activity,
    slot: Slot,
    *,
    learner: User,
    host: User,
    sequence: int = 0,
    cancelled: bool = False,
) -> None:
    """Tell a learner and the trainer who confirmed it that an appointment is confirmed, or cancelled.

    Each gets the event in their own words with their own UID (as a restricted class's invitation): the
    learner as a participant, the trainer as its chair.

    Args:
        db: Database session.
        training: The appointment's session.
        activity: The appointment activity.
        slot: The slot the learner's place is in.
        learner: The learner.
        host: The trainer (or staff member) who confirmed the place.
        sequence: The event's revision.
        cancelled: Whether it tells that the appointment is cancelled (METHOD:CANCEL).
    """
    organisation = db.get(Organisation, training.organisation_id)
    course = db.get(Course, training.course_id)
    organiser = (organisation.name if organisation else "Plume", parseaddr(get_settings().smtp_from)[1])
    start, finish = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    kind = "appointment_cancelled" if cancelled else "appointment_confirmed"
    for person, other, chair in ((learner, host, False), (host, learner, True)):
        values = _values(db, training, person)
        values.update(
            titre=activity.title,
            date=f"{start:%d/%m/%Y}",
            debut=f"{start:%H:%M}",
            fin=f"{finish:%H:%M}",
            avec=other.display_name,
        )
        ics = {
            "uid": slot_uid(slot.id or 0, person.id),
            "summary": f"{course.title if course else training.title} — {activity.title}",
            "organiser": organiser,
            "sequence": sequence,
            "chair": chair,
            "cancelled": cancelled,
        }
        _invitation_email(db, training, slot, person, kind=kind, values=values, ics=ics, filename="rendez-vous.ics")
