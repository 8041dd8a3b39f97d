"""Appointments (Entretien): trainers propose times, learners take a place, trainers confirm; agendas and e-mails."""

from __future__ import annotations

import base64
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from app.models import (
    Activity,
    AppointmentBooking,
    AppointmentOffer,
    CancelledSlot,
    Module,
    Organisation,
    OutboxEmail,
    Slot,
)
from app.services import agenda, appointments, calendar, calendar_feed, rooms, timeline
from app.services.db import make_engine
from app.services.errors import ErrorCode, PlumeError
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer

DAY = date(2026, 12, 8)  # a Tuesday
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
WEEK = (datetime(2026, 12, 6, 23, tzinfo=UTC), datetime(2026, 12, 13, 23, tzinfo=UTC))


def _setup(db: Session, learners: int = 2):  # a tuple of test objects
    org = make_org(db)
    trainer = make_trainer(db, org)
    people = tuple(make_learner(db, org) for _ in range(learners))
    training = make_session(db, org, start=DAY, end=DAY + timedelta(days=3), trainers=(trainer,), learners=people)
    module = Module(session_id=training.id, title="Pendant", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="appointment", title="Entretien individuel")
    db.add(activity)
    db.commit()
    return org, training, activity, trainer, people


def _propose(
    db: Session, actor, activity: Activity, start: str = "14:00", end: str = "14:45", **kw
) -> AppointmentOffer:
    offer = appointments.propose_time(db, actor, activity.id, day=DAY.isoformat(), start=start, end=end, now=NOW, **kw)
    db.commit()
    return offer


def _sent(db: Session, kind: str) -> dict[str, Calendar]:
    rows = db.exec(select(OutboxEmail).where(OutboxEmail.kind == kind)).all()
    return {row.to: Calendar.from_ical(base64.b64decode(row.attachment_data)) for row in rows}


def _agenda(db: Session, user) -> list[int]:
    return [s.slot_id for s in agenda.person_slots(db, user.id or 0, starts=WEEK[0], ends=WEEK[1])]


def test_a_learner_takes_a_place_the_trainer_confirms_both_get_the_event(db: Session) -> None:
    _, _, activity, trainer, (ann, bob) = _setup(db)
    coach, learner = actor_for(db, trainer), actor_for(db, ann)
    offer = _propose(db, coach, activity)
    slot = db.get(Slot, offer.slot_id)
    assert slot is not None and slot.starts_at == datetime(2026, 12, 8, 13, tzinfo=UTC)  # 14:00 in Paris (CET)
    # The trainer's agenda holds the proposed time at once; no learner's does yet.
    assert _agenda(db, trainer) == [slot.id]
    assert _agenda(db, ann) == [] and _agenda(db, bob) == []

    seen = appointments.board(db, learner, activity.id, now=NOW)
    assert [(t.id, t.places_left, t.mine) for t in seen.times] == [(offer.id, 1, "")]
    assert seen.learner and not seen.manages and seen.place_id == 0

    booking = appointments.take_place(db, learner, offer.id, now=NOW)
    db.commit()
    assert appointments.take_place(db, learner, offer.id, now=NOW).id == booking.id  # a second click: the same
    db.commit()
    seen = appointments.board(db, learner, activity.id, now=NOW)
    assert (seen.place_status, seen.times[0].mine, seen.times[0].places_left) == ("pending", "pending", 0)
    assert _agenda(db, ann) == []  # not until it is confirmed
    desk = appointments.board(db, coach, activity.id, now=NOW)
    assert desk.waiting == 1 and [p.name for p in desk.times[0].places] == [ann.display_name]

    appointments.confirm(db, coach, booking.id)
    db.commit()
    appointments.confirm(db, coach, booking.id)  # a second click sends nothing again
    db.commit()
    assert _agenda(db, ann) == [slot.id] and _agenda(db, bob) == []
    sent = _sent(db, "appointment_confirmed")
    assert set(sent) == {ann.email, trainer.email}
    for person, chair in ((ann, False), (trainer, True)):
        event = next(c for c in sent[person.email].walk("VEVENT"))
        assert sent[person.email]["method"] == "REQUEST"
        assert str(event["uid"]) == calendar.slot_uid(slot.id or 0, person.id)
        assert event.decoded("dtstart") == slot.starts_at
        assert (str(event["attendee"].params["role"]) == "CHAIR") is chair
    # The learner's calendar feed has it too.
    secret = calendar_feed.renew_feed(db, learner).url.rsplit("/", 1)[-1].removesuffix(".ics")
    db.commit()
    answer = calendar_feed.serve_feed(db, secret, now=NOW)
    assert answer is not None and answer.body is not None
    feed = Calendar.from_ical(answer.body)
    assert [e.decoded("dtstart") for e in feed.walk("VEVENT")] == [slot.starts_at]


