from datetime import timedelta

from sqlmodel import Session

from app.services import home
from tests.factories import actor_for, make_learner, make_org, make_session, make_staff, make_trainer


def test_trainer_sessions_are_grouped_in_three_sections(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    trainer = make_trainer(db, org)
    today = home.paris_today()
    now = make_session(db, org, start=today - timedelta(days=1), end=today + timedelta(days=1), trainers=(trainer,))
    soon = make_session(db, org, start=today + timedelta(days=5), end=today + timedelta(days=6), trainers=(trainer,))
    done = make_session(db, org, start=today - timedelta(days=9), end=today - timedelta(days=8), trainers=(trainer,))
    make_session(
        db,
        org,
        start=today - timedelta(days=90),
        end=today - timedelta(days=89),
        trainers=(trainer,),
        availability=today - timedelta(days=1),
    )
    make_session(db, org, start=today, end=today, status="archived", trainers=(trainer,))
    make_session(db, org, start=today, end=today)
    make_session(db, other, start=today, end=today, trainers=(trainer,))
    sections = home.home_sections(db, actor_for(db, trainer))
    assert [c.id for c in sections.in_progress] == [now.id]
    assert [c.id for c in sections.upcoming] == [soon.id]
    assert [c.id for c in sections.finished] == [done.id]


def test_learners_see_only_their_enrolled_active_sessions(db: Session) -> None:
    org = make_org(db)
    learner = make_learner(db, org)
    today = home.paris_today()
    mine = make_session(db, org, start=today, end=today, learners=(learner,))
    make_session(db, org, start=today, end=today, learners=(learner,), status="draft")
    make_session(db, org, start=today, end=today)
    sections = home.home_sections(db, actor_for(db, learner))
    assert [c.id for c in sections.in_progress] == [mine.id]
    assert sections.in_progress[0].learners == 1


def test_staff_dashboard_counts_its_organisation_only(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    staff = make_staff(db, org)
    make_learner(db, org)
    make_learner(db, other)
    today = home.paris_today()
    make_session(db, org, start=today, end=today)
    make_session(db, other, start=today, end=today)
    board = home.staff_dashboard(db, actor_for(db, staff))
    assert (board.sessions_in_progress, board.learners, len(board.sessions)) == (1, 1, 1)
