"""The access gates: the Python check and the SQL filter of each capability agree; forbidden looks missing."""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import (
    Activity,
    ChatMessage,
    Course,
    Document,
    Enrolment,
    Module,
    Organisation,
    Slot,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    User,
)
from app.models.base import utcnow
from app.models.training import SESSION_STATUSES
from app.services import access
from app.services.access import Capability
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, make_member, make_org, make_session, make_user

START = date(2026, 3, 2)


@dataclasses.dataclass
class World:
    """Two organisations with one session of each status; people in every relation to org A's sessions."""

    org_a: Organisation
    org_b: Organisation
    sessions: dict[tuple[str, str], TrainingSession]  # (org "a"/"b", status) → session
    people: dict[str, Actor]


def _link(
    db: Session, table: type[TrainerPosition] | type[TutorPosition] | type[Enrolment], sid: int, uid: int
) -> None:
    db.add(table(session_id=sid, user_id=uid))


def _world(db: Session) -> World:
    org_a, org_b = make_org(db), make_org(db)
    sessions = {
        (name, status): make_session(db, org, start=START, end=START + timedelta(days=2), status=status)
        for name, org in (("a", org_a), ("b", org_b))
        for status in SESSION_STATUSES
    }
    users: dict[str, User] = {
        "staff": make_member(db, org_a, "staff"),
        "trainer positioned": make_member(db, org_a, "trainer"),
        "trainer not positioned": make_member(db, org_a, "trainer"),
        "tutor positioned": make_member(db, org_a, "tutor"),
        "tutor not positioned": make_member(db, org_a, "tutor"),
        "learner enrolled": make_member(db, org_a, "learner"),
        "learner not enrolled": make_member(db, org_a, "learner"),
        "enrolled without the learner role": make_member(db, org_a, "trainer"),
        "positioned without the trainer role": make_member(db, org_a, "learner"),
        "staff and positioned tutor": make_member(db, org_a, "staff", "tutor"),
        "staff of another org": make_member(db, org_b, "staff"),
        "learner of another org": make_member(db, org_b, "learner"),
        "no membership": make_user(db),
        "not fully signed in": make_member(db, org_a, "staff", "trainer", "learner", "tutor"),
    }
    links = {
        "trainer positioned": TrainerPosition,
        "tutor positioned": TutorPosition,
        "learner enrolled": Enrolment,
        "enrolled without the learner role": Enrolment,
        "positioned without the trainer role": TrainerPosition,
        "staff and positioned tutor": TutorPosition,
        "not fully signed in": TrainerPosition,
    }
    for (name, _), session in sessions.items():
        for who, table in links.items():
            _link(db, table, session.id or 0, users[who].id or 0)
        if name == "b":  # someone of another organisation, enrolled there
            _link(db, Enrolment, session.id or 0, users["learner of another org"].id or 0)
    # Links in org A for the people of org B: a link without a membership of the session's organisation.
    for status in SESSION_STATUSES:
        _link(db, Enrolment, sessions[("a", status)].id or 0, users["learner of another org"].id or 0)
        _link(db, TrainerPosition, sessions[("a", status)].id or 0, users["no membership"].id or 0)
    db.commit()
    people = {who: actor_for(db, user) for who, user in users.items()}
    people["not fully signed in"] = dataclasses.replace(people["not fully signed in"], mfa_pending=True)
    people["not activated"] = dataclasses.replace(people["staff"], activated=False)
    return World(org_a=org_a, org_b=org_b, sessions=sessions, people=people)


def _python(db: Session, actor: Actor, sessions: list[TrainingSession], capability: Capability) -> set[int]:
    return {s.id or 0 for s in sessions if access.session_role(db, actor, s).can(capability)}


def _gate(db: Session, actor: Actor, sessions: list[TrainingSession], capability: Capability) -> set[int]:
    allowed = set()
    for s in sessions:
        try:
            found, role = access.access_session(db, actor, s.id or 0, capability)
        except PlumeError as err:
            assert err.code == ErrorCode.NOT_FOUND
            continue
        assert found.id == s.id and role.can(capability)
        allowed.add(s.id or 0)
    return allowed


