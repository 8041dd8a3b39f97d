"""SCORM on an activity: staff attach a package, members open its files, learners' commits become progress."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.models import Activity, AuditRecord, LessonAttempt, LessonProgress, Module, ScormAttempt, ScormPackage
from app.services import tutoring
from app.services.errors import ErrorCode, PlumeError
from app.services.scorm import cmi, library, runtime
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer
from tests.scorm_packages import scorm12_single, scorm2004_multi

DAY = date(2026, 12, 1)


def _setup(db: Session):  # a tuple of test objects
    org = make_org(db)
    staff = make_staff(db, org)
    trainer = make_trainer(db, org)
    ann, bob = make_learner(db, org), make_learner(db, org)
    training = make_session(db, org, start=DAY, end=DAY, trainers=(trainer,), learners=(ann, bob))
    module = Module(session_id=training.id, title="À distance", position=0)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="elearning", title="Module RGPD")
    db.add(activity)
    db.commit()
    return org, training, activity, actor_for(db, staff), trainer, ann, bob


def _commit12(status: str = "incomplete", *, location: str = "", suspend: str = "", seconds: str = "00:00:30",
              raw: str = "", exit_: str = "") -> dict:  # fmt: skip
    core = {"lesson_status": status, "lesson_location": location, "session_time": seconds, "exit": exit_,
            "score": {"raw": raw, "min": "0" if raw else "", "max": "100" if raw else ""}}  # fmt: skip
    return {"cmi": {"core": core, "suspend_data": suspend}}


def _send(db: Session, actor, player: runtime.Player, body: dict) -> None:
    """Commit as the player's run-time does: to its commit URL (the attempt and the run)."""
    path, _, query = player.commit_url.partition("?")
    runtime.commit(db, actor, int(path.split("/")[-2]), body, run=query.removeprefix("run="))


def _attempt(player: runtime.Player) -> int:
    return int(player.commit_url.partition("?")[0].split("/")[-2])


def test_staff_attach_a_package_once_and_members_open_its_files(db: Session, tmp_path: Path) -> None:
    _, training, activity, staff, trainer, ann, _ = _setup(db)
    archive = scorm12_single(tmp_path / "rgpd.zip")
    found = library.attach(db, staff, activity.id, archive)
    db.commit()
    assert (found.version, found.file_count > 0) == ("1.2", True)
    assert library.package_dir(found.sha256).is_dir()
    # The same bytes on another activity: the same package, not a second copy.
    module = db.exec(select(Module).where(Module.session_id == training.id)).one()
    other = Activity(module_id=module.id or 0, kind="elearning", title="Copie")
    db.add(other)
    db.commit()
    assert library.attach(db, staff, other.id, archive).id == found.id
    db.commit()
    assert len(db.exec(select(ScormPackage)).all()) == 1
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "scorm.package")).all()
    # Members get the files; others, a trainer's attempt at uploading, and paths outside the package do not.
    launch = json.loads(found.manifest_json)["items"][0]["href"].split("?")[0]
    path, content_type = library.content_file(db, actor_for(db, ann), activity.id, launch)
    assert path.is_file() and content_type == "text/html"
    for bad in ("../../etc/passwd", "/etc/passwd", "a/../../x", "", "missing.html"):
        with pytest.raises(PlumeError):
            library.content_file(db, actor_for(db, ann), activity.id, bad)
    outsider = actor_for(db, make_learner(db, make_org(db)))
    with pytest.raises(PlumeError):
        library.content_file(db, outsider, activity.id, launch)
    with pytest.raises(PlumeError):
        library.attach(db, actor_for(db, trainer), activity.id, archive)


