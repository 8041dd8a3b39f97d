import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from sqlmodel import Session

from app.live import bus
from app.live.contract import chat_unread_topic, followers_topic, person_topic, session_topic
from app.models import Activity, Module
from app.services import home, progress
from app.services.sessions.view import session_view
from state import live
from state.follow_up import FollowUpState, ProgressBarState
from state.home import HomeState
from state.missions import MissionPanelState, MissionsDeskState
from state.session_page import SessionPageState
from state.tutoring import TutoringCentreState, TutoringReportState
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer


def test_trainer_sessions_are_grouped_in_three_sections(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    trainer = make_trainer(db, org)
    today = home.paris_today()
    now = make_session(db, org, start=today - timedelta(days=1), end=today + timedelta(days=1), trainers=(trainer,))
    soon = make_session(db, org, start=today + timedelta(days=5), end=today + timedelta(days=6), trainers=(trainer,))
    done = make_session(db, org, start=today - timedelta(days=9), end=today - timedelta(days=8), trainers=(trainer,))
    make_session(
        db,
        org,
        start=today - timedelta(days=90),
        end=today - timedelta(days=89),
        trainers=(trainer,),
        availability=today - timedelta(days=1),
    )
    make_session(db, org, start=today, end=today, status="archived", trainers=(trainer,))
    make_session(db, org, start=today, end=today)
    make_session(db, other, start=today, end=today, trainers=(trainer,))
    sections = home.home_sections(db, actor_for(db, trainer))
    assert [c.id for c in sections.in_progress] == [now.id]
    assert [c.id for c in sections.upcoming] == [soon.id]
    assert [c.id for c in sections.finished] == [done.id]


def test_learners_see_only_their_enrolled_active_sessions(db: Session) -> None:
    org = make_org(db)
    learner = make_learner(db, org)
    today = home.paris_today()
    mine = make_session(db, org, start=today, end=today, learners=(learner,))
    make_session(db, org, start=today, end=today, learners=(learner,), status="draft")
    make_session(db, org, start=today, end=today)
    sections = home.home_sections(db, actor_for(db, learner))
    assert [c.id for c in sections.in_progress] == [mine.id]
    assert sections.in_progress[0].learners == 1


def test_staff_dashboard_counts_its_organisation_only(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    staff = make_staff(db, org)
    make_learner(db, org)
    make_learner(db, other)
    today = home.paris_today()
    make_session(db, org, start=today, end=today)
    make_session(db, other, start=today, end=today)
    board = home.staff_dashboard(db, actor_for(db, staff))
    assert (board.sessions_in_progress, board.learners, len(board.sessions)) == (1, 1, 1)


def _a_worker_app(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A worker's app reduced to what a push touches: which tabs' states it locks (wakes) is what counts.

    Returns:
        The tabs woken (each `_progress_of` starts it afresh).
    """
    woken: list[str] = []

    async def no_page(state_cls: Any) -> object:
        return object()  # not a LiveState: nothing to refresh

    @contextlib.asynccontextmanager
    async def modify_state(token: Any) -> AsyncIterator[Any]:
        woken.append(token.ident)
        yield SimpleNamespace(get_state=no_page)

    async def connected(token: str) -> bool:
        return True

    async def may_follow(root: Any, topic: str) -> tuple[None, bool]:
        return None, True

    app = SimpleNamespace(
        event_namespace=SimpleNamespace(_token_manager=SimpleNamespace(is_token_connected=connected)),
        modify_state=modify_state,
    )
    monkeypatch.setattr(live.RegistrationContext, "get", lambda: SimpleNamespace(app=app))
    monkeypatch.setattr(live, "_tab_may_follow", may_follow)
    return woken


async def _progress_of(
    db: Session, woken: list[str], activity: Activity, sid: int, user_id: int
) -> tuple[set[str], set[str]]:
    """A learner finishes an activity: the tabs woken, and the topics it was announced on."""
    published: list[tuple[str, dict[str, Any]]] = []

    def dispatcher(topic: str, wire: dict[str, Any]) -> None:
        published.append((topic, wire))

    bus.install(dispatcher)
    try:
        progress.finished(db, activity, user_id, sid)
        db.commit()
    finally:
        bus.uninstall(dispatcher)
    woken.clear()
    for topic, wire in published:
        await live._push(topic, wire)
    return set(woken), {topic for topic, _ in published}


def _a_reading(db: Session, **people: Any) -> tuple[int, Activity]:
    """A session under way (its trainers, learners) with one document to read."""
    today = home.paris_today()
    session = make_session(db, people.pop("org"), start=today, end=today + timedelta(days=1), **people)
    module = Module(session_id=session.id, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    reading = Activity(module_id=module.id or 0, kind="document", title="Programme", position=0)
    db.add(reading)
    db.commit()
    return session.id or 0, reading


async def test_a_learners_home_tab_wakes_for_their_own_progress_only(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:

    org = make_org(db)
    me, classmate = make_learner(db, org), make_learner(db, org)
    sid, reading = _a_reading(db, org=org, learners=(me, classmate))
    mine, theirs = me.id or 0, classmate.id or 0
    woken = _a_worker_app(monkeypatch)
    try:
        for tab, user in (("my-home", mine), ("their-home", theirs)):
            # What HomeState follows for a learner of a session under way.
            live.subscribe(tab, (chat_unread_topic(sid), session_topic(sid), person_topic(user)), HomeState)
        live.subscribe("follow-up", (session_topic(sid), followers_topic(sid)), FollowUpState)
        tabs, topics = await _progress_of(db, woken, reading, sid, theirs)
        assert tabs == {"follow-up", "their-home"}  # my home slept through it
        assert topics == {followers_topic(sid), person_topic(theirs)}  # the session's own topic carries none
        assert (await _progress_of(db, woken, reading, sid, mine))[0] == {"follow-up", "my-home"}
    finally:
        for tab in ("my-home", "their-home", "follow-up"):
            live.unsubscribe(tab)


async def test_a_learners_session_page_wakes_for_their_own_progress_only(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:

    org = make_org(db)
    me, classmate, trainer = make_learner(db, org), make_learner(db, org), make_trainer(db, org)
    sid, reading = _a_reading(db, org=org, learners=(me, classmate), trainers=(trainer,))
    mine, theirs = me.id or 0, classmate.id or 0
    # What the session page's load follows: the followers' topic for those who see everyone, else one's own.
    assert session_view(db, actor_for(db, trainer), sid).sees_everything
    assert not session_view(db, actor_for(db, me), sid).sees_everything
    woken = _a_worker_app(monkeypatch)
    learner_panels = (SessionPageState, ProgressBarState, MissionPanelState)
    tabs: dict[str, tuple[tuple[str, ...], tuple[type[Any], ...]]] = {
        "my-page": ((session_topic(sid), person_topic(mine)), learner_panels),
        "their-page": ((session_topic(sid), person_topic(theirs)), learner_panels),
        "trainer-page": ((session_topic(sid), followers_topic(sid)), (SessionPageState,)),
        "follow-up": ((session_topic(sid), followers_topic(sid)), (FollowUpState,)),
        "desk": ((session_topic(sid), followers_topic(sid)), (MissionsDeskState,)),
        "centre": ((session_topic(sid), followers_topic(sid)), (TutoringCentreState,)),
        "report": ((session_topic(sid), followers_topic(sid)), (TutoringReportState,)),
    }
    try:
        for tab, (topics, states) in tabs.items():
            live.subscribe(tab, topics, states[0])
            for panel in states[1:]:
                live.add(tab, topics, panel)
        followers = {"trainer-page", "follow-up", "desk", "centre", "report"}
        assert (await _progress_of(db, woken, reading, sid, theirs))[0] == {"their-page", *followers}
        assert (await _progress_of(db, woken, reading, sid, mine))[0] == {"my-page", *followers}
    finally:
        for tab in tabs:
            live.unsubscribe(tab)
