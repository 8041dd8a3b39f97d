"""Session cards and figure tiles."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import StringVar

from app.services.home import SessionCard
from components import styles
from components.i18n import T, Tf


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
                Tf("home.unread", count=unread[sid].to(str)),
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
                        next_slot != "",
                        rx.text(
                            Tf("home.next_slot", when=_date_fr(next_slot) + " " + next_slot[11:16]),
                            size="2",
                        ),
                        rx.text(T("home.no_next_slot"), size="2", color_scheme="gray"),
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
                    rx.badge(Tf("home.learners", count=card.learners.to_string()), variant="soft"),
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
