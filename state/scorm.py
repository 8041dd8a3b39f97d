"""The SCORM player page: one SCO of an e-learning activity, with the package's table of contents."""

from __future__ import annotations

from typing import Any

import reflex as rx

from app.services.errors import PlumeError
from app.services.scorm import runtime
from state.common import clean_str, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor

ITEM_MAX = 255


class ScormPlayerState(rx.State):
    """The player: which SCO plays, with the attempt the run-time commits to."""

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(False)
    player: rx.Field[runtime.Player | None] = rx.field(None)

    async def _open(self, item: str) -> None:
        actor, activity_id = require_actor(), route_id(self, "activity_id")
        if activity_id is None:
            self.found, self.player, self.loading = False, None, False
            return
        try:
            self.player = await run_db(lambda db: runtime.open_player(db, actor, activity_id, item))
        except PlumeError:
            self.found, self.player, self.loading = False, None, False
            return
        self.found, self.loading = True, False

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the activity's first unfinished SCO (or the one `?sco=` names)."""
        self.loading = True
        await self._open(clean_str(self.router.url.query_parameters.get("sco", ""), ITEM_MAX))

    @rx.event
    @policy(SIGNED_IN)
    async def go(self, item: Any) -> None:
        """Play another SCO of the package (the table of contents, previous, next).

        Args:
            item: The SCO's identifier in the manifest.
        """
        await self._open(clean_str(item, ITEM_MAX))