def _sql(db: Session, actor: Actor, capability: Capability) -> set[int]:
    return {i for i in db.exec(access.visible_session_ids(actor, capability)).all() if i is not None}


def test_the_check_and_the_filter_agree_for_every_role_status_organisation_and_capability(db: Session) -> None:
    w = _world(db)
    sessions = list(w.sessions.values())
    for who, actor in w.people.items():
        batch = access.session_roles(db, actor, sessions)  # the list form (open sheets) judges each session alike
        for capability in Capability:
            python, gate, sql = (
                _python(db, actor, sessions, capability),
                _gate(db, actor, sessions, capability),
                _sql(db, actor, capability),
            )
            assert python == gate, (who, capability)
            assert {i for i, role in batch.items() if role.can(capability)} == python, (who, capability)
            assert sql == python, (who, capability, sorted(sql - python), sorted(python - sql))
            filtered = db.exec(
                select(TrainingSession.id).where(access.session_filter(actor, capability), TrainingSession.id > 0)
            ).all()
            assert set(filtered) == python, (who, capability)


def _expected(w: World, org: str, statuses: tuple[str, ...] = SESSION_STATUSES) -> set[int]:
    return {w.sessions[(org, s)].id or 0 for s in statuses}


PUBLISHED = tuple(s for s in SESSION_STATUSES if s != "draft")
WRITABLE = tuple(s for s in SESSION_STATUSES if s != "archived")  # an archived session is read-only
LIVE = tuple(s for s in PUBLISHED if s in WRITABLE)


def test_the_rule_chosen(db: Session) -> None:
    """Pins the rule: who sees, follows, corrects, manages, signs and edits which session.

    An archived session is read-only for everyone: it keeps SEE, MINE and FOLLOW, loses every
    capability that writes, and only staff may take it out of the archive (RESTORE).
    """
    w = _world(db)
    every_a, published_a = _expected(w, "a"), _expected(w, "a", PUBLISHED)
    writable_a, live_a, archived_a = (
        _expected(w, "a", WRITABLE),
        _expected(w, "a", LIVE),
        _expected(w, "a", ("archived",)),
    )
    expected: dict[str, dict[Capability, set[int]]] = {
        "staff": {
            Capability.SEE: every_a,
            Capability.MINE: set(),
            Capability.FOLLOW: published_a,  # the tutoring centre lists no draft; its gate lets none in
            Capability.CORRECT: writable_a,
            Capability.MANAGE: writable_a,
            Capability.SIGN: set(),
            Capability.EDIT: writable_a,
            Capability.CONCLUDE: live_a,
            Capability.TALK: set(),
            Capability.ARCHIVE: writable_a,  # the service lets a finished session only go
            Capability.RESTORE: archived_a,
            Capability.OVERSEE: every_a,
        },
        "trainer positioned": {
            Capability.SEE: every_a,
            Capability.MINE: every_a,
            Capability.FOLLOW: set(),
            Capability.CORRECT: writable_a,
            Capability.MANAGE: writable_a,
            Capability.SIGN: writable_a,
            Capability.EDIT: set(),
            Capability.CONCLUDE: live_a,
            Capability.TALK: writable_a,
            Capability.ARCHIVE: writable_a,  # the session's own trainers archive it too
            Capability.RESTORE: set(),
            Capability.OVERSEE: every_a,
        },
        "tutor positioned": {
            Capability.SEE: every_a,
            Capability.MINE: every_a,
            Capability.FOLLOW: every_a,
            Capability.CORRECT: writable_a,
            Capability.MANAGE: set(),
            Capability.SIGN: set(),
            Capability.EDIT: set(),
            Capability.CONCLUDE: live_a,
            Capability.TALK: writable_a,
            Capability.ARCHIVE: set(),
            Capability.RESTORE: set(),
        },
        "learner enrolled": {
            Capability.SEE: published_a,
            Capability.MINE: published_a,
            Capability.FOLLOW: set(),
            Capability.CORRECT: set(),
            Capability.MANAGE: set(),
            Capability.SIGN: live_a,
            Capability.EDIT: set(),
            Capability.CONCLUDE: set(),
            Capability.TALK: live_a,
            Capability.ARCHIVE: set(),
            Capability.RESTORE: set(),
        },
        "staff and positioned tutor": {Capability.FOLLOW: every_a, Capability.MINE: every_a},
        "learner of another org": {Capability.SEE: _expected(w, "b", PUBLISHED)},
        "staff of another org": {Capability.SEE: _expected(w, "b"), Capability.FOLLOW: _expected(w, "b", PUBLISHED)},
    }
    for who in (
        "trainer not positioned",
        "tutor not positioned",
        "learner not enrolled",
        "enrolled without the learner role",
        "positioned without the trainer role",
        "no membership",
        "not fully signed in",
        "not activated",
    ):
        expected[who] = {capability: set() for capability in Capability}
    for who, by_capability in expected.items():
        for capability, ids in by_capability.items():
            assert _sql(db, w.people[who], capability) == ids, (who, capability)


