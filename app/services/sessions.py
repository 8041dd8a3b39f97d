"""Training sessions: the timeline a member sees, reordering modules, people, status (the gate: `access`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.live.bus import notify
from app.live.contract import ModuleMoved, PeopleChanged, StatusChanged, session_topic
from app.models import (
    Activity,
    Course,
    Enrolment,
    Membership,
    Module,
    Notification,
    Slot,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    User,
)
from app.models.base import utcnow
from app.models.training import ENROLMENT_KINDS, PHASES
from app.services import audience, audit
from app.services.access import Capability, SessionRole, access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.notify import session_confirmation_emails, trainer_positioned_email

PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class ActivityCard:
    """One activity on the timeline."""

    id: int
    kind: str
    title: str
    when: str = ""
    room: str = ""


@dataclass(frozen=True)
class ModuleView:
    """One module on the timeline."""

    id: int
    title: str
    phase: str
    opening_rule: str
    opens_at: str
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


def locked_for(db: Session, module: Module, role: SessionRole, user_id: int) -> bool:
    """Whether a module is still closed to this member (learners only; the others see everything).

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
        from app.services.activities import learner_progress  # noqa: PLC0415 — cycle (a), see issue 12

        modules = ordered_modules(db, module.session_id)
        index = next((i for i, m in enumerate(modules) if m.id == module.id), 0)
        if index > 0:
            done, total = learner_progress(db, module.session_id, user_id).modules.get(
                modules[index - 1].id or 0, (0, 0)
            )
            previous_done = done >= total
    return _locked(module, previous_done, utcnow())


def _locked(module: Module, previous_done: bool, now: datetime) -> bool:
    if module.opening_rule == "date":
        return module.opens_at is None or module.opens_at > now
    if module.opening_rule == "after_previous":
        return not previous_done
    return False


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
    session, role = access_session(db, actor, session_id)
    assert session.id is not None

    course = db.get(Course, session.course_id)
    trainers = db.exec(
        select(User)
        .join(TrainerPosition, col(TrainerPosition.user_id) == col(User.id))
        .where(TrainerPosition.session_id == session.id)
        .order_by(col(User.last_name))
    ).all()
    modules = ordered_modules(db, session.id)
    activities = db.exec(
        select(Activity)
        .where(col(Activity.module_id).in_([m.id for m in modules]))
        .order_by(col(Activity.position), col(Activity.id))
    ).all()

    slots = {
        s.activity_id: s
        for s in db.exec(select(Slot).where(Slot.session_id == session.id, col(Slot.activity_id).is_not(None))).all()
    }
    # A learner's timeline leaves out the virtual classes others were invited to, and a module they emptied.
    mine = [a for a in activities if role.sees_everything or audience.invited(a, actor.user_id)]
    emptied = {a.module_id for a in activities} - {a.module_id for a in mine}
    by_module: dict[int, list[ActivityCard]] = {}
    for a in mine:
        slot = slots.get(a.id)
        when = ""
        if slot is not None:
            start, end = slot.starts_at.astimezone(PARIS), slot.ends_at.astimezone(PARIS)
            when = f"{start:%d/%m/%Y} · {start:%H:%M}–{end:%H:%M}"
        by_module.setdefault(a.module_id, []).append(
            ActivityCard(id=a.id or 0, kind=a.kind, title=a.title, when=when, room=slot.room if slot else "")
        )
    from app.services.activities import learner_progress  # noqa: PLC0415 — cycle (a), see issue 12

    progress = learner_progress(db, session.id, actor.user_id) if role.learner else None
    now = utcnow()
    views = []
    previous_done = True
    for m in modules:
        locked = _locked(m, previous_done, now) and not role.sees_everything
        done, total = progress.modules.get(m.id or 0, (0, 0)) if progress else (0, 0)
        previous_done = done >= total
        if m.id in emptied:
            continue
        views.append(
            ModuleView(
                id=m.id or 0,
                title=m.title,
                phase=m.phase,
                opening_rule=m.opening_rule,
                opens_at=m.opens_at.isoformat() if m.opens_at else "",
                locked=locked,
                activities=[] if locked else by_module.get(m.id or 0, []),
                done=done,
                total=total,
            )
        )
    return SessionView(
        id=session.id,
        title=session.title,
        course_title=course.title if course else session.title,
        starts_on=session.starts_on.isoformat(),
        ends_on=session.ends_on.isoformat(),
        place=session.place,
        status=session.status,
        trainers=[t.display_name for t in trainers],
        modules=views,
        progress=progress.percent if progress else -1,
        can_edit=role.edits,
        can_manage_content=role.manages,
        sees_everything=role.sees_everything,
    )


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
    session, _ = access_session(db, actor, module.session_id, Capability.EDIT)
    assert session.id is not None
    if module.id == target.id:
        return
    order = ordered_modules(db, session.id)
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
        organisation_id=session.organisation_id,
        target=f"module:{module.id}",
        after={"target": target.id},
    )
    notify(db, session_topic(session.id), ModuleMoved(module_id=module.id))


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
    session, _ = access_session(db, actor, module.session_id, Capability.EDIT)
    assert session.id is not None
    same_phase = [m for m in ordered_modules(db, session.id) if m.phase == module.phase]
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
        organisation_id=session.organisation_id,
        target=f"module:{module.id}",
        after={"direction": direction},
    )
    notify(db, session_topic(session.id), ModuleMoved(module_id=module.id))


