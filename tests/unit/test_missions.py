import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from app.models import (
    Activity,
    ActivityCompletion,
    AuditRecord,
    ChatMessage,
    Enrolment,
    Module,
    TrainingSession,
    TutorPosition,
    User,
)
from app.models.progress import LessonProgress, Observation, Submission
from app.services import documents, missions
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.settings import reset_settings
from tests.factories import actor_for, make_learner, make_member, make_org, make_session, make_staff, make_trainer

START = date(2026, 11, 2)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


@pytest.fixture(autouse=True)
def files_dir(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "files"
    monkeypatch.setenv("PLUME_FILES_DIR", str(directory))
    reset_settings()
    return directory


@dataclass
class World:
    session: TrainingSession
    mission: Activity
    observation: Activity
    staff: Actor
    trainer: Actor
    tutor: Actor
    idle_tutor: Actor
    foreign_tutor: Actor
    learners: dict[str, User]
    actors: dict[str, Actor]


def _world(db: Session) -> World:
    """A session with a mission (passing score 60) and an observation; three learners, one recommended."""
    org, other = make_org(db), make_org(db)
    trainer = make_trainer(db, org)
    learners = {
        "anna": make_learner(db, org, first_name="Anna", last_name="Bernard"),
        "bob": make_learner(db, org, first_name="Bob", last_name="Durand"),
        "chloe": make_learner(db, org, first_name="Chloé", last_name="Martin"),
    }
    session = make_session(db, org, start=START, end=START + timedelta(days=2), trainers=(trainer,))
    for key, user in learners.items():
        kind = "recommended" if key == "chloe" else "mandatory"
        db.add(Enrolment(session_id=session.id or 0, user_id=user.id or 0, kind=kind))
    module = Module(session_id=session.id, title="Jour 2", phase="during")
    db.add(module)
    db.flush()
    mission = Activity(
        module_id=module.id or 0,
        kind="assignment",
        title="Mission : cas pratique",
        settings_json=json.dumps({"description": "Rédigez un plan.", "passing_score": 60}),
    )
    observation = Activity(module_id=module.id or 0, kind="observation", title="Observation en situation", position=1)
    db.add_all([mission, observation])
    tutor, idle = make_member(db, org, "tutor"), make_member(db, org, "tutor")
    db.add(TutorPosition(session_id=session.id or 0, user_id=tutor.id or 0))
    foreign = make_member(db, other, "tutor")
    elsewhere = make_session(db, other, start=START, end=START + timedelta(days=2))
    db.add(TutorPosition(session_id=elsewhere.id or 0, user_id=foreign.id or 0))
    db.commit()
    return World(
        session=session,
        mission=mission,
        observation=observation,
        staff=actor_for(db, make_staff(db, org)),
        trainer=actor_for(db, trainer),
        tutor=actor_for(db, tutor),
        idle_tutor=actor_for(db, idle),
        foreign_tutor=actor_for(db, foreign),
        learners=learners,
        actors={key: actor_for(db, user) for key, user in learners.items()},
    )


def _hand_in(db: Session, w: World, who: str, *, data: bytes = PDF, name: str = "plan.pdf", comment: str = "") -> int:
    missions.hand_in(db, w.actors[who], w.mission.id or 0, name=name, data=data, comment=comment)
    db.commit()
    row = db.exec(
        select(Submission).where(Submission.activity_id == w.mission.id, Submission.user_id == w.learners[who].id)
    ).one()
    return row.id or 0


def _code(call: object) -> tuple[ErrorCode, str]:
    assert callable(call)
    with pytest.raises(PlumeError) as err:
        call()
    return err.value.code, err.value.field


def _lesson(db: Session, w: World, activity: Activity, who: str) -> LessonProgress:
    return db.exec(
        select(LessonProgress).where(
            LessonProgress.activity_id == activity.id, LessonProgress.user_id == w.learners[who].id
        )
    ).one()


def test_hand_in_checks_what_is_sent_and_who_sends_it(db: Session, files_dir: Path) -> None:
    w = _world(db)
    anna, mid = w.actors["anna"], w.mission.id or 0
    assert missions.my_submission(db, anna, mid).status == "none"
    assert _code(lambda: missions.hand_in(db, anna, mid, name="", data=b"", comment="  ")) == (
        ErrorCode.MISSION_EMPTY,
        "files",
    )
    assert _code(lambda: missions.hand_in(db, anna, mid, name="", data=b"", comment="x" * 4001)) == (
        ErrorCode.TEXT_TOO_LONG,
        "comment",
    )
    assert _code(lambda: missions.hand_in(db, anna, mid, name="virus.pdf", data=b"MZ\x90\x00", comment="")) == (
        ErrorCode.DOCUMENT_TYPE,
        "files",
    )
    assert _code(lambda: missions.hand_in(db, anna, mid, name="vide.pdf", data=b"", comment="")) == (
        ErrorCode.DOCUMENT_EMPTY,
        "files",
    )
    db.rollback()
    # Only the session's learners hand in, and only missions.
    for actor in (w.tutor, w.staff, w.trainer, w.foreign_tutor):
        assert _code(lambda a=actor: missions.hand_in(db, a, mid, name="p.pdf", data=PDF, comment=""))[0] == (
            ErrorCode.NOT_FOUND
        )
    wrong_kind = w.observation.id or 0
    assert _code(lambda: missions.hand_in(db, anna, wrong_kind, name="p.pdf", data=PDF, comment=""))[0] == (
        ErrorCode.NOT_FOUND
    )
    assert _code(lambda: missions.my_submission(db, w.tutor, mid))[0] == ErrorCode.NOT_FOUND
    db.rollback()
    assert db.exec(select(Submission)).all() == []

    mine = missions.hand_in(db, anna, mid, name="plan.pdf", data=PDF, comment="Voici mon plan.")
    db.commit()
    assert (mine.status, mine.file_name, mine.comment, mine.score) == ("submitted", "plan.pdf", "Voici mon plan.", "")
    assert mine.file_url.startswith("/api/missions/submissions/") and mine.file_url.endswith("/work")
    assert _lesson(db, w, w.mission, "anna").status == "in_progress"
    # A comment alone is a hand-in too.
    assert missions.hand_in(db, w.actors["bob"], mid, name="", data=b"", comment="Lien : intranet").file_name == ""
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "mission.hand_in")).first() is not None


