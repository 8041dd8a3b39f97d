"""Missions and observations: the learner's part in the activity panel, and the correctors' two pages."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import reflex as rx

from app.i18n import t
from app.live.contract import (
    LiveEvent,
    MissionHandedIn,
    ModuleMoved,
    MyProgress,
    PeopleChanged,
    ProgressChanged,
    TimelineChanged,
    followers_topic,
    person_topic,
    session_topic,
)
from app.services import documents, missions
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from state import live
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor
from state.paging import PagedList
from state.session import SessionState
from state.session_page import SessionPageState

PAGE_SIZE = 25
MISSION_FILE = "mission_file"  # the learner's upload
FEEDBACK_FILE = "feedback_file"  # the corrector's file back
# The desks: a hand-in, a correction or an observation shows as progress (every learner's, on the followers
# topic); the people or the timeline change what is listed.
LIVE_EVENTS: tuple[type[LiveEvent], ...] = (
    ProgressChanged,
    MissionHandedIn,
    PeopleChanged,
    ModuleMoved,
    TimelineChanged,
)


async def _read_one(files: object) -> tuple[str, bytes] | None:
    """The one file of an upload (None when none was chosen); never more than a document may weigh, plus one byte."""
    if not isinstance(files, list) or not files:
        return None
    upload = files[0]
    read = getattr(upload, "read", None)
    if read is None:
        return None
    data = await read(documents.MAX_SIZE + 1)
    return str(getattr(upload, "name", "") or ""), data if isinstance(data, bytes) else b""


class MissionPanelState(live.LiveState, rx.State):
    """The learner's part of a mission's or an observation's panel on the session page."""

    # Their own correction or observation comes on their own topic (`MyProgress`), never a classmate's progress.
    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (
        MyProgress,
        MissionHandedIn,
        PeopleChanged,
        ModuleMoved,
        TimelineChanged,
    )

    kind: rx.Field[str] = rx.field("")
    activity_id: rx.Field[str] = rx.field("")
    mine: rx.Field[missions.MySubmission | None] = rx.field(None)
    # The learner's observation (its levels in `levels`).
    result: rx.Field[missions.MyObservation | None] = rx.field(None)
    observed: rx.Field[bool] = rx.field(False)
    levels: rx.Field[list[missions.CriterionLevel]] = rx.field(default_factory=list)
    new_version: rx.Field[bool] = rx.field(False)
    sending: rx.Field[bool] = rx.field(False)
    notice: rx.Field[str] = rx.field("")
    error: rx.Field[str] = rx.field("")
    error_field: rx.Field[str] = rx.field("")
    _activity_id: int = 0

    def _clear(self) -> None:
        self.kind, self.activity_id, self.mine, self.observed, self.result = "", "", None, False, None
        self.levels = []
        self.new_version, self.sending, self.notice, self.error, self.error_field = False, False, "", "", ""

    async def _show(self, actor: Actor) -> None:
        aid = self._activity_id
        try:
            if self.kind == missions.MISSION:
                self.mine = await run_db(lambda db: missions.my_submission(db, actor, aid))
            else:
                seen = await run_db(lambda db: missions.my_observation(db, actor, aid))
                self.observed, self.levels = seen.observed, seen.levels
                self.result = replace(seen, levels=[])
        except PlumeError:  # not a learner of the session (a corrector sees the links instead)
            self._clear()
            return
        self.activity_id = str(aid)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Show the learner's hand-in or observation of the activity open in the session page's panel."""
        actor = require_actor()
        page = await self.get_state(SessionPageState)
        kind = str(page.activity.get("kind", ""))
        self._clear()
        if kind not in (missions.MISSION, missions.OBSERVATION) or not page._activity_id:
            self._activity_id = 0
            return
        self._activity_id, self.kind = page._activity_id, kind
        await self._show(actor)
        # Follow the session and one's own progress too: a correction or an observation made elsewhere shows.
        self._live_follow((session_topic(page._session_id), person_topic(actor.user_id)), alongside=True)

    async def _live_wants(self, event: LiveEvent) -> bool:
        """Only while its panel is open on the session page (and one's own progress in this session only).

        Args:
            event: What changed.

        Returns:
            Whether the panel shown is still this activity's.
        """
        page = await self.get_state(SessionPageState)
        if isinstance(event, MyProgress) and event.session_id != page._session_id:
            return False
        return bool(self._activity_id and page.found and page._activity_id == self._activity_id)

    async def _live_load(self, actor: Actor | None) -> None:
        """Someone corrected or observed (or the session changed): refresh the part shown.

        Args:
            actor: The tab's own actor.
        """
        if actor is not None:
            await self._show(actor)

    @rx.event
    @policy(SIGNED_IN)
    def start_new_version(self) -> None:
        """Show the form again to hand in a new version."""
        self.new_version, self.notice, self.error, self.error_field = True, "", "", ""

    @rx.event
    @policy(SIGNED_IN)
    def cancel_new_version(self) -> None:
        """Keep the version handed in."""
        self.new_version, self.error, self.error_field = False, "", ""

    @rx.event
    @policy(SIGNED_IN)
    async def hand_in(self, files: list[rx.UploadFile], comment: Any) -> Any:
        """Hand in the open mission: the chosen file (if any) and the comment.

        Args:
            files: At most one uploaded file.
            comment: The comment, as typed.
        """
        actor, aid = require_actor(), self._activity_id
        lang = (await self.get_state(SessionState)).lang
        text = clean_str(comment, missions.MAX_TEXT + 1)
        self.notice, self.error, self.error_field = "", "", ""
        if not aid or self.kind != missions.MISSION:
            return
        self.sending = True
        yield
        file = await _read_one(files)
        name, data = file if file is not None else ("", b"")
        try:
            mine = await run_db(lambda db: missions.hand_in(db, actor, aid, name=name, data=data, comment=text))
        except PlumeError as err:
            self.sending = False
            self.error, self.error_field = error_message(lang, err), err.field
            return
        self.sending, self.new_version = False, False
        self.mine = mine
        self.notice = t(lang, "missions.handed_in")
        yield rx.clear_selected_files(MISSION_FILE)


class _Desk(PagedList, live.LiveState, mixin=True):
    """What both correction pages share: the session in the URL, its head, paging, live refresh."""

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = LIVE_EVENTS

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    session_id: rx.Field[str] = rx.field("")
    title: rx.Field[str] = rx.field("")
    course_title: rx.Field[str] = rx.field("")
    missions_waiting: rx.Field[int] = rx.field(0)
    observations_waiting: rx.Field[int] = rx.field(0)
    follows_centre: rx.Field[bool] = rx.field(False)
    # The page's rows: each desk declares them with its services' row type.
    rows: rx.Field[list[Any]] = rx.field(default_factory=list)
    only_open: rx.Field[bool] = rx.field(True)
    notice: rx.Field[str] = rx.field("")
    _session_id: int = 0

    async def _list(self, actor: Actor) -> None:
        raise NotImplementedError

    async def _show(self, actor: Actor | None) -> None:
        sid = self._session_id
        if actor is None or not sid:
            self.found, self.rows = False, []
            return
        try:
            head = await run_db(lambda db: missions.desk_header(db, actor, sid))
            await self._list(actor)
        except PlumeError:
            self.found, self.rows = False, []
            return
        self.title, self.course_title = head.title, head.course_title
        self.missions_waiting, self.observations_waiting = head.missions_waiting, head.observations_waiting
        self.follows_centre = head.follows_centre
        self.found = True

    async def _open(self) -> None:
        actor = require_actor()
        self.loading = True
        self._session_id = route_id(self, "session_id", from_end=2) or 0
        self.session_id = str(self._session_id)
        self.page, self.only_open, self.notice = 1, True, ""
        await self._show(actor)
        self._live_follow_found(self.found, (session_topic(self._session_id), followers_topic(self._session_id)))
        self.loading = False

    async def _show_page(self) -> None:
        await self._show(require_actor())

    async def _live_load(self, actor: Actor | None) -> None:
        """A learner handed in or was corrected elsewhere (or the people changed): refresh the list.

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)


