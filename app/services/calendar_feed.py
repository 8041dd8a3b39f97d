"""Each person's private calendar feed: their agenda as an iCalendar subscription (RFC 5545).

Outlook, Google Calendar and Thunderbird subscribe to a URL and poll it. The URL carries a random secret: it
is the only credential (a calendar client cannot sign in), so it is shown to its owner only, can be renewed
(the old URL then answers 404 at once) and stopped. The feed holds the slots of the person's agenda
(`agenda.person_slots`) from 90 days back, and the slots cancelled in the last 60 days as STATUS:CANCELLED, in
Europe/Paris time with its VTIMEZONE, each under the same UID as in the e-mails (`calendar.slot_uid`) and the
same SEQUENCE.

Polling is cheap: the answer's ETag is a digest of what the feed says, computed from one narrow read, so an
unchanged feed answers 304 without building anything, and a built feed is kept (per person, in a bounded
cache) for the next client that asks without the ETag.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from icalendar import Calendar, Event
from sqlalchemy import ColumnElement, Select, String, bindparam, func, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.clock import PARIS, paris_datetime_label
from app.i18n import t
from app.models import AuditRecord, CalendarFeed, CancelledSlot, Course, TrainingSession, User
from app.models.base import UTCDateTime, utcnow
from app.services import access, agenda, audit, calendar
from app.services.actor import Actor
from app.services.crypto import decrypt_secret, encrypt_secret, hash_token, new_token
from app.services.db import write_version
from app.services.errors import ErrorCode, PlumeError
from app.settings import get_settings

SEALING_PURPOSE = "calendar-feed"
FEED_PATH = "/api/agenda/{secret}.ics"
# What a calendar shows of the past, and how long it keeps hearing that a slot was cancelled.
PAST = timedelta(days=90)
FUTURE = timedelta(days=3 * 366)
CANCELLED_KEPT = timedelta(days=60)
# Built feeds kept for clients that ask without an ETag (a feed of 1,000 events is ~340 KB).
_CACHE_BYTES = 32 * 1024 * 1024
V = TypeVar("V")


@dataclass(frozen=True)
class FeedLink:
    """A person's subscription URL, as their profile shows it (to them only)."""

    url: str
    created_at: str  # Paris time, e.g. "30/11/2026 20:15"


@dataclass(frozen=True)
class FeedAnswer:
    """What the feed route answers: a body with its ETag, or only the ETag when the client already has it."""

    etag: str
    body: bytes | None


def feed_url(secret: str) -> str:
    """The absolute subscription URL of a secret.

    Args:
        secret: The raw secret.

    Returns:
        e.g. "https://plume.example.org/api/agenda/<secret>.ics".
    """
    return get_settings().base_url.rstrip("/") + FEED_PATH.format(secret=secret)


def _link(feed: CalendarFeed) -> FeedLink:
    secret = decrypt_secret(feed.secret_sealed, SEALING_PURPOSE)
    return FeedLink(url=feed_url(secret), created_at=paris_datetime_label(feed.created_at))


def _own_feed(db: Session, actor: Actor) -> CalendarFeed | None:
    if not actor.fully_signed_in:
        raise PlumeError(ErrorCode.FORBIDDEN)
    return db.exec(select(CalendarFeed).where(CalendarFeed.user_id == actor.user_id)).first()


def feed_link(db: Session, actor: Actor) -> FeedLink | None:
    """The signed-in person's own subscription URL, if they made one.

    Args:
        db: Database session.
        actor: The person (only ever their own feed).

    Returns:
        The link, or None.

    Raises:
        PlumeError: FORBIDDEN for an account not fully signed in.
    """
    feed = _own_feed(db, actor)
    return _link(feed) if feed is not None else None


def renew_feed(db: Session, actor: Actor) -> FeedLink:
    """Make the person's subscription URL, or replace it: the previous URL stops working at once.

    Args:
        db: Database session.
        actor: The person.

    Returns:
        The new link.

    Raises:
        PlumeError: FORBIDDEN for an account not fully signed in.
    """
    feed = _own_feed(db, actor)
    renewed = feed is not None
    secret = new_token()
    feed = feed or CalendarFeed(user_id=actor.user_id, secret_hash="", secret_sealed="")
    feed.secret_hash = hash_token(secret)
    feed.secret_sealed = encrypt_secret(secret, SEALING_PURPOSE)
    feed.created_at = utcnow()
    db.add(feed)
    action = "calendar.feed_renewed" if renewed else "calendar.feed_created"
    audit.record(db, action, actor_user_id=actor.user_id, target=f"user:{actor.user_id}", ip=actor.ip)
    db.commit()
    return _link(feed)


