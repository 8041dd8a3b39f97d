from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.models import (
    Activity,
    ActivityCompletion,
    Enrolment,
    LessonAttempt,
    Membership,
    Module,
    Organisation,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    User,
)
from app.models.base import utcnow
from app.services import access, progress, tutoring
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.seed import seed_demo
from tests.backend import ON_POSTGRES
from tests.factories import actor_for, make_learner, make_member, make_org, make_session, make_staff, make_trainer

START = date(2026, 11, 2)
T0 = datetime.fromisoformat("2026-11-02T08:00:00+00:00")


def _activities(db: Session, session: TrainingSession, count: int = 4) -> list[Activity]:
    """Two modules (before, during) sharing `count` activities."""
    before = Module(session_id=session.id, title="Avant", phase="before", position=0)
    during = Module(session_id=session.id, title="Jour 1", phase="during", position=0)
    db.add_all([before, during])
    db.flush()
    activities = [
        Activity(module_id=(before if i % 2 else during).id or 0, kind="document", title=f"Activité {i}", position=i)
        for i in range(count)
    ]
    db.add_all(activities)
    db.commit()
    return activities


def _complete(db: Session, user: User, activities: list[Activity], *, last: datetime) -> None:
    """Completions of the given activities, the last one at `last`."""
    for i, activity in enumerate(activities):
        at = last - timedelta(minutes=len(activities) - 1 - i)
        db.add(ActivityCompletion(activity_id=activity.id or 0, user_id=user.id or 0, completed_at=at))
    db.flush()
    module = db.get(Module, activities[0].module_id) if activities else None
    if module is not None and module.session_id is not None:
        progress.refresh(db, module.session_id, [user.id or 0])
    db.commit()


def _enrol(db: Session, session: TrainingSession, user: User, kind: str) -> None:
    db.add(Enrolment(session_id=session.id or 0, user_id=user.id or 0, kind=kind))
    db.commit()


def _assign(db: Session, session: TrainingSession, user: User) -> None:
    db.add(TutorPosition(session_id=session.id or 0, user_id=user.id or 0))
    db.commit()


@dataclass
class World:
    org: Organisation
    session: TrainingSession
    staff: Actor
    tutor: Actor
    people: dict[str, User]


def _world(db: Session) -> World:
    """Five learners of a four-activity session, at 0 %, 25 %, 50 %, 75 % and 100 %."""
    org = make_org(db)
    session = make_session(db, org, start=START, end=START + timedelta(days=2))
    other = make_session(db, org, start=START, end=START + timedelta(days=2))
    activities = _activities(db, session)
    elsewhere = _activities(db, other, count=2)
    people = {
        "zola": make_learner(db, org, first_name="Alice", last_name="Zola", email="alice.zola@example.test"),
        "aubert": make_learner(db, org, first_name="Denis", last_name="Aubert", email="d.aubert@example.test"),
        "martin": make_learner(db, org, first_name="Bruno", last_name="martin", email="bruno@example.test"),
        "petit": make_learner(
            db, org, first_name="Emma", last_name="Petit", pseudonym="Zaza", email="e.petit@ailleurs.test"
        ),
        "dubois": make_learner(db, org, first_name="Chloé", last_name="Dubois", email="chloe@example.test"),
    }
    kinds = {"zola": "mandatory", "aubert": "mandatory", "martin": "recommended", "petit": "mandatory"}
    for key, user in people.items():
        _enrol(db, session, user, kinds.get(key, "free"))
    _complete(db, people["aubert"], activities[:1], last=T0 + timedelta(hours=1))
    _complete(db, people["martin"], activities[:2], last=T0 + timedelta(hours=3))
    _complete(db, people["petit"], activities[1:], last=T0 + timedelta(hours=2))
    _complete(db, people["dubois"], activities, last=T0 + timedelta(hours=4))
    # Another session's activities count neither for progress nor for the last activity.
    _enrol(db, other, people["aubert"], "mandatory")
    _complete(db, people["aubert"], elsewhere, last=T0 + timedelta(hours=10))
    tutor = make_member(db, org, "tutor")
    _assign(db, session, tutor)
    return World(org, session, actor_for(db, make_staff(db, org)), actor_for(db, tutor), people)


