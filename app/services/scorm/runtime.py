"""Playing a SCORM activity: what the player page loads into the run-time API, and the commits it sends back.

The player (a page of the session) gives the package the API it looks for on its parent window (`API` for
1.2, `API_1484_11` for 2004, from the `scorm-again` library) loaded with the learner's current attempt at the
SCO: bookmark, suspend data, total time, `entry` = resume when they come back. Each commit (`LMSCommit` /
`Commit`, every few seconds and on finishing) is validated here (`cmi.parse_commit`: elements, types,
vocabularies, limits; the SCORM error code of the first fault otherwise, and nothing stored), stored on the
attempt, and rolled up into the learner's lesson progress, which the tutoring centre follows live.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from app.models import Activity, ScormAttempt, ScormPackage, User
from app.models.base import utcnow
from app.models.progress import DONE_STATUSES
from app.services import activities, progress
from app.services.access import Capability, SessionRole, valid_id
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.scorm import cmi, library

MAX_UNREPORTED_RUN_S = 4 * 3600  # a run the package does not time counts at most this much
COMMIT_URL = "/api/scorm/attempts/{attempt_id}/commit?run={run}"


@dataclass(frozen=True)
class TocItem:
    """A SCO in the player's table of contents."""

    identifier: str
    title: str
    status: str  # the learner's: "", "in_progress", "completed", "passed", "failed"


@dataclass(frozen=True)
class Player:
    """What the player page needs to run one SCO."""

    activity_id: int
    session_id: int
    activity_title: str
    package_title: str
    version: str  # "1.2" or "2004"
    item: str  # the SCO shown
    previous: str  # the SCO before it ("" for none)
    next: str
    position: int  # 1-based
    launch_url: str
    commit_url: str  # "" when nothing is recorded (staff and trainers trying it)
    cmi_json: str  # what the API starts from
    attempt: int  # the learner's attempt number (0 when nothing is recorded)
    run: str  # this opening of the player: the page starts a run once, its commits name it
    review: bool = False  # a learner reviewing a SCO they finished: nothing is recorded
    items: list[TocItem] = field(default_factory=list)


def _play(db: Session, actor: Actor, activity_id: object) -> tuple[Activity, SessionRole, int, ScormPackage]:
    activity, _, role, session_id = activities.in_session(db, actor, activity_id, Capability.SEE)
    found = library.package_of(db, activity) if activity.kind == "elearning" else None
    if found is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, role, session_id, found


def _items(found: ScormPackage) -> list[dict[str, Any]]:
    items = library.manifest_of(found).get("items", [])
    return [i for i in items if isinstance(i, dict) and isinstance(i.get("identifier"), str)]


def _latest(db: Session, activity_id: int, user_id: int) -> dict[str, ScormAttempt]:
    """Each SCO's latest attempt by the learner."""
    rows = db.exec(
        select(ScormAttempt)
        .where(ScormAttempt.activity_id == activity_id, ScormAttempt.user_id == user_id)
        .order_by(col(ScormAttempt.number))
    ).all()
    return {row.item: row for row in rows}


def _new_attempts_allowed(activity: Activity) -> bool:
    try:
        settings = json.loads(activity.settings_json or "{}")
    except ValueError:
        return False
    return isinstance(settings, dict) and settings.get("new_attempts") is True


def _finished(attempt: ScormAttempt) -> bool:
    return attempt.status in DONE_STATUSES and attempt.exit != "suspend"


def _name(user: User | None) -> str:
    """The learner as SCORM names them: "Last, First"."""
    if user is None:
        return ""
    return f"{user.last_name}, {user.first_name}".strip(", ") or user.display_name


