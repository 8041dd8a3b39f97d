"""Missions (activity kind `assignment`) and observations: learners hand in, correctors score.

A learner hands in a mission (a file, a comment, or both); handing in again
replaces the previous version and waits for a new correction. The session's
correctors (staff of its organisation, its trainers, the tutors positioned on
it) correct it with a score, a comment and maybe a file back, and observe each
learner on an observation activity against its criteria. Both finish the
learner's activity with passed or failed against its passing score.

Hand-in and correction files are private to the learner concerned and the
correctors: they are stored without a module (the generic document route
refuses them) and served by `/api/missions/submissions/<id>/<which>`, which
asks `open_file` here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import and_, case, func
from sqlmodel import Session, col, select

from app.clock import paris_datetime_label
from app.i18n import decimal_text, percent_text
from app.live.bus import notify
from app.live.contract import MissionHandedIn, session_topic
from app.models import Activity, Course, Document, Enrolment, Module, TrainingSession, User
from app.models.base import utcnow
from app.models.progress import Observation, Submission
from app.models.training import ENROLMENT_KINDS
from app.services import audit, documents, paging, progress
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.locks import locked_for
from app.settings import get_settings

MISSION = "assignment"
OBSERVATION = "observation"
DEFAULT_CRITERIA = ("Respect des consignes", "Maîtrise des gestes professionnels", "Communication", "Sécurité")
LEVELS = (0, 1, 2, 3)  # Non acquis, En cours d'acquisition, Acquis, Maîtrisé
TOP_LEVEL = LEVELS[-1]
MAX_TEXT = 4000
MAX_CRITERIA = 20
MAX_CRITERION_LENGTH = 200
KINDS = ("all", *ENROLMENT_KINDS)
FILES = ("work", "feedback")


def _settings(activity: Activity) -> dict[str, Any]:
    try:
        value = json.loads(activity.settings_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def criteria(activity: Activity) -> list[str]:
    """The criteria an observation is scored against: its settings' "criteria", else the default four.

    Args:
        activity: An observation activity.

    Returns:
        The criteria, in order.
    """
    given = _settings(activity).get("criteria")
    found: list[str] = []
    if isinstance(given, list):
        for item in given[:MAX_CRITERIA]:
            text = " ".join(item.split())[:MAX_CRITERION_LENGTH] if isinstance(item, str) else ""
            if text:
                found.append(text)
    return found or list(DEFAULT_CRITERIA)


def observation_score(levels: list[int]) -> int:
    """An observation's score in %: the levels reached out of the most possible.

    Args:
        levels: One level (0 to 3) per criterion.

    Returns:
        100 × sum / (3 × number of criteria), rounded half up (12.5 gives 13); 0 without criteria.
    """
    if not levels:
        return 0
    most = TOP_LEVEL * len(levels)
    return (200 * sum(levels) + most) // (2 * most)


def parse_score(value: object) -> float:
    """A corrector's score: a number from 0 to 100, a decimal comma accepted ("14,5").

    Args:
        value: As typed (str) or a number.

    Returns:
        The score, rounded to two decimals.

    Raises:
        PlumeError: MISSION_SCORE (field "score") when empty, not a number or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise PlumeError(ErrorCode.MISSION_SCORE, field="score")
    text = str(value).strip().replace(",", ".").removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        raise PlumeError(ErrorCode.MISSION_SCORE, field="score") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise PlumeError(ErrorCode.MISSION_SCORE, field="score")
    return round(number, 2)


def _id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field=field)
    text = value.strip()
    if len(text) > MAX_TEXT:
        raise PlumeError(ErrorCode.TEXT_TOO_LONG, field=field, max=f"{MAX_TEXT:,}".replace(",", "\u202f"))
    return text


def _percent(value: float | None) -> str:
    return percent_text(value)


def _paris(moment: Any) -> str:
    return paris_datetime_label(moment)


def can_correct(db: Session, actor: Actor, session_id: int) -> TrainingSession:
    """The gate of the correction pages: the session, if the actor corrects its missions and observations.

    Correctors are those with `access.Capability.CORRECT`: the staff of the session's
    organisation, the trainers of the session and the tutors positioned on it; its learners are not.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        The session.

    Raises:
        PlumeError: NOT_FOUND for a missing session and a forbidden one alike.
    """
    return access_session(db, actor, session_id, Capability.CORRECT)[0]


