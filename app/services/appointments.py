"""Appointments (the `appointment` activity, "Entretien"): times a trainer proposes, a place each learner takes.

The session's trainers (and staff) propose times, each for one learner or a group (its capacity); each learner
takes a place in one (or, where the organisation allows it, proposes a time of their own); a trainer confirms
the place, and both get an e-mail with the event (.ics). A proposed time holds a slot of the activity from the
start, so the trainer's agenda, calendar feed and conflict warnings see it, and its room is booked; a learner's
agenda shows it once their place is confirmed (`audience.slot_guests`).

A place is taken by a conditional update of the time's counter (`taken < capacity`) before anything else is
written, and a learner holds one place per appointment (a unique constraint): two learners clicking the last
place at once, or one learner clicking twice, never overbook it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.clock import paris, paris_day, paris_instant
from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import Activity, AppointmentBooking, AppointmentOffer, Organisation, Slot, TrainingSession, User
from app.models.base import utcnow
from app.services import activities, audit, calendar, rooms
from app.services import notify as notify_people
from app.services.access import Capability, SessionRole, valid_id
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.typed import parse_date, parse_time

MAX_CAPACITY = 50
MAX_TIMES = 300  # proposed times per appointment
MAX_LENGTH = timedelta(hours=8)


@dataclass(frozen=True)
class PlaceRow:
    """A learner's place in a proposed time, as the trainers see it."""

    id: int
    name: str
    confirmed: bool


@dataclass(frozen=True)
class TimeRow:
    """A proposed time."""

    id: int
    weekday: int  # 1 (Monday) to 7, Paris
    day: str  # "07/12/2026"
    hours: str  # "14:00–14:45"
    room: str
    capacity: int
    places_left: int
    by_learner: bool  # proposed by a learner (for themselves)
    proposer: str  # their name, for the trainers
    mine: str  # the viewer's place in it: "", "pending" or "confirmed"
    past: bool
    places: list[PlaceRow] = field(default_factory=list)  # trainers only


@dataclass(frozen=True)
class AppointmentBoard:
    """An appointment's panel: its times, and what the viewer may do."""

    times: list[TimeRow]
    manages: bool  # proposes times and confirms places (the session's trainers, staff)
    learner: bool  # takes a place
    may_propose: bool  # a learner without a place, where the organisation lets learners propose a time
    place_id: int  # the viewer's own place (0: none)
    place_status: str  # "", "pending" or "confirmed"
    waiting: int  # places waiting for a trainer's confirmation (trainers)
    rooms: list[str] = field(default_factory=list)  # the organisation's rooms, suggested to those who propose


def _appointment(
    db: Session, actor: Actor, activity_id: object, capability: Capability = Capability.SEE
) -> tuple[Activity, SessionRole, TrainingSession]:
    """An appointment activity through the activities' gate (`activities.in_session`); any other kind looks missing."""
    activity, _, role, session_id = activities.in_session(db, actor, activity_id, capability)
    training = db.get(TrainingSession, session_id)
    if activity.kind != "appointment" or training is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, role, training


def _time(
    db: Session, actor: Actor, offer_id: object, capability: Capability = Capability.SEE
) -> tuple[AppointmentOffer, Activity, SessionRole, TrainingSession]:
    """A proposed time, through its appointment's gate."""
    key = valid_id(offer_id)
    offer = db.get(AppointmentOffer, key) if key is not None else None
    if offer is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    activity, role, training = _appointment(db, actor, offer.activity_id, capability)
    return offer, activity, role, training