def test_correction_scores_the_learner_against_the_passing_score(db: Session) -> None:
    w = _world(db)
    anna_sub, bob_sub = _hand_in(db, w, "anna"), _hand_in(db, w, "bob")
    for bad in ("", "abc", "101", "-1", "nan", "inf", None, True):
        assert _code(lambda b=bad: missions.correct(db, w.tutor, anna_sub, score=b, feedback="", file=None)) == (
            ErrorCode.MISSION_SCORE,
            "score",
        )
    assert _code(lambda: missions.correct(db, w.tutor, anna_sub, score="12", feedback="x" * 4001, file=None)) == (
        ErrorCode.TEXT_TOO_LONG,
        "feedback",
    )
    assert _code(
        lambda: missions.correct(db, w.tutor, anna_sub, score="12", feedback="", file=("c.exe", b"MZ\x90\x00"))
    ) == (ErrorCode.DOCUMENT_TYPE, "files")
    db.rollback()

    missions.correct(db, w.tutor, anna_sub, score="75,5", feedback="Bon travail.", file=("corrige.png", PNG))
    missions.correct(db, w.trainer, bob_sub, score=40, feedback="À reprendre.", file=None)
    db.commit()
    anna, bob = _lesson(db, w, w.mission, "anna"), _lesson(db, w, w.mission, "bob")
    assert (anna.status, anna.score) == ("passed", 75.5)
    assert (bob.status, bob.score) == ("failed", 40)
    completions = db.exec(select(ActivityCompletion.user_id).where(ActivityCompletion.activity_id == w.mission.id))
    assert set(completions.all()) == {w.learners["anna"].id, w.learners["bob"].id}
    enrolment = db.exec(select(Enrolment).where(Enrolment.user_id == w.learners["anna"].id)).one()
    assert (enrolment.progress, enrolment.status) == (50, "in_progress")

    seen = missions.my_submission(db, w.actors["anna"], w.mission.id or 0)
    assert (seen.status, seen.score, seen.feedback, seen.feedback_file_name) == (
        "corrected",
        "75,5 %",
        "Bon travail.",
        "corrige.png",
    )
    assert seen.feedback_url.endswith("/feedback")
    record = db.exec(select(AuditRecord).where(AuditRecord.action == "mission.correct")).first()
    assert record is not None and record.actor_user_id == w.tutor.user_id
    assert json.loads(record.before)["status"] == "submitted"
    assert json.loads(record.after)["score"] == 75.5

    # Corrected again without a file: the new score counts, the file back stays.
    missions.correct(db, w.staff, anna_sub, score="55", feedback="Revu.", file=None)
    db.commit()
    assert _lesson(db, w, w.mission, "anna").status == "failed"
    detail = missions.submission_detail(db, w.staff, anna_sub)
    assert (detail.score, detail.feedback_file_name, detail.passing_score) == ("55", "corrige.png", 60)


