import json
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session, col, delete, func, select

from app.models import (
    Activity,
    ActivityCompletion,
    Course,
    CourseReview,
    Enrolment,
    Module,
    Organisation,
    Submission,
    TrainerPosition,
    TrainingSession,
    User,
)
from app.services import access, course_reviews, tutoring, tutoring_courses
from app.services.actor import Actor
from app.services.catalogue import catalogue_entry, copy_template
from app.services.course_categories import UNCATEGORISED
from app.services.errors import ErrorCode, PlumeError
from app.services.seed import seed_demo
from app.services.seed_reviews import seed_reviews
from tests.factories import actor_for, assign_tutor, make_learner, make_member, make_org, make_staff, make_trainer

START = date(2026, 11, 2)
T0 = datetime.fromisoformat("2026-11-02T08:00:00+00:00")


def _course(db: Session, org: Organisation, title: str, categories: str = "", short_title: str = "") -> Course:
    course = Course(organisation_id=org.id or 0, title=title, categories=categories, short_title=short_title)
    db.add(course)
    db.commit()
    return course


def _session(
    db: Session,
    course: Course,
    title: str,
    *,
    learners: tuple[User, ...] = (),
    status: str = "active",
    start: date = START,
) -> TrainingSession:
    session = TrainingSession(
        organisation_id=course.organisation_id,
        course_id=course.id or 0,
        title=title,
        starts_on=start,
        ends_on=start + timedelta(days=1),
        status=status,
    )
    db.add(session)
    db.flush()
    db.add_all(Enrolment(session_id=session.id or 0, user_id=u.id or 0) for u in learners)
    db.commit()
    return session


def _raises(code: ErrorCode) -> Any:
    return pytest.raises(PlumeError, match=f"^{code.value}$")