def _place(
    db: Session, actor: Actor, booking_id: object
) -> tuple[AppointmentBooking, AppointmentOffer, Activity, SessionRole, TrainingSession]:
    """A learner's place: their own, or any of the appointment for those who manage the session."""
    key = valid_id(booking_id)
    booking = db.get(AppointmentBooking, key) if key is not None else None
    if booking is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    offer, activity, role, training = _time(db, actor, booking.offer_id)
    if not role.manages and not (role.learner and booking.user_id == actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return booking, offer, activity, role, training


def board(db: Session, actor: Actor, activity_id: object, *, now: datetime | None = None) -> AppointmentBoard:
    """An appointment's times as the viewer sees them.

    Trainers and staff see every time with the learners in it; a learner sees the trainers' times still to
    come (and the one they hold, or proposed), with the places left.

    Args:
        db: Database session.
        actor: A member of the session.
        activity_id: The appointment.
        now: The current time (tests).

    Returns:
        The board.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, role, training = _appointment(db, actor, activity_id)
    now = now or utcnow()
    manages = role.manages
    offers = db.exec(
        select(AppointmentOffer)
        .where(AppointmentOffer.activity_id == activity.id)
        .order_by(col(AppointmentOffer.starts_at), col(AppointmentOffer.id))
    ).all()
    bookings = db.exec(
        select(AppointmentBooking, User)
        .join(User, col(User.id) == col(AppointmentBooking.user_id))
        .where(AppointmentBooking.activity_id == activity.id)
        .order_by(col(AppointmentBooking.created_at), col(AppointmentBooking.id))
    ).all()
    mine = next((b for b, _ in bookings if b.user_id == actor.user_id), None)
    by_offer: dict[int, list[PlaceRow]] = {}
    for booking, person in bookings:
        row = PlaceRow(id=booking.id or 0, name=person.display_name, confirmed=booking.status == "confirmed")
        by_offer.setdefault(booking.offer_id, []).append(row)
    proposers = {
        u.id: u.display_name
        for u in db.exec(select(User).where(col(User.id).in_({o.proposed_by_id for o in offers if o.by_learner})))
    }
    times: list[TimeRow] = []
    for offer in offers:
        holds = mine is not None and mine.offer_id == offer.id
        past = offer.starts_at <= now
        if not manages and not holds and (offer.by_learner or past):
            continue  # a learner sees the trainers' times to come, and their own
        start, finish = paris(offer.starts_at), paris(offer.ends_at)
        times.append(
            TimeRow(
                id=offer.id or 0,
                weekday=paris_day(offer.starts_at).isoweekday(),
                day=f"{start:%d/%m/%Y}",
                hours=f"{start:%H:%M}–{finish:%H:%M}",
                room=offer.room,
                capacity=offer.capacity,
                places_left=max(0, offer.capacity - offer.taken),
                by_learner=offer.by_learner,
                proposer=proposers.get(offer.proposed_by_id, "") if manages else "",
                mine=mine.status if holds and mine is not None else "",
                past=past,
                places=by_offer.get(offer.id or 0, []) if manages else [],
            )
        )
    organisation = db.get(Organisation, training.organisation_id)
    learner = role.learner
    return AppointmentBoard(
        times=times,
        manages=manages,
        learner=learner,
        may_propose=learner
        and mine is None
        and organisation is not None
        and organisation.learners_propose_appointments,
        place_id=(mine.id or 0) if mine is not None and learner else 0,
        place_status=mine.status if mine is not None and learner else "",
        waiting=sum(1 for b, _ in bookings if b.status == "pending") if manages else 0,
        rooms=rooms.names_by_organisation(db, {training.organisation_id}).get(training.organisation_id, [])
        if manages
        else [],
    )


def _times(training: TrainingSession, day: str, start: str, end: str, now: datetime) -> tuple[datetime, datetime]:
    """A time's instants (UTC) from the form's Paris date and hours, inside the session's dates, to come."""
    date_ = parse_date(day, "day")
    if not training.starts_on <= date_ <= training.ends_on:
        raise PlumeError(ErrorCode.SLOT_OUTSIDE_SESSION, field="day")
    starts_at = paris_instant(date_, parse_time(start, "start"))
    ends_at = paris_instant(date_, parse_time(end, "end"))
    if ends_at <= starts_at:
        raise PlumeError(ErrorCode.TIME_ORDER, field="end")
    if ends_at - starts_at > MAX_LENGTH:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="end", low="1 min", high="8 h")
    if starts_at <= now:
        raise PlumeError(ErrorCode.APPOINTMENT_PAST, field="day")
    return starts_at, ends_at