def _initial(
    version: str, attempt: ScormAttempt | None, item: dict[str, Any], user: User | None, *, review: bool = False
) -> dict[str, Any]:
    """The data model the API starts from: who, the bookmark, the suspend data, the time so far.

    In review (a SCO finished, opened again) the mode says so and the learner's results are not at stake.
    """
    resume = attempt is not None and (
        attempt.exit == "suspend"
        or (
            attempt.commits > 0
            and attempt.status not in DONE_STATUSES
            and bool(attempt.location or attempt.suspend_data)
        )
    )
    first = attempt is None or attempt.commits == 0
    entry = "" if review else ("resume" if resume else ("ab-initio" if first else ""))
    total = attempt.total_seconds if attempt is not None else 0.0
    mastery = item.get("mastery_score")
    launch = str(item.get("data_from_lms") or "")
    learner_id = str(user.id) if user is not None else ""
    if version == "1.2":
        status = {
            "not_attempted": "not attempted",
            "in_progress": "incomplete",
            "completed": "completed",
            "passed": "passed",
            "failed": "failed",
        }.get(attempt.status if attempt is not None and attempt.commits else "not_attempted", "incomplete")
        core: dict[str, Any] = {
            "student_id": learner_id,
            "student_name": _name(user),
            "lesson_location": attempt.location if attempt is not None else "",
            "lesson_status": status,
            "entry": entry,
            "credit": "no-credit" if review else "credit",
            "lesson_mode": "review" if review else "normal",
            "total_time": cmi.format_timespan_12(total),
        }
        data: dict[str, Any] = {
            "core": core,
            "suspend_data": attempt.suspend_data if attempt else "",
            "launch_data": launch,
        }
        if isinstance(mastery, int | float):
            data["student_data"] = {"mastery_score": str(round(float(mastery)))}
        return {"cmi": data}
    data = {
        "learner_id": learner_id,
        "learner_name": _name(user),
        "location": attempt.location if attempt is not None else "",
        "completion_status": (
            attempt.completion if attempt is not None and attempt.commits else "not attempted"
        ).replace("not_attempted", "not attempted"),
        "success_status": attempt.success if attempt is not None and attempt.commits else "unknown",
        "entry": entry,
        "credit": "no-credit" if review else "credit",
        "mode": "review" if review else "normal",
        "total_time": cmi.format_duration_2004(total),
        "suspend_data": attempt.suspend_data if attempt is not None else "",
        "launch_data": launch,
    }
    if isinstance(mastery, int | float):
        data["scaled_passing_score"] = str(round(float(mastery) / 100, 4))
    return {"cmi": data}


def open_player(db: Session, actor: Actor, activity_id: object, item: str = "") -> Player:
    """Open a SCORM activity's player on one SCO (the first unfinished one by default).

    A learner's visit resumes their latest attempt at the SCO, or starts a new one when the last is finished
    and the activity allows new attempts; staff, trainers and tutors try the package without anything being
    recorded.

    Args:
        db: Database session.
        actor: A member of the session.
        activity_id: The e-learning activity.
        item: The SCO's identifier ("" for the first unfinished).

    Returns:
        The player's data.

    Raises:
        PlumeError: NOT_FOUND (no such activity for the person, or no package on it).
    """
    activity, role, session_id, found = _play(db, actor, activity_id)
    items = _items(found)
    if not items:
        raise PlumeError(ErrorCode.NOT_FOUND)
    learner = role.learner
    latest = _latest(db, activity.id or 0, actor.user_id) if learner else {}
    identifiers = [i["identifier"] for i in items]
    if item not in identifiers:
        unfinished = [i for i in identifiers if i not in latest or latest[i].status not in DONE_STATUSES]
        item = unfinished[0] if unfinished else identifiers[0]
    index = identifiers.index(item)
    chosen = items[index]
    attempt: ScormAttempt | None = None
    review = False
    if learner:
        attempt = latest.get(item)
        # A SCO finished, with no new attempt allowed, opens for review: nothing it sends is recorded.
        review = attempt is not None and _finished(attempt) and not _new_attempts_allowed(activity)
    if learner and not review:
        attempt = latest.get(item)
        if attempt is None or (_finished(attempt) and _new_attempts_allowed(activity)):
            attempt = ScormAttempt(
                activity_id=activity.id or 0,
                user_id=actor.user_id,
                session_id=session_id,
                item=item,
                number=(attempt.number + 1) if attempt is not None else 1,
            )
        attempt.run_base_seconds = attempt.total_seconds  # a new run: its session time adds to this
        attempt.run, attempt.run_started_at = secrets.token_hex(8), utcnow()
        db.add(attempt)
        db.flush()
        progress.opened(db, activity, actor.user_id, session_id)
        latest[item] = attempt
    user = db.get(User, actor.user_id)
    return Player(
        activity_id=activity.id or 0,
        session_id=session_id,
        activity_title=activity.title,
        package_title=found.title,
        version=found.version,
        item=item,
        previous=identifiers[index - 1] if index > 0 else "",
        next=identifiers[index + 1] if index + 1 < len(identifiers) else "",
        position=index + 1,
        launch_url=library.launch_url(activity.id or 0, str(chosen.get("href", ""))),
        commit_url=COMMIT_URL.format(attempt_id=attempt.id, run=attempt.run)
        if attempt is not None and not review
        else "",
        review=review,
        run=attempt.run if attempt is not None else secrets.token_hex(8),
        cmi_json=json.dumps(_initial(found.version, attempt, chosen, user if learner else None, review=review)),
        attempt=attempt.number if attempt is not None else 0,
        items=[
            TocItem(
                identifier=i["identifier"],
                title=str(i.get("title") or i["identifier"]),
                status=latest[i["identifier"]].status if i["identifier"] in latest else "",
            )
            for i in items
        ],
    )