def stop_feed(db: Session, actor: Actor) -> None:
    """Stop the person's subscription: its URL answers 404 from now on.

    Args:
        db: Database session.
        actor: The person.

    Raises:
        PlumeError: FORBIDDEN for an account not fully signed in.
    """
    feed = _own_feed(db, actor)
    if feed is None:
        return
    db.delete(feed)
    audit.record(db, "calendar.feed_stopped", actor_user_id=actor.user_id, target=f"user:{actor.user_id}", ip=actor.ip)
    db.commit()


@dataclass(frozen=True)
class _Cancelled:
    slot_id: int
    title: str
    course_title: str
    starts_at: datetime
    ends_at: datetime
    sequence: int


@dataclass(frozen=True)
class _FeedData:
    language: str
    slots: list[agenda.AgendaSlot]
    sequences: dict[int, int]
    cancelled: list[_Cancelled]


def _feed_owner(db: Session, secret: str) -> User | None:
    if not secret or len(secret) > 100:
        return None
    feed = db.exec(select(CalendarFeed).where(CalendarFeed.secret_hash == hash_token(secret))).first()
    if feed is None:
        return None
    user = db.get(User, feed.user_id)
    return user if user is not None and user.is_active else None


def _cancelled_window(user_id: int, kept: Any, since: Any) -> tuple[ColumnElement[bool], ...]:
    """The cancelled slots a person's feed tells: cancelled since `kept`, ending after `since`, of their sessions."""
    return (
        col(CancelledSlot.cancelled_at) >= kept,
        col(CancelledSlot.ends_at) >= since,
        access.agenda_filter(user_id),
    )


def _cancelled(db: Session, user_id: int, now: datetime, live: set[int]) -> list[_Cancelled]:
    rows = db.exec(
        select(CancelledSlot, TrainingSession, Course.title)
        .join(TrainingSession, col(TrainingSession.id) == col(CancelledSlot.session_id))
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .where(*_cancelled_window(user_id, now - CANCELLED_KEPT, now - PAST))
    ).all()
    trains = access.trained_session_ids(db, user_id, {training.id or 0 for _, training, _ in rows})
    out = []
    for gone, training, course_title in rows:
        invitees = json.loads(gone.invitees_json) if gone.invitees_json else None
        # A learner hears of a class for some learners only if they were one; an id given again is live again.
        if gone.slot_id in live or (training.id not in trains and invitees is not None and user_id not in invitees):
            continue
        out.append(
            _Cancelled(
                slot_id=gone.slot_id,
                title=gone.title,
                course_title=course_title,
                starts_at=gone.starts_at,
                ends_at=gone.ends_at,
                sequence=gone.sequence,
            )
        )
    return out


def _read(db: Session, user: User, now: datetime) -> _FeedData:
    slots = agenda.person_slots(db, user.id or 0, starts=now - PAST, ends=now + FUTURE)
    revisions = calendar.sequences_of(db, [(s.slot_id, s.activity_id) for s in slots])
    cancelled = _cancelled(db, user.id or 0, now, {s.slot_id for s in slots})
    return _FeedData(language=user.language, slots=slots, sequences=revisions, cancelled=cancelled)


def _build(data: _FeedData, now: datetime) -> bytes:
    language = data.language
    feed = Calendar()
    feed.add("prodid", "-//Plume//Agenda//FR")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", t(language, "ics.feed_name"))
    feed.add("x-wr-timezone", "Europe/Paris")
    base = get_settings().base_url.rstrip("/")
    for slot in data.slots:
        event = Event()
        event.add("uid", calendar.slot_uid(slot.slot_id))
        event.add("sequence", data.sequences.get(slot.slot_id, 0))
        event.add("dtstamp", now)
        event.add("dtstart", slot.starts_at.astimezone(PARIS))
        event.add("dtend", slot.ends_at.astimezone(PARIS))
        event.add("status", "CONFIRMED")
        part = calendar.part_name_of(slot.activity_kind, slot.half_day, slot.starts_at, language)
        event.add("summary", f"{slot.course_title} — {part}")
        if slot.activity_kind == "virtual_class":
            url = calendar.join_page(slot.slot_id)
            event.add("location", url)
        else:
            url = f"{base}/sessions/{slot.session_id}"
            where = ", ".join(p for p in (slot.place, slot.room) if p)
            if where:
                event.add("location", where)
        lines = [slot.activity_title, slot.session_title, slot.organisation_name, url]
        event.add("description", "\n".join(line for line in lines if line))
        event.add("url", url)
        feed.add_component(event)
    for gone in data.cancelled:
        event = Event()
        event.add("uid", calendar.slot_uid(gone.slot_id))
        event.add("sequence", gone.sequence)
        event.add("dtstamp", now)
        event.add("dtstart", gone.starts_at.astimezone(PARIS))
        event.add("dtend", gone.ends_at.astimezone(PARIS))
        event.add("status", "CANCELLED")
        event.add("summary", f"{gone.course_title} — {gone.title}")
        feed.add_component(event)
    feed.add_missing_timezones()
    return feed.to_ical()


