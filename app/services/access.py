"""Who may see, follow, correct or edit each object: the one home of Plume's access rules.

Modelled on Zulip's `access_stream_by_id`: one function per object, and a
missing object and a forbidden one raise the same `PlumeError(NOT_FOUND)`, so
an id never tells a stranger that something exists.

Training sessions
-----------------
A person's relation to a session is made of *grants*. A grant holds when the
person's membership of the session's organisation carries a role (staff,
trainer, learner, tutor), when the session links them for that role (positioned
trainer, positioned tutor, enrolled learner; staff need no link) and when the
session's status is one the grant covers. A *capability* is a set of grants:

- SEE: staff of the organisation, positioned trainers and tutors (any status),
  enrolled learners (not in a draft). The session's page, chat, documents.
- MINE: SEE without the staff grant: the sessions on a person's own home page.
- FOLLOW: staff of the organisation (not in a draft) and positioned tutors (any
  status). The tutoring centre, its courses, reminders, attestations, virtual classes.
  Staff's drafts stay out because the centre's lists always left them out (its learners
  do not see it yet either); the gate used to let staff in, and now agrees.
- CORRECT: staff, positioned trainers and tutors (any status). Missions and observations.
- MANAGE: staff and positioned trainers (any status). Content, attendance board, moderation.
- SIGN: positioned trainers (any status) and enrolled learners (not in a draft): the sheets one signs.
- EDIT: staff (any status). Timeline structure, people, status.
- CONCLUDE: staff, positioned trainers and tutors, on a published session: "Formation terminée".
- TALK: positioned trainers and tutors, enrolled learners (not in a draft): posting in the chat.
- ARCHIVE: staff and positioned trainers, on a session not yet archived: "Archiver le parcours"
  (the service lets only a finished session go). A learner, a tutor or a trainer of another
  session may not; taking it out again is RESTORE, staff's only.
- RESTORE: staff, on an archived session only: unarchiving it.
- OVERSEE: staff and positioned trainers (any status, archived included): reading what MANAGE runs
  (the signed sheets' PDFs), which stays readable once the session is archived.

An archived session is read-only for everyone: only SEE, MINE, FOLLOW and RESTORE
hold on it; every grant that writes (CORRECT, MANAGE, SIGN, EDIT, CONCLUDE, TALK, ARCHIVE, and the
`staff` / `trainer` / `tutor` / `learner` roles the feature gates act on) stops at the
archive, so posting, uploading, signing and editing the timeline are refused there,
while its documents, chat, sheets and reports stay readable by its members and staff.

Both forms of a capability are built from the same grants: `SessionRole.can`
checks one session in Python, `session_filter` is the SQL where-clause lists use.
`tests/unit/test_access.py` walks roles x statuses x organisations and asserts
that they agree. `access_session_for_each` is `access_session` for many people on one
session (a live push re-checks a whole room at once), its facts read by `people_roles`
and judged by the same `_facts` and `SessionRole.can` (`tests/unit/test_live_gate.py`).

Other objects
-------------
Courses: `access_course` (the catalogue: staff of the selected organisation),
`access_tutored_course` (the courses whose sessions one FOLLOWs), `access_member_course`
(a course's image: any member of its organisation). Modules, activities, slots,
documents and chat rooms reach their session through `access_module`,
`access_activity`, `access_slot`, `access_document` and `access_room` here; the
feature modules add what is not a question of who (a learner's locked module,
the invitees of a virtual class) in their single gate: `activities.in_session`,
`attendance.window.slot_context`, `documents._access_document` and `documents.list_for_module` /
`list_for_session`; a chat room is `access_room` itself. Those refinements need the learner's
progress (`sessions.locks`), which this module may not import.

This module imports only models, the actor and the errors, so every service may use it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.models import (
    Activity,
    ChatMessage,
    Course,
    Document,
    Enrolment,
    Membership,
    Module,
    Organisation,
    Slot,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    Unavailability,
)
from app.models.organisation import Room as OrganisationRoom  # `Room` here is a session's chat room
from app.models.training import SESSION_STATUSES
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError

ALL_STATUSES = frozenset(SESSION_STATUSES)
PUBLISHED = frozenset(s for s in SESSION_STATUSES if s != "draft")  # a draft is staff's and its team's only
WRITABLE = ALL_STATUSES - {"archived"}  # an archived session is read-only for everyone
LIVE = PUBLISHED & WRITABLE
ARCHIVED = frozenset({"archived"})

Link = type[TrainerPosition] | type[TutorPosition] | type[Enrolment]


@dataclass(frozen=True)
class Grant:
    """One way to relate to a session: a role of the organisation, a link to the session, a set of statuses."""

    role: str  # a Membership flag: staff, trainer, learner, tutor
    link: Link | None  # the row tying the person to the session for this role; None: every session of the org
    statuses: frozenset[str]

    def holds(self, facts: SessionRole) -> bool:
        """Whether the grant holds for one person and one session (the Python form).

        Args:
            facts: What is known of the person and the session.

        Returns:
            True if it holds.
        """
        linked = self.link is None or self.link.__name__ in facts.links
        return self.role in facts.roles and linked and facts.status in self.statuses

    def clause(self, user_id: int) -> ColumnElement[bool]:
        """The grant as a condition on `TrainingSession` rows (the SQL form).

        Args:
            user_id: The person.

        Returns:
            A where-clause, correlated to the `TrainingSession` of the enclosing query.
        """
        flag = getattr(Membership, f"is_{self.role}")
        parts: list[ColumnElement[bool]] = [
            col(TrainingSession.status).in_(sorted(self.statuses)),
            select(Membership.id)
            .where(
                col(Membership.user_id) == user_id,
                col(Membership.organisation_id) == col(TrainingSession.organisation_id),
                col(flag).is_(True),
            )
            .exists(),
        ]
        if self.link is not None:
            link = self.link
            parts.append(
                select(link.id)
                .where(col(link.session_id) == col(TrainingSession.id), col(link.user_id) == user_id)
                .exists()
            )
        return and_(*parts)


STAFF = Grant("staff", None, ALL_STATUSES)
STAFF_PUBLISHED = Grant("staff", None, PUBLISHED)
TRAINER = Grant("trainer", TrainerPosition, ALL_STATUSES)
TUTOR = Grant("tutor", TutorPosition, ALL_STATUSES)
LEARNER = Grant("learner", Enrolment, PUBLISHED)
# The same links on a session one may still change: every grant that writes stops at the archive.
STAFF_WRITES = Grant("staff", None, WRITABLE)
STAFF_LIVE = Grant("staff", None, LIVE)
STAFF_ARCHIVED = Grant("staff", None, ARCHIVED)
TRAINER_WRITES = Grant("trainer", TrainerPosition, WRITABLE)
TUTOR_WRITES = Grant("tutor", TutorPosition, WRITABLE)
TUTOR_LIVE = Grant("tutor", TutorPosition, LIVE)
TRAINER_LIVE = Grant("trainer", TrainerPosition, LIVE)
LEARNER_WRITES = Grant("learner", Enrolment, LIVE)


class Capability(StrEnum):
    """What one may do with a session; each is a set of grants (see `GRANTS`)."""

    SEE = "see"
    MINE = "mine"
    FOLLOW = "follow"
    CORRECT = "correct"
    MANAGE = "manage"
    SIGN = "sign"
    EDIT = "edit"
    CONCLUDE = "conclude"
    TALK = "talk"
    ARCHIVE = "archive"
    RESTORE = "restore"
    OVERSEE = "oversee"


GRANTS: dict[Capability, tuple[Grant, ...]] = {
    Capability.SEE: (STAFF, TRAINER, TUTOR, LEARNER),
    Capability.MINE: (TRAINER, TUTOR, LEARNER),
    # Staff follow the organisation's published sessions: the tutoring centre lists no draft, so its gate lets none in.
    Capability.FOLLOW: (STAFF_PUBLISHED, TUTOR),
    Capability.CORRECT: (STAFF_WRITES, TRAINER_WRITES, TUTOR_WRITES),
    Capability.MANAGE: (STAFF_WRITES, TRAINER_WRITES),
    Capability.SIGN: (TRAINER_WRITES, LEARNER_WRITES),
    Capability.EDIT: (STAFF_WRITES,),
    Capability.CONCLUDE: (STAFF_LIVE, TRAINER_LIVE, TUTOR_LIVE),
    Capability.TALK: (TRAINER_WRITES, TUTOR_WRITES, LEARNER_WRITES),
    Capability.ARCHIVE: (STAFF_WRITES, TRAINER_WRITES),
    Capability.RESTORE: (STAFF_ARCHIVED,),
    Capability.OVERSEE: (STAFF, TRAINER),
}


@dataclass(frozen=True)
class SessionRole:
    """How one person relates to one session: the facts the grants are judged on."""

    roles: frozenset[str] = frozenset()  # their roles in the session's organisation
    links: frozenset[str] = frozenset()  # the link tables naming them on the session
    status: str = ""

    def can(self, capability: Capability) -> bool:
        """Whether the person has a capability on the session.

        Args:
            capability: The capability.

        Returns:
            True if one of its grants holds.
        """
        return any(grant.holds(self) for grant in GRANTS[capability])

    # The roles below are what the feature gates act on (sign as, post as, hand in as, edit as):
    # none holds on an archived session, which is read-only. Reading goes through SEE and `sees_everything`.

    @property
    def staff(self) -> bool:
        """Staff of the session's organisation, acting on a session not archived."""
        return STAFF_WRITES.holds(self)

    @property
    def trainer(self) -> bool:
        """A trainer positioned on the session, acting on it (not archived)."""
        return TRAINER_WRITES.holds(self)

    @property
    def learner(self) -> bool:
        """A learner enrolled in the session, once it is no longer a draft, and until it is archived."""
        return LEARNER_WRITES.holds(self)

    @property
    def tutor(self) -> bool:
        """A tutor positioned on the session, acting on it (not archived)."""
        return TUTOR_WRITES.holds(self)

    @property
    def enrolled(self) -> bool:
        """A learner enrolled in the session, once it is no longer a draft (archived included: reading)."""
        return LEARNER.holds(self)

    @property
    def sees_everything(self) -> bool:
        """Staff, trainers and tutors see locked modules and every learner's progress (archived included)."""
        return STAFF.holds(self) or TRAINER.holds(self) or TUTOR.holds(self)

    @property
    def follows(self) -> bool:
        """Has the session's tutoring centre (FOLLOW)."""
        return self.can(Capability.FOLLOW)

    @property
    def corrects(self) -> bool:
        """Corrects the session's missions and observations (CORRECT)."""
        return self.can(Capability.CORRECT)

    @property
    def manages(self) -> bool:
        """Runs the session's content, attendance board and chat moderation (MANAGE)."""
        return self.can(Capability.MANAGE)

    @property
    def edits(self) -> bool:
        """Changes the session's timeline, people and status (EDIT)."""
        return self.can(Capability.EDIT)


