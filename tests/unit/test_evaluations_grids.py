from sqlmodel import Session, select

from app.models import Activity, Course, Module
from app.models.evaluations import GridEntry
from app.models.progress import LessonProgress
from app.services.errors import ErrorCode
from app.services.evaluations import grids
from tests.unit.test_evaluations import World, _activity, _refused, _world


def _framework(db: Session, w: World) -> list[int]:
    ids = [
        grids.create_competency(db, w.staff, "C1", "Accueillir le public", "Relation"),
        grids.create_competency(db, w.staff, "C2", "Sécuriser une intervention", "Sécurité"),
    ]
    grids.link_course(db, w.staff, w.session.course_id, ids)
    db.commit()
    return ids


def test_the_framework_is_the_organisations_and_refuses_a_taken_code(db: Session) -> None:
    w = _world(db)
    ids = _framework(db, w)
    assert [c.code for c in grids.list_competencies(db, w.trainer)] == ["C1", "C2"]
    _refused(ErrorCode.COMPETENCY_CODE_TAKEN, grids.create_competency, db, w.staff, "C1", "Autre")
    _refused(ErrorCode.COMPETENCY_REQUIRED, grids.create_competency, db, w.staff, "", "Sans code")
    for actor in (w.trainer, w.actors[0]):
        _refused(ErrorCode.NOT_FOUND, grids.create_competency, db, actor, "C9", "x")
    _refused(ErrorCode.NOT_FOUND, grids.list_competencies, db, w.actors[0])
    _refused(ErrorCode.NOT_FOUND, grids.link_course, db, w.foreign_staff, w.session.course_id, ids)
    foreign = grids.create_competency(db, w.foreign_staff, "X1", "Ailleurs")
    _refused(ErrorCode.NOT_FOUND, grids.link_course, db, w.staff, w.session.course_id, [*ids, foreign])


def test_a_trainer_fills_a_learners_grid_and_the_learner_reads_it(db: Session) -> None:
    w = _world(db)
    course = db.get(Course, w.session.course_id)
    assert course is not None
    course.objectives = "- Connaître les règles\n- Appliquer les gestes\n"
    db.add(course)
    db.commit()
    activity = _activity(db, w, "third_party_evaluation")
    learner = w.actors[0]
    entries = [
        {"objective": "Connaître les règles", "level": "acquired", "comment": "Très bien"},
        {"objective": "Appliquer les gestes", "level": "in_progress"},
    ]
    view = grids.record_grid(db, w.trainer, activity, learner.user_id, entries)
    assert [(line.objective, line.level) for line in view.lines] == [
        ("Connaître les règles", "acquired"),
        ("Appliquer les gestes", "in_progress"),
    ]
    assert grids.my_grid(db, learner, activity).lines == view.lines
    done = db.exec(select(LessonProgress).where(LessonProgress.activity_id == activity)).one()
    assert done.status == "completed"
    _refused(
        ErrorCode.GRID_LEVEL,
        grids.record_grid,
        db,
        w.trainer,
        activity,
        learner.user_id,
        [{**entries[0], "level": "top"}],
    )
    _refused(
        ErrorCode.INVALID_INPUT,
        grids.record_grid,
        db,
        w.trainer,
        activity,
        learner.user_id,
        [{"objective": "Autre", "level": "acquired"}],
    )
    for actor in (learner, w.idle_trainer, w.foreign_staff, w.outsider):
        _refused(ErrorCode.NOT_FOUND, grids.record_grid, db, actor, activity, learner.user_id, entries)
    _refused(ErrorCode.NOT_FOUND, grids.grid, db, learner, activity, w.actors[1].user_id)
    _refused(ErrorCode.NOT_FOUND, grids.record_grid, db, w.trainer, activity, w.outsider.user_id, entries)
    # Linking competencies turns the grid's lines into them.
    _framework(db, w)
    assert [line.objective for line in grids.grid(db, w.staff, activity, learner.user_id).lines] == [
        "C1 — Accueillir le public",
        "C2 — Sécuriser une intervention",
    ]
    grids.record_grid(
        db, w.trainer, activity, learner.user_id, [{"objective": "C1 — Accueillir le public", "level": "not_acquired"}]
    )
    entry = db.exec(select(GridEntry).where(GridEntry.objective == "C1 — Accueillir le public")).one()
    assert entry.competency_id is not None and entry.trainer_id == w.trainer.user_id


def test_acquired_competencies_are_recorded_by_the_team_and_read_by_the_learner(db: Session) -> None:
    w = _world(db)
    c1, c2 = _framework(db, w)
    learner = w.actors[0]
    grids.record_acquired(db, w.trainer, w.session.id or 0, learner.user_id, c2, acquired=True)
    assert [c.code for c in grids.acquired_competencies(db, learner, w.session.id or 0, learner.user_id)] == ["C2"]
    grids.record_acquired(db, w.trainer, w.session.id or 0, learner.user_id, c2, acquired=False)
    assert grids.acquired_competencies(db, w.staff, w.session.id or 0, learner.user_id) == []
    _refused(ErrorCode.NOT_FOUND, grids.acquired_competencies, db, w.actors[1], w.session.id, learner.user_id)
    for actor in (learner, w.idle_trainer, w.foreign_staff):
        _refused(
            ErrorCode.NOT_FOUND, grids.record_acquired, db, actor, w.session.id, learner.user_id, c1, acquired=True
        )
    _refused(
        ErrorCode.NOT_FOUND, grids.record_acquired, db, w.trainer, w.session.id, w.outsider.user_id, c1, acquired=True
    )


def test_self_assessment_before_and_after_side_by_side(db: Session) -> None:
    w = _world(db)
    c1, c2 = _framework(db, w)
    before_module = Module(session_id=w.session.id, title="Avant", phase="before")
    db.add(before_module)
    db.commit()
    after = _activity(db, w, "self_assessment", "Après")
    before = _activity(db, w, "self_assessment", "Avant")
    moved = db.get(Activity, before)
    assert moved is not None
    moved.module_id = before_module.id or 0
    db.add(moved)
    db.commit()
    learner = w.actors[0]
    grids.position_self(db, learner, before, c1, 2)
    lines = grids.position_self(db, learner, before, c2, 1)
    assert [line.level for line in lines] == [2, 1]
    grids.position_self(db, learner, after, c1, 4)
    _refused(ErrorCode.ANSWER_INVALID, grids.position_self, db, learner, after, c2, 6)
    _refused(ErrorCode.NOT_FOUND, grids.position_self, db, w.outsider, after, c2, 3)
    _refused(ErrorCode.NOT_FOUND, grids.self_side_by_side, db, learner, after)
    rows = {row.user_id: row for row in grids.self_side_by_side(db, w.trainer, after)}
    assert rows[learner.user_id].competencies == [(c1, 2, 4), (c2, 1, 0)]
    assert rows[w.actors[1].user_id].competencies == [(c1, 0, 0), (c2, 0, 0)]
