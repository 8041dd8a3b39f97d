"""Account pages: sign-in, sign-up, activation, second factor, reset, e-mail confirmation, invitation."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any, TypedDict, TypeVar, cast

import reflex as rx
from reflex.vars.object import ObjectVar
from sqlmodel import Session

from app import routes
from app.i18n import t
from app.services import accounts, auth, orgs
from app.services.errors import ErrorCode, PlumeError
from state.common import clean_str, error_message, form_fields, run_db, run_password_db
from state.guard import PENDING, PUBLIC, current_actor, policy, require_actor
from state.session import SessionState

_form = form_fields
T = TypeVar("T")


def safe_next(value: str) -> str:
    """A same-site path to go to after sign-in (anything else goes home).

    Args:
        value: The `suivant` query parameter.

    Returns:
        A path starting with a single "/".
    """
    if not value.startswith("/") or value.startswith("//") or "\\" in value or len(value) >= 500:
        return routes.HOME
    route = value.split("?", maxsplit=1)[0].rstrip("/") or "/"
    if route in (routes.ROOT, routes.SIGN_IN, routes.SIGN_UP, routes.ACTIVATION, routes.VERIFY):
        return routes.HOME
    return value


class Names(TypedDict):
    """A person's names as typed in a form."""

    first_name: str
    last_name: str


def names_of(form: dict[str, Any]) -> Names:
    """The first and last names of a submitted form, each cut at 200 characters.

    Args:
        form: The form's fields.

    Returns:
        The names, as keyword arguments of the services that take them.
    """
    return Names(first_name=clean_str(form.get("first_name"), 200), last_name=clean_str(form.get("last_name"), 200))


class FormState(rx.State, mixin=True):
    """Shared shape of a form: busy flag, a form-level message, per-field errors."""

    busy: rx.Field[bool] = rx.field(False)
    error: rx.Field[str] = rx.field("")
    notice: rx.Field[str] = rx.field("")
    field_errors: rx.Field[dict[str, str]] = rx.field(default_factory=dict)

    async def _lang(self) -> str:
        return (await self.get_state(SessionState)).lang

    async def _fail(self, err: PlumeError) -> None:
        text = error_message(await self._lang(), err)
        if err.field:
            self.field_errors = {err.field: text}
            self.error = ""
        else:
            self.field_errors = {}
            self.error = text
        self.busy = False

    def _clear(self) -> None:
        """Clear the form's messages (a page's load, another choice)."""
        self.error = self.notice = ""
        self.field_errors = {}

    def _start(self) -> None:
        self.busy = True
        self._clear()

    async def _submit(self, work: Callable[[Session], object], *, hashes: bool = False) -> bool:
        """Run the form's service call in one transaction (after `_start()`).

        Args:
            work: The call, a function of the database session.
            hashes: Whether it hashes or checks a password (it then runs in the password pool).

        Returns:
            True when it went through (busy off); False when the service refused, its error shown.
        """
        try:
            await (run_password_db(work) if hashes else run_db(work))
        except PlumeError as err:
            await self._fail(err)
            return False
        self.busy = False
        return True

    def _client(self) -> tuple[str, str]:
        return self.router.session.client_ip, self.router.headers.user_agent

    def _link_token(self) -> str:
        return clean_str(self.router.url.query_parameters.get("jeton", ""), 200)

    async def _check_link(self, check: Callable[..., str]) -> str:
        """Run a service on the page's one-time link (`check(db, token, ip=...)`); a refused link shows its error.

        Returns:
            What the service returned, or "" when it refused the link.
        """
        token, (ip, _) = self._link_token(), self._client()
        try:
            return await run_db(lambda db: check(db, token, ip=ip))
        except PlumeError as err:
            await self._fail(err)
            return ""


def field_errors_of(state: type[FormState]) -> ObjectVar[dict[str, str]]:
    """A form state's per-field errors as the object var the page reads.

    Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy (its sequence
    overload swallows mappings), so the cast names the var the field really is.

    Args:
        state: The form's state class.

    Returns:
        Field name → error text, in the browser.
    """
    return cast("ObjectVar[dict[str, str]]", state.field_errors)