def _assert_same_refusal(calls: dict[str, Callable[[], object]]) -> None:
    """Every call raises NOT_FOUND with nothing that tells a missing object from a forbidden one."""
    seen = set()
    for label, call in calls.items():
        with pytest.raises(PlumeError) as err:
            call()
        assert err.value.code == ErrorCode.NOT_FOUND, label
        seen.add((str(err.value), err.value.field, tuple(sorted(err.value.params.items()))))
    assert len(seen) == 1, seen


BAD_IDS: tuple[object, ...] = (999_999, True, "1", None, 1.0)


def _refusals(
    name: str, gate: Callable[[Actor, object], object], key: int, allowed: Actor, outsiders: list[Actor]
) -> dict[str, Callable[[], object]]:
    """Calls that must all be refused alike: bad or missing ids for a member, the real id for outsiders."""
    calls: dict[str, Callable[[], object]] = {f"{name} {bad!r}": lambda b=bad: gate(allowed, b) for bad in BAD_IDS}
    for n, outsider in enumerate(outsiders):
        calls[f"{name} as outsider {n}"] = lambda o=outsider: gate(o, key)
    return calls


def test_each_object_gate_answers_missing_and_forbidden_alike(db: Session) -> None:
    w = _world(db)
    session = w.sessions[("a", "active")]
    sid = session.id or 0
    module = Module(session_id=sid, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="in_person", title="Matin", position=0)
    db.add(activity)
    db.flush()
    slot = Slot(session_id=sid, activity_id=activity.id, starts_at=utcnow(), ends_at=utcnow() + timedelta(hours=3))
    document = Document(
        session_id=sid, module_id=module.id, name="a.pdf", stored_name="access-a", size=1, content_type="x", sha256=""
    )
    chat_file = Document(session_id=sid, name="b.pdf", stored_name="access-b", size=1, content_type="x", sha256="")
    db.add_all([slot, document, chat_file])
    db.flush()
    author = w.people["learner enrolled"].user_id
    db.add(ChatMessage(session_id=sid, author_id=author, body="", client_id="c1", document_id=chat_file.id))
    course = db.get(Course, session.course_id)
    assert course is not None
    db.commit()
    member = w.people["staff"]
    learner = w.people["learner enrolled"]

    gates: dict[str, tuple[Callable[[Actor, object], object], int, Actor]] = {
        "session": (lambda a, i: access.access_session(db, a, i), sid, learner),
        "followed session": (lambda a, i: access.access_followed_session(db, a, i), sid, member),
        "module": (lambda a, i: access.access_module(db, a, i), module.id or 0, learner),
        "activity": (lambda a, i: access.access_activity(db, a, i), activity.id or 0, learner),
        "slot": (lambda a, i: access.access_slot(db, a, i), slot.id or 0, learner),
        "room": (lambda a, i: access.access_room(db, a, i), sid, learner),
        "document": (lambda a, i: access.access_document(db, a, i), document.id or 0, learner),
        "chat file": (lambda a, i: access.access_document(db, a, i), chat_file.id or 0, learner),
        "catalogue course": (lambda a, i: access.access_course(db, a, i), course.id or 0, member),
        "course image": (lambda a, i: access.access_member_course(db, a, i), course.id or 0, learner),
        "tutored course": (lambda a, i: access.access_tutored_course(db, a, i), course.id or 0, member),
    }
    for name, (gate, key, allowed) in gates.items():
        assert gate(allowed, key) is not None, name  # the object exists and its member gets it
        outsiders = ["staff of another org", "no membership", "not fully signed in"]
        if name != "course image":  # a course's image is for every member of its organisation
            outsiders.append("learner not enrolled")
        _assert_same_refusal(_refusals(name, gate, key, allowed, [w.people[who] for who in outsiders]))

    # A chat file whose message was removed, and a deleted document, are missing to members too.
    message = db.exec(select(ChatMessage).where(ChatMessage.document_id == chat_file.id)).one()
    message.deleted_at = utcnow()
    document.deleted_at = utcnow()
    db.add_all([message, document])
    db.commit()
    _assert_same_refusal(
        {
            "removed chat file": lambda: access.access_document(db, learner, chat_file.id),
            "deleted document": lambda: access.access_document(db, learner, document.id),
            "missing document": lambda: access.access_document(db, learner, 999_999),
        }
    )


