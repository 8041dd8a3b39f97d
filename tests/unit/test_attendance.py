"""Attendance: the signing window, idempotency, sign-as, marks, certification, corrections, the chain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.i18n import error_text
from app.models import Activity, AttendanceRecord, Module, Organisation, Slot, TrainingSession, User
from app.models.base import utcnow
from app.services.actor import Actor
from app.services.attendance import actions, chain, drawing, sheet, summaries, window
from app.services.attendance import chain as attendance_chain
from app.services.errors import ErrorCode, PlumeError
from app.services.home import paris_today
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer

DRAWING = "10,10 200,120 380,40|400,300 420,310"


@dataclass
class World:
    org: Organisation
    session: TrainingSession
    slot: Slot
    virtual: Slot
    trainer: Actor
    learner: Actor
    other: Actor
    staff: Actor
    outsider: Actor
    third: Actor
    learner_user: User
    other_user: User


def _world(db: Session, *, starts_in: timedelta = timedelta(minutes=-10)) -> World:
    org = make_org(db)
    staff, trainer = make_staff(db, org), make_trainer(db, org)
    learner, other, outsider, third = (make_learner(db, org) for _ in range(4))
    today = paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=1),
        end=today + timedelta(days=1),
        trainers=(trainer,),
        learners=(learner, other, third),
    )
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add(module)
    db.flush()
    room = Activity(module_id=module.id or 0, kind="in_person", title="Séance du matin")
    remote = Activity(
        module_id=module.id or 0,
        kind="virtual_class",
        title="Classe virtuelle",
        settings_json='{"link": "https://meet.jit.si/plume-x"}',
    )
    db.add_all([room, remote])
    db.flush()
    start = utcnow() + starts_in
    slot = Slot(session_id=session.id or 0, activity_id=room.id, starts_at=start, ends_at=start + timedelta(hours=3))
    virtual = Slot(
        session_id=session.id or 0, activity_id=remote.id, starts_at=start, ends_at=start + timedelta(hours=2)
    )
    db.add_all([slot, virtual])
    db.commit()
    return World(
        org=org,
        session=session,
        slot=slot,
        virtual=virtual,
        trainer=actor_for(db, trainer),
        learner=actor_for(db, learner),
        other=actor_for(db, other),
        staff=actor_for(db, staff),
        outsider=actor_for(db, outsider),
        third=actor_for(db, third),
        learner_user=learner,
        other_user=other,
    )


def _code(err: pytest.ExceptionInfo[PlumeError]) -> ErrorCode:
    return err.value.code


def test_strokes_are_validated_and_rendered_by_us(db: Session) -> None:
    strokes = drawing.parse_strokes(DRAWING)
    assert strokes == [[(10, 10), (200, 120), (380, 40)], [(400, 300), (420, 310)]]
    svg = drawing.render_svg(strokes)
    assert svg.startswith("<svg") and "M10 10L200 120L380 40" in svg
    assert drawing.svg_strokes(svg) == strokes
    for empty in ("", "   ", "5,5", "5,5 6,6"):
        with pytest.raises(PlumeError) as err:
            drawing.parse_strokes(empty)
        assert _code(err) == ErrorCode.SIGNATURE_EMPTY
    for bad in ("<script>", "10,10 2000,10", "10;10 20,20", 42, "1,1 " * 7000):
        with pytest.raises(PlumeError) as err:
            drawing.parse_strokes(bad)
        assert _code(err) == ErrorCode.INVALID_INPUT


def test_window_opens_before_start_and_closes_at_end(db: Session) -> None:
    w = _world(db)
    w.org.signing_window_minutes = 30
    slot = w.slot
    assert window.window_state(w.org, slot, slot.starts_at - timedelta(minutes=31)) == "before"
    assert window.window_state(w.org, slot, slot.starts_at - timedelta(minutes=30)) == "open"
    assert window.window_state(w.org, slot, slot.ends_at) == "open"
    assert window.window_state(w.org, slot, slot.ends_at + timedelta(seconds=1)) == "closed"
    w.org.signing_window_minutes = 0
    assert window.window_state(w.org, slot, slot.starts_at - timedelta(minutes=1)) == "before"


def test_learner_signs_once_and_a_retry_returns_the_same_signature(db: Session) -> None:
    w = _world(db)
    first = actions.sign(db, w.learner, w.slot.id or 0, DRAWING, "key-aaaaaaaa", user_agent="Phone")
    again = actions.sign(db, w.learner, w.slot.id or 0, "1,1 300,300", "key-bbbbbbbb")
    assert again.id == first.id
    rows = db.exec(select(AttendanceRecord).where(AttendanceRecord.kind == "signature")).all()
    assert len(rows) == 1
    assert rows[0].subject_user_id == w.learner.user_id and rows[0].user_agent == "Phone"
    assert rows[0].signature_sha256 == chain.sha256_text(rows[0].signature_svg)
    view = sheet.sheet_view(db, w.learner, w.slot.id or 0)
    assert view.signed and not view.can_sign and view.rows == [] and view.my_status == "present"


def test_signing_outside_the_window_or_the_session_is_refused(db: Session) -> None:
    w = _world(db, starts_in=timedelta(hours=2))
    with pytest.raises(PlumeError) as err:
        actions.sign(db, w.learner, w.slot.id or 0, DRAWING, "k" * 10)
    assert _code(err) == ErrorCode.SIGNING_NOT_OPEN and err.value.params["time"]
    w.slot.starts_at, w.slot.ends_at = utcnow() - timedelta(hours=4), utcnow() - timedelta(hours=1)
    db.add(w.slot)
    db.commit()
    with pytest.raises(PlumeError) as err:
        actions.sign(db, w.learner, w.slot.id or 0, DRAWING, "k" * 10)
    assert _code(err) == ErrorCode.SIGNING_CLOSED
    with pytest.raises(PlumeError) as err:
        actions.sign(db, w.outsider, w.slot.id or 0, DRAWING, "k" * 10)
    assert _code(err) == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:
        actions.sign(db, w.staff, w.slot.id or 0, DRAWING, "k" * 10)
    assert _code(err) == ErrorCode.SIGNING_NOT_ALLOWED
    assert db.exec(select(AttendanceRecord)).all() == []


def test_board_sign_as_marks_certification_and_corrections(db: Session) -> None:
    w = _world(db)
    sid = w.slot.id or 0
    actions.sign(db, w.learner, sid, DRAWING, "k" * 10)
    board = sheet.sheet_view(db, w.trainer, sid)
    assert board.sees_board and board.manages
    by_name = {r.user_id: r for r in board.rows}
    assert by_name[w.learner.user_id].status == "present" and by_name[w.learner.user_id].signed_at
    assert by_name[w.other.user_id].status == "unsigned"
    with pytest.raises(PlumeError) as err:
        actions.sign_as(db, w.trainer, sid, w.other.user_id, strokes=DRAWING, client_key="k" * 10, reason="  ")
    assert _code(err) == ErrorCode.REASON_REQUIRED
    with pytest.raises(PlumeError) as err:  # learners cannot sign for someone else
        actions.sign_as(db, w.learner, sid, w.other.user_id, strokes=DRAWING, client_key="k" * 10, reason="raison")
    assert _code(err) == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:  # nor for someone outside the session
        actions.sign_as(db, w.trainer, sid, w.outsider.user_id, strokes=DRAWING, client_key="k" * 10, reason="raison")
    assert _code(err) == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:
        actions.mark(db, w.trainer, sid, w.learner.user_id, status="absent", comment="")
    assert _code(err) == ErrorCode.ALREADY_SIGNED
    actions.mark(db, w.trainer, sid, w.learner.user_id, status="late", comment="Arrivé à 9 h 20")
    with pytest.raises(PlumeError) as err:
        actions.certify(db, w.trainer, sid)
    assert _code(err) == ErrorCode.TRAINER_SIGNATURE_REQUIRED
    actions.sign(db, w.trainer, sid, DRAWING, "k" * 10)
    proxied = actions.sign_as(
        db, w.trainer, sid, w.other.user_id, strokes=DRAWING, client_key="k" * 10, reason="Téléphone déchargé"
    )
    assert proxied.on_trainer_device and proxied.recorded_by_id == w.trainer.user_id and proxied.reason
    with pytest.raises(PlumeError) as err:  # only trainers certify
        actions.certify(db, w.staff, sid)
    assert _code(err) == ErrorCode.NOT_FOUND
    actions.certify(db, w.trainer, sid)
    for call in (
        lambda: actions.sign(db, w.third, sid, DRAWING, "k" * 10),
        lambda: actions.mark(db, w.trainer, sid, w.other.user_id, status="late", comment=""),
    ):
        with pytest.raises(PlumeError) as err:
            call()
        assert _code(err) == ErrorCode.SHEET_CERTIFIED
    actions.correct(db, w.staff, sid, w.other.user_id, status="absent", reason="Parti à 10 h, signature par erreur")
    view = sheet.sheet_view(db, w.trainer, sid)
    rows = {r.user_id: r for r in view.rows}
    assert view.certified and view.certified_by and not view.can_certify
    assert rows[w.learner.user_id].status == "late" and rows[w.learner.user_id].mark_comment == "Arrivé à 9 h 20"
    assert rows[w.other.user_id].status == "absent" and rows[w.other.user_id].on_trainer_device
    assert rows[w.other.user_id].correction == "absent" and rows[w.trainer.user_id].status == "present"
    correction = db.exec(select(AttendanceRecord).where(AttendanceRecord.kind == "correction")).one()
    assert correction.corrects_id == proxied.id
    assert attendance_chain.verify_chain(db).ok


def test_virtual_class_link_only_after_signing(db: Session) -> None:
    w = _world(db)
    vid = w.virtual.id or 0
    assert sheet.sheet_view(db, w.learner, vid).meeting_link == ""
    assert sheet.sheet_view(db, w.trainer, vid).meeting_link == ""
    actions.sign(db, w.learner, vid, DRAWING, "k" * 10)
    assert sheet.sheet_view(db, w.learner, vid).meeting_link == "https://meet.jit.si/plume-x"
    assert sheet.sheet_view(db, w.other, vid).meeting_link == ""
    assert sheet.sheet_view(db, w.staff, vid).meeting_link == ""


def test_qr_codes_rotate_and_expire(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1_000_000.0]
    monkeypatch.setattr(window.time, "time", lambda: now[0])
    code = window.qr_code(7)
    assert window.qr_valid(7, code) and not window.qr_valid(8, code)
    now[0] += 30
    assert window.qr_valid(7, code)  # a slow scan still counts
    assert window.qr_code(7) != code
    now[0] += 30
    assert not window.qr_valid(7, code)
    assert not window.qr_valid(7, "x" * 20) and not window.qr_valid(7, None)


def _chain(db: Session) -> list[AttendanceRecord]:
    w = _world(db)
    sid = w.slot.id or 0
    actions.sign(db, w.learner, sid, DRAWING, "k" * 10)
    actions.sign(db, w.other, sid, DRAWING, "k" * 10)
    actions.sign(db, w.trainer, sid, DRAWING, "k" * 10)
    actions.certify(db, w.trainer, sid)
    report = attendance_chain.verify_chain(db)
    assert report.ok and report.records == 4
    return list(db.exec(select(AttendanceRecord).order_by(AttendanceRecord.seq)).all())


def test_chain_reports_an_edited_record(db: Session) -> None:
    rows = _chain(db)
    db.execute(
        text("UPDATE attendancerecord SET subject_user_id = :u WHERE id = :i"),
        {"u": rows[2].subject_user_id, "i": rows[1].id},
    )
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "edited" and report.record_id == rows[1].id


def test_chain_reports_an_edited_signature_image(db: Session) -> None:
    rows = _chain(db)
    db.execute(text("UPDATE attendancerecord SET signature_svg = '<svg/>' WHERE id = :i"), {"i": rows[0].id})
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "signature_edited" and report.record_id == rows[0].id


def test_chain_reports_a_deleted_record(db: Session) -> None:
    rows = _chain(db)
    db.execute(text("DELETE FROM attendancerecord WHERE id = :i"), {"i": rows[1].id})
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "deleted" and report.record_id == rows[2].id


def test_chain_reports_the_last_record_deleted(db: Session) -> None:
    rows = _chain(db)
    db.execute(text("DELETE FROM attendancerecord WHERE id = :i"), {"i": rows[-1].id})
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "head"


def test_chain_reports_reordered_records(db: Session) -> None:
    rows = _chain(db)
    (a_id, a_seq), (b_id, b_seq) = (rows[1].id, rows[1].seq), (rows[2].id, rows[2].seq)
    db.execute(text("UPDATE attendancerecord SET seq = -1 WHERE id = :i"), {"i": a_id})
    db.execute(text("UPDATE attendancerecord SET seq = :s WHERE id = :i"), {"s": a_seq, "i": b_id})
    db.execute(text("UPDATE attendancerecord SET seq = :s WHERE id = :i"), {"s": b_seq, "i": a_id})
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "reordered" and (report.record_id, report.seq) == (b_id, a_seq)


def test_chain_reports_rows_swapped_under_their_ids(db: Session) -> None:
    rows = _chain(db)
    a, b = rows[0], rows[1]
    db.execute(text("UPDATE attendancerecord SET id = -1 WHERE id = :i"), {"i": a.id})
    db.execute(text("UPDATE attendancerecord SET id = :n WHERE id = :i"), {"n": a.id, "i": b.id})
    db.execute(text("UPDATE attendancerecord SET id = :n WHERE id = -1"), {"n": b.id})
    db.commit()
    report = attendance_chain.verify_chain(db)
    assert not report.ok and report.problem == "reordered"


def test_organisation_settings_and_the_default_virtual_class_link(db: Session) -> None:
    from app.services import orgs, timeline

    w = _world(db)
    with pytest.raises(PlumeError) as err:
        orgs.save_settings(db, w.trainer, signing_window="10", virtual_class_url="")
    assert _code(err) == ErrorCode.NOT_FOUND
    for minutes, url, field in (
        ("-5", "", "signing_window"),
        ("300", "", "signing_window"),
        ("30", "http://x", "virtual_class_url"),
    ):
        with pytest.raises(PlumeError) as err:
            orgs.save_settings(db, w.staff, signing_window=minutes, virtual_class_url=url)
        assert err.value.field == field
    with pytest.raises(PlumeError) as err:
        orgs.save_settings(db, w.staff, signing_window="300", virtual_class_url="")
    assert error_text("fr", err.value.code.value, **err.value.params) == "Indiquez un nombre entre 0 et 240."
    orgs.save_settings(
        db, w.staff, signing_window="45", virtual_class_url=" https://teams.microsoft.com/l/meetup-join/abc "
    )
    db.commit()
    found = orgs.organisation_settings(db, w.staff)
    assert (found.signing_window_minutes, found.virtual_class_url) == (
        45,
        "https://teams.microsoft.com/l/meetup-join/abc",
    )
    module = db.exec(select(Module).where(Module.session_id == w.session.id)).one()
    remote = timeline.add_activity(db, w.staff, module.id or 0, kind="virtual_class", title="Classe du soir")
    timeline.schedule(
        db, w.staff, remote.id or 0, day=w.session.starts_on.isoformat(), start="18:00", end="19:00", confirmed=True
    )
    db.commit()
    assert "teams.microsoft.com" in db.get(Activity, remote.id).settings_json  # type: ignore[union-attr]
    opens, _ = window.window(db.get(Organisation, w.org.id), w.slot)  # type: ignore[arg-type]
    assert w.slot.starts_at - opens == timedelta(minutes=45)


def test_the_activity_follow_up_shows_each_learners_attendance(db: Session) -> None:
    from app.services import activities

    w = _world(db)
    sid = w.slot.id or 0
    actions.sign(db, w.learner, sid, DRAWING, "k" * 10)
    actions.mark(db, w.trainer, sid, w.other.user_id, status="absent", comment="Malade")
    detail = activities.activity_detail(db, w.trainer, w.slot.activity_id or 0)
    by_email = {p.email: p.attendance for p in detail.learners}
    assert by_email[w.learner.email] == "present" and by_email[w.other.email] == "absent"
    assert by_email[w.third.email] == "unsigned" and detail.slot_id == sid
    assert activities.activity_detail(db, w.learner, w.slot.activity_id or 0).learners == []


def test_home_lists_the_sheets_open_now_until_signed(db: Session) -> None:
    w = _world(db)
    ids = {w.slot.id, w.virtual.id}
    assert {s.slot_id for s in summaries.open_sheets(db, w.learner)} == ids
    assert {s.slot_id for s in summaries.open_sheets(db, w.trainer)} == ids
    assert summaries.open_sheets(db, w.outsider) == [] and summaries.open_sheets(db, w.staff) == []
    actions.sign(db, w.learner, w.slot.id or 0, DRAWING, "k" * 10)
    assert [s.slot_id for s in summaries.open_sheets(db, w.learner)] == [w.virtual.id]
    later = w.slot.ends_at + timedelta(hours=1)
    assert summaries.open_sheets(db, w.other, now=later) == []


def test_home_reads_the_open_sheets_once_and_agrees_with_each_list_read_alone(db: Session) -> None:
    from app.services.access import Capability
    from app.services.attendance import join
    from state.home import _home_page

    w = _world(db)
    for signed in (False, True):
        if signed:
            actions.sign(db, w.learner, w.virtual.id or 0, DRAWING, "v" * 10)
        now = utcnow()
        for actor in (w.learner, w.other, w.trainer, w.staff, w.outsider):
            seen = window.open_contexts(db, actor, now, kinds=window.SIGNED_KINDS, capability=Capability.SEE)
            alone = (summaries.open_sheets(db, actor, now), join.joinable_now(db, actor, now))
            assert (
                summaries.open_sheets(db, actor, now, seen=seen),
                join.joinable_now(db, actor, now, seen=seen),
            ) == alone
            page = _home_page(db, actor)
            assert (page.open_sheets, page.joinable) == alone
    # The learner who signed the virtual class sees its sheet gone and, with a link set, the class to join.
    assert [s.slot_id for s in summaries.open_sheets(db, w.learner)] == [w.slot.id]


def test_names_sort_without_accents_or_case() -> None:
    names = ["Zoé Thomas", "Élodie Moreau", "emma Bonnet", "Arthur Michel"]
    assert sorted(names, key=sheet.name_key) == ["Arthur Michel", "Élodie Moreau", "emma Bonnet", "Zoé Thomas"]