@dataclass(frozen=True)
class DeskHeader:
    """The head of a correction page: the session, and what waits for its correctors."""

    session_id: int
    title: str
    course_title: str
    missions_waiting: int
    observations_waiting: int
    follows_centre: bool  # staff and tutors have the session's tutoring centre; trainers do not


def desk_header(db: Session, actor: Actor, session_id: int) -> DeskHeader:
    """The session a correction page is about, for one of its correctors.

    Args:
        db: Database session.
        actor: A corrector of the session.
        session_id: The session.

    Returns:
        Its titles and its counts of missions to correct and observations to do.

    Raises:
        PlumeError: NOT_FOUND (see `can_correct`).
    """
    training, role = access_session(db, actor, session_id, Capability.CORRECT)
    course = db.get(Course, training.course_id)
    waiting, to_observe = waiting_counts(db, [training.id or 0])
    return DeskHeader(
        session_id=training.id or 0,
        title=training.title,
        course_title=course.title if course is not None else training.title,
        missions_waiting=waiting,
        observations_waiting=to_observe,
        follows_centre=role.follows,
    )


def _activity(db: Session, activity_id: object, kind: str) -> tuple[Activity, Module, int]:
    key = _id(activity_id)
    activity = db.get(Activity, key) if key is not None else None
    module = db.get(Module, activity.module_id) if activity is not None else None
    if activity is None or module is None or module.session_id is None or activity.kind != kind:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, module, module.session_id


