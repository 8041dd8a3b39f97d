"""What happens inside an activity: its settings, learners marking it done, polls, the follow-up."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.clock import PARIS, paris_datetime_label
from app.live.bus import notify
from app.live.contract import PollAnswered, TimelineChanged, session_topic
from app.models import Activity, ActivityCompletion, ActivityResponse, Enrolment, Module, Slot, User
from app.models.base import utcnow
from app.services import audience, audit, documents, progress
from app.services.access import SessionRole, access_activity
from app.services.actor import Actor
from app.services.attendance.summaries import attendance_labels
from app.services.attendance.window import SIGNED_KINDS
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.locks import locked_for

SELF_COMPLETED = ("document", "video", "webinar")
MAX_POLL_OPTIONS = 12


def _settings(activity: Activity) -> dict[str, Any]:
    try:
        value = json.loads(activity.settings_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _in_session(db: Session, actor: Actor, activity_id: object) -> tuple[Activity, Module, SessionRole, int]:
    """The activities' gate: `access.access_activity`, then what is not a question of who.

    A learner reaches neither an activity of a module still locked to them nor a
    virtual class they are not invited to; both look missing.
    """
    activity, module, training, role = access_activity(db, actor, activity_id)
    if locked_for(db, module, role, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not role.sees_everything and not audience.invited(activity, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, module, role, training.id or 0


def _https(value: str, field: str) -> str:
    url = value.strip()
    if url and not url.startswith(("https://", "/api/documents/")):
        raise PlumeError(ErrorCode.LINK_INVALID_URL, field=field)
    return url[:500]


def configure(db: Session, actor: Actor, activity_id: int, values: dict[str, str]) -> None:
    """Set an activity's own settings (staff): a video's URL, a link and its date, a poll's options.

    Args:
        db: Database session.
        actor: A staff member of the session.
        activity_id: The activity.
        values: Fields of the settings form, as typed.

    Raises:
        PlumeError: NOT_FOUND, LINK_INVALID_URL, TITLE_REQUIRED or INVALID_INPUT.
    """
    activity, _, role, session_id = _in_session(db, actor, activity_id)
    if not role.staff:
        raise PlumeError(ErrorCode.NOT_FOUND)
    settings = _settings(activity)
    text = values.get("description", "").strip()[:5_000]
    if activity.kind == "video":
        settings.update(url=_https(values.get("url", ""), "url"), description=text)
    elif activity.kind == "webinar":
        settings.update(
            url=_https(values.get("url", ""), "url"), date=values.get("date", "").strip()[:20], description=text
        )
    elif activity.kind == "poll":
        question = " ".join(values.get("question", "").split())[:300]
        options = [o.strip()[:200] for o in values.get("options", "").splitlines() if o.strip()]
        if not question:
            raise PlumeError(ErrorCode.TITLE_REQUIRED, field="question")
        if not 2 <= len(options) <= MAX_POLL_OPTIONS or len(set(options)) != len(options):
            raise PlumeError(ErrorCode.INVALID_INPUT, field="options")
        settings.update(question=question, options=options, multiple=values.get("multiple", "") in ("on", "true", "1"))
    else:
        settings["description"] = text
    activity.settings_json = json.dumps(settings)
    db.add(activity)
    audit.record(
        db,
        "activity.configure",
        actor_user_id=actor.user_id,
        target=f"activity:{activity.id}",
        after={k: v for k, v in settings.items() if k != "link"},
    )
    notify(db, session_topic(session_id), TimelineChanged(op="configure"))


def attach_video(db: Session, actor: Actor, activity_id: int, name: str, data: bytes) -> None:
    """Upload the MP4 (or WebM) a video activity plays (staff); it is stored like a module document.

    Args:
        db: Database session.
        actor: A staff member of the session.
        activity_id: A video activity.
        name: The file's name.
        data: Its content.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT (not a video activity) or a DOCUMENT_* code.
    """
    activity, module, role, session_id = _in_session(db, actor, activity_id)
    if not role.staff:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if activity.kind != "video":
        raise PlumeError(ErrorCode.INVALID_INPUT)
    (stored,) = documents.store_many(db, actor, module_id=module.id or 0, files=[(name, data)], video=True)
    settings = _settings(activity)
    settings["url"] = f"/api/documents/{stored.id}"
    activity.settings_json = json.dumps(settings)
    db.add(activity)
    notify(db, session_topic(session_id), TimelineChanged(op="configure"))


def mark_done(db: Session, actor: Actor, activity_id: int) -> None:
    """A learner marks a document, video or link activity done (once; again is harmless).

    Args:
        db: Database session.
        actor: An enrolled learner.
        activity_id: The activity.

    Raises:
        PlumeError: NOT_FOUND (not their session, locked module) or INVALID_INPUT (another kind).
    """
    activity, _, role, session_id = _in_session(db, actor, activity_id)
    if not role.learner:
        raise PlumeError(ErrorCode.NOT_FOUND)
    if activity.kind not in SELF_COMPLETED:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    exists = db.exec(
        select(ActivityCompletion.id).where(
            ActivityCompletion.activity_id == activity.id, ActivityCompletion.user_id == actor.user_id
        )
    ).first()
    if exists is None:
        progress.finished(db, activity, actor.user_id, session_id)


def opened(db: Session, actor: Actor, activity_id: int) -> None:
    """Someone opened an activity's panel: for a learner, the activity is begun and an attempt starts.

    Args:
        db: Database session.
        actor: A member of the session.
        activity_id: The activity.

    Raises:
        PlumeError: NOT_FOUND (not their session, locked module).
    """
    activity, _, role, session_id = _in_session(db, actor, activity_id)
    if role.learner:
        progress.opened(db, activity, actor.user_id, session_id)


def track_time(db: Session, actor: Actor, activity_id: int, seconds: object) -> int:
    """Add the active time a learner's browser measured on an open activity (see `progress.track_time`).

    Args:
        db: Database session.
        actor: An enrolled learner.
        activity_id: The activity open on their screen.
        seconds: Active seconds since the last report.

    Returns:
        The seconds counted.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, role, session_id = _in_session(db, actor, activity_id)
    if not role.learner:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return progress.track_time(db, activity, actor.user_id, session_id, seconds)