def _hold_time(
    db: Session, actor: Actor, activity: Activity, training: TrainingSession, offer: AppointmentOffer, *, room: str
) -> AppointmentOffer:
    """Write a new time and the slot it holds (its room booked), under the activity's cap."""
    count = db.exec(select(func.count()).where(AppointmentOffer.activity_id == activity.id)).one()
    if count >= MAX_TIMES:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="day", low="1", high=str(MAX_TIMES))
    slot = Slot(session_id=training.id or 0, activity_id=activity.id, starts_at=offer.starts_at, ends_at=offer.ends_at)
    rooms.book(db, slot, training.organisation_id, room)
    db.add(slot)
    db.flush()
    offer.slot_id, offer.room = slot.id, slot.room
    db.add(offer)
    db.flush()
    audit.record(db, "appointment.offered", actor_user_id=actor.user_id, organisation_id=training.organisation_id,
                 target=f"appointment:{offer.id}", after={"activity": activity.id, "starts_at": offer.starts_at.isoformat(),
                 "capacity": offer.capacity, "by_learner": offer.by_learner}, ip=actor.ip)  # fmt: skip
    return offer


def propose_time(
    db: Session,
    actor: Actor,
    activity_id: object,
    *,
    day: str,
    start: str,
    end: str,
    capacity: str = "1",
    room: str = "",
    now: datetime | None = None,
) -> AppointmentOffer:
    """Propose a time for an appointment (the session's trainers, staff).

    Args:
        db: Database session.
        actor: A trainer of the session, or staff.
        activity_id: The appointment.
        day: The date (Paris), within the session's dates.
        start: HH:MM.
        end: HH:MM, after the start, at most 8 hours later.
        capacity: How many learners it takes (1: an individual appointment; up to 50 for a group).
        room: One of the organisation's rooms (booked), a place typed freely, or "".
        now: The current time (tests).

    Returns:
        The time.

    Raises:
        PlumeError: NOT_FOUND; DATE_INVALID, SLOT_OUTSIDE_SESSION, TIME_ORDER, NUMBER_RANGE, APPOINTMENT_PAST,
            ROOM_BOOKED (each with its field).
    """
    activity, _, training = _appointment(db, actor, activity_id, Capability.MANAGE)
    starts_at, ends_at = _times(training, day, start, end, now or utcnow())
    text = str(capacity).strip()
    seats = int(text) if text.isdigit() and len(text) <= 3 else 0
    if not 1 <= seats <= MAX_CAPACITY:
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="capacity", low="1", high=str(MAX_CAPACITY))
    offer = AppointmentOffer(
        activity_id=activity.id or 0,
        session_id=training.id or 0,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=seats,
        proposed_by_id=actor.user_id,
    )
    _hold_time(db, actor, activity, training, offer, room=room)
    notify(db, session_topic(training.id or 0), TimelineChanged(op="appointment"))
    return offer


def propose_own_time(
    db: Session, actor: Actor, activity_id: object, *, day: str, start: str, end: str, now: datetime | None = None
) -> AppointmentBooking:
    """A learner proposes a time of their own, where the organisation allows it: it waits for a trainer.

    Args:
        db: Database session.
        actor: A learner of the session without a place in this appointment.
        activity_id: The appointment.
        day: The date (Paris), within the session's dates.
        start: HH:MM.
        end: HH:MM.
        now: The current time (tests).

    Returns:
        Their place, waiting for confirmation.

    Raises:
        PlumeError: NOT_FOUND; APPOINTMENT_PROPOSALS_CLOSED, APPOINTMENT_TAKEN, and the date and time errors.
    """
    activity, role, training = _appointment(db, actor, activity_id)
    if not role.learner:
        raise PlumeError(ErrorCode.NOT_FOUND)
    organisation = db.get(Organisation, training.organisation_id)
    if organisation is None or not organisation.learners_propose_appointments:
        raise PlumeError(ErrorCode.APPOINTMENT_PROPOSALS_CLOSED)
    starts_at, ends_at = _times(training, day, start, end, now or utcnow())
    offer = AppointmentOffer(
        activity_id=activity.id or 0,
        session_id=training.id or 0,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=1,
        taken=1,
        proposed_by_id=actor.user_id,
        by_learner=True,
    )
    _hold_time(db, actor, activity, training, offer, room="")
    return _seat(db, actor, activity, training, offer)


