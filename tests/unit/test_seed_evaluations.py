"""The demo's evaluations (issue 15, "Demo"): a real library, a framework, every kind attached, real answers."""

from __future__ import annotations

from sqlmodel import Session, col, func, select

from app.models import Activity, Course, Module, TrainingSession, User
from app.models.evaluations import (
    EVALUATION_KINDS,
    AcquiredCompetency,
    Choice,
    CourseCompetency,
    EvaluationAttempt,
    GridEntry,
    Question,
    Questionnaire,
    QuestionnaireUse,
    SelfPosition,
)
from app.services.evaluations import attempts, results
from app.services.seed import seed_demo
from tests.factories import actor_for

GESTES = "Gestes et postures — entrepôt Vénissieux"
SST = "SST — formation initiale"


def _session(db: Session, title: str) -> TrainingSession:
    return db.exec(select(TrainingSession).where(TrainingSession.title == title)).one()


def _activities(db: Session, session_id: int) -> list[Activity]:
    return list(
        db.exec(
            select(Activity)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session_id)
        ).all()
    )


def _user(db: Session, email: str) -> User:
    return db.exec(select(User).where(User.email == email)).one()


def test_every_evaluation_activity_of_the_demo_sessions_uses_a_real_questionnaire(db: Session) -> None:
    seed_demo(db)
    db.commit()
    kinds: set[str] = set()
    for training in db.exec(select(TrainingSession)).all():
        for activity in _activities(db, training.id or 0):
            if activity.kind not in EVALUATION_KINDS:
                continue
            kinds.add(activity.kind)
            use = db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity.id)).first()
            if activity.kind == "third_party_evaluation":  # its grid is the course's competencies
                assert use is None
                continue
            assert use is not None, (training.title, activity.title)
            questionnaire = db.get(Questionnaire, use.questionnaire_id)
            assert questionnaire is not None and questionnaire.use == activity.kind
            assert questionnaire.organisation_id == training.organisation_id
    assert kinds == set(EVALUATION_KINDS)
    # Diagnostics: 5 to 8 graded questions of several types, with feedback on the answers.
    for diagnostic in db.exec(select(Questionnaire).where(Questionnaire.use == "diagnostic")).all():
        questions = db.exec(select(Question).where(Question.questionnaire_id == diagnostic.id)).all()
        graded = [q for q in questions if q.kind in ("single", "multiple", "number")]
        assert 5 <= len(graded) <= 8 and len({q.kind for q in graded}) == 3, diagnostic.title
        feedback = db.exec(
            select(func.count())
            .select_from(Choice)
            .where(col(Choice.question_id).in_([q.id for q in questions]), Choice.feedback != "")
        ).one()
        assert feedback > 0
    # The certification draws 10 of a bank of 30 or more, against the clock, twice at most.
    certification = db.exec(select(Questionnaire).where(Questionnaire.use == "certification")).one()
    assert (certification.draw_size, certification.time_limit_s, certification.attempts_limit) == (10, 900, 2)
    bank = db.exec(select(func.count()).select_from(Question).where(Question.bank_id == certification.bank_id)).one()
    assert bank >= 30
    # Every course links competencies of its organisation's framework.
    for course in db.exec(select(Course)).all():
        assert db.exec(select(CourseCompetency).where(CourseCompetency.course_id == course.id)).first() is not None


def test_the_finished_session_shows_answers_grids_positions_and_anonymous_charts(db: Session) -> None:
    seed_demo(db)
    db.commit()
    gestes = _session(db, GESTES)
    by_title = {a.title: a for a in _activities(db, gestes.id or 0)}
    trainer = actor_for(db, _user(db, "trainer@demo.plume.test"))
    hot = results.quality_results(db, trainer, by_title["Évaluation à chaud"].id or 0)
    assert hot.answered >= 5 and hot.shown and hot.satisfaction is not None
    cold = results.quality_results(db, trainer, by_title["Évaluation à froid"].id or 0)
    assert cold.answered >= 3 and cold.shown
    cold_use = db.exec(
        select(QuestionnaireUse).where(QuestionnaireUse.activity_id == by_title["Évaluation à froid"].id)
    ).one()
    assert cold_use.moment == "cold" and cold_use.send_after_days and cold_use.cold_sent_at is not None
    # Anonymous: no submitted quality answer is linked to a learner.
    quality = [a.id for a in by_title.values() if a.kind == "quality_evaluation"]
    assert db.exec(
        select(EvaluationAttempt).where(
            col(EvaluationAttempt.activity_id).in_(quality),
            col(EvaluationAttempt.user_id).is_(None),
        )
    ).first()
    diagnostic = next(a for a in by_title.values() if a.kind == "diagnostic")
    scored = [r for r in results.learner_results(db, trainer, diagnostic.id or 0) if r.score is not None]
    assert len(scored) >= 5
    assert db.exec(select(GridEntry).where(GridEntry.session_id == gestes.id)).first() is not None
    assert db.exec(select(AcquiredCompetency).where(AcquiredCompetency.session_id == gestes.id)).first() is not None
    moments = set(db.exec(select(SelfPosition.moment).where(SelfPosition.session_id == gestes.id)).all())
    assert moments == {"before", "after"}


def test_the_sst_certification_draws_ten_questions_with_a_deadline_and_the_e2e_learners_start_clean(
    db: Session,
) -> None:
    seed_demo(db)
    db.commit()
    sst = _session(db, SST)
    exam = next(a for a in _activities(db, sst.id or 0) if a.kind == "certification")
    learner = actor_for(db, _user(db, "learner21@demo.plume.test"))
    view = attempts.start(db, learner, exam.id or 0)
    assert len(view["questions"]) == 10 and view["deadline"] and view["attempts_left"] == 1
    # Learners 11 and 30 (the end-to-end tests start from them) and the SST session answered nothing.
    for email in ("learner11@demo.plume.test", "learner30@demo.plume.test"):
        user = _user(db, email)
        assert db.exec(select(EvaluationAttempt).where(EvaluationAttempt.user_id == user.id)).first() is None
    assert (
        db.exec(
            select(EvaluationAttempt).where(
                EvaluationAttempt.session_id == sst.id, col(EvaluationAttempt.activity_id) != exam.id
            )
        ).first()
        is None
    )
