"""An organisation's rooms, and booking a slot in one: never in a room another slot holds at that time.

Staff keep the list of rooms and book slots (the timeline's "Salle": a name of the list books that room, any
other text is a place typed freely, booked nowhere). A trainer moves their own slot to another room where the
organisation allows it (`access.access_slot_room`). Two bookings of one room at once are serialised on the
room's row, so two people grabbing the last free room at the same time cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from app.live.bus import notify
from app.live.contract import TimelineChanged, session_topic
from app.models import Room, Slot, TrainingSession
from app.services import access, audit
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.orgs import require_staff

NAME_MAX = 100
MAX_ROOMS = 300


@dataclass(frozen=True)
class RoomRow:
    """One room of the organisation's list."""

    id: int
    name: str
    capacity: int | None


@dataclass(frozen=True)
class RoomChoice:
    """A room a slot may move to, and whether it is free at the slot's time."""

    id: int
    name: str
    capacity: int | None
    free: bool
    current: bool


def names_by_organisation(db: Session, organisation_ids: set[int]) -> dict[int, list[str]]:
    """The rooms of some organisations, by name: what a "Salle" field suggests to those who plan there.

    The caller has checked that the person plans slots of these organisations.

    Args:
        db: Database session.
        organisation_ids: The organisations.

    Returns:
        Organisation id → its rooms' names, in order.
    """
    if not organisation_ids:
        return {}
    found: dict[int, list[str]] = {}
    for organisation_id, name in db.exec(
        select(Room.organisation_id, Room.name)
        .where(col(Room.organisation_id).in_(sorted(organisation_ids)))
        .order_by(func.lower(Room.name))
    ).all():
        found.setdefault(organisation_id, []).append(name)
    return found


def list_rooms(db: Session, actor: Actor) -> list[RoomRow]:
    """The organisation's rooms, by name (staff).

    Args:
        db: Database session.
        actor: A staff member.

    Returns:
        The rooms.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff.
    """
    org_id = require_staff(actor)
    rows = db.exec(select(Room).where(Room.organisation_id == org_id).order_by(func.lower(Room.name))).all()
    return [RoomRow(id=r.id or 0, name=r.name, capacity=r.capacity) for r in rows]


def add_room(db: Session, actor: Actor, *, name: str, capacity: str = "") -> Room:
    """Add a room to the organisation's list (staff).

    Args:
        db: Database session.
        actor: A staff member.
        name: Its name, unique in the organisation whatever the case.
        capacity: How many people it seats ("" when unknown).

    Returns:
        The room.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff; NAME_REQUIRED, ROOM_NAME_TAKEN or NUMBER_RANGE (with the
            field); INVALID_INPUT past MAX_ROOMS.
    """
    org_id = require_staff(actor)
    clean = " ".join(name.split())[:NAME_MAX]
    if not clean:
        raise PlumeError(ErrorCode.NAME_REQUIRED, field="room_name")
    seats = None
    if capacity.strip():
        if not capacity.strip().isdigit() or not 1 <= int(capacity.strip()) <= 10_000:
            raise PlumeError(ErrorCode.NUMBER_RANGE, field="capacity", low="1", high="10000")
        seats = int(capacity.strip())
    if _named(db, org_id, clean) is not None:
        raise PlumeError(ErrorCode.ROOM_NAME_TAKEN, field="room_name")
    if len(db.exec(select(Room.id).where(Room.organisation_id == org_id)).all()) >= MAX_ROOMS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    room = Room(organisation_id=org_id, name=clean, capacity=seats)
    db.add(room)
    db.flush()
    audit.record(db, "room.added", actor_user_id=actor.user_id, organisation_id=org_id, target=f"room:{room.id}",
                 after={"name": clean, "capacity": seats}, ip=actor.ip)  # fmt: skip
    db.commit()
    return room


def remove_room(db: Session, actor: Actor, room_id: object) -> None:
    """Remove a room from the list (staff); the slots booked in it keep its name as a place, booked nowhere.

    Args:
        db: Database session.
        actor: A staff member.
        room_id: One of the organisation's rooms.

    Raises:
        PlumeError: NOT_FOUND.
    """
    room = access.access_room_of_organisation(db, actor, room_id)
    db.exec(update(Slot).where(col(Slot.room_id) == room.id).values(room_id=None))
    db.delete(room)
    audit.record(db, "room.removed", actor_user_id=actor.user_id, organisation_id=room.organisation_id,
                 target=f"room:{room.id}", before={"name": room.name}, ip=actor.ip)  # fmt: skip
    db.commit()


