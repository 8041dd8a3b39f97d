"""A training session's page: header, trainers, the timeline of modules and activities, live."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import reflex as rx

from app.services import sessions
from app.services.actor import Actor
from app.services.auth import resolve_actor
from app.services.errors import PlumeError
from state import live
from state.common import clean_id, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor
from state.session import SessionState


class SessionPageState(rx.State):
    """What the session page shows; refreshed live when the timeline changes."""

    found: bool = True
    loading: bool = True
    view: dict[str, Any] = {}
    modules: list[dict[str, Any]] = []
    can_edit: bool = False
    _session_id: int = 0

    def _route_session_id(self) -> int | None:
        raw = self.router.page.params.get("session_id", "")
        if not raw:
            raw = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        return clean_id(raw)

    async def _show(self, actor: Actor | None) -> None:
        session_id = self._session_id
        if actor is None or not session_id:
            self.found, self.view, self.modules, self.can_edit = False, {}, [], False
            return
        try:
            view = await run_db(lambda db: sessions.session_view(db, actor, session_id))
        except PlumeError:
            self.found, self.view, self.modules, self.can_edit = False, {}, [], False
            return
        self.found = True
        data = asdict(view)
        self.modules = [
            {**m, "activities": [dict(a) for a in m["activities"]], "id": str(m["id"])} for m in data.pop("modules")
        ]
        self.can_edit = view.can_edit
        self.view = {**data, "trainers": ", ".join(view.trainers)}

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the session named in the URL and follow its changes live."""
        actor = require_actor()
        self.loading = True
        self._session_id = self._route_session_id() or 0
        await self._show(actor)
        token = self.router.session.client_token
        if self.found:
            live.subscribe(token, sessions.topic(self._session_id), SessionPageState)
        else:
            live.unsubscribe(token)
        self.loading = False

    @rx.event
    @policy(STAFF)
    async def move_module(self, module_id: Any, direction: Any) -> None:
        """Move a module up or down within its phase.

        Args:
            module_id: The module.
            direction: -1 (up) or 1 (down).
        """
        actor = require_actor()
        mid = clean_id(module_id)
        step = direction if direction in (-1, 1) and not isinstance(direction, bool) else None
        if mid is None or step is None:
            return
        try:
            await run_db(lambda db: sessions.move_module(db, actor, mid, step))
        except PlumeError:
            return
        await self._show(actor)

    async def _on_live(self, event: dict[str, Any]) -> None:
        """Refresh after someone else changed the timeline, as this tab's own actor.

        Args:
            event: What changed (only ids).
        """
        del event
        token = (await self.get_state(SessionState)).session_token
        ip = self.router.session.client_ip
        actor = await run_db(lambda db: resolve_actor(db, token, ip=ip))
        await self._show(actor)