def test_handing_in_again_waits_for_a_new_correction(db: Session) -> None:
    w = _world(db)
    first = _hand_in(db, w, "anna")
    missions.correct(db, w.tutor, first, score="80", feedback="Très bien.", file=("retour.pdf", PDF))
    db.commit()
    assert missions.waiting_counts(db, [w.session.id or 0])[0] == 0
    again = _hand_in(db, w, "anna", name="plan-v2.pdf", comment="Nouvelle version")
    assert again == first
    assert len(db.exec(select(Submission)).all()) == 1
    mine = missions.my_submission(db, w.actors["anna"], w.mission.id or 0)
    assert (mine.status, mine.file_name, mine.score, mine.feedback, mine.feedback_url) == (
        "submitted",
        "plan-v2.pdf",
        "",
        "",
        "",
    )
    assert missions.waiting_counts(db, [w.session.id or 0])[0] == 1
    # The learner's result stands until the new correction.
    assert _lesson(db, w, w.mission, "anna").status == "passed"


def test_observation_score_and_every_criterion_required(db: Session) -> None:
    assert missions.observation_score([3, 2, 1, 0]) == 50
    assert missions.observation_score([3, 3, 3, 3]) == 100
    assert missions.observation_score([0, 0, 0, 0]) == 0
    assert missions.observation_score([1, 1, 1, 0, 0, 0, 0, 0]) == 13  # 12.5 rounds half up
    assert missions.observation_score([2, 1, 1]) == 44
    w = _world(db)
    assert missions.criteria(w.observation) == list(missions.DEFAULT_CRITERIA)
    oid, anna = w.observation.id or 0, w.learners["anna"].id or 0
    cases = {
        (3, 2, 1): ErrorCode.OBSERVATION_INCOMPLETE,
        (3, 2, 1, None): ErrorCode.OBSERVATION_INCOMPLETE,
        (3, 2, 1, 4): ErrorCode.INVALID_INPUT,
        (3, 2, 1, -1): ErrorCode.INVALID_INPUT,
        (3, 2, 1, "2"): ErrorCode.INVALID_INPUT,
        (3, 2, 1, True): ErrorCode.INVALID_INPUT,
        (3, 2, 1, 0, 1): ErrorCode.INVALID_INPUT,
    }
    for levels, code in cases.items():
        assert _code(lambda lv=levels: missions.observe(db, w.tutor, oid, anna, levels=list(lv), comment=""))[0] == code
    assert _code(lambda: missions.observe(db, w.tutor, oid, anna, levels=[1, 1, 1, 1], comment="x" * 4001)) == (
        ErrorCode.TEXT_TOO_LONG,
        "comment",
    )
    assert missions.my_observation(db, w.actors["anna"], oid).observed is False

    assert missions.observe(db, w.tutor, oid, anna, levels=[3, 2, 1, 0], comment="À suivre") == 50
    db.commit()
    assert (_lesson(db, w, w.observation, "anna").status, _lesson(db, w, w.observation, "anna").score) == (
        "passed",
        50,
    )
    seen = missions.my_observation(db, w.actors["anna"], oid)
    assert (seen.observed, seen.score, seen.comment) == (True, "50 %", "À suivre")
    assert [(c.criterion, c.level) for c in seen.levels] == list(
        zip(missions.DEFAULT_CRITERIA, [3, 2, 1, 0], strict=True)
    )

    # Observing again updates the one observation.
    assert missions.observe(db, w.trainer, oid, anna, levels=[1, 0, 1, 0], comment="") == 17
    db.commit()
    assert len(db.exec(select(Observation)).all()) == 1
    assert _lesson(db, w, w.observation, "anna").status == "failed"
    form = missions.observation_form(db, w.staff, oid, anna)
    assert (form.observed, [c.level for c in form.levels]) == (True, [1, 0, 1, 0])
    records = db.exec(select(AuditRecord).where(AuditRecord.action == "observation.record")).all()
    assert len(records) == 2 and json.loads(records[1].before)["score"] == 50


