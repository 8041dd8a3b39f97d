"""Who may still follow a live topic: re-checked before every push, so a tab that lost access hears nothing.

Topics are named by the services that announce on them (`sessions.topic`,
`chat.topic`, `chat.unread_topic`, `attendance.topic`, `attendance.board_topic`,
`attendance.person_topic`). An unknown topic is refused.
"""

from __future__ import annotations

from sqlmodel import Session

from app.services.actor import Actor
from app.services.attendance import slot_context
from app.services.errors import PlumeError
from app.services.sessions import access_session


def _number(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise ValueError(text)
    return int(text)


def may_follow(db: Session, actor: Actor | None, topic: str) -> bool:
    """Whether a tab's actor may still receive a topic's events.

    Args:
        db: Database session.
        actor: The tab's actor (None once its session ended).
        topic: e.g. "session:12", "chat:12", "attendance:7:board".

    Returns:
        True if the events may reach the tab.
    """
    if actor is None or not actor.fully_signed_in:
        return False
    kind, _, rest = topic.partition(":")
    try:
        if kind in ("session", "chat", "chat-unread"):
            access_session(db, actor, _number(rest))
            return True
        if kind == "attendance":
            parts = rest.split(":")
            ctx = slot_context(db, actor, _number(parts[0]))
            if len(parts) == 1:
                return True
            if parts[1:] == ["board"]:
                return ctx.role.sees_everything
            if len(parts) == 3 and parts[1] == "user":  # attendance:<slot>:user:<id>
                return _number(parts[2]) == actor.user_id
    except (PlumeError, ValueError):
        return False
    return False
