"""Planning rules: public and school holidays across years and regions, business hours across DST, remote work."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from app.models import Activity, Enrolment, Module, Organisation, Slot
from app.services import orgs, planning_rules, timeline
from app.services.errors import ErrorCode, PlumeError
from app.services.planning_rules import Rules
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff

METRO, ZONE_A = Rules(), Rules(school_zone="A")


def _codes(rules: Rules, starts: datetime, hours: float = 3) -> list[str]:
    return [w.code for w in planning_rules.slot_warnings(rules, starts, starts + timedelta(hours=hours))]


@pytest.mark.parametrize(
    ("day", "region", "name"),
    [
        (date(2026, 12, 25), "", "Noël"),
        (date(2027, 3, 29), "", "Lundi de Pâques"),  # moves every year
        (date(2028, 4, 17), "", "Lundi de Pâques"),
        (date(2027, 5, 6), "", "Ascension"),
        (date(2026, 12, 26), "", ""),  # a working day in Paris
        (date(2026, 12, 26), "6AE", "Saint-Étienne"),  # Alsace and Moselle keep it
        (date(2026, 12, 26), "57", "Saint-Étienne"),
        (date(2027, 3, 26), "57", "Vendredi saint"),
        (date(2027, 5, 27), "971", "Abolition de l'esclavage"),  # Guadeloupe
    ],
)
def test_public_holidays_by_region_and_year(day: date, region: str, name: str) -> None:
    assert planning_rules.public_holiday(Rules(region=region), day) == name


def test_school_holidays_follow_the_zone() -> None:
    # Winter 2027: zone C is off from 6 February, zone A from 13 February, zone B from 20 February.
    assert planning_rules.school_holiday(Rules(school_zone="C"), date(2027, 2, 8)) == "Vacances d'hiver"
    assert planning_rules.school_holiday(Rules(school_zone="A"), date(2027, 2, 8)) == ""
    assert planning_rules.school_holiday(Rules(school_zone="B"), date(2027, 2, 15)) == ""
    assert planning_rules.school_holiday(ZONE_A, date(2026, 12, 21)) == "Vacances de Noël"
    assert planning_rules.school_holiday(METRO, date(2026, 12, 21)) == ""  # no zone chosen: not warned
    assert planning_rules.school_holiday(ZONE_A, date(2035, 12, 24)) == ""  # beyond the published calendar


def test_business_hours_are_paris_hours_on_both_sides_of_dst() -> None:
    # 08:00 Paris is 07:00 UTC in winter and 06:00 UTC in summer: both inside; an hour earlier, both outside.
    assert _codes(METRO, datetime(2026, 12, 8, 7, tzinfo=UTC)) == []
    assert _codes(METRO, datetime(2027, 6, 8, 6, tzinfo=UTC)) == []
    assert _codes(METRO, datetime(2026, 12, 8, 6, tzinfo=UTC)) == ["outside_hours"]
    assert _codes(METRO, datetime(2027, 6, 8, 5, tzinfo=UTC)) == ["outside_hours"]
    # The DST switch itself (Sunday 28 March 2027): a weekend, and 17:00–19:00 Paris runs late.
    assert _codes(METRO, datetime(2027, 3, 28, 15, tzinfo=UTC), hours=2) == ["outside_hours", "weekend"]
    later = Rules(day_starts=9 * 60, day_ends=20 * 60)
    assert _codes(later, datetime(2027, 3, 29, 15, tzinfo=UTC), hours=2) == ["public_holiday"]  # Easter Monday


def test_a_session_starting_on_the_eve_of_a_break() -> None:
    assert [w.code for w in planning_rules.start_warnings(METRO, date(2026, 12, 11))] == ["eve_of_break"]  # Friday
    assert planning_rules.start_warnings(METRO, date(2026, 12, 8)) == []  # a Tuesday
    assert [w.code for w in planning_rules.start_warnings(METRO, date(2026, 12, 24))] == ["eve_of_break"]  # Christmas
    assert [w.code for w in planning_rules.start_warnings(ZONE_A, date(2026, 12, 18))] == ["eve_of_break"]
    assert planning_rules.start_warnings(METRO, date(2026, 12, 25)) == []  # the day itself is warned about


def test_remote_work_over_two_hours_in_a_week() -> None:
    monday = datetime(2026, 12, 7, 9, tzinfo=UTC)
    others = [(monday, monday + timedelta(hours=1)), (monday + timedelta(days=7), monday + timedelta(days=7, hours=3))]
    thursday = (monday + timedelta(days=3), monday + timedelta(days=3, minutes=60))
    assert planning_rules.remote_week_warnings(others, thursday) == []  # 2 h exactly
    longer = (thursday[0], thursday[1] + timedelta(minutes=30))
    (warning,) = planning_rules.remote_week_warnings(others, longer)
    assert (warning.code, warning.params) == ("remote_week", {"hours": "2,5"})


def _activity(db: Session, session_id: int, kind: str) -> Activity:
    module = Module(session_id=session_id, title="Jour", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind=kind, title="Atelier")
    db.add(activity)
    db.commit()
    return activity


def test_scheduling_warns_with_reasons_until_staff_confirm(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    training = make_session(db, org, start=date(2026, 12, 1), end=date(2027, 1, 31))
    activity = _activity(db, training.id or 0, "in_person")
    with pytest.raises(PlumeError) as warned:
        timeline.schedule(db, staff, activity.id or 0, day="2026-12-25", half_day="morning")
    assert (warned.value.code, warned.value.field) == (ErrorCode.PLANNING_WARNING, "confirmed")
    assert warned.value.params["reasons"] == "le 25/12/2026 est férié (Noël)"
    db.rollback()
    assert db.query(Slot).count() == 0  # nothing planned
    timeline.schedule(db, staff, activity.id or 0, day="2026-12-25", half_day="morning", confirmed=True)
    db.commit()
    assert db.query(Slot).count() == 1
    # A plain Tuesday needs no confirmation.
    timeline.schedule(db, staff, activity.id or 0, day="2026-12-08", half_day="afternoon")


def test_a_virtual_class_over_a_learners_two_remote_hours_warns(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    learner = make_learner(db, org)
    training = make_session(db, org, start=date(2026, 12, 1), end=date(2026, 12, 31), learners=(learner,))
    first, second = (_activity(db, training.id or 0, "virtual_class") for _ in range(2))
    timeline.schedule(db, staff, first.id or 0, day="2026-12-08", start="10:00", end="11:30")
    db.commit()
    with pytest.raises(PlumeError) as warned:
        timeline.schedule(db, staff, second.id or 0, day="2026-12-10", start="10:00", end="11:00")
    assert "2,5 h de distanciel" in warned.value.params["reasons"]
    db.rollback()
    other = make_session(db, org, start=date(2026, 12, 1), end=date(2026, 12, 31))
    db.add(Enrolment(session_id=other.id or 0, user_id=make_learner(db, org).id or 0))
    db.commit()
    timeline.schedule(db, staff, second.id or 0, day="2026-12-15", start="10:00", end="11:00")  # another week


def test_staff_set_the_rules_and_bad_values_are_refused(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    orgs.save_settings(db, staff, signing_window="30", virtual_class_url="", holiday_region="57", school_zone="B",
                       day_starts="07:30", day_ends="19:00")  # fmt: skip
    db.commit()
    saved = db.get(Organisation, org.id)
    assert saved is not None
    assert planning_rules.rules_of(saved) == Rules(region="57", school_zone="B", day_starts=450, day_ends=1140)
    for bad, field in (
        ({"holiday_region": "99"}, "holiday_region"),
        ({"school_zone": "D"}, "school_zone"),
        ({"day_starts": "25:00", "day_ends": "18:00"}, "day_starts"),
        ({"day_starts": "18:00", "day_ends": "08:00"}, "day_ends"),
    ):
        with pytest.raises(PlumeError) as refused:
            orgs.save_settings(db, staff, signing_window="30", virtual_class_url="", **bad)
        assert refused.value.field == field
        db.rollback()