def test_a_learner_resumes_at_the_bookmark_and_the_tutoring_report_reads_the_lesson(
    db: Session, tmp_path: Path
) -> None:
    _, training, activity, staff, _, ann, _ = _setup(db)
    library.attach(db, staff, activity.id, scorm12_single(tmp_path / "rgpd.zip"))
    db.commit()
    learner = actor_for(db, ann)
    first = runtime.open_player(db, learner, activity.id)
    db.commit()
    start = json.loads(first.cmi_json)["cmi"]
    assert start["core"]["entry"] == "ab-initio" and start["core"]["student_id"] == str(ann.id)
    assert start["student_data"]["mastery_score"] == "80"
    _send(db, learner, first, _commit12(location="page-3", suspend="q1=a", seconds="00:02:00", exit_="suspend"))
    db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.user_id == ann.id)).one()
    assert (lesson.status, lesson.time_spent_s, lesson.location) == ("in_progress", 120, "page-3")
    # Back later: the same attempt, resumed at the bookmark with the time so far.
    again = runtime.open_player(db, learner, activity.id)
    db.commit()
    resumed = json.loads(again.cmi_json)["cmi"]
    assert _attempt(again) == _attempt(first) and again.run != first.run
    assert resumed["core"]["entry"] == "resume" and resumed["core"]["lesson_location"] == "page-3"
    assert resumed["suspend_data"] == "q1=a" and resumed["core"]["total_time"] == cmi.format_timespan_12(120)
    # The first run, still open in another tab, is refused: it would overwrite what was done since.
    with pytest.raises(PlumeError) as stale:
        _send(db, learner, first, _commit12(seconds="00:09:00"))
    assert stale.value.code == ErrorCode.SCORM_STALE_RUN
    db.rollback()
    _send(db, learner, again, _commit12("passed", raw="90", seconds="00:01:00"))
    db.commit()
    db.refresh(lesson)
    assert (lesson.status, lesson.score, lesson.time_spent_s) == ("passed", 90, 180)
    assert len(db.exec(select(LessonAttempt).where(LessonAttempt.user_id == ann.id)).all()) == 1
    report = tutoring.learner_report(db, staff, training.id or 0, ann.id or 0)
    line = next(line for line in report.lessons if line.activity_id == activity.id)
    assert line.status == "passed" and line.score.startswith("90") and len(line.attempts) == 1
    assert line.location == "page-3" or line.location == ""  # the last bookmark the package committed


def test_bad_and_forged_commits_store_nothing(db: Session, tmp_path: Path) -> None:
    _, _, activity, staff, trainer, ann, bob = _setup(db)
    library.attach(db, staff, activity.id, scorm12_single(tmp_path / "rgpd.zip"))
    db.commit()
    player = runtime.open_player(db, actor_for(db, ann), activity.id)
    db.commit()
    attempt_id = _attempt(player)
    with pytest.raises(cmi.CmiError) as too_long:
        _send(db, actor_for(db, ann), player, _commit12(suspend="x" * 4097))
    assert too_long.value.code == "405"
    db.rollback()
    with pytest.raises(cmi.CmiError) as unknown:
        _send(db, actor_for(db, ann), player, {"cmi": {"core": {"lesson_status": "victory"}}})
    assert unknown.value.code in {"405", "201"}
    db.rollback()
    assert db.get(ScormAttempt, attempt_id).commits == 0
    # Another learner's attempt, or a trainer posting as if a learner: refused.
    for actor in (actor_for(db, bob), actor_for(db, trainer)):
        with pytest.raises(PlumeError) as refused:
            _send(db, actor, player, _commit12())
        assert refused.value.code == ErrorCode.NOT_FOUND
        db.rollback()
    # A trainer tries the package: nothing is recorded.
    preview = runtime.open_player(db, actor_for(db, trainer), activity.id)
    assert preview.commit_url == "" and preview.attempt == 0


def test_a_multi_sco_package_rolls_up_each_sco_and_plays_them_in_order(db: Session, tmp_path: Path) -> None:
    _, _, activity, staff, _, ann, _ = _setup(db)
    found = library.attach(db, staff, activity.id, scorm2004_multi(tmp_path / "multi.zip"))
    db.commit()
    assert found.version == "2004"
    learner = actor_for(db, ann)
    player = runtime.open_player(db, learner, activity.id)
    db.commit()
    assert len(player.items) >= 2 and player.previous == "" and player.next == player.items[1].identifier
    done = {"cmi": {"completion_status": "completed", "success_status": "unknown", "session_time": "PT1M"}}
    for item in player.items:
        opened = runtime.open_player(db, learner, activity.id, item.identifier)
        db.commit()
        lesson = db.exec(select(LessonProgress).where(LessonProgress.user_id == ann.id)).first()
        assert lesson is None or lesson.status == "in_progress"  # not finished before the last SCO
        _send(db, learner, opened, done)
        db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.user_id == ann.id)).one()
    assert (lesson.status, lesson.time_spent_s) == ("completed", 60 * len(player.items))