def take_place(db: Session, actor: Actor, offer_id: object, *, now: datetime | None = None) -> AppointmentBooking:
    """A learner takes a place in a proposed time: it waits for a trainer's confirmation.

    The counter moves first, by a conditional update: of two learners taking the last place at once, the
    second finds it full; a learner's second click finds their place (one per appointment).

    Args:
        db: Database session.
        actor: A learner of the session.
        offer_id: The time.
        now: The current time (tests).

    Returns:
        Their place.

    Raises:
        PlumeError: NOT_FOUND; APPOINTMENT_PAST, APPOINTMENT_FULL, APPOINTMENT_TAKEN.
    """
    offer, activity, role, training = _time(db, actor, offer_id)
    if not role.learner or offer.by_learner:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if offer.starts_at <= (now or utcnow()):
        raise PlumeError(ErrorCode.APPOINTMENT_PAST)
    held = db.exec(
        select(AppointmentBooking).where(
            AppointmentBooking.activity_id == activity.id, AppointmentBooking.user_id == actor.user_id
        )
    ).first()
    if held is not None:
        if held.offer_id == offer.id:
            return held  # a second click
        raise PlumeError(ErrorCode.APPOINTMENT_TAKEN)
    moved = db.exec(
        update(AppointmentOffer)
        .where(col(AppointmentOffer.id) == offer.id, col(AppointmentOffer.taken) < col(AppointmentOffer.capacity))
        .values(taken=AppointmentOffer.taken + 1)
    )
    if moved.rowcount != 1:
        raise PlumeError(ErrorCode.APPOINTMENT_FULL)
    return _seat(db, actor, activity, training, offer)


def _seat(
    db: Session, actor: Actor, activity: Activity, training: TrainingSession, offer: AppointmentOffer
) -> AppointmentBooking:
    """Write the learner's waiting place in a time whose counter already counts it."""
    booking = AppointmentBooking(offer_id=offer.id or 0, activity_id=activity.id or 0, user_id=actor.user_id)
    db.add(booking)
    try:
        db.flush()
    except IntegrityError as exc:  # their other tab took a place in the meantime
        raise PlumeError(ErrorCode.APPOINTMENT_TAKEN) from exc
    audit.record(db, "appointment.taken", actor_user_id=actor.user_id, organisation_id=training.organisation_id,
                 target=f"appointment:{offer.id}", after={"place": booking.id}, ip=actor.ip)  # fmt: skip
    notify(db, session_topic(training.id or 0), TimelineChanged(op="appointment"))
    return booking


def confirm(db: Session, actor: Actor, booking_id: object) -> None:
    """Confirm a learner's place (the session's trainers, staff): both get the event by e-mail.

    A second click, or a colleague confirming at the same time, changes nothing and sends nothing again.

    Args:
        db: Database session.
        actor: A trainer of the session, or staff.
        booking_id: The place.

    Raises:
        PlumeError: NOT_FOUND.
    """
    booking, offer, activity, role, training = _place(db, actor, booking_id)
    if not role.manages:
        raise PlumeError(ErrorCode.NOT_FOUND)
    moved = db.exec(
        update(AppointmentBooking)
        .where(col(AppointmentBooking.id) == booking.id, col(AppointmentBooking.status) == "pending")
        .values(status="confirmed", confirmed_at=utcnow(), confirmed_by_id=actor.user_id)
    )
    if moved.rowcount != 1:
        return
    db.refresh(booking)
    slot = db.get(Slot, offer.slot_id) if offer.slot_id else None
    learner, host = db.get(User, booking.user_id), db.get(User, actor.user_id)
    if slot is not None and learner is not None and host is not None:
        notify_people.appointment_emails(db, training, activity, slot, learner=learner, host=host)
    audit.record(db, "appointment.confirmed", actor_user_id=actor.user_id, organisation_id=training.organisation_id,
                 target=f"appointment:{offer.id}", after={"place": booking.id, "learner": booking.user_id},
                 ip=actor.ip)  # fmt: skip
    notify(db, session_topic(training.id or 0), TimelineChanged(op="appointment"))


