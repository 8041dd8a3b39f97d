"""May this person join the virtual class now: one rule for its sheet, the session page's panel and home."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session

from app.models import Activity, Module, Organisation, Slot, TrainingSession
from app.models.base import utcnow
from app.services import home
from app.services.actor import Actor
from app.services.attendance import actions, join, sheet, summaries
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer

DRAWING = "10,10 200,120 380,40|400,300 420,310"
LINK = "https://visio.example.test/classe"


@dataclass
class World:
    org: Organisation
    session: TrainingSession
    activity: Activity
    slot: Slot
    learner: Actor
    other: Actor
    trainer: Actor
    staff: Actor


def _world(db: Session, *, starts_in: timedelta = timedelta(minutes=-10), minutes: int = 60) -> World:
    org = make_org(db)
    learner, other, trainer = make_learner(db, org), make_learner(db, org), make_trainer(db, org)
    staff = make_staff(db, org)
    today = home.paris_today()
    training = make_session(
        db,
        org,
        start=today - timedelta(days=1),
        end=today + timedelta(days=1),
        trainers=(trainer,),
        learners=(learner, other),
    )
    module = Module(session_id=training.id, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    activity = Activity(
        module_id=module.id or 0,
        kind="virtual_class",
        title="Classe virtuelle : retours",
        position=0,
        settings_json=json.dumps({"link": LINK}),
    )
    db.add(activity)
    db.flush()
    start = utcnow().replace(microsecond=0) + starts_in
    slot = Slot(
        session_id=training.id or 0,
        activity_id=activity.id,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
    )
    db.add(slot)
    db.commit()
    return World(
        org=org,
        session=training,
        activity=activity,
        slot=slot,
        learner=actor_for(db, learner),
        other=actor_for(db, other),
        trainer=actor_for(db, trainer),
        staff=actor_for(db, staff),
    )


def test_after_signing_the_sheet_the_panel_and_home_offer_the_same_link(db: Session) -> None:
    w = _world(db)
    sid, aid = w.slot.id or 0, w.activity.id or 0
    # Before signing: the sheet is open on home, nothing to join anywhere.
    assert [s.slot_id for s in summaries.open_sheets(db, w.learner)] == [sid]
    assert join.joinable_now(db, w.learner) == []
    assert join.activity_join(db, w.learner, aid) == join.ActivityJoin(slot_id=sid, link="", signed=False, over=False)
    assert sheet.sheet_view(db, w.learner, sid).meeting_link == ""

    actions.sign(db, w.learner, sid, DRAWING, "k" * 12)
    # After: home drops the sheet but offers the class; the panel and the sheet give the same link.
    assert summaries.open_sheets(db, w.learner) == []
    [live] = join.joinable_now(db, w.learner)
    assert (live.slot_id, live.session_id, live.link) == (sid, w.session.id, LINK)
    assert live.activity_title == "Classe virtuelle : retours"
    assert join.activity_join(db, w.learner, aid) == join.ActivityJoin(slot_id=sid, link=LINK, signed=True, over=False)
    assert sheet.sheet_view(db, w.learner, sid).meeting_link == LINK
    # Someone who did not sign, and staff (not on the sheet), get nothing.
    assert join.joinable_now(db, w.other) == [] and join.activity_join(db, w.other, aid).link == ""
    assert join.joinable_now(db, w.staff) == [] and join.activity_join(db, w.staff, aid).link == ""


def test_the_link_is_offered_only_while_the_class_runs(db: Session) -> None:
    w = _world(db)
    sid, aid = w.slot.id or 0, w.activity.id or 0
    actions.sign(db, w.learner, sid, DRAWING, "k" * 12)
    start, end = w.slot.starts_at.replace(tzinfo=UTC), w.slot.ends_at.replace(tzinfo=UTC)
    opens = start - timedelta(minutes=w.org.signing_window_minutes)
    for moment, expected in (
        (opens - timedelta(seconds=1), ""),
        (opens, LINK),
        (start + timedelta(minutes=5), LINK),
        (end, LINK),
        (end + timedelta(seconds=1), ""),
    ):
        assert join.activity_join(db, w.learner, aid, now=moment).link == expected, moment
        assert sheet.sheet_view(db, w.learner, sid, now=moment).meeting_link == expected, moment
        assert [c.link for c in join.joinable_now(db, w.learner, now=moment)] == ([expected] if expected else [])
    assert join.activity_join(db, w.learner, aid, now=end + timedelta(minutes=1)).over


def test_a_trainer_joins_once_signed_and_other_kinds_have_nothing_to_join(db: Session) -> None:
    w = _world(db)
    sid = w.slot.id or 0
    assert join.joinable_now(db, w.trainer) == []
    actions.sign(db, w.trainer, sid, DRAWING, "t" * 12)
    assert [c.link for c in join.joinable_now(db, w.trainer)] == [LINK]
    w.activity.kind = "in_person"
    db.add(w.activity)
    db.commit()
    assert join.joinable_now(db, w.trainer) == []
    assert join.activity_join(db, w.trainer, w.activity.id or 0).slot_id == 0


def test_home_says_a_slot_in_progress_runs_until_its_end_in_paris_time(db: Session) -> None:
    w = _world(db, starts_in=timedelta(minutes=-30), minutes=90)
    end = w.slot.ends_at.replace(tzinfo=UTC)
    [card] = home.home_sections(db, w.learner).in_progress
    assert card.running_until == end.astimezone(home.PARIS).strftime("%H:%M")
    assert card.next_slot == ""  # the running slot is not "the next one"
    later = Slot(
        session_id=w.session.id or 0, starts_at=end + timedelta(hours=1), ends_at=end + timedelta(hours=2), room="B"
    )
    db.add(later)
    db.commit()
    [card] = home.home_sections(db, w.learner).in_progress
    assert card.running_until and card.next_slot.startswith(
        later.starts_at.replace(tzinfo=UTC).astimezone(home.PARIS).isoformat()[:16]
    )
    # Once it ended, the next one is the next slot again.
    [card] = home.home_sections(db, w.learner, now=end + timedelta(minutes=1)).in_progress
    assert card.running_until == ""
    assert card.next_slot != ""


def test_running_until_is_a_paris_wall_clock_time_across_daylight_saving(db: Session) -> None:
    w = _world(db)
    # 29/03/2026 10:30 UTC is 12:30 in Paris (summer time); 25/10/2026 11:30 UTC is 12:30 (winter time).
    for start, end in (
        (datetime(2026, 3, 29, 9, 0, tzinfo=UTC), datetime(2026, 3, 29, 10, 30, tzinfo=UTC)),
        (datetime(2026, 10, 25, 10, 0, tzinfo=UTC), datetime(2026, 10, 25, 11, 30, tzinfo=UTC)),
    ):
        w.slot.starts_at, w.slot.ends_at = start, end
        db.add(w.slot)
        db.commit()
        cards = home._cards(db, [w.session], now=start + timedelta(minutes=1))
        assert cards[w.session.id or 0].running_until == "12:30"