def _learner_ids(db: Session, actor: Actor, sid: int, **filters: str) -> list[int]:
    return [uid for _, uid in tutoring.learner_keys(db, actor, sid, **filters)]


def _names(centre: tutoring.Centre, world: World) -> list[str]:
    keys = {user.id: key for key, user in world.people.items()}
    return [keys[row.user_id] for row in centre.rows]


def test_status_progress_and_last_activity_come_from_the_sessions_completions(db: Session) -> None:
    w = _world(db)
    centre = tutoring.centre(db, w.tutor, w.session.id or 0)
    assert centre.activities == 4
    assert (centre.learners, centre.total, centre.page, centre.pages) == (5, 5, 1, 1)
    rows = {row.user_id: row for row in centre.rows}
    expected = {
        "zola": ("not_started", 0, 0, ""),
        "aubert": ("in_progress", 25, 1, (T0 + timedelta(hours=1)).isoformat()),
        "martin": ("in_progress", 50, 2, (T0 + timedelta(hours=3)).isoformat()),
        "petit": ("in_progress", 75, 3, (T0 + timedelta(hours=2)).isoformat()),
        "dubois": ("finished", 100, 4, (T0 + timedelta(hours=4)).isoformat()),
    }
    for key, (status, percent, _completed, last) in expected.items():
        row = rows[w.people[key].id]
        assert (row.status, row.progress, row.last_activity_at) == (status, percent, last)
    assert centre.pie == tutoring.Pie(not_started=1, in_progress=3, finished=1)
    petit, zola = rows[w.people["petit"].id], rows[w.people["zola"].id]
    assert (petit.name, petit.kind) == ("Zaza", "mandatory")
    assert (zola.name, zola.email, zola.kind) == ("Alice Zola", "alice.zola@example.test", "mandatory")


def test_status_follows_the_same_rule_as_the_sql() -> None:
    assert progress.enrolment_status(0, 4, started=False) == "not_started"
    assert progress.enrolment_status(3, 4, started=False) == "in_progress"
    assert progress.enrolment_status(4, 4, started=False) == "finished"
    assert progress.enrolment_status(0, 0, started=False) == "not_started"


def test_a_session_without_activities_has_everyone_not_started(db: Session) -> None:
    org = make_org(db)
    learners = tuple(make_learner(db, org) for _ in range(3))
    session = make_session(db, org, start=START, end=START, learners=learners)
    centre = tutoring.centre(db, actor_for(db, make_staff(db, org)), session.id or 0)
    assert centre.activities == 0
    assert centre.pie == tutoring.Pie(not_started=3, in_progress=0, finished=0)
    assert {(r.status, r.progress) for r in centre.rows} == {("not_started", 0)}


