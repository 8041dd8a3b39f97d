"""The tutoring centre: the sessions one follows, and a session's learners (paged in SQL), live."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import reflex as rx

from app.i18n import t, tn
from app.live.contract import (
    LiveEvent,
    MissionHandedIn,
    ModuleMoved,
    PeopleChanged,
    PollAnswered,
    ProgressChanged,
    TimelineChanged,
    followers_topic,
    session_topic,
)
from app.services import attestations, finishing, missions, tutoring, virtual_class
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from state import live
from state.common import clean_id, clean_str, error_message, route_id, run_db
from state.conclude import ConcludeSelection
from state.guard import SIGNED_IN, policy, require_actor
from state.paging import SortedPagedList
from state.session import SessionState

LIVE_GAP_S = 0.5
# Progress (every learner's, on the followers topic; a poll answered, a mission handed in), the people and the
# timeline change the counts and reports.
LIVE_EVENTS: tuple[type[LiveEvent], ...] = (
    ProgressChanged,
    MissionHandedIn,
    PollAnswered,
    PeopleChanged,
    ModuleMoved,
    TimelineChanged,
)
PIE_COLOURS = {"not_started": "#94a3b8", "in_progress": "#f59e0b", "finished": "#16a34a"}


@dataclass(frozen=True)
class PieSlice:
    """One slice of the centre's progress pie, as recharts reads it."""

    name: str
    value: int
    fill: str


def learner_key(row: tutoring.LearnerRow) -> str:
    """A row's key in the selection: "<session id>:<user id>" (a learner may be in several sessions of a course).

    Args:
        row: A line of the centre's table.

    Returns:
        The key.
    """
    return f"{row.session_id}:{row.user_id}"


class TutoringListState(rx.State):
    """`Tutorat`: the sessions whose learners the person follows."""

    loading: rx.Field[bool] = rx.field(True)
    rows: rx.Field[list[tutoring.TutoredSession]] = rx.field(default_factory=list)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """List the sessions the person tutors (all of them for staff)."""
        actor = require_actor()
        self.rows = await run_db(lambda db: tutoring.tutored_sessions(db, actor))
        self.loading = False


