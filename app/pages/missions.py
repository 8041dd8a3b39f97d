"""The correctors' pages of a session: `Missions à corriger` and `Observations à faire`."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.number import NumberVar
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app.services.missions import CriterionLevel, ObservationForm, ObservationRow, SubmissionDetail, SubmissionRow
from components.forms import Handler
from components.i18n import T, Tf
from components.layout import dialog_actions, dialog_frame, gated_page
from components.missions import LEVEL_COLOURS, download_link, field_error, field_value, file_drop
from components.tables import data_table, empty_state, list_card, page_summary, pager_bar, scroll_box
from state.missions import FEEDBACK_FILE, MissionsDeskState, ObservationsDeskState

LEVELS = ("0", "1", "2", "3")
Desk = type[MissionsDeskState] | type[ObservationsDeskState]

# Reflex 0.10's `Field.__get__` stubs resolve a dict or dataclass field to `ArrayVar[Never]` under mypy
# (its sequence overload swallows them): name the var type the field really has. Calling a handler with
# arguments carries `# type: ignore[operator]`: mypy reads `@rx.event` handlers as `EventNamespace`
# (see `components.forms.Handler`).
_DETAIL = cast("ObjectVar[SubmissionDetail]", MissionsDeskState.detail)
_MISSION_ERRORS = cast("ObjectVar[dict[str, str]]", MissionsDeskState.errors)
_FORM = cast("ObjectVar[ObservationForm]", ObservationsDeskState.form)
_OBSERVATION_ERRORS = cast("ObjectVar[dict[str, str]]", ObservationsDeskState.errors)


def _error(errors: ObjectVar[dict[str, str]], field: str) -> Var[str]:
    return rx.cond(errors.contains(field), errors[field], "").to(str)


def _back(label: Var[str], href: Var[str]) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow_left", size=14), rx.text(label), align="center", spacing="1"), href=href, size="2"
    )


def _head(state: Desk, title_key: str, filters: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.cond(
            state.follows_centre,
            _back(T("tutoring.back_to_centre"), "/tutorat/" + state.session_id),
            _back(T("missions.back_to_session"), "/sessions/" + state.session_id),
        ),
        rx.heading(T(title_key), size="7", as_="h1"),
        rx.text(state.course_title + " — " + state.title, color_scheme="gray"),
        filters,
        rx.cond(
            state.notice != "",
            rx.callout(state.notice, icon="circle_check", color_scheme="green", role="status", width="100%"),
        ),
        spacing="3",
        width="100%",
    )


def _pager(state: Desk, text_key: str) -> rx.Component:
    return pager_bar(state, page_summary(state, text_key), rx.spacer(), wrap=False)


def _table(headers: tuple[str, ...], rows: ArrayVar, row: Callable[..., rx.Component]) -> rx.Component:
    return scroll_box(data_table(headers, rows, row))


def _desk(
    state: Desk,
    prefix: str,
    *,
    open_value: str,
    waiting: Var[int],
    on_change: Handler,
    dialog: rx.Component,
    headers: tuple[str, ...],
    row: Callable[..., rx.Component],
    icon: str,
) -> rx.Component:
    """A corrector's desk (texts under `prefix`): its head and filter, its dialog, then the paged list.

    The filter shows what waits (`<prefix>.filter.<open_value>`, with its count) or everything.
    """
    filters = rx.segmented_control.root(
        rx.segmented_control.item(Tf(f"{prefix}.filter.{open_value}", count=waiting.to_string()), value=open_value),
        rx.segmented_control.item(T(f"{prefix}.filter.all"), value="all"),
        value=rx.cond(state.only_open, open_value, "all"),
        on_change=on_change,
    )
    return rx.vstack(
        _head(state, f"{prefix}.title", filters),
        dialog,
        list_card(
            rx.cond(
                state.rows.length() > 0,
                _table(headers, state.rows, row),
                rx.cond(
                    state.only_open,
                    empty_state(f"{prefix}.none", icon),
                    empty_state(f"{prefix}.none_yet", icon),
                ),
            ),
            rx.cond(state.pages > 1, _pager(state, f"{prefix}.page")),
        ),
        spacing="4",
        width="100%",
    )


def _learner(row: ObjectVar[SubmissionRow] | ObjectVar[ObservationRow]) -> rx.Component:
    return rx.vstack(
        rx.text(row.learner.to(str), weight="medium"),
        rx.text(row.email.to(str), size="1", color_scheme="gray"),
        spacing="0",
    )


def _submission_row(row: ObjectVar[SubmissionRow]) -> rx.Component:
    waiting = row.status.to(str) == "submitted"
    return rx.table.row(
        rx.table.cell(_learner(row)),
        rx.table.cell(row.activity.to(str)),
        rx.table.cell(rx.text(row.submitted_at.to(str), size="2")),
        rx.table.cell(
            rx.cond(
                waiting,
                rx.badge(T("missions.status.submitted"), color_scheme="amber"),
                rx.badge(T("missions.status.corrected"), color_scheme="green"),
            )
        ),
        rx.table.cell(row.score.to(str)),
        rx.table.cell(
            rx.button(
                rx.icon("pen_line", size=14),
                T("missions.correct"),
                size="1",
                variant=rx.cond(waiting, "solid", "soft"),
                on_click=MissionsDeskState.open_correction(row.id.to(int).to_string()),  # type: ignore[operator]  # forms.Handler
                aria_label=Tf("missions.correct_of", name=row.learner.to(str)),
            )
        ),
        data_testid="submission-row",
    )


def _correction_dialog() -> rx.Component:
    d = _DETAIL
    return dialog_frame(
        MissionsDeskState.correcting,
        rx.vstack(
            rx.dialog.title(Tf("missions.dialog_title", name=d.learner.to(str)), margin="0"),
            rx.text(
                d.activity.to(str) + " · " + Tf("missions.handed_in_on", date=d.submitted_at.to(str)).to(str),
                size="2",
                color_scheme="gray",
            ),
            rx.vstack(
                rx.text(T("missions.learner_comment"), size="2", weight="bold"),
                rx.cond(
                    d.comment.to(str) != "",
                    rx.text(d.comment.to(str), size="2", white_space="pre-wrap"),
                    rx.text(T("missions.no_comment"), size="2", color_scheme="gray"),
                ),
                rx.text(T("missions.learner_file"), size="2", weight="bold"),
                rx.cond(
                    d.file_url.to(str) != "",
                    download_link(d.file_url.to(str), d.file_name.to(str)),
                    rx.text(T("missions.no_file"), size="2", color_scheme="gray"),
                ),
                spacing="1",
                width="100%",
                padding="0.75rem",
                background=rx.color("gray", 2),
                border_radius="0.5rem",
            ),
            rx.vstack(
                rx.el.label(T("missions.score_label"), html_for="mission-score", class_name="plume-label"),
                rx.input(
                    id="mission-score",
                    default_value=d.score.to(str),
                    input_mode="decimal",
                    width="10rem",
                    aria_invalid=rx.cond(_error(_MISSION_ERRORS, "score") != "", "true", "false"),
                    aria_describedby="mission-score-error",
                ),
                rx.text(
                    Tf("missions.score_hint", score=d.passing_score.to(int).to_string() + " %"),
                    size="1",
                    color_scheme="gray",
                ),
                field_error(_error(_MISSION_ERRORS, "score"), "mission-score-error"),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.el.label(T("missions.feedback_label"), html_for="mission-feedback", class_name="plume-label"),
                rx.text_area(id="mission-feedback", default_value=d.feedback.to(str), rows="4", width="100%"),
                field_error(_error(_MISSION_ERRORS, "feedback")),
                spacing="1",
                width="100%",
            ),
            file_drop(FEEDBACK_FILE, "missions.file_back"),
            rx.cond(
                d.feedback_url.to(str) != "",
                rx.text(Tf("missions.current_file_back", name=d.feedback_file_name.to(str)), size="1"),
            ),
            field_error(_error(_MISSION_ERRORS, "files")),
            field_error(_error(_MISSION_ERRORS, "form")),
            dialog_actions(
                MissionsDeskState.close_correction,
                rx.button(
                    rx.icon("check", size=14),
                    T("missions.save"),
                    loading=MissionsDeskState.saving,
                    on_click=MissionsDeskState.save_correction(  # type: ignore[operator]  # forms.Handler
                        rx.upload_files(upload_id=FEEDBACK_FILE),
                        field_value("mission-score"),
                        field_value("mission-feedback"),
                    ),
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_close=MissionsDeskState.close_correction,
        max_width="40rem",
        on_pointer_down_outside=MissionsDeskState.close_correction,
    )


def _missions() -> rx.Component:
    return _desk(
        MissionsDeskState,
        "missions",
        open_value="waiting",
        waiting=MissionsDeskState.missions_waiting,
        on_change=MissionsDeskState.show_waiting,
        dialog=_correction_dialog(),
        headers=(
            "missions.col.learner",
            "missions.col.mission",
            "missions.col.date",
            "missions.col.status",
            "missions.col.score",
            "",
        ),
        row=_submission_row,
        icon="briefcase",
    )


def missions_page() -> rx.Component:
    """`Missions à corriger` of a session.

    Returns:
        The page.
    """
    return gated_page(MissionsDeskState.loading, MissionsDeskState.found, _missions())


def _observation_row(row: ObjectVar[ObservationRow]) -> rx.Component:
    done = row.observed.to(bool)
    learner, activity = row.learner.to(str), row.activity.to(str)
    return rx.table.row(
        rx.table.cell(_learner(row)),
        rx.table.cell(activity),
        rx.table.cell(
            rx.cond(
                done,
                rx.badge(T("observations.status.done"), color_scheme="green"),
                rx.badge(T("observations.status.todo"), color_scheme="amber"),
            )
        ),
        rx.table.cell(row.score.to(str)),
        rx.table.cell(
            rx.button(
                rx.icon("eye", size=14),
                T("observations.observe"),
                size="1",
                variant=rx.cond(done, "soft", "solid"),
                on_click=ObservationsDeskState.open_observation(  # type: ignore[operator]  # forms.Handler
                    row.activity_id.to(int).to_string(), row.user_id.to(int).to_string()
                ),
                aria_label=Tf("observations.observe_of", name=learner, activity=activity),
            )
        ),
        data_testid="observation-row",
    )


def _criterion(criterion: ObjectVar[CriterionLevel], index: NumberVar[int]) -> rx.Component:
    name = "level_" + index.to_string()
    given = criterion.level.to(int)
    return rx.el.fieldset(
        rx.el.legend(criterion.criterion.to(str), class_name="plume-label"),
        rx.flex(
            *[
                rx.el.label(
                    rx.el.input(type="radio", name=name, value=level, default_checked=given == int(level)),
                    rx.badge(T(f"observations.level.{level}"), color_scheme=LEVEL_COLOURS[int(level)], variant="soft"),
                    display="flex",
                    align_items="center",
                    gap="0.35rem",
                    cursor="pointer",
                )
                for level in LEVELS
            ],
            gap="0.75rem",
            wrap="wrap",
        ),
        border="none",
        padding="0",
        margin="0",
        data_testid="criterion",
    )


def _observation_dialog() -> rx.Component:
    f = _FORM
    return dialog_frame(
        ObservationsDeskState.observing,
        rx.form(
            rx.vstack(
                rx.dialog.title(Tf("observations.dialog_title", name=f.learner.to(str)), margin="0"),
                rx.text(f.activity.to(str), size="2", color_scheme="gray"),
                rx.text(T("observations.levels_hint"), size="2"),
                rx.vstack(rx.foreach(ObservationsDeskState.criteria, _criterion), spacing="3", width="100%"),
                field_error(_error(_OBSERVATION_ERRORS, "levels")),
                rx.el.label(T("observations.comment_label"), html_for="observation-comment", class_name="plume-label"),
                rx.text_area(
                    id="observation-comment",
                    name="comment",
                    default_value=f.comment.to(str),
                    rows="3",
                    width="100%",
                ),
                field_error(_error(_OBSERVATION_ERRORS, "comment")),
                field_error(_error(_OBSERVATION_ERRORS, "form")),
                dialog_actions(
                    ObservationsDeskState.close_observation,
                    rx.button(rx.icon("check", size=14), T("observations.save"), type="submit"),
                ),
                spacing="3",
                width="100%",
            ),
            on_submit=ObservationsDeskState.save_observation,
            reset_on_submit=False,
            # A new form for each learner × activity: its radios start from what is recorded.
            key=f.activity_id.to(int).to_string() + "-" + f.user_id.to(int).to_string(),
        ),
        on_close=ObservationsDeskState.close_observation,
        max_width="40rem",
        on_pointer_down_outside=ObservationsDeskState.close_observation,
    )


def _observations() -> rx.Component:
    return _desk(
        ObservationsDeskState,
        "observations",
        open_value="todo",
        waiting=ObservationsDeskState.observations_waiting,
        on_change=ObservationsDeskState.show_todo,
        dialog=_observation_dialog(),
        headers=(
            "observations.col.learner",
            "observations.col.activity",
            "observations.col.status",
            "observations.col.score",
            "",
        ),
        row=_observation_row,
        icon="eye",
    )


def observations_page() -> rx.Component:
    """`Observations à faire` of a session.

    Returns:
        The page.
    """
    return gated_page(ObservationsDeskState.loading, ObservationsDeskState.found, _observations())
