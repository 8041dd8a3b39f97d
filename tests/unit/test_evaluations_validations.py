import pytest
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.models import Module
from app.models.audit import AuditRecord
from app.models.evaluations import Competency, ModuleValidation
from app.services import timeline
from app.services.errors import ErrorCode
from app.services.evaluations import grids, validations
from tests.unit.test_evaluations import World, _refused, _world


def _framework(db: Session, w: World) -> list[int]:
    ids = [
        grids.create_competency(db, w.staff, "C1", "Accueillir le public", "Relation"),
        grids.create_competency(db, w.staff, "C2", "Sécuriser une intervention", "Sécurité"),
    ]
    grids.link_course(db, w.staff, w.session.course_id, ids)
    db.commit()
    return ids


def test_staff_edit_the_framework_and_a_code_stays_unique(db: Session) -> None:
    w = _world(db)
    c1, c2 = _framework(db, w)
    row = grids.update_competency(db, w.staff, c1, " C1 ", "Accueillir et orienter", category="Relation client")
    assert (row.code, row.label, row.category) == ("C1", "Accueillir et orienter", "Relation client")
    _refused(ErrorCode.COMPETENCY_CODE_TAKEN, grids.update_competency, db, w.staff, c2, "C1", "Autre")
    _refused(ErrorCode.COMPETENCY_REQUIRED, grids.update_competency, db, w.staff, c2, "C2", " ")
    _refused(ErrorCode.TEXT_TOO_LONG, grids.update_competency, db, w.staff, c2, "C2", "x" * 301)
    for actor in (w.trainer, w.actors[0], w.foreign_staff):
        _refused(ErrorCode.NOT_FOUND, grids.update_competency, db, actor, c1, "C9", "x")
        _refused(ErrorCode.NOT_FOUND, grids.remove_competency, db, actor, c1)
    _refused(ErrorCode.NOT_FOUND, grids.update_competency, db, w.staff, "1", "C9", "x")
    actions = db.exec(select(AuditRecord.action).where(col(AuditRecord.action).startswith("competency."))).all()
    assert "competency.updated" in actions and "competency.created" in actions


def test_a_competency_in_use_cannot_be_removed(db: Session) -> None:
    w = _world(db)
    c1, c2 = _framework(db, w)
    free = grids.create_competency(db, w.staff, "C3", "Libre")
    grids.remove_competency(db, w.staff, free)
    assert db.get(Competency, free) is None
    # Linked by the course: kept.
    _refused(ErrorCode.COMPETENCY_IN_USE, grids.remove_competency, db, w.staff, c1)
    # Acquired by a learner, then unlinked from the course: still kept (the learner's record names it).
    grids.record_acquired(db, w.trainer, w.session.id or 0, w.actors[0].user_id, c2, acquired=True)
    grids.link_course(db, w.staff, w.session.course_id, [c1])
    _refused(ErrorCode.COMPETENCY_IN_USE, grids.remove_competency, db, w.staff, c2)
    grids.link_course(db, w.staff, w.session.course_id, [c1, c2])
    grids.record_acquired(db, w.trainer, w.session.id or 0, w.actors[0].user_id, c2, acquired=False)
    grids.link_course(db, w.staff, w.session.course_id, [c1])
    grids.remove_competency(db, w.staff, c2)
    assert [c.code for c in grids.list_competencies(db, w.staff)] == ["C1"]