def cancel_place(db: Session, actor: Actor, booking_id: object) -> None:
    """Give up a place (the learner), or turn it down or cancel it (the session's trainers, staff).

    A confirmed place's learner and the trainer who confirmed it get the cancellation by e-mail; a time a
    learner proposed goes with their place.

    Args:
        db: Database session.
        actor: The learner holding the place, a trainer of the session, or staff.
        booking_id: The place.

    Raises:
        PlumeError: NOT_FOUND.
    """
    booking, offer, activity, _, training = _place(db, actor, booking_id)
    slot = db.get(Slot, offer.slot_id) if offer.slot_id else None
    if booking.status == "confirmed" and slot is not None:
        learner = db.get(User, booking.user_id)
        host = db.get(User, booking.confirmed_by_id) if booking.confirmed_by_id else None
        if learner is not None and host is not None:
            notify_people.appointment_emails(
                db, training, activity, slot, learner=learner, host=host, sequence=1, cancelled=True
            )
    db.delete(booking)
    db.flush()
    db.exec(
        update(AppointmentOffer)
        .where(col(AppointmentOffer.id) == offer.id, col(AppointmentOffer.taken) > 0)
        .values(taken=AppointmentOffer.taken - 1)
    )
    audit.record(db, "appointment.cancelled", actor_user_id=actor.user_id, organisation_id=training.organisation_id,
                 target=f"appointment:{offer.id}", before={"place": booking.id, "learner": booking.user_id,
                 "status": booking.status}, ip=actor.ip)  # fmt: skip
    if offer.by_learner:
        _drop(db, offer, activity)
    notify(db, session_topic(training.id or 0), TimelineChanged(op="appointment"))


def remove_time(db: Session, actor: Actor, offer_id: object) -> None:
    """Take back a proposed time nobody holds a place in (the session's trainers, staff).

    Args:
        db: Database session.
        actor: A trainer of the session, or staff.
        offer_id: The time.

    Raises:
        PlumeError: NOT_FOUND; APPOINTMENT_HAS_BOOKINGS while learners hold places in it.
    """
    offer, activity, _, training = _time(db, actor, offer_id, Capability.MANAGE)
    held = db.exec(select(func.count()).where(AppointmentBooking.offer_id == offer.id)).one()
    if held:
        raise PlumeError(ErrorCode.APPOINTMENT_HAS_BOOKINGS)
    audit.record(db, "appointment.removed", actor_user_id=actor.user_id, organisation_id=training.organisation_id,
                 target=f"appointment:{offer.id}", before={"starts_at": offer.starts_at.isoformat()},
                 ip=actor.ip)  # fmt: skip
    _drop(db, offer, activity)
    notify(db, session_topic(training.id or 0), TimelineChanged(op="appointment"))


def _drop(db: Session, offer: AppointmentOffer, activity: Activity) -> None:
    """Delete a time and its slot; a calendar feed that held the slot (the trainers') hears it is cancelled."""
    slot = db.get(Slot, offer.slot_id) if offer.slot_id else None
    db.delete(offer)
    db.flush()
    if slot is not None:
        sequence = calendar.sequences(db, [slot]).get(slot.id or 0, 0) + 1
        calendar.cancel_slot(db, slot, title=activity.title, invitees=frozenset(), sequence=sequence)
        db.delete(slot)