class SignInState(FormState, rx.State):
    """The sign-in page."""

    @rx.event
    @policy(PUBLIC)
    async def sign_in(self, form_data: Any) -> AsyncIterator[Any]:
        """Check the password and open a session.

        Args:
            form_data: {"email", "password"}.
        """
        form = _form(form_data)
        email, password = clean_str(form.get("email"), 300), clean_str(form.get("password"), 300)
        self._start()
        yield
        ip, agent = self._client()
        try:
            signed = await run_password_db(
                lambda db: auth.sign_in(db, email=email, password=password, ip=ip, user_agent=agent)
            )
        except PlumeError as err:
            if err.code == ErrorCode.BAD_CREDENTIALS:  # each failure slows the next answer (on the loop, no thread)
                await asyncio.sleep(await run_db(lambda db: auth.sign_in_delay(db, email)))
            await self._fail(err)
            return
        self.busy = False
        if signed.needs_activation:
            then = routes.ACTIVATION
        elif signed.needs_totp:
            then = routes.VERIFY
        else:
            then = safe_next(self.router.url.query_parameters.get("suivant", ""))
        yield await (await self.get_state(SessionState))._adopt(signed.token, then)


class SignUpState(FormState, rx.State):
    """The sign-up page (optionally from an invitation link)."""

    invited_email: rx.Field[str] = rx.field("")
    invited_organisation: rx.Field[str] = rx.field("")
    sent_to: rx.Field[str] = rx.field("")
    _invitation: str = ""

    @rx.event
    @policy(PUBLIC)
    async def load(self) -> None:
        """Read the invitation in the link, if any, to fill the e-mail."""
        self._clear()
        self.sent_to = ""
        token = clean_str(self.router.url.query_parameters.get("invitation", ""), 200)
        self._invitation, self.invited_email, self.invited_organisation = "", "", ""
        if not token:
            return
        try:
            view = await run_db(lambda db: orgs.view_invitation(db, token))
        except PlumeError:
            return
        self._invitation = token
        self.invited_email = view.email
        self.invited_organisation = view.organisation

    @rx.event
    @policy(PUBLIC)
    async def sign_up(self, form_data: Any) -> AsyncIterator[Any]:
        """Send the confirmation e-mail (the same answer whether the address has an account or not).

        Only an address proven by the invitation link gets its account at once, with the SMS
        code and the activation page.

        Args:
            form_data: email, first_name, last_name, pseudonym, password, phone.
        """
        form = _form(form_data)
        lang = await self._lang()
        data = accounts.SignUp(
            email=clean_str(form.get("email"), 300),
            **names_of(form),
            pseudonym=clean_str(form.get("pseudonym"), 200),
            password=clean_str(form.get("password"), 300),
            phone=clean_str(form.get("phone"), 40),
            language=lang,
        )
        invitation = self._invitation
        self._start()
        yield
        ip, agent = self._client()

        def work(db: Any) -> accounts.SignUpOutcome:
            proven = ""
            if invitation:
                with contextlib.suppress(PlumeError):
                    proven = orgs.view_invitation(db, invitation).email
            outcome = accounts.sign_up(db, data, ip=ip, user_agent=agent, proven_email=proven)
            if outcome.signed is not None and invitation:
                with contextlib.suppress(PlumeError):  # a spent invitation does not block the account
                    orgs.accept_invitation(db, outcome.signed.user_id, invitation)
            return outcome

        try:
            outcome = await run_password_db(work)
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        if outcome.signed is None:
            self.sent_to = outcome.email
            return
        yield await (await self.get_state(SessionState))._adopt(outcome.signed.token, routes.ACTIVATION)


class _LinkPage(FormState, mixin=True):
    """A page a one-time link opens about an address: checked on load, then used once with a button."""

    email: rx.Field[str] = rx.field("")
    checked: rx.Field[bool] = rx.field(False)
    _token: str = ""

    async def _open_link(self, check: Callable[..., str]) -> None:
        """Keep the page's link and show the address it is about (`check(db, token, ip=...)`)."""
        self.email = self.error = ""
        self.checked = False
        self._token = self._link_token()
        self.email = await self._check_link(check)
        self.checked = True

    async def _use_link(self, use: Callable[[Session, str, str, str], T]) -> T | None:
        """Use the page's link (`use(db, token, ip, user_agent)`, after `_start()`).

        Returns:
            What the service returned, or None when it refused the link (its error shown, the address gone).
        """
        token, (ip, agent) = self._token, self._client()
        try:
            used = await run_db(lambda db: use(db, token, ip, agent))
        except PlumeError as err:
            await self._fail(err)
            self.email = ""
            return None
        self.busy = False
        return used