def test_the_trainer_validates_a_module_once_behind_the_manage_gate(db: Session) -> None:
    w = _world(db)
    module, learner, sid = w.module.id or 0, w.actors[0], w.session.id or 0
    assert validations.validate_module(db, w.trainer, module, learner.user_id, validated=True)
    assert not validations.validate_module(db, w.trainer, module, learner.user_id, validated=True)  # idempotent
    assert not validations.validate_module(db, w.staff, module, learner.user_id, validated=True)
    rows = db.exec(select(ModuleValidation).where(ModuleValidation.module_id == module)).all()
    assert [(r.user_id, r.validated_by_id, r.session_id) for r in rows] == [(learner.user_id, w.trainer.user_id, sid)]
    for actor in (learner, w.idle_trainer, w.foreign_staff, w.outsider):
        _refused(ErrorCode.NOT_FOUND, validations.validate_module, db, actor, module, learner.user_id, validated=True)
    _refused(
        ErrorCode.NOT_FOUND, validations.validate_module, db, w.trainer, module, w.outsider.user_id, validated=True
    )
    _refused(ErrorCode.NOT_FOUND, validations.validate_module, db, w.trainer, 0, learner.user_id, validated=True)
    _refused(
        ErrorCode.NOT_FOUND, validations.validate_module, db, w.trainer, module, str(learner.user_id), validated=True
    )
    _refused(ErrorCode.NOT_FOUND, validations.validate_module, db, w.trainer, module, learner.user_id, validated="yes")
    assert validations.may_record(db, w.trainer, sid) and validations.may_record(db, w.staff, sid)
    assert not any(validations.may_record(db, a, sid) for a in (learner, w.idle_trainer, w.foreign_staff))
    assert validations.validate_module(db, w.trainer, module, learner.user_id, validated=False)
    assert not validations.validate_module(db, w.trainer, module, learner.user_id, validated=False)
    assert db.exec(select(ModuleValidation)).all() == []


def test_one_validation_per_module_and_learner_in_the_database(db: Session) -> None:
    w = _world(db)
    row = {"session_id": w.session.id, "module_id": w.module.id, "user_id": w.learners[0].id}
    db.add(ModuleValidation(**row, validated_by_id=w.trainer.user_id))
    db.commit()
    db.add(ModuleValidation(**row, validated_by_id=w.staff.user_id))
    with pytest.raises(IntegrityError):
        db.commit()
    db.rollback()


def test_the_record_shows_competencies_and_modules_to_the_learner_and_the_team(db: Session) -> None:
    w = _world(db)
    _, c2 = _framework(db, w)
    second = Module(session_id=w.session.id, title="Jour 2", phase="during", position=1)
    db.add(second)
    db.commit()
    learner, sid = w.actors[0], w.session.id or 0
    grids.record_acquired(db, w.trainer, sid, learner.user_id, c2, acquired=True)
    validations.validate_module(db, w.trainer, w.module.id or 0, learner.user_id, validated=True)
    record = validations.learner_record(db, learner, sid, learner.user_id)
    assert [(line.label, line.done) for line in record.competencies] == [
        ("C1 — Accueillir le public", False),
        ("C2 — Sécuriser une intervention", True),
    ]
    assert [(line.label, line.done) for line in record.modules] == [("Jour 1", True), ("Jour 2", False)]
    assert record.modules[0].detail and not record.modules[1].detail
    assert validations.learner_record(db, w.staff, sid, learner.user_id) == record
    for actor in (w.actors[1], w.idle_trainer, w.foreign_staff, w.outsider):
        _refused(ErrorCode.NOT_FOUND, validations.learner_record, db, actor, sid, learner.user_id)
    _refused(ErrorCode.NOT_FOUND, validations.learner_record, db, w.trainer, sid, w.outsider.user_id)
    # Deleting a module takes its validations with it.
    timeline.delete_module(db, w.trainer, w.module.id or 0)
    db.commit()
    assert [line.label for line in validations.learner_record(db, learner, sid, learner.user_id).modules] == ["Jour 2"]
    assert db.exec(select(ModuleValidation)).all() == []


def test_my_record_is_the_learners_own_and_course_links_are_the_catalogues(db: Session) -> None:
    w = _world(db)
    c1, c2 = _framework(db, w)
    sid = w.session.id or 0
    grids.record_acquired(db, w.trainer, sid, w.actors[0].user_id, c1, acquired=True)
    mine = validations.my_record(db, w.actors[0], sid)
    assert mine is not None and [line.done for line in mine.competencies] == [True, False]
    assert validations.my_record(db, w.trainer, sid) is None
    _refused(ErrorCode.NOT_FOUND, validations.my_record, db, w.outsider, sid)
    assert [c.id for c in grids.course_links(db, w.staff, w.session.course_id)] == [c1, c2]
    for actor in (w.trainer, w.foreign_staff, w.actors[0]):
        _refused(ErrorCode.NOT_FOUND, grids.course_links, db, actor, w.session.course_id)
