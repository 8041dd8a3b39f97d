"""The cold evaluation (évaluation à froid): e-mailed to a session's learners some days after it ends.

A quality evaluation used at the "cold" moment carries a delay (`QuestionnaireUse.send_after_days`).
On the Paris calendar day the session's end plus that delay falls on, the periodic task e-mails
each learner the activity is for who has not answered it yet, with a link to the activity (not a
secret: learners sign in). Each use is claimed by one conditional update of `cold_sent_at`, in
the same transaction as its e-mails, so every worker may run the task and the e-mails still go
once, today and after a restart.

Only sessions learners may still answer are concerned (active or finished: `access.LIVE`): a draft
was never delivered, and an archived session is read-only, so its learners could not answer.
A day missed while no worker ran is caught up for `CATCH_UP_DAYS`; later, the e-mail is not sent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.clock import paris_today
from app.models import Activity, Enrolment, Module, Organisation, TrainingSession, User
from app.models.evaluations import EvaluationAttempt, QuestionnaireUse
from app.services import audience
from app.services.access import LIVE
from app.services.outbox import enqueue_email
from app.services.templates import get_template, render
from app.settings import get_settings

COLD_KIND = "quality_evaluation"
TEMPLATE_KIND = "cold_evaluation"
CATCH_UP_DAYS = 7


def due_day(ends_on: date, send_after_days: int) -> date:
    """The Paris calendar day a cold evaluation is e-mailed on.

    Args:
        ends_on: The session's last day.
        send_after_days: The use's delay.

    Returns:
        The day.
    """
    return ends_on + timedelta(days=send_after_days)


def activity_link(session_id: int, activity_id: int) -> str:
    """The page that opens the activity on the session's timeline (the learner signs in first).

    Args:
        session_id: The session.
        activity_id: The activity.

    Returns:
        The absolute URL.
    """
    return f"{get_settings().base_url.rstrip('/')}/sessions/{int(session_id)}?activite={int(activity_id)}"


def due_evaluations(db: Session, today: date) -> list[tuple[QuestionnaireUse, Activity, TrainingSession]]:
    """The cold evaluations not sent yet whose day is today or was at most `CATCH_UP_DAYS` ago.

    Args:
        db: Database session.
        today: The Paris calendar day.

    Returns:
        Each use with its activity and session, by use.
    """
    rows = db.exec(
        select(QuestionnaireUse, Activity, TrainingSession)
        .join(Activity, col(Activity.id) == col(QuestionnaireUse.activity_id))
        .join(Module, col(Module.id) == col(Activity.module_id))
        .join(TrainingSession, col(TrainingSession.id) == col(Module.session_id))
        .where(
            QuestionnaireUse.moment == "cold",
            col(QuestionnaireUse.send_after_days).is_not(None),
            col(QuestionnaireUse.cold_sent_at).is_(None),
            Activity.kind == COLD_KIND,
            col(TrainingSession.status).in_(sorted(LIVE)),
        )
        .order_by(col(QuestionnaireUse.id))
    ).all()
    return [
        (use, activity, training)
        for use, activity, training in rows
        if 0 <= (today - due_day(training.ends_on, use.send_after_days or 0)).days <= CATCH_UP_DAYS
    ]


def claim(db: Session, use_id: int, now: datetime) -> bool:
    """Mark a cold evaluation sent, unless another worker already did (not committed here).

    Args:
        db: Database session.
        use_id: The use.
        now: The instant recorded.

    Returns:
        True when this caller won it and sends the e-mails.
    """
    claimed = db.execute(
        update(QuestionnaireUse)
        .where(col(QuestionnaireUse.id) == use_id, col(QuestionnaireUse.cold_sent_at).is_(None))
        .values(cold_sent_at=now)
    )
    return bool(claimed.rowcount == 1)  # type: ignore[attr-defined]  # CursorResult has rowcount


def pending_learners(db: Session, activity: Activity, session_id: int) -> list[User]:
    """The active learners of the session the activity is for who have not submitted it.

    Args:
        db: Database session.
        activity: The quality evaluation.
        session_id: Its session.

    Returns:
        The learners, by id.
    """
    answered = select(EvaluationAttempt.user_id).where(
        EvaluationAttempt.activity_id == activity.id,
        col(EvaluationAttempt.user_id).is_not(None),
        col(EvaluationAttempt.submitted_at).is_not(None),
    )
    users = db.exec(
        select(User)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(
            Enrolment.session_id == session_id,
            col(User.is_active).is_(True),
            col(User.id).not_in(answered),
        )
        .order_by(col(User.id))
    ).all()
    return [u for u in users if audience.invited(activity, u.id or 0)]


def _send(db: Session, activity: Activity, training: TrainingSession) -> int:
    organisation = db.get(Organisation, training.organisation_id)
    name = organisation.name if organisation is not None else ""
    link = activity_link(training.id or 0, activity.id or 0)
    learners = pending_learners(db, activity, training.id or 0)
    for user in learners:
        values = {
            "prenom": user.first_name or user.display_name,
            "nom": user.last_name,
            "organisation": name,
            "lien": link,
            "session": training.title,
            "titre": activity.title,
        }
        enqueue_email(
            db,
            to=user.email,
            message=render(get_template(db, training.organisation_id, TEMPLATE_KIND, user.language), values),
            kind=TEMPLATE_KIND,
            organisation_id=training.organisation_id,
        )
    return len(learners)


def send_due_cold_evaluations(db: Session, now: datetime) -> int:
    """E-mail every cold evaluation due today (Paris) to the learners who have not answered it, once.

    Safe to run from several workers at once and again after a restart: each use is claimed by a
    conditional update committed with its e-mails, so one caller sends it.

    Args:
        db: Database session (committed per evaluation).
        now: The current instant (`utcnow()`).

    Returns:
        How many e-mails went to the outbox.
    """
    sent = 0
    for use, activity, training in due_evaluations(db, paris_today(now)):
        if not claim(db, use.id or 0, now):
            db.rollback()
            continue
        count = _send(db, activity, training)
        db.commit()
        sent += count
    return sent