@contextmanager
def _selects(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@dataclass
class World:
    org: Organisation
    courses: dict[str, Course]
    sessions: dict[str, TrainingSession]
    staff: Actor
    tutor: Actor
    learners: list[User]


def _world(db: Session) -> World:
    """Five courses; the tutor follows s1a (of c1), s2 and s4, not s1b or s3; c5 only has a draft."""
    org = make_org(db)
    learners = [make_learner(db, org) for _ in range(4)]
    courses = {
        "c1": _course(
            db, org, "Prévention des risques au bureau", "Santé et sécurité > Prévention des risques, Management"
        ),
        "c2": _course(db, org, "Secourisme au travail", "Santé et sécurité > Secourisme", short_title="SST"),
        "c3": _course(db, org, "Management agile", "Management > Agilité"),
        "c4": _course(db, org, "Accueil téléphonique"),
        "c5": _course(db, org, "Brouillon de cours", "Santé et sécurité"),
    }
    sessions = {
        "s1a": _session(db, courses["c1"], "Prévention — groupe A", learners=tuple(learners[:2])),
        "s1b": _session(
            db, courses["c1"], "Prévention — groupe B", learners=tuple(learners[2:]), start=START + timedelta(days=7)
        ),
        "s2": _session(db, courses["c2"], "SST — Lyon", learners=tuple(learners[:3])),
        "s3": _session(db, courses["c3"], "Agile — Paris", learners=tuple(learners)),
        "s4": _session(db, courses["c4"], "Accueil — Rennes", learners=tuple(learners[:1])),
        "s5": _session(db, courses["c5"], "Brouillon", status="draft"),
    }
    tutor = make_member(db, org, "tutor")
    for key in ("s1a", "s2", "s4"):
        assign_tutor(db, sessions[key], tutor)
    return World(org, courses, sessions, actor_for(db, make_staff(db, org)), actor_for(db, tutor), learners)


def _titles(page: tutoring_courses.CourseList) -> list[str]:
    return [row.title for row in page.rows]


def test_competencies_split_on_commas_and_lines() -> None:
    assert tutoring_courses.competency_labels("09.S'organiser, 10.Communiquer\n\n11.Vendre") == [
        "09.S'organiser",
        "10.Communiquer",
        "11.Vendre",
    ]


def test_the_tutor_tree_holds_the_followed_courses_only(db: Session) -> None:
    w = _world(db)
    tree = tutoring_courses.course_tree(db, w.tutor)
    assert tree.total == 3
    assert [(f.path, f.courses) for f in tree.folders] == [
        ("Management", 1),
        ("Santé et sécurité", 2),
        ("Santé et sécurité > Prévention des risques", 1),
        ("Santé et sécurité > Secourisme", 1),
        (UNCATEGORISED, 1),
    ]
    assert [o.label for o in tree.courses] == [
        "Accueil téléphonique",
        "Prévention des risques au bureau",
        "Secourisme au travail",
    ]
    assert [o.label for o in tree.lists] == ["Accueil — Rennes", "Prévention — groupe A", "SST — Lyon"]
    staff_tree = tutoring_courses.course_tree(db, w.staff)
    assert staff_tree.total == 4  # the draft-only course is not followed
    assert ("Management", 2) in [(f.path, f.courses) for f in staff_tree.folders]


def test_a_course_row_lists_the_followed_sessions_only(db: Session) -> None:
    w = _world(db)
    tutor_rows = {r.title: r for r in tutoring_courses.course_list(db, w.tutor).rows}
    assert set(tutor_rows) == {"Prévention des risques au bureau", "Secourisme au travail", "Accueil téléphonique"}
    prevention = tutor_rows["Prévention des risques au bureau"]
    assert (prevention.lists, prevention.more_lists, prevention.learners) == (["Prévention — groupe A"], 0, 2)
    assert not prevention.everyone
    staff_rows = {r.title: r for r in tutoring_courses.course_list(db, w.staff).rows}
    assert staff_rows["Prévention des risques au bureau"].lists == ["Prévention — groupe B", "Prévention — groupe A"]
    assert staff_rows["Prévention des risques au bureau"].learners == 4
    # Every learner of the organisation is enrolled: the course reaches everyone.
    assert staff_rows["Prévention des risques au bureau"].everyone
    assert staff_rows["Management agile"].everyone
    assert "Brouillon de cours" not in staff_rows


def test_more_than_five_lists_are_counted_not_listed(db: Session) -> None:
    w = _world(db)
    for n in range(7):
        _session(db, w.courses["c2"], f"SST — groupe {n}", start=START + timedelta(days=n + 1))
    row = next(r for r in tutoring_courses.course_list(db, w.staff).rows if r.title == "Secourisme au travail")
    assert row.lists == [f"SST — groupe {n}" for n in (6, 5, 4, 3, 2)]
    assert row.more_lists == 3


@pytest.mark.parametrize(
    ("folder", "expected"),
    [
        ("", ["Accueil téléphonique", "Prévention des risques au bureau", "Secourisme au travail"]),
        ("Santé et sécurité", ["Prévention des risques au bureau", "Secourisme au travail"]),
        ("Santé et sécurité > Secourisme", ["Secourisme au travail"]),
        ("Management", ["Prévention des risques au bureau"]),
        ("Management > Agilité", []),
        (UNCATEGORISED, ["Accueil téléphonique"]),
        ("Nulle part", []),
    ],
)
def test_a_folder_shows_its_courses_and_those_of_its_sub_folders(db: Session, folder: str, expected: list[str]) -> None:
    w = _world(db)
    page = tutoring_courses.course_list(db, w.tutor, folder=folder)
    assert _titles(page) == expected
    assert page.total == len(expected)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("secour", ["Secourisme au travail"]),
        ("  RISQUES ", ["Prévention des risques au bureau"]),
        ("sst", ["Secourisme au travail"]),  # the short title
        ("prevention", ["Prévention des risques au bureau"]),  # accents ignored, as typed on a phone
        ("PRÉVENTION", ["Prévention des risques au bureau"]),
        ("prévèntion", ["Prévention des risques au bureau"]),  # a stray accent typed folds too
        ("au ", ["Prévention des risques au bureau", "Secourisme au travail"]),
        ("%", []),
        ("_", []),
        ("Agile", []),  # not followed
    ],
)
def test_search_looks_in_course_titles(db: Session, query: str, expected: list[str]) -> None:
    w = _world(db)
    assert _titles(tutoring_courses.course_list(db, w.tutor, query=query)) == expected