class SignUpConfirmState(_LinkPage, rx.State):
    """The page a sign-up confirmation link opens: the account is created from there."""

    @rx.event
    @policy(PUBLIC)
    async def load(self) -> None:
        """Check the link before offering to create the account."""
        await self._open_link(accounts.check_sign_up_link)

    @rx.event
    @policy(PUBLIC)
    async def confirm(self) -> AsyncIterator[Any]:
        """Create the account, text the activation code and go to the activation page."""
        self._start()
        yield
        signed = await self._use_link(
            lambda db, token, ip, agent: accounts.confirm_sign_up(db, token, ip=ip, user_agent=agent)
        )
        if signed is not None:
            yield await (await self.get_state(SessionState))._adopt(signed.token, routes.ACTIVATION)


class ActivationState(FormState, rx.State):
    """The activation page: the SMS code, a new code, correcting the number once."""

    phone: rx.Field[str] = rx.field("")
    tries_left: rx.Field[int] = rx.field(0)
    can_change_phone: rx.Field[bool] = rx.field(False)
    changing_phone: rx.Field[bool] = rx.field(False)

    async def _status(self) -> None:
        actor = require_actor()
        status = await run_db(lambda db: accounts.activation_status(db, actor))
        self.phone, self.tries_left, self.can_change_phone = status.phone, status.tries_left, status.can_change_phone

    @rx.event
    @policy(PENDING)
    async def load(self) -> Any:
        """Show the number the code went to."""
        self._clear()
        self.changing_phone = False
        actor = require_actor()
        if actor.activated:
            return rx.redirect(routes.HOME)
        await self._status()
        return None

    @rx.event
    @policy(PENDING)
    async def verify(self, form_data: Any) -> AsyncIterator[Any]:
        """Check the code.

        Args:
            form_data: {"code"}.
        """
        code = clean_str(_form(form_data).get("code"), 20)
        actor = require_actor()
        self._start()
        yield
        if not await self._submit(lambda db: accounts.verify_activation_code(db, actor, code)):
            await self._status()
            return
        yield rx.redirect(routes.VERIFY if actor.mfa_pending else routes.HOME)

    @rx.event
    @policy(PENDING)
    async def resend(self) -> None:
        """Send a new code."""
        actor = require_actor()
        self._start()
        if not await self._submit(lambda db: accounts.resend_activation_code(db, actor)):
            return
        self.notice = t(await self._lang(), "activation.resent")
        await self._status()

    @rx.event
    @policy(PENDING)
    def toggle_change_phone(self) -> None:
        """Show or hide the number correction form."""
        self.changing_phone = not self.changing_phone

    @rx.event
    @policy(PENDING)
    async def change_phone(self, form_data: Any) -> None:
        """Correct the number (once) and send a code there.

        Args:
            form_data: {"phone"}.
        """
        phone = clean_str(_form(form_data).get("phone"), 40)
        actor = require_actor()
        self._start()
        if not await self._submit(lambda db: accounts.change_activation_phone(db, actor, phone)):
            await self._status()
            return
        self.changing_phone = False
        await self._status()


class VerifyState(FormState, rx.State):
    """The second-factor step of sign-in."""

    @rx.event
    @policy(PENDING)
    async def verify(self, form_data: Any) -> AsyncIterator[Any]:
        """Check the TOTP code.

        Args:
            form_data: {"code"}.
        """
        code = clean_str(_form(form_data).get("code"), 20)
        actor = require_actor()
        self._start()
        yield
        if await self._submit(lambda db: auth.verify_totp(db, actor, code)):
            yield rx.redirect(routes.HOME if actor.activated else routes.ACTIVATION)


class ForgotState(FormState, rx.State):
    """The forgotten-password page: the same answer whether the account exists or not."""

    sent: rx.Field[bool] = rx.field(False)

    @rx.event
    @policy(PUBLIC)
    def load(self) -> None:
        """Start with an empty form."""
        self.sent = False
        self.error = ""

    @rx.event
    @policy(PUBLIC)
    async def request(self, form_data: Any) -> AsyncIterator[Any]:
        """E-mail a link if the account exists.

        Args:
            form_data: {"email"}.
        """
        email = clean_str(_form(form_data).get("email"), 300)
        self._start()
        yield
        ip, _ = self._client()
        await run_db(lambda db: accounts.request_password_reset(db, email, ip=ip))
        self.busy = False
        self.sent = True


