"""A session's chat room: posting (idempotent, throttled), editing, removing, history, unread counts.

Members are the session's learners, trainers and tutors; the organisation's staff
read and moderate. Messages are plain text: the page shows them as text, with
links made clickable, never as HTML.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from app.clock import PARIS
from app.live.bus import notify
from app.live.contract import ChatChanged, ChatPosted, ChatUnread, chat_topic, chat_unread_topic
from app.models import ChatMessage, ChatRead, Document, Enrolment, TrainerPosition, User
from app.models.base import utcnow
from app.services import audit
from app.services.access import Room, access_room
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError

MAX_LENGTH = 4_000
EDIT_WINDOW = timedelta(minutes=15)
THROTTLE_COUNT, THROTTLE_WINDOW = 10, timedelta(seconds=10)
PAGE_SIZE = 50
_CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_LINK = re.compile(r"https?://[^\s<>\"']+")
_TRAILING = ".,;:!?)»"


def segments(body: str) -> list[dict[str, str]]:
    """A message's text cut into plain parts and links (http and https only).

    Args:
        body: The message.

    Returns:
        [{"text": ..., "href": ""}, {"text": url, "href": url}, ...].
    """
    out: list[dict[str, str]] = []
    position = 0
    for match in _LINK.finditer(body):
        url = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(url)
        if match.start() > position:
            out.append({"text": body[position : match.start()], "href": ""})
        out.append({"text": url, "href": url})
        position = end
    if position < len(body):
        out.append({"text": body[position:], "href": ""})
    return out


@dataclass(frozen=True)
class MessageView:
    """One message as every member sees it."""

    id: int
    author_id: int
    author: str
    client_id: str
    parts: list[dict[str, str]]
    body: str
    at: str
    edited: bool
    removed: str
    document_id: int
    document_name: str
    edit_until: float  # epoch seconds: its author may edit or delete it until then (`may_still_change`)

    def as_dict(self) -> dict[str, Any]:
        """The message for a page (and for a live event).

        Returns:
            A JSON-friendly dict.
        """
        return asdict(self)


def _view(message: ChatMessage, author: str, document: Document | None) -> MessageView:
    removed = ""
    if message.deleted_at is not None:
        removed = "moderator" if message.deleted_by_id not in (None, message.author_id) else "author"
    local = message.created_at.astimezone(PARIS)
    shown = document is not None and document.deleted_at is None and not removed
    return MessageView(
        id=message.id or 0,
        author_id=message.author_id,
        author=author,
        client_id=message.client_id,
        parts=[] if removed else segments(message.body),
        body="" if removed else message.body,
        at=local.strftime("%d/%m %H:%M")
        if local.date() != utcnow().astimezone(PARIS).date()
        else local.strftime("%H:%M"),
        edited=message.edited_at is not None and not removed,
        removed=removed,
        document_id=(document.id or 0) if shown and document else 0,
        document_name=document.name if shown and document else "",
        edit_until=edit_deadline(message.created_at).timestamp(),
    )


def _views(db: Session, messages: list[ChatMessage]) -> list[MessageView]:
    author_ids = {m.author_id for m in messages}
    names = (
        {u.id: u.display_name for u in db.exec(select(User).where(col(User.id).in_(author_ids))).all()}
        if author_ids
        else {}
    )
    doc_ids = {m.document_id for m in messages if m.document_id}
    docs = {d.id: d for d in db.exec(select(Document).where(col(Document.id).in_(doc_ids))).all()} if doc_ids else {}
    return [_view(m, names.get(m.author_id, ""), docs.get(m.document_id) if m.document_id else None) for m in messages]


def _clean_body(body: object) -> str:
    text = body.replace("\r\n", "\n").strip() if isinstance(body, str) else ""
    if len(text) > MAX_LENGTH:
        raise PlumeError(ErrorCode.MESSAGE_TOO_LONG, field="body", max=str(MAX_LENGTH))
    return text


def post(
    db: Session, actor: Actor, session_id: int, body: object, client_id: object, *, document_id: int | None = None
) -> MessageView:
    """Post a message (sending again with the same client id returns the first one).

    Args:
        db: Database session (committed here).
        actor: A learner, trainer or tutor of the session.
        session_id: The session.
        body: The text (up to 4,000 characters; may be empty with an attachment).
        client_id: The sender's id for this message (idempotency).
        document_id: An attachment stored with `documents.store_chat_file`.

    Returns:
        The message.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT, MESSAGE_EMPTY, MESSAGE_TOO_LONG or CHAT_SLOW_DOWN.
    """
    place = access_room(db, actor, session_id)
    if not place.can_post:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not isinstance(client_id, str) or not _CLIENT_ID.match(client_id):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    existing = db.exec(
        select(ChatMessage).where(ChatMessage.author_id == actor.user_id, ChatMessage.client_id == client_id)
    ).first()
    if existing is not None:
        return _views(db, [existing])[0]
    text = _clean_body(body)
    if not text and document_id is None:
        raise PlumeError(ErrorCode.MESSAGE_EMPTY, field="body")
    recent = db.exec(
        select(func.count())
        .select_from(ChatMessage)
        .where(ChatMessage.author_id == actor.user_id, ChatMessage.created_at > utcnow() - THROTTLE_WINDOW)
    ).one()
    if recent >= THROTTLE_COUNT:
        raise PlumeError(ErrorCode.CHAT_SLOW_DOWN)
    message = ChatMessage(
        session_id=session_id, author_id=actor.user_id, client_id=client_id, body=text, document_id=document_id
    )
    db.add(message)
    try:
        db.flush()
    except IntegrityError:  # the same client id posted concurrently: return that one
        db.rollback()
        found = db.exec(
            select(ChatMessage).where(ChatMessage.author_id == actor.user_id, ChatMessage.client_id == client_id)
        ).one()
        return _views(db, [found])[0]
    view = _views(db, [message])[0]
    notify(db, chat_topic(session_id), ChatPosted(message=view.as_dict()))
    notify(db, chat_unread_topic(session_id), ChatUnread(session_id=session_id, author_id=actor.user_id))
    db.commit()
    return view


def _own_or_moderated(db: Session, actor: Actor, message_id: object) -> tuple[ChatMessage, Room]:
    message = db.get(ChatMessage, message_id) if isinstance(message_id, int) else None
    if message is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    place = access_room(db, actor, message.session_id)
    if message.deleted_at is not None:
        raise PlumeError(ErrorCode.MESSAGE_REMOVED)
    return message, place


def edit_deadline(created_at: datetime) -> datetime:
    """When a message's author stops being able to edit or delete it (15 minutes after posting).

    Args:
        created_at: When it was posted (UTC; a naive value read back from SQLite is UTC).

    Returns:
        The deadline, in UTC.
    """
    posted = created_at if created_at.tzinfo is not None else created_at.replace(tzinfo=UTC)
    return posted + EDIT_WINDOW


def may_still_change(edit_until: float, now: float | None = None) -> bool:
    """The edit window rule: the one check behind both the offer on the page and the refusal here.

    Args:
        edit_until: The message's `edit_until` (epoch seconds, from `edit_deadline`).
        now: The time to judge at (epoch seconds; now by default).

    Returns:
        Whether its author may still edit or delete it.
    """
    return (utcnow().timestamp() if now is None else now) <= edit_until


def _within_window(message: ChatMessage) -> bool:
    return may_still_change(edit_deadline(message.created_at).timestamp())


def edit(db: Session, actor: Actor, message_id: int, body: object) -> MessageView:
    """Change one's own message within 15 minutes (it is then marked "modifié").

    Args:
        db: Database session (committed here).
        actor: The message's author.
        message_id: The message.
        body: The new text.

    Returns:
        The message.

    Raises:
        PlumeError: NOT_FOUND, MESSAGE_REMOVED, EDIT_WINDOW_PASSED, MESSAGE_EMPTY or MESSAGE_TOO_LONG.
    """
    message, _ = _own_or_moderated(db, actor, message_id)
    if message.author_id != actor.user_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not _within_window(message):
        raise PlumeError(ErrorCode.EDIT_WINDOW_PASSED)
    text = _clean_body(body)
    if not text and message.document_id is None:
        raise PlumeError(ErrorCode.MESSAGE_EMPTY, field="body")
    if text != message.body:
        message.body, message.edited_at = text, utcnow()
        db.add(message)
    db.flush()
    view = _views(db, [message])[0]
    notify(db, chat_topic(message.session_id), ChatChanged(message=view.as_dict()))
    db.commit()
    return view


def remove(db: Session, actor: Actor, message_id: int) -> MessageView:
    """Remove a message: one's own within 15 minutes, or anyone's by a trainer or staff (moderation).

    The text is kept only in the audit log.

    Args:
        db: Database session (committed here).
        actor: The author, or a moderator of the room.
        message_id: The message.

    Returns:
        The message as now shown.

    Raises:
        PlumeError: NOT_FOUND, MESSAGE_REMOVED or EDIT_WINDOW_PASSED.
    """
    message, place = _own_or_moderated(db, actor, message_id)
    own = message.author_id == actor.user_id
    if not own and not place.can_moderate:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if own and not place.can_moderate and not _within_window(message):
        raise PlumeError(ErrorCode.EDIT_WINDOW_PASSED)
    audit.by_actor(
        db,
        actor,
        "chat.moderate" if not own else "chat.delete",
        organisation_id=place.training.organisation_id,
        target=f"chat_message:{message.id}",
        before={"author_id": message.author_id, "body": message.body, "document_id": message.document_id},
    )
    message.deleted_at, message.deleted_by_id, message.body = utcnow(), actor.user_id, ""
    db.add(message)
    db.flush()
    view = _views(db, [message])[0]
    notify(db, chat_topic(message.session_id), ChatChanged(message=view.as_dict()))
    db.commit()
    return view


@dataclass(frozen=True)
class History:
    """A page of a room's messages, oldest first."""

    messages: list[MessageView]
    has_more: bool
    last_read_id: int
    can_post: bool
    can_moderate: bool


