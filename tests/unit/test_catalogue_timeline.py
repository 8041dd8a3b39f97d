import base64
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import Session, col, select

from app.models import Activity, Module, Notification, OutboxEmail, Slot, TrainingSession
from app.services import catalogue, home, timeline
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions.modules import move_module, ordered_modules
from app.services.sessions.people import enrol_learner, position_trainer, session_people
from app.services.sessions.status import advance_status
from tests.factories import actor_for, make_learner, make_org, make_staff, make_trainer


def _staff(db: Session):
    org = make_org(db, "Horizon")
    return org, actor_for(db, make_staff(db, org))


def _course_with_template(db: Session, staff) -> int:
    course = catalogue.create_course(db, staff, catalogue.CourseForm(title="  Excel   avancé ", remote_hours="3,5"))
    m1 = timeline.add_module(db, staff, course_id=course.id, title="Jour 1", phase="during")
    timeline.add_module(db, staff, course_id=course.id, title="Attentes", phase="before")
    timeline.add_activity(db, staff, m1.id or 0, kind="in_person", title="Journée en salle")
    timeline.set_opening_rule(db, staff, m1.id or 0, "after_previous")
    db.commit()
    return course.id or 0


def _form(course_id: int, **kw: str) -> catalogue.SessionForm:
    today = home.paris_today()
    data = {"title": "Groupe 1", "starts_on": today.isoformat(), "ends_on": (today + timedelta(days=1)).isoformat()}
    data.update(kw)
    return catalogue.SessionForm(course_id=course_id, **data)  # type: ignore[arg-type]


def test_course_fields_are_validated(db: Session) -> None:
    _, staff = _staff(db)
    course = catalogue.create_course(db, staff, catalogue.CourseForm(title="  Excel   avancé ", remote_hours="3,5"))
    assert (course.title, course.remote_hours) == ("Excel avancé", 3.5)
    for form, field in (
        (catalogue.CourseForm(title=" "), "title"),
        (catalogue.CourseForm(title="X", in_person_hours="beaucoup"), "in_person_hours"),
        (catalogue.CourseForm(title="X", remote_hours="-2"), "remote_hours"),
    ):
        with pytest.raises(PlumeError) as err:
            catalogue.create_course(db, staff, form)
        assert err.value.field == field


def test_creating_a_session_copies_the_template_timeline(db: Session) -> None:
    _, staff = _staff(db)
    course_id = _course_with_template(db, staff)
    session = catalogue.create_session(db, staff, _form(course_id))
    db.commit()
    modules = ordered_modules(db, session.id or 0)
    assert [(m.title, m.phase, m.opening_rule) for m in modules] == [
        ("Attentes", "before", "always"),
        ("Jour 1", "during", "after_previous"),
    ]
    copied = db.exec(select(Activity).where(Activity.module_id == modules[1].id)).all()
    assert [a.title for a in copied] == ["Journée en salle"]
    assert len(timeline.template_modules(db, course_id)) == 2
    assert session.status == "draft"


def test_session_dates_must_be_in_order_and_nothing_is_saved_otherwise(db: Session) -> None:
    _, staff = _staff(db)
    course_id = _course_with_template(db, staff)
    today = home.paris_today()
    with pytest.raises(PlumeError) as err:
        catalogue.create_session(db, staff, _form(course_id, ends_on=(today - timedelta(days=1)).isoformat()))
    assert (err.value.code, err.value.field) == (ErrorCode.DATES_ORDER, "ends_on")
    with pytest.raises(PlumeError) as err:
        catalogue.create_session(db, staff, _form(course_id, starts_on="31/02/2026"))
    assert err.value.code == ErrorCode.DATE_INVALID
    db.rollback()
    assert db.exec(select(TrainingSession)).all() == []


def _session_with_people(db: Session):
    org, staff = _staff(db)
    course_id = _course_with_template(db, staff)
    session = catalogue.create_session(db, staff, _form(course_id))
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    db.commit()
    return org, staff, session, trainer, learner


def test_trainers_cannot_change_opening_rules_or_dates(db: Session) -> None:
    _, staff, session, trainer, _ = _session_with_people(db)
    position_trainer(db, staff, session.id or 0, trainer.id or 0)
    db.commit()
    module = ordered_modules(db, session.id or 0)[1]
    trainer_actor = actor_for(db, trainer)
    for call in (
        lambda: timeline.set_opening_rule(db, trainer_actor, module.id or 0, "always"),
        lambda: timeline.rename_module(db, trainer_actor, module.id or 0, "Autre"),
        lambda: move_module(db, trainer_actor, module.id or 0, -1),
    ):
        with pytest.raises(PlumeError) as err:
            call()
        assert err.value.code == ErrorCode.NOT_FOUND
    copy = timeline.duplicate_module(db, trainer_actor, module.id or 0)
    assert copy.title == "Jour 1 (copie)"
    timeline.delete_module(db, trainer_actor, copy.id or 0)
    db.commit()
    assert [m.title for m in ordered_modules(db, session.id or 0)] == ["Attentes", "Jour 1"]