def test_criteria_come_from_the_activity_settings(db: Session) -> None:
    w = _world(db)
    w.observation.settings_json = json.dumps({"criteria": ["Accueil du client", "  ", 3, "Rangement"]})
    db.add(w.observation)
    db.commit()
    assert missions.criteria(w.observation) == ["Accueil du client", "Rangement"]
    oid, bob = w.observation.id or 0, w.learners["bob"].id or 0
    assert _code(lambda: missions.observe(db, w.tutor, oid, bob, levels=[3], comment=""))[0] == (
        ErrorCode.OBSERVATION_INCOMPLETE
    )
    assert missions.observe(db, w.tutor, oid, bob, levels=[3, 2], comment="") == 83
    form = missions.observation_form(db, w.tutor, oid, w.learners["anna"].id or 0)
    assert [(c.criterion, c.level) for c in form.levels] == [("Accueil du client", -1), ("Rangement", -1)]


def test_only_the_sessions_correctors_correct_and_observe(db: Session) -> None:
    w = _world(db)
    sub = _hand_in(db, w, "anna")
    oid, sid, anna = w.observation.id or 0, w.session.id or 0, w.learners["anna"].id or 0
    outsiders = [w.actors["bob"], w.actors["anna"], w.idle_tutor, w.foreign_tutor]
    for actor in outsiders:
        assert _code(lambda a=actor: missions.correct(db, a, sub, score="50", feedback="", file=None))[0] == (
            ErrorCode.NOT_FOUND
        )
        assert _code(lambda a=actor: missions.observe(db, a, oid, anna, levels=[1, 1, 1, 1], comment=""))[0] == (
            ErrorCode.NOT_FOUND
        )
        assert _code(lambda a=actor: missions.submissions(db, a, sid))[0] == ErrorCode.NOT_FOUND
        assert _code(lambda a=actor: missions.observations_to_do(db, a, sid))[0] == ErrorCode.NOT_FOUND
        assert _code(lambda a=actor: missions.submission_detail(db, a, sub))[0] == ErrorCode.NOT_FOUND
    # Missing things look the same as forbidden ones; so do learners of another session and non-learners.
    assert _code(lambda: missions.correct(db, w.tutor, 999_999, score="50", feedback="", file=None))[0] == (
        ErrorCode.NOT_FOUND
    )
    assert _code(lambda: missions.observe(db, w.tutor, oid, w.tutor.user_id, levels=[1] * 4, comment=""))[0] == (
        ErrorCode.NOT_FOUND
    )
    assert _code(lambda: missions.observe(db, w.tutor, w.mission.id or 0, anna, levels=[1] * 4, comment=""))[0] == (
        ErrorCode.NOT_FOUND
    )
    for actor in (w.staff, w.trainer, w.tutor):
        assert missions.can_correct(db, actor, sid).id == sid
        assert missions.submissions(db, actor, sid).total == 1
    # The page's head: staff and tutors go back to the tutoring centre, trainers to the session.
    head = missions.desk_header(db, w.tutor, sid)
    assert (head.missions_waiting, head.observations_waiting, head.follows_centre) == (1, 3, True)
    assert head.title == w.session.title
    assert missions.desk_header(db, w.staff, sid).follows_centre
    assert not missions.desk_header(db, w.trainer, sid).follows_centre
    for actor in outsiders:
        assert _code(lambda a=actor: missions.desk_header(db, a, sid))[0] == ErrorCode.NOT_FOUND
    db.rollback()
    assert db.exec(select(Observation)).all() == []
    assert db.exec(select(Submission).where(Submission.status == "corrected")).all() == []


