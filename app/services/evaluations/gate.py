"""The learner's gate of an evaluation activity: `access.access_activity`, then what is not a question of who."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from app.models import Activity, Module, TrainingSession
from app.models.evaluations import EVALUATION_KINDS
from app.services import audience
from app.services.access import Capability, SessionRole, access_activity
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.locks import locked_for


@dataclass(frozen=True)
class LearnerActivity:
    """An evaluation activity a learner reached through the gate."""

    activity: Activity
    module: Module
    training: TrainingSession
    role: SessionRole


def learner_activity(db: Session, actor: Actor, activity_id: object, *, write: bool) -> LearnerActivity:
    """An evaluation activity of the learner's own timeline, open to them; else NOT_FOUND.

    Reading needs an enrolment (an archived session's included); answering needs the session
    still live (`SessionRole.learner`). A module still locked to them, an activity for other
    invitees and a kind that is not an evaluation all look missing, as `activities.in_session` does.

    Args:
        db: Database session.
        actor: The signed-in actor.
        activity_id: The activity.
        write: Whether the learner answers (else reads).

    Returns:
        The activity, its module, its session and the learner's role.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, module, training, role = access_activity(db, actor, activity_id, Capability.SEE)
    allowed = role.learner if write else role.enrolled
    if not allowed or activity.kind not in EVALUATION_KINDS:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not audience.invited(activity, actor.user_id) or locked_for(db, module, role, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return LearnerActivity(activity=activity, module=module, training=training, role=role)
