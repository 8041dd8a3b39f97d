"""The page between a websocket sign-in (or sign-out) and the HTTP response that sets (or clears) the cookie."""

from __future__ import annotations

import reflex as rx

from components.i18n import T
from state.session import SessionState


def handoff_page() -> rx.Component:
    """Send the browser to the session route with a full page load.

    The session cookie is HttpOnly, so an HTTP response must set it; the page's
    content security policy forbids scripts sent over the websocket, so a
    `<meta http-equiv="refresh">` built from the state does the navigation, with a
    plain link as fallback.

    Returns:
        The page.
    """
    return rx.center(
        rx.cond(
            SessionState.handoff != "",
            rx.el.meta(http_equiv="refresh", content=f"0;url={SessionState.handoff}"),
        ),
        rx.vstack(
            rx.spinner(size="3"),
            rx.text(T("handoff.wait")),
            rx.el.a(
                T("handoff.continue"), href=rx.cond(SessionState.handoff != "", SessionState.handoff, "/connexion")
            ),
            align="center",
            spacing="3",
        ),
        min_height="100vh",
    )
