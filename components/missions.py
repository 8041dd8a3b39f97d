"""Missions and observations in the activity panel (the learner's part), and the pieces the correction pages share."""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex_components_core.react_router.dom import ReactRouterLink

from app.services.missions import CriterionLevel, MyObservation, MySubmission
from components import styles
from components.forms import drop_zone, message_text, secondary_button
from components.i18n import T, Tf
from components.tables import data_table
from state.missions import MISSION_FILE, MissionPanelState

LEVEL_COLOURS = ("red", "amber", "green", "indigo")

# Reflex 0.10's `Field.__get__` stubs resolve a dataclass field to `ArrayVar[Never]` under mypy (its sequence
# overload swallows them): name the var type the field really has.
_MINE = cast("ObjectVar[MySubmission]", MissionPanelState.mine)
_RESULT = cast("ObjectVar[MyObservation]", MissionPanelState.result)


def field_value(element_id: str) -> Var[str]:
    """The text of a form field, read in the browser when the event fires (sent with an upload).

    An upload goes over HTTP while other events use the websocket, so a field's
    value cannot be sent by a separate event before it: it travels with the upload.

    Args:
        element_id: The field's id.

    Returns:
        A string var.
    """
    return Var(_js_expr=f"(document.getElementById({element_id!r})?.value ?? '')", _var_type=str)


def level_label(level: Var[int]) -> rx.Component:
    """A criterion's level as a coloured badge.

    Args:
        level: 0 to 3 (anything else, -1: not rated).

    Returns:
        The badge.
    """
    return rx.match(
        level,
        *[
            (n, rx.badge(T(f"observations.level.{n}"), color_scheme=colour, variant="soft"))
            for n, colour in enumerate(LEVEL_COLOURS)
        ],
        rx.text("—", color_scheme="gray"),
    )


def file_drop(upload_id: str, label_key: str) -> rx.Component:
    """A one-file drop zone with its label and the chosen file's name.

    Args:
        upload_id: The upload's id (the `input[type=file]` lives inside `#<id>`).
        label_key: i18n key of its label.

    Returns:
        The zone.
    """
    return rx.vstack(
        rx.text(T(label_key), class_name="plume-label", as_="div"),
        drop_zone(
            upload_id,
            "missions.drop_file",
            "missions.file_limits",
            multiple=False,
            max_files=1,
            padding="0.75rem",
            width="100%",
        ),
        rx.cond(
            rx.selected_files(upload_id).length() > 0,
            rx.hstack(
                rx.foreach(rx.selected_files(upload_id), lambda f: rx.badge(rx.icon("paperclip", size=12), f)),
                wrap="wrap",
                spacing="1",
            ),
        ),
        spacing="1",
        width="100%",
    )


def field_error(text: Var[str], element_id: str = "") -> rx.Component:
    """An error under the field it is about.

    Args:
        text: The message ("" shows nothing).
        element_id: The error's id (for `aria-describedby`).

    Returns:
        The message.
    """
    return message_text(text, weight="medium", id=element_id or None)


def download_link(url: Var[str], name: Var[str]) -> rx.Component:
    """A link to download a mission's file.

    Args:
        url: Its route.
        name: Its name.

    Returns:
        The link.
    """
    # A file download: the SPA router must not take the navigation over.
    return ReactRouterLink.create(
        rx.hstack(rx.icon("download", size=14), rx.text(name, size="2"), align="center", spacing="1"),
        to=url,
        reload_document=True,
        download=name,
        aria_label=Tf("missions.download", name=name),
        class_name="plume-download",
    )


def _file_line(label_key: str, url: Var[str], name: Var[str]) -> rx.Component:
    """A labelled download link, when there is a file."""
    return rx.cond(
        url != "",
        rx.hstack(
            rx.text(T(label_key), size="2", weight="bold"),
            download_link(url, name),
            align="center",
            spacing="2",
            wrap="wrap",
        ),
    )


def _text_block(label_key: str, text: Var[str], **props: object) -> rx.Component:
    """A labelled text as its author typed it (line breaks kept), when there is one."""
    return rx.cond(
        text != "",
        rx.vstack(
            rx.text(T(label_key), size="2", weight="bold"),
            rx.text(text, size="2", white_space="pre-wrap", **props),
            spacing="1",
        ),
    )


def _error_for(field: str) -> Var[str]:
    return rx.cond(MissionPanelState.error_field == field, MissionPanelState.error, "").to(str)


def _hand_in_form() -> rx.Component:
    return rx.vstack(
        file_drop(MISSION_FILE, "missions.file"),
        field_error(_error_for("files")),
        rx.el.label(T("missions.comment"), html_for="mission-comment", class_name="plume-label"),
        rx.text_area(id="mission-comment", rows="3", width="100%"),
        field_error(_error_for("comment")),
        rx.cond(
            (MissionPanelState.error != "") & (MissionPanelState.error_field == ""),
            field_error(MissionPanelState.error),
        ),
        rx.hstack(
            rx.button(
                rx.icon("send", size=14),
                T("missions.hand_in"),
                loading=MissionPanelState.sending,
                on_click=MissionPanelState.hand_in(  # type: ignore[operator]  # forms.Handler: mypy misreads @rx.event
                    rx.upload_files(upload_id=MISSION_FILE), field_value("mission-comment")
                ),
            ),
            rx.cond(
                MissionPanelState.new_version,
                secondary_button(T("missions.keep_version"), on_click=MissionPanelState.cancel_new_version),
            ),
            spacing="2",
            wrap="wrap",
        ),
        spacing="2",
        width="100%",
        data_testid="mission-form",
    )


