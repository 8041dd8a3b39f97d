"""Who may still follow a live topic: re-checked before every push, so a tab that lost access hears nothing.

Topics are built and read back by `app.live.contract` (`session_topic`, `followers_topic`,
`chat_topic`, `chat_unread_topic`, `slot_topic`, `slot_board_topic`,
`slot_person_topic`, `person_topic`; `parse_topic`). A name no builder makes is refused.
"""

from __future__ import annotations

from sqlmodel import Session

from app.live.contract import parse_topic
from app.services.access import access_session
from app.services.actor import Actor
from app.services.attendance.window import slot_context
from app.services.errors import PlumeError


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
    parsed = parse_topic(topic)
    if parsed is None:
        return False
    if parsed.kind == "person":
        return parsed.user_id == actor.user_id
    try:
        if parsed.kind in ("session", "chat", "chat-unread"):
            access_session(db, actor, parsed.id)
            return True
        if parsed.kind == "followers":  # every learner's progress: those who see it, as the session's pages show it
            return access_session(db, actor, parsed.id)[1].sees_everything
        ctx = slot_context(db, actor, parsed.id)
    except PlumeError:
        return False
    if parsed.kind == "slot-board":
        return ctx.role.sees_everything
    if parsed.kind == "slot-person":
        return parsed.user_id == actor.user_id
    return parsed.kind == "slot"
