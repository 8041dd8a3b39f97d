"""The timeline a member sees on a session's page: header, trainers, modules with their activities."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.clock import PARIS, paris_date_label
from app.models import Activity, Course, MonitoredActivity, Slot, TrainerPosition, User
from app.models.base import utcnow
from app.services import audience
from app.services.access import Capability, access_session
from app.services.actor import Actor
from app.services.progress import learner_progress
from app.services.search import sort_key
from app.services.sessions.locks import locked_ids
from app.services.sessions.modules import ordered_modules


@dataclass(frozen=True)
class ActivityCard:
    """One activity on the timeline."""

    id: int
    kind: str
    title: str
    when: str = ""
    room: str = ""
    expected_on: str = ""  # "Attendu le" (YYYY-MM-DD, a date input's value) when monitored ("Surveillé"), else ""
    expected_label: str = ""  # the same day, DD/MM/YYYY
    required: bool = False  # monitored and required to complete the training


@dataclass(frozen=True)
class ModuleView:
    """One module on the timeline."""

    id: int
    title: str
    phase: str
    opening_rule: str
    opens_at: str  # rule "date": the Paris day it opens, DD/MM/YYYY; else ""
    locked: bool
    activities: list[ActivityCard]
    done: int = 0
    total: int = 0


@dataclass(frozen=True)
class SessionView:
    """What a session's page shows to one member."""

    id: int
    title: str
    course_title: str
    starts_on: str
    ends_on: str
    place: str
    status: str
    trainers: list[str]
    modules: list[ModuleView]
    progress: int
    can_edit: bool
    can_manage_content: bool
    sees_everything: bool
    can_restore: bool = False  # staff on an archived session: "Désarchiver" (access.Capability.RESTORE)
    can_archive: bool = False  # staff or a trainer of the session, once finished (access.Capability.ARCHIVE)
    # Reading what MANAGE runs (access.Capability.OVERSEE), archived included: the signed sheets' PDF, the
    # evaluations' results.
    can_read_sheets: bool = False
    archive_category: str = ""


def session_view(db: Session, actor: Actor, session_id: int) -> SessionView:
    """A session's page for one member: header, trainers, modules with their activities.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        The view (learners see locked modules as locked, without their activities).

    Raises:
        PlumeError: NOT_FOUND when the actor is not a member.
    """
    training, role = access_session(db, actor, session_id)
    assert training.id is not None

    course = db.get(Course, training.course_id)
    trainers = db.exec(
        select(User)
        .join(TrainerPosition, col(TrainerPosition.user_id) == col(User.id))
        .where(TrainerPosition.session_id == training.id)
        .order_by(sort_key(col(User.last_name)), sort_key(col(User.first_name)), col(User.id))
    ).all()
    modules = ordered_modules(db, training.id)
    activities = db.exec(
        select(Activity)
        .where(col(Activity.module_id).in_([m.id for m in modules]))
        .order_by(col(Activity.position), col(Activity.id))
    ).all()

    slots = {
        s.activity_id: s
        for s in db.exec(select(Slot).where(Slot.session_id == training.id, col(Slot.activity_id).is_not(None))).all()
    }  # an appointment's slots are its proposed times, listed in its panel: its card names none
    monitored = {
        m.activity_id: m
        for m in db.exec(select(MonitoredActivity).where(MonitoredActivity.session_id == training.id)).all()
    }
    # A learner's timeline leaves out the virtual classes others were invited to, and a module they emptied.
    mine = [a for a in activities if role.sees_everything or audience.invited(a, actor.user_id)]
    emptied = {a.module_id for a in activities} - {a.module_id for a in mine}
    by_module: dict[int, list[ActivityCard]] = {}
    for a in mine:
        slot = slots.get(a.id) if a.kind not in audience.PER_SLOT_KINDS else None
        watch = monitored.get(a.id or 0)
        when = ""
        if slot is not None:
            start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
            when = f"{start:%d/%m/%Y} · {start:%H:%M}–{end:%H:%M}"
        by_module.setdefault(a.module_id, []).append(
            ActivityCard(
                id=a.id or 0,
                kind=a.kind,
                title=a.title,
                when=when,
                room=slot.room if slot else "",
                expected_on=watch.expected_on.isoformat() if watch else "",
                expected_label=f"{watch.expected_on:%d/%m/%Y}" if watch else "",
                required=bool(watch and watch.required),
            )
        )
    progress = learner_progress(db, training.id, actor.user_id, [m.id or 0 for m in modules]) if role.enrolled else None
    locked = locked_ids(modules, role, progress, utcnow())
    views = []
    for m in modules:
        if m.id in emptied:
            continue
        done, total = progress.modules.get(m.id or 0, (0, 0)) if progress else (0, 0)
        is_locked = (m.id or 0) in locked
        views.append(
            ModuleView(
                id=m.id or 0,
                title=m.title,
                phase=m.phase,
                opening_rule=m.opening_rule,
                # The Paris day it opens (stored as Paris midnight, 23:00 UTC the day before in winter).
                opens_at=paris_date_label(m.opens_at),
                locked=is_locked,
                activities=[] if is_locked else by_module.get(m.id or 0, []),
                done=done,
                total=total,
            )
        )
    return SessionView(
        id=training.id,
        title=training.title,
        course_title=course.title if course else training.title,
        starts_on=training.starts_on.isoformat(),
        ends_on=training.ends_on.isoformat(),
        place=training.place,
        status=training.status,
        trainers=[t.display_name for t in trainers],
        modules=views,
        progress=progress.percent if progress else -1,
        can_edit=role.edits,
        can_manage_content=role.manages,
        sees_everything=role.sees_everything,
        can_restore=role.can(Capability.RESTORE),
        can_archive=training.status == "finished" and role.can(Capability.ARCHIVE),
        can_read_sheets=role.can(Capability.OVERSEE),
        archive_category=training.archive_category,
    )
