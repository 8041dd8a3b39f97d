"""The signed-in person, shown in every page's header: session cookie, language, organisations."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx
from sqlmodel import Session

from app import routes
from app.i18n import DEFAULT_LANGUAGE, LANGUAGES
from app.services import accounts, auth, orgs
from app.services.actor import Actor
from app.services.auth import DEVICE_COOKIE
from app.services.errors import PlumeError
from state import live
from state.common import assign_changed, clean_id, clean_str, run_db
from state.guard import PENDING, PUBLIC, SIGNED_IN, current_actor, handshake_cookie, policy, require_actor

PUBLIC_ROUTES = (
    "/connexion",
    "/inscription",
    "/mot-de-passe-oublie",
    "/reinitialiser",
    "/confirmer-email",
    "/inscription/confirmer",
    "/annuler-changement-email",
    "/invitation",
)
PENDING_ROUTES = ("/activation", "/verification")
SESSION_ROUTE = "/api/session"
SESSION_OUT_ROUTE = "/api/session/out"


def normalise_path(path: str) -> str:
    """A route without its trailing slash (the static server adds one).

    Args:
        path: The browser's path.

    Returns:
        The route, "/" for the root.
    """
    return path.rstrip("/") or "/"


class SessionState(rx.State):
    """Who is signed in, in which organisation, in which language."""

    lang_cookie: str = rx.Cookie("", name="plume_lang", path="/", same_site="lax", max_age=365 * 24 * 3600)
    lang: str = DEFAULT_LANGUAGE
    signed_in: rx.Field[bool] = rx.field(False)
    user_name: str = ""
    user_email: str = ""
    organisation_id: rx.Field[int] = rx.field(0)
    organisation_name: str = ""
    roles: list[str] = []
    organisations: rx.Field[list[orgs.OrganisationChoice]] = rx.field(default_factory=list)
    notifications: rx.Field[list[orgs.NotificationRow]] = rx.field(default_factory=list)
    unread: rx.Field[int] = rx.field(0)
    loaded: bool = False
    handoff: str = ""  # the session route the handoff page sends the browser to (a sealed single-use code)

    @rx.var
    def is_staff(self) -> bool:
        """Whether the person is staff of the selected organisation."""
        return "staff" in self.roles

    @rx.var
    def is_tutor(self) -> bool:
        """Whether the person tutors in the selected organisation."""
        return "tutor" in self.roles

    @rx.var
    def initials(self) -> str:
        """Initials for the avatar."""
        parts = [p for p in self.user_name.split() if p]
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    def _go_dark(self) -> None:
        """Forget who was signed in (the session ended); the language stays for the sign-in page."""
        self._show(None, [])
        self.notifications, self.unread = [], 0

    def _show(self, actor: Actor | None, choices: list[orgs.OrganisationChoice]) -> None:
        self.signed_in = actor is not None and actor.fully_signed_in
        if actor is None:
            self.user_name = self.user_email = self.organisation_name = ""
            self.organisation_id = 0
            self.roles = []
            self.organisations = []
            if self.lang_cookie in LANGUAGES and self.lang != self.lang_cookie:
                self.lang = self.lang_cookie
            return
        # Every page's load passes here: only what changed travels (the language's strings above all).
        assign_changed(
            self,
            user_name=actor.display_name,
            user_email=actor.email,
            lang=actor.language,
            lang_cookie=actor.language,
            organisation_id=actor.organisation_id or 0,
            roles=sorted(actor.roles),
            organisations=choices,
            organisation_name=next((c.name for c in choices if c.id == actor.organisation_id), ""),
        )

    async def _refresh(self) -> None:
        actor = current_actor()

        def read(db: Session) -> tuple[list[orgs.OrganisationChoice], list[orgs.NotificationRow]]:
            assert actor is not None
            notes = orgs.my_notifications(db, actor) if actor.fully_signed_in else []
            return orgs.my_organisations(db, actor), notes

        # One worker thread and one transaction for the header, on every page's load.
        choices, notes = await run_db(read) if actor else ([], [])
        self._show(actor, choices)
        assign_changed(self, notifications=notes, unread=sum(1 for n in notes if n.unread), loaded=True)

    @rx.event
    @policy(SIGNED_IN)
    async def read_notifications(self, opened: Any) -> None:
        """Mark the person's notifications read when they open the list.

        Args:
            opened: Whether the list was opened (closing it does nothing).
        """
        if opened is not True:
            return
        actor = require_actor()
        await run_db(lambda db: orgs.read_notifications(db, actor))
        self.unread = 0

    @rx.event
    @policy(PUBLIC)
    async def load_page(self) -> Any:
        """Fill the header and send the person where they belong for this route."""
        self.handoff = ""
        await self._refresh()
        actor = current_actor()
        path = normalise_path(self.router.url.path)
        if actor is None:
            if path not in PUBLIC_ROUTES:
                if path in ("/", ""):
                    return rx.redirect("/connexion")
                query = self.router.url.query
                # Keep the query: a QR code scanned before signing in still lands on its slot.
                return rx.redirect("/connexion?suivant=" + quote(f"{path}?{query}" if query else path, safe="/"))
            return None
        if not actor.activated and path not in ("/activation", *PUBLIC_ROUTES):
            return rx.redirect("/activation")
        if actor.activated and actor.mfa_pending and path not in ("/verification", *PUBLIC_ROUTES):
            return rx.redirect("/verification")
        if actor.fully_signed_in and path in ("/", "/connexion", "/inscription", *PENDING_ROUTES):
            return rx.redirect("/accueil")
        return None

    @rx.event
    @policy(SIGNED_IN)
    async def switch_organisation(self, organisation_id: Any) -> Any:
        """Select another of the person's organisations, then reload the page's data.

        Args:
            organisation_id: One of the person's organisations.
        """
        actor = require_actor()
        org_id = clean_id(organisation_id)
        if org_id is None:
            return None
        try:
            await run_db(lambda db: auth.switch_organisation(db, actor, org_id))
        except PlumeError:
            return None
        return rx.redirect("/accueil")

    @rx.event
    @policy(PENDING)
    async def sign_out(self) -> Any:
        """Revoke this session everywhere it is used, empty this tab's pages and go to the sign-in page."""
        actor = require_actor()
        await run_db(lambda db: auth.sign_out(db, actor))
        live.unsubscribe(self.router.session.client_token)
        await live.go_dark(self)
        return self._navigate(SESSION_OUT_ROUTE)  # an HTTP response clears the HttpOnly cookie

    @rx.event
    @policy(PUBLIC)
    async def set_language(self, lang: Any) -> None:
        """Switch the interface language (saved on the account when signed in).

        Args:
            lang: "fr" or "en".
        """
        value = clean_str(lang, 5)
        if value not in LANGUAGES:
            return
        actor = current_actor()
        if actor is not None:
            await run_db(lambda db: accounts.set_language(db, actor, value))
        self.lang = value
        self.lang_cookie = value

    async def _adopt(self, token: str, then: str) -> Any:
        """Hand a new session (after sign-up or sign-in) to the browser's cookie; the tab's previous one is revoked.

        The token never reaches the page: the browser goes to `/api/session` with a sealed
        single-use code, and that HTTP response sets the HttpOnly cookie.

        Args:
            token: The raw token.
            then: Where to go once the cookie is set.

        Returns:
            The navigation event to send.
        """
        previous = current_actor()
        if previous is not None:
            await run_db(lambda db: auth.sign_out(db, previous))
        device = handshake_cookie(self, DEVICE_COOKIE)
        if not device:  # a page load always sets it; without it no browser could redeem the code
            return rx.redirect(routes.SIGN_IN, is_external=True)
        code = auth.handoff_code(token, device)
        return self._navigate(f"{SESSION_ROUTE}?code={quote(code, safe='')}&suivant={quote(then, safe='')}")

    def _navigate(self, url: str) -> Any:
        """A full page load to an HTTP route (the websocket reconnects with the new cookie), through the handoff page.

        Args:
            url: A path on this site.

        Returns:
            The event.
        """
        self.handoff = url
        return rx.redirect(routes.SESSION_HANDOFF, replace=True)