def test_the_kind_filter_narrows_learners_pie_and_rows(db: Session) -> None:
    w = _world(db)
    sid = w.session.id or 0
    mandatory = tutoring.centre(db, w.staff, sid, kind="mandatory")
    assert (mandatory.learners, mandatory.total) == (3, 3)
    assert _names(mandatory, w) == ["aubert", "petit", "zola"]
    assert mandatory.pie == tutoring.Pie(not_started=1, in_progress=2, finished=0)
    assert _names(tutoring.centre(db, w.staff, sid, kind="recommended"), w) == ["martin"]
    free = tutoring.centre(db, w.staff, sid, kind="free")
    assert _names(free, w) == ["dubois"]
    assert free.pie == tutoring.Pie(not_started=0, in_progress=0, finished=1)
    with pytest.raises(PlumeError) as err:
        tutoring.centre(db, w.staff, sid, kind="optional")
    assert err.value.code == ErrorCode.INVALID_INPUT


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zaza", ["petit"]),
        ("  DUB ", ["dubois"]),
        ("ALICE", ["zola"]),
        ("MARTIN", ["martin"]),
        ("émma", ["petit"]),  # accents ignored in what is typed...
        ("dubóis", ["dubois"]),
        ("bruno@", ["martin"]),
        ("example.test", ["aubert", "dubois", "martin", "zola"]),
        ("%", []),
        ("_", []),
    ],
)
def test_search_is_case_insensitive_on_names_pseudonym_and_email(db: Session, query: str, expected: list[str]) -> None:
    w = _world(db)
    centre = tutoring.centre(db, w.tutor, w.session.id or 0, query=query)
    assert _names(centre, w) == expected
    assert centre.total == len(expected)
    assert centre.learners == 5
    assert centre.pie == tutoring.Pie(not_started=1, in_progress=3, finished=1)


@pytest.mark.parametrize(
    ("sort", "ascending"),
    [
        ("name", ["aubert", "dubois", "martin", "petit", "zola"]),
        ("progress", ["zola", "aubert", "martin", "petit", "dubois"]),
        ("last_activity", ["zola", "aubert", "petit", "martin", "dubois"]),
    ],
)
def test_each_sort_runs_both_ways(db: Session, sort: str, ascending: list[str]) -> None:
    w = _world(db)
    sid = w.session.id or 0
    assert _names(tutoring.centre(db, w.staff, sid, sort=sort), w) == ascending
    assert _names(tutoring.centre(db, w.staff, sid, sort=sort, descending=True), w) == ascending[::-1]


def test_status_sort_keeps_ties_by_name_both_ways(db: Session) -> None:
    w = _world(db)
    sid = w.session.id or 0
    up = tutoring.centre(db, w.staff, sid, sort="status")
    down = tutoring.centre(db, w.staff, sid, sort="status", descending=True)
    assert _names(up, w) == ["zola", "aubert", "martin", "petit", "dubois"]
    assert _names(down, w) == ["dubois", "aubert", "martin", "petit", "zola"]


def test_pages_of_ten(db: Session) -> None:
    org = make_org(db)
    learners = tuple(make_learner(db, org, last_name=f"Nom{n:02d}") for n in range(25))
    session = make_session(db, org, start=START, end=START, learners=learners)
    staff = actor_for(db, make_staff(db, org))
    sid = session.id or 0
    second = tutoring.centre(db, staff, sid, page=2, page_size=10)
    assert (second.total, second.page, second.pages, second.page_size) == (25, 2, 3, 10)
    assert [r.user_id for r in second.rows] == [u.id for u in learners[10:20]]
    third = tutoring.centre(db, staff, sid, page=3, page_size=10)
    assert [r.user_id for r in third.rows] == [u.id for u in learners[20:]]
    past_the_end = tutoring.centre(db, staff, sid, page=99, page_size=10)
    assert (past_the_end.page, past_the_end.rows) == (3, third.rows)
    searched = tutoring.centre(db, staff, sid, query="Nom2", page=2, page_size=10)
    assert (searched.total, searched.page, searched.pages, len(searched.rows)) == (5, 1, 1, 5)
    empty = tutoring.centre(db, staff, sid, query="personne")
    assert (empty.total, empty.page, empty.pages, empty.rows) == (0, 1, 1, [])


@pytest.mark.parametrize(
    "controls",
    [
        {"page_size": 20},
        {"page_size": 1000},
        {"page": 0},
        {"page": -1},
        {"page": True},
        {"sort": "email"},
        {"sort": "name; drop table user"},
        {"descending": "yes"},
        {"kind": "All"},
    ],
)
def test_controls_outside_the_allowed_values_are_refused(db: Session, controls: dict[str, object]) -> None:
    w = _world(db)
    with pytest.raises(PlumeError) as err:
        tutoring.centre(db, w.staff, w.session.id or 0, **controls)  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.INVALID_INPUT


