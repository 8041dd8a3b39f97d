"""Unavailabilities (days or hours, weekly or not, across DST) and the conflicts of an agenda across organisations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from app.models import Activity, Membership, Module, Slot, TrainingSession, User
from app.services import agenda, agenda_view, unavailability
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, make_org, make_session, make_trainer

DAY = date(2026, 12, 7)  # a Monday


def _busy(db: Session, user: User, starts: datetime, ends: datetime) -> list[tuple[str, str]]:
    return [
        (b.starts_at.isoformat(), b.ends_at.isoformat())
        for b in unavailability.busy_between(db, user.id or 0, starts=starts, ends=ends)
    ]


def test_whole_days_cover_paris_days_on_both_sides_of_a_dst_switch(db: Session) -> None:
    trainer = make_trainer(db, make_org(db))
    actor = actor_for(db, trainer)
    # Paris goes from UTC+2 to UTC+1 in the night of 24 to 25 October 2026.
    unavailability.add_unavailability(db, actor, first_day="24/10/2026", last_day="2026-10-25", note="Congés")
    assert _busy(db, trainer, datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 10, 30, tzinfo=UTC)) == [
        ("2026-10-23T22:00:00+00:00", "2026-10-24T22:00:00+00:00"),
        ("2026-10-24T22:00:00+00:00", "2026-10-25T23:00:00+00:00"),  # a 25-hour day
    ]


def test_weekly_hours_repeat_until_their_last_week(db: Session) -> None:
    trainer = make_trainer(db, make_org(db))
    actor = actor_for(db, trainer)
    unavailability.add_unavailability(
        db, actor, first_day=DAY.isoformat(), start="14:00", end="18:00", weekly_until="2026-12-21"
    )
    busy = _busy(db, trainer, datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 31, tzinfo=UTC))
    assert busy == [
        ("2026-12-07T13:00:00+00:00", "2026-12-07T17:00:00+00:00"),
        ("2026-12-14T13:00:00+00:00", "2026-12-14T17:00:00+00:00"),
        ("2026-12-21T13:00:00+00:00", "2026-12-21T17:00:00+00:00"),
    ]
    rows = unavailability.my_unavailabilities(db, actor, today=DAY)
    assert [(r.start, r.end, r.weekly_until) for r in rows] == [("14:00", "18:00", date(2026, 12, 21))]
    assert unavailability.my_unavailabilities(db, actor, today=date(2026, 12, 22)) == []


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"first_day": "32/12/2026"}, ErrorCode.DATE_INVALID, "first_day"),
        ({"first_day": "2026-12-08", "last_day": "2026-12-07"}, ErrorCode.DATES_ORDER, "last_day"),
        ({"first_day": "2026-12-07", "start": "9h", "end": "12:00"}, ErrorCode.TIME_INVALID, "start"),
        ({"first_day": "2026-12-07", "start": "12:00", "end": "09:00"}, ErrorCode.TIME_ORDER, "end"),
        ({"first_day": "2026-12-07", "last_day": "2028-01-01"}, ErrorCode.NUMBER_RANGE, "last_day"),
        ({"first_day": "2026-12-07", "last_day": "2026-12-20", "weekly_until": "2027-01-31"},
         ErrorCode.NUMBER_RANGE, "weekly_until"),
        ({"first_day": "2026-12-07", "weekly_until": "2026-12-01"}, ErrorCode.DATES_ORDER, "weekly_until"),
        ({"first_day": "2026-12-07", "weekly_until": "2030-01-01"}, ErrorCode.NUMBER_RANGE, "weekly_until"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_with_its_field_and_nothing_saved(
    db: Session, fields: dict[str, str], code: ErrorCode, field: str
) -> None:
    trainer = make_trainer(db, make_org(db))
    actor = actor_for(db, trainer)
    with pytest.raises(PlumeError) as refused:
        unavailability.add_unavailability(db, actor, **fields)
    assert (refused.value.code, refused.value.field) == (code, field)
    db.rollback()
    assert unavailability.my_unavailabilities(db, actor, today=date(2026, 1, 1)) == []


def test_only_its_owner_removes_an_unavailability(db: Session) -> None:
    org = make_org(db)
    owner, other = make_trainer(db, org), make_trainer(db, org)
    row = unavailability.add_unavailability(db, actor_for(db, owner), first_day=DAY.isoformat())
    for forged in (row.id, str(row.id), None, "x", -1, 2**70):
        with pytest.raises(PlumeError):
            unavailability.remove_unavailability(db, actor_for(db, other), forged)
    unavailability.remove_unavailability(db, actor_for(db, owner), row.id)
    assert unavailability.my_unavailabilities(db, actor_for(db, owner), today=DAY) == []


def _slot(db: Session, training: TrainingSession, starts: datetime, hours: int = 3) -> Slot:
    module = Module(session_id=training.id, title="Jour", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="in_person", title="Atelier")
    db.add(activity)
    db.flush()
    slot = Slot(session_id=training.id or 0, activity_id=activity.id, starts_at=starts,
                ends_at=starts + timedelta(hours=hours))  # fmt: skip
    db.add(slot)
    db.commit()
    return slot


def test_conflicts_across_organisations_and_with_unavailabilities(db: Session) -> None:
    first, second = make_org(db), make_org(db)
    trainer = make_trainer(db, first)
    db.add(Membership(user_id=trainer.id or 0, organisation_id=second.id or 0, is_trainer=True))
    db.commit()
    here = make_session(db, first, start=DAY, end=DAY, trainers=(trainer,))
    there = make_session(db, second, start=DAY, end=DAY, trainers=(trainer,))
    morning = _slot(db, here, datetime(2026, 12, 7, 8, tzinfo=UTC))  # 09:00–12:00 Paris
    overlapping = _slot(db, there, datetime(2026, 12, 7, 10, tzinfo=UTC))  # 11:00–14:00 Paris
    afternoon = _slot(db, here, datetime(2026, 12, 7, 13, tzinfo=UTC))  # 14:00–17:00 Paris, touches no other
    _slot(db, here, datetime(2026, 12, 8, 8, tzinfo=UTC))  # the next day, free
    unavailability.add_unavailability(db, actor_for(db, trainer), first_day=DAY.isoformat(), start="16:30",
                                      end="18:00")  # fmt: skip
    week = (datetime(2026, 12, 6, 23, tzinfo=UTC), datetime(2026, 12, 13, 23, tzinfo=UTC))
    slots = agenda.person_slots(db, trainer.id or 0, starts=week[0], ends=week[1])
    busy = unavailability.busy_between(db, trainer.id or 0, starts=week[0], ends=week[1])
    found = unavailability.conflicts(slots, busy)
    assert [(c.slot_id, c.other_slot_id, c.across_organisations) for c in found if c.other_slot_id] == [
        (morning.id, overlapping.id, True)
    ]
    assert [(c.slot_id, c.unavailability_id is not None) for c in found if c.other_slot_id is None] == [
        (afternoon.id, True)
    ]


def test_the_week_view_marks_conflicts_and_shows_unavailabilities(db: Session) -> None:
    org = make_org(db)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=DAY, end=DAY, trainers=(trainer,))
    slot = _slot(db, training, datetime(2026, 12, 8, 8, tzinfo=UTC))  # Tuesday 09:00–12:00 Paris
    actor = actor_for(db, trainer)
    unavailability.add_unavailability(db, actor, first_day="2026-12-08", note="Congé")
    unavailability.add_unavailability(db, actor, first_day="2026-12-10", start="14:00", end="16:00")
    view = agenda_view.week_view(db, trainer.id or 0, DAY, today=DAY)
    busy = {d.iso: [(b.time_range, b.note) for b in d.busy] for d in view.days if d.busy}
    assert busy == {"2026-12-08": [("", "Congé")], "2026-12-10": [("14:00–16:00", "")]}
    (row,) = view.conflicts
    assert (row.slot_id, row.with_unavailability, row.other_title, row.day) == (slot.id, True, "(Congé)", "08/12")
    assert [e.conflict for d in view.days for e in d.slots] == [True]
    lines = [unavailability.describe(r, "fr").label for r in unavailability.my_unavailabilities(db, actor, today=DAY)]
    assert lines == ["Le 08/12/2026", "Le 10/12/2026, 14:00–16:00"]
    weekly = unavailability.add_unavailability(
        db, actor, first_day="2026-12-14", last_day="2026-12-15", weekly_until="2027-01-26", start="08:00", end="10:00"
    )
    (line,) = [unavailability.describe(r, "fr") for r in unavailability.my_unavailabilities(db, actor, today=DAY)
               if r.id == weekly.id]  # fmt: skip
    assert line.label == "Chaque lundi–mardi du 14/12/2026 au 26/01/2027, 08:00–10:00"


def test_next_slots_list_the_coming_ones_across_organisations(db: Session) -> None:
    first, second = make_org(db, "Alpha"), make_org(db, "Beta")
    trainer = make_trainer(db, first)
    db.add(Membership(user_id=trainer.id or 0, organisation_id=second.id or 0, is_trainer=True))
    db.commit()
    here = make_session(db, first, start=DAY, end=DAY, trainers=(trainer,))
    there = make_session(db, second, start=DAY, end=DAY, trainers=(trainer,))
    _slot(db, here, datetime(2026, 12, 7, 8, tzinfo=UTC))  # over by then
    later = _slot(db, there, datetime(2026, 12, 9, 13, tzinfo=UTC))
    sooner = _slot(db, here, datetime(2026, 12, 8, 8, tzinfo=UTC))
    found = agenda_view.next_slots(db, trainer.id or 0, now=datetime(2026, 12, 7, 12, tzinfo=UTC))
    assert [(n.slot_id, n.day, n.time_range, n.organisation_name) for n in found] == [
        (sooner.id, "08/12", "09:00–12:00", "Alpha"),
        (later.id, "09/12", "14:00–17:00", "Beta"),
    ]
