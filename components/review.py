"""The review card of a session page: an enrolled learner rates the course from 1 to 5 stars and comments."""

from __future__ import annotations

import reflex as rx

from components import styles
from components.forms import message_text
from components.i18n import T, Tn
from state.tutoring_courses import ReviewState


def _star(n: int) -> rx.Component:
    on = ReviewState.stars >= n
    return rx.icon_button(
        rx.icon("star", size=22, fill=rx.cond(on, "currentColor", "none")),
        variant="ghost",
        color_scheme=rx.cond(on, "amber", "gray"),
        size="2",
        type="button",
        on_click=ReviewState.set_stars(n),  # type: ignore[operator]  # forms.Handler: mypy misreads @rx.event
        aria_label=Tn("review.star", n),
        aria_pressed=rx.cond(ReviewState.stars == n, "true", "false"),
    )


def _thanks() -> rx.Component:
    return rx.vstack(
        rx.callout(T("review.thanks"), icon="circle_check", color_scheme="green", role="status", width="100%"),
        rx.hstack(
            rx.text(
                ReviewState.stars_text,
                color=rx.color("amber", 9),
                size="4",
                role="img",
                aria_label=Tn("tcourses.review.stars", ReviewState.stars, stars=ReviewState.stars.to_string()),
            ),
            rx.spacer(),
            rx.button(T("review.edit"), size="1", variant="ghost", on_click=ReviewState.edit),
            width="100%",
            align="center",
        ),
        rx.cond(ReviewState.comment != "", rx.text(ReviewState.comment, size="2", white_space="pre-wrap")),
        spacing="2",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.hstack(*[_star(n) for n in range(1, 6)], spacing="1", role="group", aria_label=T("review.rating")),
            rx.text_area(
                name="comment",
                default_value=ReviewState.comment,
                placeholder=T("review.placeholder"),
                aria_label=T("review.comment"),
                max_length=2000,
                rows="4",
                width="100%",
            ),
            message_text(ReviewState.error),
            rx.hstack(
                rx.button(rx.icon("send", size=14), T("review.send"), type="submit"),
                justify="end",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=ReviewState.submit,
        width="100%",
    )


def review_card() -> rx.Component:
    """The learner's review of the session's course; nothing for anyone who may not review.

    Bind `ReviewState.load` to the page's on_load (it reads `/sessions/<id>`).

    Returns:
        The card.
    """
    return rx.cond(
        ReviewState.can_review,
        rx.card(
            rx.vstack(
                rx.heading(T("review.title"), size="4", as_="h2"),
                rx.text(T("review.hint"), size="2", color_scheme="gray"),
                rx.cond(ReviewState.sent, _thanks(), _form()),
                spacing="3",
                width="100%",
            ),
            width="100%",
            box_shadow=styles.CARD_SHADOW,
            id="course-review",
        ),
    )
