"""Query-count bounds on the pages that list things: an N+1 query cannot land silently.

Each test builds the same organisation at two sizes (a handful of rows, then many:
learners, sessions, modules, activities, messages, signatures), loads a page through
the service calls its state makes on load (one fresh database session per `run_db`,
as in production, so nothing is served from a warm identity map), and asserts that

- the number of SQL statements is the same at both sizes (it does not grow with the rows), and
- it stays within the page's bound (so a new query per page shows up in review).

A failing test prints every statement of the larger load. A bound is a budget, not a
target: raise it in the same change as the query that needs it, and say why there.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import (
    Activity,
    ActivityCompletion,
    ChatMessage,
    Document,
    Module,
    Organisation,
    Slot,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.models.progress import LessonAttempt, LessonProgress
from app.models.tutoring import Reminder
from app.services import chat, documents, home, missions, tutoring
from app.services.actor import Actor
from app.services.attendance import actions, join, sheet, summaries
from app.services.auth import open_session
from app.services.db import get_engine
from app.services.sessions.people import session_people
from app.services.sessions.view import session_view
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)
from tests.querycount import Counted, count_queries

DRAWING = "10,10 200,120 380,40|400,300 420,310"
_unique = itertools.count(1)


@dataclass(frozen=True)
class Size:
    """How much of everything an organisation holds."""

    learners: int
    sessions: int  # other sessions on the people's home pages
    modules: int
    activities: int  # per module
    messages: int
    signed: int  # learners who signed the slot open now


SMALL = Size(learners=3, sessions=1, modules=2, activities=2, messages=8, signed=2)
LARGE = Size(learners=36, sessions=6, modules=6, activities=4, messages=70, signed=30)


@dataclass
class World:
    """One organisation and the people who open its pages."""

    org: Organisation
    session: TrainingSession
    slot: Slot
    staff: Actor
    trainer: Actor
    tutor: Actor
    learner: Actor  # enrolled everywhere, with progress on every activity
    learners: list[User] = field(default_factory=list)


def _world(db: Session, size: Size) -> World:
    org = make_org(db)
    staff, trainer = make_staff(db, org), make_trainer(db, org)
    tutor = make_member(db, org, "tutor")
    learners = [make_learner(db, org) for _ in range(size.learners)]
    me = learners[0]
    today = home.paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=1),
        end=today + timedelta(days=1),
        trainers=(trainer,),
        learners=tuple(learners),
    )
    assign_tutor(db, session, tutor)
    session.place = "Lyon"
    for n in range(size.sessions):  # cards on the home pages, upcoming ones with their next slot
        other = make_session(
            db,
            org,
            start=today + timedelta(days=n - 2),
            end=today + timedelta(days=n + 3),
            trainers=(trainer,),
            learners=tuple(learners[: 1 + n % 3]),
        )
        assign_tutor(db, other, tutor)
        start = utcnow() + timedelta(days=n + 1)
        db.add(Slot(session_id=other.id or 0, starts_at=start, ends_at=start + timedelta(hours=3)))
    # The timeline: modules opening every way a learner meets, activities of several kinds, a file in each.
    now = utcnow()
    rules = ("always", "after_previous", "date")
    kinds = ("elearning", "quiz", "document", "assignment", "video", "poll")
    activities: list[Activity] = []
    modules: list[Module] = []
    for m in range(size.modules):
        rule = rules[m % len(rules)]
        module = Module(
            session_id=session.id,
            title=f"Module {m}",
            phase=("before", "during", "after")[m % 3],
            position=m,
            opening_rule=rule,
            opens_at=now - timedelta(days=1) if rule == "date" else None,
        )
        db.add(module)
        db.flush()
        modules.append(module)
        for a in range(size.activities):
            activity = Activity(
                module_id=module.id or 0, kind=kinds[(m + a) % len(kinds)], title=f"A {m}.{a}", position=a
            )
            db.add(activity)
            activities.append(activity)
        db.add(_document(session, module, trainer))
    room = Activity(module_id=modules[0].id or 0, kind="in_person", title="Séance", position=size.activities)
    invited = [u.id or 0 for u in learners[: max(1, size.learners // 2)]]
    remote = Activity(
        module_id=modules[-1].id or 0,
        kind="virtual_class",
        title="Classe virtuelle",
        position=size.activities + 1,
        settings_json=json.dumps({"invitees": invited, "link": "https://meet.example.test/x"}),
    )
    db.add_all([room, remote])
    db.flush()
    start = now - timedelta(minutes=10)
    slot = Slot(session_id=session.id or 0, activity_id=room.id, starts_at=start, ends_at=start + timedelta(hours=3))
    later = now + timedelta(days=1)
    db.add_all([slot, Slot(session_id=session.id or 0, activity_id=remote.id, starts_at=later, ends_at=later)])
    # What the tutor's report on the first learner shows: progress, attempts, completions, reminders.
    for activity in activities:
        db.add(LessonProgress(activity_id=activity.id or 0, user_id=me.id or 0, session_id=session.id or 0, score=70))
        db.add(LessonAttempt(activity_id=activity.id or 0, user_id=me.id or 0, score=70, time_spent_s=60))
        db.add(ActivityCompletion(activity_id=activity.id or 0, user_id=me.id or 0))
        for other_learner in learners[1:4]:  # the session's average per activity
            db.add(
                LessonProgress(
                    activity_id=activity.id or 0, user_id=other_learner.id or 0, session_id=session.id or 0, score=50
                )
            )
    for n in range(size.sessions):
        db.add(Reminder(session_id=session.id or 0, user_id=me.id or 0, sent_by_id=tutor.id or 0, subject=f"R{n}"))
        open_session(db, me, user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0")
    # The room: many authors, some files, some edited or removed messages.
    authors = [trainer, *learners]
    for n in range(size.messages):
        author = authors[n % len(authors)]
        attached = _document(session, None, author) if n % 5 == 0 else None
        if attached is not None:
            db.add(attached)
            db.flush()
        db.add(
            ChatMessage(
                session_id=session.id or 0,
                author_id=author.id or 0,
                client_id=f"c{next(_unique)}",
                body=f"Message {n} https://example.test/{n}",
                document_id=attached.id if attached else None,
                edited_at=now if n % 7 == 3 else None,
                deleted_at=now if n % 11 == 5 else None,
                deleted_by_id=trainer.id if n % 11 == 5 else None,
            )
        )
    db.commit()
    world = World(
        org=org,
        session=session,
        slot=slot,
        staff=actor_for(db, staff),
        trainer=actor_for(db, trainer),
        tutor=actor_for(db, tutor),
        learner=actor_for(db, me),
        learners=learners,
    )
    # The board: most learners signed (some at the trainer's desk), some marked late or absent.
    for n, learner in enumerate(learners[1 : 1 + size.signed]):
        uid = learner.id or 0
        if n % 4 == 0:
            actions.sign_as(
                db, world.trainer, slot.id or 0, uid, strokes=DRAWING, client_key=f"key{uid:08d}", reason="Oubli"
            )
        else:
            signer = actor_for(db, learner)
            actions.sign(db, signer, slot.id or 0, DRAWING, f"key{uid:08d}")
        if n % 3 == 0:
            actions.mark(db, world.trainer, slot.id or 0, uid, status="late", comment="Retard")
    for learner in learners[1 + size.signed :]:
        actions.mark(db, world.trainer, slot.id or 0, learner.id or 0, status="absent", comment="")
    db.commit()
    return world


def _document(session: TrainingSession, module: Module | None, uploader: User) -> Document:
    n = next(_unique)
    return Document(
        session_id=session.id,
        module_id=module.id if module else None,
        name=f"fichier-{n}.pdf",
        stored_name=f"stored-{n}",
        size=1000 + n,
        content_type="application/pdf",
        sha256="0" * 64,
        uploaded_by_id=uploader.id,
    )


def _run_db(work: Callable[[Session], Any]) -> Any:
    """What `state.common.run_db` does, minus the thread: one fresh session, committed."""
    with Session(get_engine(), expire_on_commit=False) as db:
        out = work(db)
        db.commit()
        return out


def _measure(load: Callable[[], object]) -> Counted:
    engine: Engine = get_engine()
    with count_queries(engine) as counted:
        load()
    return counted


Page = Callable[[World, Actor], object]


def _check(name: str, small: World, large: World, page: Page, who: str, bound: int) -> tuple[int, int]:
    """Load a page at both sizes as the same kind of person; fail if it grows or passes its bound."""
    first, second = (_measure(lambda w=w: page(w, getattr(w, who))) for w in (small, large))
    where = f"{name} as {who}"
    assert second.count <= first.count, (
        f"{where}: the queries grow with the rows ({first.count} → {second.count}), an N+1?\n" + second.report()
    )
    assert second.count <= bound, f"{where}: {second.count} queries, over its bound of {bound}\n" + second.report()
    return first.count, second.count


# --- The pages, loaded as their states load them ---------------------------------------------------


def _home(world: World, actor: Actor) -> None:
    """`HomeState.load`: the staff dashboard (staff), open sheets, classes to join, the sections, unread counts."""
    if actor.has_role("staff"):
        _run_db(lambda db: home.staff_dashboard(db, actor))
    _run_db(lambda db: summaries.open_sheets(db, actor))
    _run_db(lambda db: join.joinable_now(db, actor))
    sections = _run_db(lambda db: home.home_sections(db, actor))
    ids = [c.id for c in (*sections.in_progress, *sections.upcoming, *sections.finished)]
    _run_db(lambda db: chat.unread_counts(db, actor, ids))


def _tutoring_list(world: World, actor: Actor) -> None:
    """`TutoringListState.load`."""
    _run_db(lambda db: tutoring.tutored_sessions(db, actor))


def _centre(session_id: int, course_id: int | None, actor: Actor) -> None:
    """`TutoringCentreState._show(full=True)`: the centre, its titles, the work waiting."""

    def work(db: Session) -> None:
        centre = tutoring.centre(db, actor, session_id, course_id=course_id, page_size=100)
        tutoring.centre_titles(db, centre, course_id=course_id)
        missions.waiting_counts(db, centre.session_ids, "all")

    _run_db(work)


def _session_centre(world: World, actor: Actor) -> None:
    _centre(world.session.id or 0, None, actor)


def _course_centre(world: World, actor: Actor) -> None:
    _centre(0, world.session.course_id, actor)


def _learner_report(world: World, actor: Actor) -> None:
    """`LearnerReportState._show`: the first learner, who has progress on every activity."""
    _run_db(lambda db: tutoring.learner_report(db, actor, world.session.id or 0, world.learner.user_id))


def _board(world: World, actor: Actor) -> None:
    """`AttendanceState._show`: the sheet view (the whole board for trainers and staff)."""
    _run_db(lambda db: sheet.sheet_view(db, actor, world.slot.id or 0))


def _chat(world: World, actor: Actor) -> None:
    """`ChatState.load`: the latest page and the members' names; then scrolling back."""
    session_id = world.session.id or 0
    page = _run_db(lambda db: chat.history(db, actor, session_id))
    _run_db(lambda db: chat.member_names(db, session_id))
    # Before the newest message, so the older page is never empty, whatever the size.
    newest = page.messages[-1].id
    _run_db(lambda db: chat.history(db, actor, session_id, before_id=newest))