def test_learner_ids_select_every_page(db: Session) -> None:
    w = _world(db)
    sid = w.session.id or 0
    ids = {key: user.id for key, user in w.people.items()}
    assert _learner_ids(db, w.tutor, sid) == [ids[k] for k in ("aubert", "dubois", "martin", "petit", "zola")]
    assert _learner_ids(db, w.tutor, sid, kind="mandatory") == [ids[k] for k in ("aubert", "petit", "zola")]
    assert _learner_ids(db, w.tutor, sid, kind="mandatory", query="zaza") == [ids["petit"]]
    assert _learner_ids(db, w.tutor, sid, query="nobody") == []


def test_staff_and_assigned_tutors_get_in_everyone_else_gets_not_found(db: Session) -> None:
    w = _world(db)
    sid = w.session.id or 0
    other_org = make_org(db)
    unassigned_tutor = make_member(db, w.org, "tutor")
    positioned_trainer = make_trainer(db, w.org)
    db.add(TutorPosition(session_id=sid, user_id=positioned_trainer.id or 0))  # a row without the tutor role
    db.add(TrainerPosition(session_id=sid, user_id=positioned_trainer.id or 0))
    foreign_tutor = make_member(db, other_org, "tutor")
    _assign(db, w.session, foreign_tutor)
    for actor in (w.staff, w.tutor):
        assert access.access_followed_session(db, actor, sid).id == sid
        assert tutoring.centre(db, actor, sid).learners == 5
    refused = [
        unassigned_tutor,
        w.people["zola"],
        positioned_trainer,
        make_staff(db, other_org),
        foreign_tutor,
    ]
    for person in refused:
        actor = actor_for(db, person)
        for call in (access.access_followed_session, tutoring.centre, tutoring.learner_keys):
            with pytest.raises(PlumeError) as err:
                call(db, actor, sid)
            assert err.value.code == ErrorCode.NOT_FOUND
    for missing in (999_999, "1"):
        with pytest.raises(PlumeError) as err:
            access.access_followed_session(db, w.staff, missing)  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.NOT_FOUND


def test_a_tutor_who_loses_the_role_loses_the_centre(db: Session) -> None:
    w = _world(db)
    membership = db.exec(select(Membership).where(Membership.user_id == w.tutor.user_id)).one()
    membership.is_tutor = False
    db.add(membership)
    db.commit()
    with pytest.raises(PlumeError) as err:
        tutoring.centre(db, w.tutor, w.session.id or 0)
    assert err.value.code == ErrorCode.NOT_FOUND


def test_tutored_sessions_list_what_the_gate_lets_in(db: Session) -> None:
    org = make_org(db)
    learners = tuple(make_learner(db, org) for _ in range(3))
    old = make_session(db, org, start=START, end=START, learners=learners[:1])
    new = make_session(db, org, start=START + timedelta(days=30), end=START + timedelta(days=31), learners=learners)
    draft = make_session(db, org, start=START + timedelta(days=60), end=START + timedelta(days=60), status="draft")
    make_session(db, make_org(db), start=START, end=START, learners=())
    tutor = make_member(db, org, "tutor")
    _assign(db, old, tutor)
    staff_list = tutoring.tutored_sessions(db, actor_for(db, make_staff(db, org)))
    assert [s.id for s in staff_list] == [new.id, old.id]
    assert (staff_list[0].learners, staff_list[1].learners) == (3, 1)
    assert staff_list[0].course_title == new.title
    # The list shows a day as every other list does (DD/MM/YYYY); it is still sorted by the real date above.
    assert (staff_list[1].starts_on, staff_list[1].status) == (START.strftime("%d/%m/%Y"), "active")
    assert [s.id for s in tutoring.tutored_sessions(db, actor_for(db, tutor))] == [old.id]
    assert draft.id not in {s.id for s in staff_list}
    assert tutoring.tutored_sessions(db, actor_for(db, learners[0])) == []
    assert tutoring.tutored_sessions(db, actor_for(db, make_member(db, org, "tutor"))) == []
    for listed in tutoring.tutored_sessions(db, actor_for(db, tutor)):
        assert access.access_followed_session(db, actor_for(db, tutor), listed.id).id == listed.id


