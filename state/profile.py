"""The profile page: names, e-mail change, password, language, second factor, calendar subscription."""

from __future__ import annotations

import base64
import io
from collections.abc import AsyncIterator, Callable
from typing import Any

import qrcode
import qrcode.image.svg
import reflex as rx
from sqlmodel import Session

from app.i18n import t
from app.services import accounts, calendar_feed
from app.services.errors import PlumeError
from state.auth import FormState, _form, names_of
from state.common import clean_str, run_db, run_password_db
from state.guard import SIGNED_IN, policy, require_actor
from state.session import SessionState


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


class ProfileState(FormState, rx.State):
    """The signed-in person's own profile."""

    email: rx.Field[str] = rx.field("")
    first_name: rx.Field[str] = rx.field("")
    last_name: rx.Field[str] = rx.field("")
    pseudonym: rx.Field[str] = rx.field("")
    phone: rx.Field[str] = rx.field("")
    totp_enabled: rx.Field[bool] = rx.field(False)
    totp_qr: rx.Field[str] = rx.field("")
    totp_secret: rx.Field[str] = rx.field("")
    section: rx.Field[str] = rx.field("")
    form_key: rx.Field[int] = rx.field(0)
    pending_phone: rx.Field[str] = rx.field("")
    # The person's own calendar subscription URL (its secret is theirs: only their tab ever holds it).
    feed_url: rx.Field[str] = rx.field("")
    feed_created: rx.Field[str] = rx.field("")

    async def _reload(self) -> None:
        actor = require_actor()
        profile, link = await run_db(lambda db: (accounts.get_profile(db, actor), calendar_feed.feed_link(db, actor)))
        self._show_feed(link)
        self.email, self.first_name, self.last_name = profile.email, profile.first_name, profile.last_name
        self.pseudonym, self.phone, self.totp_enabled = profile.pseudonym, profile.phone, profile.totp_enabled

    async def _done(self, section: str, key: str, **params: str) -> None:
        self.busy = False
        self.section = section
        self.notice = t(await self._lang(), key, **params)

    async def _failed(self, section: str, err: PlumeError) -> None:
        await self._fail(err)
        self.section = section

    async def _save(self, section: str, work: Callable[[Session], object], *, hashes: bool = False) -> bool:
        """Run one section's service call (`hashes`: it checks a password); a refusal shows its error there."""
        if await self._submit(work, hashes=hashes):
            return True
        self.section = section
        return False

    @rx.event
    @policy(SIGNED_IN)
    async def load(self) -> None:
        """Load the profile."""
        self._clear()
        self.section = ""
        self.totp_qr = self.totp_secret = self.pending_phone = ""
        await self._reload()

    @rx.event
    @policy(SIGNED_IN)
    async def save_names(self, form_data: Any) -> None:
        """Save first name, last name and pseudonym.

        Args:
            form_data: first_name, last_name, pseudonym.
        """
        form, actor = _form(form_data), require_actor()
        pseudonym = clean_str(form.get("pseudonym"), 200)
        self._start()
        if not await self._save(
            "names", lambda db: accounts.update_names(db, actor, **names_of(form), pseudonym=pseudonym)
        ):
            return
        await self._reload()
        signin = await self.get_state(SessionState)
        signin.user_name = self.pseudonym or f"{self.first_name} {self.last_name}".strip()
        await self._done("names", "common.saved")

    @rx.event
    @policy(SIGNED_IN)
    async def request_phone_change(self, form_data: Any) -> None:
        """Text a code to the new number.

        Args:
            form_data: new_phone.
        """
        phone = clean_str(_form(form_data).get("new_phone"), 40)
        actor = require_actor()
        self._start()
        try:
            self.pending_phone = await run_db(lambda db: accounts.request_phone_change(db, actor, phone))
        except PlumeError as err:
            if err.field == "phone":
                err.field = "new_phone"
            await self._failed("phone", err)
            return
        await self._done("phone", "profile.phone_code_sent", phone=self.pending_phone)

    @rx.event
    @policy(SIGNED_IN)
    async def confirm_phone_change(self, form_data: Any) -> None:
        """Switch to the new number with its code.

        Args:
            form_data: phone_code.
        """
        code = clean_str(_form(form_data).get("phone_code"), 20)
        actor = require_actor()
        self._start()
        if not await self._save("phone", lambda db: accounts.confirm_phone_change(db, actor, code)):
            return
        self.pending_phone = ""
        await self._reload()
        await self._done("phone", "profile.phone_changed")

    @rx.event
    @policy(SIGNED_IN)
    async def change_email(self, form_data: Any) -> None:
        """Send a confirmation link to the new address (asks the password, and the TOTP code when on).

        Args:
            form_data: new_email, email_password, email_code.
        """
        form = _form(form_data)
        new_email = clean_str(form.get("new_email"), 300)
        password, code = clean_str(form.get("email_password"), 300), clean_str(form.get("email_code"), 20)
        actor = require_actor()
        self._start()
        try:
            sent_to = await run_password_db(
                lambda db: accounts.request_email_change(db, actor, new_email, password=password, code=code)
            )
        except PlumeError as err:
            await self._failed("email", err)
            return
        await self._done("email", "profile.email_sent", email=sent_to)

    @rx.event
    @policy(SIGNED_IN)
    async def change_password(self, form_data: Any) -> AsyncIterator[Any]:
        """Change the password (asks the current one).

        Args:
            form_data: current, new, confirm.
        """
        form, actor = _form(form_data), require_actor()
        current, new, confirm = (clean_str(form.get(k), 300) for k in ("current", "new", "confirm"))
        self._start()
        yield
        changed = await self._save(
            "password",
            lambda db: accounts.change_password(db, actor, current=current, new=new, confirm=confirm),
            hashes=True,
        )
        if not changed:
            return
        self.form_key += 1
        await self._done("password", "profile.password_changed")

    @rx.event
    @policy(SIGNED_IN)
    async def start_totp(self, form_data: Any) -> None:
        """Create a secret and show its QR code (asks the password first).

        Args:
            form_data: totp_start_password.
        """
        password = clean_str(_form(form_data).get("totp_start_password"), 300)
        actor = require_actor()
        self._start()
        try:
            uri = await run_password_db(lambda db: accounts.start_totp(db, actor, password))
        except PlumeError as err:
            await self._failed("totp", err)
            return
        self.busy = False
        self.section = "totp"
        if uri:
            self.totp_qr = _qr_data_uri(uri)
            self.totp_secret = uri.split("secret=")[1].split("&")[0]

    @rx.event
    @policy(SIGNED_IN)
    async def confirm_totp(self, form_data: Any) -> None:
        """Turn the second factor on with a first correct code.

        Args:
            form_data: totp_code.
        """
        code = clean_str(_form(form_data).get("totp_code"), 20)
        actor = require_actor()
        self._start()
        if not await self._save("totp", lambda db: accounts.confirm_totp(db, actor, code)):
            return
        self.totp_qr = self.totp_secret = ""
        await self._reload()
        await self._done("totp", "profile.totp_enabled")

    @rx.event
    @policy(SIGNED_IN)
    async def disable_totp(self, form_data: Any) -> None:
        """Turn the second factor off (asks the password and a current code).

        Args:
            form_data: totp_password, totp_off_code.
        """
        form = _form(form_data)
        password, code = clean_str(form.get("totp_password"), 300), clean_str(form.get("totp_off_code"), 20)
        actor = require_actor()
        self._start()
        if not await self._save("totp", lambda db: accounts.disable_totp(db, actor, password, code), hashes=True):
            return
        await self._reload()
        await self._done("totp", "profile.totp_disabled")

    def _show_feed(self, link: calendar_feed.FeedLink | None) -> None:
        self.feed_url = link.url if link is not None else ""
        self.feed_created = link.created_at if link is not None else ""

    @rx.event
    @policy(SIGNED_IN)
    async def renew_feed(self) -> None:
        """Make the person's calendar subscription URL, or a new one (the previous one stops working)."""
        actor = require_actor()
        renewing = self.feed_url != ""
        self._start()
        if not await self._save("calendar", lambda db: calendar_feed.renew_feed(db, actor)):
            return
        self._show_feed(await run_db(lambda db: calendar_feed.feed_link(db, actor)))
        await self._done("calendar", "profile.feed_renewed" if renewing else "profile.feed_created")

    @rx.event
    @policy(SIGNED_IN)
    async def stop_feed(self) -> None:
        """Stop the person's calendar subscription: calendars that read it stop receiving the agenda."""
        actor = require_actor()
        self._start()
        if not await self._save("calendar", lambda db: calendar_feed.stop_feed(db, actor)):
            return
        self._show_feed(None)
        await self._done("calendar", "profile.feed_stopped")