@dataclass(frozen=True)
class Person:
    """Someone on a session's people panel."""

    user_id: int
    name: str
    email: str
    detail: str


@dataclass(frozen=True)
class SessionPeople:
    """Who is on a session, and who staff may add (lists are capped: an organisation may hold 10,000 learners)."""

    trainers: list[Person]
    learners: list[Person]
    learner_count: int
    trainer_choices: list[Person]
    learner_choices: list[Person]
    tutors: list[Person] = field(default_factory=list)
    tutor_choices: list[Person] = field(default_factory=list)


PEOPLE_LIMIT = 50


def session_people(
    db: Session, actor: Actor, session_id: int, *, query: str = "", limit: int = PEOPLE_LIMIT
) -> SessionPeople:
    """The session's trainers and (first) learners, and the people staff may add, filtered by a search.

    Args:
        db: Database session.
        actor: A staff member of the session's organisation.
        session_id: The session.
        query: Part of a name or e-mail to narrow the learners one may enrol.
        limit: At most this many learners in each list.

    Returns:
        The people.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    by_name = (col(User.last_name), col(User.first_name))
    assigned = set(db.exec(select(TrainerPosition.user_id).where(TrainerPosition.session_id == session.id)).all())
    trainers: list[Person] = []
    trainer_choices: list[Person] = []
    for user, m in db.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == session.organisation_id, col(Membership.is_trainer).is_(True))
        .order_by(*by_name)
    ).all():
        person = Person(user.id or 0, user.display_name, user.email, m.trainer_kind)
        (trainers if user.id in assigned else trainer_choices).append(person)
    enrolled_ids = select(Enrolment.user_id).where(Enrolment.session_id == session.id)
    learners = [
        Person(user.id or 0, user.display_name, user.email, e.kind)
        for user, e in db.exec(
            select(User, Enrolment)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == session.id)
            .order_by(*by_name)
            .limit(limit)
        ).all()
    ]
    count = int(db.exec(select(func.count(col(Enrolment.id))).where(Enrolment.session_id == session.id)).one())
    candidates = (
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == session.organisation_id, col(Membership.is_learner).is_(True))
        .where(col(User.id).not_in(enrolled_ids))
    )
    words = query.strip()[:100]
    if words:
        pattern = f"%{words}%"
        candidates = candidates.where(
            or_(
                col(User.first_name).ilike(pattern),
                col(User.last_name).ilike(pattern),
                col(User.pseudonym).ilike(pattern),
                col(User.email).ilike(pattern),
            )
        )
    learner_choices = [
        Person(user.id or 0, user.display_name, user.email, "")
        for user in db.exec(candidates.order_by(*by_name).limit(limit)).all()
    ]
    positioned = set(db.exec(select(TutorPosition.user_id).where(TutorPosition.session_id == session.id)).all())
    tutors: list[Person] = []
    tutor_choices: list[Person] = []
    for user in db.exec(
        select(User)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.organisation_id == session.organisation_id, col(Membership.is_tutor).is_(True))
        .order_by(*by_name)
    ).all():
        person = Person(user.id or 0, user.display_name, user.email, "")
        (tutors if user.id in positioned else tutor_choices).append(person)
    return SessionPeople(trainers, learners, count, trainer_choices, learner_choices, tutors, tutor_choices)


def _people_changed(
    db: Session,
    actor: Actor,
    session: TrainingSession,
    action: str,
    *,
    before: dict[str, object] | None = None,
    after: dict[str, object] | None = None,
) -> None:
    """Audit a change of a session's people and tell its open pages."""
    audit.record(
        db,
        f"session.{action}",
        actor_user_id=actor.user_id,
        organisation_id=session.organisation_id,
        target=f"session:{session.id}",
        before=before,
        after=after,
    )
    notify(db, session_topic(session.id or 0), PeopleChanged())


def _org_member(db: Session, organisation_id: int, user_id: int, role: str) -> User:
    membership = (
        db.exec(
            select(Membership).where(Membership.user_id == user_id, Membership.organisation_id == organisation_id)
        ).first()
        if isinstance(user_id, int)
        else None
    )
    user = db.get(User, user_id) if membership is not None and getattr(membership, f"is_{role}") else None
    if user is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return user