def test_two_thousand_learners_come_back_one_page_at_a_time(db: Session) -> None:
    org = make_org(db)
    session = make_session(db, org, start=START, end=START + timedelta(days=30))
    activities = _activities(db, session, count=6)
    users = [
        User(email=f"learner{n}@example.test", first_name="Prénom", last_name=f"Nom{n:04d}", phone_verified_at=utcnow())
        for n in range(2000)
    ]
    db.add_all(users)
    db.flush()
    kinds = ("mandatory", "mandatory", "recommended", "free")
    db.add_all(Membership(user_id=u.id or 0, organisation_id=org.id or 0, is_learner=True) for u in users)
    db.add_all(Enrolment(session_id=session.id or 0, user_id=u.id or 0, kind=kinds[n % 4]) for n, u in enumerate(users))
    # Learner n completed n % 7 activities: 0 (not started), 1–5 (in progress) or 6 (finished).
    db.add_all(
        ActivityCompletion(activity_id=a.id or 0, user_id=u.id or 0, completed_at=T0)
        for n, u in enumerate(users)
        for a in activities[: n % 7]
    )
    db.flush()
    progress.refresh(db, session.id or 0)
    db.commit()
    staff = actor_for(db, make_staff(db, org))
    sid = session.id or 0
    not_started = sum(1 for n in range(2000) if n % 7 == 0)
    finished = sum(1 for n in range(2000) if n % 7 == 6)
    centre = tutoring.centre(db, staff, sid)
    assert (centre.learners, centre.total, centre.pages, len(centre.rows)) == (2000, 2000, 40, 50)
    assert centre.pie == tutoring.Pie(not_started, 2000 - not_started - finished, finished)
    assert [r.user_id for r in centre.rows] == [u.id for u in users[:50]]
    by_progress = tutoring.centre(db, staff, sid, sort="progress", descending=True, page=2, page_size=100)
    assert len(by_progress.rows) == 100
    assert {(r.status, r.progress) for r in by_progress.rows} == {("finished", 100)}
    mandatory = tutoring.centre(db, staff, sid, kind="mandatory", query="nom00", page_size=25)
    assert (mandatory.learners, mandatory.total, len(mandatory.rows)) == (1000, 50, 25)
    ids = _learner_ids(db, staff, sid, kind="free")
    assert len(ids) == 500
    assert ids == sorted(ids)


def test_the_demo_tutor_follows_three_sessions(db: Session) -> None:
    seed_demo(db, learners=31)
    db.commit()
    tutor = db.exec(select(User).where(col(User.email) == "tutor@demo.plume.test")).one()
    titles = {s.title for s in tutoring.tutored_sessions(db, actor_for(db, tutor))}
    assert titles == {
        "Manager une équipe — session de novembre",
        "Excel avancé — groupe 2",
        "Cybersécurité — campagne annuelle",
    }


