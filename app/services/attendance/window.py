"""A slot's sheet: the gate to it (`slot_context`), when it can be signed, its rotating QR code, its times."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from app.clock import PARIS
from app.models import Activity, Organisation, Slot, TrainingSession
from app.models.base import utcnow
from app.services import access, audience
from app.services.access import Capability, SessionRole, access_slot
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.settings import get_settings

SIGNED_KINDS = ("in_person", "virtual_class")
QR_PERIOD_SECONDS = 30
QR_PROOF_VALID = timedelta(minutes=15)


@dataclass(frozen=True)
class SlotContext:
    """A slot with its activity, session, organisation and the actor's role."""

    slot: Slot
    activity: Activity
    training: TrainingSession
    organisation: Organisation
    role: SessionRole
    actor_id: int = 0

    @property
    def leads(self) -> bool:
        """The actor created this class for some learners (`audience.leader`): they lead it, on its sheet."""
        return self.actor_id != 0 and audience.leader(self.activity) == self.actor_id

    @property
    def manages(self) -> bool:
        """Trainers of the session and staff run the board (`access.Capability.MANAGE`), and a class's leader."""
        return self.role.manages or self.leads

    @property
    def signer_role(self) -> str:
        """How the actor signs this slot: as a trainer (who leads it), a learner, or not at all.

        A class for some learners is led by its creator alone: the session's trainers are not on its sheet.
        """
        if audience.leader(self.activity) is not None:
            if self.leads:
                return "trainer"
            return "learner" if self.role.learner else ""
        if self.role.trainer:
            return "trainer"
        if self.role.learner:
            return "learner"
        return ""


def slot_context(db: Session, actor: Actor, slot_id: object) -> SlotContext:
    """The only way to reach a slot's sheet: members of its session, else NOT_FOUND.

    Args:
        db: Database session.
        actor: The signed-in actor.
        slot_id: The slot asked for.

    Returns:
        The context.

    Raises:
        PlumeError: NOT_FOUND.
    """
    slot, activity, training, role = access_slot(db, actor, slot_id)
    if activity is None or activity.kind not in SIGNED_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    organisation = db.get(Organisation, training.organisation_id)
    context = context_for(actor, slot=slot, activity=activity, training=training, organisation=organisation, role=role)
    if context is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return context


def context_for(
    actor: Actor,
    *,
    slot: Slot,
    activity: Activity,
    training: TrainingSession,
    organisation: Organisation | None,
    role: SessionRole,
) -> SlotContext | None:
    """The rest of `slot_context`'s gate once the slot's rows are read (`summaries.open_sheets` reads many at once).

    Args:
        actor: The signed-in actor.
        slot: The slot.
        activity: Its activity (one with a sheet: `SIGNED_KINDS`).
        training: Its session.
        organisation: The session's organisation.
        role: The actor's role in the session (the caller checked SEE).

    Returns:
        The context, or None where `slot_context` answers NOT_FOUND.
    """
    if organisation is None:
        return None
    if not role.sees_everything and not audience.invited(activity, actor.user_id):
        return None
    return SlotContext(
        slot=slot, activity=activity, training=training, organisation=organisation, role=role, actor_id=actor.user_id
    )


def open_contexts(
    db: Session, actor: Actor, moment: datetime, *, kinds: tuple[str, ...], capability: Capability
) -> list[SlotContext]:
    """The slots of the actor's sessions whose window is open at `moment`, through `slot_context`'s gate.

    A window runs from its signing opening to the slot's end. Two reads (the slots, the actor's roles)
    whatever the number of slots: home pages list them.

    Args:
        db: Database session.
        actor: The signed-in actor.
        moment: The time to judge at.
        kinds: The activity kinds wanted (among `SIGNED_KINDS`).
        capability: What the actor must hold in the session, filtered in SQL.

    Returns:
        The contexts, earliest first.
    """
    if actor.organisation_id is None or not actor.fully_signed_in:
        return []
    organisation = db.get(Organisation, actor.organisation_id)
    if organisation is None:
        return []
    early = timedelta(minutes=max(0, organisation.signing_window_minutes))
    rows = db.exec(
        select(Slot, Activity, TrainingSession)
        .join(Activity, col(Activity.id) == col(Slot.activity_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Slot.session_id))
        .where(
            TrainingSession.organisation_id == actor.organisation_id,
            col(TrainingSession.status).in_(("active", "finished")),
            col(Activity.kind).in_(kinds),
            col(Slot.starts_at) <= moment + early,
            col(Slot.ends_at) >= moment,
            access.session_filter(actor, capability),
        )
        .order_by(col(Slot.starts_at))
    ).all()
    roles = access.session_roles(db, actor, [training for _, _, training in rows])
    out: list[SlotContext] = []
    for slot, activity, training in rows:
        role = roles.get(training.id or 0, access.NO_ROLE)
        if not role.can(Capability.SEE):  # what `slot_context` asks of `access_slot`
            continue
        ctx = context_for(actor, slot=slot, activity=activity, training=training, organisation=organisation, role=role)
        if ctx is not None:
            out.append(ctx)
    return out


def window(organisation: Organisation, slot: Slot) -> tuple[datetime, datetime]:
    """When a slot's sheet can be signed: from N minutes before its start (the organisation's setting) to its end.

    Args:
        organisation: The slot's organisation.
        slot: The slot.

    Returns:
        (opens, closes), UTC.
    """
    return slot.starts_at - timedelta(minutes=max(0, organisation.signing_window_minutes)), slot.ends_at


def window_state(organisation: Organisation, slot: Slot, now: datetime | None = None) -> str:
    """Whether signing is `before` its window, `open` or `closed`.

    Args:
        organisation: The slot's organisation.
        slot: The slot.
        now: The time to judge at (now by default).

    Returns:
        The state.
    """
    opens, closes = window(organisation, slot)
    moment = now or utcnow()
    if moment < opens:
        return "before"
    return "open" if moment <= closes else "closed"


def qr_code(slot_id: int, period: int | None = None) -> str:
    """The code a slot's QR carries during one 30-second period.

    Args:
        slot_id: The slot.
        period: The period number (the current one by default).

    Returns:
        A short code.
    """
    number = int(time.time() // QR_PERIOD_SECONDS) if period is None else period
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"qr:{slot_id}:{number}".encode(), hashlib.sha256).hexdigest()[:20]


def qr_valid(slot_id: int, code: object) -> bool:
    """Whether a scanned code is the slot's current one (or the one just before, for a slow scan).

    Args:
        slot_id: The slot.
        code: As found in the URL.

    Returns:
        True if valid now.
    """
    if not isinstance(code, str) or len(code) != 20:
        return False
    now = int(time.time() // QR_PERIOD_SECONDS)
    return any(hmac.compare_digest(code, qr_code(slot_id, p)) for p in (now, now - 1))


def qr_seconds_left() -> int:
    """Seconds until the current QR code changes.

    Returns:
        1 to 30.
    """
    return QR_PERIOD_SECONDS - int(time.time()) % QR_PERIOD_SECONDS


def clock(moment: datetime | None) -> str:
    """A time as HH:MM in French time ("" for none).

    Args:
        moment: The time.

    Returns:
        The text.
    """
    return moment.astimezone(PARIS).strftime("%H:%M") if moment else ""


def when_label(slot: Slot) -> str:
    """A slot's date and times in French time.

    Args:
        slot: The slot.

    Returns:
        e.g. "21/11/2026 · 09:00–12:30".
    """
    start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
    return f"{start:%d/%m/%Y} · {start:%H:%M}–{end:%H:%M}"
