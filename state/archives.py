"""`Archives`: the archived sessions one may still read."""

from __future__ import annotations

import reflex as rx

from app.services import archives
from state.common import run_db
from state.guard import SIGNED_IN, policy, require_actor


class ArchivesState(rx.State):
    """The archived sessions of the selected organisation: staff see all of them, members their own."""

    loading: rx.Field[bool] = rx.field(True)
    rows: rx.Field[list[archives.ArchivedSession]] = rx.field(default_factory=list)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """List the archived sessions the person may read."""
        actor = require_actor()
        self.rows = await run_db(lambda db: archives.archived_sessions(db, actor))
        self.loading = False