def test_hand_in_files_are_read_by_the_learner_and_correctors_only(db: Session) -> None:
    w = _world(db)
    sub = _hand_in(db, w, "anna", comment="Mon plan")
    missions.correct(db, w.tutor, sub, score="70", feedback="", file=("retour.pdf", PDF + b"% retour\n"))
    db.commit()
    path, name, content_type = missions.open_file(db, w.actors["anna"], sub, "work")
    assert (path.read_bytes(), name, content_type) == (PDF, "plan.pdf", "application/pdf")
    assert missions.open_file(db, w.actors["anna"], sub, "feedback")[1] == "retour.pdf"
    for actor in (w.staff, w.trainer, w.tutor):
        assert missions.open_file(db, actor, sub, "work")[1] == "plan.pdf"
        assert missions.open_file(db, actor, sub, "feedback")[1] == "retour.pdf"
    for actor in (w.actors["bob"], w.idle_tutor, w.foreign_tutor):
        for which in ("work", "feedback"):
            assert _code(lambda a=actor, wh=which: missions.open_file(db, a, sub, wh))[0] == ErrorCode.NOT_FOUND
    assert _code(lambda: missions.open_file(db, w.actors["anna"], sub, "../etc"))[0] == ErrorCode.NOT_FOUND
    assert _code(lambda: missions.open_file(db, w.actors["anna"], 999_999, "work"))[0] == ErrorCode.NOT_FOUND

    # The generic document route refuses these files to everyone, the learner and staff included.
    row = db.get(Submission, sub)
    assert row is not None
    for document_id in (row.document_id, row.feedback_document_id):
        for actor in (w.actors["anna"], w.actors["bob"], w.staff):
            assert _code(lambda a=actor, d=document_id: documents.open_for_download(db, a, d or 0))[0] == (
                ErrorCode.NOT_FOUND
            )
        assert _code(lambda d=document_id: documents.rename(db, w.staff, d or 0, "autre.pdf"))[0] == ErrorCode.NOT_FOUND
    # A file sent in the chat is still read by every member of the room.
    chat_file = documents.store_chat_file(db, w.actors["bob"], session_id=w.session.id or 0, name="n.pdf", data=PDF)
    db.add(
        ChatMessage(
            session_id=w.session.id or 0, author_id=w.learners["bob"].id or 0, client_id="c-1", document_id=chat_file.id
        )
    )
    db.commit()
    assert documents.open_for_download(db, w.actors["anna"], chat_file.id or 0)[1] == "n.pdf"


