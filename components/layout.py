"""Page frames: the signed-in shell (header, organisation switcher, user menu) and the auth card."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.utils.imports import ImportVar
from reflex.vars import VarData
from reflex.vars.base import Var
from reflex.vars.number import BooleanVar
from reflex.vars.sequence import ArrayVar
from reflex_components_core.core.banner import has_connection_errors

from app import routes
from components import styles
from components.forms import Handler
from components.i18n import T, Tf
from components.tables import loading_spinner
from state.session import SessionState

# Reflex declares `State.is_hydrated` as a plain `bool`; read on the class it is the var.
_IS_HYDRATED = cast("BooleanVar", rx.State.is_hydrated)


# The browser says it lost the network (Reflex's socket only notices on its next failed attempt, up to a minute later).
_BROWSER_OFFLINE = Var(
    _js_expr="browserOffline",
    _var_type=bool,
    _var_data=VarData(
        imports={"react": [ImportVar(tag="useState"), ImportVar(tag="useEffect")]},
        hooks={
            "const [browserOffline, setBrowserOffline] = useState("
            "typeof navigator !== 'undefined' && navigator.onLine === false);": None,
            "useEffect(() => { const on = () => setBrowserOffline(false); const off = () => setBrowserOffline(true);"
            " window.addEventListener('online', on); window.addEventListener('offline', off);"
            " return () => { window.removeEventListener('online', on); window.removeEventListener('offline', off); };"
            " }, []);": None,
        },
    ),
).to(BooleanVar)


def connection_banner() -> rx.Component:
    """The banner shown while the server cannot be reached, in the person's language; it clears on reconnect.

    Returns:
        The banner (nothing while connected).
    """
    return rx.cond(
        has_connection_errors | _BROWSER_OFFLINE,
        rx.box(
            rx.hstack(
                rx.icon("wifi_off", size=18, flex_shrink="0"),
                rx.text(T("connection.lost"), weight="bold", size="2"),
                rx.text(T("connection.lost_hint"), size="2", display=["none", "inline"]),
                align="center",
                justify="center",
                spacing="2",
                wrap="wrap",
            ),
            role="status",
            aria_live="polite",
            position="fixed",
            top="0",
            left="0",
            right="0",
            z_index="9999",
            padding="0.6rem 1rem",
            background=rx.color("amber", 3),
            color=rx.color("amber", 12),
            border_bottom=f"1px solid {rx.color('amber', 7)}",
            box_shadow=styles.CARD_SHADOW,
            data_testid="connection-banner",
        ),
    )


def connection_overlay(stateful: bool) -> rx.Component | None:
    """The app-wide overlay in place of Reflex's (its English toast and pulsing icon): Plume's banner.

    Registered as the `(5, "Overlay")` app wrap in `app/app.py`, the slot Reflex's default overlay fills.

    Args:
        stateful: Whether the app has state (always, for Plume).

    Returns:
        The overlay.
    """
    return connection_banner() if stateful else None


def logo() -> rx.Component:
    """Plume's wordmark.

    Returns:
        The logo, linking home.
    """
    return rx.link(
        rx.hstack(
            rx.icon("feather", size=22, color=rx.color(styles.ACCENT, 9)),
            rx.text("Plume", size="5", weight="bold", color=rx.color("gray", 12)),
            spacing="2",
            align="center",
        ),
        href=routes.HOME,
        underline="none",
        aria_label="Plume",
    )


def language_switch() -> rx.Component:
    """FR / EN buttons.

    Returns:
        The switch.
    """
    return rx.segmented_control.root(
        rx.segmented_control.item("FR", value="fr"),
        rx.segmented_control.item("EN", value="en"),
        value=SessionState.lang,
        on_change=SessionState.set_language,
        size="1",
        aria_label=T("lang.label"),
        id="language-switch",
    )


def organisation_switcher() -> rx.Component:
    """The organisation selector (only when the person belongs to several).

    Returns:
        The switcher.
    """
    return rx.cond(
        SessionState.organisations.length() > 1,
        rx.select.root(
            # On a phone the switcher shrinks (its name cut with an ellipsis) so the header keeps to one row.
            rx.select.trigger(
                aria_label=T("nav.organisation"),
                id="org-switcher",
                min_width=["0", "12rem"],
                max_width=["10rem", "18rem"],
                flex_shrink="1",
            ),
            rx.select.content(
                rx.foreach(
                    SessionState.organisations,
                    lambda org: rx.select.item(org.name.to(str), value=org.id.to_string()),
                )
            ),
            value=SessionState.organisation_id.to_string(),
            on_change=SessionState.switch_organisation,
        ),
        rx.cond(
            SessionState.organisation_name != "",
            rx.badge(
                SessionState.organisation_name,
                size="2",
                variant="soft",
                color_scheme="gray",
                id="org-name",
                display=["none", "inline-flex"],
            ),
        ),
    )


def notifications_menu() -> rx.Component:
    """The bell: the person's latest notifications, with the unread count.

    Returns:
        The menu.
    """
    return rx.menu.root(
        rx.menu.trigger(
            rx.box(
                rx.icon_button(
                    rx.icon("bell", size=18), variant="ghost", aria_label=T("nav.notifications"), id="notifications"
                ),
                rx.cond(
                    SessionState.unread > 0,
                    rx.badge(
                        SessionState.unread.to_string(),
                        color_scheme="red",
                        radius="full",
                        size="1",
                        position="absolute",
                        top="-4px",
                        right="-6px",
                        pointer_events="none",
                        data_testid="unread-count",
                    ),
                ),
                position="relative",
            ),
        ),
        rx.menu.content(
            rx.cond(
                SessionState.notifications.length() > 0,
                rx.foreach(
                    SessionState.notifications,
                    lambda n: rx.menu.item(
                        rx.vstack(
                            rx.text(
                                rx.match(
                                    n.kind.to(str),
                                    (
                                        "participants_message",
                                        Tf("notifications.participants_message", title=n.title.to(str)),
                                    ),
                                    Tf("notifications.trainer_positioned", title=n.title.to(str)),
                                ),
                                size="2",
                                weight=rx.cond(n.unread.to(bool), "bold", "regular"),
                            ),
                            rx.text(n.created_at.to(str), size="1", color_scheme="gray"),
                            spacing="0",
                        ),
                        on_select=rx.redirect(n.link.to(str)),
                    ),
                ),
                rx.menu.item(T("notifications.empty"), disabled=True),
            ),
            min_width="18rem",
        ),
        on_open_change=SessionState.read_notifications,
    )


def user_menu() -> rx.Component:
    """The avatar menu: profile and sign-out.

    Returns:
        The menu.
    """
    return rx.menu.root(
        rx.menu.trigger(
            rx.button(
                rx.avatar(fallback=SessionState.initials, size="2", radius="full"),
                rx.text(SessionState.user_name, display=["none", "none", "inline"], size="2"),
                rx.icon("chevron_down", size=16),
                variant="ghost",
                aria_label=T("nav.user_menu"),
                id="user-menu",
            )
        ),
        rx.menu.content(
            rx.menu.item(rx.text(SessionState.user_email, size="1", color_scheme="gray"), disabled=True),
            rx.menu.separator(),
            rx.menu.item(rx.hstack(rx.icon("user", size=16), T("nav.profile")), on_select=rx.redirect(routes.PROFILE)),
            rx.menu.item(
                rx.hstack(rx.icon("log_out", size=16), T("nav.sign_out")),
                on_select=SessionState.sign_out,
                color_scheme="red",
            ),
        ),
    )


def _nav_link(label_key: str, href: str, icon: str) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon(icon, size=16), rx.text(T(label_key), size="2"), spacing="2", align="center"),
        href=href,
        underline="none",
        color=rx.color("gray", 11),
        padding_x="0.6rem",
        padding_y="0.35rem",
        border_radius="0.4rem",
        white_space="nowrap",
        flex_shrink="0",
        _hover={"background": rx.color("gray", 3), "color": rx.color("gray", 12)},
    )


def staff_nav() -> rx.Component:
    """The staff's section links.

    Returns:
        The navigation.
    """
    return rx.cond(
        SessionState.is_staff,
        rx.hstack(
            _nav_link("nav.dashboard", routes.HOME, "layout_dashboard"),
            _nav_link("nav.sessions", routes.SESSIONS, "calendar_days"),
            _nav_link("nav.catalogue", routes.CATALOGUE, "book_open"),
            _nav_link("nav.questionnaires", routes.QUESTIONNAIRES, "clipboard_list"),
            _nav_link("nav.competencies", routes.COMPETENCIES, "award"),
            _nav_link("nav.trainers", routes.TRAINERS, "users"),
            _nav_link("nav.templates", routes.TEMPLATES, "mail"),
            _nav_link("nav.outbox", routes.OUTBOX, "send"),
            _nav_link("nav.tutoring", routes.TUTORING, "chart_pie"),
            _nav_link("nav.archives", routes.ARCHIVES, "archive"),
            _nav_link("nav.settings", routes.SETTINGS, "settings"),
            spacing="1",
            width="100%",
            # On a phone the links scroll sideways: the right edge fades to say there is more. On a desktop
            # they wrap onto a second row rather than hide the last ones (ten links are wider than 1366 px).
            overflow_x=rx.breakpoints(initial="auto", lg="visible"),
            flex_wrap=rx.breakpoints(initial="nowrap", lg="wrap"),
            mask_image=rx.breakpoints(initial="linear-gradient(to right, black 85%, transparent)", lg="none"),
            id="staff-nav",
        ),
        rx.cond(
            SessionState.is_tutor,
            rx.hstack(
                _nav_link("nav.home", routes.HOME, "house"),
                _nav_link("nav.tutoring", routes.TUTORING, "chart_pie"),
                _nav_link("nav.archives", routes.ARCHIVES, "archive"),
                spacing="1",
                width="100%",
            ),
            # A trainer asks staff for a course there (*Demander la mise à disposition d'un parcours*).
            rx.cond(
                cast("ArrayVar[list[str]]", SessionState.roles).contains("trainer"),
                rx.hstack(
                    _nav_link("nav.home", routes.HOME, "house"),
                    _nav_link("nav.agenda", routes.AGENDA, "calendar"),
                    _nav_link("nav.course_requests", routes.COURSE_REQUESTS, "book_plus"),
                    _nav_link("nav.questionnaires", routes.QUESTIONNAIRES, "clipboard_list"),
                    spacing="1",
                    width="100%",
                    overflow_x="auto",  # four links: on a phone they scroll sideways
                ),
                # A learner follows their sessions from home, and their slots across organisations in the agenda.
                rx.hstack(
                    _nav_link("nav.home", routes.HOME, "house"),
                    _nav_link("nav.agenda", routes.AGENDA, "calendar"),
                    spacing="1",
                    width="100%",
                ),
            ),
        ),
    )


def header() -> rx.Component:
    """The top bar of signed-in pages.

    Returns:
        The header.
    """
    return rx.box(
        rx.vstack(
            rx.hstack(
                logo(),
                organisation_switcher(),
                rx.spacer(),
                notifications_menu(),
                user_menu(),
                align="center",
                width="100%",
                spacing=rx.breakpoints(initial="2", sm="4"),
                wrap="nowrap",  # one row on a 390 px phone too, for every role
                min_width="0",
            ),
            staff_nav(),
            max_width=styles.MAX_WIDTH,
            margin_x="auto",
            width="100%",
            spacing="2",
        ),
        as_="header",
        id="app-header",
        background="white",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        padding_x=["1rem", "1.5rem"],
        padding_y="0.75rem",
        position="sticky",
        top="0",
        z_index="10",
    )


def shell(*children: rx.Component, title_key: str = "") -> rx.Component:
    """A signed-in page: header, then the content (a spinner until the session is known).

    Args:
        *children: The page content.
        title_key: i18n key of the page heading.

    Returns:
        The page.
    """
    return rx.box(
        header(),
        rx.box(
            rx.cond(
                SessionState.signed_in,
                rx.vstack(
                    rx.cond(title_key != "", rx.heading(T(title_key) if title_key else "", size="7", as_="h1")),
                    *children,
                    spacing="5",
                    width="100%",
                    align="stretch",
                ),
                rx.center(rx.spinner(size="3"), rx.text(T("common.loading"), margin_left="0.5rem"), padding="4rem"),
            ),
            as_="main",
            max_width=styles.MAX_WIDTH,
            margin_x="auto",
            padding_x=["1rem", "1.5rem"],
            padding_y="1.5rem",
        ),
        min_height="100vh",
        background=styles.PAGE_BG,
        data_hydrated=_IS_HYDRATED.to_string(),
    )


def gated_page(loading: Var[bool] | None, found: Var[bool] | None, body: rx.Component) -> rx.Component:
    """A signed-in page about one thing: a spinner while it loads, then it, or the not-found panel.

    Args:
        loading: Whether the page's data is still loading (None: a page that shows no spinner).
        found: Whether the person may see it, a forbidden thing looking missing (None: a page anyone signed in sees).
        body: The page's content.

    Returns:
        The page.
    """
    shown = body if found is None else rx.cond(found, body, not_found_panel())
    return shell(shown if loading is None else rx.cond(loading, loading_spinner("3rem"), shown))


def auth_card(title_key: str, subtitle: rx.Component | None, *children: rx.Component) -> rx.Component:
    """A centred card for sign-in, sign-up and the other account pages.

    Args:
        title_key: i18n key of the heading.
        subtitle: A line under the heading.
        *children: The form.

    Returns:
        The page.
    """
    return rx.center(
        rx.vstack(
            rx.hstack(logo(), rx.spacer(), language_switch(), width="100%", align="center"),
            rx.card(
                rx.vstack(
                    rx.heading(T(title_key), size="6", as_="h1"),
                    subtitle if subtitle is not None else rx.fragment(),
                    *children,
                    spacing="4",
                    width="100%",
                ),
                size="4",
                width="100%",
                box_shadow=styles.CARD_SHADOW,
            ),
            rx.text(T("app.tagline"), size="1", color_scheme="gray", align="center", width="100%"),
            spacing="4",
            width="100%",
            max_width=styles.AUTH_WIDTH,
        ),
        min_height="100vh",
        padding=["1rem", "2rem"],
        background=f"linear-gradient(160deg, {rx.color(styles.ACCENT, 2)} 0%, {rx.color('gray', 2)} 60%)",
        data_hydrated=_IS_HYDRATED.to_string(),
    )


def not_found_panel() -> rx.Component:
    """The answer to a page one may not see (same as a missing one).

    Returns:
        The panel.
    """
    return rx.center(
        rx.vstack(
            rx.icon("search_x", size=40, color=rx.color("gray", 9)),
            rx.heading(T("common.not_found_title"), size="5"),
            rx.text(T("common.not_found_body"), color_scheme="gray"),
            rx.link(T("common.back_home"), href=routes.HOME),
            align="center",
            spacing="3",
        ),
        padding="4rem",
        width="100%",
    )


def page_header(
    title: str | Var[str],
    subtitle: str | Var[str] | rx.Component,
    action: rx.Component | None = None,
) -> rx.Component:
    """A page's heading with the line under it and, at the right, the page's main button.

    Args:
        title: i18n key of the heading, or its text.
        subtitle: i18n key of the line under it, its text, or a ready line.
        action: The button (None: a page without one).

    Returns:
        The header.
    """
    line = (
        subtitle
        if isinstance(subtitle, rx.Component)
        else rx.text(T(subtitle) if isinstance(subtitle, str) else subtitle, size="2", color_scheme="gray")
    )
    heading = rx.vstack(
        rx.heading(T(title) if isinstance(title, str) else title, size="7", as_="h1"), line, spacing="1"
    )
    if action is None:
        return heading
    return rx.hstack(heading, rx.spacer(), action, width="100%", align="end", wrap="wrap", spacing="3")


def form_card(
    *children: rx.Component,
    on_submit: Handler,
    key: Var | str | None = None,
    spacing: str = "3",
    **props: Any,
) -> rx.Component:
    """A form in its card, its fields and buttons stacked.

    Args:
        *children: The form's content, top to bottom.
        on_submit: The form's handler.
        key: The form's key (a new one empties the fields).
        spacing: Room between the lines.
        **props: More props of the card (max_width, data_testid…).

    Returns:
        The card.
    """
    form_props = {} if key is None else {"key": key}
    return rx.card(
        rx.form(rx.vstack(*children, spacing=spacing, width="100%"), on_submit=on_submit, width="100%", **form_props),
        width="100%",
        box_shadow=styles.CARD_SHADOW,
        **props,
    )


def dialog_frame(
    is_open: Var[bool] | None, body: rx.Component, *, on_close: Handler, max_width: str = "36rem", **props: Any
) -> rx.Component:
    """A dialog mounted only while open (a closed Radix dialog lingers and swallows clicks); Escape closes it.

    Args:
        is_open: Whether it shows (None: the caller mounts it only while open).
        body: Its content.
        on_close: The handler closing it.
        max_width: Its width.
        **props: More props of its content (e.g. `on_interact_outside` to close it on a click outside).

    Returns:
        The dialog.
    """
    dialog = rx.dialog.root(
        rx.dialog.content(body, max_width=max_width, on_escape_key_down=on_close, **props),
        open=True,
    )
    return dialog if is_open is None else rx.cond(is_open, dialog)


def dialog_actions(on_close: Handler, *buttons: rx.Component, close_key: str = "common.cancel") -> rx.Component:
    """A dialog's buttons, at the right: the one closing it, then the others.

    Args:
        on_close: The handler closing the dialog.
        *buttons: The buttons after it (the dialog's action).
        close_key: i18n key of the closing button.

    Returns:
        The row.
    """
    return rx.hstack(
        rx.button(T(close_key), type="button", variant="soft", color_scheme="gray", on_click=on_close),
        *buttons,
        justify="end",
        spacing="2",
        width="100%",
    )