NO_ROLE = SessionRole()


def session_filter(actor: Actor, capability: Capability = Capability.SEE) -> ColumnElement[bool]:
    """The sessions on which the actor has a capability, as a where-clause on `TrainingSession`.

    Args:
        actor: The signed-in actor.
        capability: The capability.

    Returns:
        The condition (always false for an actor who is not fully signed in).
    """
    if not actor.fully_signed_in:
        return false()
    return _session_filter(capability, actor.user_id)


@functools.lru_cache(maxsize=4096)
def _session_filter(capability: Capability, user_id: int) -> ColumnElement[bool]:
    """`session_filter` for one person, built once per process.

    The clause depends on nothing else, and building it was a good part of a page's cost (a home page asks
    for it four times). Expressions are immutable: one is shared by every query (and thread) embedding it.

    Args:
        capability: The capability.
        user_id: The person.

    Returns:
        The condition.
    """
    return or_(*(grant.clause(user_id) for grant in GRANTS[capability]))


# The grants that put a session in a person's agenda: they train in it, or learn in it (staff and tutors watch
# sessions they do not attend).
AGENDA_GRANTS = (TRAINER, LEARNER)


def agenda_filter(user_id: int) -> ColumnElement[bool]:
    """The sessions of a person's agenda, in every organisation where they hold the role, as a where-clause.

    Args:
        user_id: The person (the caller checked that the account is active and signed in, or the feed's secret).

    Returns:
        The condition on `TrainingSession`.
    """
    return or_(*(grant.clause(user_id) for grant in AGENDA_GRANTS))