def test_listings_page_the_hand_ins_and_the_observations_to_do(db: Session) -> None:
    w = _world(db)
    sid, oid = w.session.id or 0, w.observation.id or 0
    subs = {who: _hand_in(db, w, who) for who in ("anna", "bob", "chloe")}
    missions.correct(db, w.tutor, subs["bob"], score="90", feedback="", file=None)
    db.commit()
    waiting = missions.submissions(db, w.tutor, sid)
    assert [r.learner for r in waiting.rows] == ["Anna Bernard", "Chloé Martin"]
    assert waiting.rows[0].activity == "Mission : cas pratique" and waiting.rows[0].status == "submitted"
    everything = missions.submissions(db, w.tutor, sid, waiting_only=False, page=1, page_size=10)
    assert [(r.learner, r.status, r.score) for r in everything.rows][-1] == ("Bob Durand", "corrected", "90 %")
    assert (everything.total, everything.pages) == (3, 1)
    assert missions.submissions(db, w.tutor, sid, waiting_only=False, page=9, page_size=10).page == 1
    for bad in ({"page": 0}, {"page_size": 7}, {"page": "1"}, {"waiting_only": "yes"}):
        assert _code(lambda b=bad: missions.submissions(db, w.tutor, sid, **b))[0] == ErrorCode.INVALID_INPUT  # type: ignore[arg-type]

    missions.observe(db, w.tutor, oid, w.learners["bob"].id or 0, levels=[3, 3, 3, 3], comment="")
    db.commit()
    todo = missions.observations_to_do(db, w.tutor, sid)
    assert [(r.learner, r.activity, r.observed) for r in todo.rows] == [
        ("Anna Bernard", "Observation en situation", False),
        ("Chloé Martin", "Observation en situation", False),
    ]
    assert todo.rows[0].activity_id == oid and todo.rows[0].user_id == w.learners["anna"].id
    done_too = missions.observations_to_do(db, w.tutor, sid, todo_only=False)
    assert done_too.total == 3 and (done_too.rows[-1].learner, done_too.rows[-1].score) == ("Bob Durand", "100 %")


def _count_queries(db: Session) -> list[str]:
    seen: list[str] = []
    engine = db.get_bind()

    def before(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_waiting_counts_by_enrolment_kind_in_two_queries(db: Session) -> None:
    w = _world(db)
    sid, oid = w.session.id or 0, w.observation.id or 0
    # A second session with its own mission waiting and two observations to do.
    second = make_session(db, make_org(db), start=START, end=START + timedelta(days=1))
    module = Module(session_id=second.id, title="M", phase="during")
    db.add(module)
    db.flush()
    other_learner = make_learner(db, make_org(db))
    db.add(Enrolment(session_id=second.id or 0, user_id=other_learner.id or 0, kind="free"))
    db.add_all([Activity(module_id=module.id or 0, kind="observation", title=f"O{i}") for i in range(2)])
    other_mission = Activity(module_id=module.id or 0, kind="assignment", title="M")
    db.add(other_mission)
    db.flush()
    db.add(Submission(activity_id=other_mission.id or 0, user_id=other_learner.id or 0, session_id=second.id or 0))
    db.commit()

    _hand_in(db, w, "anna")
    _hand_in(db, w, "chloe")
    corrected = _hand_in(db, w, "bob")
    missions.correct(db, w.tutor, corrected, score="50", feedback="", file=None)
    missions.observe(db, w.tutor, oid, w.learners["anna"].id or 0, levels=[2, 2, 2, 2], comment="")
    db.commit()
    assert missions.waiting_counts(db, [sid]) == (2, 2)
    assert missions.waiting_counts(db, [sid], "mandatory") == (1, 1)
    assert missions.waiting_counts(db, [sid], "recommended") == (1, 1)
    assert missions.waiting_counts(db, [sid], "free") == (0, 0)
    assert missions.waiting_counts(db, [sid, second.id or 0]) == (3, 4)
    assert missions.waiting_counts(db, [second.id or 0], "free") == (1, 2)
    assert missions.waiting_counts(db, []) == (0, 0)
    assert _code(lambda: missions.waiting_counts(db, [sid], "everyone"))[0] == ErrorCode.INVALID_INPUT
    # A learner taken off the session no longer counts.
    db.delete(db.exec(select(Enrolment).where(Enrolment.user_id == w.learners["chloe"].id)).one())
    db.commit()
    assert missions.waiting_counts(db, [sid]) == (1, 1)

    ids = [sid, second.id or 0]
    db.expire_all()
    queries = _count_queries(db)
    missions.waiting_counts(db, ids, "mandatory")
    assert len(queries) == 2