def test_two_learners_grabbing_the_last_place_at_once_one_gets_it(db: Session) -> None:
    _, _, activity, trainer, (ann, bob) = _setup(db)
    offer = _propose(db, actor_for(db, trainer), activity)
    actors = [actor_for(db, ann), actor_for(db, bob)]
    engine = make_engine(str(db.get_bind().url.render_as_string(hide_password=False)))
    barrier = threading.Barrier(2)
    results: list[str] = []

    def grab(actor) -> None:
        with Session(engine) as own:
            barrier.wait()
            try:
                appointments.take_place(own, actor, offer.id, now=NOW)
                own.commit()
                results.append("got")
            except PlumeError as err:
                own.rollback()
                results.append(err.code)

    threads = [threading.Thread(target=grab, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    engine.dispose()
    assert sorted(results) == sorted(["got", ErrorCode.APPOINTMENT_FULL])
    db.expire_all()
    assert db.get(AppointmentOffer, offer.id).taken == 1
    assert len(db.exec(select(AppointmentBooking)).all()) == 1


def test_a_group_time_takes_its_capacity_and_one_place_per_learner(db: Session) -> None:
    _, _, activity, trainer, (ann, bob, cat) = _setup(db, learners=3)
    coach = actor_for(db, trainer)
    group = _propose(db, coach, activity, capacity="2")
    other = _propose(db, coach, activity, start="16:00", end="17:00")
    appointments.take_place(db, actor_for(db, ann), group.id, now=NOW)
    appointments.take_place(db, actor_for(db, bob), group.id, now=NOW)
    db.commit()
    with pytest.raises(PlumeError) as full:
        appointments.take_place(db, actor_for(db, cat), group.id, now=NOW)
    assert full.value.code == ErrorCode.APPOINTMENT_FULL
    db.rollback()
    with pytest.raises(PlumeError) as taken:  # one place per appointment: give up the first to move
        appointments.take_place(db, actor_for(db, ann), other.id, now=NOW)
    assert taken.value.code == ErrorCode.APPOINTMENT_TAKEN
    db.rollback()
    mine = appointments.board(db, actor_for(db, ann), activity.id, now=NOW)
    appointments.cancel_place(db, actor_for(db, ann), mine.place_id)
    db.commit()
    appointments.take_place(db, actor_for(db, cat), group.id, now=NOW)  # the place freed is taken again
    db.commit()
    assert db.get(AppointmentOffer, group.id).taken == 2


def test_bad_times_are_refused_with_their_field_and_nothing_is_written(db: Session) -> None:
    org, _, activity, trainer, (ann, _) = _setup(db)
    coach = actor_for(db, trainer)
    staff = actor_for(db, make_staff(db, org))
    rooms.add_room(db, staff, name="Salle Lumière")
    _propose(db, coach, activity, room="salle lumière")  # booked in the organisation's room
    assert appointments.board(db, coach, activity.id, now=NOW).rooms == ["Salle Lumière"]  # suggested to trainers
    assert appointments.board(db, actor_for(db, ann), activity.id, now=NOW).rooms == []
    for fields, code, field in (
        ({"day": "31/02/2026"}, ErrorCode.DATE_INVALID, "day"),
        ({"day": "2026-12-20"}, ErrorCode.SLOT_OUTSIDE_SESSION, "day"),
        ({"start": "15:00", "end": "14:00"}, ErrorCode.TIME_ORDER, "end"),
        ({"start": "08:00", "end": "17:00"}, ErrorCode.NUMBER_RANGE, "end"),
        ({"capacity": "0"}, ErrorCode.NUMBER_RANGE, "capacity"),
        ({"capacity": "deux"}, ErrorCode.NUMBER_RANGE, "capacity"),
        ({"room": "Salle Lumière"}, ErrorCode.ROOM_BOOKED, "room"),
    ):
        values = {"day": DAY.isoformat(), "start": "14:15", "end": "14:30", **fields}
        with pytest.raises(PlumeError) as refused:
            appointments.propose_time(db, coach, activity.id, now=NOW, **values)
        assert (refused.value.code, refused.value.field) == (code, field)
        db.rollback()
    with pytest.raises(PlumeError) as past:
        appointments.propose_time(db, coach, activity.id, day=DAY.isoformat(), start="14:00", end="15:00",
                                  now=datetime(2026, 12, 9, tzinfo=UTC))  # fmt: skip
    assert past.value.code == ErrorCode.APPOINTMENT_PAST
    db.rollback()
    assert len(db.exec(select(AppointmentOffer)).all()) == 1
    assert len(db.exec(select(Slot)).all()) == 1
    # A learner proposes nothing where the organisation does not allow it; a trainer's action is not theirs.
    with pytest.raises(PlumeError) as closed:
        appointments.propose_own_time(db, actor_for(db, ann), activity.id, day=DAY.isoformat(), start="10:00",
                                      end="10:30", now=NOW)  # fmt: skip
    assert closed.value.code == ErrorCode.APPOINTMENT_PROPOSALS_CLOSED
    with pytest.raises(PlumeError) as not_theirs:
        appointments.propose_time(db, actor_for(db, ann), activity.id, day=DAY.isoformat(), start="10:00",
                                  end="10:30", now=NOW)  # fmt: skip
    assert not_theirs.value.code == ErrorCode.NOT_FOUND


def test_a_learner_proposes_a_time_where_allowed_and_the_trainer_confirms_it(db: Session) -> None:
    org, _, activity, trainer, (ann, bob) = _setup(db)
    stored = db.get(Organisation, org.id)
    stored.learners_propose_appointments = True
    db.add(stored)
    db.commit()
    learner = actor_for(db, ann)
    assert appointments.board(db, learner, activity.id, now=NOW).may_propose
    booking = appointments.propose_own_time(db, learner, activity.id, day=DAY.isoformat(), start="10:00",
                                            end="10:30", now=NOW)  # fmt: skip
    db.commit()
    # Classmates never see another learner's proposal; the trainer does, with its author.
    assert appointments.board(db, actor_for(db, bob), activity.id, now=NOW).times == []
    desk = appointments.board(db, actor_for(db, trainer), activity.id, now=NOW)
    assert [(t.by_learner, t.proposer) for t in desk.times] == [(True, ann.display_name)]
    assert not appointments.board(db, learner, activity.id, now=NOW).may_propose  # they hold a place now
    appointments.confirm(db, actor_for(db, trainer), booking.id)
    db.commit()
    offer = db.get(AppointmentOffer, booking.offer_id)
    assert _agenda(db, ann) == [offer.slot_id]
    # Cancelled by the learner: their proposal goes, the slot too; both get the cancellation; feeds say so.
    appointments.cancel_place(db, learner, booking.id)
    db.commit()
    assert db.exec(select(AppointmentOffer)).all() == [] and db.exec(select(Slot)).all() == []
    sent = _sent(db, "appointment_cancelled")
    assert set(sent) == {ann.email, trainer.email}
    assert all(c["method"] == "CANCEL" for c in sent.values())
    assert db.get(CancelledSlot, offer.slot_id) is not None


def test_places_are_reached_only_by_their_learner_and_the_sessions_trainers(db: Session) -> None:
    org, _, activity, trainer, (ann, bob) = _setup(db)
    offer = _propose(db, actor_for(db, trainer), activity)
    booking = appointments.take_place(db, actor_for(db, ann), offer.id, now=NOW)
    db.commit()
    outsider_org = make_org(db)
    outsider = actor_for(db, make_trainer(db, outsider_org))
    other_trainer = actor_for(db, make_trainer(db, org))  # of the organisation, not of this session
    for actor in (actor_for(db, bob), outsider, other_trainer):
        for call in (
            lambda a: appointments.confirm(db, a, booking.id),
            lambda a: appointments.cancel_place(db, a, booking.id),
            lambda a: appointments.remove_time(db, a, offer.id),
        ):
            with pytest.raises(PlumeError) as refused:
                call(actor)
            assert refused.value.code == ErrorCode.NOT_FOUND
            db.rollback()
    with pytest.raises(PlumeError) as missing:
        appointments.board(db, outsider, activity.id)
    assert missing.value.code == ErrorCode.NOT_FOUND
    # A time with places cannot be removed; the learner's place must be cancelled first.
    with pytest.raises(PlumeError) as held:
        appointments.remove_time(db, actor_for(db, trainer), offer.id)
    assert held.value.code == ErrorCode.APPOINTMENT_HAS_BOOKINGS
    db.rollback()
    assert db.get(AppointmentBooking, booking.id) is not None


def test_deleting_the_activity_cancels_its_confirmed_appointments(db: Session) -> None:
    org, _, activity, trainer, (ann, _) = _setup(db)
    coach = actor_for(db, trainer)
    offer = _propose(db, coach, activity)
    booking = appointments.take_place(db, actor_for(db, ann), offer.id, now=NOW)
    db.commit()
    appointments.confirm(db, coach, booking.id)
    db.commit()
    staff = actor_for(db, make_staff(db, org))
    timeline.delete_activity(db, staff, activity.id or 0)
    db.commit()
    assert db.exec(select(AppointmentBooking)).all() == [] and db.exec(select(AppointmentOffer)).all() == []
    gone = db.get(CancelledSlot, offer.slot_id)
    assert gone is not None and gone.invitees_json == f"[{ann.id}]"  # only Ann's feed hears of it