def _learner_activity(db: Session, actor: Actor, activity_id: object, kind: str) -> tuple[Activity, int]:
    """An activity of this kind the actor follows as a learner (open module), else NOT_FOUND."""
    activity, module, session_id = _activity(db, activity_id, kind)
    _, role = access_session(db, actor, session_id)
    if not role.learner or locked_for(db, module, role, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, session_id


def _enrolled(db: Session, session_id: int, user_id: object) -> User:
    if _id(user_id) is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    user = db.exec(
        select(User)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(Enrolment.session_id == session_id, Enrolment.user_id == user_id)
    ).first()
    if user is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return user


def _download_url(submission_id: int | None, which: str) -> str:
    return f"/api/missions/submissions/{submission_id}/{which}"


def _file_name(db: Session, document_id: int | None) -> str:
    document = db.get(Document, document_id) if document_id is not None else None
    return document.name if document is not None and document.deleted_at is None else ""


@dataclass(frozen=True)
class MySubmission:
    """A mission as its learner sees it: their hand-in and its correction."""

    status: str  # none, submitted or corrected
    submitted_at: str
    comment: str
    file_name: str
    file_url: str
    score: str
    feedback: str
    feedback_file_name: str
    feedback_url: str
    corrected_at: str


def _mine(db: Session, submission: Submission | None) -> MySubmission:
    if submission is None:
        return MySubmission("none", "", "", "", "", "", "", "", "", "")
    corrected = submission.status == "corrected"
    file_name = _file_name(db, submission.document_id)
    feedback_name = _file_name(db, submission.feedback_document_id) if corrected else ""
    return MySubmission(
        status=submission.status,
        submitted_at=_paris(submission.submitted_at),
        comment=submission.comment,
        file_name=file_name,
        file_url=_download_url(submission.id, "work") if file_name else "",
        score=_percent(submission.score) if corrected else "",
        feedback=submission.feedback if corrected else "",
        feedback_file_name=feedback_name,
        feedback_url=_download_url(submission.id, "feedback") if feedback_name else "",
        corrected_at=_paris(submission.corrected_at) if corrected else "",
    )


def _submission_of(db: Session, activity_id: int, user_id: int) -> Submission | None:
    return db.exec(
        select(Submission).where(Submission.activity_id == activity_id, Submission.user_id == user_id)
    ).first()


def my_submission(db: Session, actor: Actor, activity_id: int) -> MySubmission:
    """What the learner sees of a mission: their hand-in, its status, and once corrected the score and feedback.

    Args:
        db: Database session.
        actor: A learner of the mission's session.
        activity_id: A mission.

    Returns:
        Their submission (status "none" before the first hand-in).

    Raises:
        PlumeError: NOT_FOUND (not a mission, not their session, locked module, not a learner).
    """
    activity, _ = _learner_activity(db, actor, activity_id, MISSION)
    return _mine(db, _submission_of(db, activity.id or 0, actor.user_id))


def hand_in(db: Session, actor: Actor, activity_id: int, *, name: str, data: bytes, comment: str) -> MySubmission:
    """A learner hands in a mission: a file, a comment, or both; again replaces the previous version.

    Handing in again after a correction sets the mission back to "submitted": it
    waits for a new correction (the learner's progress keeps the last result until then).

    Args:
        db: Database session.
        actor: A learner of the mission's session.
        activity_id: A mission.
        name: The file's name ("" with empty data for no file).
        data: The file's content.
        comment: A comment for the corrector (at most 4,000 characters).

    Returns:
        The submission as the learner now sees it.

    Raises:
        PlumeError: NOT_FOUND; TEXT_TOO_LONG (field "comment"); MISSION_EMPTY (field "files") with neither
            file nor comment; a DOCUMENT_* code (field "files") for a refused file.
    """
    activity, session_id = _learner_activity(db, actor, activity_id, MISSION)
    text = _text(comment, "comment")
    has_file = bool(name) or bool(data)
    if not has_file and not text:
        raise PlumeError(ErrorCode.MISSION_EMPTY, field="files")
    document = (
        documents.store_private_file(db, actor, session_id=session_id, name=name, data=data, purpose="mission.hand_in")
        if has_file
        else None
    )
    submission = _submission_of(db, activity.id or 0, actor.user_id)
    again = submission is not None
    if submission is None:
        submission = Submission(activity_id=activity.id or 0, user_id=actor.user_id, session_id=session_id)
    submission.document_id = document.id if document is not None else None
    submission.comment, submission.submitted_at, submission.status = text, utcnow(), "submitted"
    submission.score, submission.feedback, submission.feedback_document_id = None, "", None
    submission.corrected_by_id, submission.corrected_at = None, None
    db.add(submission)
    progress.opened(db, activity, actor.user_id, session_id)
    db.flush()
    training = db.get(TrainingSession, session_id)
    audit.by_actor(
        db,
        actor,
        "mission.hand_in",
        organisation_id=training.organisation_id if training else None,
        target=f"submission:{submission.id}",
        after={"document_id": submission.document_id, "comment": len(text), "again": again},
    )
    notify(db, session_topic(session_id), MissionHandedIn(activity_id=activity.id, user_id=actor.user_id))
    return _mine(db, submission)


@dataclass(frozen=True)
class SubmissionDetail:
    """A hand-in as the corrector's dialog shows it."""

    id: int
    learner: str
    activity: str
    submitted_at: str
    comment: str
    file_name: str
    file_url: str
    status: str
    score: str  # as the score field shows it ("14,5"), empty before the first correction
    feedback: str
    feedback_file_name: str
    feedback_url: str
    passing_score: int


def _correctable(db: Session, actor: Actor, submission_id: object) -> tuple[Submission, Activity, TrainingSession]:
    key = _id(submission_id)
    submission = db.get(Submission, key) if key is not None else None
    if submission is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    activity, _, session_id = _activity(db, submission.activity_id, MISSION)
    if session_id != submission.session_id or submission.user_id == actor.user_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    training = can_correct(db, actor, session_id)
    _enrolled(db, session_id, submission.user_id)
    return submission, activity, training


def submission_detail(db: Session, actor: Actor, submission_id: int) -> SubmissionDetail:
    """A hand-in, for the corrector's `Corriger` dialog.

    Args:
        db: Database session.
        actor: A corrector of the session.
        submission_id: The submission.

    Returns:
        The detail.

    Raises:
        PlumeError: NOT_FOUND.
    """
    submission, activity, _ = _correctable(db, actor, submission_id)
    learner = db.get(User, submission.user_id)
    file_name = _file_name(db, submission.document_id)
    feedback_name = _file_name(db, submission.feedback_document_id)
    score = decimal_text(submission.score) if submission.score is not None else ""
    return SubmissionDetail(
        id=submission.id or 0,
        learner=learner.display_name if learner else "",
        activity=activity.title,
        submitted_at=_paris(submission.submitted_at),
        comment=submission.comment,
        file_name=file_name,
        file_url=_download_url(submission.id, "work") if file_name else "",
        status=submission.status,
        score=score,
        feedback=submission.feedback,
        feedback_file_name=feedback_name,
        feedback_url=_download_url(submission.id, "feedback") if feedback_name else "",
        passing_score=progress.passing_score(activity) or 0,
    )


def _correction(submission: Submission) -> dict[str, Any]:
    return {
        "status": submission.status,
        "score": submission.score,
        "feedback": submission.feedback,
        "feedback_document_id": submission.feedback_document_id,
    }


def correct(
    db: Session, actor: Actor, submission_id: int, *, score: object, feedback: object, file: tuple[str, bytes] | None
) -> None:
    """Correct a hand-in: a score, a comment and maybe a file back; the learner's activity is finished.

    The learner passes or fails against the mission's passing score. Correcting
    again replaces the score and comment (and the file, when a new one is given).
    Every correction is audited with the values before and after.

    Args:
        db: Database session.
        actor: A corrector of the session (never the learner themself).
        submission_id: The submission.
        score: 0 to 100, a decimal comma accepted.
        feedback: A comment for the learner (at most 4,000 characters).
        file: (name, content) of a file back, or None.

    Raises:
        PlumeError: NOT_FOUND; MISSION_SCORE (field "score"); TEXT_TOO_LONG (field "feedback");
            a DOCUMENT_* code (field "files").
    """
    submission, activity, training = _correctable(db, actor, submission_id)
    value = parse_score(score)
    text = _text(feedback, "feedback")
    document = None
    if file is not None:
        name, data = file
        document = documents.store_private_file(
            db, actor, session_id=submission.session_id, name=name, data=data, purpose="mission.feedback"
        )
    before = _correction(submission)
    submission.status, submission.score, submission.feedback = "corrected", value, text
    if document is not None:
        submission.feedback_document_id = document.id
    submission.corrected_by_id, submission.corrected_at = actor.user_id, utcnow()
    db.add(submission)
    audit.by_actor(
        db,
        actor,
        "mission.correct",
        organisation_id=training.organisation_id,
        target=f"submission:{submission.id}",
        before=before,
        after=_correction(submission),
    )
    _scored(db, activity, submission.user_id, submission.session_id, value)


def _scored(db: Session, activity: Activity, user_id: int, session_id: int, score: float) -> None:
    # A corrected hand-in, a recorded observation: passed or failed against the activity's passing score.
    progress.finished(db, activity, user_id, session_id, status=progress.scored_status(activity, score), score=score)


@dataclass(frozen=True)
class CriterionLevel:
    """One criterion of an observation and the level reached (-1: not rated)."""

    criterion: str
    level: int


@dataclass(frozen=True)
class MyObservation:
    """An observation as its learner sees it."""

    observed: bool
    levels: list[CriterionLevel]
    score: str
    comment: str
    observed_at: str


def _stored_levels(observation: Observation | None) -> dict[str, int]:
    """The levels an observation recorded, by criterion."""
    try:
        stored = json.loads(observation.levels_json or "[]") if observation is not None else []
    except ValueError:
        stored = []
    found: dict[str, int] = {}
    for item in stored if isinstance(stored, list) else []:
        if isinstance(item, dict) and isinstance(item.get("criterion"), str) and item.get("level") in LEVELS:
            found[item["criterion"]] = int(item["level"])
    return found


def _levels(observation: Observation | None, names: list[str]) -> list[CriterionLevel]:
    """Each criterion with the level recorded (-1: not rated); criteria renamed since the observation come last."""
    stored = _stored_levels(observation)
    return [CriterionLevel(name, stored.get(name, -1)) for name in names] + [
        CriterionLevel(name, level) for name, level in stored.items() if name not in names
    ]


def my_observation(db: Session, actor: Actor, activity_id: int) -> MyObservation:
    """What the learner sees of an observation: nothing until observed, then each level, the score, the comment.

    Args:
        db: Database session.
        actor: A learner of the observation's session.
        activity_id: An observation activity.

    Returns:
        Their observation.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _ = _learner_activity(db, actor, activity_id, OBSERVATION)
    observation = db.exec(
        select(Observation).where(Observation.activity_id == activity.id, Observation.user_id == actor.user_id)
    ).first()
    if observation is None:
        return MyObservation(False, [], "", "", "")
    return MyObservation(
        observed=True,
        levels=_levels(observation, criteria(activity)),
        score=_percent(observation.score),
        comment=observation.comment,
        observed_at=_paris(observation.observed_at),
    )


@dataclass(frozen=True)
class ObservationForm:
    """What the `Observer` dialog shows: the learner, the criteria, the levels already given."""

    activity_id: int
    user_id: int
    learner: str
    activity: str
    levels: list[CriterionLevel]
    comment: str
    observed: bool


def _observable(
    db: Session, actor: Actor, activity_id: object, user_id: object
) -> tuple[Activity, TrainingSession, User]:
    activity, _, session_id = _activity(db, activity_id, OBSERVATION)
    training = can_correct(db, actor, session_id)
    learner = _enrolled(db, session_id, user_id)
    if learner.id == actor.user_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, training, learner


def observation_form(db: Session, actor: Actor, activity_id: int, user_id: int) -> ObservationForm:
    """The `Observer` dialog of one learner on one observation activity.

    Args:
        db: Database session.
        actor: A corrector of the session.
        activity_id: An observation activity.
        user_id: A learner of the session.

    Returns:
        The form, with the levels of an earlier observation.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, learner = _observable(db, actor, activity_id, user_id)
    observation = db.exec(
        select(Observation).where(Observation.activity_id == activity.id, Observation.user_id == learner.id)
    ).first()
    return ObservationForm(
        activity_id=activity.id or 0,
        user_id=learner.id or 0,
        learner=learner.display_name,
        activity=activity.title,
        levels=_levels(observation, criteria(activity))[: len(criteria(activity))],
        comment=observation.comment if observation else "",
        observed=observation is not None,
    )


def _observed(observation: Observation) -> dict[str, Any]:
    return {
        "levels": json.loads(observation.levels_json or "[]"),
        "score": observation.score,
        "comment": observation.comment,
    }


def observe(db: Session, actor: Actor, activity_id: int, user_id: int, *, levels: list[int], comment: str) -> int:
    """Record (or redo) an observation: a level per criterion; the learner's activity is finished with its score.

    Args:
        db: Database session.
        actor: A corrector of the session (never the learner themself).
        activity_id: An observation activity.
        user_id: A learner of the session.
        levels: One level per criterion, in the criteria's order: 0 Non acquis, 1 En cours d'acquisition,
            2 Acquis, 3 Maîtrisé.
        comment: At most 4,000 characters.

    Returns:
        The score in %.

    Raises:
        PlumeError: NOT_FOUND; OBSERVATION_INCOMPLETE (field "levels") when a criterion is not rated;
            INVALID_INPUT for a level out of range; TEXT_TOO_LONG (field "comment").
    """
    activity, training, learner = _observable(db, actor, activity_id, user_id)
    names = criteria(activity)
    if not isinstance(levels, list) or len(levels) > len(names):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="levels")
    if len(levels) < len(names) or any(level is None for level in levels):
        raise PlumeError(ErrorCode.OBSERVATION_INCOMPLETE, field="levels")
    if any(isinstance(level, bool) or not isinstance(level, int) or level not in LEVELS for level in levels):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="levels")
    text = _text(comment, "comment")
    score = observation_score(levels)
    observation = db.exec(
        select(Observation).where(Observation.activity_id == activity.id, Observation.user_id == learner.id)
    ).first()
    before = _observed(observation) if observation is not None else None
    if observation is None:
        observation = Observation(
            activity_id=activity.id or 0,
            user_id=learner.id or 0,
            session_id=training.id or 0,
            observed_by_id=actor.user_id,
        )
    observation.levels_json = json.dumps(
        [{"criterion": name, "level": level} for name, level in zip(names, levels, strict=True)], ensure_ascii=False
    )
    observation.score, observation.comment = score, text
    observation.observed_by_id, observation.observed_at = actor.user_id, utcnow()
    db.add(observation)
    db.flush()
    audit.by_actor(
        db,
        actor,
        "observation.record",
        organisation_id=training.organisation_id,
        target=f"observation:{observation.id}",
        before=before,
        after=_observed(observation),
    )
    _scored(db, activity, learner.id or 0, training.id or 0, float(score))
    return score


