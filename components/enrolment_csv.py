"""The "Inscription par CSV" card of a session's page (staff and the session's trainers)."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from components.forms import drop_zone, message_text, secondary_button, select_field
from components.i18n import T, Tf
from components.tables import list_card, pager, status_badge
from state.enrolment_csv import UPLOAD_ID, EnrolmentCsvState, PreviewRow
from state.session_page import SessionPageState

OUTCOME_COLOURS = {
    "enrolled": "green",
    "created": "blue",
    "already": "gray",
    "invalid": "red",
    "duplicate": "orange",
}
_COUNTS = cast("ObjectVar[dict[str, int]]", EnrolmentCsvState.counts)


def _kind_options() -> list[rx.Component]:
    return [rx.el.option(T(f"enrolment.{k}"), value=k) for k in ("mandatory", "recommended", "free")]


def _counts() -> rx.Component:
    return rx.hstack(
        *[
            rx.badge(
                Tf(f"enrolment_csv.count.{outcome}", count=_COUNTS[outcome].to_string()),
                color_scheme=colour,
                variant="soft",
                data_testid=f"csv-count-{outcome}",
            )
            for outcome, colour in OUTCOME_COLOURS.items()
        ],
        wrap="wrap",
        spacing="2",
    )


def _row(row: ObjectVar[PreviewRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.line.to_string()),
        rx.table.cell(rx.text(row.address.to(str), word_break="break-all")),
        rx.table.cell(row.name.to(str)),
        rx.table.cell(row.kind.to(str)),
        rx.table.cell(status_badge(row.outcome.to(str), "enrolment_csv.outcome", OUTCOME_COLOURS, variant="soft")),
        rx.table.cell(rx.text(row.reason.to(str), size="1")),
        data_testid="csv-preview-row",
    )


def _preview() -> rx.Component:
    return rx.vstack(
        rx.text(Tf("enrolment_csv.file", name=EnrolmentCsvState.file_name), size="2", weight="medium"),
        _counts(),
        rx.hstack(
            rx.checkbox(
                T("enrolment_csv.problems_only"),
                checked=EnrolmentCsvState.problems_only,
                on_change=EnrolmentCsvState.toggle_problems,
            ),
            width="100%",
        ),
        rx.box(
            rx.table.root(
                rx.table.header(
                    rx.table.row(
                        *[
                            rx.table.column_header_cell(T(f"enrolment_csv.column.{c}"))
                            for c in ("line", "address", "name", "kind", "outcome", "reason")
                        ]
                    )
                ),
                rx.table.body(rx.foreach(EnrolmentCsvState.rows, _row)),
                size="1",
                width="100%",
            ),
            width="100%",
            overflow_x="auto",
        ),
        rx.cond(
            EnrolmentCsvState.pages > 1,
            pager(EnrolmentCsvState.page, EnrolmentCsvState.pages, cast("rx.EventHandler", EnrolmentCsvState.go_to)),
        ),
        rx.hstack(
            rx.button(
                rx.icon("user-plus", size=14),
                Tf("enrolment_csv.apply", count=EnrolmentCsvState.changes.to_string()),
                on_click=EnrolmentCsvState.apply,
                disabled=(EnrolmentCsvState.changes == 0) | (EnrolmentCsvState.over > 0),
                color_scheme="green",
                data_testid="csv-apply",
            ),
            secondary_button(T("enrolment_csv.cancel"), on_click=EnrolmentCsvState.cancel, data_testid="csv-cancel"),
            wrap="wrap",
            spacing="2",
        ),
        spacing="3",
        width="100%",
    )


def _chooser() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            select_field(
                "manage.enrolment_kind",
                "csv-kind",
                *_kind_options(),
                min_width="12rem",
                value=EnrolmentCsvState.kind,
                on_change=EnrolmentCsvState.choose_kind,
            ),
            drop_zone(
                UPLOAD_ID,
                "enrolment_csv.drop",
                "enrolment_csv.limits",
                icon="file-spreadsheet",
                multiple=False,
                accept={"text/csv": [".csv"], "text/plain": [".txt", ".tsv"]},
                on_drop=EnrolmentCsvState.upload_csv(rx.upload_files(upload_id=UPLOAD_ID)),  # type: ignore[operator]
                flex="1",
                min_width="14rem",
                data_testid="csv-drop",
            ),
            spacing="3",
            width="100%",
            wrap="wrap",
            align="stretch",
        ),
        rx.cond(
            EnrolmentCsvState.previewing, rx.hstack(rx.spinner(size="1"), rx.text(T("enrolment_csv.reading"), size="2"))
        ),
        spacing="2",
        width="100%",
    )


def _running() -> rx.Component:
    return rx.vstack(
        rx.text(Tf("enrolment_csv.file", name=EnrolmentCsvState.file_name), size="2", weight="medium"),
        rx.cond(
            EnrolmentCsvState.resumed,
            rx.text(T("enrolment_csv.resumed"), size="2", color_scheme="amber", data_testid="csv-resumed"),
        ),
        rx.progress(
            value=EnrolmentCsvState.done,
            max=rx.cond(EnrolmentCsvState.to_do > 0, EnrolmentCsvState.to_do, 1),
            width="100%",
            aria_label=T("enrolment_csv.progress_label"),
        ),
        rx.text(
            Tf(
                "enrolment_csv.progress",
                done=EnrolmentCsvState.done.to_string(),
                total=EnrolmentCsvState.to_do.to_string(),
            ),
            size="2",
            role="status",
            data_testid="csv-progress",
        ),
        rx.text(T("enrolment_csv.leave_ok"), size="1", color_scheme="gray"),
        spacing="2",
        width="100%",
    )


def _result() -> rx.Component:
    return rx.vstack(
        rx.callout(
            Tf("enrolment_csv.done", name=EnrolmentCsvState.file_name),
            icon="circle-check",
            color_scheme="green",
            role="status",
            width="100%",
        ),
        _counts(),
        rx.hstack(
            rx.link(
                rx.button(rx.icon("download", size=14), T("enrolment_csv.report"), variant="soft"),
                href="/api/enrolment-imports/" + EnrolmentCsvState.job_id.to_string() + "/report.csv",
                is_external=True,
                data_testid="csv-report",
            ),
            rx.button(
                T("enrolment_csv.another"), variant="soft", color_scheme="gray", on_click=EnrolmentCsvState.cancel
            ),
            wrap="wrap",
            spacing="2",
        ),
        spacing="3",
        width="100%",
    )


def enrolment_csv_card() -> rx.Component:
    """The card: choose a file, read its preview, apply it, follow the progress, download the result.

    Returns:
        The card (nothing for people who may not import).
    """
    return rx.cond(
        EnrolmentCsvState.allowed,
        list_card(
            rx.hstack(
                rx.heading(T("enrolment_csv.title"), size="4", as_="h2"),
                rx.spacer(),
                rx.link(
                    rx.hstack(rx.icon("download", size=14), T("enrolment_csv.export"), align="center", spacing="1"),
                    href="/api/sessions/" + EnrolmentCsvState.session_id.to_string() + "/participants.csv",
                    is_external=True,
                    size="2",
                    data_testid="participants-export",
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.text(T("enrolment_csv.intro"), size="2", color_scheme="gray"),
            message_text(EnrolmentCsvState.error, weight="medium", data_testid="csv-error"),
            rx.match(
                EnrolmentCsvState.job_status,
                ("queued", _running()),
                ("running", _running()),
                ("done", _result()),
                rx.cond(EnrolmentCsvState.previewed, _preview(), _chooser()),
            ),
        ),
    )


_PEOPLE_ERRORS = cast("ObjectVar[dict[str, str]]", SessionPageState.edit_field_errors)


def _error_of(form: str, field: str) -> Var[str]:
    return rx.cond(
        (SessionPageState.error_form == form) & _PEOPLE_ERRORS.contains(field),
        _PEOPLE_ERRORS[field].to(str),
        "",
    ).to(str)


def learner_multi_picker() -> rx.Component:
    """Tick several learners of the organisation (after a search) and enrol them with one enrolment type.

    Returns:
        The form, or a line saying nobody is left to enrol.
    """
    return rx.cond(
        SessionPageState.learner_choices.length() > 0,
        rx.form(
            rx.vstack(
                rx.text(T("manage.pick_learners"), size="2", weight="medium"),
                rx.vstack(
                    rx.foreach(
                        SessionPageState.learner_choices,
                        lambda p: rx.el.label(
                            rx.el.input(type="checkbox", name="pick_" + p.user_id.to_string(), value="on"),
                            rx.text(p.name.to(str) + " — " + p.email.to(str), size="2", as_="span"),
                            display="flex",
                            gap="0.5rem",
                            align_items="center",
                            data_testid="learner-choice",
                        ),
                    ),
                    spacing="1",
                    width="100%",
                    max_height="14rem",
                    overflow_y="auto",
                ),
                rx.hstack(
                    select_field("manage.enrolment_kind", "enrol-many-kind", *_kind_options(), name="kind"),
                    rx.button(T("manage.enrol_selected"), type="submit"),
                    align="end",
                    spacing="2",
                    wrap="wrap",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=SessionPageState.enrol_selected,
            key=SessionPageState.edit_key.to_string(),
            width="100%",
        ),
        rx.text(T("manage.nobody_left"), size="1", color_scheme="gray"),
    )


def unenrol_form() -> rx.Component:
    """Why a learner leaves the session, asked before taking them off (kept in the history).

    Returns:
        The form while staff are taking someone off, else nothing.
    """
    error = _error_of("unenrol", "reason")
    return rx.cond(
        SessionPageState.unenrolling > 0,
        rx.form(
            rx.vstack(
                rx.text(Tf("manage.unenrol_ask", name=SessionPageState.unenrolling_name), size="2", weight="medium"),
                rx.el.label(T("manage.unenrol_reason"), html_for="unenrol-reason", class_name="plume-label"),
                rx.input(
                    id="unenrol-reason",
                    name="reason",
                    max_length=300,
                    width="100%",
                    aria_describedby="unenrol-reason-error",
                    aria_invalid=rx.cond(error != "", "true", "false"),
                ),
                message_text(error, id="unenrol-reason-error"),
                rx.hstack(
                    rx.button(T("manage.unenrol_confirm"), type="submit", color_scheme="red"),
                    secondary_button(T("enrolment_csv.cancel"), on_click=SessionPageState.cancel_unenrol),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
            ),
            on_submit=SessionPageState.unenrol,
            width="100%",
            padding="0.75rem",
            border=f"1px solid {rx.color('red', 6)}",
            border_radius="0.5rem",
            data_testid="unenrol-form",
        ),
    )
