"""The home page: a trainer's or learner's sessions, or the staff dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from app.live.contract import (
    CHAT_UNREAD_EVENTS,
    PERSON_EVENTS,
    ChatUnread,
    LiveEvent,
    StatusChanged,
    TimelineChanged,
    chat_unread_topic,
    person_topic,
    session_topic,
)
from app.models.base import utcnow
from app.services import agenda_view, chat, home
from app.services.access import Capability
from app.services.actor import Actor
from app.services.attendance import join, summaries
from app.services.attendance.window import SIGNED_KINDS, open_contexts
from state import live
from state.common import assign_changed, run_db
from state.guard import SIGNED_IN, policy, require_actor


@dataclass(frozen=True)
class _HomePage:
    """Everything the home page shows, read in one transaction."""

    board: home.Dashboard | None
    open_sheets: list[summaries.OpenSheet]
    joinable: list[join.JoinableClass]
    sections: home.HomeSections
    unread: dict[int, int]
    next_slots: list[agenda_view.NextSlot]


def _home_page(db: Session, actor: Actor) -> _HomePage:
    """Read the home page as an actor: one worker thread, one transaction (a classroom loads it at once).

    Args:
        db: Database session.
        actor: The tab's own actor.

    Returns:
        The page's data.
    """
    board = home.staff_dashboard(db, actor) if actor.has_role("staff") else None
    now = utcnow()
    sections = home.home_sections(db, actor, now)
    ids = [c.id for c in (*sections.in_progress, *sections.upcoming, *sections.finished)]
    # The sheets open now, read once for both lists: those to sign, and the virtual classes to join.
    seen = open_contexts(db, actor, now, kinds=SIGNED_KINDS, capability=Capability.SEE)
    return _HomePage(
        board=board,
        open_sheets=summaries.open_sheets(db, actor, now, seen=seen),
        joinable=join.joinable_now(db, actor, now, seen=seen),
        sections=sections,
        unread=chat.unread_counts(db, actor, ids),
        # The person's next slots across all their organisations ("Mes prochains créneaux"); staff have a dashboard.
        next_slots=[] if board is not None else agenda_view.next_slots(db, actor.user_id, now=now),
    )


class HomeState(live.LiveState, rx.State):
    """What the home page shows for the selected organisation."""

    # The person's own progress comes on their own topic (`MyProgress`): every learner's (`ProgressChanged`)
    # goes to the session's followers only, so a home tab is never woken by a classmate's.
    live_events: ClassVar[tuple[type[LiveEvent], ...]] = (
        *CHAT_UNREAD_EVENTS,
        *PERSON_EVENTS,
        StatusChanged,
        TimelineChanged,
    )

    loading: rx.Field[bool] = rx.field(True)
    has_organisation: rx.Field[bool] = rx.field(True)
    is_staff: rx.Field[bool] = rx.field(False)
    # The services' frozen view dataclasses: components read their fields as attributes.
    in_progress: rx.Field[list[home.SessionCard]] = rx.field(default_factory=list)
    upcoming: rx.Field[list[home.SessionCard]] = rx.field(default_factory=list)
    finished: rx.Field[list[home.SessionCard]] = rx.field(default_factory=list)
    figures: rx.Field[dict[str, int]] = rx.field(default_factory=dict)
    dashboard_sessions: rx.Field[list[home.SessionCard]] = rx.field(default_factory=list)
    open_sheets: rx.Field[list[summaries.OpenSheet]] = rx.field(default_factory=list)
    # Virtual classes running now that the person signed (or hosts): "Rejoindre la classe virtuelle".
    joinable: rx.Field[list[join.JoinableClass]] = rx.field(default_factory=list)
    unread: rx.Field[dict[str, str]] = rx.field(default_factory=dict)
    next_slots: rx.Field[list[agenda_view.NextSlot]] = rx.field(default_factory=list)
    # Raised by every load: its answer always carries it, so a page (or a test) knows the load was done even
    # when nothing else changed and no other var travels.
    revision: rx.Field[int] = rx.field(0)
    _user_id: int = 0

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the sections (or the dashboard for staff), then follow their sessions live."""
        await self._live_load(require_actor())

    async def _live_load(self, actor: Actor | None) -> None:
        """Load the page as this actor (None: the tab's session ended; show nothing).

        Args:
            actor: The tab's own actor.
        """
        if actor is None:
            self.in_progress, self.upcoming, self.finished, self.open_sheets, self.joinable = [], [], [], [], []
            self.dashboard_sessions, self.figures, self.unread, self.next_slots = [], {}, {}, []
            self._live_stop()
            return
        page = await run_db(lambda db: _home_page(db, actor))
        sections = page.sections
        if page.board is not None:
            board = page.board
            figures = {
                "in_progress": board.sessions_in_progress,
                "upcoming": board.sessions_upcoming,
                "learners": board.learners,
                "trainers": board.trainers,
                "pending_invitations": board.pending_invitations,
                "outbox_failed": board.outbox_failed,
            }
            assign_changed(self, figures=figures, dashboard_sessions=board.sessions)
        ids = [c.id for c in (*sections.in_progress, *sections.upcoming, *sections.finished)]
        # Only what changed travels: a home page opened again with the same data sends next to nothing.
        assign_changed(
            self,
            has_organisation=actor.organisation_id is not None,
            is_staff=actor.has_role("staff"),
            open_sheets=page.open_sheets,
            joinable=page.joinable,
            next_slots=page.next_slots,
            in_progress=sections.in_progress,
            upcoming=sections.upcoming,
            finished=sections.finished,
            unread={str(k): str(v) for k, v in page.unread.items()},
        )
        self._user_id = actor.user_id
        # Unread counts of every card; the sessions under way for their status and timeline; the person's progress.
        current = [c.id for c in (*sections.in_progress, *sections.upcoming)]
        followed = (*(chat_unread_topic(i) for i in ids), *(session_topic(i) for i in current))
        self._live_follow((*followed, person_topic(actor.user_id)))
        assign_changed(self, loading=False)
        self.revision += 1

    async def _live_apply(self, event: LiveEvent) -> bool:
        """Count a new chat message from someone else on its session's card; anything else reloads the cards.

        Args:
            event: A message posted in one of the cards' rooms, or a change of a session under way.

        Returns:
            True when applied in place (a chat message), False to reload.
        """
        if not isinstance(event, ChatUnread):
            return False  # a status, the timeline or the person's progress: reload the cards (coalesced)
        if event.author_id != self._user_id and event.session_id:
            topic_session = str(event.session_id)
            count = int(self.unread.get(topic_session, "0")) + 1
            self.unread = {**self.unread, topic_session: str(count)}
        return True