class ResetState(FormState, rx.State):
    """The page a reset link opens."""

    valid: rx.Field[bool] = rx.field(False)
    done: rx.Field[bool] = rx.field(False)
    checked: rx.Field[bool] = rx.field(False)
    _token: str = ""

    @rx.event
    @policy(PUBLIC)
    async def load(self) -> None:
        """Check the link before showing the form."""
        self.done = self.valid = self.checked = False
        self.error = ""
        self.field_errors = {}
        self._token = self._link_token()
        ip, _ = self._client()
        token = self._token
        try:
            await run_db(lambda db: accounts.check_reset_link(db, token, ip=ip))
            self.valid = True
        except PlumeError as err:
            await self._fail(err)
        self.checked = True

    @rx.event
    @policy(PUBLIC)
    async def save_password(self, form_data: Any) -> AsyncIterator[Any]:
        """Set the new password.

        Args:
            form_data: {"password", "confirm"}.
        """
        form = _form(form_data)
        password, confirm = clean_str(form.get("password"), 300), clean_str(form.get("confirm"), 300)
        token = self._token
        self._start()
        yield
        ip, _ = self._client()
        try:
            await run_password_db(lambda db: accounts.reset_password(db, token, password, confirm, ip=ip))
        except PlumeError as err:
            await self._fail(err)
            if not err.field:
                self.valid = False
            return
        self.busy = False
        self.done = True
        self.valid = False


class ConfirmEmailState(FormState, rx.State):
    """The page an e-mail change link opens."""

    new_email: rx.Field[str] = rx.field("")
    checked: rx.Field[bool] = rx.field(False)

    @rx.event
    @policy(PUBLIC)
    async def load(self) -> None:
        """Confirm the new address."""
        self.new_email = self.error = ""
        self.checked = False
        self.new_email = await self._check_link(accounts.confirm_email_change)
        self.checked = True


class RevertEmailState(_LinkPage, rx.State):
    """The page the link sent to the old address opens: it undoes an e-mail change."""

    done: rx.Field[bool] = rx.field(False)

    @rx.event
    @policy(PUBLIC)
    async def load(self) -> None:
        """Check the link and say which address it restores."""
        self.done = False
        await self._open_link(accounts.check_revert_link)

    @rx.event
    @policy(PUBLIC)
    async def revert(self) -> AsyncIterator[Any]:
        """Restore the old address, sign out everywhere and e-mail a reset link."""
        self._start()
        yield
        restored = await self._use_link(lambda db, token, ip, _: accounts.revert_email_change(db, token, ip=ip))
        if restored is not None:
            self.email, self.done = restored, True


class InvitationState(FormState, rx.State):
    """The page an invitation link opens."""

    organisation: rx.Field[str] = rx.field("")
    email: rx.Field[str] = rx.field("")
    account_exists: rx.Field[bool] = rx.field(False)
    accepted: rx.Field[bool] = rx.field(False)
    checked: rx.Field[bool] = rx.field(False)
    signed_in_as: rx.Field[str] = rx.field("")
    _token: str = ""

    @rx.event
    @policy(PUBLIC)
    async def load(self) -> None:
        """Describe the invitation."""
        self.error = ""
        self.accepted = self.checked = False
        self._token = self._link_token()
        token = self._token
        actor = current_actor()
        self.signed_in_as = actor.email if actor and actor.fully_signed_in else ""
        try:
            view = await run_db(lambda db: orgs.view_invitation(db, token))
        except PlumeError as err:
            await self._fail(err)
            self.organisation = self.email = ""
        else:
            self.organisation, self.email, self.account_exists = view.organisation, view.email, view.account_exists
        self.checked = True

    @rx.event
    @policy(PUBLIC)
    async def accept(self) -> AsyncIterator[Any]:
        """Join the organisation with the signed-in account (or go sign in first)."""
        actor = current_actor()
        if actor is None or not actor.fully_signed_in:
            yield rx.redirect(f"{routes.SIGN_IN}?suivant=/invitation%3Fjeton%3D{self._token}")
            return
        token = self._token
        self._start()
        yield
        try:
            org_id = await run_db(lambda db: orgs.accept_invitation(db, actor.user_id, token))
            await run_db(lambda db: auth.switch_organisation(db, actor, org_id))
        except PlumeError as err:
            await self._fail(err)
            return
        self.busy = False
        self.accepted = True
        yield rx.redirect(routes.HOME)
