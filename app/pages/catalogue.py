"""Staff pages: catalogue, one course, sessions list."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import StringVar

from app.pages.course_requests import request_hours
from app.services.catalogue import CourseRow, SessionRow
from app.services.course_requests import RequestRow
from components import styles
from components.competencies import course_competencies_card
from components.forms import field, form_message
from components.i18n import T, Tf, Tn
from components.layout import form_card, gated_page, page_header
from components.tables import (
    empty_state,
    list_or_empty,
    page_size_select,
    page_summary,
    pager,
    pager_bar,
    stacked_cell,
    stacked_row,
    status_badge,
    table_list,
)
from components.timeline import add_module_form, date_fr, edit_messages, module_column, timeline_strip
from state.auth import field_errors_of
from state.catalogue import CatalogueState, CourseState, SessionsListState
from state.session import SessionState

# Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy (its sequence
# overload swallows mappings): name the var type the field really has.
_COURSE = cast("ObjectVar[dict[str, str]]", CourseState.course)

# mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__` returns the
# callback), so calling one with its arguments carries `# type: ignore[operator]` below.


def _course_fields(
    state: type[CatalogueState] | type[CourseState], values: ObjectVar[dict[str, str]] | None = None
) -> list[rx.Component]:
    errors = field_errors_of(state)

    def value(name: str) -> Any:
        return values[name].to(str) if values is not None else None

    def text_area(key: str, name: str) -> rx.Component:
        return rx.vstack(
            rx.el.label(T(key), html_for=name, class_name="plume-label"),
            rx.text_area(
                id=name, name=name, default_value=value(name) if values is not None else "", rows="3", width="100%"
            ),
            spacing="1",
            width="100%",
        )

    return [
        field(
            "catalogue.course_title",
            "course_title",
            error=errors.get("title", ""),
            default_value=value("title"),
            required=True,
        ),
        rx.grid(
            field("catalogue.short_title", "short_title", default_value=value("short_title")),
            field("catalogue.categories", "categories", default_value=value("categories")),
            field("offer.origin", "origin", default_value=value("origin"), hint_key="offer.origin_hint"),
            field(
                "catalogue.remote_hours",
                "remote_hours",
                input_mode="decimal",  # text, so "2,5" is accepted as typed (a number input refuses it)
                default_value=value("remote_hours") if values is not None else "0",
                error=errors.get("remote_hours", ""),
            ),
            field(
                "catalogue.in_person_hours",
                "in_person_hours",
                input_mode="decimal",
                default_value=value("in_person_hours") if values is not None else "0",
                error=errors.get("in_person_hours", ""),
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        text_area("catalogue.description", "description"),
        text_area("catalogue.objectives", "objectives"),
        text_area("catalogue.competencies", "competencies"),
        text_area("catalogue.target_audience", "target_audience"),
    ]


def _hours(value: StringVar) -> Var[str]:
    """Hours as the reader writes a decimal: "3,5" in French, "3.5" in English."""
    return rx.cond(SessionState.lang == "en", value, value.replace(".", ",")).to(str)


def _course_card(course: ObjectVar[CourseRow]) -> rx.Component:
    return rx.link(
        rx.card(
            rx.vstack(
                rx.cond(
                    course.image.to(str) != "",
                    rx.image(
                        src=course.image.to(str),
                        alt="",
                        width="100%",
                        height="8rem",
                        object_fit="cover",
                        border_radius="0.4rem",
                    ),
                ),
                rx.heading(course.title.to(str), size="4", as_="h3"),
                rx.cond(
                    course.categories.to(str) != "",
                    # One badge per category, wrapping: a long list stays inside its card.
                    rx.flex(
                        rx.foreach(
                            course.categories.to(str).split(","),
                            lambda c: rx.badge(c.strip(), variant="soft", white_space="normal", max_width="100%"),
                        ),
                        wrap="wrap",
                        gap="0.25rem",
                    ),
                ),
                rx.text(
                    Tf(
                        "catalogue.hours",
                        remote=_hours(course.remote_hours.to_string()),
                        in_person=_hours(course.in_person_hours.to_string()),
                    ),
                    size="2",
                    color_scheme="gray",
                ),
                rx.cond(
                    course.origin.to(str) != "",
                    rx.text(Tf("offer.origin_is", origin=course.origin.to(str)), size="2"),
                ),
                rx.text(
                    Tn("catalogue.sessions", course.sessions.to(int)),
                    " · ",
                    Tn("catalogue.modules", course.modules.to(int)),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="2",
            ),
            width="100%",
            box_shadow=styles.CARD_SHADOW,
        ),
        href="/catalogue/" + course.id.to_string(),
        underline="none",
        color="inherit",
        data_testid="course-card",
    )


def _select(label_key: str, name: str, options: rx.Component, value: Var) -> rx.Component:
    return rx.vstack(
        # "offer-" ids: the new-course form on the same page has its own "origin" field.
        rx.el.label(T(label_key), html_for=f"offer-{name}", class_name="plume-label"),
        rx.el.select(options, id=f"offer-{name}", name=name, default_value=value, class_name="plume-select"),
        spacing="1",
        width="100%",
    )


def _filters_form() -> rx.Component:
    """Search and filters of the offer (category, modality, origin, most hours at a distance / in person)."""
    errors = field_errors_of(CatalogueState)
    chosen = cast("ObjectVar[dict[str, str]]", CatalogueState.filters)

    def value(name: str) -> Var[str]:
        return chosen[name].to(str) | ""

    return rx.form(
        rx.vstack(
            rx.hstack(
                rx.input(
                    name="query",
                    placeholder=T("catalogue.search"),
                    aria_label=T("catalogue.search"),
                    default_value=value("query"),
                    flex="1",
                    min_width="0",
                    max_width="24rem",
                ),
                rx.button(rx.icon("search", size=14), T("catalogue.search_button"), type="submit", variant="soft"),
                rx.cond(
                    CatalogueState.filters.length() > 0,
                    rx.button(
                        T("offer.clear_filters"), type="button", variant="ghost", on_click=CatalogueState.clear_filters
                    ),
                ),
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.grid(
                _select(
                    "offer.category",
                    "category",
                    rx.fragment(
                        rx.el.option(T("offer.any"), value=""),
                        rx.foreach(CatalogueState.categories, lambda c: rx.el.option(c, value=c)),
                    ),
                    value("category"),
                ),
                _select(
                    "offer.modality",
                    "modality",
                    rx.fragment(
                        rx.el.option(T("offer.any"), value=""),
                        *[rx.el.option(T(f"offer.modality.{m}"), value=m) for m in ("distance", "presence", "hybrid")],
                    ),
                    value("modality"),
                ),
                _select(
                    "offer.origin",
                    "origin",
                    rx.fragment(
                        rx.el.option(T("offer.any"), value=""),
                        rx.foreach(CatalogueState.origins, lambda o: rx.el.option(o, value=o)),
                    ),
                    value("origin"),
                ),
                field(
                    "offer.max_remote_hours",
                    "max_remote_hours",
                    input_mode="decimal",
                    default_value=value("max_remote_hours"),
                    error=errors.get("max_remote_hours", ""),
                ),
                field(
                    "offer.max_in_person_hours",
                    "max_in_person_hours",
                    input_mode="decimal",
                    default_value=value("max_in_person_hours"),
                    error=errors.get("max_in_person_hours", ""),
                ),
                columns=rx.breakpoints(initial="1", sm="2", lg="5"),
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=CatalogueState.search,
        key=CatalogueState.filter_key.to_string(),
        width="100%",
        aria_label=T("offer.filters"),
    )


def _request_row(row: ObjectVar[RequestRow]) -> rx.Component:
    errors = field_errors_of(CatalogueState)
    return rx.card(
        rx.vstack(
            rx.text(row.title.to(str), weight="bold"),
            request_hours(row),
            rx.cond(
                row.origin.to(str) != "",
                rx.text(Tf("offer.origin_is", origin=row.origin.to(str)), size="2"),
            ),
            rx.text(Tf("offer.lead_is", lead=row.pedagogical_lead.to(str)), size="2"),
            rx.text(
                Tf("offer.requested_by", person=row.requested_by.to(str), day=row.requested_on.to(str)),
                size="1",
                color_scheme="gray",
            ),
            rx.cond(
                CatalogueState.refusing == row.id.to(int),
                rx.form(
                    rx.vstack(
                        rx.el.label(T("offer.refusal_reason_label"), html_for="reason", class_name="plume-label"),
                        rx.text_area(id="reason", name="reason", rows="2", width="100%"),
                        rx.cond(
                            errors.get("reason", "").to(str) != "",
                            rx.text(errors.get("reason", "").to(str), role="alert", color_scheme="red", size="2"),
                        ),
                        rx.hstack(
                            rx.button(
                                T("offer.refuse"), type="submit", color_scheme="red", loading=CatalogueState.busy
                            ),
                            rx.button(
                                T("common.cancel"),
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                on_click=CatalogueState.start_refusal(0),  # type: ignore[operator]
                            ),
                            spacing="2",
                        ),
                        spacing="2",
                        width="100%",
                    ),
                    on_submit=CatalogueState.refuse,
                    width="100%",
                ),
                rx.hstack(
                    rx.button(
                        rx.icon("check", size=14),
                        T("offer.approve"),
                        size="2",
                        on_click=CatalogueState.approve(row.id),  # type: ignore[operator]
                        loading=CatalogueState.busy,
                    ),
                    rx.button(
                        T("offer.refuse"),
                        size="2",
                        variant="soft",
                        color_scheme="red",
                        on_click=CatalogueState.start_refusal(row.id),  # type: ignore[operator]
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="course-request",
    )


def _requests_card() -> rx.Component:
    """The trainers' requests waiting for an answer (hidden when none wait)."""
    return rx.vstack(
        form_message(CatalogueState.notice, tone="green"),
        form_message(CatalogueState.error),
        rx.cond(
            CatalogueState.requests.length() > 0,
            rx.vstack(
                rx.heading(T("offer.pending_requests"), size="5", as_="h2"),
                rx.grid(
                    rx.foreach(CatalogueState.requests, _request_row),
                    columns=rx.breakpoints(initial="1", md="2"),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    CatalogueState.requests_pages > 1,
                    rx.hstack(
                        rx.text(
                            Tn("offer.requests_waiting", CatalogueState.requests_total),
                            size="2",
                            color_scheme="gray",
                        ),
                        rx.spacer(),
                        pager(
                            CatalogueState.requests_page,
                            CatalogueState.requests_pages,
                            cast("rx.EventHandler", CatalogueState.requests_go_to),
                        ),
                        width="100%",
                        align="center",
                    ),
                ),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="2",
        width="100%",
    )


def catalogue_page() -> rx.Component:
    return gated_page(
        None,
        CatalogueState.allowed,
        rx.vstack(
            page_header(
                "catalogue.title",
                "catalogue.subtitle",
                rx.button(rx.icon("plus", size=16), T("catalogue.new"), on_click=CatalogueState.toggle_create),
            ),
            rx.cond(
                CatalogueState.creating,
                form_card(
                    *_course_fields(CatalogueState),
                    form_message(CatalogueState.error),
                    rx.button(T("catalogue.create"), type="submit", loading=CatalogueState.busy),
                    on_submit=CatalogueState.create,
                    key=CatalogueState.form_key.to_string(),
                ),
            ),
            _requests_card(),
            _filters_form(),
            list_or_empty(
                CatalogueState.loading,
                CatalogueState.courses,
                rx.vstack(
                    rx.grid(
                        rx.foreach(CatalogueState.courses, _course_card),
                        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
                        spacing="4",
                        width="100%",
                    ),
                    pager_bar(
                        CatalogueState,
                        page_summary(CatalogueState, "offer.page_summary"),
                        rx.spacer(),
                        page_size_select(CatalogueState, "offer.page_size"),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.cond(
                    CatalogueState.filters.length() > 0,
                    rx.text(T("catalogue.no_match"), color_scheme="gray", size="2", padding="1rem"),
                    empty_state("catalogue.empty", "book_open"),
                ),
            ),
            spacing="4",
            width="100%",
        ),
    )


def _image_card() -> rx.Component:
    """The course thumbnail and its upload (staff)."""
    return rx.card(
        rx.hstack(
            rx.cond(
                _COURSE["image"].to(str) != "",
                rx.image(
                    src=_COURSE["image"].to(str) + "?v=" + CourseState.image_version.to_string(),
                    alt=T("catalogue.image"),
                    width="10rem",
                    height="6rem",
                    object_fit="cover",
                    border_radius="0.4rem",
                    id="course-image",
                ),
                rx.center(
                    rx.icon("image", size=28, color=rx.color("gray", 8)),
                    width="10rem",
                    height="6rem",
                    background=rx.color("gray", 3),
                    border_radius="0.4rem",
                ),
            ),
            rx.vstack(
                rx.text(T("catalogue.image"), weight="bold", size="2"),
                rx.text(T("catalogue.image_hint"), size="1", color_scheme="gray"),
                rx.hstack(
                    rx.upload.root(
                        rx.button(
                            rx.icon("image_plus", size=14),
                            T("catalogue.image"),
                            variant="soft",
                            type="button",
                        ),
                        id="course-image-upload",
                        multiple=False,
                    ),
                    rx.button(
                        T("catalogue.send_image"),
                        on_click=[
                            CourseState.upload_image(rx.upload_files(upload_id="course-image-upload")),  # type: ignore[operator]
                            rx.clear_selected_files("course-image-upload"),
                        ],
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                rx.cond(
                    field_errors_of(CourseState).get("files", "").to(str) != "",
                    rx.text(
                        field_errors_of(CourseState).get("files", "").to(str),
                        role="alert",
                        color_scheme="red",
                        size="2",
                    ),
                ),
                spacing="2",
            ),
            spacing="4",
            align="center",
            wrap="wrap",
        ),
        width="100%",
    )


def _details_form() -> rx.Component:
    """The course details form (staff)."""
    return form_card(
        rx.heading(T("catalogue.details"), size="4", as_="h2"),
        *_course_fields(CourseState, _COURSE),
        form_message(CourseState.error),
        form_message(CourseState.notice, tone="green"),
        rx.button(T("common.save"), type="submit", loading=CourseState.busy),
        on_submit=CourseState.save,
        key=_COURSE["title"].to(str),
    )


def _sheet_line(label_key: str, value: Var) -> rx.Component:
    return rx.cond(
        value.to(str) != "",
        rx.vstack(
            rx.text(T(label_key), size="1", color_scheme="gray", weight="medium"),
            rx.text(value.to(str), size="2", white_space="pre-wrap"),
            spacing="1",
            width="100%",
        ),
    )


def _read_only_sheet() -> rx.Component:
    """The catalogue entry as a tutor reads it (from their course page): what learners are offered, no form."""
    image = _COURSE["image"].to(str)
    return rx.card(
        rx.flex(
            rx.cond(
                image != "",
                rx.image(
                    src=image,
                    alt=T("catalogue.image"),
                    width=rx.breakpoints(initial="100%", sm="14rem"),
                    height="9rem",
                    object_fit="cover",
                    border_radius="0.4rem",
                    flex_shrink="0",
                ),
            ),
            rx.vstack(
                rx.cond(
                    _COURSE["short_title"].to(str) != "",
                    rx.text(_COURSE["short_title"].to(str), size="2", color_scheme="gray"),
                ),
                rx.text(
                    Tf(
                        "catalogue.hours",
                        remote=_hours(_COURSE["remote_hours"].to(str)),
                        in_person=_hours(_COURSE["in_person_hours"].to(str)),
                    ),
                    size="2",
                ),
                _sheet_line("catalogue.categories", _COURSE["categories"]),
                _sheet_line("catalogue.description", _COURSE["description"]),
                _sheet_line("catalogue.objectives", _COURSE["objectives"]),
                _sheet_line("catalogue.competencies", _COURSE["competencies"]),
                _sheet_line("catalogue.target_audience", _COURSE["target_audience"]),
                spacing="3",
                width="100%",
                min_width="0",
            ),
            direction=rx.breakpoints(initial="column", sm="row"),
            spacing="4",
            width="100%",
        ),
        width="100%",
        box_shadow=styles.CARD_SHADOW,
        data_testid="catalogue-sheet",
    )


def _organise_card() -> rx.Component:
    """*Organiser les sessions*: participants ÷ maximum per session, then x sessions once or y sessions n times."""
    errors = field_errors_of(CourseState)

    def number(key: str, name: str, default: str = "") -> rx.Component:
        return field(key, name, type_="number", default_value=default, error=errors.get(name, ""))

    return form_card(
        rx.heading(T("offer.organise"), size="4", as_="h2"),
        rx.text(T("offer.organise_hint"), size="2", color_scheme="gray"),
        rx.grid(
            number("offer.participants", "participants"),
            number("offer.maximum", "maximum"),
            number("offer.rounds", "rounds", "1"),
            number("offer.weeks_between_rounds", "weeks_between_rounds", "1"),
            field("offer.short_name", "short_name", default_value=_COURSE["short_title"].to(str)),
            field("offer.session_category", "category", hint_key="offer.session_category_hint"),
            field("offer.first_start", "starts_on", type_="date", error=errors.get("starts_on", "")),
            columns=rx.breakpoints(initial="1", sm="2", lg="4"),
            spacing="3",
            width="100%",
        ),
        form_message(CourseState.error),
        rx.button(T("offer.propose"), type="submit", variant="soft", loading=CourseState.busy),
        # The proposal says what one click creates (proposing again replaces it).
        rx.cond(
            CourseState.proposal != "",
            rx.vstack(
                rx.callout(CourseState.proposal, icon="calendar_range", size="1", data_testid="split-proposal"),
                rx.text(T("offer.drafts_explained"), size="1", color_scheme="gray"),
                rx.button(
                    rx.icon("calendar_plus", size=14),
                    T("offer.create_drafts"),
                    type="button",
                    on_click=CourseState.organise,
                    loading=CourseState.busy,
                ),
                spacing="2",
                width="100%",
            ),
        ),
        on_submit=CourseState.propose,
        data_testid="organise-card",
    )


def course_page() -> rx.Component:
    return gated_page(
        CourseState.loading,
        CourseState.found,
        rx.vstack(
            rx.cond(
                CourseState.can_edit,
                rx.link(
                    rx.hstack(rx.icon("arrow_left", size=14), T("catalogue.back"), align="center"),
                    href="/catalogue",
                    size="2",
                ),
                rx.link(
                    rx.hstack(rx.icon("arrow_left", size=14), T("catalogue.back_to_course"), align="center"),
                    href="/tutorat/formations/" + _COURSE["id"].to(str),
                    size="2",
                ),
            ),
            rx.heading(_COURSE["title"].to(str), size="7", as_="h1"),
            rx.cond(~CourseState.can_edit, _read_only_sheet()),
            rx.cond(CourseState.can_edit, _image_card()),
            rx.cond(CourseState.can_edit, _details_form()),
            rx.cond(CourseState.can_edit, _organise_card()),
            course_competencies_card(),
            # A tutor reads a template only when there is one; staff always get the heading and the add form.
            rx.cond(
                CourseState.can_edit | (CourseState.modules.length() > 0),
                rx.heading(T("catalogue.template"), size="5", as_="h2"),
            ),
            edit_messages(CourseState),
            add_module_form(CourseState),
            timeline_strip(rx.foreach(CourseState.modules, lambda m: module_column(CourseState, m))),
            spacing="4",
            width="100%",
        ),
    )


def _status_badge(status: Var) -> rx.Component:
    return status_badge(status, "session.status", ("draft", "active", "finished", "archived"))


def _session_row(row: ObjectVar[SessionRow]) -> rx.Component:
    # A card per session on a phone (`stacked_row`), so the learner count says what it counts.
    return stacked_row(
        stacked_cell(
            rx.link(row.course_title.to(str), href="/sessions/" + row.id.to_string(), weight="medium"),
            rx.text(row.title.to(str), size="1", color_scheme="gray"),
            header=True,
        ),
        stacked_cell(date_fr(row.starts_on) + " → " + date_fr(row.ends_on)),
        stacked_cell(
            rx.flex(
                _status_badge(row.status.to(str)),
                rx.cond(
                    row.staff_wanted.to(int) > 0,
                    rx.badge(
                        Tn("offer.staff_wanted", row.staff_wanted.to(int)),
                        color_scheme="amber",
                        variant="outline",
                        white_space="normal",
                        data_testid="staff-wanted",
                    ),
                ),
                gap="0.25rem",
                wrap="wrap",
            )
        ),
        stacked_cell(
            rx.text(row.learners.to_string(), display=rx.breakpoints(initial="none", sm="inline")),
            rx.text(Tn("home.learners", row.learners.to(int)), display=rx.breakpoints(initial="inline", sm="none")),
        ),
        data_testid="session-row",
    )


def sessions_page() -> rx.Component:
    errors = field_errors_of(SessionsListState)
    return gated_page(
        None,
        SessionsListState.allowed,
        rx.vstack(
            page_header(
                "sessions.title",
                "sessions.subtitle",
                rx.cond(
                    SessionsListState.courses.length() > 0,
                    rx.button(rx.icon("plus", size=16), T("sessions.new"), on_click=SessionsListState.toggle_create),
                ),
            ),
            rx.cond(
                SessionsListState.creating,
                form_card(
                    rx.vstack(
                        rx.el.label(T("sessions.course"), html_for="course_id", class_name="plume-label"),
                        rx.el.select(
                            rx.foreach(SessionsListState.courses, lambda c: rx.el.option(c["title"], value=c["id"])),
                            id="course_id",
                            name="course_id",
                            class_name="plume-select",
                        ),
                        spacing="1",
                        width="100%",
                    ),
                    field("sessions.session_title", "title", error=errors.get("title", "")),
                    rx.grid(
                        field(
                            "sessions.starts_on",
                            "starts_on",
                            type_="date",
                            required=True,
                            error=errors.get("starts_on", ""),
                        ),
                        field(
                            "sessions.ends_on",
                            "ends_on",
                            type_="date",
                            required=True,
                            error=errors.get("ends_on", ""),
                        ),
                        field("sessions.place", "place"),
                        field("sessions.rooms", "rooms"),
                        field(
                            "sessions.max",
                            "max_participants",
                            type_="number",
                            error=errors.get("max_participants", ""),
                        ),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    form_message(SessionsListState.error),
                    rx.button(T("sessions.create"), type="submit", loading=SessionsListState.busy),
                    on_submit=SessionsListState.create,
                ),
            ),
            table_list(
                SessionsListState.loading,
                ["sessions.course", "sessions.starts_on", "sessions.status", "dashboard.learners"],
                SessionsListState.rows,
                _session_row,
                empty_state("sessions.empty", "calendar"),
                stacked=True,
            ),
            spacing="4",
            width="100%",
        ),
    )
