"""`Formation terminée` for a list's selected learners: the mixin both lists share.

The tutoring centre and a session's `Suivi des participants` mix in `ConcludeSelection` (their
`PageSelection` with it), say whom a bulk action reaches with `_conclude_targets()` (their selection, read again from the
database: never ids a browser sends) and reread their list with `_show(actor)`. The dialog is
`components.finishing.conclude_dialog`; the rule itself is `app.services.finishing`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.i18n import tn
from app.services import finishing
from app.services.actor import Actor
from app.services.errors import PlumeError
from state.common import clean_str, error_message, run_db
from state.guard import SIGNED_IN, policy, require_actor
from state.selection import PageSelection
from state.session import SessionState

CHOICES = ("finish", "undo")


class ConcludeSelection(PageSelection, mixin=True):
    """`Formation terminée` (or undoing it) for the selection, after a dialog says what it will do."""

    # Whether the person may declare it here (the list's load sets it), and "finish" / "undo" while the dialog asks.
    can_conclude: rx.Field[bool] = rx.field(False)
    concluding: rx.Field[str] = rx.field("")
    # How many learners the dialog's action reaches (those of the selection the list still shows).
    target_count: rx.Field[int] = rx.field(0)
    error: rx.Field[str] = rx.field("")

    async def _conclude_targets(self) -> dict[int, list[int]]:
        """The learners the action reaches, by session (each list reads its selection again)."""
        raise NotImplementedError

    async def _show(self, actor: Actor | None) -> None:
        """Reread the list as this actor (each list knows its controls)."""
        raise NotImplementedError

    @rx.event
    @policy(SIGNED_IN)
    async def ask_conclude(self, what: Any) -> None:
        """Open the dialog saying what "Formation terminée" (or undoing it) will do to the selection.

        Args:
            what: "finish" or "undo".
        """
        choice, groups = clean_str(what, 10), await self._conclude_targets()
        self.notice, self.error = "", ""
        ok = choice in CHOICES and bool(groups)
        self.concluding, self.target_count = (choice, sum(map(len, groups.values()))) if ok else ("", 0)

    @rx.event
    @policy(SIGNED_IN)
    def close_conclude(self) -> None:
        """Close the "Formation terminée" dialog without changing anything."""
        self.concluding = ""

    @rx.event
    @policy(SIGNED_IN)
    async def conclude(self) -> None:
        """Declare the selection "Formation terminée" (or undo it, revoking their attestations), as the dialog said."""
        actor, choice, groups = require_actor(), self.concluding, await self._conclude_targets()
        lang = (await self.get_state(SessionState)).lang
        self.concluding, self.notice, self.error = "", "", ""
        if choice not in CHOICES or not groups:
            return
        apply = finishing.mark_finished if choice == "finish" else finishing.undo_finished

        def work(db: Any) -> int:
            return sum(apply(db, actor, sid, ids) for sid, ids in groups.items())

        try:
            done = await run_db(work)
        except PlumeError as err:
            self.error = error_message(lang, err)
            return
        self.notice = tn(lang, f"tutoring.concluded.{choice}", done)
        await self._show(actor)
