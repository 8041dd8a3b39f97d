from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from app.models import OutboxEmail
from app.models.evaluations import QuestionnaireUse
from app.services.evaluations import attempts, cold, library, uses
from app.services.templates import save_template
from tests.unit.test_evaluations import NOW, World, _activity, _world

DELAY = 30


def _cold(db: Session, w: World, *, delay: int = DELAY) -> int:
    qid = library.create_questionnaire(db, w.staff, {"title": "À froid", "use": "quality_evaluation"})
    library.add_question(db, w.staff, {"kind": "long_text", "text": "Qu'en retenez-vous ?"}, questionnaire_id=qid)
    activity = _activity(db, w, "quality_evaluation", "Évaluation à froid")
    uses.attach(db, w.trainer, activity, qid, moment="cold", send_after_days=delay)
    db.commit()
    return activity


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    """An instant given on the Paris wall clock (winter: UTC+1)."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=1)


def _mails(db: Session) -> list[OutboxEmail]:
    return list(db.exec(select(OutboxEmail).where(OutboxEmail.kind == "cold_evaluation")).all())


def test_the_cold_evaluation_goes_on_its_paris_day_once_to_those_who_have_not_answered(db: Session) -> None:
    w = _world(db)
    activity = _cold(db, w)
    learner = w.actors[0]
    attempts.start(db, learner, activity, now=NOW)
    attempts.submit(db, learner, activity, now=NOW)
    db.commit()
    due = w.session.ends_on + timedelta(days=DELAY)
    assert cold.due_day(w.session.ends_on, DELAY) == due
    # 23:30 Paris the day before: 22:30 UTC, still not the day.
    assert cold.send_due_cold_evaluations(db, _paris(due - timedelta(days=1), 23, 30)) == 0
    assert _mails(db) == []
    # 00:10 Paris on the day is 23:10 UTC the day before: the Paris day counts.
    at = _paris(due, 0, 10)
    assert at.date() == due - timedelta(days=1)
    assert cold.send_due_cold_evaluations(db, at) == 3
    mails = _mails(db)
    assert sorted(m.to for m in mails) == sorted(u.email for u in w.learners[1:])
    link = f"http://plume.test/sessions/{w.session.id}?activite={activity}"
    assert all(link in m.body and m.organisation_id == w.session.organisation_id for m in mails)
    assert all("Évaluation à froid" in m.body and w.session.title in m.subject for m in mails)
    use = db.exec(select(QuestionnaireUse).where(QuestionnaireUse.activity_id == activity)).one()
    assert use.cold_sent_at is not None
    # Later rounds, the same day or the next, send nothing again.
    assert cold.send_due_cold_evaluations(db, _paris(due, 15)) == 0
    assert cold.send_due_cold_evaluations(db, _paris(due + timedelta(days=1), 9)) == 0
    assert len(_mails(db)) == 3


def test_two_workers_send_it_once(db: Session) -> None:
    w = _world(db)
    activity = _cold(db, w)
    at = _paris(w.session.ends_on + timedelta(days=DELAY), 9)
    with Session(db.get_bind()) as first, Session(db.get_bind()) as second:
        # Both read the evaluation as due before either sends it: the claim lets one through.
        assert [u.activity_id for u, _, _ in cold.due_evaluations(second, at.date())] == [activity]
        assert cold.send_due_cold_evaluations(first, at) == 4
        assert cold.claim(second, _use_id(second, activity), at) is False
        second.rollback()
        assert cold.send_due_cold_evaluations(second, at) == 0
    assert len(_mails(db)) == 4


def _use_id(db: Session, activity_id: int) -> int:
    return db.exec(select(QuestionnaireUse.id).where(QuestionnaireUse.activity_id == activity_id)).one() or 0


@pytest.mark.parametrize("status", ["draft", "archived"])
def test_no_cold_evaluation_for_a_draft_or_an_archived_session(db: Session, status: str) -> None:
    w = _world(db)
    _cold(db, w)
    w.session.status = status
    db.add(w.session)
    db.commit()
    assert cold.send_due_cold_evaluations(db, _paris(w.session.ends_on + timedelta(days=DELAY), 9)) == 0
    assert _mails(db) == []


def test_a_finished_session_gets_it_and_a_day_long_missed_does_not(db: Session) -> None:
    w = _world(db, status="finished")
    _cold(db, w)
    late = w.session.ends_on + timedelta(days=DELAY + cold.CATCH_UP_DAYS + 1)
    assert cold.send_due_cold_evaluations(db, _paris(late, 9)) == 0
    caught_up = w.session.ends_on + timedelta(days=DELAY + cold.CATCH_UP_DAYS)
    assert cold.send_due_cold_evaluations(db, _paris(caught_up, 9)) == 4


def test_hot_evaluations_are_never_mailed_and_the_template_is_the_organisations(db: Session) -> None:
    w = _world(db)
    qid = library.create_questionnaire(db, w.staff, {"title": "À chaud", "use": "quality_evaluation"})
    library.add_question(db, w.staff, {"kind": "long_text", "text": "Un mot ?"}, questionnaire_id=qid)
    hot = _activity(db, w, "quality_evaluation")
    uses.attach(db, w.trainer, hot, qid, moment="hot")
    _cold(db, w)
    save_template(
        db,
        organisation_id=w.session.organisation_id,
        user_id=w.staff.user_id,
        kind="cold_evaluation",
        language="fr",
        subject="Et maintenant, {prenom} ?",
        body="Répondez ici : {lien} ({titre}, {session})",
    )
    db.commit()
    assert cold.send_due_cold_evaluations(db, _paris(w.session.ends_on + timedelta(days=DELAY), 9)) == 4
    subjects = sorted(m.subject for m in _mails(db))
    assert subjects == sorted(f"Et maintenant, {u.first_name} ?" for u in w.learners)