def open_file(db: Session, actor: Actor, submission_id: int, which: str) -> tuple[Path, str, str]:
    """A hand-in's file ("work") or its correction's file ("feedback"), for the learner concerned and correctors.

    Args:
        db: Database session.
        actor: The signed-in actor.
        submission_id: The submission.
        which: "work" or "feedback".

    Returns:
        The file's path, the name to download it as, and its content type.

    Raises:
        PlumeError: NOT_FOUND for a missing file and a forbidden one alike.
    """
    key = _id(submission_id)
    submission = db.get(Submission, key) if key is not None else None
    if submission is None or which not in FILES:
        raise PlumeError(ErrorCode.NOT_FOUND)
    _, role = access_session(db, actor, submission.session_id)
    own = role.learner and submission.user_id == actor.user_id
    if not (own or (role.corrects and submission.user_id != actor.user_id)):
        raise PlumeError(ErrorCode.NOT_FOUND)
    document_id = submission.document_id if which == "work" else submission.feedback_document_id
    document = db.get(Document, document_id) if document_id is not None else None
    if document is None or document.deleted_at is not None or document.session_id != submission.session_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    path = get_settings().files_dir / document.stored_name
    if not path.is_file():
        raise PlumeError(ErrorCode.NOT_FOUND)
    return path, documents.download_name(document.name, document.content_type), document.content_type


