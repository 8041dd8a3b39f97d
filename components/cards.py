"""Session cards and figure tiles."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import StringVar

from app.services.home import SessionCard
from components import styles
from components.i18n import T, Tf, Tn


def _date_fr(value: Var) -> StringVar:
    """Render an ISO date (YYYY-MM-DD…) as DD/MM/YYYY in the browser."""
    text = value.to(str)
    return text[8:10] + "/" + text[5:7] + "/" + text[0:4]


def session_card(card: ObjectVar[SessionCard], unread: ObjectVar[dict[str, str]] | None = None) -> rx.Component:
    """One session: course title, dates, next slot (and its chat's unread messages).

    Args:
        card: The session's card data.
        unread: Session id → unread chat messages, for the sessions that have some.

    Returns:
        The card.
    """
    next_slot = card.next_slot.to(str)
    sid = card.id.to_string()  # the unread map's keys are the ids as text
    unread_badge = (
        rx.cond(
            unread.contains(sid),
            rx.badge(
                rx.icon("message_circle", size=12),
                Tn("home.unread", unread[sid].to(int)),
                color_scheme="red",
                data_testid="unread-badge",
            ),
        )
        if unread is not None
        else rx.fragment()
    )
    return rx.link(
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(card.course_title.to(str), size="4", as_="h3"),
                    rx.spacer(),
                    rx.cond(card.status.to(str) == "draft", rx.badge(T("home.draft"), color_scheme="gray")),
                    unread_badge,
                    width="100%",
                    align="start",
                ),
                rx.cond(
                    card.title.to(str) != card.course_title.to(str),
                    rx.text(card.title.to(str), size="2", color_scheme="gray"),
                ),
                rx.hstack(
                    rx.icon("calendar", size=15, color=rx.color("gray", 10)),
                    rx.text(Tf("home.from_to", start=_date_fr(card.starts_on), end=_date_fr(card.ends_on)), size="2"),
                    spacing="2",
                    align="center",
                ),
                rx.hstack(
                    rx.icon("clock", size=15, color=rx.color("gray", 10)),
                    rx.cond(
                        card.running_until.to(str) != "",
                        # A slot already started is not the "next" one: say until when it runs (Paris time).
                        rx.text(
                            Tf("home.running_until", time=card.running_until.to(str)),
                            size="2",
                            weight="medium",
                            color=rx.color("green", 11),
                            data_testid="slot-running",
                        ),
                        rx.cond(
                            next_slot != "",
                            rx.text(
                                Tf("home.next_slot", when=_date_fr(next_slot) + " " + next_slot[11:16]),
                                size="2",
                            ),
                            rx.text(T("home.no_next_slot"), size="2", color_scheme="gray"),
                        ),
                    ),
                    spacing="2",
                    align="center",
                ),
                rx.hstack(
                    rx.cond(
                        card.place.to(str) != "",
                        rx.hstack(
                            rx.icon("map_pin", size=15, color=rx.color("gray", 10)),
                            rx.text(card.place.to(str), size="2"),
                            spacing="2",
                            align="center",
                        ),
                    ),
                    rx.spacer(),
                    rx.badge(Tn("home.learners", card.learners.to(int)), variant="soft"),
                    width="100%",
                    align="center",
                ),
                spacing="2",
                width="100%",
            ),
            size="2",
            width="100%",
            box_shadow=styles.CARD_SHADOW,
            data_testid="session-card",
            _hover={"box_shadow": f"0 0 0 2px {rx.color(styles.ACCENT, 7)}"},
        ),
        href="/sessions/" + sid,
        underline="none",
        color="inherit",
        width="100%",
    )


def figure_tile(label_key: str, value: Var, icon: str) -> rx.Component:
    """A dashboard figure.

    Args:
        label_key: i18n key of the label.
        value: The number.
        icon: Lucide icon name.

    Returns:
        The tile.
    """
    return rx.card(
        rx.hstack(
            rx.center(
                rx.icon(icon, size=20, color=rx.color(styles.ACCENT, 11)),
                background=rx.color(styles.ACCENT, 3),
                border_radius="0.5rem",
                width="2.5rem",
                height="2.5rem",
            ),
            rx.vstack(
                rx.text(value.to_string(), size="6", weight="bold"),
                rx.text(T(label_key), size="2", color_scheme="gray"),
                spacing="0",
            ),
            spacing="3",
            align="center",
        ),
        box_shadow=styles.CARD_SHADOW,
    )


def join_button(link: Var, *, size: str = "3") -> rx.Component:
    """The "Rejoindre la classe virtuelle" button: the meeting link, in a new tab (`app.services.attendance.join`).

    Args:
        link: The meeting URL the join rule gave.
        size: The button's size.

    Returns:
        The link as a button.
    """
    return rx.link(
        rx.button(rx.icon("video", size=18), T("join.start"), size=size, color_scheme="green", width="100%"),
        href=link.to(str),
        is_external=True,
        width="100%",
        data_testid="join-link",
    )


def virtual_class_join(activity: ObjectVar[dict[str, Any]]) -> rx.Component:
    """A virtual class's panel: join it now, or why not (`app.services.attendance.join`'s answer).

    Args:
        activity: The open activity (`join_link`, `join_signed`, `join_over`).

    Returns:
        The join button, or a note.
    """
    return rx.cond(
        activity["join_link"].to(str) != "",
        join_button(activity["join_link"]),
        rx.callout(
            rx.cond(
                activity["join_over"].to(bool),
                T("join.over"),
                rx.cond(activity["join_signed"].to(bool), T("join.not_yet"), T("activity.virtual_gate")),
            ),
            icon="lock",
            color_scheme="gray",
        ),
    )
