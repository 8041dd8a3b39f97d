"""Virtual classes a tutor creates for some learners: creation, invitations, and a restricted audience everywhere."""

from __future__ import annotations

import base64
import io
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from icalendar import Calendar
from pypdf import PdfReader
from sqlmodel import Session, col, select

from app.live import bus
from app.models import (
    Activity,
    ActivityCompletion,
    AuditRecord,
    Enrolment,
    Module,
    Organisation,
    OutboxEmail,
    Slot,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.services import activities, home, progress, tutoring, virtual_class
from app.services.actor import Actor
from app.services.attendance import actions, sheet, summaries
from app.services.attendance import pdf as attendance_pdf
from app.services.errors import ErrorCode, PlumeError
from app.services.home import paris_today
from app.services.sessions.status import advance_status
from app.services.sessions.view import session_view
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

DRAWING = "10,10 200,120 380,40|400,300 420,310"


@dataclass
class World:
    org: Organisation
    session: TrainingSession
    documents: list[Activity]
    staff: Actor
    tutor: Actor
    stranger_tutor: Actor
    trainer: Actor
    a: User
    b: User
    c: User
    outsider: User


def _world(db: Session, *, start: date | None = None, end: date | None = None, status: str = "active") -> World:
    org = make_org(db)
    staff, trainer = make_staff(db, org), make_trainer(db, org)
    tutor, stranger_tutor = make_member(db, org, "tutor"), make_member(db, org, "tutor")
    a, b = make_learner(db, org, first_name="Ada"), make_learner(db, org, first_name="Bob", language="en")
    c, outsider = make_learner(db, org, first_name="Cyd"), make_learner(db, org)
    today = paris_today()
    session = make_session(
        db,
        org,
        start=start or today - timedelta(days=1),
        end=end or today + timedelta(days=5),
        status=status,
        trainers=(trainer,),
        learners=(a, b, c),
    )
    assign_tutor(db, session, tutor)
    module = Module(session_id=session.id, title="Jour 1", phase="during", position=0)
    after = Module(session_id=session.id, title="Après", phase="after", position=0)
    db.add_all([module, after])
    db.flush()
    documents = [Activity(module_id=module.id or 0, kind="document", title=f"Lecture {i}", position=i) for i in (0, 1)]
    db.add_all(documents)
    db.commit()
    return World(
        org=org,
        session=session,
        documents=documents,
        staff=actor_for(db, staff),
        tutor=actor_for(db, tutor),
        stranger_tutor=actor_for(db, stranger_tutor),
        trainer=actor_for(db, trainer),
        a=a,
        b=b,
        c=c,
        outsider=outsider,
    )


def _tomorrow() -> str:
    return (paris_today() + timedelta(days=1)).isoformat()


def _create(db: Session, w: World, actor: Actor | None = None, **kw: object) -> Activity:
    values: dict[str, object] = {"title": "Point d'étape", "day": _tomorrow(), "start": "09:30", "end": "11:00"}
    values.update(kw)
    user_ids = values.pop("user_ids", [w.a.id, w.b.id])
    activity = virtual_class.create_for_learners(
        db,
        actor or w.tutor,
        w.session.id or 0,
        user_ids,  # type: ignore[arg-type]  # tests pass odd values on purpose
        **values,  # type: ignore[arg-type]
    )
    db.commit()
    return activity


def _slot(db: Session, activity: Activity) -> Slot:
    return db.exec(select(Slot).where(Slot.activity_id == activity.id)).one()


def _open_now(db: Session, slot: Slot) -> None:
    slot.starts_at, slot.ends_at = utcnow() - timedelta(minutes=10), utcnow() + timedelta(hours=1)
    db.add(slot)
    db.commit()


def _code(err: pytest.ExceptionInfo[PlumeError]) -> tuple[ErrorCode, str]:
    return err.value.code, err.value.field


def test_creates_module_activity_and_slot_in_paris_time_and_reuses_the_module(db: Session) -> None:
    w = _world(db, start=date(2026, 11, 2), end=date(2026, 11, 6))
    received: list[tuple[str, dict[str, object]]] = []

    def dispatcher(topic: str, event: dict[str, object]) -> None:
        received.append((topic, event))

    bus.install(dispatcher)
    try:
        first = _create(db, w, day="03/11/2026", start="9:30", end="11:00", title="  Point   d'étape ")
    finally:
        bus.uninstall(dispatcher)
    module = db.get(Module, first.module_id)
    assert module is not None
    assert (module.title, module.phase, module.position) == ("Classes virtuelles de tutorat", "during", 1)
    assert (first.kind, first.title) == ("virtual_class", "Point d'étape")
    settings = json.loads(first.settings_json)
    assert settings["invitees"] == sorted([w.a.id or 0, w.b.id or 0])
    assert settings["created_by"] == w.tutor.user_id
    assert settings["link"].startswith("https://meet.jit.si/plume-")
    slot = _slot(db, first)
    assert slot.session_id == w.session.id
    # November: Paris is UTC+1.
    assert slot.starts_at == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert slot.ends_at == datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
    assert (f"session:{w.session.id}", {"type": "timeline", "op": "add_activity"}) in received
    audit_row = db.exec(select(AuditRecord).where(AuditRecord.action == "tutoring.virtual_class")).one()
    assert audit_row.target == f"activity:{first.id}"

    second = _create(
        db, w, actor=w.staff, title="Bilan", day="2026-11-04", link="https://visio.example.test/room", user_ids=[w.c.id]
    )
    assert second.module_id == first.module_id
    assert second.position == first.position + 1
    assert json.loads(second.settings_json)["link"] == "https://visio.example.test/room"
    assert len(db.exec(select(Module).where(Module.title == "Classes virtuelles de tutorat")).all()) == 1


def test_summer_times_are_paris_summer_time(db: Session) -> None:
    w = _world(db, start=date(2026, 7, 1), end=date(2026, 7, 3))
    slot = _slot(db, _create(db, w, day="2026-07-02", start="14:00", end="15:15"))
    assert (slot.starts_at, slot.ends_at) == (
        datetime(2026, 7, 2, 12, 0, tzinfo=UTC),
        datetime(2026, 7, 2, 13, 15, tzinfo=UTC),
    )


def test_the_organisation_url_is_used_when_no_link_is_given(db: Session) -> None:
    w = _world(db)
    w.org.virtual_class_url = "https://teams.example.test/of"
    db.add(w.org)
    db.commit()
    activity = _create(db, w)
    assert json.loads(activity.settings_json)["link"] == ""
    _open_now(db, _slot(db, activity))
    learner = actor_for(db, w.a)
    slot_id = _slot(db, activity).id or 0
    actions.sign(db, learner, slot_id, DRAWING, "key-aaaaaaaa")
    assert sheet.sheet_view(db, learner, slot_id).meeting_link == "https://teams.example.test/of"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({"user_ids": []}, (ErrorCode.INVALID_INPUT, "learners")),
        ({"user_ids": "12"}, (ErrorCode.INVALID_INPUT, "learners")),
        ({"title": "   "}, (ErrorCode.TITLE_REQUIRED, "title")),
        ({"day": "31/02/2026"}, (ErrorCode.DATE_INVALID, "day")),
        ({"day": 20261103}, (ErrorCode.DATE_INVALID, "day")),
        ({"start": "25:00"}, (ErrorCode.TIME_INVALID, "start")),
        ({"end": "midi"}, (ErrorCode.TIME_INVALID, "end")),
        ({"start": "11:00", "end": "11:00"}, (ErrorCode.TIME_ORDER, "end")),
        ({"start": "11:00", "end": "09:30"}, (ErrorCode.TIME_ORDER, "end")),
        ({"day": "2020-01-01"}, (ErrorCode.SLOT_OUTSIDE_ACCESS, "day")),
        ({"link": "http://visio.example.test"}, (ErrorCode.LINK_INVALID_URL, "link")),
        ({"link": "javascript:alert(1)"}, (ErrorCode.LINK_INVALID_URL, "link")),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_written(
    db: Session, values: dict[str, object], expected: tuple[ErrorCode, str]
) -> None:
    w = _world(db)
    with pytest.raises(PlumeError) as err:
        _create(db, w, **values)  # type: ignore[arg-type]  # each case sets form fields only
    assert _code(err) == expected
    db.rollback()
    assert db.exec(select(Activity).where(Activity.kind == "virtual_class")).all() == []
    assert db.exec(select(OutboxEmail)).all() == []


def test_only_enrolled_learners_are_invited(db: Session) -> None:
    w = _world(db)
    activity = _create(db, w, user_ids=[w.a.id, w.outsider.id, 999_999, "7", True, w.a.id])
    assert json.loads(activity.settings_json)["invitees"] == [w.a.id]
    with pytest.raises(PlumeError) as err:
        _create(db, w, user_ids=[w.outsider.id, 999_999])
    assert _code(err) == (ErrorCode.INVALID_INPUT, "learners")


def test_only_staff_and_the_sessions_tutors_may_create_one(db: Session) -> None:
    w = _world(db)
    for actor in (w.stranger_tutor, w.trainer, actor_for(db, w.a)):
        with pytest.raises(PlumeError) as err:
            _create(db, w, actor=actor)
        assert err.value.code == ErrorCode.NOT_FOUND
    other_org = make_org(db)
    with pytest.raises(PlumeError) as err:
        _create(db, w, actor=actor_for(db, make_staff(db, other_org)))
    assert err.value.code == ErrorCode.NOT_FOUND
    assert _create(db, w, actor=w.staff).kind == "virtual_class"


def test_each_invitee_gets_an_email_with_an_ics_pointing_to_the_sheet(db: Session) -> None:
    w = _world(db)
    activity = _create(db, w)
    slot = _slot(db, activity)
    meeting = json.loads(activity.settings_json)["link"]
    rows = db.exec(select(OutboxEmail).order_by(col(OutboxEmail.id))).all()
    tutor = db.get(User, w.tutor.user_id)
    assert tutor is not None
    # The tutor who leads it is invited too; the session's trainer, not part of it, is not.
    assert sorted(r.to for r in rows) == sorted([w.a.email, w.b.email, tutor.email])
    sheet = f"http://plume.test/emargement/{slot.id}"
    by_address = {r.to: r for r in rows}
    for user in (w.a, w.b, tutor):
        row = by_address[user.email]
        assert (row.kind, row.organisation_id, row.status) == ("virtual_class_invitation", w.org.id, "pending")
        assert (row.attachment_name, row.attachment_type) == ("classe-virtuelle.ics", "text/calendar")
        assert sheet in row.body and meeting not in row.body
        ics = base64.b64decode(row.attachment_data)
        assert meeting.encode() not in ics
        calendar = Calendar.from_ical(ics)
        assert str(calendar["method"]) == "REQUEST"
        (event,) = calendar.walk("VEVENT")
        assert str(event["uid"]) == f"plume-virtual-class-{slot.id}-{user.id}@plume.test"
        assert event.decoded("sequence") == 0
        assert str(event["organizer"]) == f"mailto:{tutor.email}"
        assert str(event["organizer"].params["cn"]) == tutor.display_name
        assert str(event["url"]) == sheet
        assert str(event["summary"]) == "Point d'étape"
        assert event.decoded("dtstart") == slot.starts_at
        assert event.decoded("dtend") == slot.ends_at
        assert str(event["location"]) == sheet
        assert sheet in str(event["description"])
        assert str(event["attendee"]) == f"mailto:{user.email}"
        assert str(event["attendee"].params["role"]) == ("CHAIR" if user is tutor else "REQ-PARTICIPANT")
    assert by_address[w.a.email].subject.startswith("Classe virtuelle « Point d'étape »")
    assert by_address[w.b.email].subject.startswith('Virtual class "Point d\'étape"')
    assert "Bob" in by_address[w.b.email].body


def test_a_learner_not_invited_does_not_see_sign_or_appear_on_the_roster(db: Session) -> None:
    w = _world(db)
    activity = _create(db, w)
    slot = _slot(db, activity)
    _open_now(db, slot)
    slot_id = slot.id or 0
    a, c = actor_for(db, w.a), actor_for(db, w.c)

    def cards(actor: Actor) -> list[int]:
        view = session_view(db, actor, w.session.id or 0)
        return [card.id for m in view.modules for card in m.activities]

    def module_titles(actor: Actor) -> list[str]:
        return [m.title for m in session_view(db, actor, w.session.id or 0).modules]

    assert activity.id in cards(a)
    assert activity.id in cards(w.trainer) and activity.id in cards(w.tutor) and activity.id in cards(w.staff)
    assert activity.id not in cards(c)
    assert "Classes virtuelles de tutorat" not in module_titles(c)
    assert "Classes virtuelles de tutorat" in module_titles(a)

    for attempt in (
        lambda: sheet.sheet_view(db, c, slot_id),
        lambda: actions.sign(db, c, slot_id, DRAWING, "key-cccccccc"),
        lambda: activities.activity_detail(db, c, activity.id or 0),
        lambda: activities.opened(db, c, activity.id or 0),
        lambda: actions.sign_as(
            db, w.trainer, slot_id, w.c.id or 0, strokes=DRAWING, client_key="key-dddddddd", reason="Oubli"
        ),
        lambda: actions.mark(db, w.trainer, slot_id, w.c.id or 0, status="absent", comment=""),
    ):
        with pytest.raises(PlumeError) as err:
            attempt()
        assert err.value.code == ErrorCode.NOT_FOUND

    assert [s.slot_id for s in summaries.open_sheets(db, a)] == [slot_id]
    assert summaries.open_sheets(db, c) == []
    # The class is the tutor's: she is on its sheet as the one who leads it, the session's trainer is not.
    board = sheet.sheet_view(db, w.trainer, slot_id)
    assert {(r.user_id, r.role) for r in board.rows} == {
        (w.a.id, "learner"),
        (w.b.id, "learner"),
        (w.tutor.user_id, "trainer"),
    }
    assert set(sheet.load_sheet(db, slot).people) == {w.a.id, w.b.id, w.tutor.user_id}
    detail = activities.activity_detail(db, w.trainer, activity.id or 0)
    assert sorted(line.email for line in detail.learners) == sorted([w.a.email, w.b.email])

    record = actions.sign(db, a, slot_id, DRAWING, "key-aaaaaaaa")
    assert record.subject_user_id == w.a.id


def test_the_link_stays_behind_signing_except_for_the_tutor_who_runs_the_class(db: Session) -> None:
    w = _world(db)
    activity = _create(db, w, link="https://visio.example.test/room")
    slot = _slot(db, activity)
    _open_now(db, slot)
    a = actor_for(db, w.a)
    assert sheet.sheet_view(db, a, slot.id or 0).meeting_link == ""
    actions.sign(db, a, slot.id or 0, DRAWING, "key-aaaaaaaa")
    assert sheet.sheet_view(db, a, slot.id or 0).meeting_link == "https://visio.example.test/room"
    assert sheet.sheet_view(db, w.tutor, slot.id or 0).meeting_link == "https://visio.example.test/room"
    assert sheet.sheet_view(db, w.staff, slot.id or 0).meeting_link == ""


def test_a_learner_not_invited_keeps_their_progress(db: Session) -> None:
    w = _world(db)
    for user in (w.a, w.c):
        db.add(ActivityCompletion(activity_id=w.documents[0].id or 0, user_id=user.id or 0))
    db.flush()
    progress.refresh(db, w.session.id or 0)
    db.commit()

    def percent(user: User) -> int:
        row = db.exec(select(Enrolment).where(Enrolment.session_id == w.session.id, Enrolment.user_id == user.id)).one()
        db.refresh(row)
        return row.progress

    assert (percent(w.a), percent(w.c)) == (50, 50)
    activity = _create(db, w, user_ids=[w.a.id, w.b.id])
    assert (percent(w.a), percent(w.c)) == (33, 50)
    progress.refresh(db, w.session.id or 0)
    db.commit()
    assert (percent(w.a), percent(w.c)) == (33, 50)
    assert progress.learner_progress(db, w.session.id or 0, w.c.id or 0).percent == 50
    assert progress.learner_progress(db, w.session.id or 0, w.a.id or 0).percent == 33

    # A completion recorded for someone not invited (a stray row) does not count either.
    db.add(ActivityCompletion(activity_id=activity.id or 0, user_id=w.c.id or 0))
    db.add(ActivityCompletion(activity_id=activity.id or 0, user_id=w.a.id or 0))
    db.flush()
    progress.refresh(db, w.session.id or 0)
    db.commit()
    assert (percent(w.a), percent(w.c)) == (67, 50)

    report = tutoring.learner_report(db, w.tutor, w.session.id or 0, w.c.id or 0)
    assert report.progress == 50
    assert "Point d'étape" not in [line.title for line in report.lessons]
    assert "Point d'étape" in [
        line.title for line in tutoring.learner_report(db, w.tutor, w.session.id or 0, w.a.id or 0).lessons
    ]
    with pytest.raises(PlumeError) as err:
        progress.edit_stats(
            db, w.tutor, w.session, user_id=w.c.id or 0, activity_id=activity.id or 0, values={"status": "completed"}
        )
    assert err.value.code == ErrorCode.NOT_FOUND


def test_the_next_slot_on_a_learners_home_is_one_of_theirs(db: Session) -> None:
    w = _world(db)
    activity = _create(db, w)
    slot = _slot(db, activity)

    def next_slot(user: User) -> str:
        sections = home.home_sections(db, actor_for(db, user))
        (card,) = [c for s in (sections.in_progress, sections.upcoming) for c in s if c.id == w.session.id]
        return card.next_slot

    assert next_slot(w.a) == slot.starts_at.astimezone(home.PARIS).isoformat()
    assert next_slot(w.c) == ""


def test_confirming_a_session_leaves_the_invitees_classes_out_of_everyones_ics(db: Session) -> None:
    w = _world(db, status="draft")
    room = Activity(module_id=w.documents[0].module_id, kind="in_person", title="Matin", position=5)
    db.add(room)
    db.flush()
    start = datetime.combine(paris_today() + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    db.add(Slot(session_id=w.session.id or 0, activity_id=room.id, starts_at=start, ends_at=start + timedelta(hours=3)))
    db.commit()
    slot = _slot(db, _create(db, w))
    for row in db.exec(select(OutboxEmail)).all():
        db.delete(row)
    db.commit()
    advance_status(db, w.staff, w.session.id or 0, "active")
    db.commit()
    rows = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "session_confirmation")).all()
    assert rows
    for row in rows:
        ics = base64.b64decode(row.attachment_data).decode()
        assert f"plume-slot-{slot.id}@plume" not in ics
        assert "plume-slot-" in ics


