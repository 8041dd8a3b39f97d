"""Every date and time a person sees is a Europe/Paris day or time; a date chosen in a form is a Paris day.

Around midnight (23:30 UTC is already tomorrow in Paris) and both DST changes (last Sundays of March and October).
"""

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session

from app.clock import (
    PARIS,
    date_label,
    paris_date_label,
    paris_datetime_label,
    paris_day,
    paris_instant,
    paris_iso_day,
    paris_midnight,
    paris_time_label,
)
from app.models import Module
from app.services import documents, timeline, tutoring
from app.services.sessions.locks import closed_by_rule
from app.services.sessions.view import session_view
from app.settings import reset_settings
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize(
    ("utc", "day", "clock"),
    [
        # Winter (UTC+1): 23:30 UTC is 00:30 the next day in Paris; 22:59 UTC is still the same day.
        (datetime(2026, 12, 7, 23, 30, tzinfo=UTC), "08/12/2026", "00:30"),
        (datetime(2026, 12, 7, 22, 59, tzinfo=UTC), "07/12/2026", "23:59"),
        # Summer (UTC+2): 22:00 UTC is already midnight in Paris.
        (datetime(2026, 7, 14, 22, 0, tzinfo=UTC), "15/07/2026", "00:00"),
        (datetime(2026, 7, 14, 21, 59, tzinfo=UTC), "14/07/2026", "23:59"),
        # Spring forward, Sunday 29/03/2026: 00:59 UTC is 01:59 (UTC+1), 01:00 UTC is 03:00 (UTC+2).
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "29/03/2026", "01:59"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "29/03/2026", "03:00"),
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "29/03/2026", "00:30"),
        # Fall back, Sunday 25/10/2026: 00:30 and 01:30 UTC both read 02:30 in Paris.
        (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "25/10/2026", "02:30"),
        (datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "25/10/2026", "02:30"),
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "25/10/2026", "00:30"),
        (datetime(2026, 10, 25, 22, 59, tzinfo=UTC), "25/10/2026", "23:59"),
        (datetime(2026, 10, 25, 23, 0, tzinfo=UTC), "26/10/2026", "00:00"),
    ],
)
def test_an_instant_reads_as_its_paris_day_and_time(utc: datetime, day: str, clock: str) -> None:
    assert paris_date_label(utc) == day
    assert paris_time_label(utc) == clock
    assert paris_datetime_label(utc) == f"{day} {clock}"
    assert paris_iso_day(utc) == "-".join(reversed(day.split("/")))
    assert paris_day(utc) == date(*map(int, reversed(day.split("/"))))
    # SQLite may hand an instant back without its zone: it is UTC.
    assert paris_date_label(utc.replace(tzinfo=None)) == day


def test_empty_instants_read_as_nothing() -> None:
    assert (paris_date_label(None), paris_time_label(None), paris_datetime_label(None), paris_iso_day(None)) == (
        "",
        "",
        "",
        "",
    )
    assert date_label(None) == ""
    assert date_label(date(2026, 11, 29)) == "29/11/2026"