def _last_read(db: Session, session_id: int, user_id: int) -> int:
    row = db.exec(select(ChatRead).where(ChatRead.session_id == session_id, ChatRead.user_id == user_id)).first()
    return row.last_read_id if row else 0


def history(db: Session, actor: Actor, session_id: int, *, before_id: int | None = None) -> History:
    """The latest 50 messages (or the 50 before a message, when scrolling up).

    Args:
        db: Database session.
        actor: A member of the room.
        session_id: The session.
        before_id: Load the messages older than this one.

    Returns:
        The page.

    Raises:
        PlumeError: NOT_FOUND.
    """
    place = access_room(db, actor, session_id)
    query = select(ChatMessage).where(ChatMessage.session_id == session_id)
    if before_id is not None:
        query = query.where(col(ChatMessage.id) < before_id)
    rows = list(db.exec(query.order_by(col(ChatMessage.id).desc()).limit(PAGE_SIZE + 1)).all())
    has_more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    rows.reverse()
    return History(
        messages=_views(db, rows),
        has_more=has_more,
        last_read_id=_last_read(db, session_id, actor.user_id),
        can_post=place.can_post,
        can_moderate=place.can_moderate,
    )


def mark_read(db: Session, actor: Actor, session_id: int, last_id: int) -> None:
    """Note that the actor has seen the room up to a message.

    Args:
        db: Database session.
        actor: A member of the room.
        session_id: The session.
        last_id: The newest message seen.

    Raises:
        PlumeError: NOT_FOUND.
    """
    access_room(db, actor, session_id)
    row = db.exec(
        select(ChatRead).where(ChatRead.session_id == session_id, ChatRead.user_id == actor.user_id)
    ).first() or ChatRead(session_id=session_id, user_id=actor.user_id)
    newest = db.exec(select(func.max(ChatMessage.id)).where(ChatMessage.session_id == session_id)).one() or 0
    seen = max(0, min(last_id, newest))
    if seen > row.last_read_id:
        row.last_read_id = seen
        db.add(row)


