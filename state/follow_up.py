"""Following participation: the learner's progress bar, and `Suivi des participants` (paged in SQL, live)."""

from __future__ import annotations

from typing import Any, ClassVar

import reflex as rx

from app.i18n import tn
from app.live.contract import (
    LiveEvent,
    MyProgress,
    PeopleChanged,
    ProgressChanged,
    TimelineChanged,
    followers_topic,
    person_topic,
    session_topic,
)
from app.services import finishing, follow_up
from app.services.actor import Actor
from app.services.errors import PlumeError
from state import live
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.conclude import ConcludeSelection
from state.guard import SIGNED_IN, policy, require_actor, tab_actor
from state.paging import SortedPagedList
from state.session import SessionState

LIVE_GAP_S = 0.5


class ProgressBarState(live.LiveState, rx.State):
    """`Ma barre de progression` on a session's page: one segment per monitored activity, for its learners."""

    # The learner's own progress comes on their own topic: a classmate's never wakes the bar.
    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (MyProgress, TimelineChanged)
    segments: rx.Field[list[follow_up.Segment]] = rx.field(default_factory=list)
    done: rx.Field[int] = rx.field(0)
    _session_id: int = 0

    async def _show(self, actor: Actor | None) -> None:
        sid = self._session_id
        if actor is None or not sid:
            self.segments, self.done = [], 0
            return
        try:
            self.segments = await run_db(lambda db: follow_up.progress_bar(db, actor, sid))
        except PlumeError:
            self.segments = []
        self.done = sum(1 for s in self.segments if s.state == "done")

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Read the learner's bar of the session in the URL; follow their progress (after the page's own load)."""
        actor = require_actor()
        self._session_id = route_id(self, "session_id") or 0
        await self._show(actor)
        if self.segments:
            self._live_follow((session_topic(self._session_id), person_topic(actor.user_id)), alongside=True)

    async def _live_wants(self, event: LiveEvent) -> bool:
        """Their own progress in this session, or the timeline's monitoring changed.

        Args:
            event: What changed.

        Returns:
            Whether the bar may have changed.
        """
        if isinstance(event, MyProgress):
            return event.session_id == self._session_id
        return isinstance(event, TimelineChanged) and event.op == "monitoring"

    async def _live_load(self, actor: Actor | None) -> None:
        """Reread the bar as this tab's own actor.

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)