def test_filters_by_course_and_by_list(db: Session) -> None:
    w = _world(db)
    c2 = w.courses["c2"].id or 0
    assert _titles(tutoring_courses.course_list(db, w.tutor, course_id=c2)) == ["Secourisme au travail"]
    only_b = tutoring_courses.course_list(db, w.staff, list_id=w.sessions["s1b"].id or 0)
    assert [(r.title, r.lists) for r in only_b.rows] == [
        ("Prévention des risques au bureau", ["Prévention — groupe B"])
    ]
    # A list the tutor does not follow, or a course they do not follow, shows nothing.
    assert tutoring_courses.course_list(db, w.tutor, list_id=w.sessions["s1b"].id or 0).rows == []
    assert tutoring_courses.course_list(db, w.tutor, course_id=w.courses["c3"].id or 0).rows == []


def test_sorting_by_each_column_both_ways(db: Session) -> None:
    w = _world(db)
    by = {sort: _titles(tutoring_courses.course_list(db, w.staff, sort=sort)) for sort in ("title", "list", "learners")}
    assert by["title"] == [
        "Accueil téléphonique",
        "Management agile",
        "Prévention des risques au bureau",
        "Secourisme au travail",
    ]
    # First list titles: "Accueil — Rennes", "Agile — Paris", "Prévention — groupe A", "SST — Lyon".
    assert by["list"] == by["title"]
    # Learners: 1, 4, 4, 3; ties by title.
    assert by["learners"] == [
        "Accueil téléphonique",
        "Secourisme au travail",
        "Management agile",
        "Prévention des risques au bureau",
    ]
    assert _titles(tutoring_courses.course_list(db, w.staff, sort="title", descending=True)) == by["title"][::-1]
    assert _titles(tutoring_courses.course_list(db, w.staff, sort="learners", descending=True)) == [
        "Management agile",
        "Prévention des risques au bureau",
        "Secourisme au travail",
        "Accueil téléphonique",
    ]