class TutoringCentreState(SortedPagedList, live.LiveState, ConcludeSelection, rx.State):
    """A session's tutoring centre: filter, learner count, pie, one page of learners.

    With thousands of learners at work, events come in bursts: the first one
    refreshes at once, the others within half a second in one refresh.
    """

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = LIVE_EVENTS
    live_gap_s: ClassVar[float] = LIVE_GAP_S
    sorts: ClassVar[tuple[str, ...]] = tutoring.SORTS
    sorts_descending: ClassVar[frozenset[str]] = frozenset({"progress", "time", "last_activity"})

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    title: rx.Field[str] = rx.field("")
    course_title: rx.Field[str] = rx.field("")
    kind: rx.Field[str] = rx.field("all")
    query: rx.Field[str] = rx.field("")
    sort: rx.Field[str] = rx.field("name")
    page_size: rx.Field[int] = rx.field(50)
    learners: rx.Field[int] = rx.field(0)
    activities: rx.Field[int] = rx.field(0)
    pie: rx.Field[list[PieSlice]] = rx.field(default_factory=list)
    rows: rx.Field[list[tutoring.LearnerRow]] = rx.field(default_factory=list)
    session_id: rx.Field[str] = rx.field("")
    course_id: rx.Field[str] = rx.field("")
    missions_waiting: rx.Field[int] = rx.field(0)
    observations_waiting: rx.Field[int] = rx.field(0)
    # The selection (keys "<session id>:<user id>"), `target_count` (how many of it a bulk action reaches: those
    # the filter and search show, said in its dialog), `notice`, `error` and "Formation terminée" (never once
    # archived) come with `ConcludeSelection`.
    reminding: rx.Field[bool] = rx.field(False)
    planning: rx.Field[bool] = rx.field(False)
    attesting: rx.Field[bool] = rx.field(False)
    vc_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    # The session's access period: the virtual class form's date bounds and hint.
    vc_window: rx.Field[virtual_class.PlanningWindow] = rx.field(
        default_factory=lambda: virtual_class.PlanningWindow("", "", "", "")
    )
    template: rx.Field[str] = rx.field("reminder")
    preview: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    _session_id: int = 0
    _course_id: int = 0
    _scope_ids: list[int] = []

    def _route_session_id(self) -> int | None:
        return route_id(self, "session_id")

    async def _show(self, actor: Actor | None, *, full: bool = True) -> None:
        """Read the centre; `full` also rereads the titles and the tiles' waiting work (not needed to sort or page)."""
        sid, cid, kind, query, order = self._session_id, self._course_id or None, self.kind, self.query, self._order()
        if actor is None or not (sid or cid):
            self.found = False
            return

        def work(db: Any) -> tuple[tutoring.Centre, tuple[str, str] | None, tuple[int, int] | None, bool | None]:
            centre = tutoring.centre(db, actor, sid, course_id=cid, kind=kind, query=query, **order)
            if not full:
                return centre, None, None, None
            return (
                centre,
                tutoring.centre_titles(db, centre, course_id=cid),
                missions.waiting_counts(db, centre.session_ids, kind),
                finishing.concludable(db, actor, centre.session_ids),
            )

        try:
            centre, titles, waiting, concludable = await run_db(work)
        except PlumeError:
            self.found, self.rows = False, []
            return
        if titles is not None:
            self.title, self.course_title = titles
        if waiting is not None:
            self.missions_waiting, self.observations_waiting = waiting
        if concludable is not None:
            self.can_conclude = concludable
        self._scope_ids = centre.session_ids
        self.found = True
        self._take_page(centre)
        self.learners, self.activities = centre.learners, centre.activities
        lang = (await self.get_state(SessionState)).lang
        self.pie = [
            PieSlice(name=t(lang, f"tutoring.status.{k}"), value=getattr(centre.pie, k), fill=colour)
            for k, colour in PIE_COLOURS.items()
        ]
        self.rows = centre.rows
        self._sync_selection()

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the centre of the session in the URL and follow its learners' progress live."""
        actor = require_actor()
        self.loading = True
        if "/formations/" in self.router.url.path:  # /tutorat/formations/<course>/centre
            self._course_id, self._session_id = route_id(self, "course_id", from_end=2) or 0, 0
        else:
            self._course_id, self._session_id = 0, self._route_session_id() or 0
        self.session_id, self.course_id = str(self._session_id or ""), str(self._course_id or "")
        self.kind, self.query, self.sort, self.descending, self.page = "all", "", "name", False, 1
        self._selected, self.reminding, self.notice, self.error = set(), False, "", ""
        await self._show(actor)
        followed = tuple(topic for s in self._scope_ids for topic in (session_topic(s), followers_topic(s)))
        self._live_follow_found(self.found, followed)
        self.loading = False

    @rx.event
    @policy(SIGNED_IN)
    async def set_kind(self, kind: Any) -> None:
        """Show all learners or one enrolment type.

        Args:
            kind: all, mandatory, recommended or free.
        """
        if kind in tutoring.KINDS:
            if kind != self.kind:
                # The selection follows what is shown: learners the new filter hides must not stay selected.
                self._selected, self.notice = set(), ""
            self.kind, self.page = str(kind), 1
            await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def search(self, form_data: Any) -> None:
        """Narrow the table to a name or e-mail.

        Args:
            form_data: query.
        """
        form = form_data if isinstance(form_data, dict) else {}
        query = clean_str(form.get("query"), 100).strip()
        if query != self.query:
            # As for the filter: a search hides learners, so they leave the selection.
            self._selected, self.notice = set(), ""
        self.query = query
        await self._turn_to(1)

    async def _show_page(self) -> None:
        # Paging, sorting and searching change neither the titles nor the tiles: the short read.
        await self._show(require_actor(), full=False)

    def _page_keys(self) -> list[str]:
        return [learner_key(r) for r in self.rows]

    async def _every_key(self) -> set[str] | None:
        actor, sid, cid, kind, query = require_actor(), self._session_id, self._course_id or None, self.kind, self.query
        try:
            keys = await run_db(lambda db: tutoring.learner_keys(db, actor, sid, course_id=cid, kind=kind, query=query))
        except PlumeError:
            return None
        return {f"{s}:{u}" for s, u in keys}

    @rx.event
    @policy(SIGNED_IN)
    def toggle(self, key: Any) -> None:
        """Select or unselect a learner of the page.

        Args:
            key: "<session id>:<user id>" of a row of the page.
        """
        self._toggle(clean_str(key, 40))

    async def _targets(self) -> dict[int, list[int]]:
        """The learners a bulk action reaches, by session: the selection that the current filter and search show.

        Read again from the database at each action (never from ids a browser sends), so a stale or forged
        selection cannot reach a learner the list does not show.
        """
        selected: set[tuple[int, int]] = set()
        for key in self._selected:
            session_part, _, user_part = key.partition(":")
            session_id, user_id = clean_id(session_part), clean_id(user_part)
            if session_id in self._scope_ids and user_id is not None:
                selected.add((session_id, user_id))
        if not selected:
            return {}
        actor, sid, cid, kind, query = require_actor(), self._session_id, self._course_id or None, self.kind, self.query
        try:
            return await run_db(
                lambda db: tutoring.shown_selection(db, actor, sid, selected, course_id=cid, kind=kind, query=query)
            )
        except PlumeError:
            return {}

    async def _conclude_targets(self) -> dict[int, list[int]]:
        return await self._targets()

    async def _preview(self) -> None:
        actor, template, groups = require_actor(), self.template, await self._targets()
        self.target_count = sum(len(ids) for ids in groups.values())
        if not groups:
            self.reminding = False
            return
        sid = next(iter(groups))
        first = groups[sid][0]
        try:
            message = await run_db(lambda db: tutoring.preview_reminder(db, actor, sid, first, template))
        except PlumeError:
            self._selected, self.reminding = set(), False
            self._sync_selection()
            return
        self.preview = {"subject": message.subject, "body": message.body}

    @rx.event
    @policy(SIGNED_IN)
    async def open_reminder(self) -> None:
        """Show the reminder as the first selected learner will receive it."""
        self.error, self.reminding = "", True
        await self._preview()

    @rx.event
    @policy(SIGNED_IN)
    async def set_template(self, template: Any) -> None:
        """Pick the reminder's e-mail template (the preview follows).

        Args:
            template: reminder or reminder_deadline.
        """
        if template in tutoring.REMINDER_TEMPLATES:
            self.template = str(template)
            await self._preview()

    @rx.event
    @policy(SIGNED_IN)
    def close_reminder(self) -> None:
        """Close the reminder dialog."""
        self.reminding = False

    @rx.event
    @policy(SIGNED_IN)
    async def send_reminders(self) -> None:
        """E-mail the chosen reminder to every selected learner."""
        actor, template, groups = require_actor(), self.template, await self._targets()
        lang = (await self.get_state(SessionState)).lang

        def work(db: Any) -> int:
            return sum(tutoring.send_reminders(db, actor, sid, ids, template) for sid, ids in groups.items())

        try:
            if not groups:
                raise PlumeError(ErrorCode.INVALID_INPUT)
            count = await run_db(work)
        except PlumeError as err:
            self.error = error_message(lang, err)
            return
        self.reminding, self._selected = False, set()
        self._sync_selection()
        self.notice = tn(lang, "tutoring.reminders_sent", count)

    @rx.event
    @policy(SIGNED_IN)
    async def open_virtual_class(self) -> None:
        """Open the dialog planning a virtual class for the selection (one session at a time)."""
        lang = (await self.get_state(SessionState)).lang
        groups = await self._targets()
        self.target_count = sum(len(ids) for ids in groups.values())
        self.notice, self.error, self.vc_errors = "", "", {}
        if len(groups) > 1:
            self.notice = t(lang, "tutoring.one_session_only")
            return
        if groups:
            actor, (sid,) = require_actor(), groups.keys()
            try:
                self.vc_window = await run_db(lambda db: virtual_class.planning_window(db, actor, sid))
            except PlumeError as err:
                self.error = error_message(lang, err)
                return
        self.planning = bool(groups)

    @rx.event
    @policy(SIGNED_IN)
    def close_virtual_class(self) -> None:
        """Close the virtual class dialog."""
        self.planning, self.vc_errors = False, {}

    @rx.event
    @policy(SIGNED_IN)
    async def create_virtual_class(self, form_data: Any) -> None:
        """Create the virtual class for the selected learners and send their invitations (.ics attached).

        Args:
            form_data: title, day (YYYY-MM-DD), start and end (HH:MM), link (optional https URL).
        """
        form = form_data if isinstance(form_data, dict) else {}
        actor, groups = require_actor(), await self._targets()
        lang = (await self.get_state(SessionState)).lang
        if len(groups) != 1:
            self.vc_errors = {"form": t(lang, "tutoring.one_session_only")}
            return
        ((sid, ids),) = groups.items()
        title, day = clean_str(form.get("title"), 200), clean_str(form.get("day"), 20)
        start, end, link = (
            clean_str(form.get("start"), 10),
            clean_str(form.get("end"), 10),
            clean_str(form.get("link"), 500),
        )
        try:
            await run_db(
                lambda db: virtual_class.create_for_learners(
                    db, actor, sid, ids, title=title, day=day, start=start, end=end, link=link
                )
            )
        except PlumeError as err:
            self.vc_errors = {err.field or "form": error_message(lang, err)}
            return
        self.planning, self.vc_errors, self._selected = False, {}, set()
        self._sync_selection()
        self.notice = tn(lang, "tutoring.vc_created", len(ids))

    async def _attest(self, *, merged: bool) -> AsyncIterator[Any]:
        """Issue the selected learners' attestations (one session at a time), then download the zip or merged PDF."""
        actor, groups = require_actor(), await self._targets()
        lang = (await self.get_state(SessionState)).lang
        self.notice, self.error = "", ""
        if len(groups) != 1:
            self.notice = t(lang, "tutoring.one_session_only") if groups else ""
            return
        ((sid, ids),) = groups.items()
        self.attesting = True
        yield
        try:
            export = await run_db(lambda db: attestations.prepare_download(db, actor, sid, ids, merged=merged))
        except PlumeError as err:
            self.attesting, self.error = False, error_message(lang, err)
            return
        self.attesting = False
        report = _attestations_report(lang, export)
        if not export.token:  # every learner chosen was refused: nothing to download, say why
            self.error = report
            return
        self.notice = report
        yield rx.download(url=attestations.export_url(export.token, merged=merged))

    @rx.event
    @policy(SIGNED_IN)
    async def make_attestations(self) -> AsyncIterator[Any]:
        """Build the selected learners' attestations (one PDF each, zipped) and download the zip.

        Yields:
            The spinner, then the download once the zip is ready.
        """
        async for update in self._attest(merged=False):
            yield update

    @rx.event
    @policy(SIGNED_IN)
    async def make_merged_attestations(self) -> AsyncIterator[Any]:
        """Build the selected learners' attestations as one merged PDF (to send to the sponsor) and download it.

        Yields:
            The spinner, then the download once the PDF is ready.
        """
        async for update in self._attest(merged=True):
            yield update

    @rx.event
    @policy(SIGNED_IN)
    async def issue_certificate(self, session_id: Any, user_id: Any) -> AsyncIterator[Any]:
        """Issue one learner's attestation, then download it (the GET route only draws what was issued).

        Args:
            session_id: The learner's session (from the row).
            user_id: The learner.

        Yields:
            The download of the PDF.
        """
        actor = require_actor()
        lang = (await self.get_state(SessionState)).lang
        sid, uid = clean_id(session_id), clean_id(user_id)
        self.notice, self.error = "", ""
        if sid is None or uid is None or sid not in self._scope_ids:
            self.error = error_message(lang, PlumeError(ErrorCode.NOT_FOUND))
            return
        try:
            url = await run_db(lambda db: attestations.issue_for_learner(db, actor, sid, uid))
        except PlumeError as err:
            self.error = error_message(lang, err)
            return
        yield rx.download(url=url)

    async def _live_load(self, actor: Actor | None) -> None:
        """A learner progressed (or the people changed): recount, as this tab's own actor (coalesced).

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)


def _trail_row(lang: str, line: tutoring.StatsEditLine) -> dict[str, str]:
    """One statistics edit as the report's table shows it: "Statut : Non commencé → Terminé", one change a line."""

    def shown(name: str, value: str) -> str:
        return t(lang, f"lesson.status.{value}") if name == "status" and value != "—" else value

    # One change a line: the page keeps the lines (pre-line), readable on a phone too.
    changes = "\n".join(
        t(
            lang,
            "tutoring.trail.change",
            field=t(lang, f"tutoring.trail.field.{c.field}"),
            before=shown(c.field, c.before),
            after=shown(c.field, c.after),
        )
        for c in line.changes
    )
    return {"at": line.at, "by": line.by, "activity": line.activity, "changes": changes or "—"}


