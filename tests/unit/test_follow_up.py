"""Following participation: monitored activities, the learner's progress bar, the follow-up table, messages."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlmodel import Session, select

from app.models import (
    Activity,
    ActivityCompletion,
    AuditRecord,
    Enrolment,
    Module,
    MonitoredActivity,
    Notification,
    OutboxEmail,
)
from app.services import follow_up, home
from app.services.errors import ErrorCode, PlumeError
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)
from tests.querycount import count_queries

START = date(2026, 11, 2)
NOW = datetime.fromisoformat("2026-11-10T09:00:00+00:00")  # Paris: 10/11/2026


@pytest.fixture
def world(db: Session) -> dict:
    org = make_org(db)
    staff, trainer, other_trainer = make_staff(db, org), make_trainer(db, org), make_trainer(db, org)
    learners = [make_learner(db, org, first_name=f"L{i}", last_name=n) for i, n in enumerate(("Bon", "Alpha", "Cid"))]
    tutor = make_member(db, org, "tutor")
    training = make_session(db, org, start=START, end=date(2026, 12, 20), trainers=(trainer,), learners=tuple(learners))
    other = make_session(db, org, start=START, end=date(2026, 12, 20), trainers=(other_trainer,))
    assign_tutor(db, training, tutor)
    module = Module(session_id=training.id, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    acts = [Activity(module_id=module.id or 0, kind="document", title=f"A{i}", position=i) for i in range(4)]
    db.add_all(acts)
    db.commit()
    return {
        "org": org,
        "staff": staff,
        "trainer": trainer,
        "other_trainer": other_trainer,
        "tutor": tutor,
        "learners": learners,
        "training": training,
        "other": other,
        "acts": acts,
    }


def _monitor(db: Session, w: dict, index: int, day: str, required: bool = False) -> None:
    actor = actor_for(db, w["trainer"])
    follow_up.set_monitoring(db, actor, w["acts"][index].id, monitored=True, expected_on=day, required=required)
    db.commit()


def test_trainers_and_staff_monitor_with_a_paris_day_others_cannot(db: Session, world: dict) -> None:
    w = world
    act = w["acts"][0]
    got = follow_up.set_monitoring(
        db, actor_for(db, w["staff"]), act.id, monitored=True, expected_on="12/11/2026", required=True
    )
    db.commit()
    assert got == follow_up.Monitoring(True, "2026-11-12", True)
    assert follow_up.monitoring(db, actor_for(db, w["trainer"]), act.id) == got
    row = db.exec(select(MonitoredActivity)).one()
    assert (row.session_id, row.expected_on, row.required) == (w["training"].id, date(2026, 11, 12), True)
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "follow_up.monitoring")).first() is not None
    # A learner, a tutor, a trainer of another session: the activity looks missing.
    for user in (w["learners"][0], w["tutor"], w["other_trainer"]):
        with pytest.raises(PlumeError) as err:
            follow_up.set_monitoring(db, actor_for(db, user), act.id, monitored=False)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as bad:
        follow_up.set_monitoring(db, actor_for(db, w["trainer"]), act.id, monitored=True, expected_on="31/02/2026")
    assert (bad.value.code, bad.value.field) == (ErrorCode.DATE_INVALID, "expected_on")
    with pytest.raises(PlumeError) as missing:
        follow_up.set_monitoring(db, actor_for(db, w["trainer"]), act.id, monitored=True, expected_on="")
    assert missing.value.field == "expected_on"
    follow_up.set_monitoring(db, actor_for(db, w["trainer"]), act.id, monitored=False)
    db.commit()
    assert db.exec(select(MonitoredActivity)).first() is None


def test_segment_states() -> None:
    today = date(2026, 11, 10)
    assert follow_up.segment_state(date(2026, 11, 1), True, today) == "done"
    assert follow_up.segment_state(date(2026, 11, 9), False, today) == "overdue"
    assert follow_up.segment_state(date(2026, 11, 10), False, today) == "soon"
    assert follow_up.segment_state(date(2026, 11, 13), False, today) == "soon"
    assert follow_up.segment_state(date(2026, 11, 14), False, today) == "todo"


def test_the_learner_sees_their_own_bar_on_the_session_and_home(db: Session, world: dict) -> None:
    w = world
    _monitor(db, w, 0, "2026-11-05")
    _monitor(db, w, 1, "2026-11-08")
    _monitor(db, w, 2, "2026-11-12", required=True)
    _monitor(db, w, 3, "2026-11-30")
    learner = w["learners"][0]
    db.add(ActivityCompletion(activity_id=w["acts"][0].id or 0, user_id=learner.id or 0))
    db.commit()
    bar = follow_up.progress_bar(db, actor_for(db, learner), w["training"].id, now=NOW)
    assert [(s.title, s.state, s.expected_on) for s in bar] == [
        ("A0", "done", "05/11/2026"),
        ("A1", "overdue", "08/11/2026"),
        ("A2", "soon", "12/11/2026"),
        ("A3", "todo", "30/11/2026"),
    ]
    assert bar[2].required
    # Only learners have a bar; the trainer sees none, and a stranger is refused.
    assert follow_up.progress_bar(db, actor_for(db, w["trainer"]), w["training"].id, now=NOW) == []
    with pytest.raises(PlumeError):
        follow_up.progress_bar(db, actor_for(db, w["other_trainer"]), w["training"].id)
    cards = home.home_sections(db, actor_for(db, learner), now=NOW)
    card = next(c for c in cards.in_progress if c.id == w["training"].id)
    assert [s.state for s in card.segments] == ["done", "overdue", "soon", "todo"]


def test_follow_up_table_pages_sorts_and_ticks(db: Session, world: dict) -> None:
    w = world
    _monitor(db, w, 0, "2026-11-05")
    _monitor(db, w, 1, "2026-11-08")
    bon, _, cid = w["learners"]
    for user, acts in ((bon, [0]), (cid, [0, 1])):
        for i in acts:
            db.add(ActivityCompletion(activity_id=w["acts"][i].id or 0, user_id=user.id or 0))
    db.commit()
    sid = w["training"].id
    for user in (w["trainer"], w["tutor"], w["staff"]):
        table = follow_up.table(db, actor_for(db, user), sid, sort="name", page=1, page_size=10)
        assert [c.title for c in table.columns] == ["A0", "A1"]
        assert table.total == 3
    by_name = follow_up.table(db, actor_for(db, w["tutor"]), sid, sort="name", page=1, page_size=10)
    assert [r.last_name for r in by_name.rows] == ["Alpha", "Bon", "Cid"]
    assert [(r.ticks, r.percent) for r in by_name.rows] == [
        ([False, False], 0),
        ([True, False], 50),
        ([True, True], 100),
    ]
    by_progress = follow_up.table(db, actor_for(db, w["tutor"]), sid, sort="progress", descending=True, page_size=10)
    assert [r.last_name for r in by_progress.rows] == ["Cid", "Bon", "Alpha"]
    paged = follow_up.table(db, actor_for(db, w["tutor"]), sid, page=2, page_size=10)
    assert paged.page == 1  # past the end: the last page
    connected = follow_up.table(db, actor_for(db, w["tutor"]), sid, sort="last_connection", descending=True)
    assert [r.last_connection != "" for r in connected.rows] == [False, False, False]
    assert follow_up.rows_for(db, actor_for(db, w["trainer"]), sid, [cid.id or 0])[0].ticks == [True, True]
    for user in (w["learners"][0], w["other_trainer"]):
        with pytest.raises(PlumeError) as err:
            follow_up.table(db, actor_for(db, user), sid)
        assert err.value.code == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as bad:
        follow_up.table(db, actor_for(db, w["tutor"]), sid, sort="email")
    assert bad.value.code == ErrorCode.INVALID_INPUT


def test_message_to_selected_participants(db: Session, world: dict) -> None:
    w = world
    sid = w["training"].id
    bon, alpha, _ = w["learners"]
    actor = actor_for(db, w["trainer"])
    with pytest.raises(PlumeError) as err:
        follow_up.message_participants(db, actor, sid, {bon.id or 0}, subject=" ", text="x")
    assert (err.value.code, err.value.field) == (ErrorCode.SUBJECT_REQUIRED, "subject")
    with pytest.raises(PlumeError) as empty:
        follow_up.message_participants(db, actor, sid, {bon.id or 0}, subject="Rappel", text="")
    assert empty.value.field == "text"
    stranger = w["other_trainer"].id or 0  # not a learner of the session: never reached
    sent = follow_up.message_participants(
        db, actor, sid, {bon.id or 0, alpha.id or 0, stranger}, subject="Rappel", text="Pensez au module 2."
    )
    db.commit()
    assert sent == 2
    mails = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "participants_message")).all()
    assert sorted(m.to for m in mails) == sorted([bon.email, alpha.email])
    assert all(m.subject == "Rappel" and "Pensez au module 2." in m.body for m in mails)
    notes = db.exec(select(Notification).where(Notification.kind == "participants_message")).all()
    assert sorted(n.user_id for n in notes) == sorted([bon.id, alpha.id])
    with pytest.raises(PlumeError):
        follow_up.message_participants(db, actor_for(db, bon), sid, {alpha.id or 0}, subject="Spam", text="Spam")


def test_the_table_reads_a_fixed_number_of_queries_whatever_the_learners(db: Session, world: dict) -> None:
    w = world
    for i in range(4):
        _monitor(db, w, i, f"2026-11-0{i + 3}")
    actor = actor_for(db, w["tutor"])
    engine = db.get_bind()

    def count(extra: int) -> int:
        org = w["org"]
        for n in range(extra):
            learner = make_learner(db, org)
            db.add(Enrolment(session_id=w["training"].id or 0, user_id=learner.id or 0))
            db.add(ActivityCompletion(activity_id=w["acts"][n % 4].id or 0, user_id=learner.id or 0))
        db.commit()
        with Session(engine) as fresh, count_queries(engine) as counted:  # type: ignore[arg-type]
            follow_up.table(fresh, actor, w["training"].id, sort="progress", page_size=100)
        return counted.count

    small, large = count(0), count(60)
    assert large <= small <= 12
