"""The agenda page's week and month: Paris days (across daylight-saving switches), the month grid, colours."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlmodel import Session

from app.clock import paris_instant
from app.models import Activity, Membership, Module, Slot, TrainingSession, User
from app.services import agenda_view
from tests.factories import make_learner, make_org, make_session, make_trainer

DAY = date(2026, 10, 19)


def _slot(
    db: Session,
    training: TrainingSession,
    starts: datetime,
    *,
    hours: float = 3,
    kind: str = "in_person",
    room: str = "",
) -> Slot:
    module = Module(session_id=training.id, title="Jour", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind=kind, title="Atelier")
    db.add(activity)
    db.flush()
    slot = Slot(
        session_id=training.id or 0,
        activity_id=activity.id,
        starts_at=starts,
        ends_at=starts + timedelta(hours=hours),
        room=room,
    )
    db.add(slot)
    db.commit()
    return slot


def _join(db: Session, user: User, org_id: int) -> None:
    db.add(Membership(user_id=user.id or 0, organisation_id=org_id, is_trainer=True))
    db.commit()


def _entries(view: agenda_view.AgendaView) -> dict[str, list[str]]:
    return {d.iso: [e.time_range for e in d.slots] for d in view.days if d.slots}


def test_a_slot_at_nine_in_paris_shows_at_nine_on_both_sides_of_the_autumn_switch(db: Session) -> None:
    org = make_org(db)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=DAY, end=DAY + timedelta(days=14), trainers=(trainer,))
    # Summer time until Sunday 25 October 2026 (09:00 Paris = 07:00 UTC), winter time after (08:00 UTC).
    for day in (date(2026, 10, 23), date(2026, 10, 26)):
        _slot(db, training, paris_instant(day, time(9, 0)), hours=3.5)
    before = agenda_view.week_view(db, trainer.id or 0, date(2026, 10, 19), today=date(2026, 10, 21))
    after = agenda_view.week_view(
        db, trainer.id or 0, date(2026, 10, 28), today=date(2026, 10, 21)
    )  # any day: its Monday
    assert _entries(before) == {"2026-10-23": ["09:00–12:30"]}
    assert _entries(after) == {"2026-10-26": ["09:00–12:30"]}
    assert after.days[0].iso == "2026-10-26"
    assert [d.weekday for d in after.days] == [1, 2, 3, 4, 5, 6, 7]
    assert [d.is_today for d in before.days] == [False, False, True, False, False, False, False]


def test_a_week_runs_from_paris_midnight_to_paris_midnight_across_the_spring_switch(db: Session) -> None:
    org = make_org(db)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=date(2027, 3, 20), end=date(2027, 4, 5), trainers=(trainer,))
    # Sunday 28 March 2027 is 23 hours long: the week of the 22nd ends at Paris midnight (22:00 UTC on the 28th).
    late_sunday = _slot(db, training, paris_instant(date(2027, 3, 28), time(22, 30)), hours=1)
    early_monday = _slot(db, training, paris_instant(date(2027, 3, 29), time(0, 30)), hours=1)
    first = agenda_view.week_view(db, trainer.id or 0, date(2027, 3, 22), today=DAY)
    second = agenda_view.week_view(db, trainer.id or 0, date(2027, 3, 29), today=DAY)
    assert _entries(first) == {"2027-03-28": ["22:30–23:30"]}
    assert _entries(second) == {"2027-03-29": ["00:30–01:30"]}
    assert [e.slot_id for d in first.days for e in d.slots] == [late_sunday.id]
    assert [e.slot_id for d in second.days for e in d.slots] == [early_monday.id]


def test_a_slot_shows_on_its_one_day_and_one_past_midnight_on_both(db: Session) -> None:
    org = make_org(db)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=DAY, end=DAY + timedelta(days=6), trainers=(trainer,))
    _slot(db, training, paris_instant(date(2026, 10, 20), time(13, 30)), hours=4)
    _slot(db, training, paris_instant(date(2026, 10, 21), time(22, 0)), hours=3)  # an evening into the night
    view = agenda_view.week_view(db, trainer.id or 0, DAY, today=DAY)
    assert _entries(view) == {
        "2026-10-20": ["13:30–17:30"],
        "2026-10-21": ["22:00–01:00"],
        "2026-10-22": ["22:00–01:00"],
    }
    assert view.count == 2


def test_the_month_grid_is_whole_weeks_from_monday_and_lists_three_slots_a_day(db: Session) -> None:
    org = make_org(db)
    trainer = make_trainer(db, org)
    training = make_session(db, org, start=date(2026, 12, 1), end=date(2027, 1, 3), trainers=(trainer,))
    for hour in (8, 10, 13, 15, 17):
        _slot(db, training, paris_instant(date(2026, 12, 9), time(hour, 0)), hours=1)
    _slot(db, training, paris_instant(date(2026, 11, 30), time(9, 0)))  # November, in December's first week
    view = agenda_view.month_view(db, trainer.id or 0, date(2026, 12, 17), today=date(2026, 12, 9))
    # December 2026 starts on a Tuesday and ends on a Thursday: Monday 30 November to Sunday 3 January.
    assert view.days[0].iso == "2026-11-30"
    assert view.days[-1].iso == "2027-01-03"
    assert len(view.days) == 35
    assert all(d.weekday == (i % 7) + 1 for i, d in enumerate(view.days))
    assert [d.in_period for d in view.days[:3]] == [False, True, True]
    assert not view.days[-1].in_period
    assert (view.first, view.last) == (date(2026, 12, 1), date(2026, 12, 31))
    ninth = next(d for d in view.days if d.iso == "2026-12-09")
    assert ninth.is_today
    assert [e.starts for e in ninth.slots] == ["08:00", "10:00", "13:00", "15:00", "17:00"]
    assert ninth.more == 2
    assert view.count == 5  # the slot of 30 November is drawn in the grid, not counted in December
    assert [len(d.slots) for d in view.days if d.iso == "2026-11-30"] == [1]
    assert (
        agenda_view.week_view(db, trainer.id or 0, date(2026, 12, 7), today=DAY).days[2].more == 0
    )  # a week lists all


def test_colours_follow_the_organisation_not_the_week(db: Session) -> None:
    first, second, third = make_org(db, "Alpha"), make_org(db, "Beta"), make_org(db, "Gamma")
    trainer = make_trainer(db, first)
    _join(db, trainer, second.id or 0)
    _join(db, trainer, third.id or 0)
    in_third = make_session(db, third, start=DAY, end=DAY + timedelta(days=14), trainers=(trainer,))
    in_first = make_session(db, first, start=DAY, end=DAY + timedelta(days=14), trainers=(trainer,))
    _slot(db, in_third, paris_instant(date(2026, 10, 20), time(9, 0)), room="Salle Lumière")
    _slot(db, in_first, paris_instant(date(2026, 10, 27), time(9, 0)))
    one = agenda_view.week_view(db, trainer.id or 0, DAY, today=DAY)
    two = agenda_view.week_view(db, trainer.id or 0, DAY + timedelta(days=7), today=DAY)
    [gamma] = [e for d in one.days for e in d.slots]
    [alpha] = [e for d in two.days for e in d.slots]
    assert (gamma.organisation_name, gamma.colour) == ("Gamma", 2)  # third of the person's organisations by id
    assert (alpha.organisation_name, alpha.colour) == ("Alpha", 0)
    assert [(o.name, o.colour) for o in one.organisations] == [("Alpha", 0), ("Beta", 1), ("Gamma", 2)]
    assert one.organisations == two.organisations
    assert gamma.where == "Salle Lumière"
    assert gamma.link == f"/sessions/{in_third.id}"
    assert gamma.attendance_link == f"/emargement/{gamma.slot_id}"
    assert one.session_ids == [in_third.id]


def test_an_activity_without_a_sheet_has_no_attendance_link_and_learners_get_their_agenda(db: Session) -> None:
    org = make_org(db)
    learner = make_learner(db, org)
    training = make_session(db, org, start=DAY, end=DAY + timedelta(days=6), learners=(learner,))
    _slot(db, training, paris_instant(date(2026, 10, 21), time(14, 0)), kind="quiz")
    [entry] = [e for d in agenda_view.week_view(db, learner.id or 0, DAY, today=DAY).days for e in d.slots]
    assert entry.attendance_link == ""
    assert entry.where == training.place