def _named(db: Session, organisation_id: int, name: str) -> Room | None:
    return db.exec(
        select(Room).where(Room.organisation_id == organisation_id, func.lower(Room.name) == name.lower())
    ).first()


def _hold(db: Session, room: Room) -> None:
    """Take the room's row for this transaction: bookings of one room follow one another.

    A no-op update locks the row on PostgreSQL and takes SQLite's write lock, before the check that the room
    is free, so the check and the booking cannot be split by another booking.
    """
    db.exec(update(Room).where(col(Room.id) == room.id).values(name=Room.name))


def _taken_by(db: Session, room: Room, starts_at: datetime, ends_at: datetime, slot_id: int | None) -> str:
    """The session holding a room at a time ("" when the room is free)."""
    found = db.exec(
        select(TrainingSession.title)
        .join(Slot, col(Slot.session_id) == col(TrainingSession.id))
        .where(
            col(Slot.room_id) == room.id,
            col(Slot.starts_at) < ends_at,
            col(Slot.ends_at) > starts_at,
            col(Slot.id) != (slot_id or 0),
        )
    ).first()
    return found or ""


def book(db: Session, slot: Slot, organisation_id: int, room_name: str) -> None:
    """Book a slot in the organisation's room of that name, or keep the text as a free place (`timeline`).

    The caller checked that the actor may plan the slot; its times are already set.

    Args:
        db: Database session.
        slot: The slot (times set).
        organisation_id: Its session's organisation.
        room_name: As typed ("" for none).

    Raises:
        PlumeError: ROOM_BOOKED (field room) when the room holds another slot at that time.
    """
    clean = " ".join(room_name.split())[:NAME_MAX]
    room = _named(db, organisation_id, clean) if clean else None
    if room is None:
        slot.room, slot.room_id = clean, None
        return
    _hold(db, room)
    taken = _taken_by(db, room, slot.starts_at, slot.ends_at, slot.id)
    if taken:
        raise PlumeError(ErrorCode.ROOM_BOOKED, field="room", room=room.name, session=taken)
    slot.room, slot.room_id = room.name, room.id


def room_choices(db: Session, actor: Actor, slot_id: object) -> list[RoomChoice]:
    """The rooms a slot may move to, each said free or taken at the slot's time.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session where the organisation allows it.
        slot_id: The slot.

    Returns:
        The rooms, by name.

    Raises:
        PlumeError: NOT_FOUND (see `access.access_slot_room`).
    """
    slot, training = access.access_slot_room(db, actor, slot_id)
    rooms = db.exec(
        select(Room).where(Room.organisation_id == training.organisation_id).order_by(func.lower(Room.name))
    ).all()
    busy = set(
        db.exec(
            select(Slot.room_id).where(
                col(Slot.room_id).in_([r.id for r in rooms]),
                col(Slot.starts_at) < slot.ends_at,
                col(Slot.ends_at) > slot.starts_at,
                col(Slot.id) != slot.id,
            )
        ).all()
    )
    return [
        RoomChoice(id=r.id or 0, name=r.name, capacity=r.capacity, free=r.id not in busy, current=r.id == slot.room_id)
        for r in rooms
    ]


def move_slot(db: Session, actor: Actor, slot_id: object, room_id: object) -> Slot:
    """Move a slot to another of the organisation's rooms, free at its time.

    Args:
        db: Database session.
        actor: Staff, or a trainer of the session where the organisation allows it.
        slot_id: The slot.
        room_id: One of the organisation's rooms.

    Returns:
        The slot.

    Raises:
        PlumeError: NOT_FOUND (the slot, or a room of another organisation), ROOM_BOOKED (field room).
    """
    slot, training = access.access_slot_room(db, actor, slot_id)
    room = access.room_of_organisation(db, training.organisation_id, room_id)
    before = slot.room
    book(db, slot, training.organisation_id, room.name)
    db.add(slot)
    audit.record(db, "slot.room", actor_user_id=actor.user_id, organisation_id=training.organisation_id,
                 target=f"slot:{slot.id}", before={"room": before}, after={"room": slot.room}, ip=actor.ip)  # fmt: skip
    notify(db, session_topic(training.id or 0), TimelineChanged(op="room"))
    db.commit()
    return slot
