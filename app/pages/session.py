"""A training session's page: header, modules list (left), horizontal timeline (centre)."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from components import styles
from components.cards import empty_state
from components.i18n import T, Tf
from components.layout import not_found_panel, shell
from state.session_page import SessionPageState

KIND_ICONS = {
    "in_person": "users",
    "virtual_class": "video",
    "appointment": "calendar_check",
    "diagnostic": "clipboard_check",
    "third_party_evaluation": "list_checks",
    "certification": "award",
    "quality_evaluation": "smile",
    "document": "file_text",
    "video": "circle_play",
    "elearning": "monitor_play",
    "assignment": "briefcase",
    "observation": "eye",
    "quiz": "circle_help",
    "poll": "chart_bar",
    "webinar": "link",
    "self_assessment": "gauge",
}
PHASE_COLORS = {"before": "sky", "during": "indigo", "after": "teal"}


def _date_fr(value: Var) -> Var:
    text = value.to(str)
    return text[8:10] + "/" + text[5:7] + "/" + text[0:4]


def _kind_icon(kind: Var) -> rx.Component:
    return rx.match(kind, *[(k, rx.icon(icon, size=16)) for k, icon in KIND_ICONS.items()], rx.icon("square", size=16))


def _kind_label(kind: Var) -> rx.Component:
    return rx.match(kind, *[(k, T(f"kind.{k}")) for k in KIND_ICONS], kind.to(str))


def _phase_badge(phase: Var) -> rx.Component:
    return rx.match(
        phase,
        *[(p, rx.badge(T(f"phase.{p}"), color_scheme=c, variant="soft")) for p, c in PHASE_COLORS.items()],
        rx.badge(phase.to(str)),
    )


def _rule(module: Var[dict[str, Any]]) -> rx.Component:
    rule = module["opening_rule"].to(str)
    return rx.text(
        rx.match(
            rule,
            ("date", Tf("rule.date", date=_date_fr(module["opens_at"]))),
            ("after_previous", T("rule.after_previous")),
            T("rule.always"),
        ),
        size="1",
        color_scheme="gray",
    )


def _activity_card(activity: Var[dict[str, Any]]) -> rx.Component:
    return rx.hstack(
        rx.center(
            _kind_icon(activity["kind"].to(str)),
            color=rx.color(styles.ACCENT, 11),
            background=rx.color(styles.ACCENT, 3),
            border_radius="0.4rem",
            width="2rem",
            height="2rem",
            flex_shrink="0",
        ),
        rx.vstack(
            rx.text(activity["title"].to(str), size="2", weight="medium"),
            rx.text(_kind_label(activity["kind"].to(str)), size="1", color_scheme="gray"),
            spacing="0",
        ),
        spacing="2",
        align="center",
        padding="0.5rem",
        border=f"1px solid {rx.color('gray', 4)}",
        border_radius="0.5rem",
        background="white",
        width="100%",
        data_testid="activity-card",
    )


def _module_column(module: Var[dict[str, Any]]) -> rx.Component:
    activities = module["activities"].to(list[dict[str, Any]])
    return rx.card(
        rx.vstack(
            rx.hstack(
                _phase_badge(module["phase"].to(str)),
                rx.spacer(),
                rx.cond(
                    module["locked"].to(bool),
                    rx.badge(rx.icon("lock", size=12), T("session.locked"), color_scheme="gray"),
                ),
                width="100%",
            ),
            rx.heading(module["title"].to(str), size="3", as_="h3"),
            _rule(module),
            rx.cond(
                module["locked"].to(bool),
                rx.fragment(),
                rx.cond(
                    activities.length() > 0,
                    rx.vstack(rx.foreach(activities, _activity_card), spacing="2", width="100%"),
                    rx.text(T("session.no_activity"), size="2", color_scheme="gray"),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        min_width="17rem",
        max_width="17rem",
        box_shadow=styles.CARD_SHADOW,
        opacity=rx.cond(module["locked"].to(bool), "0.7", "1"),
        data_testid="timeline-module",
    )


def _module_row(module: Var[dict[str, Any]], index: Var[int]) -> rx.Component:
    title = module["title"].to(str)
    return rx.hstack(
        rx.cond(
            module["locked"].to(bool),
            rx.icon("lock", size=14, color=rx.color("gray", 9)),
            rx.icon("circle", size=10, color=rx.color(styles.ACCENT, 9)),
        ),
        rx.vstack(
            rx.text(title, size="2", weight="medium"),
            rx.hstack(_phase_badge(module["phase"].to(str)), spacing="1"),
            spacing="1",
            flex="1",
        ),
        rx.cond(
            SessionPageState.can_edit,
            rx.hstack(
                rx.icon_button(
                    rx.icon("chevron_up", size=14),
                    size="1",
                    variant="soft",
                    aria_label=Tf("session.move_up", title=title),
                    on_click=SessionPageState.move_module(module["id"].to(str), -1),
                ),
                rx.icon_button(
                    rx.icon("chevron_down", size=14),
                    size="1",
                    variant="soft",
                    aria_label=Tf("session.move_down", title=title),
                    on_click=SessionPageState.move_module(module["id"].to(str), 1),
                ),
                spacing="1",
            ),
        ),
        width="100%",
        align="center",
        padding="0.5rem",
        border_radius="0.4rem",
        _hover={"background": rx.color("gray", 3)},
        data_testid="module-row",
    )


def _header() -> rx.Component:
    view = SessionPageState.view
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(view["course_title"].to(str), size="7", as_="h1"),
                rx.spacer(),
                rx.match(
                    view["status"].to(str),
                    *[
                        (s, rx.badge(T(f"session.status.{s}"), size="2"))
                        for s in ("draft", "active", "finished", "archived")
                    ],
                    rx.fragment(),
                ),
                width="100%",
                align="start",
                wrap="wrap",
            ),
            rx.text(view["title"].to(str), color_scheme="gray"),
            rx.hstack(
                rx.hstack(
                    rx.icon("calendar", size=15),
                    rx.text(
                        Tf("home.from_to", start=_date_fr(view["starts_on"]), end=_date_fr(view["ends_on"])), size="2"
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.cond(
                    view["place"].to(str) != "",
                    rx.hstack(
                        rx.icon("map_pin", size=15),
                        rx.text(view["place"].to(str), size="2"),
                        spacing="2",
                        align="center",
                    ),
                ),
                rx.hstack(
                    rx.icon("presentation", size=15),
                    rx.cond(
                        view["trainers"].to(str) != "",
                        rx.text(Tf("session.trainers", names=view["trainers"].to(str)), size="2"),
                        rx.text(T("session.no_trainer"), size="2", color_scheme="gray"),
                    ),
                    spacing="2",
                    align="center",
                ),
                spacing="5",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        box_shadow=styles.CARD_SHADOW,
    )


def _body() -> rx.Component:
    return rx.vstack(
        _header(),
        rx.cond(
            SessionPageState.modules.length() > 0,
            rx.flex(
                rx.card(
                    rx.vstack(
                        rx.heading(T("session.modules"), size="4", as_="h2"),
                        rx.vstack(
                            rx.foreach(SessionPageState.modules, _module_row),
                            spacing="1",
                            width="100%",
                            id="module-list",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    width=["100%", "100%", "18rem"],
                    flex_shrink="0",
                    box_shadow=styles.CARD_SHADOW,
                    as_="nav",
                ),
                rx.vstack(
                    rx.heading(T("session.timeline"), size="4", as_="h2"),
                    rx.hstack(
                        rx.foreach(SessionPageState.modules, _module_column),
                        spacing="3",
                        overflow_x="auto",
                        width="100%",
                        padding_bottom="0.5rem",
                        align="start",
                        id="timeline",
                    ),
                    spacing="3",
                    min_width="0",
                    flex="1",
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="4",
                width="100%",
            ),
            empty_state("session.empty", "layers"),
        ),
        spacing="4",
        width="100%",
    )


def session_page() -> rx.Component:
    """A session's page.

    Returns:
        The page.
    """
    return shell(
        rx.cond(
            SessionPageState.loading,
            rx.center(rx.spinner(size="3"), padding="3rem"),
            rx.cond(SessionPageState.found, _body(), not_found_panel()),
        )
    )