class _Kept(Generic[V]):
    """One value per person, kept with the key it holds for, least recently used dropped first past a weight."""

    def __init__(self, capacity: int, weigh: Callable[[V], int]) -> None:
        self._capacity, self._weigh, self._weight = capacity, weigh, 0
        self._items: OrderedDict[int, tuple[object, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user_id: int, key: object) -> V | None:
        """The person's value if it was kept for this key."""
        with self._lock:
            item = self._items.get(user_id)
            if item is None or item[0] != key:
                return None
            self._items.move_to_end(user_id)
            return item[1]

    def put(self, user_id: int, key: object, value: V) -> None:
        """Keep the person's value for a key (their previous one goes)."""
        with self._lock:
            old = self._items.pop(user_id, None)
            if old is not None:
                self._weight -= self._weigh(old[1])
            self._items[user_id] = (key, value)
            self._weight += self._weigh(value)
            while self._weight > self._capacity and self._items:
                _, (_, dropped) = self._items.popitem(last=False)
                self._weight -= self._weigh(dropped)


_built: _Kept[bytes] = _Kept(_CACHE_BYTES, len)  # built feeds, by their ETag
_etags: _Kept[str] = _Kept(100_000, lambda _: 1)  # ETags, by the database version, minute and language they hold for


# Any slot scheduled again anywhere raises a SEQUENCE somewhere: the newest such record stands for them all.
_LAST_REVISION = sa_select(func.max(col(AuditRecord.id))).where(col(AuditRecord.action).in_(calendar.REVISION_ACTIONS))


@functools.lru_cache(maxsize=1024)
def _cancelled_query(user_id: int) -> Select[Any]:
    """The cancelled slots a person's feed may tell, as stored (`kept` and `since` bound at each run)."""
    return (
        sa_select(
            col(CancelledSlot.slot_id),
            type_coerce(col(CancelledSlot.starts_at), String),
            type_coerce(col(CancelledSlot.ends_at), String),
            col(CancelledSlot.title),
            col(CancelledSlot.sequence),
            col(CancelledSlot.invitees_json),
            col(Course.title),
        )
        .join(TrainingSession, col(TrainingSession.id) == col(CancelledSlot.session_id))
        .join(Course, col(Course.id) == col(TrainingSession.course_id))
        .where(
            *_cancelled_window(user_id, bindparam("kept", type_=UTCDateTime()), bindparam("since", type_=UTCDateTime()))
        )
        .order_by(col(CancelledSlot.slot_id))
    )


def _etag(db: Session, user: User, now: datetime) -> str:
    """The feed's ETag: a digest of what it is built from, read without building it (a poll's whole cost)."""
    digest = hashlib.sha256(agenda.fingerprint(db, user.id or 0, starts=now - PAST, ends=now + FUTURE).encode())
    connection = db.connection()
    cancelled = connection.execute(
        _cancelled_query(user.id or 0), {"kept": now - CANCELLED_KEPT, "since": now - PAST}
    ).all()
    revision = connection.execute(_LAST_REVISION).scalar()
    digest.update(repr(([tuple(row) for row in cancelled], revision, user.language, feed_url(""))).encode())
    return f'"{digest.hexdigest()[:32]}"'


def serve_feed(db: Session, secret: str, if_none_match: str = "", *, now: datetime | None = None) -> FeedAnswer | None:
    """Answer a calendar client polling a feed URL.

    Args:
        db: Database session.
        secret: The URL's secret.
        if_none_match: The client's `If-None-Match` header ("" when it has none).
        now: The time to read at (now by default).

    Returns:
        None for an unknown, renewed or stopped secret (or an account closed); else the ETag, with the body
        unless the client's ETag is current.
    """
    user = _feed_owner(db, secret)
    if user is None:
        return None
    # The feed is read as of the minute: a poll within it, with nothing written since, knows its ETag at once.
    moment = (now or utcnow()).replace(second=0, microsecond=0)
    version = write_version(db)
    key = (version, moment, user.language)
    etag = _etags.get(user.id or 0, key) if version is not None else None
    if etag is None:
        etag = _etag(db, user, moment)
        _etags.put(user.id or 0, key, etag)
    if etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}:
        return FeedAnswer(etag=etag, body=None)
    body = _built.get(user.id or 0, etag)
    if body is None:
        body = _build(_read(db, user, moment), moment)
        _built.put(user.id or 0, etag, body)
    return FeedAnswer(etag=etag, body=body)