def test_a_module_cannot_open_before_the_session_starts(db: Session) -> None:
    _, staff, session, _, _ = _session_with_people(db)
    module = ordered_modules(db, session.id or 0)[1]
    with pytest.raises(PlumeError) as err:
        timeline.set_opening_rule(
            db, staff, module.id or 0, "date", (session.starts_on - timedelta(days=1)).isoformat()
        )
    assert (err.value.code, err.value.field) == (ErrorCode.MODULE_OPENS_BEFORE_SESSION, "opens_on")
    timeline.set_opening_rule(db, staff, module.id or 0, "date", session.starts_on.isoformat())


def test_activation_e_mails_everyone_a_valid_ics(db: Session) -> None:
    _, staff, session, trainer, learner = _session_with_people(db)
    sid = session.id or 0
    position_trainer(db, staff, sid, trainer.id or 0)
    enrol_learner(db, staff, sid, learner.id or 0, "mandatory")
    with pytest.raises(PlumeError) as err:
        advance_status(db, staff, sid, "active")
    assert err.value.code == ErrorCode.NO_SLOTS
    activity = db.exec(select(Activity).where(Activity.kind == "in_person").order_by(col(Activity.id))).all()[-1]
    with pytest.raises(PlumeError) as err:
        timeline.schedule(
            db, staff, activity.id or 0, day=(session.ends_on + timedelta(days=3)).isoformat(), half_day="morning"
        )
    assert err.value.code == ErrorCode.SLOT_OUTSIDE_SESSION
    timeline.schedule(
        db, staff, activity.id or 0, day=session.starts_on.isoformat(), half_day="afternoon", room="Salle 2"
    )
    with pytest.raises(PlumeError):
        advance_status(db, staff, sid, "finished")
    advance_status(db, staff, sid, "active")
    db.commit()
    mails = db.exec(select(OutboxEmail).where(OutboxEmail.kind == "session_confirmation")).all()
    assert sorted(m.to for m in mails) == sorted([trainer.email, learner.email])
    calendar = Calendar.from_ical(base64.b64decode(mails[0].attachment_data))
    events = [c for c in calendar.walk("VEVENT")]
    slot = db.exec(select(Slot).where(Slot.session_id == sid)).one()
    assert len(events) == 1 and events[0].decoded("dtstart") == slot.starts_at
    assert mails[0].attachment_name == "votre-session.ics" and "Ouvrir" in mails[0].body_html
    assert db.exec(select(Notification).where(Notification.user_id == trainer.id)).one().link == f"/sessions/{sid}"


def test_enrolment_respects_the_maximum(db: Session) -> None:
    org, staff = _staff(db)
    course_id = _course_with_template(db, staff)
    session = catalogue.create_session(db, staff, _form(course_id, max_participants="1"))
    first, second = make_learner(db, org), make_learner(db, org)
    enrol_learner(db, staff, session.id or 0, first.id or 0, "free")
    with pytest.raises(PlumeError) as err:
        enrol_learner(db, staff, session.id or 0, second.id or 0, "free")
    assert err.value.code == ErrorCode.SESSION_FULL and err.value.params["max"] == "1"
    other = make_org(db)
    with pytest.raises(PlumeError) as err:
        enrol_learner(db, staff, session.id or 0, make_learner(db, other).id or 0, "free")
    assert err.value.code == ErrorCode.NOT_FOUND


def test_duplicate_and_move_activities(db: Session) -> None:
    _, staff, session, _, _ = _session_with_people(db)
    module = ordered_modules(db, session.id or 0)[1]
    first = db.exec(select(Activity).where(Activity.module_id == module.id)).one()
    second = timeline.add_activity(db, staff, module.id or 0, kind="document", title="Supports")
    copy = timeline.duplicate_activity(db, staff, first.id or 0)

    def order() -> list[str]:
        query = select(Activity).where(Activity.module_id == module.id).order_by(Activity.position)  # type: ignore[arg-type]
        return [a.title for a in db.exec(query).all()]

    assert order() == ["Journée en salle", "Journée en salle (copie)", "Supports"]
    timeline.move_activity(db, staff, second.id or 0, -1)
    assert order() == ["Journée en salle", "Supports", "Journée en salle (copie)"]
    timeline.delete_activity(db, staff, copy.id or 0)
    assert order() == ["Journée en salle", "Supports"]
    with pytest.raises(PlumeError):
        timeline.add_activity(db, staff, module.id or 0, kind="hologram", title="X")
    assert db.exec(select(Module)).all()


