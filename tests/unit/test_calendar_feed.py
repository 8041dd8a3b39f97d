"""A person's calendar feed: parsed back as a calendar client reads it; its secret, ETag and cancelled slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from icalendar import Calendar
from sqlmodel import Session, select

from app.models import (
    Activity,
    AuditRecord,
    CalendarFeed,
    Course,
    Enrolment,
    Module,
    Organisation,
    Slot,
    TrainingSession,
    User,
)
from app.services import calendar_feed, timeline
from app.services.db import write_version
from app.services.errors import PlumeError
from app.settings import get_settings
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer

NOW = datetime(2026, 12, 1, 8, tzinfo=UTC)
SUMMER_DAY = date(2027, 6, 15)  # Paris is UTC+2 in June, UTC+1 in December
WINTER_DAY = date(2026, 12, 8)


def _secret(url: str) -> str:
    return url.rsplit("/", 1)[1].removesuffix(".ics")


def _setup(db: Session):  # a tuple of test objects
    org = make_org(db, "Horizon")
    staff = actor_for(db, make_staff(db, org))
    trainer = make_trainer(db, org)
    learner = make_learner(db, org)
    training = make_session(db, org, start=WINTER_DAY, end=SUMMER_DAY, trainers=(trainer,), learners=(learner,))
    module = Module(session_id=training.id, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    winter = Activity(module_id=module.id or 0, kind="in_person", title="Atelier", position=0)
    summer = Activity(module_id=module.id or 0, kind="in_person", title="Atelier d'été", position=1)
    db.add_all([winter, summer])
    db.commit()
    timeline.schedule(db, staff, winter.id or 0, day=WINTER_DAY.isoformat(), half_day="morning", room="Salle 2")
    timeline.schedule(db, staff, summer.id or 0, day=SUMMER_DAY.isoformat(), half_day="afternoon", room="")
    db.commit()
    return staff, trainer, learner, winter, summer


def _events(body: bytes) -> list:
    return [c for c in Calendar.from_ical(body).walk("VEVENT")]


def _serve(db: Session, secret: str, etag: str = "") -> calendar_feed.FeedAnswer | None:
    return calendar_feed.serve_feed(db, secret, etag, now=NOW)


def test_the_feed_is_read_back_in_paris_time_with_its_timezone(db: Session) -> None:
    _, trainer, _, _, _ = _setup(db)
    link = calendar_feed.renew_feed(db, actor_for(db, trainer))
    base = get_settings().base_url.rstrip("/")
    assert link.url.startswith(f"{base}/api/agenda/") and link.url.endswith(".ics")
    answer = _serve(db, _secret(link.url))
    assert answer is not None and answer.body is not None
    parsed = Calendar.from_ical(answer.body)
    assert [tz["TZID"] for tz in parsed.walk("VTIMEZONE")] == ["Europe/Paris"]
    winter, summer = _events(answer.body)
    # 09:00 Paris in December (UTC+1) and 14:00 Paris in June (UTC+2), both written on Paris's wall clock.
    assert winter["DTSTART"].params["TZID"] == "Europe/Paris"
    assert winter.decoded("DTSTART").strftime("%H:%M") == "09:00"
    assert winter.decoded("DTSTART").astimezone(UTC).hour == 8
    assert summer.decoded("DTSTART").strftime("%H:%M") == "14:00"
    assert summer.decoded("DTSTART").astimezone(UTC).hour == 12
    assert str(winter["UID"]).endswith(f"@{urlsplit(base).hostname}") and str(winter["UID"]) != str(summer["UID"])
    assert str(winter["STATUS"]) == "CONFIRMED" and int(winter["SEQUENCE"]) == 0
    assert "Salle 2" in str(winter["LOCATION"])
    assert str(winter["SUMMARY"]).endswith("— matin") and str(summer["SUMMARY"]).endswith("— après-midi")


def test_a_moved_slot_raises_its_sequence_and_changes_the_etag(db: Session) -> None:
    staff, trainer, _, winter, _ = _setup(db)
    secret = _secret(calendar_feed.renew_feed(db, actor_for(db, trainer)).url)
    first = _serve(db, secret)
    assert first is not None
    unchanged = _serve(db, secret, first.etag)
    assert unchanged is not None and unchanged.body is None and unchanged.etag == first.etag  # 304
    timeline.schedule(db, staff, winter.id or 0, day=(WINTER_DAY + timedelta(days=1)).isoformat(), half_day="morning")
    db.commit()
    moved = _serve(db, secret, first.etag)
    assert moved is not None and moved.body is not None and moved.etag != first.etag
    event = _events(moved.body)[0]
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").date() == WINTER_DAY + timedelta(days=1)


def test_a_deleted_activity_is_cancelled_in_every_feed_that_held_it(db: Session) -> None:
    staff, trainer, learner, winter, _ = _setup(db)
    secrets = [_secret(calendar_feed.renew_feed(db, actor_for(db, p)).url) for p in (trainer, learner)]
    before = _serve(db, secrets[0])
    assert before is not None and before.body is not None
    uid = str(_events(before.body)[0]["UID"])
    timeline.delete_activity(db, staff, winter.id or 0)
    db.commit()
    for secret in secrets:
        answer = _serve(db, secret)
        assert answer is not None and answer.body is not None
        cancelled = [e for e in _events(answer.body) if str(e["UID"]) == uid]
        assert len(cancelled) == 1
        assert str(cancelled[0]["STATUS"]) == "CANCELLED" and int(cancelled[0]["SEQUENCE"]) == 1


def test_a_renewed_or_stopped_secret_finds_nothing(db: Session) -> None:
    _, trainer, learner, _, _ = _setup(db)
    actor = actor_for(db, trainer)
    old = _secret(calendar_feed.renew_feed(db, actor).url)
    new = _secret(calendar_feed.renew_feed(db, actor).url)
    assert old != new
    assert _serve(db, old) is None and _serve(db, new) is not None
    assert _serve(db, new[:-1] + ("A" if new[-1] != "A" else "B")) is None and _serve(db, "") is None
    calendar_feed.stop_feed(db, actor)
    assert _serve(db, new) is None and calendar_feed.feed_link(db, actor) is None
    actions = db.exec(select(AuditRecord.action).where(AuditRecord.actor_user_id == trainer.id)).all()
    assert {"calendar.feed_created", "calendar.feed_renewed", "calendar.feed_stopped"} <= set(actions)
    # The secret is stored only as its keyed hash and encrypted: neither is the secret itself.
    calendar_feed.renew_feed(db, actor_for(db, learner))
    row = db.exec(select(CalendarFeed).where(CalendarFeed.user_id == learner.id)).one()
    shown = _secret(calendar_feed.feed_link(db, actor_for(db, learner)).url)  # type: ignore[union-attr]
    assert shown not in (row.secret_hash, row.secret_sealed)


def test_a_person_sees_only_their_own_link(db: Session) -> None:
    _, trainer, learner, _, _ = _setup(db)
    mine = calendar_feed.renew_feed(db, actor_for(db, trainer))
    assert calendar_feed.feed_link(db, actor_for(db, learner)) is None
    theirs = calendar_feed.renew_feed(db, actor_for(db, learner))
    assert theirs.url != mine.url
    assert calendar_feed.feed_link(db, actor_for(db, trainer)) == mine


def test_a_closed_account_s_feed_finds_nothing(db: Session) -> None:
    _, trainer, _, _, _ = _setup(db)
    secret = _secret(calendar_feed.renew_feed(db, actor_for(db, trainer)).url)
    trainer.is_active = False
    db.add(trainer)
    db.commit()
    assert _serve(db, secret) is None


def test_an_account_not_fully_signed_in_has_no_feed(db: Session) -> None:
    org = make_org(db)
    pending = make_trainer(db, org, activated=False)
    actor = actor_for(db, pending)
    with pytest.raises(PlumeError):
        calendar_feed.renew_feed(db, actor)


def test_every_change_the_feed_shows_changes_its_etag(db: Session) -> None:
    _, _, learner, winter, _ = _setup(db)
    secret = _secret(calendar_feed.renew_feed(db, actor_for(db, learner)).url)
    slot = db.exec(select(Slot).where(Slot.activity_id == winter.id)).one()
    training = db.get(TrainingSession, slot.session_id)
    assert training is not None
    course, organisation = db.get(Course, training.course_id), db.get(Organisation, training.organisation_id)
    seen = set()

    def etag() -> str:
        answer = _serve(db, secret)
        assert answer is not None
        return answer.etag

    seen.add(etag())
    for thing, field, value in (
        (slot, "room", "Salle 9"),
        (winter, "title", "Atelier renommé"),
        (training, "title", "Session renommée"),
        (training, "place", "Marseille"),
        (course, "title", "Parcours renommé"),
        (organisation, "name", "Horizon Sud"),
        (learner, "language", "en"),
    ):
        setattr(thing, field, value)
        db.add(thing)
        db.commit()
        tag = etag()
        assert tag not in seen, f"{type(thing).__name__}.{field}"
        seen.add(tag)
    enrolment = db.exec(select(Enrolment).where(Enrolment.user_id == learner.id)).one()
    db.delete(enrolment)
    db.commit()
    answer = _serve(db, secret)
    assert answer is not None and answer.etag not in seen and answer.body is not None
    assert _events(answer.body) == []


def _quiet_database(db: Session) -> None:
    if db.get_bind().dialect.name != "sqlite":
        # PostgreSQL's version is the cluster's next transaction id: the suite's other writers move it too.
        pytest.skip("only SQLite's version is this test's alone")


def test_a_poll_with_nothing_written_since_reuses_its_etag(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _quiet_database(db)
    staff, trainer, _, winter, _ = _setup(db)
    secret = _secret(calendar_feed.renew_feed(db, actor_for(db, trainer)).url)
    computed = []
    real = calendar_feed._etag
    monkeypatch.setattr(calendar_feed, "_etag", lambda *a: computed.append(1) or real(*a))
    first = _serve(db, secret)
    db.commit()  # a transaction that wrote nothing leaves the version as it was
    again = _serve(db, secret)
    assert first is not None and again is not None and again.etag == first.etag
    assert len(computed) == 1
    timeline.schedule(db, staff, winter.id or 0, day=(WINTER_DAY + timedelta(days=2)).isoformat(), half_day="morning")
    db.commit()
    moved = _serve(db, secret)
    assert moved is not None and moved.etag != first.etag and len(computed) == 2


def test_the_write_version_moves_with_every_commit_that_wrote(db: Session) -> None:
    before = write_version(db)
    assert before is not None
    if db.get_bind().dialect.name == "sqlite":
        db.exec(select(User)).all()
        db.commit()
        assert write_version(db) == before
    org = make_org(db)
    assert write_version(db) != before and org.id