class MissionsDeskState(_Desk, rx.State):
    """`Missions à corriger`: a session's hand-ins and the `Corriger` dialog."""

    rows: rx.Field[list[missions.SubmissionRow]] = rx.field(default_factory=list)
    correcting: rx.Field[bool] = rx.field(False)
    detail: rx.Field[missions.SubmissionDetail | None] = rx.field(None)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    saving: rx.Field[bool] = rx.field(False)
    _submission_id: int = 0

    async def _list(self, actor: Actor) -> None:
        sid, waiting, page = self._session_id, self.only_open, self.page
        found = await run_db(
            lambda db: missions.submissions(db, actor, sid, waiting_only=waiting, page=page, page_size=PAGE_SIZE)
        )
        self._take_page(found)
        self.rows = found.rows

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the hand-ins of the session in the URL and follow them live."""
        self.correcting, self.detail, self.errors = False, None, {}
        await self._open()

    @rx.event
    @policy(SIGNED_IN)
    async def show_waiting(self, value: Any) -> None:
        """Show only the hand-ins waiting for a correction ("waiting"), or all of them ("all").

        Args:
            value: waiting or all.
        """
        if value in ("waiting", "all"):
            self.only_open, self.page, self.notice = value == "waiting", 1, ""
            await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def open_correction(self, submission_id: Any) -> Any:
        """Open the `Corriger` dialog of a hand-in.

        Args:
            submission_id: The submission.
        """
        actor, sid = require_actor(), clean_id(submission_id)
        self.errors, self.notice = {}, ""
        if sid is None:
            return None
        try:
            detail = await run_db(lambda db: missions.submission_detail(db, actor, sid))
        except PlumeError:
            return None
        self._submission_id = detail.id
        self.detail = detail
        self.correcting = True
        return rx.clear_selected_files(FEEDBACK_FILE)

    @rx.event
    @policy(SIGNED_IN)
    def close_correction(self) -> None:
        """Close the `Corriger` dialog without saving."""
        self.correcting, self.detail, self.errors, self._submission_id = False, None, {}, 0

    @rx.event
    @policy(SIGNED_IN)
    async def save_correction(self, files: list[rx.UploadFile], score: Any, feedback: Any) -> Any:
        """Save the correction of the hand-in open in the dialog.

        Args:
            files: At most one file back.
            score: 0 to 100, as typed.
            feedback: The comment for the learner.
        """
        actor, sub = require_actor(), self._submission_id
        lang = (await self.get_state(SessionState)).lang
        if not self.correcting or not sub:
            return
        self.saving, self.errors = True, {}
        yield
        file = await _read_one(files)
        mark, text = clean_str(score, 20), clean_str(feedback, missions.MAX_TEXT + 1)
        try:
            await run_db(lambda db: missions.correct(db, actor, sub, score=mark, feedback=text, file=file))
        except PlumeError as err:
            self.saving = False
            self.errors = {err.field or "form": error_message(lang, err)}
            if err.code == ErrorCode.NOT_FOUND:
                self.correcting = False
            return
        self.saving, self.correcting, self.detail, self._submission_id = False, False, None, 0
        self.notice = t(lang, "missions.saved")
        await self._show(actor)
        yield rx.clear_selected_files(FEEDBACK_FILE)


class ObservationsDeskState(_Desk, rx.State):
    """`Observations à faire`: the session's learners × observation activities and the `Observer` dialog."""

    rows: rx.Field[list[missions.ObservationRow]] = rx.field(default_factory=list)
    observing: rx.Field[bool] = rx.field(False)
    # The dialog's learner and activity (its criteria in `criteria`).
    form: rx.Field[missions.ObservationForm | None] = rx.field(None)
    criteria: rx.Field[list[missions.CriterionLevel]] = rx.field(default_factory=list)
    errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    _activity_id: int = 0
    _user_id: int = 0

    async def _list(self, actor: Actor) -> None:
        sid, todo, page = self._session_id, self.only_open, self.page
        found = await run_db(
            lambda db: missions.observations_to_do(db, actor, sid, todo_only=todo, page=page, page_size=PAGE_SIZE)
        )
        self._take_page(found)
        self.rows = found.rows

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the observations of the session in the URL and follow them live."""
        self.observing, self.form, self.criteria, self.errors = False, None, [], {}
        await self._open()

    @rx.event
    @policy(SIGNED_IN)
    async def show_todo(self, value: Any) -> None:
        """Show only the observations still to do ("todo"), or all of them ("all").

        Args:
            value: todo or all.
        """
        if value in ("todo", "all"):
            self.only_open, self.page, self.notice = value == "todo", 1, ""
            await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def open_observation(self, activity_id: Any, user_id: Any) -> None:
        """Open the `Observer` dialog of one learner on one observation activity.

        Args:
            activity_id: The observation activity.
            user_id: The learner.
        """
        actor, aid, uid = require_actor(), clean_id(activity_id), clean_id(user_id)
        self.errors, self.notice = {}, ""
        if aid is None or uid is None:
            return
        try:
            form = await run_db(lambda db: missions.observation_form(db, actor, aid, uid))
        except PlumeError:
            return
        self._activity_id, self._user_id = form.activity_id, form.user_id
        self.form, self.criteria = replace(form, levels=[]), form.levels
        self.observing = True

    @rx.event
    @policy(SIGNED_IN)
    def close_observation(self) -> None:
        """Close the `Observer` dialog without saving."""
        self.observing, self.form, self.criteria, self.errors = False, None, [], {}
        self._activity_id, self._user_id = 0, 0

    @rx.event
    @policy(SIGNED_IN)
    async def save_observation(self, form_data: Any) -> None:
        """Save the observation open in the dialog.

        Args:
            form_data: level_<n> (0 to 3) for each criterion, comment.
        """
        actor, aid, uid = require_actor(), self._activity_id, self._user_id
        lang = (await self.get_state(SessionState)).lang
        if not self.observing or not aid or not uid:
            return
        form = form_fields(form_data)
        levels: list[Any] = []  # None marks a criterion left unrated: the service says which error
        for index in range(len(self.criteria)):
            value = form.get(f"level_{index}")
            levels.append(int(value) if isinstance(value, str) and value in ("0", "1", "2", "3") else None)
        text = clean_str(form.get("comment"), missions.MAX_TEXT + 1)
        try:
            score = await run_db(lambda db: missions.observe(db, actor, aid, uid, levels=levels, comment=text))
        except PlumeError as err:
            self.errors = {err.field or "form": error_message(lang, err)}
            if err.code == ErrorCode.NOT_FOUND:
                self.observing = False
            return
        self.observing, self.form, self.criteria, self._activity_id, self._user_id = False, None, [], 0, 0
        self.notice = t(lang, "observations.saved", score=str(score))
        await self._show(actor)