def test_the_learner_report_shows_each_activity_and_the_connections(db: Session) -> None:
    from app.models import Activity, ActivityCompletion, Module
    from app.services.home import paris_today
    from tests.factories import assign_tutor

    org = make_org(db)
    tutor_user = make_member(db, org, "tutor")
    learner, stranger = make_learner(db, org), make_learner(db, org)
    today = paris_today()
    session = make_session(db, org, start=today, end=today, learners=(learner,))
    assign_tutor(db, session, tutor_user)
    first = Module(session_id=session.id, title="Avant", position=0)
    second = Module(session_id=session.id, title="Pendant", position=1)
    db.add_all([first, second])
    db.flush()
    read = Activity(module_id=first.id or 0, kind="document", title="Lire le programme", position=0)
    watch = Activity(module_id=second.id or 0, kind="video", title="Vidéo d'accueil", position=0)
    db.add_all([read, watch])
    db.flush()
    db.add(ActivityCompletion(activity_id=read.id or 0, user_id=learner.id or 0))
    db.flush()
    progress.refresh(db, session.id or 0)
    db.commit()
    actor_for(db, learner)  # one connection
    tutor = actor_for(db, tutor_user)
    report = tutoring.learner_report(db, tutor, session.id or 0, learner.id or 0)
    assert [(line.module, line.title, line.status) for line in report.lessons] == [
        ("Avant", "Lire le programme", "completed"),
        ("Pendant", "Vidéo d'accueil", "not_started"),
    ]
    assert report.lessons[0].completed_at and not report.lessons[1].completed_at
    assert (report.status, report.progress, report.name) == ("in_progress", 50, learner.display_name)
    assert len(report.connections) == 1 and report.first_connection and report.organisation == org.name
    assert report.visits == []  # no lesson opened yet
    # Each lesson opened is a line of `Historique des connexions`: when, which lesson, how long (seed 002).
    db.add(LessonAttempt(activity_id=watch.id or 0, user_id=learner.id or 0, started_at=T0, time_spent_s=132))
    db.add(LessonAttempt(activity_id=read.id or 0, user_id=learner.id or 0, started_at=T0 + timedelta(minutes=5)))
    db.commit()
    visits = tutoring.learner_report(db, tutor, session.id or 0, learner.id or 0).visits
    assert [(v.lesson, v.time) for v in visits] == [("Lire le programme", "0 s"), ("Vidéo d'accueil", "2 min")]
    assert visits[1].started == "02/11/2026 09:00"  # Paris time
    # `Sélectionner un autre cours`: the learner's sessions this tutor follows, this one included.
    other = make_session(db, org, start=today, end=today, learners=(learner,))
    assign_tutor(db, other, tutor_user)
    unfollowed = make_session(db, org, start=today, end=today, learners=(learner,))
    courses = tutoring.learner_report(db, tutor, session.id or 0, learner.id or 0).courses
    assert {c.session_id for c in courses} == {session.id, other.id} and unfollowed.id not in {
        c.session_id for c in courses
    }
    for who, uid in ((tutor, stranger.id), (actor_for(db, learner), learner.id)):
        with pytest.raises(PlumeError) as err:
            tutoring.learner_report(db, who, session.id or 0, uid or 0)
        assert err.value.code == ErrorCode.NOT_FOUND


