"""Virtual classes a tutor creates for some learners of a session (the tutoring centre's `Classe virtuelle`).

The class is an ordinary `virtual_class` activity with its slot, in a module
"Classes virtuelles de tutorat" at the end of the session's "during" phase; its
settings list the learners invited, and `app.services.audience` keeps it off
everyone else's timeline, sheet, home page and progress. It belongs to the person
who created it (`audience.leader`): they lead it on its sheet in place of the
session's trainers, who are not part of it. It may be planned any day of the
course's access period (the session's start to its `availability_ends_on`, or its
end when the session sets none). Each invitee, and the leader, gets an e-mail with
an .ics invitation (ORGANIZER the leader) pointing to the slot's attendance sheet:
the meeting link itself stays behind signing for the learners, as for every
virtual class.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session, col, select

from app.clock import PARIS, date_label
from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import Activity, Enrolment, Module, Organisation, Slot, TrainingSession, User
from app.services import audit, progress
from app.services.access import access_followed_session
from app.services.actor import Actor
from app.services.calendar import invitation_ics, join_page, sequences, slot_uid
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import Attachment, enqueue_email
from app.services.templates import get_template, render
from app.services.typed import parse_date, parse_time

MODULE_TITLE = "Classes virtuelles de tutorat"
MAX_INVITEES = 10_000


def _day(value: object) -> date:
    if not isinstance(value, str):
        raise PlumeError(ErrorCode.DATE_INVALID, field="day")
    return parse_date(value, "day")


def _link(value: object) -> str:
    url = value.strip() if isinstance(value, str) else ""
    if url and (not url.startswith("https://") or len(url) > 500 or any(c.isspace() for c in url)):
        raise PlumeError(ErrorCode.LINK_INVALID_URL, field="link")
    return url


def _invitees(db: Session, session_id: int, user_ids: object) -> list[User]:
    if not isinstance(user_ids, Sequence) or isinstance(user_ids, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="learners")
    wanted = sorted({u for u in user_ids if isinstance(u, int) and not isinstance(u, bool)})[:MAX_INVITEES]
    if not wanted:
        return []
    enrolled = select(Enrolment.user_id).where(Enrolment.session_id == session_id)
    return list(
        db.exec(select(User).where(col(User.id).in_(wanted), col(User.id).in_(enrolled)).order_by(col(User.id))).all()
    )


def _module(db: Session, training: TrainingSession) -> Module:
    """The session's tutoring module, created at the end of its "during" phase the first time."""
    during = list(db.exec(select(Module).where(Module.session_id == training.id, Module.phase == "during")).all())
    found = next((m for m in sorted(during, key=lambda m: m.id or 0) if m.title == MODULE_TITLE), None)
    if found is not None:
        return found
    module = Module(
        session_id=training.id,
        title=MODULE_TITLE,
        phase="during",
        position=max((m.position for m in during), default=-1) + 1,
    )
    db.add(module)
    db.flush()
    return module


def access_period(training: TrainingSession) -> tuple[date, date]:
    """The days a class for some learners may be planned on: the course's access period for this session.

    Args:
        training: The session.

    Returns:
        (first, last) Paris days: its start, and the end of access (`availability_ends_on`, else its end).
    """
    last = max(training.ends_on, training.availability_ends_on or training.ends_on)
    return training.starts_on, last


@dataclass(frozen=True)
class PlanningWindow:
    """The days a class may be planned on, for the planning form: ISO for the date input, labels for people."""

    first: str
    last: str
    first_label: str
    last_label: str


def planning_window(db: Session, actor: Actor, session_id: int) -> PlanningWindow:
    """The access period of a session the actor follows, for the virtual class form.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a tutor positioned on it.
        session_id: The session.

    Returns:
        Its first and last day.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_followed_session`).
    """
    first, last = access_period(access_followed_session(db, actor, session_id))
    return PlanningWindow(first.isoformat(), last.isoformat(), date_label(first), date_label(last))