def vote(db: Session, actor: Actor, activity_id: int, choices: list[int]) -> None:
    """A learner answers a poll (changing their answer replaces it); voting completes the activity.

    Args:
        db: Database session.
        actor: An enrolled learner.
        activity_id: A poll.
        choices: Indexes of the chosen options.

    Raises:
        PlumeError: NOT_FOUND or INVALID_INPUT.
    """
    activity, _, role, session_id = _in_session(db, actor, activity_id)
    settings = _settings(activity)
    options = settings.get("options") or []
    if not role.learner:
        raise PlumeError(ErrorCode.NOT_FOUND)
    picked = sorted(set(choices))
    if (
        activity.kind != "poll"
        or not picked
        or any(not isinstance(c, int) or not 0 <= c < len(options) for c in picked)
        or (len(picked) > 1 and not settings.get("multiple"))
    ):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="choices")
    row = db.exec(
        select(ActivityResponse).where(
            ActivityResponse.activity_id == activity.id, ActivityResponse.user_id == actor.user_id
        )
    ).first()
    row = row or ActivityResponse(activity_id=activity.id or 0, user_id=actor.user_id)
    row.data_json, row.updated_at = json.dumps({"choices": picked}), utcnow()
    db.add(row)
    progress.finished(db, activity, actor.user_id, session_id)
    notify(db, session_topic(session_id), PollAnswered(activity_id=activity.id))


@dataclass(frozen=True)
class LearnerProgress:
    """One learner's line in an activity's follow-up."""

    name: str
    email: str
    done: bool
    done_at: str
    attendance: str


@dataclass(frozen=True)
class ActivityDetail:
    """What the activity panel shows to one member."""

    id: int
    kind: str
    title: str
    settings: dict[str, Any]
    when: str
    done: bool
    can_mark_done: bool
    can_vote: bool
    my_choices: list[int]
    results: list[int]
    votes: int
    learners: list[LearnerProgress]
    sees_everything: bool
    can_configure: bool
    slot_id: int = 0
    tracks_time: bool = False


def activity_detail(db: Session, actor: Actor, activity_id: int) -> ActivityDetail:
    """An activity's panel: its content, the learner's own state, each learner's follow-up.

    Trainers, staff and tutors see each learner's completion (and, for slots, their
    attendance, filled once signatures exist).

    Args:
        db: Database session.
        actor: A member of the session.
        activity_id: The activity.

    Returns:
        The detail.

    Raises:
        PlumeError: NOT_FOUND.
    """
    activity, _, role, session_id = _in_session(db, actor, activity_id)
    settings = _settings(activity)
    slot = db.exec(select(Slot).where(Slot.activity_id == activity.id)).first()
    when = ""
    if slot is not None:
        start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
        when = f"{start:%d/%m/%Y} · {start:%H:%M}–{end:%H:%M}" + (f" · {slot.room}" if slot.room else "")
    completions = {
        c.user_id: c
        for c in db.exec(select(ActivityCompletion).where(ActivityCompletion.activity_id == activity.id)).all()
    }
    responses = db.exec(select(ActivityResponse).where(ActivityResponse.activity_id == activity.id)).all()
    options = settings.get("options") or []
    results = [0] * len(options)
    mine: list[int] = []
    for response in responses:
        picked = json.loads(response.data_json).get("choices", [])
        for index in picked:
            if isinstance(index, int) and 0 <= index < len(results):
                results[index] += 1
        if response.user_id == actor.user_id:
            mine = picked
    learners: list[LearnerProgress] = []
    presence = attendance_labels(db, slot) if slot is not None and role.sees_everything else {}
    if role.sees_everything:
        rows = db.exec(
            select(User)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == session_id)
            .order_by(col(User.last_name), col(User.first_name))
        ).all()
        invitees = audience.invitees(activity)
        for user in rows:
            if invitees is not None and user.id not in invitees:
                continue
            done = completions.get(user.id or 0)
            learners.append(
                LearnerProgress(
                    name=user.display_name,
                    email=user.email,
                    done=done is not None,
                    done_at=paris_datetime_label(done.completed_at) if done else "",
                    attendance=presence.get(user.id or 0, "unsigned") if slot is not None else "",
                )
            )
    show_results = role.sees_everything or bool(mine)
    return ActivityDetail(
        id=activity.id or 0,
        kind=activity.kind,
        title=activity.title,
        settings=settings,
        when=when,
        done=actor.user_id in completions,
        can_mark_done=role.learner and activity.kind in SELF_COMPLETED,
        can_vote=role.learner and activity.kind == "poll",
        my_choices=mine,
        results=results if show_results else [],
        votes=len(responses) if show_results else 0,
        learners=learners,
        sees_everything=role.sees_everything,
        can_configure=role.staff,
        tracks_time=role.learner,
        slot_id=slot.id or 0 if slot is not None and activity.kind in SIGNED_KINDS else 0,
    )