def test_pages_and_page_sizes(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    for n in range(23):
        _session(db, _course(db, org, f"Cours {n:02d}", f"Dossier {n % 3}"), f"Session {n:02d}")
    first = tutoring_courses.course_list(db, staff, page_size=10)
    assert (first.total, first.pages, first.page, first.first, first.last) == (23, 3, 1, 1, 10)
    assert _titles(first) == [f"Cours {n:02d}" for n in range(10)]
    last = tutoring_courses.course_list(db, staff, page=3, page_size=10)
    assert (last.first, last.last, _titles(last)) == (21, 23, ["Cours 20", "Cours 21", "Cours 22"])
    beyond = tutoring_courses.course_list(db, staff, page=9, page_size=10)
    assert beyond.page == 3 and _titles(beyond) == _titles(last)
    everything = tutoring_courses.course_list(db, staff)
    assert (everything.page_size, everything.pages, len(everything.rows)) == (25, 1, 23)
    folder = tutoring_courses.course_list(db, staff, folder="Dossier 1", page_size=10)
    assert folder.total == 8  # n % 3 == 1 for n < 23


@pytest.mark.parametrize(
    "controls",
    [
        {"sort": "date"},
        {"descending": "yes"},
        {"page": 0},
        {"page": True},
        {"page": "2"},
        {"page_size": 30},
        {"page_size": True},
        {"course_id": -1},
        {"list_id": "1"},
        {"query": None},
        {"folder": ["Management"]},
    ],
)
def test_controls_outside_the_allowed_values_are_refused(db: Session, controls: dict[str, object]) -> None:
    w = _world(db)
    with _raises(ErrorCode.INVALID_INPUT):
        tutoring_courses.course_list(db, w.tutor, **controls)  # type: ignore[arg-type]


def test_the_gate_lets_in_who_follows_a_session_of_the_course_only(db: Session) -> None:
    w = _world(db)
    other_org = make_org(db)
    outsider_staff = actor_for(db, make_staff(db, other_org))
    trainer_user = make_trainer(db, w.org)
    db.add(TrainerPosition(session_id=w.sessions["s3"].id or 0, user_id=trainer_user.id or 0))
    db.commit()
    learner = actor_for(db, w.learners[0])
    unassigned_tutor = actor_for(db, make_member(db, w.org, "tutor"))
    c = {k: v.id or 0 for k, v in w.courses.items()}

    assert tutoring_courses.course_detail(db, w.tutor, c["c1"]).info.title == "Prévention des risques au bureau"
    assert tutoring_courses.course_detail(db, w.staff, c["c3"]).info.title == "Management agile"
    refused = [
        (w.tutor, c["c3"]),  # follows no session of it
        (w.tutor, 99_999),  # missing
        (w.tutor, True),
        (w.tutor, "1"),
        (w.staff, c["c5"]),  # only a draft
        (outsider_staff, c["c1"]),
        (learner, c["c1"]),
        (actor_for(db, trainer_user), c["c3"]),
        (unassigned_tutor, c["c1"]),
    ]
    for actor, course_id in refused:
        with _raises(ErrorCode.NOT_FOUND):
            tutoring_courses.course_detail(db, actor, course_id)  # type: ignore[arg-type]
        with _raises(ErrorCode.NOT_FOUND):
            access.access_tutored_course(db, actor, course_id)  # type: ignore[arg-type]
    assert tutoring_courses.course_list(db, unassigned_tutor).rows == []
    assert tutoring_courses.course_list(db, learner).rows == []
    assert tutoring_courses.course_tree(db, learner).total == 0


def test_the_list_and_the_gate_agree_with_the_session_tutoring_rules(db: Session) -> None:
    w = _world(db)
    for actor in (w.tutor, w.staff):
        listed = {r.id for r in tutoring_courses.course_list(db, actor, page_size=100).rows}
        via_sessions = {
            db.get(TrainingSession, s.id).course_id  # type: ignore[union-attr]
            for s in tutoring.tutored_sessions(db, actor)
        }
        assert listed == via_sessions
        for course in w.courses.values():
            allowed = course.id in listed
            try:
                tutored = access.access_tutored_course(db, actor, course.id or 0)
            except PlumeError:
                assert not allowed
                continue
            assert allowed
            for sid in tutored.session_ids:
                assert access.access_followed_session(db, actor, sid).id == sid


def test_a_tutor_who_loses_the_role_loses_the_courses(db: Session) -> None:
    from app.models import Membership

    w = _world(db)
    membership = db.exec(select(Membership).where(Membership.user_id == w.tutor.user_id)).one()
    membership.is_tutor = False
    db.add(membership)
    db.commit()
    assert tutoring_courses.course_list(db, w.tutor).rows == []
    with _raises(ErrorCode.NOT_FOUND):
        tutoring_courses.course_detail(db, w.tutor, w.courses["c1"].id or 0)


@dataclass
class Lessons:
    course: Course
    followed: list[TrainingSession]
    elsewhere: TrainingSession
    learners: list[User]
    tutor: Actor
    activities: dict[str, Activity]


def _lessons_world(db: Session) -> Lessons:
    """A course with a template timeline copied into three sessions; the tutor follows two of them."""
    org = make_org(db)
    course = _course(db, org, "Vente conseil", "Commerce > Vente", short_title="C01")
    course.description = "Les bases de la vente."
    course.competencies = "09.S'organiser\n10.Argumenter"
    db.add(course)
    after = Module(course_id=course.id, title="Après", phase="after", position=0)
    during = Module(course_id=course.id, title="Jour 1", phase="during", position=0)
    before = Module(course_id=course.id, title="Avant", phase="before", position=0)
    db.add_all([after, during, before])
    db.flush()
    db.add_all(
        [
            Activity(module_id=before.id or 0, kind="document", title="Programme", position=0),
            Activity(
                module_id=during.id or 0,
                kind="assignment",
                title="Mission",
                position=1,
                settings_json=json.dumps({"points": 25}),
            ),
            Activity(module_id=during.id or 0, kind="quiz", title="Quiz final", position=0),
            Activity(module_id=after.id or 0, kind="quality_evaluation", title="Évaluation à chaud", position=0),
        ]
    )
    db.commit()
    learners = [make_learner(db, org, first_name=f"Apprenant{n}", last_name="Test") for n in range(6)]
    followed = [
        _session(db, course, "Vente — groupe A", learners=tuple(learners[:3])),
        _session(db, course, "Vente — groupe B", learners=tuple(learners[3:5]), start=START + timedelta(days=7)),
    ]
    elsewhere = _session(db, course, "Vente — groupe C", learners=tuple(learners[5:]))
    for session in (*followed, elsewhere):
        copy_template(db, course.id or 0, session.id or 0)
    db.commit()
    tutor_user = make_member(db, org, "tutor")
    for session in followed:
        assign_tutor(db, session, tutor_user)

    def copy(session: TrainingSession, title: str) -> Activity:
        return db.exec(
            select(Activity)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session.id, Activity.title == title)
        ).one()

    a, b = followed
    quiz = {s.id: copy(s, "Quiz final") for s in (a, b, elsewhere)}
    mission = {s.id: copy(s, "Mission") for s in (a, b, elsewhere)}
    done = [(a, learners[0]), (a, learners[1]), (b, learners[3]), (elsewhere, learners[5])]
    db.add_all(ActivityCompletion(activity_id=quiz[s.id].id or 0, user_id=u.id or 0) for s, u in done)
    # A completion by someone no longer enrolled does not count.
    db.add(ActivityCompletion(activity_id=quiz[b.id].id or 0, user_id=learners[0].id or 0))
    hand_ins = [
        (a, learners[0], "submitted", "J'ai terminé la mission, merci de me corriger.", T0),
        (a, learners[1], "corrected", "   ", T0 + timedelta(hours=1)),
        (b, learners[3], "submitted", "Voici mon cas pratique.", T0 + timedelta(hours=2)),
        (b, learners[4], "corrected", "", T0 + timedelta(hours=3)),
        (elsewhere, learners[5], "submitted", "Hors périmètre.", T0 + timedelta(hours=4)),
    ]
    db.add_all(
        Submission(
            activity_id=mission[s.id].id or 0,
            user_id=u.id or 0,
            session_id=s.id or 0,
            status=status,
            comment=comment,
            submitted_at=at,
        )
        for s, u, status, comment, at in hand_ins
    )
    enrolments = db.exec(select(Enrolment).where(col(Enrolment.session_id).in_([a.id, b.id, elsewhere.id]))).all()
    progress = {
        learners[0].id: (100, "finished"),
        learners[1].id: (50, "in_progress"),
        learners[3].id: (30, "in_progress"),
    }
    for enrolment in enrolments:
        enrolment.progress, enrolment.status = progress.get(enrolment.user_id, (0, "not_started"))
        if enrolment.session_id == elsewhere.id:
            enrolment.progress, enrolment.status = 100, "finished"
        db.add(enrolment)
    db.add_all(
        [
            CourseReview(
                course_id=course.id or 0,
                session_id=a.id or 0,
                user_id=learners[0].id or 0,
                stars=5,
                comment="Très concret.",
                created_at=T0,
            ),
            CourseReview(
                course_id=course.id or 0,
                session_id=b.id or 0,
                user_id=learners[3].id or 0,
                stars=4,
                comment="",
                created_at=T0 + timedelta(days=1),
            ),
            CourseReview(
                course_id=course.id or 0,
                session_id=elsewhere.id or 0,
                user_id=learners[5].id or 0,
                stars=1,
                comment="Hors périmètre.",
                created_at=T0 + timedelta(days=2),
            ),
        ]
    )
    db.commit()
    template = {
        a.title: a
        for a in db.exec(
            select(Activity)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.course_id == course.id)
        ).all()
    }
    return Lessons(course, followed, elsewhere, learners, actor_for(db, tutor_user), template)


