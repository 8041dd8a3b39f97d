"""A session's chat panel: history, live messages, typing, who is online, unread count."""

from __future__ import annotations

import time
from typing import Any, ClassVar, TypedDict

import reflex as rx

from app.live.contract import CHAT_EVENTS, ChatChanged, ChatPosted, ChatTyping, LiveEvent, Presence, chat_topic
from app.services import access, chat, documents
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from state import live
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor
from state.session import SessionState

FRESH_LIMIT = 12
TYPING_SECONDS = 4.0


_form = form_fields


class ChatRow(TypedDict):
    """One message on the panel: the service's `MessageView` (a dict, as live events carry it) for this reader."""

    id: str
    author_id: int
    author: str
    client_id: str
    parts: list[dict[str, str]]
    body: str  # only for its author (the editor); others read `parts`
    at: str
    edited: bool
    removed: str
    document_id: int
    document_name: str
    mine: bool
    edit_until: float
    editable: bool  # its author may still edit or delete it (`chat.may_still_change`, re-judged when it lapses)


class ChatState(live.LiveState, rx.State):
    """The chat of the session named in the URL (every room event is applied in place, never reloaded)."""

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = CHAT_EVENTS

    chat_found: rx.Field[bool] = rx.field(False)
    chat_open: rx.Field[bool] = rx.field(False)
    messages: rx.Field[list[ChatRow]] = rx.field(default_factory=list)
    fresh: rx.Field[list[ChatRow]] = rx.field(default_factory=list)
    has_more: rx.Field[bool] = rx.field(False)
    first_unread: rx.Field[str] = rx.field("")
    unread: rx.Field[int] = rx.field(0)
    can_post: rx.Field[bool] = rx.field(False)
    can_moderate: rx.Field[bool] = rx.field(False)
    online: rx.Field[list[str]] = rx.field(default_factory=list)
    typing_names: rx.Field[list[str]] = rx.field(default_factory=list)
    chat_error: rx.Field[str] = rx.field("")
    editing: rx.Field[str] = rx.field("")
    edit_error: rx.Field[str] = rx.field("")
    composer_key: rx.Field[int] = rx.field(0)
    loading_older: rx.Field[bool] = rx.field(False)
    confirm_remove: rx.Field[str] = rx.field("")  # the message the delete / moderation dialog asks about
    confirm_mine: rx.Field[bool] = rx.field(False)  # deleting one's own message, or moderating someone's
    _session_id: int = 0
    _user_id: int = 0
    _names: dict[int, str] = {}
    _known: set[int] = set()
    _typing_until: dict[int, float] = {}
    _newest: int = 0
    _lapse_at: float = 0.0

    def _route_session_id(self) -> int | None:
        return route_id(self, "session_id")

    def _row(self, message: dict[str, Any]) -> ChatRow:
        mine = message["author_id"] == self._user_id
        edit_until = float(message.get("edit_until") or 0)
        # The raw text only travels to its author (for the editor); others get the rendered parts.
        return ChatRow(
            id=str(message["id"]),
            author_id=message["author_id"],
            author=message["author"],
            client_id=message["client_id"],
            parts=message["parts"],
            body=message["body"] if mine else "",
            at=message["at"],
            edited=message["edited"],
            removed=message["removed"],
            document_id=message["document_id"],
            document_name=message["document_name"],
            mine=mine,
            edit_until=edit_until,
            editable=mine and not message["removed"] and chat.may_still_change(edit_until),
        )

    def _schedule_lapse(self) -> None:
        """Re-judge the edit offers when the soonest of this person's editable messages leaves its window."""
        soonest = min((r["edit_until"] for r in [*self.messages, *self.fresh] if r["editable"]), default=0.0)
        if not soonest or (self._lapse_at and self._lapse_at <= soonest and self._lapse_at > time.time()):
            return
        self._lapse_at = soonest
        token = self.router.session.client_token
        live.later(max(0.0, soonest - time.time()) + 0.5, token, ChatState, "_lapse_edits")

    async def _lapse_edits(self) -> None:
        """Hide "Modifier / Supprimer" on the messages whose edit window has passed (no reload needed)."""
        self._lapse_at = 0.0
        for name in ("messages", "fresh"):
            rows: list[ChatRow] = getattr(self, name)
            if any(r["editable"] and not chat.may_still_change(r["edit_until"]) for r in rows):
                setattr(
                    self,
                    name,
                    [
                        ChatRow(**{**r, "editable": r["editable"] and chat.may_still_change(r["edit_until"])})
                        for r in rows
                    ],
                )
        self._schedule_lapse()

    def _remember(self, rows: list[ChatRow]) -> None:
        for row in rows:
            self._known.add(int(row["id"]))
            self._newest = max(self._newest, int(row["id"]))

    async def _lang(self) -> str:
        return (await self.get_state(SessionState)).lang

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Open the session's room: the latest 50 messages, then live."""
        actor = require_actor()
        session_id = self._route_session_id() or 0
        self._session_id, self._user_id = session_id, actor.user_id
        self.chat_error, self.editing, self.typing_names, self.online = "", "", [], []
        self._typing_until, self._known, self._newest = {}, set(), 0
        self.chat_open = False  # the session page opens on its timeline tab
        try:
            page = await run_db(lambda db: chat.history(db, actor, session_id))
            names = await run_db(lambda db: chat.member_names(db, session_id))
        except PlumeError:
            self.chat_found, self.messages, self.fresh = False, [], []
            return
        self.chat_found, self._names = True, names
        self.can_post, self.can_moderate = page.can_post, page.can_moderate
        self.messages = [self._row(m.as_dict()) for m in page.messages]
        self.fresh, self.has_more = [], page.has_more
        self._remember(self.messages)
        unread = [
            m for m in page.messages if m.id > page.last_read_id and m.author_id != actor.user_id and not m.removed
        ]
        self.first_unread = str(unread[0].id) if unread else ""
        self.unread = len(unread)
        self._lapse_at = 0.0
        self._schedule_lapse()
        if self.chat_open:
            await self._mark_read(actor)
        # A panel of the session page: added to the topics the page's own load followed just before.
        self._live_follow(chat_topic(session_id), alongside=True, user_id=actor.user_id, presence=True)

    async def _mark_read(self, actor: Actor) -> None:
        session_id, newest = self._session_id, self._newest
        if newest:
            await run_db(lambda db: chat.mark_read(db, actor, session_id, newest))
        self.unread = 0

    @rx.event
    @policy(SIGNED_IN)
    async def show_chat(self, tab: Any) -> None:
        """The session page switched tabs: the chat is read while it is shown.

        Args:
            tab: "chat" or another tab.
        """
        actor = require_actor()
        was_open = self.chat_open
        self.chat_open = tab == "chat"
        if self.chat_found and (self.chat_open or was_open):
            await self._mark_read(actor)
        if not self.chat_open:
            self.first_unread = ""

    @rx.event
    @policy(SIGNED_IN)
    async def send(self, form_data: Any) -> None:
        """Post the composer's text (its client id makes a resend harmless).

        Args:
            form_data: body, client_id.
        """
        form, actor, session_id = _form(form_data), require_actor(), self._session_id
        body, client_id = clean_str(form.get("body"), 10_000), clean_str(form.get("client_id"), 64)
        self.chat_error = ""
        try:
            view = await run_db(lambda db: chat.post(db, actor, session_id, body, client_id))
        except PlumeError as err:
            self.chat_error = error_message(await self._lang(), err)
            return
        self._insert(view.as_dict())
        self.composer_key += 1
        self.first_unread = ""
        await self._mark_read(actor)

    @rx.event
    @policy(SIGNED_IN)
    async def send_file(self, files: list[rx.UploadFile]) -> None:
        """Send a file in the room (checked like module documents).

        Args:
            files: One uploaded file.
        """
        actor, session_id = require_actor(), self._session_id
        if not isinstance(files, list) or len(files) != 1:
            return
        upload = files[0]
        name, data = str(getattr(upload, "name", "") or ""), await upload.read()
        client_id = f"file-{time.time_ns()}-{actor.user_id}"
        self.chat_error = ""

        def work(db: Any) -> chat.MessageView:
            place = access.access_room(db, actor, session_id)
            if not place.can_post:
                raise PlumeError(ErrorCode.NOT_FOUND)
            document = documents.store_chat_file(db, actor, session_id=session_id, name=name, data=data)
            return chat.post(db, actor, session_id, "", client_id, document_id=document.id)

        try:
            view = await run_db(work)
        except PlumeError as err:
            self.chat_error = error_message(await self._lang(), err)
            return
        self._insert(view.as_dict())

    @rx.event
    @policy(SIGNED_IN)
    def typing(self, value: Any) -> None:
        """Tell the room this person is typing (the composer throttles it).

        Args:
            value: The composer's text (unused).
        """
        del value
        if self.chat_found and self.can_post:
            live.publish(chat_topic(self._session_id), ChatTyping(user_id=self._user_id))

    @rx.event
    @policy(SIGNED_IN)
    async def load_older(self) -> None:
        """Load the 50 messages before the oldest shown."""
        actor, session_id = require_actor(), self._session_id
        if not self.messages or not self.has_more:
            return
        oldest = int(self.messages[0]["id"])
        self.loading_older = True
        try:
            page = await run_db(lambda db: chat.history(db, actor, session_id, before_id=oldest))
        except PlumeError:
            self.loading_older = False
            return
        older = [self._row(m.as_dict()) for m in page.messages if m.id not in self._known]
        self._remember(older)
        self.messages = older + self.messages
        self.has_more, self.loading_older = page.has_more, False

    @rx.event
    @policy(SIGNED_IN)
    def start_edit(self, message_id: Any) -> None:
        """Open the editor on one of one's own messages.

        Args:
            message_id: The message.
        """
        mid = clean_id(message_id)
        self.editing = str(mid) if mid is not None else ""
        self.edit_error = ""

    @rx.event
    @policy(SIGNED_IN)
    def cancel_edit(self) -> None:
        """Close the editor."""
        self.editing, self.edit_error = "", ""

    @rx.event
    @policy(SIGNED_IN)
    def ask_remove(self, message_id: Any) -> None:
        """Ask before deleting or moderating a message (the dialog names what will happen).

        Args:
            message_id: The message.
        """
        mid = clean_id(message_id)
        self.confirm_remove = str(mid) if mid is not None else ""
        self.confirm_mine = any(r["id"] == self.confirm_remove and r["mine"] for r in [*self.messages, *self.fresh])

    @rx.event
    @policy(SIGNED_IN)
    def cancel_remove(self) -> None:
        """Close the delete / moderation dialog without doing anything."""
        self.confirm_remove = ""

    @rx.event
    @policy(SIGNED_IN)
    async def save_edit(self, form_data: Any) -> None:
        """Save the edited message (within 15 minutes of posting it).

        Args:
            form_data: body.
        """
        actor, mid = require_actor(), clean_id(self.editing)
        body = clean_str(_form(form_data).get("body"), 10_000)
        if mid is None:
            return
        try:
            view = await run_db(lambda db: chat.edit(db, actor, mid, body))
        except PlumeError as err:
            self.edit_error = error_message(await self._lang(), err)
            return
        self.editing = ""
        self._replace(view.as_dict())

    @rx.event
    @policy(SIGNED_IN)
    async def remove(self, message_id: Any) -> None:
        """Remove a message: one's own within 15 minutes, or anyone's for trainers and staff.

        Args:
            message_id: The message.
        """
        actor, mid = require_actor(), clean_id(message_id)
        self.confirm_remove = ""
        if mid is None:
            return
        self.chat_error = ""
        try:
            view = await run_db(lambda db: chat.remove(db, actor, mid))
        except PlumeError as err:
            self.chat_error = error_message(await self._lang(), err)
            return
        self._replace(view.as_dict())

    def _insert(self, message: dict[str, Any]) -> bool:
        mid = int(message["id"])
        if mid in self._known:
            return False
        row = self._row(message)
        self._remember([row])
        if mid >= max((int(r["id"]) for r in self.fresh[-1:]), default=0):
            self.fresh = [*self.fresh, row]
        else:  # arrived out of order: keep the room's order
            self.fresh = sorted([*self.fresh, row], key=lambda r: int(r["id"]))
        if len(self.fresh) > FRESH_LIMIT:
            self.messages, self.fresh = self.messages + self.fresh, []
        if row["editable"]:
            self._schedule_lapse()
        return True

    def _replace(self, message: dict[str, Any]) -> None:
        row = self._row(message)
        for name in ("fresh", "messages"):
            rows: list[ChatRow] = getattr(self, name)
            if any(r["id"] == row["id"] for r in rows):
                setattr(self, name, [row if r["id"] == row["id"] else r for r in rows])
                return

    async def _expire_typing(self) -> None:
        now = time.time()  # wall clock: the tab's state may be read next by a worker on another host
        self._typing_until = {u: t for u, t in self._typing_until.items() if t > now}
        names = [self._names.get(u, "") for u in self._typing_until]
        if names != self.typing_names:
            self.typing_names = [n for n in names if n]

    async def _live_apply(self, event: LiveEvent) -> bool:
        """Apply a room event: a message, an edit or removal, typing, presence.

        Args:
            event: The event (members of the room only subscribe).

        Returns:
            True: a room event never reloads the panel.
        """
        if isinstance(event, ChatPosted):
            message = event.message or {}
            author = int(message.get("author_id", 0))
            if self._insert(message) and author != self._user_id and not self.chat_open:
                self.unread += 1
            if self._typing_until.pop(author, None) is not None:
                await self._expire_typing()
        elif isinstance(event, ChatChanged):
            self._replace(event.message or {})
        elif isinstance(event, ChatTyping):
            author = int(event.user_id or 0)
            if author and author != self._user_id:
                fresh = author not in self._typing_until
                self._typing_until[author] = time.time() + TYPING_SECONDS
                if fresh:
                    await self._expire_typing()
                live.later(TYPING_SECONDS + 0.2, self.router.session.client_token, ChatState, "_expire_typing")
        elif isinstance(event, Presence):
            names: dict[int, str] = self.get_value("_names")  # read unproxied: once per person online, in every tab
            self.online = sorted({name for i in event.online or [] if (name := names.get(int(i), ""))})
        return True
