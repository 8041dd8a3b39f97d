"""A session's modules in timeline order, and staff reordering them (drag and drop, up and down)."""

from __future__ import annotations

from sqlmodel import Session, select

from app.live.bus import notify
from app.live.contract import ModuleMoved, session_topic
from app.models import Module
from app.models.training import PHASES
from app.services import audit
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError


def ordered_modules(db: Session, session_id: int) -> list[Module]:
    """A session's modules in timeline order: by phase (before, during, after), then position.

    Args:
        db: Database session.
        session_id: The session.

    Returns:
        The modules.
    """
    modules = db.exec(select(Module).where(Module.session_id == session_id)).all()
    phase_rank = {p: i for i, p in enumerate(PHASES)}
    return sorted(modules, key=lambda m: (phase_rank.get(m.phase, 1), m.position, m.id or 0))


def place_module(db: Session, actor: Actor, module_id: int, target_id: int) -> None:
    """Drop a module where another one stands (drag and drop): it takes that place and phase (staff).

    Args:
        db: Database session.
        actor: A staff member of the session's organisation.
        module_id: The module dragged.
        target_id: The module it was dropped on, in the same session.

    Raises:
        PlumeError: NOT_FOUND.
    """
    module = db.get(Module, module_id) if isinstance(module_id, int) else None
    target = db.get(Module, target_id) if isinstance(target_id, int) else None
    if module is None or target is None or module.session_id is None or module.session_id != target.session_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    training, _ = access_session(db, actor, module.session_id, Capability.EDIT)
    assert training.id is not None
    if module.id == target.id:
        return
    order = ordered_modules(db, training.id)
    before = [m.id for m in order]
    order.remove(module)
    index = next(i for i, m in enumerate(order) if m.id == target.id)
    moving_down = before.index(module.id) < before.index(target.id)
    order.insert(index + 1 if moving_down else index, module)
    module.phase = target.phase
    for phase in PHASES:
        for position, m in enumerate([m for m in order if m.phase == phase]):
            m.position = position
            db.add(m)
    audit.record(
        db,
        "timeline.place_module",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"module:{module.id}",
        after={"target": target.id},
    )
    notify(db, session_topic(training.id), ModuleMoved(module_id=module.id))


def move_module(db: Session, actor: Actor, module_id: int, direction: int) -> None:
    """Move a module one place up (-1) or down (+1) within its phase (staff only).

    Args:
        db: Database session.
        actor: A staff member of the session's organisation.
        module_id: The module.
        direction: -1 or +1.

    Raises:
        PlumeError: NOT_FOUND, or INVALID_INPUT for another direction.
    """
    if direction not in (-1, 1):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    module = db.get(Module, module_id) if isinstance(module_id, int) else None
    if module is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if module.session_id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    training, _ = access_session(db, actor, module.session_id, Capability.EDIT)
    assert training.id is not None
    same_phase = [m for m in ordered_modules(db, training.id) if m.phase == module.phase]
    index = next(i for i, m in enumerate(same_phase) if m.id == module.id)
    target = index + direction
    if not 0 <= target < len(same_phase):
        return
    same_phase[index], same_phase[target] = same_phase[target], same_phase[index]
    for position, m in enumerate(same_phase):
        if m.position != position:
            m.position = position
            db.add(m)
    audit.record(
        db,
        "timeline.move_module",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"module:{module.id}",
        after={"direction": direction},
    )
    notify(db, session_topic(training.id), ModuleMoved(module_id=module.id))