def test_lessons_follow_the_template_and_aggregate_the_followed_sessions(db: Session) -> None:
    w = _lessons_world(db)
    detail = tutoring_courses.course_detail(db, w.tutor, w.course.id or 0)
    lessons = [
        (r.module, r.title, r.kind, r.points, r.completed, r.learners, r.comments, r.corrections)
        for r in detail.lessons
    ]
    assert lessons == [
        ("Avant", "Programme", "document", 0, 0, 5, 0, 0),
        ("Jour 1", "Quiz final", "quiz", 10, 3, 5, 0, 0),
        ("Jour 1", "Mission", "assignment", 25, 0, 5, 1 + 1, 2),
        ("Après", "Évaluation à chaud", "quality_evaluation", 0, 0, 5, 0, 0),
    ]
    assert [r.activity_id for r in detail.lessons][1] == w.activities["Quiz final"].id
    latest = max(s.id or 0 for s in w.followed)
    # "Ouvrir le contenu" opens the latest followed session on that lesson's own copy (`?activite=`).
    copies = {
        a.title: a.id
        for a in db.exec(
            select(Activity).join(Module, col(Module.id) == col(Activity.module_id)).where(Module.session_id == latest)
        ).all()
    }
    assert [r.open_link for r in detail.lessons] == [
        f"/sessions/{latest}?activite={copies[r.title]}" for r in detail.lessons
    ]


