"""What happens inside an activity: its settings, learners marking it done, polls, the follow-up."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from app.clock import PARIS, paris_datetime_label
from app.live.bus import notify
from app.live.contract import PollAnswered, TimelineChanged, session_topic
from app.models import (
    Activity,
    ActivityCompletion,
    ActivityResponse,
    Enrolment,
    Module,
    Slot,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.services import audience, audit, documents, progress
from app.services.access import Capability, SessionRole, access_activity
from app.services.actor import Actor
from app.services.attendance.summaries import attendance_labels
from app.services.attendance.window import SIGNED_KINDS
from app.services.errors import ErrorCode, PlumeError
from app.services.search import sort_key
from app.services.sessions.locks import locked_for

SELF_COMPLETED = ("document", "video", "webinar")
MAX_POLL_OPTIONS = 12
MAX_FILES = 30  # files one document activity holds
# Where an activity's own files are served: its gate (`open_file`), never the module documents' route.
FILE_PATH = "/api/activities/{activity_id}/files/{document_id}"


def _settings(activity: Activity) -> dict[str, Any]:
    try:
        value = json.loads(activity.settings_json or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def in_session(
    db: Session, actor: Actor, activity_id: object, capability: Capability = Capability.SEE
) -> tuple[Activity, Module, SessionRole, int]:
    """The activities' gate: `access.access_activity`, then what is not a question of who.

    A learner reaches neither an activity of a module still locked to them nor a
    virtual class they are not invited to; both look missing. Changing an activity's
    content (its settings, files, video) takes `Capability.MANAGE`: staff and the
    session's positioned trainers.
    """
    activity, module, training, role = access_activity(db, actor, activity_id, capability)
    if locked_for(db, module, role, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    if not role.sees_everything and not audience.invited(activity, actor.user_id):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, module, role, training.id or 0


def _https(value: str, field: str) -> str:
    url = value.strip()
    if url and not url.startswith(("https://", "/api/documents/", "/api/activities/")):
        raise PlumeError(ErrorCode.LINK_INVALID_URL, field=field)
    return url[:500]


def configure(db: Session, actor: Actor, activity_id: int, values: dict[str, str]) -> None:
    """Set an activity's own settings: a video's URL, a link and its date, a poll's options.

    Staff and the session's positioned trainers (`Capability.MANAGE`): the organisation has
    no setting narrowing it, so a trainer sets the content of their own sessions' activities.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        activity_id: The activity.
        values: Fields of the settings form, as typed.

    Raises:
        PlumeError: NOT_FOUND, LINK_INVALID_URL, TITLE_REQUIRED or INVALID_INPUT.
    """
    activity, _, _, session_id = in_session(db, actor, activity_id, Capability.MANAGE)
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
        after={k: v for k, v in settings.items() if k not in ("link", "files")},
        ip=actor.ip,
    )
    notify(db, session_topic(session_id), TimelineChanged(op="configure"))


def _file_ids(settings: dict[str, Any]) -> list[int]:
    files = settings.get("files")
    return [i for i in files if isinstance(i, int) and not isinstance(i, bool)] if isinstance(files, list) else []


def _video_id(settings: dict[str, Any]) -> int:
    value = settings.get("video_document")
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def file_url(activity_id: int, document_id: int) -> str:
    """The address an activity's own file is served at.

    Args:
        activity_id: The activity.
        document_id: One of its files.

    Returns:
        The path (`/api/activities/…/files/…`).
    """
    return FILE_PATH.format(activity_id=activity_id, document_id=document_id)


def attach_video(db: Session, actor: Actor, activity_id: int, name: str, data: bytes) -> None:
    """Upload the MP4 (or WebM) a video activity plays (staff and the session's trainers).

    The video belongs to the activity, not to its module: no module's document list
    shows it, and a new one replaces the previous.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        activity_id: A video activity.
        name: The file's name.
        data: Its content.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT (not a video activity) or a DOCUMENT_* / VIDEO_TYPE code.
    """
    activity, _, _, session_id = in_session(db, actor, activity_id, Capability.MANAGE)
    if activity.kind != "video":
        raise PlumeError(ErrorCode.INVALID_INPUT)
    training = _training(db, session_id)
    batch = documents.store_attached(db, actor, training, [(name, data)], activity_id=activity.id or 0, video=True)
    if batch.refused:
        raise batch.refused[0].error
    (stored,) = batch.stored
    settings = _settings(activity)
    previous = _video_id(settings)
    if previous:
        with contextlib.suppress(PlumeError):  # already gone
            documents.remove_attached(db, actor, training, previous, activity_id=activity.id or 0)
    settings["video_document"] = stored.id
    settings["url"] = file_url(activity.id or 0, stored.id or 0)
    activity.settings_json = json.dumps(settings)
    db.add(activity)
    notify(db, session_topic(session_id), TimelineChanged(op="configure"))


def held_files(activity: Activity) -> list[int]:
    """The documents an activity holds itself (a document activity's files, a video's file).

    Args:
        activity: The activity.

    Returns:
        Their ids.
    """
    settings = _settings(activity)
    video = _video_id(settings)
    return [*_file_ids(settings), video] if video else _file_ids(settings)


def copy_settings(db: Session, actor: Actor, source: Activity, copy: Activity) -> None:
    """Give a duplicated activity its source's settings, with its own copies of the files it holds.

    Files are copied rather than shared, so removing one from the copy leaves the source
    intact (and the other way round). The caller checked the actor may change the timeline
    and has flushed `copy` (it needs its id).

    Args:
        db: Database session.
        actor: Who duplicates.
        source: The activity copied.
        copy: Its new copy, flushed.
    """
    settings = _settings(source)
    files, video = _file_ids(settings), _video_id(settings)
    module = db.get(Module, source.module_id)
    if (files or video) and module is not None and module.session_id is not None:
        training = _training(db, module.session_id)
        held = documents.read_attached(db, training.id or 0, held_files(source))
        batch = documents.store_attached(
            db, actor, training, [held[i] for i in files if i in held], activity_id=copy.id or 0
        )
        settings["files"] = [d.id for d in batch.stored]
        if video in held:
            clip = documents.store_attached(db, actor, training, [held[video]], activity_id=copy.id or 0, video=True)
            settings["video_document"] = clip.stored[0].id if clip.stored else None
            settings["url"] = file_url(copy.id or 0, clip.stored[0].id or 0) if clip.stored else ""
    copy.settings_json = json.dumps(settings)
    db.add(copy)


def _training(db: Session, session_id: int) -> TrainingSession:
    training = db.get(TrainingSession, session_id)
    if training is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return training


def add_files(db: Session, actor: Actor, activity_id: int, files: list[tuple[str, bytes]]) -> documents.Batch:
    """Add files to a document activity (staff and the session's trainers): the good ones are kept, the bad named.

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        activity_id: A `document` activity.
        files: (name as given, content) pairs.

    Returns:
        The files stored and those refused, each with its reason.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT (another kind), or ACTIVITY_TOO_MANY_FILES (field "files").
    """
    activity, _, _, session_id = in_session(db, actor, activity_id, Capability.MANAGE)
    if activity.kind != "document":
        raise PlumeError(ErrorCode.INVALID_INPUT)
    settings = _settings(activity)
    held = _file_ids(settings)
    if len(held) + len(files) > MAX_FILES:
        raise PlumeError(ErrorCode.ACTIVITY_TOO_MANY_FILES, field="files", max=str(MAX_FILES))
    batch = documents.store_attached(db, actor, _training(db, session_id), files, activity_id=activity.id or 0)
    if batch.stored:
        settings["files"] = held + [d.id for d in batch.stored]
        activity.settings_json = json.dumps(settings)
        db.add(activity)
        notify(db, session_topic(session_id), TimelineChanged(op="configure"))
    return batch


def remove_file(db: Session, actor: Actor, activity_id: int, document_id: int) -> None:
    """Take a file off a document activity (staff, or the trainer who uploaded it).

    Args:
        db: Database session.
        actor: Staff of the session's organisation or a trainer positioned on the session.
        activity_id: The activity.
        document_id: One of its files.

    Raises:
        PlumeError: NOT_FOUND for a file the activity does not hold, or one the actor may not remove.
    """
    activity, _, role, session_id = in_session(db, actor, activity_id, Capability.MANAGE)
    settings = _settings(activity)
    held = _file_ids(settings)
    rows = documents.attached_rows(db, actor, role, session_id, [document_id] if document_id in held else [])
    if not rows or not rows[0].can_manage:
        raise PlumeError(ErrorCode.NOT_FOUND)
    documents.remove_attached(db, actor, _training(db, session_id), document_id, activity_id=activity.id or 0)
    settings["files"] = [i for i in held if i != document_id]
    activity.settings_json = json.dumps(settings)
    db.add(activity)
    notify(db, session_topic(session_id), TimelineChanged(op="configure"))


def open_file(db: Session, actor: Actor, activity_id: int, document_id: int) -> tuple[Path, str, str]:
    """An activity's own file (a document activity's file, a video), for whoever may open the activity.

    The activity's gate decides (a learner's locked module, a virtual class's invitees);
    the file must be one the activity holds.

    Args:
        db: Database session.
        actor: The signed-in actor.
        activity_id: The activity.
        document_id: The file.

    Returns:
        The file's path, the name to download it as, and its content type.

    Raises:
        PlumeError: NOT_FOUND for a missing, forbidden or deleted file alike.
    """
    activity, _, _, session_id = in_session(db, actor, activity_id)
    settings = _settings(activity)
    if document_id not in _file_ids(settings) and document_id != _video_id(settings):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return documents.attached_file(db, session_id, document_id)


def mark_done(db: Session, actor: Actor, activity_id: int) -> None:
    """A learner marks a document, video or link activity done (once; again is harmless).

    Args:
        db: Database session.
        actor: An enrolled learner.
        activity_id: The activity.

    Raises:
        PlumeError: NOT_FOUND (not their session, locked module) or INVALID_INPUT (another kind).
    """
    activity, _, role, session_id = in_session(db, actor, activity_id)
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
    activity, _, role, session_id = in_session(db, actor, activity_id)
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
    activity, _, role, session_id = in_session(db, actor, activity_id)
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
    activity, _, role, session_id = in_session(db, actor, activity_id)
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
class ActivityFile:
    """One file a document activity holds, as its panel lists it."""

    id: int
    name: str
    url: str
    size: int
    content_type: str
    uploader_name: str
    created_at: str  # the Paris day it was uploaded, DD/MM/YYYY
    can_manage: bool


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
    files: list[ActivityFile] = field(default_factory=list)


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
    activity, _, role, session_id = in_session(db, actor, activity_id)
    settings = _settings(activity)
    # An appointment's slots are its proposed times (`appointments.board`), not one "when".
    slot = (
        None
        if activity.kind in audience.PER_SLOT_KINDS
        else db.exec(select(Slot).where(Slot.activity_id == activity.id)).first()
    )
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
            .order_by(sort_key(col(User.last_name)), sort_key(col(User.first_name)), col(User.id))
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
        can_configure=role.can(Capability.MANAGE),
        tracks_time=role.learner,
        files=[
            ActivityFile(
                id=row.id,
                name=row.name,
                url=file_url(activity.id or 0, row.id),
                size=row.size,
                content_type=row.content_type,
                uploader_name=row.uploader_name,
                created_at=row.created_at,
                can_manage=row.can_manage,
            )
            for row in documents.attached_rows(db, actor, role, session_id, _file_ids(settings))
        ]
        if activity.kind == "document"
        else [],
        slot_id=slot.id or 0 if slot is not None and activity.kind in SIGNED_KINDS else 0,
    )