def test_a_finished_module_starts_again_only_where_staff_allow_it(db: Session, tmp_path: Path) -> None:
    _, _, activity, staff, trainer, ann, _ = _setup(db)
    library.attach(db, staff, activity.id, scorm12_single(tmp_path / "rgpd.zip"))
    db.commit()
    db.refresh(activity)
    assert json.loads(activity.settings_json)["passing_score"] == 80  # the package's mastery score
    learner = actor_for(db, ann)
    first = runtime.open_player(db, learner, activity.id)
    db.commit()
    _send(db, learner, first, _commit12("passed", raw="85", seconds="00:05:00"))
    db.commit()
    again = runtime.open_player(db, learner, activity.id)
    db.commit()
    # Reviewed, not started again: nothing it sends is recorded, the package knows it is a review.
    assert (again.attempt, again.commit_url, again.review) == (1, "", True)
    assert json.loads(again.cmi_json)["cmi"]["core"]["lesson_mode"] == "review"
    with pytest.raises(PlumeError):
        library.allow_new_attempts(db, actor_for(db, trainer), activity.id, True)  # staff decide
    db.rollback()
    library.allow_new_attempts(db, staff, activity.id, True)
    db.commit()
    fresh = runtime.open_player(db, learner, activity.id)
    db.commit()
    assert fresh.attempt == 2 and json.loads(fresh.cmi_json)["cmi"]["core"]["entry"] == "ab-initio"
    _send(db, learner, fresh, _commit12(seconds="00:01:00"))
    db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.user_id == ann.id)).one()
    assert (lesson.status, lesson.time_spent_s) == ("in_progress", 360)
    assert len(db.exec(select(LessonAttempt).where(LessonAttempt.user_id == ann.id)).all()) == 2


def test_modifier_les_statistiques_corrects_a_scorm_lesson_with_its_audit(db: Session, tmp_path: Path) -> None:
    _, training, activity, staff, _, ann, _ = _setup(db)
    library.attach(db, staff, activity.id, scorm12_single(tmp_path / "rgpd.zip"))
    db.commit()
    learner = actor_for(db, ann)
    player = runtime.open_player(db, learner, activity.id)
    db.commit()
    _send(db, learner, player, _commit12("failed", raw="40", seconds="00:20:00"))
    db.commit()
    tutoring.edit_lesson_stats(
        db,
        staff,
        training.id or 0,
        user_id=ann.id or 0,
        activity_id=activity.id or 0,
        values={"status": "passed", "score": "82", "time_spent": "0:25:00", "location": "", "date": ""},
    )
    db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.user_id == ann.id)).one()
    assert (lesson.status, lesson.score, lesson.time_spent_s) == ("passed", 82, 1500)
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "tutoring.edit_stats")).one()
    assert json.loads(record.before or "{}")["status"] == "failed"


def test_a_package_that_never_reports_its_time_is_timed_by_its_run(db: Session, tmp_path: Path) -> None:
    _, _, activity, staff, _, ann, _ = _setup(db)
    library.attach(db, staff, activity.id, scorm12_single(tmp_path / "rgpd.zip"))
    db.commit()
    learner = actor_for(db, ann)
    player = runtime.open_player(db, learner, activity.id)
    db.commit()
    attempt = db.get(ScormAttempt, _attempt(player))
    assert attempt is not None and attempt.run_started_at is not None
    later = attempt.run_started_at + timedelta(minutes=10)
    runtime.commit(db, learner, attempt.id, _commit12(seconds=""), run=player.run, now=later)
    db.commit()
    lesson = db.exec(select(LessonProgress).where(LessonProgress.user_id == ann.id)).one()
    assert lesson.time_spent_s == 600
