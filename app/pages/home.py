"""The home page: sessions in progress / upcoming / finished, or the staff dashboard."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app import routes
from app.services.attendance.join import JoinableClass
from app.services.attendance.summaries import OpenSheet
from app.services.follow_up import Segment
from app.services.home import SessionCard
from components.agenda import next_slots
from components.cards import figure_tile, join_button, session_card
from components.follow_up import progress_bar
from components.i18n import T
from components.layout import gated_page
from components.tables import empty_state
from state.home import HomeState

# Reflex 0.10's `Field.__get__` stubs resolve a dict or dataclass field to `ArrayVar[Never]` under mypy
# (its sequence overload swallows them): name the var type the field really has.
_FIGURES = cast("ObjectVar[dict[str, int]]", HomeState.figures)
_UNREAD = cast("ObjectVar[dict[str, str]]", HomeState.unread)


# As many columns of cards as fit, each at least 20rem (so one per row in the desktop's side column), a card
# alone taking the whole row.
_FLUID = "repeat(auto-fit, minmax(min(100%, 20rem), 1fr))"


def _card_with_bar(card: ObjectVar[SessionCard]) -> rx.Component:
    # The bar sits under the card, not inside: the card is one link, and each segment opens its activity.
    return rx.vstack(
        session_card(card, _UNREAD),
        progress_bar(card.segments.to(list[Segment]), session_id=card.id.to_string()),
        spacing="1",
        width="100%",
    )


def _section(title_key: str, cards: ArrayVar[Sequence[SessionCard]], empty_key: str, section_id: str) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(T(title_key), size="5", as_="h2"),
            rx.badge(cards.length().to_string(), variant="soft", radius="full"),
            align="center",
            spacing="2",
        ),
        rx.cond(
            cards.length() > 0,
            rx.grid(
                rx.foreach(cards, _card_with_bar),
                grid_template_columns=_FLUID,
                spacing="4",
                width="100%",
            ),
            empty_state(empty_key, "calendar_x"),
        ),
        spacing="3",
        width="100%",
        id=section_id,
        as_="section",
    )


def _dashboard_card(card: ObjectVar[SessionCard]) -> rx.Component:
    return session_card(card)  # one argument: `foreach` would pass the index as the unread map


def _dashboard() -> rx.Component:
    return rx.vstack(
        rx.heading(T("dashboard.title"), size="7", as_="h1"),
        rx.grid(
            figure_tile("dashboard.in_progress", _FIGURES["in_progress"], "play"),
            figure_tile("dashboard.upcoming", _FIGURES["upcoming"], "calendar_clock"),
            figure_tile("dashboard.learners", _FIGURES["learners"], "graduation_cap"),
            figure_tile("dashboard.trainers", _FIGURES["trainers"], "presentation"),
            figure_tile("dashboard.pending_invitations", _FIGURES["pending_invitations"], "mail_question"),
            figure_tile("dashboard.outbox_failed", _FIGURES["outbox_failed"], "mail_warning"),
            columns=rx.breakpoints(initial="2", md="3"),
            spacing="4",
            width="100%",
        ),
        rx.heading(T("dashboard.sessions"), size="5", as_="h2"),
        rx.cond(
            HomeState.dashboard_sessions.length() > 0,
            rx.grid(
                rx.foreach(HomeState.dashboard_sessions, _dashboard_card),
                columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                spacing="4",
                width="100%",
            ),
            empty_state("dashboard.empty", "calendar_x"),
        ),
        spacing="5",
        width="100%",
    )


def _now_card(content: rx.Component, test_id: str) -> rx.Component:
    """A card of what one may do now (sign, join), in green."""
    return rx.card(
        content,
        width="100%",
        border=f"1px solid {rx.color('green', 6)}",
        background=rx.color("green", 2),
        data_testid=test_id,
    )


def _now_icon(name: str) -> rx.Component:
    return rx.icon(name, size=22, color=rx.color("green", 10), flex_shrink="0")


def _now_lines(activity_title: Var, session_title: Var, when: Var, **props: str) -> rx.Component:
    """The activity, then its session and when."""
    return rx.vstack(
        rx.text(activity_title.to(str), weight="bold"),
        rx.text(session_title.to(str), " · ", when.to(str), size="2", color_scheme="gray"),
        spacing="0",
        min_width="0",
        **props,
    )


def _open_sheet(sheet: ObjectVar[OpenSheet]) -> rx.Component:
    return _now_card(
        rx.hstack(
            _now_icon("pen_line"),
            _now_lines(sheet.activity_title, sheet.session_title, sheet.when, flex="1"),
            rx.link(
                rx.button(T("attendance.open_sheet"), size="3", color_scheme="green"),
                href="/emargement/" + sheet.slot_id.to_string(),
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        "open-sheet",
    )


def _joinable(live: ObjectVar[JoinableClass]) -> rx.Component:
    return _now_card(
        rx.flex(
            rx.hstack(
                _now_icon("video"),
                _now_lines(live.activity_title, live.session_title, live.when),
                align="center",
                spacing="3",
                flex="1",
                min_width="0",
            ),
            rx.box(join_button(live.link), width=rx.breakpoints(initial="100%", sm="auto")),
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="stretch", sm="center"),
            gap="0.75rem",
            width="100%",
        ),
        "joinable-class",
    )


def _my_sessions() -> rx.Component:
    return rx.vstack(
        rx.heading(T("home.title"), size="7", as_="h1"),
        next_slots(HomeState.next_slots),
        rx.cond(
            HomeState.open_sheets.length() > 0,
            rx.vstack(
                rx.text(T("attendance.open_now"), weight="bold", color_scheme="green"),
                rx.foreach(HomeState.open_sheets, _open_sheet),
                spacing="2",
                width="100%",
                as_="section",
            ),
        ),
        rx.cond(
            HomeState.joinable.length() > 0,
            rx.vstack(
                rx.text(T("home.join_now"), weight="bold", color_scheme="green"),
                rx.foreach(HomeState.joinable, _joinable),
                spacing="2",
                width="100%",
                as_="section",
                id="classe-en-cours",
            ),
        ),
        rx.cond(
            HomeState.has_organisation,
            # On a desktop, what runs now takes two thirds of the width and what comes next or ended the last
            # third (one card per row); on a phone or a tablet the three sections follow each other.
            rx.flex(
                rx.box(
                    _section("home.in_progress", HomeState.in_progress, "home.empty_in_progress", "en-cours"),
                    flex="2",
                    min_width="0",
                    width="100%",
                ),
                rx.vstack(
                    _section("home.upcoming", HomeState.upcoming, "home.empty_upcoming", "prochainement"),
                    _section("home.finished", HomeState.finished, "home.empty_finished", "terminees"),
                    # Archived sessions leave these lists; a member still reads their own under "Archives".
                    rx.link(
                        rx.hstack(rx.icon("archive", size=14), T("manage.archives"), spacing="2", align="center"),
                        href=routes.ARCHIVES,
                        size="2",
                        data_testid="archives-link",
                    ),
                    spacing="6",
                    flex="1",
                    min_width="0",
                    width="100%",
                ),
                direction=rx.breakpoints(initial="column", lg="row"),
                gap="2rem",
                width="100%",
                align="start",
            ),
            rx.callout(T("home.no_org"), icon="info"),
        ),
        spacing="5",
        width="100%",
    )


def home_page() -> rx.Component:
    """The home page.

    Returns:
        The page.
    """
    # Everyone signed in has a home: no not-found branch, only the spinner while it loads.
    return gated_page(HomeState.loading, None, rx.cond(HomeState.is_staff, _dashboard(), _my_sessions()))
