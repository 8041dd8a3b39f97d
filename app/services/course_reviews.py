"""Learners' reviews of a course: one per learner and session, left from the session page, read by tutors.

A learner enrolled in a session rates its course from one to five stars with an
optional comment; a second review of the same session replaces the first. Tutors
and staff read the reviews left in the sessions they follow on the course's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.clock import paris_date_label
from app.models import CourseReview, TrainingSession, User
from app.models.base import utcnow
from app.services.access import access_session
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError

MAX_REVIEWS = 100
REVIEW_MAX_CHARS = 2_000


def _paris_day(moment: datetime | None) -> str:
    return paris_date_label(moment)


@dataclass(frozen=True)
class ReviewRow:
    """One learner's review of the course."""

    author: str
    date: str
    stars: int
    comment: str
    session: str


def reviews_of(db: Session, course_id: int, session_ids: list[int]) -> list[ReviewRow]:
    """The newest reviews of a course left in some of its sessions, with their authors.

    Args:
        db: Database session.
        course_id: The course.
        session_ids: The sessions whose reviews are shown (those the reader follows).

    Returns:
        At most MAX_REVIEWS reviews, newest first.
    """
    rows = db.exec(
        select(CourseReview, User, TrainingSession.title)
        .join(User, col(User.id) == col(CourseReview.user_id))
        .join(TrainingSession, col(TrainingSession.id) == col(CourseReview.session_id))
        .where(CourseReview.course_id == course_id, col(CourseReview.session_id).in_(session_ids))
        .order_by(col(CourseReview.created_at).desc(), col(CourseReview.id).desc())
        .limit(MAX_REVIEWS)
    ).all()
    return [
        ReviewRow(
            author=user.display_name,
            date=_paris_day(review.created_at),
            stars=review.stars,
            comment=review.comment,
            session=session_title,
        )
        for review, user, session_title in rows
    ]


@dataclass(frozen=True)
class ReviewDraft:
    """What the review card shows to one person on a session page."""

    can_review: bool
    stars: int
    comment: str
    sent: bool


def _learner_session(db: Session, actor: Actor, session_id: int) -> TrainingSession:
    if isinstance(session_id, bool):  # access_session would read True as the session of id 1
        raise PlumeError(ErrorCode.NOT_FOUND)
    training, role = access_session(db, actor, session_id)
    if not role.learner:
        raise PlumeError(ErrorCode.REVIEW_LEARNERS_ONLY)
    return training


def my_review(db: Session, actor: Actor, session_id: int) -> ReviewDraft:
    """The actor's review of a session's course, if they may leave one.

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_id: The session.

    Returns:
        can_review False for a member who is not an enrolled learner; their review when they left one.

    Raises:
        PlumeError: NOT_FOUND for someone who is not a member of the session.
    """
    try:
        training = _learner_session(db, actor, session_id)
    except PlumeError as err:
        if err.code == ErrorCode.REVIEW_LEARNERS_ONLY:
            return ReviewDraft(can_review=False, stars=0, comment="", sent=False)
        raise
    review = db.exec(
        select(CourseReview).where(CourseReview.session_id == training.id, CourseReview.user_id == actor.user_id)
    ).first()
    if review is None:
        return ReviewDraft(can_review=True, stars=0, comment="", sent=False)
    return ReviewDraft(can_review=True, stars=review.stars, comment=review.comment, sent=True)


def leave_review(db: Session, actor: Actor, session_id: int, stars: int, comment: str) -> CourseReview:
    """Rate the course of a session one follows as a learner (a second review replaces the first).

    Args:
        db: Database session.
        actor: An enrolled learner of the session.
        session_id: The session.
        stars: 1 to 5.
        comment: Free text, trimmed, at most 2,000 characters (may be empty).

    Returns:
        The review.

    Raises:
        PlumeError: NOT_FOUND for a non-member, REVIEW_LEARNERS_ONLY for a member who is not
            an enrolled learner, REVIEW_STARS, REVIEW_TOO_LONG, or INVALID_INPUT for a comment that is not text.
    """
    training = _learner_session(db, actor, session_id)
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise PlumeError(ErrorCode.REVIEW_STARS, field="stars")
    if not isinstance(comment, str):
        raise PlumeError(ErrorCode.INVALID_INPUT, field="comment")
    text = comment.strip()
    if len(text) > REVIEW_MAX_CHARS:
        raise PlumeError(ErrorCode.REVIEW_TOO_LONG, field="comment", max="2 000")
    review = db.exec(
        select(CourseReview).where(CourseReview.session_id == training.id, CourseReview.user_id == actor.user_id)
    ).first()
    if review is None:
        review = CourseReview(course_id=training.course_id, session_id=training.id or 0, user_id=actor.user_id, stars=0)
    review.stars, review.comment, review.created_at = stars, text, utcnow()
    db.add(review)
    db.flush()
    return review
