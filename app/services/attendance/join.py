"""May this person join the virtual class now: the one rule its sheet, the session page's panel and home use.

A virtual class's meeting link stays behind signing: a participant on its sheet
(learner or trainer) gets it once they signed; the tutor who created a class for
some learners leads it (on its sheet in place of the trainers) and starts it unsigned. Either way only while the class
runs: from the opening of its signing window to its end.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.models import Activity, Slot
from app.models.base import utcnow
from app.services.access import Capability
from app.services.actor import Actor
from app.services.attendance.chain import existing_keys
from app.services.attendance.window import SlotContext, open_contexts, slot_context, when_label, window
from app.services.errors import PlumeError


def _settings(activity: Activity) -> dict[str, object]:
    try:
        settings = json.loads(activity.settings_json or "{}")
    except ValueError:
        return {}
    return settings if isinstance(settings, dict) else {}


def meeting_link(ctx: SlotContext) -> str:
    """The virtual class's link (shown only to whom `join_link` lets in).

    Args:
        ctx: The slot's context.

    Returns:
        The URL (the class's own, else the organisation's), or "".
    """
    if ctx.activity.kind != "virtual_class":
        return ""
    link = _settings(ctx.activity).get("link")
    return str(link or ctx.organisation.virtual_class_url or "")


def hosts(ctx: SlotContext, actor: Actor) -> bool:
    """Whether the actor leads the virtual class for some learners they created (`audience.leader`): they start it.

    Args:
        ctx: The slot's context.
        actor: The person.

    Returns:
        True for the class's creator, who may open the meeting before signing its sheet.
    """
    return ctx.activity.kind == "virtual_class" and ctx.actor_id == actor.user_id and ctx.leads


def running(ctx: SlotContext, now: datetime | None = None) -> bool:
    """Whether the class runs: from the opening of its signing window to its end.

    Args:
        ctx: The slot's context.
        now: The time to judge at (now by default).

    Returns:
        True while it runs.
    """
    opens, closes = window(ctx.organisation, ctx.slot)
    moment = now or utcnow()
    return opens <= moment <= closes


def join_link(ctx: SlotContext, actor: Actor, *, signed: bool, now: datetime | None = None) -> str:
    """The link this person may follow to join the virtual class now, or "" (the rule of the module docstring).

    Args:
        ctx: The slot's context (its gate passed).
        actor: The person.
        signed: Whether they signed the slot's sheet.
        now: The time to judge at (now by default).

    Returns:
        The meeting URL, or "".
    """
    if ctx.activity.kind != "virtual_class" or not (signed or hosts(ctx, actor)) or not running(ctx, now):
        return ""
    return meeting_link(ctx)


def _signature_key(slot_id: int, user_id: int) -> str:
    return f"signature:{slot_id}:{user_id}"


@dataclass(frozen=True)
class ActivityJoin:
    """A virtual class activity's join state for one person (the session page's panel)."""

    slot_id: int
    link: str
    signed: bool
    over: bool


def activity_join(db: Session, actor: Actor, activity_id: int, now: datetime | None = None) -> ActivityJoin:
    """Whether the person may join a virtual class activity now (its first slot), for its panel.

    Args:
        db: Database session.
        actor: The person.
        activity_id: The activity (any kind: others answer no link).
        now: The time to judge at.

    Returns:
        Its slot, the link ("" when not allowed now), whether they signed, whether the class is over.
        Nothing to join (no slot, not theirs, not a virtual class) answers slot 0 and no link.
    """
    nothing = ActivityJoin(slot_id=0, link="", signed=False, over=False)
    slot = db.exec(
        select(Slot)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .where(Slot.activity_id == activity_id, Activity.kind == "virtual_class")
        .order_by(col(Slot.starts_at))
    ).first()
    if slot is None:
        return nothing
    try:
        ctx = slot_context(db, actor, slot.id)
    except PlumeError:
        return nothing
    signed = bool(ctx.signer_role) and bool(existing_keys(db, [_signature_key(slot.id or 0, actor.user_id)]))
    moment = now or utcnow()
    return ActivityJoin(
        slot_id=slot.id or 0,
        link=join_link(ctx, actor, signed=signed, now=moment),
        signed=signed,
        over=moment > ctx.slot.ends_at,
    )


@dataclass(frozen=True)
class JoinableClass:
    """A virtual class the person may join right now (on their home page)."""

    slot_id: int
    session_id: int
    activity_title: str
    session_title: str
    when: str
    link: str


def joinable_now(
    db: Session, actor: Actor, now: datetime | None = None, *, seen: list[SlotContext] | None = None
) -> list[JoinableClass]:
    """The virtual classes of the actor's sessions they may join now (signed, or hosting), earliest first.

    Args:
        db: Database session.
        actor: The signed-in actor.
        now: The time to judge at.
        seen: The open windows of the sheets the actor may see (`open_contexts` with SEE at `now`), when the
            caller already read them.

    Returns:
        The classes, each with its link.
    """
    moment = now or utcnow()
    if seen is None:
        contexts = open_contexts(db, actor, moment, kinds=("virtual_class",), capability=Capability.SEE)
    else:
        contexts = [ctx for ctx in seen if ctx.activity.kind == "virtual_class"]
    taken = existing_keys(db, [_signature_key(ctx.slot.id or 0, actor.user_id) for ctx in contexts])
    out: list[JoinableClass] = []
    for ctx in contexts:
        signed = bool(ctx.signer_role) and _signature_key(ctx.slot.id or 0, actor.user_id) in taken
        link = join_link(ctx, actor, signed=signed, now=moment)
        if link:
            out.append(
                JoinableClass(
                    slot_id=ctx.slot.id or 0,
                    session_id=ctx.training.id or 0,
                    activity_title=ctx.activity.title,
                    session_title=ctx.training.title,
                    when=when_label(ctx.slot),
                    link=link,
                )
            )
    return out