def commit(
    db: Session, actor: Actor, attempt_id: object, body: object, *, run: str = "", now: datetime | None = None
) -> None:
    """Store what a package committed for the learner's attempt, and roll it up into their progress.

    Args:
        db: Database session.
        actor: The learner whose attempt it is.
        attempt_id: The attempt (from the commit URL).
        body: The JSON body the run-time sent.
        run: The run it comes from (the commit URL's `run`): only the attempt's current run is stored.
        now: The current time (tests).

    Raises:
        PlumeError: NOT_FOUND for another learner's attempt, a missing one, or a session they may no longer
            work in; SCORM_STALE_RUN for a commit of an earlier run (the module was opened again since).
        cmi.CmiError: The first fault in the data (its SCORM error code); nothing is stored.
    """
    key = valid_id(attempt_id)
    attempt = db.get(ScormAttempt, key) if key is not None else None
    if attempt is None or attempt.user_id != actor.user_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not run or not secrets.compare_digest(run, attempt.run):
        raise PlumeError(ErrorCode.SCORM_STALE_RUN)
    activity, role, session_id, found = _play(db, actor, attempt.activity_id)
    if not role.learner or session_id != attempt.session_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    items = {i["identifier"]: i for i in _items(found)}
    item = items.get(attempt.item)
    if item is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    parsed = cmi.parse_commit(found.version, body)
    mastery = item.get("mastery_score")
    attempt.completion, attempt.success = parsed.completion, parsed.success
    attempt.score_raw, attempt.score_min, attempt.score_max = parsed.score_raw, parsed.score_min, parsed.score_max
    attempt.score_scaled = parsed.score_scaled
    attempt.score = cmi.score_percent(parsed)
    attempt.status = cmi.lesson_status(parsed, float(mastery) if isinstance(mastery, int | float) else None)
    moment = now or utcnow()
    session = parsed.session_seconds
    if not session and attempt.run_started_at is not None:  # a package that never reports its time
        session = min(MAX_UNREPORTED_RUN_S, max(0.0, (moment - attempt.run_started_at).total_seconds()))
    attempt.total_seconds = attempt.run_base_seconds + session
    attempt.location, attempt.suspend_data, attempt.exit = parsed.location, parsed.suspend_data, parsed.exit
    if parsed.interactions or parsed.objectives:
        attempt.details_json = json.dumps({"interactions": parsed.interactions, "objectives": parsed.objectives})
    attempt.commits += 1
    attempt.committed_at = moment
    db.add(attempt)
    db.flush()
    _roll_up(db, activity, actor.user_id, session_id, list(items))


def _roll_up(db: Session, activity: Activity, user_id: int, session_id: int, identifiers: list[str]) -> None:
    """The learner's lesson progress on the activity from their latest attempt at each SCO."""
    latest = _latest(db, activity.id or 0, user_id)
    statuses = [latest[i].status if i in latest else "not_started" for i in identifiers]
    if all(s in DONE_STATUSES for s in statuses):
        status = "failed" if "failed" in statuses else ("passed" if "passed" in statuses else "completed")
    else:
        status = "in_progress"
    scores = [a.score for a in latest.values() if a.score is not None]
    total = db.exec(
        select(func.coalesce(func.sum(ScormAttempt.total_seconds), 0)).where(
            ScormAttempt.activity_id == activity.id, ScormAttempt.user_id == user_id
        )
    ).one()
    newest = max(latest.values(), key=lambda a: a.committed_at or a.started_at, default=None)
    progress.tracked(
        db,
        activity,
        user_id,
        session_id,
        status=status,
        score=round(sum(scores) / len(scores), 2) if scores else None,
        time_spent_s=round(float(total)),
        location=newest.location if newest is not None else "",
        attempts=max((a.number for a in latest.values()), default=1),
    )
