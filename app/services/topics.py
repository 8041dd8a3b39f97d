"""Who may still follow a live topic: re-checked before every push, so a tab that lost access hears nothing.

Topics are built and read back by `app.live.contract` (`session_topic`, `followers_topic`,
`chat_topic`, `chat_unread_topic`, `slot_topic`, `slot_board_topic`,
`slot_person_topic`, `person_topic`; `parse_topic`). A name no builder makes is refused.

One rule, two callers: `may_follow_many` judges every tab of a topic at once (a live push
to a room re-checks all its tabs in one database visit: one read per table through
`access.access_session_for_each`), and `may_follow` is the same function for one tab.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session

from app.live.contract import parse_topic
from app.services.access import access_session_for_each
from app.services.actor import Actor
from app.services.attendance.window import slot_context
from app.services.errors import PlumeError

SESSION_KINDS = ("session", "chat", "chat-unread")


def may_follow(db: Session, actor: Actor | None, topic: str) -> bool:
    """Whether a tab's actor may still receive a topic's events.

    Args:
        db: Database session.
        actor: The tab's actor (None once its session ended).
        topic: e.g. "session:12", "chat:12", "attendance:7:board".

    Returns:
        True if the events may reach the tab.
    """
    return may_follow_many(db, [actor], topic)[0]


def may_follow_many(db: Session, actors: Sequence[Actor | None], topic: str) -> list[bool]:
    """Whether each of several tabs' actors may still receive a topic's events (the bulk form of `may_follow`).

    Args:
        db: Database session.
        actors: The tabs' actors (None once a session ended).
        topic: The topic.

    Returns:
        One verdict per actor, in order.
    """
    signed = [a if a is not None and a.fully_signed_in else None for a in actors]
    parsed = parse_topic(topic)
    if parsed is None:
        return [False] * len(signed)
    if parsed.kind == "person":
        return [a is not None and parsed.user_id == a.user_id for a in signed]
    if parsed.kind in SESSION_KINDS or parsed.kind == "followers":
        roles = access_session_for_each(db, signed, parsed.id)
        if parsed.kind == "followers":  # every learner's progress: those who see it, as the session's pages show it
            return [role is not None and role.sees_everything for role in roles]
        return [role is not None for role in roles]
    return [a is not None and _may_follow_slot(db, a, parsed.kind, parsed.id, parsed.user_id) for a in signed]


def _may_follow_slot(db: Session, actor: Actor, kind: str, slot_id: int, user_id: int) -> bool:
    """One tab's verdict on a topic of a slot (its signing window and the signer's role come with the slot's gate).

    Args:
        db: Database session.
        actor: The tab's actor (fully signed in).
        kind: "slot", "slot-board" or "slot-person".
        slot_id: The slot.
        user_id: The person of a "slot-person" topic.

    Returns:
        True if the events may reach the tab.
    """
    try:
        ctx = slot_context(db, actor, slot_id)
    except PlumeError:
        return False
    if kind == "slot-board":
        return ctx.role.sees_everything
    if kind == "slot-person":
        return user_id == actor.user_id
    return kind == "slot"
