"""The .ics files Plume sends: each event named, a virtual class located at its join page, real DTSTAMP, SEQUENCE."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from app.models import Activity, Module, OutboxEmail, Slot
from app.services import calendar, timeline
from app.services.notify import session_confirmation_emails
from app.settings import reset_settings
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer

DAY = date(2026, 12, 8)


def _session(db: Session):  # a tuple of test objects
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    learner = make_learner(db, org, language="en")
    training = make_session(
        db, org, start=DAY, end=DAY + timedelta(days=1), trainers=(make_trainer(db, org),), learners=(learner,)
    )
    training.place = "Lyon"
    module = Module(session_id=training.id, title="Jour 1", phase="during", position=0)
    db.add_all([training, module])
    db.flush()
    kinds = [("in_person", "Atelier"), ("in_person", "Atelier suite"), ("virtual_class", "Point distanciel")]
    activities = [
        Activity(module_id=module.id or 0, kind=kind, title=title, position=i) for i, (kind, title) in enumerate(kinds)
    ]
    db.add_all(activities)
    db.commit()
    morning, afternoon, remote = activities
    timeline.schedule(db, staff, morning.id or 0, day=DAY.isoformat(), half_day="morning", room="Salle 2")
    timeline.schedule(db, staff, afternoon.id or 0, day=DAY.isoformat(), half_day="afternoon", room="Salle 2")
    timeline.schedule(db, staff, remote.id or 0, day=(DAY + timedelta(days=1)).isoformat(), start="10:00", end="11:30")
    db.commit()
    return training, staff, (morning, afternoon, remote)


def _events(data: bytes) -> dict[str, dict[str, object]]:
    out: dict[str, dict[str, object]] = {}
    for event in Calendar.from_ical(data).walk("VEVENT"):
        out[str(event["summary"])] = {
            "uid": str(event["uid"]),
            "location": str(event.get("location", "")),
            "url": str(event.get("url", "")),
            "dtstamp": event.decoded("dtstamp"),
            "dtstart": event.decoded("dtstart"),
            "sequence": event.decoded("sequence"),
            "description": str(event.get("description", "")),
        }
    return out


def test_each_event_is_named_located_stamped_and_sequenced(db: Session) -> None:
    training, _staff, (morning, _afternoon, remote) = _session(db)
    slots = list(db.exec(select(Slot).where(Slot.session_id == training.id)).all())
    by_activity = {s.activity_id: s for s in slots}
    course = "Gérer un projet"
    made = datetime(2026, 11, 30, 7, 15, tzinfo=UTC)
    data = calendar.session_calendar(db, training, slots, course_title=course)
    events = _events(calendar.session_ics(data, slots, now=made))
    assert sorted(events) == [
        f"{course} — après-midi",
        f"{course} — classe virtuelle",
        f"{course} — matin",
    ]
    am, remote_event = events[f"{course} — matin"], events[f"{course} — classe virtuelle"]
    assert am["location"] == "Lyon, Salle 2"
    assert am["url"] == f"http://plume.test/sessions/{training.id}"
    assert "Atelier" in str(am["description"])
    join = f"http://plume.test/emargement/{by_activity[remote.id].id}"
    # A virtual class is found at its join page, never in the room.
    assert (remote_event["location"], remote_event["url"]) == (join, join)
    assert "Salle" not in str(remote_event["location"]) and "Point distanciel" in str(remote_event["description"])
    for event in events.values():
        assert event["dtstamp"] == made  # when the file was made (UTC), not the event's start
        assert event["dtstamp"] != event["dtstart"]
        assert event["sequence"] == 0
        assert str(event["uid"]).endswith("@plume.test")
    assert am["uid"] == f"plume-slot-{by_activity[morning.id].id}@plume.test"
    assert events[f"{course} — matin"]["dtstart"] == datetime(2026, 12, 8, 8, 0, tzinfo=UTC)

    english = _events(calendar.session_ics(data, slots, language="en", now=made))
    assert sorted(english) == [f"{course} — afternoon", f"{course} — morning", f"{course} — virtual class"]


def test_sequence_grows_each_time_a_slot_is_moved(db: Session) -> None:
    training, staff, (morning, afternoon, remote) = _session(db)
    for half_day in ("afternoon", "morning"):
        timeline.schedule(db, staff, morning.id or 0, day=DAY.isoformat(), half_day=half_day, room="Salle 3")
    timeline.schedule(db, staff, remote.id or 0, day=DAY.isoformat(), start="16:00", end="17:00")
    db.commit()
    slots = list(db.exec(select(Slot).where(Slot.session_id == training.id)).all())
    seq = calendar.sequences(db, slots)
    by_activity = {s.activity_id: seq[s.id or 0] for s in slots}
    assert by_activity == {morning.id: 2, afternoon.id: 0, remote.id: 1}
    events = _events(calendar.session_ics(calendar.session_calendar(db, training, slots, course_title="C"), slots))
    assert {name: e["sequence"] for name, e in events.items()} == {
        "C — matin": 2,
        "C — après-midi": 0,
        "C — classe virtuelle": 1,
    }


def test_the_confirmation_email_carries_the_ics_in_each_readers_words(db: Session) -> None:
    training, _staff, _ = _session(db)
    slots = list(db.exec(select(Slot).where(Slot.session_id == training.id)).all())
    assert session_confirmation_emails(db, training, slots) == 2
    db.commit()
    rows = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "session_confirmation")).all()
    names = {row.to: sorted(_events(base64.b64decode(row.attachment_data))) for row in rows}
    assert any(any(n.endswith("— matin") for n in found) for found in names.values())
    assert any(any(n.endswith("— morning") for n in found) for found in names.values())


def test_the_host_comes_from_the_public_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUME_BASE_URL", "https://formation.example.org:8443/plume")
    reset_settings()
    try:
        assert calendar.host() == "formation.example.org"
        assert calendar.slot_uid(7) == "plume-slot-7@formation.example.org"
        assert calendar.slot_uid(7, 40) == "plume-virtual-class-7-40@formation.example.org"
        assert calendar.join_page(7) == "https://formation.example.org:8443/plume/emargement/7"
    finally:
        monkeypatch.undo()
        reset_settings()


def _sent(db: Session, kind: str) -> dict[str, Calendar]:
    rows = db.exec(select(OutboxEmail).where(OutboxEmail.kind == kind)).all()
    return {row.to: Calendar.from_ical(base64.b64decode(row.attachment_data)) for row in rows}


def test_a_confirmed_sessions_people_get_a_moved_or_cancelled_slot(db: Session) -> None:
    training, staff, (morning, afternoon, _remote) = _session(db)
    training.status = "draft"
    db.add(training)
    for row in db.exec(select(OutboxEmail)).all():  # what scheduling the active session sent, above
        db.delete(row)
    db.commit()
    # Nothing goes out while the session is a draft: nobody holds its events yet.
    timeline.schedule(db, staff, afternoon.id or 0, day=DAY.isoformat(), half_day="afternoon", room="Salle 4")
    db.commit()
    assert _sent(db, "slot_changed") == {}
    training.status = "active"
    db.add(training)
    db.commit()
    slot = db.exec(select(Slot).where(Slot.activity_id == morning.id)).one()
    uid = calendar.slot_uid(slot.id or 0)
    # Saved again unchanged: no e-mail. Moved: each of its two people gets the update, same UID, SEQUENCE up.
    timeline.schedule(db, staff, morning.id or 0, day=DAY.isoformat(), half_day="morning", room="Salle 2")
    db.commit()
    assert _sent(db, "slot_changed") == {}
    timeline.schedule(db, staff, morning.id or 0, day=(DAY + timedelta(days=1)).isoformat(), half_day="morning")
    db.commit()
    changed = _sent(db, "slot_changed")
    assert len(changed) == 2
    moved = calendar.sequences(db, [slot])[slot.id or 0]
    assert moved >= 1  # above the confirmation's 0 (every save counts, so a calendar never misses one)
    for update in changed.values():
        assert str(update["METHOD"]) == "REQUEST"
        (event,) = update.walk("VEVENT")
        assert (str(event["UID"]), event.decoded("SEQUENCE"), str(event["STATUS"])) == (uid, moved, "CONFIRMED")
        assert event.decoded("DTSTART") == datetime(2026, 12, 9, 8, 0, tzinfo=UTC)
    timeline.delete_activity(db, staff, morning.id or 0)
    db.commit()
    cancelled = _sent(db, "slot_cancelled")
    assert set(cancelled) == set(changed)
    for notice in cancelled.values():
        assert str(notice["METHOD"]) == "CANCEL"
        (event,) = notice.walk("VEVENT")
        assert (str(event["UID"]), event.decoded("SEQUENCE"), str(event["STATUS"])) == (uid, moved + 1, "CANCELLED")
