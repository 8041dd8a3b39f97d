"""What learners do inside activities: progress per lesson, attempts, missions, observations, reviews."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field

LESSON_STATUSES = ("not_started", "in_progress", "completed", "passed", "failed")
DONE_STATUSES = ("completed", "passed", "failed")


class LessonProgress(SQLModel, table=True):
    """One learner on one activity: status, score, time spent, SCORM-style location and suspend data.

    The activity counts as finished (an ActivityCompletion exists) exactly when
    the status is one of DONE_STATUSES.
    """

    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    status: str = Field(default="in_progress", max_length=12)
    score: float | None = None
    time_spent_s: int = 0
    location: str = Field(default="", max_length=255)
    suspend_data: str = Field(default="", max_length=4096)
    status_at: datetime = utc_field(default_now=True)
    tracked_at: datetime | None = utc_field(nullable=True)


class LessonAttempt(SQLModel, table=True):
    """One attempt at an activity: opened, worked on for some time, ended with a status and maybe a score."""

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    started_at: datetime = utc_field(default_now=True)
    status: str = Field(default="in_progress", max_length=12)
    score: float | None = None
    time_spent_s: int = 0


class Submission(SQLModel, table=True):
    """A learner's hand-in for a mission (assignment) and the tutor's correction."""

    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    document_id: int | None = Field(default=None, foreign_key="document.id")
    comment: str = Field(default="", max_length=4000)
    submitted_at: datetime = utc_field(default_now=True)
    status: str = Field(default="submitted", max_length=12, index=True)
    score: float | None = None
    feedback: str = Field(default="", max_length=4000)
    feedback_document_id: int | None = Field(default=None, foreign_key="document.id")
    corrected_by_id: int | None = Field(default=None, foreign_key="user.id")
    corrected_at: datetime | None = utc_field(nullable=True)


class Observation(SQLModel, table=True):
    """A tutor's (or trainer's) observation of a learner against the activity's criteria."""

    __table_args__ = (UniqueConstraint("activity_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    levels_json: str = "[]"
    score: float = 0
    comment: str = Field(default="", max_length=4000)
    observed_by_id: int = Field(foreign_key="user.id")
    observed_at: datetime = utc_field(default_now=True)


class CourseReview(SQLModel, table=True):
    """A learner's rating (1 to 5 stars) and comment on the course of a session they followed."""

    __table_args__ = (UniqueConstraint("session_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    stars: int
    comment: str = Field(default="", max_length=2000)
    created_at: datetime = utc_field(default_now=True)


class Attestation(SQLModel, table=True):
    """An attendance and completion attestation issued for a learner, checkable by its code."""

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code: str = Field(max_length=20, unique=True)
    hours_attended: float = 0
    progress: int = 0
    issued_by_id: int = Field(foreign_key="user.id")
    issued_at: datetime = utc_field(default_now=True)
    # Set when the learner's "Formation terminée" is undone: the public check then says "révoquée".
    revoked_at: datetime | None = utc_field(nullable=True)