def _timeline(world: World, actor: Actor) -> None:
    """`SessionPageState._show` without the files: the timeline, then the people (staff)."""
    session_id = world.session.id or 0
    view = _run_db(lambda db: session_view(db, actor, session_id))
    if view.can_edit:
        _run_db(lambda db: session_people(db, actor, session_id))


def _timeline_files(world: World, actor: Actor) -> None:
    """`SessionPageState._show`'s files: every module open to the person, listed in one call."""
    session_id = world.session.id or 0
    view = _run_db(lambda db: session_view(db, actor, session_id))
    open_ids = [m.id for m in view.modules if not m.locked]
    _run_db(lambda db: documents.list_for_session(db, actor, session_id, open_ids))


# --- The bounds: a little above the count measured when each was set ----------------------------


def test_home_page_queries_do_not_grow_with_sessions_or_learners(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    _check("home", small, large, _home, "staff", bound=16)
    _check("home", small, large, _home, "trainer", bound=16)
    _check("home", small, large, _home, "tutor", bound=12)
    _check("home", small, large, _home, "learner", bound=16)


def test_tutoring_pages_queries_do_not_grow_with_learners_or_activities(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    for who in ("staff", "tutor"):
        _check("tutoring list", small, large, _tutoring_list, who, bound=3)
        _check("tutoring centre", small, large, _session_centre, who, bound=14)
        _check("course tutoring centre", small, large, _course_centre, who, bound=14)
        # 18, then 2 for the record: the course's competencies (acquired or not), the modules validated.
        _check("learner report", small, large, _learner_report, who, bound=20)


def test_attendance_board_queries_do_not_grow_with_the_roster(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    _check("attendance board", small, large, _board, "trainer", bound=14)
    _check("attendance board", small, large, _board, "staff", bound=14)
    _check("attendance sheet", small, large, _board, "learner", bound=12)


def test_chat_history_queries_do_not_grow_with_messages_or_authors(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    for who in ("trainer", "learner", "staff"):
        _check("chat history", small, large, _chat, who, bound=18)


def test_session_timeline_queries_do_not_grow_with_modules_or_activities(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    _check("session timeline", small, large, _timeline, "staff", bound=20)
    _check("session timeline", small, large, _timeline, "trainer", bound=12)
    _check("session timeline", small, large, _timeline, "learner", bound=16)


# --- Lists that once grew (N+1s fixed in issue 12): the session page's files, the home page's open sheets ---


def test_session_page_files_do_not_grow_with_modules(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    for who in ("staff", "trainer", "learner"):
        _check("session page files", small, large, _timeline_files, who, bound=24)


def _open_everywhere(db: Session, world: World) -> None:
    """A slot open for signing now in each of the trainer's other sessions too."""
    for other in db.exec(
        select(TrainingSession).where(
            TrainingSession.organisation_id == world.org.id, TrainingSession.id != world.session.id
        )
    ).all():
        module = Module(session_id=other.id, title="Pendant")
        db.add(module)
        db.flush()
        activity = Activity(module_id=module.id or 0, kind="in_person", title="Séance")
        db.add(activity)
        db.flush()
        start = utcnow() - timedelta(minutes=5)
        db.add(
            Slot(session_id=other.id or 0, activity_id=activity.id, starts_at=start, ends_at=start + timedelta(hours=2))
        )
    db.commit()


def test_home_open_sheets_do_not_grow_with_open_slots(db: Session) -> None:
    small, large = _world(db, SMALL), _world(db, LARGE)
    _open_everywhere(db, small)
    _open_everywhere(db, large)
    for who in ("trainer", "learner"):
        _check("home with open sheets", small, large, _home, who, bound=16)
