"""Which questionnaire an activity uses, and at which moment of the session.

The same questionnaire may serve several activities of a session: a diagnostic before and
after (progression), a quality evaluation's expectations (before), hot and cold moments.
"""

from __future__ import annotations

import json

from sqlmodel import Session, select

from app.models import Activity
from app.models.evaluations import EVALUATION_KINDS, EvaluationAttempt, QuestionnaireUse
from app.services import audit
from app.services.access import Capability, access_activity
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.evaluations.library import access_questionnaire

# The moments each kind may be used at ("" for a questionnaire used once).
KIND_MOMENTS: dict[str, tuple[str, ...]] = {
    "diagnostic": ("", "before", "after"),
    "third_party_evaluation": ("", "before", "after"),
    "certification": ("",),
    "quality_evaluation": ("before", "hot", "cold"),
    "quiz": ("",),
    "self_assessment": ("", "before", "after"),
}
MAX_COLD_DELAY_DAYS = 365


def use_of(db: Session, activity_id: int) -> QuestionnaireUse | None:
    """The questionnaire an activity uses (no access check: callers went through their gate).

    Args:
        db: Database session.
        activity_id: The activity.

    Returns:
        Its use, or None before one is attached.
    """
    return db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity_id)).first()


def attach(
    db: Session,
    actor: Actor,
    activity_id: int,
    questionnaire_id: int,
    *,
    moment: str = "",
    send_after_days: int | None = None,
) -> QuestionnaireUse:
    """Attach a library questionnaire to an evaluation activity (staff and the session's trainers: MANAGE).

    Attaching again replaces the questionnaire until a learner has started the activity. The
    questionnaire's passing score is copied to the activity's settings, so the tutoring report
    shows the one the grading uses.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on it.
        activity_id: An activity of one of the six evaluation kinds.
        questionnaire_id: A questionnaire of the session's organisation, made for that kind.
        moment: before / after / hot / cold, as the kind allows (see `KIND_MOMENTS`).
        send_after_days: A cold evaluation's delay after the session ends, in days.

    Returns:
        The use.

    Raises:
        PlumeError: NOT_FOUND (activity, questionnaire, or a questionnaire made for another kind);
            INVALID_INPUT for a moment the kind does not have; NUMBER_RANGE for the delay;
            QUESTIONNAIRE_IN_USE when learners have started the activity.
    """
    activity, _, training, _ = access_activity(db, actor, activity_id, Capability.MANAGE)
    if activity.kind not in EVALUATION_KINDS or actor.organisation_id != training.organisation_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    questionnaire = access_questionnaire(db, actor, questionnaire_id)
    if questionnaire.use != activity.kind:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if moment not in KIND_MOMENTS[activity.kind]:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="moment")
    delay = send_after_days if moment == "cold" else None
    if moment == "cold" and (
        not isinstance(delay, int) or isinstance(delay, bool) or not 1 <= delay <= MAX_COLD_DELAY_DAYS
    ):
        raise PlumeError(ErrorCode.NUMBER_RANGE, field="send_after_days", low="1", high=str(MAX_COLD_DELAY_DAYS))
    use = use_of(db, activity.id or 0)
    if use is not None and use.questionnaire_id != questionnaire.id and _started(db, activity.id or 0):
        raise PlumeError(ErrorCode.QUESTIONNAIRE_IN_USE)
    before = {"questionnaire_id": use.questionnaire_id, "moment": use.moment} if use is not None else None
    if use is None:
        use = QuestionnaireUse(activity_id=activity.id or 0, questionnaire_id=questionnaire.id or 0)
    use.questionnaire_id, use.moment, use.send_after_days = questionnaire.id or 0, moment, delay
    db.add(use)
    _copy_passing_score(db, activity, questionnaire.passing_score)
    db.flush()
    audit.record(
        db,
        "questionnaire.attach",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"activity:{activity.id}",
        before=before,
        after={"questionnaire_id": use.questionnaire_id, "moment": moment},
        ip=actor.ip,
    )
    return use


def _started(db: Session, activity_id: int) -> bool:
    return db.exec(select(EvaluationAttempt.id).where(EvaluationAttempt.activity_id == activity_id)).first() is not None


def _copy_passing_score(db: Session, activity: Activity, passing_score: int) -> None:
    try:
        settings = json.loads(activity.settings_json or "{}")
    except ValueError:
        settings = {}
    if not isinstance(settings, dict):
        settings = {}
    settings["passing_score"] = passing_score
    activity.settings_json = json.dumps(settings, ensure_ascii=False)
    db.add(activity)
