"""Enrolment by CSV on a session's page: upload, paged preview, apply as a background job, result and report."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import reflex as rx

from app.i18n import t, tn
from app.models.training import ENROLMENT_KINDS
from app.services import enrolment_csv
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from state.common import clean_id, clean_str, error_message, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor, roles
from state.session import SessionState

# Who imports: the session's staff and trainers (the service checks MANAGE on the session itself).
MANAGERS = roles("staff", "trainer")
PAGE_SIZE = 25
POLL_S = 0.4
# How long a tab follows a job another tab runs (one left "running" by a server that stopped is resumed
# when its author comes back: `enrolment_csv.resume_orphaned`).
WATCH_LIMIT_S = 600.0
UPLOAD_ID = "enrolment-csv"


@dataclass(frozen=True)
class PreviewRow:
    """One line of the preview table, ready to show."""

    line: int
    address: str
    name: str
    kind: str
    outcome: str
    reason: str


class EnrolmentCsvState(rx.State):
    """The "Inscription par CSV" card: one file at a time; a job's result waits for its author."""

    allowed: rx.Field[bool] = rx.field(False)
    kind: rx.Field[str] = rx.field("mandatory")
    file_name: rx.Field[str] = rx.field("")
    error: rx.Field[str] = rx.field("")
    counts: rx.Field[dict[str, int]] = rx.field(default_factory=dict)
    changes: rx.Field[int] = rx.field(0)
    over: rx.Field[int] = rx.field(0)  # enrolments beyond the session's places: the apply button waits
    rows: rx.Field[list[PreviewRow]] = rx.field(default_factory=list)
    page: rx.Field[int] = rx.field(1)
    pages: rx.Field[int] = rx.field(1)
    problems_only: rx.Field[bool] = rx.field(False)
    previewing: rx.Field[bool] = rx.field(False)
    previewed: rx.Field[bool] = rx.field(False)
    job_id: rx.Field[int] = rx.field(0)
    job_status: rx.Field[str] = rx.field("")
    done: rx.Field[int] = rx.field(0)
    to_do: rx.Field[int] = rx.field(0)
    resumed: rx.Field[bool] = rx.field(False)  # the job was cut short by a server stop and runs again
    session_id: rx.Field[int] = rx.field(0)
    _data: bytes = b""
    _lines: list[enrolment_csv.PreviewLine] = []  # reflex backend var, copied per tab
    _lang: str = "fr"

    async def _language(self) -> str:
        self._lang = (await self.get_state(SessionState)).lang
        return self._lang

    def _clear_preview(self) -> None:
        self._data, self._lines = b"", []
        self.file_name, self.counts, self.changes, self.rows, self.over = "", {}, 0, [], 0
        self.page, self.pages, self.previewed = 1, 1, False

    def _show_rows(self) -> None:
        shown = [line for line in self._lines if not self.problems_only or line.outcome in ("invalid", "duplicate")]
        self.pages = max(1, -(-len(shown) // PAGE_SIZE))
        self.page = min(max(1, self.page), self.pages)
        lang = self._lang
        start = (self.page - 1) * PAGE_SIZE
        self.rows = [
            PreviewRow(
                line=line.line,
                address=line.address,
                name=line.name,
                kind=t(lang, f"enrolment.{line.kind}"),
                outcome=line.outcome,
                reason=t(lang, line.reason, **line.params),
            )
            for line in shown[start : start + PAGE_SIZE]
        ]

    def _take_job(self, job: enrolment_csv.JobView | None, lang: str) -> None:
        if job is None:
            self.job_id, self.job_status, self.done, self.to_do = 0, "", 0, 0
            return
        self.job_id, self.job_status = job.id, job.status
        self.done, self.to_do = job.done, job.total
        self.file_name = job.file_name
        if job.status == "done":
            self.counts = job.counts
            self.changes = sum(job.counts.get(o, 0) for o in enrolment_csv.CHANGING)
        if job.status == "failed":
            self.error = error_message(lang, PlumeError(_code(job.error)))

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> Any:
        """Show the card to the session's staff and trainers, with their last import's state or result."""
        actor = require_actor()
        sid = route_id(self, "session_id") or 0
        lang = await self._language()
        self.session_id, self.error, self.resumed = sid, "", False
        self._clear_preview()
        try:
            job = await run_db(lambda db: enrolment_csv.latest_job(db, actor, sid)) if sid else None
            if job is not None and job.status == "running":
                job_id = job.id
                if await run_db(lambda db: enrolment_csv.resume_orphaned(db, actor, job_id)):
                    job = await run_db(lambda db: enrolment_csv.job_view(db, actor, job_id))
                    self.resumed = True
        except PlumeError:
            self.allowed = False
            return None
        self.allowed = bool(sid)
        self._take_job(job, lang)
        if job is not None and job.status == "queued":  # not started, or resumed: claimed by one tab only
            return EnrolmentCsvState.run_import
        if job is not None and job.status == "running":
            return EnrolmentCsvState.watch
        return None

    async def _preview(self, actor: Actor) -> None:
        data, sid, kind = self._data, self.session_id, self.kind
        lang = await self._language()
        self.error = ""
        try:
            found = await run_db(lambda db: enrolment_csv.preview(db, actor, sid, data, kind=kind))
        except PlumeError as err:
            self._clear_preview()
            self.error = error_message(lang, err)
            return
        self._lines, self.previewed = found.lines, True
        self.counts, self.changes, self.page, self.over = found.counts, found.changes, 1, found.over_capacity
        if found.over_capacity:
            self.error = tn(lang, "enrolment_csv.over_capacity", found.over_capacity)
        self._show_rows()

    @rx.event
    @policy(MANAGERS)
    async def upload_csv(self, files: list[rx.UploadFile]) -> AsyncIterator[Any]:
        """Read a chosen CSV file and show what importing it would do (nothing is written).

        Args:
            files: One uploaded file.
        """
        actor = require_actor()
        if not isinstance(files, list) or len(files) != 1 or self.job_status in ("queued", "running"):
            return
        upload = files[0]
        name = clean_str(getattr(upload, "name", "") or "", 200)
        data = await upload.read()
        lang = await self._language()
        self.job_id, self.job_status, self.done, self.to_do = 0, "", 0, 0
        if len(data) > enrolment_csv.MAX_BYTES:  # checked before anything is parsed
            self._clear_preview()
            self.error = error_message(
                lang, PlumeError(ErrorCode.CSV_TOO_LARGE, max=str(enrolment_csv.MAX_BYTES // (1024 * 1024)))
            )
            return
        self.previewing = True
        yield
        self._data, self.file_name = data, name
        await self._preview(actor)
        self.previewing = False

    @rx.event
    @policy(MANAGERS)
    async def choose_kind(self, kind: Any) -> None:
        """Choose the enrolment type of lines whose file gives none (the preview follows).

        Args:
            kind: mandatory, recommended or free.
        """
        value = clean_str(kind, 12)
        if value not in ENROLMENT_KINDS:
            return
        self.kind = value
        if self._data:
            await self._preview(require_actor())

    @rx.event
    @policy(MANAGERS)
    def toggle_problems(self) -> None:
        """Show only the lines with a problem (invalid addresses, duplicates), or every line."""
        self.problems_only = not self.problems_only
        self.page = 1
        self._show_rows()

    @rx.event
    @policy(MANAGERS)
    def go_to(self, page: Any) -> None:
        """Show another page of the preview.

        Args:
            page: The page number.
        """
        number = clean_id(page)
        if number is not None:
            self.page = number
            self._show_rows()

    @rx.event
    @policy(MANAGERS)
    def cancel(self) -> None:
        """Drop the chosen file (nothing was written) or close a finished import's result."""
        self._clear_preview()
        self.error, self.job_id, self.job_status, self.done, self.to_do = "", 0, "", 0, 0

    @rx.event
    @policy(MANAGERS)
    async def apply(self) -> Any:
        """Queue the previewed file's import; it runs as a background task (the page stays usable)."""
        actor = require_actor()
        data, sid, kind, name = self._data, self.session_id, self.kind, self.file_name
        lang = await self._language()
        if not data or self.job_status in ("queued", "running"):
            return None
        try:
            job_id = await run_db(
                lambda db: enrolment_csv.start_job(db, actor, sid, file_name=name, data=data, kind=kind)
            )
        except PlumeError as err:
            self.error = error_message(lang, err)
            return None
        self._data, self._lines, self.rows, self.previewed = b"", [], [], False
        self.job_id, self.job_status, self.done, self.to_do = job_id, "queued", 0, self.changes
        return EnrolmentCsvState.run_import

    @rx.event(background=True)  # type: ignore[operator]  # reflex's stub types `rx.event` as a namespace
    @policy(MANAGERS)
    async def run_import(self) -> None:
        """Apply the queued job in one transaction, off the event loop, telling the page done / to do.

        The job row keeps its result: a tab closed meanwhile finds it when its author comes back.
        """
        actor = require_actor()
        async with self:
            job_id, lang = self.job_id, self._lang
        if not job_id:
            return
        if not await run_db(lambda db: enrolment_csv.mark_running(db, actor, job_id)):
            await self._follow(actor, job_id, lang)  # another tab took it: show its progress and result
            return
        try:
            await self._run(actor, job_id, lang)
        finally:
            enrolment_csv.release(job_id)

    async def _run(self, actor: Actor, job_id: int, lang: str) -> None:
        async with self:
            self.job_status = "running"
        work = asyncio.ensure_future(run_db(lambda db: enrolment_csv.run_job(db, actor, job_id)))
        while not work.done():
            await asyncio.wait({work}, timeout=POLL_S)
            counts = enrolment_csv.progress_of(job_id)
            if counts is not None:
                async with self:
                    self.done, self.to_do = counts
        try:
            view = work.result()
        except PlumeError as err:
            code = err.code.value
            await run_db(lambda db: enrolment_csv.fail_job(db, actor, job_id, code))
            async with self:
                if self.job_id == job_id:
                    self.job_status, self.error = "failed", error_message(lang, err)
            return
        async with self:
            if self.job_id == job_id:
                self._take_job(view, lang)
                self.resumed = False

    @rx.event(background=True)  # type: ignore[operator]  # reflex's stub types `rx.event` as a namespace
    @policy(MANAGERS)
    async def watch(self) -> None:
        """Follow a job started earlier (maybe from a closed tab) until its result is there."""
        actor = require_actor()
        async with self:
            job_id, lang = self.job_id, self._lang
        await self._follow(actor, job_id, lang)

    async def _follow(self, actor: Actor, job_id: int, lang: str) -> None:
        started = time.monotonic()
        while job_id and time.monotonic() - started < WATCH_LIMIT_S:
            await asyncio.sleep(POLL_S)
            try:
                view = await run_db(lambda db: enrolment_csv.job_view(db, actor, job_id))
            except PlumeError:
                return
            async with self:
                if self.job_id != job_id:
                    return
                self._take_job(view, lang)
            if view.status not in ("queued", "running"):
                return


def _code(value: str) -> ErrorCode:
    try:
        return ErrorCode(value)
    except ValueError:
        return ErrorCode.INVALID_INPUT
