"""A trainer's page: *Demander la mise à disposition d'un parcours*, and the answers to their requests."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from app.services.course_requests import RequestRow
from components import styles
from components.forms import field, form_message
from components.i18n import T, Tf
from components.layout import gated_page
from components.tables import empty_state, list_or_empty, page_summary, pager_bar, status_badge
from state.auth import field_errors_of
from state.course_requests import CourseRequestsState
from state.session import SessionState

REQUEST_COLOURS = {"pending": "amber", "approved": "green", "refused": "red"}


def hours_fr(value: rx.Var) -> rx.Var:
    """Hours as the reader writes a decimal: "2,5" in French, "2.5" in English.

    Args:
        value: The hours (a number var).

    Returns:
        The text var.
    """
    text = value.to_string()
    return rx.cond(SessionState.lang == "en", text, text.to(str).replace(".", ",")).to(str)


def request_hours(row: ObjectVar[RequestRow]) -> rx.Component:
    """A request's durations: "6 h à distance · 2,5 h en présentiel".

    Args:
        row: The request.

    Returns:
        The line.
    """
    return rx.text(
        Tf("catalogue.hours", remote=hours_fr(row.remote_hours), in_person=hours_fr(row.in_person_hours)),
        size="2",
        color_scheme="gray",
    )


def _request_card(row: ObjectVar[RequestRow]) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(row.title.to(str), weight="bold"),
                rx.spacer(),
                status_badge(row.status.to(str), "offer.status", REQUEST_COLOURS),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            request_hours(row),
            rx.cond(
                row.origin.to(str) != "",
                rx.text(Tf("offer.origin_is", origin=row.origin.to(str)), size="2"),
            ),
            rx.text(Tf("offer.lead_is", lead=row.pedagogical_lead.to(str)), size="2"),
            rx.text(Tf("offer.requested_on", day=row.requested_on.to(str)), size="1", color_scheme="gray"),
            rx.cond(
                row.status.to(str) == "refused",
                rx.callout(Tf("offer.refusal_reason", reason=row.reason.to(str)), color_scheme="red", size="1"),
            ),
            spacing="1",
            width="100%",
        ),
        width="100%",
        data_testid="my-course-request",
    )


def course_requests_page() -> rx.Component:
    """The trainer's request form and requests.

    Returns:
        The page.
    """
    errors = field_errors_of(CourseRequestsState)
    return gated_page(
        CourseRequestsState.loading,
        CourseRequestsState.allowed,
        rx.vstack(
            rx.vstack(
                rx.heading(T("offer.requests_title"), size="7", as_="h1"),
                rx.text(T("offer.requests_subtitle"), size="2", color_scheme="gray"),
                spacing="1",
            ),
            rx.card(
                rx.form(
                    rx.vstack(
                        rx.heading(T("offer.request_new"), size="4", as_="h2"),
                        field("offer.request_title", "title", error=errors.get("title", ""), required=True),
                        rx.grid(
                            field("offer.origin", "origin", hint_key="offer.origin_hint"),
                            field(
                                "offer.pedagogical_lead",
                                "pedagogical_lead",
                                error=errors.get("pedagogical_lead", ""),
                                required=True,
                            ),
                            field(
                                "catalogue.remote_hours",
                                "remote_hours",
                                input_mode="decimal",  # "2,5" as typed (a number input refuses the comma)
                                default_value="0",
                                error=errors.get("remote_hours", ""),
                            ),
                            field(
                                "catalogue.in_person_hours",
                                "in_person_hours",
                                input_mode="decimal",
                                default_value="0",
                                error=errors.get("in_person_hours", ""),
                            ),
                            columns=rx.breakpoints(initial="1", sm="2"),
                            spacing="3",
                            width="100%",
                        ),
                        form_message(CourseRequestsState.error),
                        form_message(CourseRequestsState.notice, tone="green"),
                        rx.button(T("offer.request_send"), type="submit", loading=CourseRequestsState.busy),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=CourseRequestsState.submit,
                    key=CourseRequestsState.form_key.to_string(),
                    width="100%",
                ),
                width="100%",
                box_shadow=styles.CARD_SHADOW,
            ),
            rx.heading(T("offer.my_requests"), size="5", as_="h2"),
            list_or_empty(
                None,
                CourseRequestsState.rows,
                rx.vstack(rx.foreach(CourseRequestsState.rows, _request_card), spacing="3", width="100%"),
                empty_state("offer.no_requests", "inbox"),
            ),
            rx.cond(
                CourseRequestsState.pages > 1,
                pager_bar(CourseRequestsState, page_summary(CourseRequestsState, "offer.requests_summary")),
            ),
            spacing="4",
            width="100%",
        ),
    )