class FollowUpState(SortedPagedList, live.LiveState, ConcludeSelection, rx.State):
    """`Suivi des participants`: a session's learners, a tick per monitored activity, progress %, `Terminé`.

    A learner completing an activity ticks their cell in place (one row reread), without reloading the page.
    The selection stays on the server (a session may hold 10,000 learners); bulk actions (`Envoyer un message`,
    `Formation terminée`, with its `notice` and `error` lines from `ConcludeSelection`) reach `_targets()`, the
    selection read again from the database.
    """

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (ProgressChanged, PeopleChanged, TimelineChanged)
    live_gap_s: ClassVar[float] = LIVE_GAP_S
    sorts: ClassVar[tuple[str, ...]] = follow_up.SORTS
    sorts_descending: ClassVar[frozenset[str]] = frozenset(follow_up.SORTS) - {"name"}

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    title: rx.Field[str] = rx.field("")
    session_id: rx.Field[str] = rx.field("")
    sort: rx.Field[str] = rx.field("name")
    columns: rx.Field[list[follow_up.Column]] = rx.field(default_factory=list)
    rows: rx.Field[list[follow_up.FollowUpRow]] = rx.field(default_factory=list)
    messaging: rx.Field[bool] = rx.field(False)
    message_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    _session_id: int = 0

    async def _show(self, actor: Actor | None) -> None:
        sid, order = self._session_id, self._order()
        if actor is None or not sid:
            self.found, self.rows = False, []
            return
        try:
            found = await run_db(lambda db: follow_up.table(db, actor, sid, **order))
        except PlumeError:
            self.found, self.rows, self.columns = False, [], []
            return
        self.found, self.title = True, found.title
        self._take_page(found)
        self.columns, self.rows = found.columns, found.rows
        self._sync_selection()

    async def _show_page(self) -> None:
        await self._show(require_actor())

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the follow-up of the session in the URL and follow its learners' progress live."""
        actor = require_actor()
        self.loading = True
        self._session_id = route_id(self, "session_id", from_end=2) or 0
        self.session_id = str(self._session_id or "")
        self.sort, self.descending, self.page = "name", False, 1
        self._selected, self.messaging, self.message_errors, self.notice, self.error = set(), False, {}, "", ""
        self.concluding, sid = "", self._session_id
        self.can_conclude = bool(sid) and await run_db(lambda db: finishing.concludable(db, actor, [sid]))
        await self._show(actor)
        self._live_follow_found(self.found, (session_topic(self._session_id), followers_topic(self._session_id)))
        self.loading = False

    def _page_keys(self) -> list[str]:
        return [str(r.user_id) for r in self.rows]

    async def _every_key(self) -> set[str] | None:
        actor, sid = require_actor(), self._session_id
        try:
            ids = await run_db(lambda db: follow_up.learner_ids(db, actor, sid))
        except PlumeError:
            return None
        return {str(i) for i in ids}

    @rx.event
    @policy(SIGNED_IN)
    def toggle(self, user_id: Any) -> None:
        """Select or unselect a learner of the page.

        Args:
            user_id: A row's learner.
        """
        uid = clean_id(user_id)
        if uid is not None:
            self._toggle(str(uid))

    async def _targets(self) -> list[int]:
        """The learners a bulk action reaches: the selection still in the table, read again from the database.

        A bulk action of another part (`Formation terminée`) calls this too, never ids a browser sends.

        Returns:
            User ids, by name.
        """
        if not self._selected:
            return []
        actor, sid, selected = require_actor(), self._session_id, {int(k) for k in self._selected}
        try:
            return await run_db(lambda db: follow_up.shown_selection(db, actor, sid, selected))
        except PlumeError:
            return []

    async def _conclude_targets(self) -> dict[int, list[int]]:
        targets = await self._targets()
        return {self._session_id: targets} if targets else {}

    @rx.event
    @policy(SIGNED_IN)
    def open_message(self) -> None:
        """Open `Envoyer un message` for the selection."""
        self.messaging, self.message_errors, self.notice = bool(self._selected), {}, ""

    @rx.event
    @policy(SIGNED_IN)
    def close_message(self) -> None:
        """Close the message dialog."""
        self.messaging, self.message_errors = False, {}

    @rx.event
    @policy(SIGNED_IN)
    async def send_message(self, form_data: Any) -> None:
        """Send the free message to the selected learners, by e-mail and in-app notification.

        Args:
            form_data: subject, text.
        """
        form, actor, sid = form_fields(form_data), require_actor(), self._session_id
        # Longer than allowed on purpose: the service refuses with a message rather than cutting silently.
        subject, text = clean_str(form.get("subject"), 1_000), clean_str(form.get("text"), 20_000)
        lang = (await self.get_state(SessionState)).lang
        targets = set(await self._targets())
        try:
            sent = await run_db(
                lambda db: follow_up.message_participants(db, actor, sid, targets, subject=subject, text=text)
            )
        except PlumeError as err:
            self.message_errors = {err.field or "form": error_message(lang, err)}
            return
        self.messaging, self.message_errors = False, {}
        self.notice = tn(lang, "follow.message_sent", sent)

    async def _live_apply(self, event: LiveEvent) -> bool:
        """A learner's progress: tick their row in place if it is on the page (other pages change nothing).

        Args:
            event: What changed.

        Returns:
            True when handled without a reload.
        """
        if not isinstance(event, ProgressChanged):
            return False
        if self.sort == "progress":
            return False  # the order may change: reload (coalesced)
        index = next((i for i, r in enumerate(self.rows) if r.user_id == event.user_id), None)
        if index is None:
            return True
        actor, sid, uid = await tab_actor(self), self._session_id, event.user_id
        if actor is None:
            return False
        try:
            fresh = await run_db(lambda db: follow_up.rows_for(db, actor, sid, [uid]))
        except PlumeError:
            return False
        if fresh:
            rows = list(self.rows)
            rows[index] = fresh[0]
            self.rows = rows
        return True

    async def _live_load(self, actor: Actor | None) -> None:
        """Reload the page as this tab's own actor.

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)