@pytest.mark.parametrize(
    ("day", "utc"),
    [
        (date(2026, 12, 8), datetime(2026, 12, 7, 23, 0, tzinfo=UTC)),
        (date(2026, 7, 15), datetime(2026, 7, 14, 22, 0, tzinfo=UTC)),
        # Midnight of the DST Sundays is still on the old offset; the day after is on the new one.
        (date(2026, 3, 29), datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
        (date(2026, 3, 30), datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),
        (date(2026, 10, 25), datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
        (date(2026, 10, 26), datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
    ],
)
def test_a_paris_day_begins_at_paris_midnight(day: date, utc: datetime) -> None:
    assert paris_midnight(day) == utc
    assert paris_midnight(day).tzinfo == UTC
    assert paris_day(paris_midnight(day)) == day
    assert paris_date_label(paris_midnight(day)) == date_label(day)
    assert paris_instant(day, time(9, 0)) == datetime.combine(day, time(9, 0), tzinfo=PARIS)


def _session_module(db: Session, start: date) -> tuple[object, object, object, Module]:
    org = make_org(db)
    staff, learner = actor_for(db, make_staff(db, org)), make_learner(db, org)
    session = make_session(db, org, start=start, end=start + timedelta(days=60), learners=(learner,))
    module = Module(session_id=session.id, title="Jour 2", phase="during")
    db.add(module)
    db.commit()
    return staff, actor_for(db, learner), session, module


@pytest.mark.parametrize(
    ("typed", "shown", "opens_utc"),
    [
        ("2026-12-08", "08/12/2026", datetime(2026, 12, 7, 23, 0, tzinfo=UTC)),
        ("08/12/2026", "08/12/2026", datetime(2026, 12, 7, 23, 0, tzinfo=UTC)),
        ("2026-03-29", "29/03/2026", datetime(2026, 3, 28, 23, 0, tzinfo=UTC)),
        ("2026-03-30", "30/03/2026", datetime(2026, 3, 29, 22, 0, tzinfo=UTC)),
        ("2026-10-25", "25/10/2026", datetime(2026, 10, 24, 22, 0, tzinfo=UTC)),
        ("2026-10-26", "26/10/2026", datetime(2026, 10, 25, 23, 0, tzinfo=UTC)),
    ],
)
def test_a_module_opening_date_round_trips_as_the_day_chosen(
    db: Session, typed: str, shown: str, opens_utc: datetime
) -> None:
    staff, learner, session, module = _session_module(db, date(2026, 3, 1))
    timeline.set_opening_rule(db, staff, module.id or 0, "date", typed)
    db.commit()
    db.refresh(module)
    assert module.opens_at == opens_utc  # the instant of Paris midnight of the day chosen
    view = session_view(db, staff, session.id or 0)
    assert [m.opens_at for m in view.modules if m.id == module.id] == [shown]  # "S'ouvre le 08/12/2026"
    # It opens at Paris midnight: closed one minute before, open at midnight.
    assert closed_by_rule(module, True, opens_utc - timedelta(minutes=1))
    assert not closed_by_rule(module, True, opens_utc)
    # The learner reads the same day.
    assert [m.opens_at for m in session_view(db, learner, session.id or 0).modules if m.id == module.id] == [shown]


@pytest.fixture
def files_dir(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "files"
    monkeypatch.setenv("PLUME_FILES_DIR", str(directory))
    reset_settings()
    return directory


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        (datetime(2026, 11, 29, 23, 24, tzinfo=UTC), "30/11/2026"),  # 00:24 on 30/11 in Paris
        (datetime(2026, 11, 29, 22, 59, tzinfo=UTC), "29/11/2026"),
        (datetime(2026, 3, 28, 23, 30, tzinfo=UTC), "29/03/2026"),
        (datetime(2026, 10, 24, 22, 30, tzinfo=UTC), "25/10/2026"),
    ],
)
def test_a_document_shows_the_paris_day_it_was_uploaded(
    db: Session, files_dir: Path, uploaded: datetime, shown: str
) -> None:
    org = make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    session = make_session(
        db, org, start=date(2026, 3, 1), end=date(2026, 12, 31), trainers=(trainer,), learners=(learner,)
    )
    module = Module(session_id=session.id, title="Jour 1", phase="during")
    db.add(module)
    db.commit()
    document = documents.store(db, actor_for(db, trainer), module_id=module.id or 0, name="Support.pdf", data=PDF)
    document.created_at = uploaded
    db.add(document)
    db.commit()
    rows = documents.list_for_module(db, actor_for(db, learner), module.id or 0)
    assert [r.created_at for r in rows] == [shown]


def test_the_tutoring_session_list_shows_days_as_every_list_does(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    learner = make_learner(db, org)
    later = make_session(db, org, start=date(2026, 11, 29), end=date(2027, 1, 2), learners=(learner,))
    sooner = make_session(db, org, start=date(2026, 2, 3), end=date(2026, 3, 4), learners=(learner,))
    listed = tutoring.tutored_sessions(db, staff)
    # Sorted by the real date (newest first), not by the DD/MM/YYYY text ("03/02" < "29/11").
    assert [(s.id, s.starts_on, s.ends_on) for s in listed] == [
        (later.id, "29/11/2026", "02/01/2027"),
        (sooner.id, "03/02/2026", "04/03/2026"),
    ]