def test_a_class_may_be_planned_within_the_courses_access_period(db: Session) -> None:
    w = _world(db, start=date(2026, 11, 2), end=date(2026, 11, 6))
    w.session.availability_ends_on = date(2027, 3, 31)
    db.add(w.session)
    db.commit()
    # Months after the session's last day, still within the access period: accepted.
    slot = _slot(db, _create(db, w, day="15/03/2027", start="18:00", end="19:00"))
    assert slot.starts_at == datetime(2027, 3, 15, 17, 0, tzinfo=UTC)
    assert _slot(db, _create(db, w, day="2027-03-31")).starts_at.date() == date(2027, 3, 31)
    for day in ("2027-04-01", "2026-11-01"):
        with pytest.raises(PlumeError) as err:
            _create(db, w, day=day)
        assert _code(err) == (ErrorCode.SLOT_OUTSIDE_ACCESS, "day")
        assert err.value.params == {"first": "02/11/2026", "last": "31/03/2027"}
        db.rollback()
    # Without an access end, the session's own dates.
    w.session.availability_ends_on = None
    db.add(w.session)
    db.commit()
    with pytest.raises(PlumeError) as err:
        _create(db, w, day="2026-11-07")
    assert err.value.params == {"first": "02/11/2026", "last": "06/11/2026"}