def unread_counts(db: Session, actor: Actor, session_ids: list[int]) -> dict[int, int]:
    """How many messages from others each room has after the actor's last read one.

    Args:
        db: Database session.
        actor: The signed-in actor (only sessions they belong to should be passed).
        session_ids: The sessions.

    Returns:
        Session id → count (rooms without unread messages are left out).
    """
    if not session_ids:
        return {}
    read = select(ChatRead.session_id, ChatRead.last_read_id).where(ChatRead.user_id == actor.user_id).subquery("seen")
    rows = db.exec(
        select(ChatMessage.session_id, func.count())
        .outerjoin(read, read.c.session_id == col(ChatMessage.session_id))
        .where(
            col(ChatMessage.session_id).in_(session_ids),
            ChatMessage.author_id != actor.user_id,
            col(ChatMessage.deleted_at).is_(None),
            col(ChatMessage.id) > func.coalesce(read.c.last_read_id, 0),
        )
        .group_by(col(ChatMessage.session_id))
    ).all()
    return {session_id: int(count) for session_id, count in rows if count}


def member_names(db: Session, session_id: int) -> dict[int, str]:
    """The names of a room's learners and trainers (who is online is shown by name).

    Args:
        db: Database session.
        session_id: The session.

    Returns:
        User id → name.
    """
    learners = select(Enrolment.user_id).where(Enrolment.session_id == session_id)
    trainers = select(TrainerPosition.user_id).where(TrainerPosition.session_id == session_id)
    users = db.exec(select(User).where(col(User.id).in_(learners.union(trainers)))).all()
    return {u.id or 0: u.display_name for u in users}
