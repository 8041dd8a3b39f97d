"""Tutoring over real websockets: forged statistics edits are refused; measured time is capped."""

from __future__ import annotations

from sqlmodel import col, select

from app.models import Activity, AuditRecord, Enrolment, Module, TrainingSession, User
from app.models.progress import LessonProgress
from state.session_page import SessionPageState
from state.tutoring import TutoringReportState
from tests.live import handler, signed_in_tab, var

GESTES = "Gestes et postures — entrepôt Vénissieux"  # the demo tutor does not follow it
MANAGER = "Manager une équipe — session de novembre"


def _first_activity(server, title: str, kind: str) -> tuple[int, int, int]:
    with server.session() as db:
        session = db.exec(select(TrainingSession).where(TrainingSession.title == title)).one()
        activity = db.exec(
            select(Activity)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session.id, Activity.kind == kind)
        ).first()
        learner = db.exec(select(Enrolment.user_id).where(Enrolment.session_id == session.id)).first()
        assert activity is not None and learner is not None
        return session.id or 0, activity.id or 0, learner


async def test_a_tutor_cannot_edit_statistics_of_a_session_they_do_not_follow(server) -> None:
    sid, aid, uid = _first_activity(server, GESTES, "quiz")
    with server.session() as db:
        before = db.exec(
            select(LessonProgress).where(LessonProgress.activity_id == aid, LessonProgress.user_id == uid)
        ).first()
        snapshot = (before.status, before.score) if before else None
        audits = len(db.exec(select(AuditRecord).where(AuditRecord.action == "tutoring.edit_stats")).all())
    tutor = await signed_in_tab(server.url, "tutor@demo.plume.test")
    path = f"/tutorat/{sid}/{uid}"
    loaded = await tutor.call(handler(TutoringReportState, "load"), path=path)
    assert var(loaded, TutoringReportState, "found") is False
    # Forged: open the dialog on an activity id and save a perfect score.
    await tutor.call(handler(TutoringReportState, "open_edit"), {"activity_id": str(aid)}, path=path)
    await tutor.call(
        handler(TutoringReportState, "save_edit"),
        {"form_data": {"status": "passed", "score": "100", "time_spent": "9:00:00"}},
        path=path,
    )
    with server.session() as db:
        after = db.exec(
            select(LessonProgress).where(LessonProgress.activity_id == aid, LessonProgress.user_id == uid)
        ).first()
        assert ((after.status, after.score) if after else None) == snapshot
        assert len(db.exec(select(AuditRecord).where(AuditRecord.action == "tutoring.edit_stats")).all()) == audits
    await tutor.close()


async def test_forged_time_reports_count_no_more_than_the_time_elapsed(server) -> None:
    sid, aid, _ = _first_activity(server, MANAGER, "document")
    learner = await signed_in_tab(server.url, "learner8@demo.plume.test")
    path = f"/sessions/{sid}"
    await learner.call(handler(SessionPageState, "load"), path=path)
    for seconds in ("30", "100000", "999999999", "-5", "abc"):
        await learner.call(
            handler(SessionPageState, "track_time"),
            {"form_data": {"activity_id": str(aid), "seconds": seconds}},
            path=path,
        )
    with server.session() as db:
        user_id = db.exec(select(User.id).where(User.email == "learner8@demo.plume.test")).one()
        lesson = db.exec(
            select(LessonProgress).where(LessonProgress.activity_id == aid, LessonProgress.user_id == user_id)
        ).one()
        # 30 s at first, then a few seconds of slack per report at most: never the forged hours.
        assert 30 <= lesson.time_spent_s <= 30 + 3 * 6
        enrolment = db.exec(select(Enrolment).where(Enrolment.session_id == sid, Enrolment.user_id == user_id)).one()
        assert enrolment.time_spent_s >= lesson.time_spent_s
    # A tutor's tab cannot add time to anyone.
    tutor = await signed_in_tab(server.url, "tutor@demo.plume.test")
    await tutor.call(handler(SessionPageState, "load"), path=path)
    await tutor.call(
        handler(SessionPageState, "track_time"), {"form_data": {"activity_id": str(aid), "seconds": "30"}}, path=path
    )
    with server.session() as db:
        tutor_id = db.exec(select(User.id).where(User.email == "tutor@demo.plume.test")).one()
        assert db.exec(select(LessonProgress).where(LessonProgress.user_id == tutor_id)).first() is None
    await learner.close()
    await tutor.close()