def _attestations_report(lang: str, export: attestations.PreparedExport) -> str:
    """What a batch of attestations gave: how many were issued, how many refused and why.

    Args:
        lang: Interface language.
        export: The batch's outcome.

    Returns:
        The sentence for the notice (or the error, when nothing was issued).
    """
    said = [
        tn(lang, "tutoring.attestations_ready", export.issued)
        if export.issued
        else t(lang, "tutoring.attestations_none")
    ]
    if export.refused:
        reasons = ", ".join(
            t(lang, f"tutoring.refused.{code.value}", count=str(n)) for code, n in export.refused.items()
        )
        said.append(t(lang, "tutoring.attestations_refused", count=str(sum(export.refused.values())), reasons=reasons))
    return " ".join(said)


class TutoringReportState(live.LiveState, rx.State):
    """One learner's report in a session's tutoring centre, with `Modifier les statistiques`; live."""

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = LIVE_EVENTS

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    session_id: rx.Field[str] = rx.field("")
    user_id: rx.Field[str] = rx.field("")
    # The report's heading and figures; its lists go in the vars below (sent once, not twice).
    report: rx.Field[tutoring.LearnerReport | None] = rx.field(None)
    lessons: rx.Field[list[tutoring.LessonLine]] = rx.field(default_factory=list)
    connections: rx.Field[list[tutoring.ConnectionLine]] = rx.field(default_factory=list)
    reminders: rx.Field[list[tutoring.ReminderLine]] = rx.field(default_factory=list)
    visits: rx.Field[list[tutoring.VisitLine]] = rx.field(default_factory=list)
    # The learner's other sessions the actor follows (`Sélectionner un autre cours`); this one included.
    courses: rx.Field[list[tutoring.ReportCourse]] = rx.field(default_factory=list)
    # The audit trail of statistics edits, newest first: at, by, activity, changes (already in the UI's language).
    stats_edits: rx.Field[list[dict[str, str]]] = rx.field(default_factory=list)
    expanded: rx.Field[list[str]] = rx.field(default_factory=list)
    editing: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    edit_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    notice: rx.Field[str] = rx.field("")
    _sid: int = 0
    _uid: int = 0

    async def _show(self, actor: Actor | None) -> None:
        sid, uid = self._sid, self._uid
        try:
            if actor is None or not sid or not uid:
                raise PlumeError(ErrorCode.NOT_FOUND)
            found = await run_db(lambda db: tutoring.learner_report(db, actor, sid, uid))
            trail = await run_db(lambda db: tutoring.stats_trail(db, actor, sid, uid))
        except PlumeError:
            self.found, self.report, self.lessons, self.connections, self.reminders = False, None, [], [], []
            self.stats_edits, self.visits, self.courses = [], [], []
            return
        self.lessons, self.connections, self.reminders = found.lessons, found.connections, found.reminders
        self.visits, self.courses = found.visits, found.courses
        self.report = replace(found, lessons=[], connections=[], reminders=[], visits=[], courses=[])
        lang = (await self.get_state(SessionState)).lang
        self.stats_edits = [_trail_row(lang, line) for line in trail]
        self.found = True

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the report of the learner in the URL (`/tutorat/<session>/<learner>`) and follow it live."""
        actor = require_actor()
        self.loading = True
        self._sid = route_id(self, "session_id", from_end=2) or 0
        self._uid = route_id(self, "user_id") or 0
        self.session_id, self.user_id = str(self._sid), str(self._uid)
        self.expanded, self.editing, self.edit_errors, self.notice = [], {}, {}, ""
        await self._show(actor)
        self._live_follow_found(self.found, (session_topic(self._sid), followers_topic(self._sid)))
        self.loading = False

    @rx.event
    @policy(SIGNED_IN)
    def toggle_attempts(self, activity_id: Any) -> None:
        """Show or hide a lesson's attempts.

        Args:
            activity_id: The lesson's activity.
        """
        key = str(clean_id(activity_id) or "")
        if key and any(str(line.activity_id) == key for line in self.lessons):
            self.expanded = [k for k in self.expanded if k != key] if key in self.expanded else [*self.expanded, key]

    @rx.event
    @policy(SIGNED_IN)
    def open_edit(self, activity_id: Any) -> None:
        """Open `Modifier les statistiques` on a lesson, filled with its current figures.

        Args:
            activity_id: The lesson's activity.
        """
        key = str(clean_id(activity_id) or "")
        line = next((line for line in self.lessons if str(line.activity_id) == key), None)
        if line is None:
            return
        seconds = line.time_spent_s
        self.editing = {
            "activity_id": key,
            "title": line.title,
            "status": line.status,
            "date": line.status_date,
            "score": line.score.replace(" %", ""),
            "time_spent": f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}",
            "location": line.location,
            "suspend_data": line.suspend_data,
        }
        self.edit_errors, self.notice = {}, ""

    @rx.event
    @policy(SIGNED_IN)
    def close_edit(self) -> None:
        """Close the statistics dialog."""
        self.editing, self.edit_errors = {}, {}

    @rx.event
    @policy(SIGNED_IN)
    async def save_edit(self, form_data: Any) -> None:
        """Save `Modifier les statistiques` (validated and audited by the service).

        Args:
            form_data: status, clear_attempts, date, score, time_spent, location, suspend_data.
        """
        form = form_data if isinstance(form_data, dict) else {}
        actor, sid, uid = require_actor(), self._sid, self._uid
        aid = clean_id(self.editing.get("activity_id", ""))
        lang = (await self.get_state(SessionState)).lang
        values = {
            "status": clean_str(form.get("status"), 20),
            "clear_attempts": clean_str(form.get("clear_attempts"), 10),
            "date": clean_str(form.get("date"), 20),
            "score": clean_str(form.get("score"), 20),
            "time_spent": clean_str(form.get("time_spent"), 20),
            # Longer than allowed on purpose: the service refuses with a message rather than cutting silently.
            "location": clean_str(form.get("location"), 1_000),
            "suspend_data": clean_str(form.get("suspend_data"), 10_000),
        }
        if aid is None:
            return
        try:
            await run_db(
                lambda db: tutoring.edit_lesson_stats(db, actor, sid, user_id=uid, activity_id=aid, values=values)
            )
        except PlumeError as err:
            self.edit_errors = {err.field or "form": error_message(lang, err)}
            return
        self.editing, self.edit_errors = {}, {}
        self.notice = t(lang, "tutoring.stats_saved")
        await self._show(actor)

    async def _live_wants(self, event: LiveEvent) -> bool:
        """Progress only of this learner (a poll's event names nobody: it may be theirs).

        Args:
            event: What changed.

        Returns:
            Whether the report may have changed.
        """
        return not isinstance(event, (ProgressChanged, MissionHandedIn)) or event.user_id == self._uid

    async def _live_load(self, actor: Actor | None) -> None:
        """This learner progressed (or the timeline changed): reload the report, as this tab's own actor.

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)