def test_lesson_comments_come_from_the_followed_sessions_only(db: Session) -> None:
    w = _lessons_world(db)
    title, comments = tutoring_courses.lesson_comments(db, w.tutor, w.course.id or 0, w.activities["Mission"].id or 0)
    assert title == "Mission"
    assert [(c.author, c.text, c.session) for c in comments] == [
        ("Apprenant3 Test", "Voici mon cas pratique.", "Vente — groupe B"),
        ("Apprenant0 Test", "J'ai terminé la mission, merci de me corriger.", "Vente — groupe A"),
    ]
    assert comments[0].date == "02/11/2026 11:00"
    _, none = tutoring_courses.lesson_comments(db, w.tutor, w.course.id or 0, w.activities["Quiz final"].id or 0)
    assert none == []
    session_copy = db.exec(
        select(Activity.id)
        .join(Module, col(Module.id) == col(Activity.module_id))
        .where(Module.session_id == w.followed[0].id, Activity.title == "Mission")
    ).one()
    for activity_id in (session_copy, 99_999, True):
        with _raises(ErrorCode.NOT_FOUND):
            tutoring_courses.lesson_comments(db, w.tutor, w.course.id or 0, activity_id)  # type: ignore[arg-type]


def test_general_information_reviews_and_quick_stats(db: Session) -> None:
    w = _lessons_world(db)
    detail = tutoring_courses.course_detail(db, w.tutor, w.course.id or 0)
    info = detail.info
    assert (info.title, info.short_title, info.description) == ("Vente conseil", "C01", "Les bases de la vente.")
    assert (info.categories, info.competencies) == (["Commerce > Vente"], ["09.S'organiser", "10.Argumenter"])
    assert info.centre_link == f"/tutorat/formations/{w.course.id}/centre"
    assert info.catalogue_link == f"/catalogue/{w.course.id}"  # "Vers la fiche catalogue", read only for a tutor
    course, editable = catalogue_entry(db, w.tutor, w.course.id or 0)
    assert (course.id, editable) == (w.course.id, False)
    assert info.image == ""
    assert [(r.author, r.date, r.stars, r.comment, r.session) for r in detail.reviews] == [
        ("Apprenant3 Test", "03/11/2026", 4, "", "Vente — groupe B"),
        ("Apprenant0 Test", "02/11/2026", 5, "Très concret.", "Vente — groupe A"),
    ]
    assert detail.stats == tutoring_courses.QuickStats(
        learners=5,
        sessions=2,
        average_progress=36,  # (100 + 50 + 0 + 30 + 0) / 5
        finished=1,
        average_rating="4,5",
        reviews=2,
        corrections=2,
    )
    org_staff = actor_for(db, make_staff(db, db.get(Organisation, w.course.organisation_id)))  # type: ignore[arg-type]
    staff_view = tutoring_courses.course_detail(db, org_staff, w.course.id or 0)
    assert staff_view.info.catalogue_link == f"/catalogue/{w.course.id}"
    assert catalogue_entry(db, org_staff, w.course.id or 0)[1] is True
    assert (staff_view.stats.sessions, staff_view.stats.reviews, staff_view.stats.learners) == (3, 3, 6)


