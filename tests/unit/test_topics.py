"""Who may still follow a live topic (re-checked before every push)."""

from datetime import timedelta

from sqlmodel import Session, select

from app.live.contract import (
    chat_topic,
    chat_unread_topic,
    followers_topic,
    person_topic,
    session_topic,
    slot_board_topic,
    slot_person_topic,
    slot_topic,
)
from app.models import Enrolment
from app.services.home import paris_today
from app.services.topics import may_follow
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_slot,
    make_staff,
    make_trainer,
)


def test_members_follow_their_topics_and_lose_them_with_access(db: Session) -> None:
    org = make_org(db)
    trainer, learner, stranger = make_trainer(db, org), make_learner(db, org), make_learner(db, org)
    today = paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=1),
        end=today + timedelta(days=1),
        trainers=(trainer,),
        learners=(learner,),
    )
    sid, slot_id = session.id or 0, make_slot(db, session).id or 0
    teacher, pupil, other = actor_for(db, trainer), actor_for(db, learner), actor_for(db, stranger)
    learner_topics = [
        session_topic(sid),
        chat_topic(sid),
        chat_unread_topic(sid),
        slot_topic(slot_id),
        slot_person_topic(slot_id, pupil.user_id),
    ]
    assert all(may_follow(db, pupil, t) for t in learner_topics)
    assert may_follow(db, teacher, slot_board_topic(slot_id))
    assert not may_follow(db, pupil, slot_board_topic(slot_id))
    assert not may_follow(db, pupil, slot_person_topic(slot_id, teacher.user_id))
    assert may_follow(db, pupil, person_topic(pupil.user_id))
    assert not may_follow(db, pupil, person_topic(teacher.user_id))
    assert not any(may_follow(db, other, t) for t in learner_topics)
    assert not may_follow(db, None, session_topic(sid))
    for forged in ("session:abc", "session:", "unknown:1", f"attendance:{slot_id}:user:x", f"attendance:{slot_id}:x"):
        assert not may_follow(db, pupil, forged)
    # Removed from the session: every topic of it is closed.
    db.delete(db.exec(select(Enrolment).where(Enrolment.user_id == learner.id)).one())
    db.commit()
    assert not any(may_follow(db, pupil, t) for t in learner_topics)


def test_only_those_who_see_every_learners_progress_follow_it(db: Session) -> None:
    org, other = make_org(db), make_org(db)
    trainer, learner, tutor = make_trainer(db, org), make_learner(db, org), make_member(db, org, "tutor")
    staff, strangers = make_staff(db, org), (make_trainer(db, org), make_staff(db, other))
    today = paris_today()
    session = make_session(db, org, start=today, end=today, trainers=(trainer,), learners=(learner,))
    assign_tutor(db, session, tutor)
    topic = followers_topic(session.id or 0)
    assert all(may_follow(db, actor_for(db, who), topic) for who in (trainer, tutor, staff))
    # A learner hears their own progress on their own topic, never their classmates'.
    assert may_follow(db, actor_for(db, learner), session_topic(session.id or 0))
    assert not may_follow(db, actor_for(db, learner), topic)
    assert not any(may_follow(db, actor_for(db, who), topic) for who in strangers)
    assert not may_follow(db, actor_for(db, learner), "followers:x")
