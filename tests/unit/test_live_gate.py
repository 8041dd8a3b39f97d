"""The bulk re-check of a live push (`topics.may_follow_many`) agrees with the one-tab gate on every role and status."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from app.live.contract import (
    chat_topic,
    chat_unread_topic,
    followers_topic,
    person_topic,
    session_topic,
    slot_board_topic,
    slot_person_topic,
    slot_topic,
)
from app.models import AuthSession, Membership
from app.models.base import utcnow
from app.services import access, auth
from app.services.access import Capability
from app.services.actor import Actor
from app.services.attendance.window import slot_context
from app.services.crypto import hash_token
from app.services.errors import PlumeError
from app.services.topics import may_follow, may_follow_many
from tests.factories import make_member, make_org, make_slot, make_user
from tests.querycount import count_queries
from tests.unit.test_access import _world

MISSING = 987_654
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)
SESSION_KINDS = ("session", "chat", "chat-unread", "followers")


def _one_gate(db: Session, actor: Actor | None, topic: str) -> bool:
    """The verdict as each object's own gate gives it for one person (`access_session`, `slot_context`)."""
    if actor is None or not actor.fully_signed_in:
        return False
    kind, _, rest = topic.partition(":")
    if not rest.split(":")[0].isdigit() or kind not in (*SESSION_KINDS, "person", "attendance"):
        return False  # a name no builder makes
    try:
        if kind in SESSION_KINDS:
            role = access.access_session(db, actor, int(rest))[1]
            return role.sees_everything if kind == "followers" else True
        if kind == "person":
            return int(rest) == actor.user_id
        slot_id, _, tail = rest.partition(":")
        ctx = slot_context(db, actor, int(slot_id))
    except PlumeError:
        return False
    if tail == "board":
        return ctx.role.sees_everything
    if tail.startswith("user:"):
        return int(tail.removeprefix("user:")) == actor.user_id
    return tail == ""


def test_the_bulk_gate_agrees_with_each_tabs_gate_for_every_role_and_status(db: Session) -> None:
    w = _world(db)
    people = [*w.people.values(), None]
    learner = w.people["learner enrolled"]
    topics: list[str] = [person_topic(learner.user_id), "chat:abc", "unknown:1"]
    for number in [*(s.id or 0 for s in w.sessions.values()), MISSING]:
        topics += [session_topic(number), chat_topic(number), chat_unread_topic(number), followers_topic(number)]
    for (org, _), session in w.sessions.items():
        if org == "a":
            slot_id = make_slot(db, session).id or 0
            topics += [slot_topic(slot_id), slot_board_topic(slot_id), slot_person_topic(slot_id, learner.user_id)]
    allowed = 0
    for topic in topics:
        expected = [_one_gate(db, actor, topic) for actor in people]
        assert may_follow_many(db, people, topic) == expected, topic
        assert [may_follow(db, actor, topic) for actor in people] == expected, topic
        assert may_follow_many(db, people[::-1], topic) == expected[::-1], topic  # per actor, not per position
        allowed += sum(expected)
    assert allowed > len(topics)  # the grid holds both answers, not only refusals


def test_the_bulk_session_gate_agrees_with_access_session_for_every_capability(db: Session) -> None:
    w = _world(db)
    people = [*w.people.values(), None]
    for session in [*w.sessions.values(), None]:
        number = session.id if session is not None else MISSING
        for capability in Capability:
            roles = access.access_session_for_each(db, people, number, capability)
            for actor, role in zip(people, roles, strict=True):
                try:
                    expected = access.access_session(db, actor, number or 0, capability)[1] if actor else None
                except PlumeError:
                    expected = None
                assert role == expected, (actor.email if actor else None, number, capability)


def test_the_bulk_gate_takes_no_more_reads_for_a_room_than_for_one(db: Session) -> None:
    w = _world(db)
    everyone = [actor for actor in w.people.values() if actor.fully_signed_in]
    topic = chat_topic(w.sessions["a", "active"].id or 0)
    counts = []
    for people in (everyone[:1], everyone * 20):
        db.expire_all()
        with count_queries(db.get_bind()) as counted:
            assert any(may_follow_many(db, people, topic))
        counts.append(counted.count)
    assert counts[0] <= counts[1] <= 5, counts  # the session, the memberships, three link tables: for any room


def test_the_bulk_resolve_agrees_with_resolve_actor_on_every_kind_of_session(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    both = make_member(db, org, "learner")
    db.add(Membership(user_id=both.id or 0, organisation_id=other.id or 0, is_trainer=True))
    gone = make_member(db, org, "learner")
    people = [make_member(db, org, "trainer"), both, both, gone, make_user(db)]
    tokens = [auth.open_session(db, user).token for user in people]
    db.commit()
    rows = {row.user_id: row for row in db.exec(select(AuthSession)).all()}
    switched = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(tokens[2]))).one()
    switched.current_organisation_id = other.id  # the same person, another organisation selected
    rows[people[0].id or 0].revoked_at = utcnow()
    gone.is_active = False
    db.add_all([switched, rows[people[0].id or 0], gone])
    db.commit()
    expired = auth.open_session(db, make_member(db, org, "staff")).token
    idle = auth.open_session(db, make_member(db, org, "staff")).token
    db.commit()
    for token, late in ((expired, {"expires_at": utcnow() - timedelta(seconds=1)}), (idle, {"last_seen_at": LONG_AGO})):
        row = db.exec(select(AuthSession).where(AuthSession.token_hash == hash_token(token))).one()
        for name, value in late.items():
            setattr(row, name, value)
        db.add(row)
    db.commit()
    tabs = [(t, f"10.0.0.{n}") for n, t in enumerate([*tokens, expired, idle, "", "x" * 201, "unknown", tokens[1]])]
    expected = [auth.resolve_actor(db, token, ip=ip) for token, ip in tabs]
    assert auth.resolve_actors(db, tabs) == expected
    assert [a.organisation_id if a else None for a in expected[1:3]] == [org.id, other.id]
    # Both's two sessions (one of them twice), and the person of no organisation; the others are refused.
    assert sum(a is not None for a in expected) == 4