def test_a_course_without_reviews_or_template(db: Session) -> None:
    w = _world(db)
    session = w.sessions["s2"]
    module = Module(session_id=session.id, title="Jour 1", phase="during", position=0)
    db.add(module)
    db.flush()
    db.add(Activity(module_id=module.id or 0, kind="elearning", title="Module SCORM", position=0))
    db.commit()
    detail = tutoring_courses.course_detail(db, w.tutor, w.courses["c2"].id or 0)
    assert detail.reviews == []
    assert (detail.stats.average_rating, detail.stats.reviews) == ("", 0)
    # No template timeline: the followed session's timeline stands in.
    assert [(r.title, r.points, r.learners) for r in detail.lessons] == [("Module SCORM", 10, 3)]


def test_loading_the_pages_takes_a_bounded_number_of_queries(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    learners = [make_learner(db, org) for _ in range(5)]
    for n in range(40):
        course = _course(db, org, f"Cours {n:02d}", f"Famille {n % 4} > Sous-famille {n % 3}")
        for k in range(3):
            _session(db, course, f"Session {n}-{k}", learners=tuple(learners[: k + 1]))
    with _selects(db) as statements:
        tutoring_courses.course_tree(db, staff)
        page = tutoring_courses.course_list(db, staff, folder="Famille 1", sort="learners", page_size=50)
    assert page.total == 10 and all(len(r.lists) == 3 for r in page.rows)
    assert len(statements) <= 12, statements
    w = _lessons_world(db)
    with _selects(db) as statements:
        tutoring_courses.course_detail(db, w.tutor, w.course.id or 0)
    assert len(statements) <= 14, statements


def test_an_enrolled_learner_reviews_once_and_can_change_it(db: Session) -> None:
    w = _world(db)
    sid = w.sessions["s2"].id or 0
    learner = actor_for(db, w.learners[0])
    assert course_reviews.my_review(db, learner, sid) == course_reviews.ReviewDraft(True, 0, "", False)
    review = course_reviews.leave_review(db, learner, sid, 4, "  Très utile, merci !  ")
    db.commit()
    assert (review.stars, review.comment, review.course_id) == (4, "Très utile, merci !", w.courses["c2"].id)
    course_reviews.leave_review(db, learner, sid, 5, "")
    db.commit()
    rows = db.exec(select(CourseReview).where(CourseReview.session_id == sid)).all()
    assert [(r.stars, r.comment) for r in rows] == [(5, "")]
    assert course_reviews.my_review(db, learner, sid) == course_reviews.ReviewDraft(True, 5, "", True)
    course_reviews.leave_review(db, learner, sid, 3, "x" * 2_000 + "   ")
    db.commit()
    assert db.exec(select(func.count()).select_from(CourseReview)).one() == 1


@pytest.mark.parametrize(
    ("stars", "comment", "code"),
    [
        (0, "", ErrorCode.REVIEW_STARS),
        (6, "", ErrorCode.REVIEW_STARS),
        ("5", "", ErrorCode.REVIEW_STARS),
        (True, "", ErrorCode.REVIEW_STARS),
        (None, "", ErrorCode.REVIEW_STARS),
        (4.5, "", ErrorCode.REVIEW_STARS),
        (4, "y" * 2_001, ErrorCode.REVIEW_TOO_LONG),
        (4, None, ErrorCode.INVALID_INPUT),
        (4, ["a"], ErrorCode.INVALID_INPUT),
    ],
)
def test_a_review_needs_one_to_five_stars_and_a_short_comment(
    db: Session, stars: object, comment: object, code: ErrorCode
) -> None:
    w = _world(db)
    learner = actor_for(db, w.learners[0])
    with _raises(code):
        course_reviews.leave_review(db, learner, w.sessions["s2"].id or 0, stars, comment)  # type: ignore[arg-type]
    assert db.exec(select(func.count()).select_from(CourseReview)).one() == 0


def test_only_enrolled_learners_review(db: Session) -> None:
    w = _world(db)
    s2 = w.sessions["s2"].id or 0
    not_enrolled = actor_for(db, w.learners[3])
    with _raises(ErrorCode.NOT_FOUND):
        course_reviews.leave_review(db, not_enrolled, s2, 5, "")
    with _raises(ErrorCode.NOT_FOUND):
        course_reviews.my_review(db, not_enrolled, s2)
    for member in (w.staff, w.tutor):
        with _raises(ErrorCode.REVIEW_LEARNERS_ONLY):
            course_reviews.leave_review(db, member, s2, 5, "")
        assert course_reviews.my_review(db, member, s2).can_review is False
    draft = w.sessions["s5"]
    db.add(Enrolment(session_id=draft.id or 0, user_id=w.learners[0].id or 0))
    db.commit()
    for session_id in (draft.id or 0, 99_999, True, "1"):
        with _raises(ErrorCode.NOT_FOUND):
            course_reviews.leave_review(db, actor_for(db, w.learners[0]), session_id, 5, "")  # type: ignore[arg-type]
    assert db.exec(select(func.count()).select_from(CourseReview)).one() == 0


def test_the_demo_gets_two_to_four_reviews_per_course_from_its_learners(db: Session) -> None:
    seed_demo(db, learners=31)  # the demo calls seed_reviews itself; start again from none
    db.exec(delete(CourseReview))
    db.flush()
    added = seed_reviews(db, random.Random(2026))
    db.commit()
    reviews = db.exec(select(CourseReview)).all()
    assert added == len(reviews)
    per_course: dict[int, int] = {}
    for review in reviews:
        per_course[review.course_id] = per_course.get(review.course_id, 0) + 1
        session = db.get(TrainingSession, review.session_id)
        assert session is not None and session.course_id == review.course_id and session.status != "draft"
        assert db.exec(
            select(Enrolment).where(Enrolment.session_id == review.session_id, Enrolment.user_id == review.user_id)
        ).first()
        assert 1 <= review.stars <= 5
    with_learners = db.exec(
        select(TrainingSession.course_id)
        .join(Enrolment, col(Enrolment.session_id) == col(TrainingSession.id))
        .where(TrainingSession.status != "draft")
        .distinct()
    ).all()
    assert set(per_course) == set(with_learners)
    assert all(2 <= n <= 4 for n in per_course.values())
    tutor = db.exec(select(User).where(User.email == "tutor@demo.plume.test")).one()
    titles = {r.title for r in tutoring_courses.course_list(db, actor_for(db, tutor)).rows}
    assert titles == {
        "Manager une équipe au quotidien",
        "Excel avancé : tableaux croisés et automatisation",
        "Sensibilisation à la cybersécurité",
    }


def test_only_staff_and_tutors_following_the_course_reach_its_catalogue_entry(db: Session) -> None:
    w = _lessons_world(db)
    org = db.get(Organisation, w.course.organisation_id)
    assert org is not None
    not_following = actor_for(db, make_member(db, org, "tutor"))
    learner = actor_for(db, make_learner(db, org))
    stranger = actor_for(db, make_staff(db, make_org(db)))
    for actor in (not_following, learner, stranger):
        with _raises(ErrorCode.NOT_FOUND):
            catalogue_entry(db, actor, w.course.id or 0)