def trains_clause(user_id: int) -> ColumnElement[bool]:
    """Whether a person trains in a session, as a condition on `TrainingSession` (what `trained_session_ids` asks).

    Args:
        user_id: The person.

    Returns:
        The condition.
    """
    return TRAINER.clause(user_id)


def trained_session_ids(db: Session, user_id: int, session_ids: Iterable[int]) -> set[int]:
    """Among some sessions, those a person trains in (a trainer sees every activity, a learner their own).

    Args:
        db: Database session.
        user_id: The person.
        session_ids: The sessions.

    Returns:
        The ids of those they train in.
    """
    ids = sorted(set(session_ids))
    if not ids:
        return set()
    query = select(col(TrainingSession.id)).where(col(TrainingSession.id).in_(ids), trains_clause(user_id))
    return {i for i in db.exec(query).all() if i is not None}


def visible_session_ids(actor: Actor, capability: Capability = Capability.SEE) -> SelectOfScalar[int | None]:
    """The ids of the sessions on which the actor has a capability, as a sub-select for `in_()`.

    Args:
        actor: The signed-in actor.
        capability: The capability.

    Returns:
        The select.
    """
    return select(col(TrainingSession.id)).where(session_filter(actor, capability))


def valid_id(value: object) -> int | None:
    """An id as a client may send it: a 64-bit int, not a bool (True would read as the object of id 1)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63 else None


def membership(db: Session, actor: Actor, organisation_id: int) -> Membership | None:
    """The actor's membership of an organisation, if they are fully signed in.

    Args:
        db: Database session.
        actor: The signed-in actor.
        organisation_id: The organisation.

    Returns:
        The membership, or None.
    """
    if not actor.fully_signed_in:
        return None
    return db.exec(
        select(Membership).where(Membership.user_id == actor.user_id, Membership.organisation_id == organisation_id)
    ).first()


def session_role(db: Session, actor: Actor, training: TrainingSession) -> SessionRole:
    """How the actor relates to a session (NO_ROLE for someone without a membership of its organisation).

    Args:
        db: Database session.
        actor: The signed-in actor.
        training: The session.

    Returns:
        The facts the grants are judged on.
    """
    if training.id is None:
        return NO_ROLE
    return session_roles(db, actor, [training])[training.id]


def session_roles(db: Session, actor: Actor, sessions: Sequence[TrainingSession]) -> dict[int, SessionRole]:
    """How the actor relates to each of several sessions, in one read per table (a list's `session_role`).

    Args:
        db: Database session.
        actor: The signed-in actor.
        sessions: The sessions.

    Returns:
        Session id → the facts the grants are judged on (NO_ROLE without a membership of its organisation).
    """
    ids = sorted({s.id for s in sessions if s.id is not None})
    if not ids or not actor.fully_signed_in:
        return dict.fromkeys(ids, NO_ROLE)
    members = {
        m.organisation_id: m
        for m in db.exec(
            select(Membership).where(
                Membership.user_id == actor.user_id,
                col(Membership.organisation_id).in_(sorted({s.organisation_id for s in sessions})),
            )
        ).all()
    }
    linked = _links(
        db,
        members.values(),
        lambda link: select(link.session_id).where(col(link.user_id) == actor.user_id, col(link.session_id).in_(ids)),
    )
    out: dict[int, SessionRole] = {}
    for training in sessions:
        member = members.get(training.organisation_id)
        if training.id is None or member is None:
            continue
        out[training.id] = _facts(member.roles, training.status, linked, training.id)
    return {i: out.get(i, NO_ROLE) for i in ids}


def _links(
    db: Session, members: Iterable[Membership], pick: Callable[[Link], SelectOfScalar[int]]
) -> dict[str, set[int]]:
    """The link tables naming the people or sessions asked for (what `_facts` looks in).

    A link only counts with its role, so a table is read only when one of the memberships holds that role.

    Args:
        db: Database session.
        members: The memberships judged.
        pick: For a link table, the select of the ids wanted from it (sessions of one person, people of one session).

    Returns:
        Link table name → the ids it names.
    """
    held = frozenset().union(*(m.roles for m in members))
    return {
        grant.link.__name__: set(db.exec(pick(grant.link)).all())
        for grant in (TRAINER, TUTOR, LEARNER)
        if grant.link is not None and grant.role in held
    }


def _facts(roles: frozenset[str], status: str, linked: dict[str, set[int]], key: int) -> SessionRole:
    """The facts of one person on one session, from their roles and the link tables naming them.

    Args:
        roles: Their roles in the session's organisation.
        status: The session's status.
        linked: Link table name → the ids it names (sessions of one person, or people of one session).
        key: The id to look for in them (the session's, or the person's).

    Returns:
        The facts (a link only counts with its role).
    """
    links = frozenset(
        grant.link.__name__
        for grant in (TRAINER, TUTOR, LEARNER)
        if grant.link is not None and grant.role in roles and key in linked.get(grant.link.__name__, ())
    )
    return SessionRole(roles=roles, links=links, status=status)


def people_roles(db: Session, actors: Sequence[Actor | None], training: TrainingSession) -> list[SessionRole]:
    """How each of several people relates to one session, in one read per table (`session_role` for a room).

    Args:
        db: Database session.
        actors: The people (None, or not fully signed in: NO_ROLE).
        training: The session.

    Returns:
        One `SessionRole` per actor, in order.
    """
    users = sorted({a.user_id for a in actors if a is not None and a.fully_signed_in})
    if training.id is None or not users:
        return [NO_ROLE] * len(actors)
    members = {
        m.user_id: m
        for m in db.exec(
            select(Membership).where(
                col(Membership.user_id).in_(users), Membership.organisation_id == training.organisation_id
            )
        ).all()
    }
    linked = _links(
        db,
        members.values(),
        lambda link: select(link.user_id).where(col(link.session_id) == training.id, col(link.user_id).in_(users)),
    )
    out: list[SessionRole] = []
    for actor in actors:
        member = members.get(actor.user_id) if actor is not None and actor.fully_signed_in else None
        if member is None:
            out.append(NO_ROLE)
            continue
        out.append(_facts(member.roles, training.status, linked, member.user_id))
    return out


def access_session(
    db: Session, actor: Actor, session_id: int, capability: Capability = Capability.SEE
) -> tuple[TrainingSession, SessionRole]:
    """The only way a service gets a session: with the capability asked for, else NOT_FOUND.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session asked for.
        capability: What the caller does with it (SEE by default).

    Returns:
        The session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing session and a forbidden one alike.
    """
    key = valid_id(session_id)
    training = db.get(TrainingSession, key) if key is not None else None
    if training is None or training.id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    role = session_role(db, actor, training)
    if not role.can(capability):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return training, role


def access_session_for_each(
    db: Session, actors: Sequence[Actor | None], session_id: object, capability: Capability = Capability.SEE
) -> list[SessionRole | None]:
    """`access_session` for several people at once (a live push re-checks a whole room in one visit).

    Args:
        db: Database session.
        actors: The people (None: a session that ended).
        session_id: The session asked for.
        capability: What they would do with it.

    Returns:
        Per actor, in order: their role in the session, or None where `access_session` raises NOT_FOUND.
    """
    key = valid_id(session_id)
    training = db.get(TrainingSession, key) if key is not None else None
    if training is None or training.id is None:
        return [None] * len(actors)
    return [role if role.can(capability) else None for role in people_roles(db, actors, training)]


def access_followed_session(db: Session, actor: Actor, session_id: int) -> TrainingSession:
    """The gate of the tutoring centre: the session, if the actor may FOLLOW its learners.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session asked for.

    Returns:
        The session.

    Raises:
        PlumeError: NOT_FOUND for a missing session and a forbidden one alike.
    """
    return access_session(db, actor, session_id, Capability.FOLLOW)[0]


def access_module(
    db: Session, actor: Actor, module_id: object, capability: Capability = Capability.SEE
) -> tuple[Module, TrainingSession, SessionRole]:
    """A session's module (not a course's template), with the capability on its session.

    Args:
        db: Database session.
        actor: The signed-in actor.
        module_id: The module asked for.
        capability: What the caller does with it.

    Returns:
        The module, its session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing module and a forbidden one alike.
    """
    key = valid_id(module_id)
    module = db.get(Module, key) if key is not None else None
    if module is None or module.session_id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    training, role = access_session(db, actor, module.session_id, capability)
    return module, training, role


def access_activity(
    db: Session, actor: Actor, activity_id: object, capability: Capability = Capability.SEE
) -> tuple[Activity, Module, TrainingSession, SessionRole]:
    """An activity of a session's timeline, with the capability on its session.

    Who the activity is for and whether its module is open are the feature's own
    refinements (`activities.in_session`).

    Args:
        db: Database session.
        actor: The signed-in actor.
        activity_id: The activity asked for.
        capability: What the caller does with it.

    Returns:
        The activity, its module, its session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing activity and a forbidden one alike.
    """
    key = valid_id(activity_id)
    activity = db.get(Activity, key) if key is not None else None
    if activity is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    module, training, role = access_module(db, actor, activity.module_id, capability)
    return activity, module, training, role


def access_slot(
    db: Session, actor: Actor, slot_id: object, capability: Capability = Capability.SEE
) -> tuple[Slot, Activity | None, TrainingSession, SessionRole]:
    """A slot of a session, with the capability on its session.

    Args:
        db: Database session.
        actor: The signed-in actor.
        slot_id: The slot asked for.
        capability: What the caller does with it.

    Returns:
        The slot, its activity (if any), its session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing slot and a forbidden one alike.
    """
    key = valid_id(slot_id)
    slot = db.get(Slot, key) if key is not None else None
    if slot is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    activity = db.get(Activity, slot.activity_id) if slot.activity_id else None
    training, role = access_session(db, actor, slot.session_id, capability)
    return slot, activity, training, role


def access_room_of_organisation(db: Session, actor: Actor, room_id: object) -> OrganisationRoom:
    """One of the rooms of the organisation the actor is staff of.

    Args:
        db: Database session.
        actor: The signed-in actor.
        room_id: As sent by the page.

    Returns:
        The room.

    Raises:
        PlumeError: NOT_FOUND for a missing room, another organisation's, or anyone but its staff.
    """
    key = valid_id(room_id)
    room = db.get(OrganisationRoom, key) if key is not None else None
    if room is None or room.organisation_id != actor.organisation_id or not actor.has_role("staff"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return room


def room_of_organisation(db: Session, organisation_id: int, room_id: object) -> OrganisationRoom:
    """One of an organisation's rooms (the one a slot of it may move to, once `access_slot_room` let the actor in).

    Args:
        db: Database session.
        organisation_id: The slot's organisation.
        room_id: As sent by the page.

    Returns:
        The room.

    Raises:
        PlumeError: NOT_FOUND for a missing room or another organisation's.
    """
    key = valid_id(room_id)
    room = db.get(OrganisationRoom, key) if key is not None else None
    if room is None or room.organisation_id != organisation_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return room


def access_slot_room(db: Session, actor: Actor, slot_id: object) -> tuple[Slot, TrainingSession]:
    """A slot whose room the actor may change: staff of its session, or its trainers where the organisation allows.

    Args:
        db: Database session.
        actor: The signed-in actor.
        slot_id: As sent by the page.

    Returns:
        The slot and its session.

    Raises:
        PlumeError: NOT_FOUND for a missing slot and a forbidden one alike (an archived session's included).
    """
    slot, _, training, role = access_slot(db, actor, slot_id, Capability.SEE)
    if not may_move_rooms(role, db.get(Organisation, training.organisation_id)):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return slot, training


def may_move_rooms(role: SessionRole, organisation: Organisation | None) -> bool:
    """Whether one may move a session's slots to another room: its staff, or its trainers where the organisation allows.

    Args:
        role: The person's facts on the session.
        organisation: The session's organisation.

    Returns:
        True if they may.
    """
    if role.can(Capability.EDIT):
        return True
    return organisation is not None and organisation.trainers_change_rooms and TRAINER_WRITES.holds(role)


def sessions_with_movable_rooms(db: Session, actor: Actor, session_ids: Iterable[int]) -> set[int]:
    """Among some sessions, those whose slots the actor may move to another room (`access_slot_room`'s rule).

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_ids: The sessions (of any of the actor's organisations).

    Returns:
        Their ids.
    """
    return _sessions_where(db, actor, session_ids, may_move_rooms)


def may_plan_slots(role: SessionRole, organisation: Organisation | None) -> bool:
    """Whether one may plan a session's slots (progressive planning): its staff, or its trainers where allowed.

    Args:
        role: The person's facts on the session.
        organisation: The session's organisation (its `trainers_plan_slots`).

    Returns:
        True if they may.
    """
    if role.can(Capability.EDIT):
        return True
    return organisation is not None and organisation.trainers_plan_slots and TRAINER_WRITES.holds(role)


def access_plannable_module(
    db: Session, actor: Actor, module_id: object
) -> tuple[Module, TrainingSession, SessionRole]:
    """A session's module the actor may plan slots in (`may_plan_slots`): a new séance goes there.

    Args:
        db: Database session.
        actor: The signed-in actor.
        module_id: As sent by the page.

    Returns:
        The module, its session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing module and a forbidden one alike (an archived session's included).
    """
    module, training, role = access_module(db, actor, module_id)
    if not may_plan_slots(role, db.get(Organisation, training.organisation_id)):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return module, training, role


def access_plannable_activity(
    db: Session, actor: Actor, activity_id: object
) -> tuple[Activity, Module, TrainingSession, SessionRole]:
    """An activity of a session whose slot the actor may plan (`may_plan_slots`).

    Args:
        db: Database session.
        actor: The signed-in actor.
        activity_id: As sent by the page.

    Returns:
        The activity, its module, its session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing activity and a forbidden one alike (a course template's included).
    """
    activity, module, training, role = access_activity(db, actor, activity_id)
    if not may_plan_slots(role, db.get(Organisation, training.organisation_id)):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return activity, module, training, role


def sessions_with_planning(db: Session, actor: Actor, session_ids: Iterable[int]) -> set[int]:
    """Among some sessions, those whose slots the actor may plan (`may_plan_slots`, the agenda's "Planifier").

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_ids: The sessions (of any of the actor's organisations).

    Returns:
        Their ids.
    """
    return _sessions_where(db, actor, session_ids, may_plan_slots)


def _sessions_where(
    db: Session,
    actor: Actor,
    session_ids: Iterable[int],
    rule: Callable[[SessionRole, Organisation | None], bool],
) -> set[int]:
    """Among some sessions, those where a rule of the actor's role and the organisation holds (a few reads)."""
    ids = sorted(set(session_ids))
    if not ids:
        return set()
    sessions = db.exec(select(TrainingSession).where(col(TrainingSession.id).in_(ids))).all()
    roles = session_roles(db, actor, sessions)
    organisations = {
        o.id: o
        for o in db.exec(
            select(Organisation).where(col(Organisation.id).in_(sorted({s.organisation_id for s in sessions})))
        ).all()
    }
    return {s.id or 0 for s in sessions if rule(roles.get(s.id or 0, NO_ROLE), organisations.get(s.organisation_id))}


@dataclass(frozen=True)
class Room:
    """The actor's place in a session's chat room."""

    training: TrainingSession
    role: SessionRole

    @property
    def can_post(self) -> bool:
        """Learners, trainers and tutors talk; staff read and moderate; nobody posts once archived (TALK)."""
        return self.role.can(Capability.TALK)

    @property
    def can_moderate(self) -> bool:
        """Trainers and staff remove anyone's message."""
        return self.role.manages


def access_room(db: Session, actor: Actor, session_id: object) -> Room:
    """The only way into a session's chat room: members of the session (SEE), else NOT_FOUND.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        The room.

    Raises:
        PlumeError: NOT_FOUND.
    """
    key = valid_id(session_id)
    if key is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    training, role = access_session(db, actor, key)
    return Room(training=training, role=role)


def access_unavailability(db: Session, actor: Actor, unavailability_id: object) -> Unavailability:
    """One of the actor's own unavailabilities (nobody else's: they are private to their owner).

    Args:
        db: Database session.
        actor: The signed-in actor.
        unavailability_id: As sent by the page.

    Returns:
        The unavailability.

    Raises:
        PlumeError: NOT_FOUND when it is missing, someone else's, or the actor is not fully signed in.
    """
    key = valid_id(unavailability_id)
    row = db.get(Unavailability, key) if key is not None and actor.fully_signed_in else None
    if row is None or row.user_id != actor.user_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return row


def access_document(db: Session, actor: Actor, document_id: object) -> tuple[Document, TrainingSession, SessionRole]:
    """A session's document, for the members of its session.

    A file without a module is readable here only while a live chat message holds it
    (a mission hand-in or its correction is served by its own route, with its own check).
    Whether a module's document sits in a module still locked to a learner is the
    feature's refinement (`documents._access_document`).

    Args:
        db: Database session.
        actor: The signed-in actor.
        document_id: The document asked for.

    Returns:
        The document, its session and the actor's role in it.

    Raises:
        PlumeError: NOT_FOUND for a missing (or deleted) document and a forbidden one alike.
    """
    key = valid_id(document_id)
    document = db.get(Document, key) if key is not None else None
    if document is None or document.deleted_at is not None or document.session_id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    training, role = access_session(db, actor, document.session_id)
    if document.module_id is None:
        # A removed message takes its file with it: the same answer as a missing document.
        attached = db.exec(
            select(ChatMessage.id).where(ChatMessage.document_id == document.id, col(ChatMessage.deleted_at).is_(None))
        ).first()
        if attached is None:
            raise PlumeError(ErrorCode.NOT_FOUND)
    return document, training, role


def access_course(db: Session, actor: Actor, course_id: int) -> Course:
    """The catalogue's gate: a course of the selected organisation, for its staff; NOT_FOUND otherwise.

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course.

    Returns:
        The course.

    Raises:
        PlumeError: NOT_FOUND for a missing course and a forbidden one alike.
    """
    if actor.organisation_id is None or not actor.has_role("staff"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    key = valid_id(course_id)
    course = db.get(Course, key) if key is not None else None
    if course is None or course.organisation_id != actor.organisation_id:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return course


def access_member_course(db: Session, actor: Actor, course_id: object) -> Course:
    """A course as any member of its organisation reaches it (its image): NOT_FOUND for anyone else.

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course.

    Returns:
        The course.

    Raises:
        PlumeError: NOT_FOUND for a missing course and a forbidden one alike.
    """
    key = valid_id(course_id)
    course = db.get(Course, key) if key is not None else None
    if course is None or membership(db, actor, course.organisation_id) is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return course


def followed_in(actor: Actor, organisation_id: int) -> list[ColumnElement[bool]]:
    """The conditions on `TrainingSession` of the sessions of one organisation the actor FOLLOWs.

    Args:
        actor: The signed-in actor.
        organisation_id: The organisation.

    Returns:
        The conditions, for `.where(*conditions)`.
    """
    return [col(TrainingSession.organisation_id) == organisation_id, session_filter(actor, Capability.FOLLOW)]


@dataclass(frozen=True)
class TutoredCourse:
    """A course the actor follows, with the ids of its sessions they follow (latest start first)."""

    course: Course
    session_ids: list[int]
    is_staff: bool


def access_tutored_course(db: Session, actor: Actor, course_id: int) -> TutoredCourse:
    """The gate of a tutored course: the course, if the actor FOLLOWs at least one of its sessions.

    Args:
        db: Database session.
        actor: The signed-in actor.
        course_id: The course asked for.

    Returns:
        The course and the followed sessions' ids.

    Raises:
        PlumeError: NOT_FOUND for a missing course, and one with no session the actor follows, alike.
    """
    key = valid_id(course_id)
    course = db.get(Course, key) if key is not None else None
    if course is None or course.id is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    member = membership(db, actor, course.organisation_id)
    if member is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    ids = db.exec(
        select(TrainingSession.id)
        .where(TrainingSession.course_id == course.id, *followed_in(actor, course.organisation_id))
        .order_by(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc())
    ).all()
    session_ids = [i for i in ids if i is not None]
    if not session_ids:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return TutoredCourse(course=course, session_ids=session_ids, is_staff=member.is_staff)