@dataclass(frozen=True)
class SubmissionRow:
    """One hand-in in `Missions à corriger`."""

    id: int
    user_id: int
    learner: str
    email: str
    activity: str
    submitted_at: str
    status: str
    score: str


@dataclass(frozen=True)
class SubmissionPage:
    """One page of hand-ins."""

    rows: list[SubmissionRow]
    total: int
    page: int
    pages: int
    page_size: int


def _session_submissions(session_id: int) -> list[Any]:
    """The filters of a session's hand-ins (its missions' submissions), shared by the list and its count."""
    return [
        col(Submission.session_id) == session_id,
        col(Activity.kind) == MISSION,
        col(Module.session_id) == session_id,
    ]


def submissions(
    db: Session, actor: Actor, session_id: int, *, waiting_only: bool = True, page: int = 1, page_size: int = 25
) -> SubmissionPage:
    """`Missions à corriger`: the session's hand-ins, those waiting first (oldest first), a page at a time.

    Args:
        db: Database session.
        actor: A corrector of the session.
        session_id: The session.
        waiting_only: Only hand-ins waiting for a correction.
        page: From 1; past the end, the last page.
        page_size: 10, 25, 50 or 100.

    Returns:
        The page.

    Raises:
        PlumeError: NOT_FOUND; INVALID_INPUT for a bad page or page size.
    """
    training = can_correct(db, actor, session_id)
    paging.check_page(page, page_size)
    if not isinstance(waiting_only, bool):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    filters = _session_submissions(training.id or 0)
    if waiting_only:
        filters.append(col(Submission.status) == "submitted")

    def joined(query: Any) -> Any:
        return (
            query.join(
                Enrolment,
                and_(
                    col(Enrolment.session_id) == col(Submission.session_id),
                    col(Enrolment.user_id) == col(Submission.user_id),
                ),
            )
            .join(Activity, col(Activity.id) == col(Submission.activity_id))
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(*filters)
        )

    total = int(db.exec(joined(select(func.count()).select_from(Submission))).one())
    waiting_first = case((col(Submission.status) == "submitted", 0), else_=1)
    found = paging.paginate(
        total,
        page,
        page_size,
        lambda limit, offset: db.exec(
            joined(select(Submission, User, col(Activity.title)).select_from(Submission))
            .join(User, col(User.id) == col(Submission.user_id))
            .order_by(waiting_first, col(Submission.submitted_at), col(Submission.id))
            .limit(limit)
            .offset(offset)
        ).all(),
    )
    return SubmissionPage(
        rows=[
            SubmissionRow(
                id=submission.id or 0,
                user_id=user.id or 0,
                learner=user.display_name,
                email=user.email,
                activity=title,
                submitted_at=_paris(submission.submitted_at),
                status=submission.status,
                score=_percent(submission.score) if submission.status == "corrected" else "",
            )
            for submission, user, title in found.items
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
        page_size=found.page_size,
    )


@dataclass(frozen=True)
class ObservationRow:
    """One learner × observation activity in `Observations à faire`."""

    user_id: int
    learner: str
    email: str
    activity_id: int
    activity: str
    observed: bool
    score: str
    observed_at: str


@dataclass(frozen=True)
class ObservationPage:
    """One page of learner × observation pairs."""

    rows: list[ObservationRow]
    total: int
    page: int
    pages: int
    page_size: int


def _pairs(query: Any, session_ids: list[int]) -> Any:
    """Each enrolled learner × each observation activity of their session, with the observation if any."""
    return (
        query.join(Module, col(Module.session_id) == col(Enrolment.session_id))
        .join(Activity, and_(col(Activity.module_id) == col(Module.id), col(Activity.kind) == OBSERVATION))
        .outerjoin(
            Observation,
            and_(col(Observation.activity_id) == col(Activity.id), col(Observation.user_id) == col(Enrolment.user_id)),
        )
        .where(col(Enrolment.session_id).in_(session_ids))
    )


def observations_to_do(
    db: Session, actor: Actor, session_id: int, *, todo_only: bool = True, page: int = 1, page_size: int = 25
) -> ObservationPage:
    """`Observations à faire`: each learner × observation activity not observed yet (and the done ones, if asked).

    Args:
        db: Database session.
        actor: A corrector of the session.
        session_id: The session.
        todo_only: Only the pairs without an observation.
        page: From 1; past the end, the last page.
        page_size: 10, 25, 50 or 100.

    Returns:
        The page, the pairs to do first, by learner name.

    Raises:
        PlumeError: NOT_FOUND; INVALID_INPUT for a bad page or page size.
    """
    training = can_correct(db, actor, session_id)
    paging.check_page(page, page_size)
    if not isinstance(todo_only, bool):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    ids = [training.id or 0]
    count_query = _pairs(select(func.count()).select_from(Enrolment), ids)
    if todo_only:
        count_query = count_query.where(col(Observation.id).is_(None))
    total = int(db.exec(count_query).one())
    rows_query = _pairs(
        select(User, col(Activity.id), col(Activity.title), Observation).select_from(Enrolment), ids
    ).join(User, col(User.id) == col(Enrolment.user_id))
    if todo_only:
        rows_query = rows_query.where(col(Observation.id).is_(None))
    done_last = case((col(Observation.id).is_(None), 0), else_=1)
    ordered = rows_query.order_by(
        done_last,
        func.lower(col(User.last_name)),
        func.lower(col(User.first_name)),
        col(User.id),
        col(Activity.position),
        col(Activity.id),
    )
    found = paging.paginate(
        total, page, page_size, lambda limit, offset: db.exec(ordered.limit(limit).offset(offset)).all()
    )
    return ObservationPage(
        rows=[
            ObservationRow(
                user_id=user.id or 0,
                learner=user.display_name,
                email=user.email,
                activity_id=activity_id or 0,
                activity=title,
                observed=observation is not None,
                score=_percent(observation.score) if observation is not None else "",
                observed_at=_paris(observation.observed_at) if observation is not None else "",
            )
            for user, activity_id, title, observation in found.items
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
        page_size=found.page_size,
    )


def waiting_counts(db: Session, session_ids: list[int], kind: str = "all") -> tuple[int, int]:
    """What waits for the correctors of some sessions: hand-ins to correct, observations to do.

    Two aggregate queries whatever the number of learners. No access check: the
    caller passes sessions the actor may tutor (e.g. from `tutoring.centre`).

    Args:
        db: Database session.
        session_ids: The sessions.
        kind: Enrolment kind counted: all, mandatory, recommended or free.

    Returns:
        (missions to correct, observations to do) of the enrolled learners.

    Raises:
        PlumeError: INVALID_INPUT for another kind.
    """
    if kind not in KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    ids = [i for i in session_ids if isinstance(i, int) and not isinstance(i, bool)]
    if not ids:
        return 0, 0
    missions_query = (
        select(func.count())
        .select_from(Submission)
        .join(
            Enrolment,
            and_(
                col(Enrolment.session_id) == col(Submission.session_id),
                col(Enrolment.user_id) == col(Submission.user_id),
            ),
        )
        .join(Activity, col(Activity.id) == col(Submission.activity_id))
        .join(Module, col(Module.id) == col(Activity.module_id))
        .where(
            col(Submission.session_id).in_(ids),
            col(Submission.status) == "submitted",
            col(Activity.kind) == MISSION,
            col(Module.session_id) == col(Submission.session_id),
        )
    )
    observations_query = _pairs(select(func.count()).select_from(Enrolment), ids).where(col(Observation.id).is_(None))
    if kind != "all":
        missions_query = missions_query.where(col(Enrolment.kind) == kind)
        observations_query = observations_query.where(col(Enrolment.kind) == kind)
    return int(db.exec(missions_query).one()), int(db.exec(observations_query).one())
