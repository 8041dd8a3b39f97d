"""A slot's attendance page: signing, the trainer's live board, sign-as, marks, certification, the QR code."""

from __future__ import annotations

import asyncio
import base64
import io
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, ClassVar, TypedDict, cast
from urllib.parse import quote

import qrcode
import qrcode.image.svg
import reflex as rx

from app.live.contract import (
    SLOT_EVENTS,
    Certified,
    LiveEvent,
    MySignature,
    Signed,
    slot_board_topic,
    slot_person_topic,
    slot_topic,
)
from app.services.actor import Actor
from app.services.attendance import actions, sheet, window
from app.services.errors import PlumeError
from app.settings import get_settings
from state import live
from state.common import clean_id, clean_str, error_message, form_fields, route_id, run_db
from state.guard import SIGNED_IN, policy, require_actor, roles
from state.session import SessionState

BOARD = roles("staff", "trainer")
QR_SHOW_LIMIT_SECONDS = 4 * 3600


_form = form_fields


def _svg_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode() if svg else ""


class SlotPage(TypedDict, total=False):
    """What the slot's page shows: the service's `SheetView` less its rows, signature and link; empty if not found.

    `_page` copies each key from the `SheetView` field of the same name, so a key added here needs that field.

    A dict, not the dataclass: live events update a few keys of it in place.
    """

    slot_id: int
    session_id: int
    session_title: str
    activity_title: str
    kind: str
    when: str
    room: str
    window_state: str
    opens_at: str
    closes_at: str
    signer_role: str
    signed: bool
    signed_at: str
    signed_on_trainer_device: bool
    my_status: str
    my_mark_comment: str
    my_status_if_signed: str
    can_sign: bool
    manages: bool
    sees_board: bool
    certified: bool
    certified_at: str
    certified_by: str
    can_certify: bool
    chain_hash: str
    led_by_creator: bool
    session_path: str
    pdf_url: str


class RosterRow(TypedDict):
    """One person's line on the board: the service's `BoardRow`, its user id as text (the key of `signed_at`)."""

    id: str
    name: str
    role: str
    status: str
    signed_at: str
    signed: bool
    on_trainer_device: bool
    signed_by: str
    reason: str
    mark: str
    mark_comment: str
    correction: str
    correction_reason: str
    attended: bool
    status_if_signed: str
    corrected_by: str
    corrected_at: str
    previous: str
    previous_comment: str


def _row(row: sheet.BoardRow) -> RosterRow:
    return RosterRow(
        id=str(row.user_id),
        name=row.name,
        role=row.role,
        status=row.status,
        signed_at=row.signed_at,
        signed=bool(row.signed_at),
        on_trainer_device=row.on_trainer_device,
        signed_by=row.signed_by,
        reason=row.reason,
        mark=row.mark,
        mark_comment=row.mark_comment,
        correction=row.correction,
        correction_reason=row.correction_reason,
        attended=row.attended,
        status_if_signed=row.status_if_signed,
        corrected_by=row.corrected_by,
        corrected_at=row.corrected_at,
        previous=row.previous,
        previous_comment=row.previous_comment,
    )


# The page's own keys; every other key of `SlotPage` is the `SheetView` field of the same name.
_PAGE_ONLY = frozenset({"session_path", "pdf_url"})


def _page(view: sheet.SheetView) -> SlotPage:
    shown: dict[str, object] = {key: getattr(view, key) for key in SlotPage.__annotations__ if key not in _PAGE_ONLY}
    shown["session_path"] = f"/sessions/{view.session_id}"
    shown["pdf_url"] = f"/api/attendance/slots/{view.slot_id}.pdf"
    return cast("SlotPage", shown)