def test_reminders_go_to_the_outbox_and_into_each_learners_history(db: Session) -> None:
    from app.models import OutboxEmail, Reminder
    from app.services.home import paris_today
    from tests.factories import assign_tutor

    org = make_org(db)
    tutor_user = make_member(db, org, "tutor")
    first, second, outsider = make_learner(db, org), make_learner(db, org), make_learner(db, org)
    session = make_session(db, org, start=paris_today(), end=paris_today(), learners=(first, second))
    assign_tutor(db, session, tutor_user)
    tutor = actor_for(db, tutor_user)
    preview = tutoring.preview_reminder(db, tutor, session.id or 0, first.id or 0)
    assert session.title in preview.subject and first.first_name in preview.body and "0 %" in preview.body
    sent = tutoring.send_reminders(db, tutor, session.id or 0, [first.id or 0, second.id or 0, outsider.id or 0])
    db.commit()
    assert sent == 2
    assert sorted(m.to for m in db.exec(select(OutboxEmail).where(OutboxEmail.kind == "reminder")).all()) == sorted(
        [first.email, second.email]
    )
    assert len(db.exec(select(Reminder)).all()) == 2
    history = tutoring.learner_report(db, tutor, session.id or 0, first.id or 0).reminders
    assert len(history) == 1 and history[0].by == tutor_user.display_name
    assert (history[0].kind, history[0].template) == ("manual", "reminder")  # the type and the template (seed 002)
    assert tutoring.learner_report(db, tutor, session.id or 0, second.id or 0).reminders[0].subject == preview.subject
    tutoring.send_reminders(db, tutor, session.id or 0, [first.id or 0], template="reminder_deadline")
    db.commit()
    history = tutoring.learner_report(db, tutor, session.id or 0, first.id or 0).reminders
    assert [line.template for line in history] == ["reminder_deadline", "reminder"]  # newest first
    with pytest.raises(PlumeError) as err:
        tutoring.send_reminders(db, tutor, session.id or 0, [outsider.id or 0])
    assert err.value.code == ErrorCode.INVALID_INPUT
    with pytest.raises(PlumeError) as err:
        tutoring.send_reminders(db, actor_for(db, first), session.id or 0, [second.id or 0])
    assert err.value.code == ErrorCode.NOT_FOUND


def test_names_sort_without_case_or_accents_and_follow_a_rename(db: Session) -> None:
    org = make_org(db)
    session = make_session(db, org, start=START, end=START + timedelta(days=1))
    people = {
        "emond": make_learner(db, org, first_name="Zoé", last_name="Émond"),
        "dupont": make_learner(db, org, first_name="Luc", last_name="Dupont"),
        "faure": make_learner(db, org, first_name="Ana", last_name="faure"),
    }
    for user in people.values():
        _enrol(db, session, user, "mandatory")
    staff = actor_for(db, make_staff(db, org))
    w = World(org, session, staff, staff, people)
    assert _names(tutoring.centre(db, staff, session.id or 0), w) == ["dupont", "emond", "faure"]
    assert progress_key(db, session, people["emond"]) == "emond zoe"
    people["dupont"].last_name = "Vidal"  # a rename reorders the lists at once
    db.add(people["dupont"])
    db.commit()
    assert _names(tutoring.centre(db, staff, session.id or 0), w) == ["emond", "faure", "dupont"]
    assert _names(tutoring.centre(db, staff, session.id or 0, descending=True), w) == ["dupont", "faure", "emond"]


def test_names_with_spaces_and_hyphens_sort_alike_on_every_database(db: Session) -> None:
    """The centre's SQL order is Python's order of the same keys: a database locale ignoring spaces would not be."""
    org = make_org(db)
    session = make_session(db, org, start=START, end=START + timedelta(days=1))
    people = {
        last: make_learner(db, org, first_name="Ana", last_name=last)
        for last in ("Delatour", "De la Tour", "De-Laval", "d'Arc", "Del Monte", "Øster", "Zola", "Dé la Rue")
    }
    for user in people.values():
        _enrol(db, session, user, "mandatory")
    staff = actor_for(db, make_staff(db, org))
    w = World(org, session, staff, staff, people)
    expected = sorted(people, key=lambda last: progress_key(db, session, people[last]))
    assert _names(tutoring.centre(db, staff, session.id or 0), w) == expected
    assert expected.index("De la Tour") < expected.index("Delatour")  # the space counts, as on SQLite
    if ON_POSTGRES:  # whatever the database's locale, the column compares code point by code point
        collation = db.exec(
            text(
                "SELECT collation_name FROM information_schema.columns WHERE table_name = 'enrolment'"
                " AND column_name = 'sort_name'"
            )  # type: ignore[call-overload]
        ).one()
        assert collation[0] == "C"


def progress_key(db: Session, session: TrainingSession, user: User) -> str:
    return db.exec(
        select(Enrolment.sort_name).where(Enrolment.session_id == session.id, Enrolment.user_id == user.id)
    ).one()