def test_the_tutor_leads_her_class_the_trainer_is_not_part_of_it(db: Session) -> None:
    w = _world(db)
    activity = _create(db, w, link="https://visio.example.test/room")
    slot = _slot(db, activity)
    slot_id = slot.id or 0
    # Before it runs, nobody gets the link, the tutor neither.
    assert sheet.sheet_view(db, w.tutor, slot_id).meeting_link == ""
    _open_now(db, slot)
    view = sheet.sheet_view(db, w.tutor, slot_id)
    # She is on the sheet as the one who leads it, runs its board and starts the meeting before signing.
    assert (view.signer_role, view.manages, view.sees_board, view.can_sign) == ("trainer", True, True, True)
    assert view.meeting_link == "https://visio.example.test/room"
    assert view.led_by_creator  # the sheet says "Animée par", not "Formateurs"
    assert sheet.sheet_view(db, w.trainer, slot_id).signer_role == ""
    with pytest.raises(PlumeError) as err:
        actions.sign(db, w.trainer, slot_id, DRAWING, "key-tttttttt")
    assert err.value.code == ErrorCode.SIGNING_NOT_ALLOWED
    with pytest.raises(PlumeError) as err:
        actions.certify(db, w.trainer, slot_id)
    assert err.value.code == ErrorCode.NOT_FOUND
    # Another tutor of the organisation, not positioned, does not reach it; a tutor positioned but not its creator
    # does not lead it.
    with pytest.raises(PlumeError):
        sheet.sheet_view(db, w.stranger_tutor, slot_id)
    other_tutor = make_member(db, w.org, "tutor")
    assign_tutor(db, w.session, other_tutor)
    other = sheet.sheet_view(db, actor_for(db, other_tutor), slot_id)
    assert (other.signer_role, other.manages, other.meeting_link) == ("", False, "")

    record = actions.sign(db, w.tutor, slot_id, DRAWING, "key-uuuuuuuu")
    assert (record.subject_user_id, record.subject_role) == (w.tutor.user_id, "trainer")
    actions.mark(db, w.tutor, slot_id, w.b.id or 0, status="absent", comment="")
    actions.sign(db, actor_for(db, w.a), slot_id, DRAWING, "key-aaaaaaaa")
    certified = actions.certify(db, w.tutor, slot_id)
    assert certified.recorded_by_id == w.tutor.user_id
    board = {r.user_id: r.status for r in sheet.sheet_view(db, w.tutor, slot_id).rows}
    assert board == {w.tutor.user_id: "present", w.a.id: "present", w.b.id: "absent"}
    _, pdf = attendance_pdf.slot_sheet_pdf(db, w.staff, slot_id)
    text = "".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Animée par" in text and "Formateurs" not in text


def test_a_sessions_own_virtual_class_keeps_its_trainers(db: Session) -> None:
    w = _world(db)
    room = Activity(module_id=w.documents[0].module_id, kind="virtual_class", title="Plénière", position=9)
    db.add(room)
    db.flush()
    slot = Slot(session_id=w.session.id or 0, activity_id=room.id, starts_at=utcnow(), ends_at=utcnow())
    db.add(slot)
    db.commit()
    _open_now(db, slot)
    assert sheet.sheet_view(db, w.trainer, slot.id or 0).signer_role == "trainer"
    assert sheet.sheet_view(db, w.tutor, slot.id or 0).signer_role == ""
    assert set(sheet.load_sheet(db, slot).people) == {w.trainer.user_id, w.a.id, w.b.id, w.c.id}