def test_course_thumbnail_is_an_image_shown_to_members_only(db: Session, tmp_path, monkeypatch) -> None:
    from app.services import documents
    from app.settings import reset_settings

    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    reset_settings()
    org, staff = _staff(db)
    course = catalogue.create_course(db, staff, catalogue.CourseForm(title="Excel"))
    png = b"\x89PNG\r\n\x1a\n" + bytes(32)
    with pytest.raises(PlumeError) as err:
        documents.store_course_image(db, staff, course_id=course.id or 0, name="vignette.pdf", data=b"%PDF-1.4 x")
    assert err.value.code == ErrorCode.DOCUMENT_TYPE
    documents.store_course_image(db, staff, course_id=course.id or 0, name="vignette.png", data=png)
    db.commit()
    assert catalogue.list_courses(db, staff)[0].image == f"/api/courses/{course.id}/image"
    path, content_type = documents.open_course_image(db, actor_for(db, make_learner(db, org)), course.id or 0)
    assert (path.read_bytes(), content_type) == (png, "image/png")
    with pytest.raises(PlumeError):
        documents.open_course_image(db, actor_for(db, make_learner(db, make_org(db))), course.id or 0)
    with pytest.raises(PlumeError):
        documents.store_course_image(
            db, actor_for(db, make_trainer(db, org)), course_id=course.id or 0, name="v.png", data=png
        )


def test_drag_and_drop_an_activity_within_and_across_modules(db: Session) -> None:
    _, staff, session, trainer, _ = _session_with_people(db)
    first, second = ordered_modules(db, session.id or 0)
    a = db.exec(select(Activity).where(Activity.module_id == second.id)).one()
    b = timeline.add_activity(db, staff, second.id or 0, kind="document", title="Supports")
    c = timeline.add_activity(db, staff, first.id or 0, kind="poll", title="Sondage")
    db.commit()

    def titles(module: Module) -> list[str]:
        query = select(Activity).where(Activity.module_id == module.id).order_by(Activity.position)  # type: ignore[arg-type]
        return [x.title for x in db.exec(query).all()]

    timeline.place_activity(db, staff, b.id or 0, a.id or 0)
    assert titles(second) == ["Supports", "Journée en salle"]
    timeline.place_activity(db, staff, c.id or 0, a.id or 0)
    assert titles(second) == ["Supports", "Sondage", "Journée en salle"] and titles(first) == []
    with pytest.raises(PlumeError):
        timeline.place_activity(db, actor_for(db, trainer), a.id or 0, b.id or 0)


def test_people_lists_are_capped_and_searchable(db: Session) -> None:
    org, staff, session, _, learner = _session_with_people(db)
    others = [make_learner(db, org, last_name=f"Zed{n:02d}") for n in range(5)]
    enrol_learner(db, staff, session.id or 0, others[0].id or 0, "free")
    enrol_learner(db, staff, session.id or 0, others[1].id or 0, "free")
    db.commit()
    people = session_people(db, staff, session.id or 0, limit=1)
    assert (len(people.learners), people.learner_count, len(people.learner_choices)) == (1, 2, 1)
    found = session_people(db, staff, session.id or 0, query="zed04")
    assert [p.user_id for p in found.learner_choices] == [others[4].id]
    helene = make_learner(db, org, first_name="Hélène", last_name="Zéphir")
    db.commit()
    found = session_people(db, staff, session.id or 0, query="HELENE")
    assert [p.user_id for p in found.learner_choices] == [helene.id]
    assert learner.id in [p.user_id for p in session_people(db, staff, session.id or 0).learner_choices]


def test_hours_take_decimals_with_a_comma_and_a_refusal_says_the_range(db: Session) -> None:
    from app.i18n import error_text

    _, staff = _staff(db)
    for typed, stored in (("2,5", 2.5), ("2.5", 2.5), (" 7 ", 7.0), ("", 0.0)):
        course = catalogue.create_course(db, staff, catalogue.CourseForm(title="Excel", in_person_hours=typed))
        assert course.in_person_hours == stored
    for typed in ("10001", "-0,5", "nan", "inf", "2,5h"):
        with pytest.raises(PlumeError) as err:
            catalogue.create_course(db, staff, catalogue.CourseForm(title="X", in_person_hours=typed))
        assert (err.value.code, err.value.field) == (ErrorCode.HOURS_RANGE, "in_person_hours")
    assert "2,5" in error_text("fr", ErrorCode.HOURS_RANGE.value)
    assert "10 000" in error_text("fr", ErrorCode.HOURS_RANGE.value)