def create_for_learners(
    db: Session,
    actor: Actor,
    session_id: int,
    user_ids: list[int],
    *,
    title: str,
    day: str,
    start: str,
    end: str,
    link: str = "",
) -> Activity:
    """Create a virtual class for some learners of a session and e-mail each of them an invitation with an .ics.

    Only learners enrolled in the session are invited; other ids are ignored. The
    class is for them alone (see `app.services.audience`); the session's trainers,
    staff and tutors see it too. Without a link, the organisation's virtual class
    URL is used when it has one, else a Jitsi room is generated.

    Args:
        db: Database session (the caller commits).
        actor: Staff of the session's organisation or a tutor positioned on the session.
        session_id: The session.
        user_ids: The learners chosen in the tutoring centre.
        title: The class's title.
        day: Its date (YYYY-MM-DD or DD/MM/YYYY), within the course's access period (`access_period`).
        start: Its start, HH:MM, French time.
        end: Its end, HH:MM, French time.
        link: The meeting URL (https), optional.

    Returns:
        The virtual class activity.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_followed_session`), TITLE_REQUIRED, DATE_INVALID, TIME_INVALID,
            TIME_ORDER, SLOT_OUTSIDE_ACCESS, LINK_INVALID_URL (with the field), or INVALID_INPUT when
            no learner of the session is selected.
    """
    training = access_followed_session(db, actor, session_id)
    clean = " ".join(title.split())[:200] if isinstance(title, str) else ""
    if not clean:
        raise PlumeError(ErrorCode.TITLE_REQUIRED, field="title")
    date_ = _day(day)
    begins, finishes = parse_time(start, "start"), parse_time(end, "end")
    if finishes <= begins:
        raise PlumeError(ErrorCode.TIME_ORDER, field="end")
    first, last = access_period(training)
    if not first <= date_ <= last:
        raise PlumeError(ErrorCode.SLOT_OUTSIDE_ACCESS, field="day", first=date_label(first), last=date_label(last))
    url = _link(link)
    learners = _invitees(db, training.id or 0, user_ids)
    organisation = db.get(Organisation, training.organisation_id)
    if not learners or organisation is None:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="learners")
    leader = db.get(User, actor.user_id)
    if leader is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    plan = _Plan(title=clean, day=date_, begins=begins, finishes=finishes, url=url)
    activity, slot = _create(db, actor, training, organisation=organisation, learners=learners, plan=plan)
    _invite(db, training, organisation=organisation, activity=activity, slot=slot, people=_People(leader, learners))
    notify(db, session_topic(training.id or 0), TimelineChanged(op="add_activity"))
    return activity


@dataclass(frozen=True)
class _Plan:
    """The class as validated."""

    title: str
    day: date
    begins: time
    finishes: time
    url: str


def _create(
    db: Session,
    actor: Actor,
    training: TrainingSession,
    *,
    organisation: Organisation,
    learners: list[User],
    plan: _Plan,
) -> tuple[Activity, Slot]:
    title, day, begins, finishes, url = plan.title, plan.day, plan.begins, plan.finishes, plan.url
    module = _module(db, training)
    last = db.exec(select(Activity.position).where(Activity.module_id == module.id)).all()
    # Left empty, `attendance.meeting_link` falls back to the organisation's URL at the time of the class.
    meeting = url or (
        "" if organisation.virtual_class_url else f"https://meet.jit.si/plume-{secrets.token_urlsafe(12)}"
    )
    invitees = [u.id or 0 for u in learners]
    activity = Activity(
        module_id=module.id or 0,
        kind="virtual_class",
        title=title,
        position=max(last, default=-1) + 1,
        settings_json=json.dumps(
            {"invitees": invitees, "link": meeting, "created_by": actor.user_id, "date": day.isoformat()}
        ),
    )
    db.add(activity)
    db.flush()
    slot = Slot(
        session_id=training.id or 0,
        activity_id=activity.id,
        starts_at=datetime.combine(day, begins, tzinfo=PARIS).astimezone(UTC),
        ends_at=datetime.combine(day, finishes, tzinfo=PARIS).astimezone(UTC),
    )
    db.add(slot)
    db.flush()
    audit.by_actor(
        db,
        actor,
        "tutoring.virtual_class",
        organisation_id=training.organisation_id,
        target=f"activity:{activity.id}",
        after={
            "session_id": training.id,
            "module_id": module.id,
            "slot_id": slot.id,
            "title": title,
            "day": day.isoformat(),
            "start": begins.strftime("%H:%M"),
            "end": finishes.strftime("%H:%M"),
            "invitees": invitees,
        },
    )
    progress.refresh(db, training.id or 0, invitees)
    return activity, slot


@dataclass(frozen=True)
class _People:
    """Who gets an invitation: the leader (the class's creator) and the learners invited."""

    leader: User
    learners: list[User]


def _invite(
    db: Session,
    training: TrainingSession,
    *,
    organisation: Organisation,
    activity: Activity,
    slot: Slot,
    people: _People,
) -> None:
    """E-mail the leader and each invitee the class with an .ics whose link is the slot's attendance sheet.

    The .ics's ORGANIZER is the leader, who gets their own copy (as CHAIR).
    """
    sheet = join_page(slot.id or 0)
    start, finish = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    leader = people.leader
    organiser = (leader.display_name, leader.email)
    sequence = sequences(db, [slot]).get(slot.id or 0, 0)
    for person in [leader, *(p for p in people.learners if p.id != leader.id)]:
        message = render(
            get_template(db, organisation.id, "virtual_class_invitation", person.language),
            {
                "prenom": person.pseudonym or person.first_name,
                "nom": person.last_name,
                "organisation": organisation.name,
                "session": training.title,
                "titre": activity.title,
                "date": f"{start:%d/%m/%Y}",
                "debut": f"{start:%H:%M}",
                "fin": f"{finish:%H:%M}",
                "lien": sheet,
            },
        )
        ics = invitation_ics(
            slot,
            uid=slot_uid(slot.id or 0, person.id or 0),
            summary=activity.title,
            description=message.body,
            url=sheet,
            organiser=organiser,
            attendee=(person.display_name, person.email),
            sequence=sequence,
            chair=person is leader,
        )
        enqueue_email(
            db,
            to=person.email,
            message=message,
            kind="virtual_class_invitation",
            organisation_id=organisation.id,
            attachment=Attachment("classe-virtuelle.ics", "text/calendar", ics),
        )