def _qr_image(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class AttendanceState(live.LiveState, rx.State):
    """What the slot's page shows; the board follows signatures live."""

    live_events: ClassVar[tuple[type[LiveEvent], ...]] = SLOT_EVENTS

    loading: rx.Field[bool] = rx.field(True)
    found: rx.Field[bool] = rx.field(True)
    view: rx.Field[SlotPage] = rx.field(default_factory=SlotPage)
    my_signature: rx.Field[str] = rx.field("")
    meeting_link: rx.Field[str] = rx.field("")
    roster: rx.Field[list[RosterRow]] = rx.field(default_factory=list)
    signed_at: dict[str, str] = {}
    signed_count: rx.Field[int] = rx.field(0)
    trainer_rows: rx.Field[list[RosterRow]] = rx.field(default_factory=list)
    sign_error: rx.Field[str] = rx.field("")
    pad_key: rx.Field[int] = rx.field(0)
    dialog: rx.Field[str] = rx.field("")
    dialog_user: rx.Field[str] = rx.field("")
    dialog_name: rx.Field[str] = rx.field("")
    dialog_status: rx.Field[str] = rx.field("")
    dialog_error: rx.Field[str] = rx.field("")
    board_error: rx.Field[str] = rx.field("")
    qr_open: rx.Field[bool] = rx.field(False)
    qr_image: rx.Field[str] = rx.field("")
    qr_url: rx.Field[str] = rx.field("")
    _slot_id: int = 0
    _roster_ids: set[str] = set()
    _qr_seen_at: float = 0.0
    _qr_slot_id: int = 0
    _qr_generation: int = 0
    # A signature that arrived before this tab's page load (a reconnecting page retrying it on a fresh state):
    # the slot it was made on, and its form, signed once the load is done.
    _queued_slot_id: int = 0
    _queued_signature: dict[str, str] = {}

    def _route_slot_id(self) -> int | None:
        return route_id(self, "slot_id")

    async def _lang(self) -> str:
        return (await self.get_state(SessionState)).lang

    async def _show(self, actor: Actor | None) -> None:
        slot_id = self._slot_id
        if actor is None or not slot_id:
            self.found, self.view = False, {}
            return
        try:
            view = await run_db(lambda db: sheet.sheet_view(db, actor, slot_id))
        except PlumeError:
            self.found, self.view = False, {}
            self.roster, self.signed_at, self.signed_count, self.trainer_rows = [], {}, 0, []
            self._roster_ids = set()
            return
        self.found = True
        self.my_signature = _svg_uri(view.my_signature_svg)
        self.meeting_link = view.meeting_link
        self.view = _page(view)
        # The roster is sent once; a signature then changes only `signed_at` (small), not the rows.
        self.roster = [_row(r) for r in view.rows if r.role == "learner"]
        self._roster_ids = {r["id"] for r in self.roster}
        # The "Émargés" column: whoever the one rule says attended (`attendance.status`), with their
        # signing time ("" for a correction to present without signature).
        self.signed_at = {r["id"]: r["signed_at"] for r in self.roster if r["attended"]}
        self.signed_count = len(self.signed_at)
        self.trainer_rows = [_row(r) for r in view.rows if r.role == "trainer"]

    def _topics(self, actor: Actor) -> tuple[str, ...]:
        slot_id = self._slot_id
        topics = [slot_topic(slot_id), slot_person_topic(slot_id, actor.user_id)]
        if self.view.get("sees_board"):
            topics.append(slot_board_topic(slot_id))
        return tuple(topics)

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> Any:
        """Load the slot named in the URL (and note a QR code scanned in the room).

        Returns:
            The signature queued before the load, to sign now on its slot, if any.
        """
        actor = require_actor()
        self.loading = True
        self.sign_error = self.dialog = self.board_error = ""
        self.qr_open = False
        self._slot_id = self._route_slot_id() or 0
        code = self.router.url.query_parameters.get("qr", "")
        if code and window.qr_valid(self._slot_id, code):
            self._qr_seen_at, self._qr_slot_id = time.time(), self._slot_id
        await self._show(actor)
        self._live_follow_found(self.found, self._topics(actor))
        self.loading = False
        queued, self._queued_signature = self._queued_signature, {}
        if queued and self.found and self._queued_slot_id == self._slot_id:
            return AttendanceState.confirm_signature(queued)  # type: ignore[operator]  # mypy reads a handler as EventNamespace
        return None

    async def _run(self, work: Any, target: str) -> bool:
        """Run a change, then show the sheet again, or its error next to the dialog, pad or board."""
        try:
            await run_db(work)
        except PlumeError as err:
            return await self._after_change(err, target)
        return await self._after_change(None, target)

    async def _after_change(self, err: PlumeError | None, target: str) -> bool:
        if err is None:
            await self._show(require_actor())
            return True
        text = error_message(await self._lang(), err)
        if target == "dialog":
            self.dialog_error = text
        elif target == "sign":
            self.sign_error = text
        else:
            self.board_error = text
        return False

    @rx.event
    @policy(SIGNED_IN)
    async def confirm_signature(self, form_data: Any) -> AsyncIterator[Any]:
        """Sign the sheet with the drawing on the pad (idempotent: a retry keeps the first signature).

        Args:
            form_data: strokes (the drawing), key (the pad's idempotency key).
        """
        form, actor, slot_id = _form(form_data), require_actor(), self._slot_id
        strokes, key = clean_str(form.get("strokes"), 80_000), clean_str(form.get("key"), 64)
        if self.loading:
            # This tab's page has not loaded yet (a fresh state): its slot and a QR scan are not known. The
            # load signs it with the same key, so a retry that also reached the database is not signed twice.
            self._queued_slot_id = self._route_slot_id() or 0
            self._queued_signature = {"strokes": strokes, "key": key}
            return
        agent = self.router.headers.user_agent
        scanned_here = self._qr_seen_at and self._qr_slot_id == slot_id  # a scan proves presence for its slot only
        seen = datetime.fromtimestamp(self._qr_seen_at, UTC) if scanned_here else None
        self.sign_error = ""
        yield
        try:
            record = await run_db(
                lambda db: actions.sign(db, actor, slot_id, strokes, key, user_agent=agent, qr_seen_at=seen)
            )
        except PlumeError as err:
            await self._after_change(err, "sign")
            return
        if self.view.get("sees_board") or self.view.get("kind") != "in_person":
            await self._show(actor)  # the board, or the virtual class link, need the full view
            return
        # A learner's own page: everything it shows follows from the stored signature.
        self.view = {
            **self.view,
            "signed": True,
            "signed_at": window.clock(record.created_at),
            "signed_on_trainer_device": record.on_trainer_device,
            "can_sign": False,
            "my_status": self.view.get("my_status_if_signed") or "present",  # the one rule, computed at load
        }
        self.my_signature = _svg_uri(record.signature_svg)

    @rx.event
    @policy(BOARD)
    def open_dialog(self, kind: Any, user_id: Any) -> None:
        """Open the sign-as, mark or correction dialog for a learner of the board.

        Args:
            kind: sign_as, absent, late or correct.
            user_id: The learner.
        """
        uid = clean_id(user_id)
        row = next((r for r in self.roster if uid is not None and r["id"] == str(uid)), None)
        if row is None or kind not in ("sign_as", "absent", "late", "correct"):
            return
        self.dialog, self.dialog_user, self.dialog_name = str(kind), row["id"], row["name"]
        self.dialog_status = "absent" if kind == "correct" else str(kind)
        self.dialog_error = ""
        self.pad_key += 1

    @rx.event
    @policy(SIGNED_IN)
    def close_dialog(self) -> None:
        """Close the open dialog."""
        self.dialog, self.dialog_error = "", ""

    @rx.event
    @policy(BOARD)
    async def confirm_sign_as(self, form_data: Any) -> None:
        """The learner of the open dialog signs on this device, with the trainer's reason.

        Args:
            form_data: strokes, key, reason.
        """
        form, actor, slot_id = _form(form_data), require_actor(), self._slot_id
        uid = clean_id(self.dialog_user)
        if self.dialog != "sign_as" or uid is None:
            return
        strokes, key = clean_str(form.get("strokes"), 80_000), clean_str(form.get("key"), 64)
        reason, agent = clean_str(form.get("reason"), 1_000), self.router.headers.user_agent
        if await self._run(
            lambda db: actions.sign_as(
                db, actor, slot_id, uid, strokes=strokes, client_key=key, reason=reason, user_agent=agent
            ),
            "dialog",
        ):
            self.dialog = ""

    @rx.event
    @policy(BOARD)
    async def save_mark(self, form_data: Any) -> None:
        """Mark the dialog's learner absent or late, with a comment.

        Args:
            form_data: comment.
        """
        form, actor, slot_id = _form(form_data), require_actor(), self._slot_id
        uid, status = clean_id(self.dialog_user), self.dialog
        if status not in ("absent", "late") or uid is None:
            return
        comment = clean_str(form.get("comment"), 1_000)
        if await self._run(lambda db: actions.mark(db, actor, slot_id, uid, status=status, comment=comment), "dialog"):
            self.dialog = ""

    @rx.event
    @policy(BOARD)
    async def clear_mark(self, user_id: Any) -> None:
        """Remove a learner's absent or late mark.

        Args:
            user_id: The learner.
        """
        actor, slot_id, uid = require_actor(), self._slot_id, clean_id(user_id)
        if uid is None:
            return
        await self._run(lambda db: actions.mark(db, actor, slot_id, uid, status="clear", comment=""), "board")

    @rx.event
    @policy(BOARD)
    async def save_correction(self, form_data: Any) -> None:
        """Correct the dialog's learner after certification (a new record pointing to the old one).

        Args:
            form_data: status, reason.
        """
        form, actor, slot_id = _form(form_data), require_actor(), self._slot_id
        uid = clean_id(self.dialog_user)
        if self.dialog != "correct" or uid is None:
            return
        status, reason = clean_str(form.get("status"), 10), clean_str(form.get("reason"), 1_000)
        if await self._run(lambda db: actions.correct(db, actor, slot_id, uid, status=status, reason=reason), "dialog"):
            self.dialog = ""

    @rx.event
    @policy(BOARD)
    async def certify(self) -> None:
        """Certify the sheet: it is locked, later changes are corrections."""
        actor, slot_id = require_actor(), self._slot_id
        self.board_error = ""
        await self._run(lambda db: actions.certify(db, actor, slot_id), "board")

    def _rotate_qr(self) -> None:
        base = get_settings().base_url.rstrip("/")
        code = window.qr_code(self._slot_id)
        self.qr_url = f"{base}/emargement/{self._slot_id}?qr={quote(code)}"
        self.qr_image = _qr_image(self.qr_url)

    @rx.event
    @policy(BOARD)
    def show_qr(self) -> Any:
        """Show the room's QR code (for the projector); it changes every 30 seconds."""
        if not self.view.get("manages") or self.view.get("certified"):
            return None
        self.qr_open = True
        self._qr_generation += 1
        self._rotate_qr()
        return AttendanceState.keep_qr_fresh

    @rx.event
    @policy(SIGNED_IN)
    def hide_qr(self) -> None:
        """Hide the QR code."""
        self.qr_open = False
        self._qr_generation += 1

    @rx.event(background=True)  # type: ignore[operator]  # reflex's stub types `rx.event` as a namespace
    @policy(BOARD)
    async def keep_qr_fresh(self) -> None:
        """While the QR code is shown, swap it when its 30-second period ends (no database work)."""
        async with self:
            generation = self._qr_generation
        started = time.monotonic()
        while time.monotonic() - started < QR_SHOW_LIMIT_SECONDS:
            await asyncio.sleep(window.qr_seconds_left() + 0.05)
            async with self:
                if not self.qr_open or self._qr_generation != generation:
                    return
                self._rotate_qr()

    async def _live_apply(self, event: LiveEvent) -> bool:
        """Apply a change to this tab's sheet in place when it can: a learner's own signature moves them at once.

        Args:
            event: What changed (ids and a time).

        Returns:
            True when applied; anything else reloads the sheet.
        """
        if isinstance(event, Signed) and not event.device and self.view.get("sees_board"):
            uid = str(event.user_id)
            if uid in self._roster_ids:
                if uid not in self.signed_at:
                    self.signed_at = {**self.signed_at, uid: str(event.at)}
                    self.signed_count = len(self.signed_at)
                return True
        if isinstance(event, MySignature) and self.view.get("signed"):
            return True  # this tab made (or already shows) the signature
        if isinstance(event, Certified) and not self.view.get("sees_board"):
            self.view = {**self.view, "certified": True, "can_sign": False}
            return True
        return False

    async def _live_load(self, actor: Actor | None) -> None:
        """Reload the sheet as this tab's own actor.

        Args:
            actor: The tab's own actor.
        """
        await self._show(actor)
