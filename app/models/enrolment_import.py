"""CSV enrolment jobs: a file staff import into a session, its preview and its result."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from app.models.base import utc_field

IMPORT_STATUSES = ("queued", "running", "done", "failed")


class EnrolmentImport(SQLModel, table=True):
    """One CSV enrolment run on a session, kept so its result waits for the person who started it.

    The file's addresses are parsed again from `source` when the job runs (nothing else is kept
    half-written); `report` is the result CSV once done.
    """

    __tablename__ = "enrolment_import"

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="session.id", index=True)
    created_by_id: int = Field(foreign_key="user.id", index=True)
    file_name: str = Field(default="", max_length=200)
    kind: str = Field(default="mandatory", max_length=12)
    status: str = Field(default="queued", max_length=10)
    total: int = 0
    done: int = 0
    source: str = ""
    report: str = ""
    summary: str = ""
    error: str = Field(default="", max_length=300)
    # The process running it (`enrolment_csv.WORKER`): a job whose process is gone is taken up again.
    worker: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    created_at: datetime = utc_field(default_now=True)
    finished_at: datetime | None = utc_field(nullable=True)
