"""Which of a session's modules are still closed to a learner: the opening rules, walked in timeline order.

A module opens `always`, on a `date` (closed while it has none or it is still ahead), or
`after_previous` (once the learner has done every activity of the module before it on the
timeline). Staff, trainers and tutors see every module. The session's page, the activities,
the documents and the missions all ask here, so the rule has one definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session

from app.models import Module
from app.models.base import utcnow
from app.services.access import SessionRole
from app.services.progress import Progress, learner_progress
from app.services.sessions.modules import ordered_modules


def closed_by_rule(module: Module, previous_done: bool, now: datetime) -> bool:
    """Whether a module's opening rule keeps it closed (to a learner).

    Args:
        module: The module.
        previous_done: Whether the learner has done every activity of the module before it.
        now: The time to judge at.

    Returns:
        True while it is closed.
    """
    if module.opening_rule == "date":
        return module.opens_at is None or module.opens_at > now
    if module.opening_rule == "after_previous":
        return not previous_done
    return False


def locked_ids(
    modules: Sequence[Module], role: SessionRole, progress: Progress | None, now: datetime | None = None
) -> set[int]:
    """The modules still closed to a member, in one walk of the timeline.

    Args:
        modules: The session's modules, in timeline order (`ordered_modules`).
        role: The member's role in the session (those who see everything find nothing locked).
        progress: The learner's progress (`learner_progress`); None counts every module as done.
        now: The time to judge at (now by default).

    Returns:
        The ids of the locked modules.
    """
    if role.sees_everything:
        return set()
    moment = now or utcnow()
    locked: set[int] = set()
    previous_done = True
    for m in modules:
        if closed_by_rule(m, previous_done, moment):
            locked.add(m.id or 0)
        done, total = progress.modules.get(m.id or 0, (0, 0)) if progress else (0, 0)
        previous_done = done >= total
    return locked


def open_modules(db: Session, session_id: int, role: SessionRole, user_id: int) -> list[Module]:
    """A session's modules open to a member, in timeline order (progress is read only if a rule needs it).

    Args:
        db: Database session.
        session_id: The session.
        role: The member's role in it.
        user_id: The member.

    Returns:
        The open modules.
    """
    modules = ordered_modules(db, session_id)
    if role.sees_everything:
        return modules
    progress = None
    if any(m.opening_rule == "after_previous" for m in modules):
        progress = learner_progress(db, session_id, user_id, [m.id or 0 for m in modules])
    locked = locked_ids(modules, role, progress)
    return [m for m in modules if (m.id or 0) not in locked]


def locked_for(db: Session, module: Module, role: SessionRole, user_id: int) -> bool:
    """Whether one module is still closed to this member (learners only; the others see everything).

    Args:
        db: Database session.
        module: The module.
        role: The member's role in its session.
        user_id: The member.

    Returns:
        True while the module's opening rule keeps it closed to them.
    """
    if role.sees_everything or module.session_id is None:
        return False
    previous_done = True
    if module.opening_rule == "after_previous":
        modules = ordered_modules(db, module.session_id)
        index = next((i for i, m in enumerate(modules) if m.id == module.id), 0)
        if index > 0:
            progress = learner_progress(db, module.session_id, user_id, [m.id or 0 for m in modules])
            done, total = progress.modules.get(modules[index - 1].id or 0, (0, 0))
            previous_done = done >= total
    return closed_by_rule(module, previous_done, utcnow())
