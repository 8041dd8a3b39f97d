"""SCORM e-learning: the packages staff upload, and each learner's attempts at their SCOs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Text
from sqlmodel import Field, SQLModel, UniqueConstraint

from app.models.base import utc_field


class ScormPackage(SQLModel, table=True):
    """An uploaded SCORM package, unpacked once under its content's SHA-256 (sessions of a course share it).

    `manifest_json` keeps what `imsmanifest.xml` says: version, title, the SCOs in order (identifier, title,
    launch path, mastery score, launch data).
    """

    __tablename__ = "scorm_package"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, unique=True)
    version: str = Field(max_length=8)  # "1.2" or "2004"
    edition: str = Field(default="", max_length=40)
    title: str = Field(default="", max_length=300)
    manifest_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    file_count: int = 0
    unpacked_bytes: int = 0
    uploaded_by_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: datetime = utc_field(default_now=True)


class ScormAttempt(SQLModel, table=True):
    """One learner's attempt at one SCO of a SCORM activity: what the package committed, as validated.

    A learner coming back resumes the latest attempt (`cmi.core.entry = resume`); a new one starts when the
    package ends the previous one completed and the activity allows new attempts.
    """

    __tablename__ = "scorm_attempt"
    __table_args__ = (UniqueConstraint("activity_id", "user_id", "item", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    activity_id: int = Field(foreign_key="activity.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    item: str = Field(max_length=255)  # the SCO's identifier in the manifest
    number: int = 1
    completion: str = Field(default="not_attempted", max_length=16)
    success: str = Field(default="unknown", max_length=8)
    score_raw: float | None = None
    score_min: float | None = None
    score_max: float | None = None
    score_scaled: float | None = None
    total_seconds: float = 0
    run_base_seconds: float = 0  # the total before the current run: a run's session time adds to it
    # The current run (each opening of the player): a commit from an earlier run, still open in another tab or
    # a page being left, is refused, so it never overwrites what the learner did since.
    run: str = Field(default="", max_length=32)
    run_started_at: datetime | None = utc_field(nullable=True)
    status: str = Field(default="in_progress", max_length=12)  # Plume's lesson status of this SCO
    score: float | None = None  # in %
    location: str = Field(default="", max_length=1000)
    suspend_data: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    exit: str = Field(default="", max_length=16)
    details_json: str = Field(default="{}", sa_column=Column(Text, nullable=False, server_default="{}"))
    commits: int = 0
    started_at: datetime = utc_field(default_now=True)
    committed_at: datetime | None = utc_field(nullable=True)