def test_a_draft_is_followed_by_its_tutor_and_not_by_staff(db: Session) -> None:
    w = _world(db)
    draft = w.sessions[("a", "draft")].id or 0
    assert access.access_followed_session(db, w.people["tutor positioned"], draft).id == draft
    _assert_same_refusal(
        {
            "staff, draft": lambda: access.access_followed_session(db, w.people["staff"], draft),
            "missing": lambda: access.access_followed_session(db, w.people["staff"], 999_999),
        }
    )
    # Staff still see and edit the draft: only following its learners waits for it to be confirmed.
    _, role = access.access_session(db, w.people["staff"], draft, Capability.EDIT)
    assert role.staff and role.edits and not role.follows


def test_the_gates_import_no_other_service() -> None:
    """Every service may use `access`, so it may use none of them: models, the actor and the errors only."""
    tree = ast.parse(Path(access.__file__).read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    ours = {name for name in imported if name.split(".")[0] in ("app", "state", "components")}
    allowed = {"app.services.actor", "app.services.errors"}
    assert {name for name in ours if not name.startswith("app.models")} <= allowed, ours


def test_an_archived_session_is_read_only_for_every_role(db: Session) -> None:
    """The roles the feature gates act on (sign as, post as, hand in as, edit as) stop at the archive; reading stays."""
    w = _world(db)
    archived = w.sessions[("a", "archived")]
    for who in ("staff", "trainer positioned", "tutor positioned", "learner enrolled"):
        role = access.session_role(db, w.people[who], archived)
        assert role.can(Capability.SEE), who
        assert not (role.staff or role.trainer or role.tutor or role.learner), who
        assert not (role.manages or role.edits or role.corrects), who
        assert not role.can(Capability.SIGN) and not role.can(Capability.TALK), who
        assert not role.can(Capability.ARCHIVE), who  # archived once; only staff take it out (RESTORE)
        assert role.sees_everything == (who != "learner enrolled"), who
    assert access.session_role(db, w.people["learner enrolled"], archived).enrolled
    room = access.access_room(db, w.people["learner enrolled"], archived.id)
    assert not room.can_post and not room.can_moderate
    finished = w.sessions[("a", "finished")]
    assert access.access_room(db, w.people["learner enrolled"], finished.id).can_post
