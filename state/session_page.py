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
from state.common import clean_id, clean_str, run_db
from state.guard import SIGNED_IN, STAFF, policy, require_actor
from state.session import SessionState
from state.timeline_editor import TimelineEditor, _form


def _people(rows: list[sessions.Person]) -> list[dict[str, str]]:
    return [{"user_id": str(p.user_id), "name": p.name, "email": p.email, "detail": p.detail} for p in rows]


class SessionPageState(TimelineEditor, rx.State):
    """What the session page shows; refreshed live when the timeline changes."""

    found: bool = True
    loading: bool = True
    view: dict[str, Any] = {}
    modules: list[dict[str, Any]] = []
    can_edit: bool = False
    can_manage_content: bool = False
    is_session: bool = True
    trainers: list[dict[str, str]] = []
    learners: list[dict[str, str]] = []
    trainer_choices: list[dict[str, str]] = []
    learner_choices: list[dict[str, str]] = []
    _session_id: int = 0

    def _owner(self) -> dict[str, int]:
        return {"session_id": self._session_id}

    async def _reload(self) -> None:
        await self._show(require_actor())

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
            {
                **m,
                "activities": [{**a, "id": str(a["id"]), "module_id": str(m["id"])} for a in m["activities"]],
                "id": str(m["id"]),
            }
            for m in data.pop("modules")
        ]
        self.can_edit = view.can_edit
        self.can_manage_content = view.can_manage_content
        self.view = {**data, "trainers": ", ".join(view.trainers)}
        if view.can_edit:
            people = await run_db(lambda db: sessions.session_people(db, actor, session_id))
            self.trainers, self.learners = _people(people.trainers), _people(people.learners)
            self.trainer_choices, self.learner_choices = (
                _people(people.trainer_choices),
                _people(people.learner_choices),
            )
        else:
            self.trainers, self.learners, self.trainer_choices, self.learner_choices = [], [], [], []

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

    @rx.event
    @policy(STAFF)
    async def advance(self, status: Any) -> None:
        """Confirm, finish or archive the session.

        Args:
            status: The next status.
        """
        actor, to, sid = require_actor(), clean_str(status, 10), self._session_id
        await self._apply(lambda db: sessions.advance_status(db, actor, sid, to))

    @rx.event
    @policy(STAFF)
    async def position_trainer(self, form_data: Any) -> None:
        """Position a trainer on the session.

        Args:
            form_data: trainer_id.
        """
        actor, sid = require_actor(), self._session_id
        uid = clean_id(_form(form_data).get("trainer_id"))
        if uid is not None:
            await self._apply(lambda db: sessions.position_trainer(db, actor, sid, uid), form="people")

    @rx.event
    @policy(STAFF)
    async def remove_trainer(self, user_id: Any) -> None:
        """Take a trainer off the session.

        Args:
            user_id: The trainer.
        """
        actor, sid, uid = require_actor(), self._session_id, clean_id(user_id)
        if uid is not None:
            await self._apply(lambda db: sessions.remove_trainer(db, actor, sid, uid))

    @rx.event
    @policy(STAFF)
    async def enrol(self, form_data: Any) -> None:
        """Enrol a learner with an enrolment type.

        Args:
            form_data: learner_id, kind.
        """
        form, actor, sid = _form(form_data), require_actor(), self._session_id
        uid, kind = clean_id(form.get("learner_id")), clean_str(form.get("kind"), 12) or "mandatory"
        if uid is not None:
            await self._apply(lambda db: sessions.enrol_learner(db, actor, sid, uid, kind), form="people")

    @rx.event
    @policy(STAFF)
    async def unenrol(self, user_id: Any) -> None:
        """Remove a learner from the session.

        Args:
            user_id: The learner.
        """
        actor, sid, uid = require_actor(), self._session_id, clean_id(user_id)
        if uid is not None:
            await self._apply(lambda db: sessions.unenrol_learner(db, actor, sid, uid))

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