def position_trainer(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Position a trainer of the organisation on the session; they get an e-mail and an in-app notice.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The trainer.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    trainer = _org_member(db, session.organisation_id, user_id, "trainer")
    exists = db.exec(
        select(TrainerPosition.id).where(
            TrainerPosition.session_id == session.id, TrainerPosition.user_id == user_id
        )
    ).first()
    if exists is not None:
        return
    db.add(TrainerPosition(session_id=session.id or 0, user_id=user_id))
    db.add(
        Notification(
            user_id=user_id,
            organisation_id=session.organisation_id,
            kind="trainer_positioned",
            title=session.title,
            link=f"/sessions/{session.id}",
        )
    )
    trainer_positioned_email(db, session, trainer)
    _people_changed(db, actor, session, "position_trainer", after={"trainer": user_id})


def remove_trainer(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Take a trainer off the session.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The trainer.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    row = db.exec(
        select(TrainerPosition).where(
            TrainerPosition.session_id == session.id, TrainerPosition.user_id == user_id
        )
    ).first()
    if row is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    db.delete(row)
    _people_changed(db, actor, session, "remove_trainer", before={"trainer": user_id})


def enrol_learner(db: Session, actor: Actor, session_id: int, user_id: int, kind: str) -> None:
    """Enrol a learner of the organisation (mandatory, recommended or free).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The learner.
        kind: The enrolment type.

    Raises:
        PlumeError: NOT_FOUND, INVALID_INPUT or SESSION_FULL.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    if kind not in ENROLMENT_KINDS:
        raise PlumeError(ErrorCode.INVALID_INPUT, field="kind")
    _org_member(db, session.organisation_id, user_id, "learner")
    row = db.exec(select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.user_id == user_id)).first()
    if row is None:
        count = len(db.exec(select(Enrolment.id).where(Enrolment.session_id == session.id)).all())
        if session.max_participants is not None and count >= session.max_participants:
            raise PlumeError(ErrorCode.SESSION_FULL, max=str(session.max_participants))
        row = Enrolment(session_id=session.id or 0, user_id=user_id)
    row.kind = kind
    db.add(row)
    _people_changed(db, actor, session, "enrol", after={"learner": user_id, "kind": kind})


def unenrol_learner(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Remove a learner from the session.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The learner.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    row = db.exec(select(Enrolment).where(Enrolment.session_id == session.id, Enrolment.user_id == user_id)).first()
    if row is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    db.delete(row)
    _people_changed(db, actor, session, "unenrol", before={"learner": user_id})


NEXT_STATUS = {"draft": "active", "active": "finished", "finished": "archived"}


def advance_status(db: Session, actor: Actor, session_id: int, to: str) -> None:
    """Move a session along draft → active → finished → archived.

    Confirming (draft → active) e-mails every trainer and learner the session's
    details, an "Ouvrir" link and `votre-session.ics` with its slots.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        to: The next status.

    Raises:
        PlumeError: NOT_FOUND, STATUS_CHANGE or NO_SLOTS.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    if NEXT_STATUS.get(session.status) != to:
        raise PlumeError(ErrorCode.STATUS_CHANGE)
    if to == "active":
        slots = list(db.exec(select(Slot).where(Slot.session_id == session.id)).all())
        if not slots:
            raise PlumeError(ErrorCode.NO_SLOTS)
        hidden = audience.restricted(db, [session.id or 0])  # their invitees had their own invitation
        session_confirmation_emails(db, session, [s for s in slots if s.activity_id not in hidden])
    before = session.status
    session.status = to
    db.add(session)
    audit.record(
        db,
        "session.status",
        actor_user_id=actor.user_id,
        organisation_id=session.organisation_id,
        target=f"session:{session.id}",
        before={"status": before},
        after={"status": to},
    )
    notify(db, session_topic(session.id or 0), StatusChanged(status=to))


def position_tutor(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Give a tutor of the organisation the session to follow (its page, chat and tutoring centre).

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The tutor.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    _org_member(db, session.organisation_id, user_id, "tutor")
    exists = db.exec(
        select(TutorPosition.id).where(TutorPosition.session_id == session.id, TutorPosition.user_id == user_id)
    ).first()
    if exists is None:
        db.add(TutorPosition(session_id=session.id or 0, user_id=user_id))
        _people_changed(db, actor, session, "position_tutor", after={"tutor": user_id})


def remove_tutor(db: Session, actor: Actor, session_id: int, user_id: int) -> None:
    """Take a tutor off the session.

    Args:
        db: Database session.
        actor: A staff member.
        session_id: The session.
        user_id: The tutor.

    Raises:
        PlumeError: NOT_FOUND.
    """
    session, _ = access_session(db, actor, session_id, Capability.EDIT)
    row = db.exec(
        select(TutorPosition).where(TutorPosition.session_id == session.id, TutorPosition.user_id == user_id)
    ).first()
    if row is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    db.delete(row)
    _people_changed(db, actor, session, "remove_tutor", before={"tutor": user_id})