def _handed_in() -> rx.Component:
    mine = _MINE
    corrected = mine.status.to(str) == "corrected"
    return rx.vstack(
        rx.cond(
            corrected,
            rx.callout(
                Tf("missions.corrected_on", date=mine.corrected_at.to(str)),
                icon="circle_check",
                color_scheme="green",
                width="100%",
            ),
            rx.callout(
                Tf("missions.waiting", date=mine.submitted_at.to(str)),
                icon="hourglass",
                color_scheme="amber",
                width="100%",
                data_testid="mission-waiting",
            ),
        ),
        rx.cond(
            corrected,
            rx.vstack(
                rx.hstack(
                    rx.text(T("missions.your_score"), size="2", weight="bold"),
                    rx.badge(mine.score.to(str), size="3", data_testid="mission-score"),
                    align="center",
                    spacing="2",
                ),
                _text_block("missions.feedback", mine.feedback.to(str), data_testid="mission-feedback"),
                _file_line("missions.feedback_file", mine.feedback_url.to(str), mine.feedback_file_name.to(str)),
                spacing="2",
                width="100%",
                **styles.panel("green"),
            ),
        ),
        _file_line("missions.your_file", mine.file_url.to(str), mine.file_name.to(str)),
        _text_block("missions.your_comment", mine.comment.to(str), color_scheme="gray"),
        rx.cond(
            ~MissionPanelState.new_version,
            rx.button(
                rx.icon("refresh_cw", size=14),
                T("missions.hand_in_again"),
                variant="soft",
                on_click=MissionPanelState.start_new_version,
            ),
        ),
        spacing="3",
        width="100%",
    )


def _mission() -> rx.Component:
    status = _MINE.status.to(str)
    return rx.vstack(
        rx.cond(
            MissionPanelState.notice != "",
            rx.callout(MissionPanelState.notice, icon="circle_check", color_scheme="green", role="status"),
        ),
        rx.cond(status != "none", _handed_in()),
        rx.cond((status == "none") | MissionPanelState.new_version, _hand_in_form()),
        spacing="3",
        width="100%",
    )


def _level_row(level: ObjectVar[CriterionLevel]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(level.criterion.to(str)),
        rx.table.cell(level_label(level.level.to(int))),
        data_testid="observation-level",
    )


def _observation() -> rx.Component:
    r = _RESULT
    return rx.cond(
        MissionPanelState.observed,
        rx.vstack(
            rx.hstack(
                rx.text(Tf("observations.observed_on", date=r.observed_at.to(str)), size="2", color_scheme="gray"),
                rx.spacer(),
                rx.text(T("observations.score"), size="2", weight="bold"),
                rx.badge(r.score.to(str), size="3", data_testid="observation-score"),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            data_table(
                ["observations.criterion", "observations.level"],
                MissionPanelState.levels,
                _level_row,
                size="1",
            ),
            _text_block("observations.comment", r.comment.to(str)),
            spacing="3",
            width="100%",
        ),
        rx.callout(T("observations.not_yet"), icon="eye", color_scheme="gray", data_testid="observation-pending"),
    )


def _corrector_link(page: Any) -> rx.Component:
    a = page.activity
    kind = a["kind"].to(str)
    session_id = page.view["id"].to(str)
    return rx.link(
        rx.button(
            rx.cond(kind == "assignment", rx.icon("briefcase", size=14), rx.icon("eye", size=14)),
            rx.cond(kind == "assignment", T("missions.to_correct_link"), T("observations.to_do_link")),
            variant="soft",
        ),
        href="/tutorat/" + session_id + rx.cond(kind == "assignment", "/missions", "/observations").to(str),
    )


def mission_panel(page: Any) -> rx.Component:
    """The part of the activity panel for missions and observations.

    Learners hand in a mission and see its correction, or see their observation;
    the session's correctors get a link to the page where they correct or observe.

    Args:
        page: The session page's state (its open activity).

    Returns:
        The part (nothing for other kinds).
    """
    a = page.activity
    kind = a["kind"].to(str)
    return rx.cond(
        (kind == "assignment") | (kind == "observation"),
        rx.box(
            rx.cond(
                MissionPanelState.activity_id == a["id"].to(str),
                rx.cond(kind == "assignment", _mission(), _observation()),
            ),
            rx.cond(a["sees_everything"].to(bool), _corrector_link(page)),
            # Remounted (and reloaded) when another activity opens or this one is finished live.
            key=a["id"].to(str) + "-" + a["done"].to(str),
            on_mount=MissionPanelState.load,
            width="100%",
        ),
    )
