"""The activity panel of a session page: content by kind, marking done, polls, learners' follow-up."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex_components_core.react_router.dom import ReactRouterLink

from components import styles
from components.appointments import appointment_panel
from components.attendance import status_badge
from components.cards import virtual_class_join
from components.evaluations import evaluation_panel
from components.forms import chosen_files, drop_zone, field, labelled, message_text
from components.i18n import T, Tf, Tn
from components.missions import mission_panel
from components.tables import data_table
from components.timeline import kind_icon, kind_label


def _poll(page: Any) -> rx.Component:
    a = page.activity
    options = a["options"].to(list[dict[str, Any]])
    voting = a["can_vote"].to(bool)
    return rx.cond(
        a["question"].to(str) != "",
        rx.vstack(
            rx.text(a["question"].to(str), weight="bold"),
            rx.cond(
                voting,
                rx.form(
                    rx.vstack(
                        rx.foreach(
                            options,
                            lambda o: rx.el.label(
                                rx.cond(
                                    a["multiple"].to(bool),
                                    rx.el.input(
                                        type="checkbox",
                                        name="choice_" + o["index"].to(str),
                                        default_checked=o["mine"].to(bool),
                                    ),
                                    rx.el.input(
                                        type="radio",
                                        name="choice",
                                        value=o["index"].to(str),
                                        default_checked=o["mine"].to(bool),
                                    ),
                                ),
                                rx.text(o["label"].to(str), as_="span", margin_left="0.5rem"),
                                display="flex",
                                align_items="center",
                            ),
                        ),
                        rx.button(T("activity.vote"), type="submit"),
                        spacing="2",
                        align="start",
                    ),
                    on_submit=page.vote,
                    key=a["id"].to(str) + a["votes"].to(str),
                ),
            ),
            rx.cond(
                a["has_results"].to(bool),
                rx.vstack(
                    rx.foreach(
                        options,
                        lambda o: rx.vstack(
                            rx.hstack(
                                rx.text(o["label"].to(str), size="2"),
                                rx.spacer(),
                                rx.text(o["count"].to(str), size="2", weight="bold"),
                                width="100%",
                            ),
                            rx.progress(value=o["percent"].to(int), width="100%"),
                            spacing="1",
                            width="100%",
                            data_testid="poll-result",
                        ),
                    ),
                    rx.text(Tn("activity.votes", a["votes"].to(int)), size="1", color_scheme="gray"),
                    width="100%",
                    spacing="2",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        rx.text(T("activity.no_poll"), color_scheme="gray", size="2"),
    )


def _content(page: Any) -> rx.Component:
    a = page.activity
    kind = a["kind"].to(str)
    url = a["url"].to(str)
    return rx.match(
        kind,
        (
            "video",
            rx.cond(
                url != "",
                rx.video(src=url, width="100%", height="auto", controls=True),
                rx.text(T("activity.no_video"), color_scheme="gray", size="2"),
            ),
        ),
        (
            "webinar",
            rx.cond(
                url != "",
                rx.hstack(
                    rx.link(
                        rx.button(rx.icon("external_link", size=14), T("activity.open_link")),
                        href=url,
                        is_external=True,
                    ),
                    rx.cond(a["link_date"].to(str) != "", rx.badge(a["link_date"].to(str))),
                    align="center",
                ),
                rx.text(T("activity.no_link"), color_scheme="gray", size="2"),
            ),
        ),
        ("poll", _poll(page)),
        ("virtual_class", virtual_class_join(a)),
        ("appointment", appointment_panel()),
        ("elearning", _elearning(page)),
        rx.fragment(),
    )


def _follow_up(page: Any) -> rx.Component:
    learners = page.activity["learners"].to(list[dict[str, Any]])
    return rx.cond(
        page.activity["sees_everything"].to(bool),
        rx.vstack(
            rx.heading(T("activity.follow_up"), size="3", as_="h3"),
            rx.cond(
                learners.length() > 0,
                rx.box(
                    data_table(
                        [
                            "activity.col.learner",
                            "activity.col.done",
                            "activity.col.date",
                            rx.cond(
                                page.activity["when"].to(str) != "",
                                rx.table.column_header_cell(T("activity.col.attendance")),
                            ),
                        ],
                        learners,
                        lambda p: rx.table.row(
                            rx.table.cell(p["name"].to(str)),
                            rx.table.cell(
                                rx.cond(
                                    p["done"].to(bool),
                                    rx.badge(T("activity.yes"), color_scheme="green"),
                                    rx.badge(T("activity.no"), color_scheme="gray"),
                                )
                            ),
                            rx.table.cell(p["done_at"].to(str)),
                            rx.cond(
                                page.activity["when"].to(str) != "",
                                rx.table.cell(status_badge(p["attendance"].to(str))),
                            ),
                            data_testid="follow-up-row",
                        ),
                        size="1",
                    ),
                    max_height="16rem",
                    overflow_y="auto",
                    width="100%",
                ),
                rx.text(T("activity.no_learner"), size="2", color_scheme="gray"),
            ),
            width="100%",
            spacing="2",
        ),
    )


def _text_area(name: str, value: Var[str], rows: str = "3") -> rx.Component:
    return rx.text_area(id=name, name=name, default_value=value, rows=rows, width="100%")


def _settings_form(page: Any) -> rx.Component:
    a = page.activity
    kind = a["kind"].to(str)
    return rx.cond(
        a["can_configure"].to(bool),
        rx.form(
            rx.vstack(
                rx.heading(T("activity.settings"), size="3", as_="h3"),
                rx.cond(
                    (kind == "video") | (kind == "webinar"),
                    field("activity.url", "url", default_value=a["url"].to(str)),
                ),
                rx.cond(
                    kind == "webinar",
                    field("activity.link_date", "date", type_="date", default_value=a["link_date"].to(str)),
                ),
                rx.cond(
                    kind == "poll",
                    rx.vstack(
                        field("activity.question", "question", default_value=a["question"].to(str)),
                        labelled("activity.options", "options", _text_area("options", a["options_text"].to(str), "4")),
                        rx.el.label(
                            rx.el.input(type="checkbox", name="multiple", default_checked=a["multiple"].to(bool)),
                            rx.text(T("activity.multiple"), as_="span", margin_left="0.5rem"),
                            display="flex",
                            align_items="center",
                        ),
                        width="100%",
                        spacing="1",
                    ),
                    labelled(
                        "activity.description", "description", _text_area("description", a["description"].to(str))
                    ),
                ),
                rx.button(T("common.save"), type="submit", size="2"),
                spacing="2",
                width="100%",
                **styles.panel(),
            ),
            on_submit=page.configure_activity,
            key=a["id"].to(str) + a["question"].to(str) + a["url"].to(str),
            width="100%",
        ),
    )


def _elearning(page: Any) -> rx.Component:
    a = page.activity
    package = a["package"].to(dict)
    return rx.vstack(
        rx.cond(
            a["player_path"].to(str) != "",
            rx.vstack(
                rx.hstack(
                    rx.icon("package", size=16),
                    rx.text(package["title"].to(str), size="2", weight="medium"),
                    rx.badge("SCORM ", package["version"].to(str), variant="soft"),
                    align="center",
                    wrap="wrap",
                ),
                rx.link(
                    rx.button(
                        rx.icon("play", size=16),
                        rx.cond(a["sees_everything"].to(bool), T("scorm.try"), T("scorm.start")),
                        size="3",
                        width="100%",
                    ),
                    href=a["player_path"].to(str),
                    width="100%",
                    data_testid="scorm-open",
                ),
                spacing="2",
                width="100%",
            ),
            rx.text(T("scorm.no_package"), size="2", color_scheme="gray"),
        ),
        rx.cond(
            page.can_edit,
            rx.vstack(
                rx.text(T("scorm.upload_label"), size="2", weight="medium"),
                rx.upload.root(
                    rx.text(T("scorm.upload_hint"), size="2", color_scheme="gray"),
                    id="scorm-package",
                    multiple=False,
                    accept={"application/zip": [".zip"]},
                    border=f"2px dashed {rx.color('gray', 6)}",
                    border_radius="0.5rem",
                    padding="0.75rem",
                    width="100%",
                    cursor="pointer",
                ),
                chosen_files("scorm-package"),
                rx.button(
                    rx.icon("upload", size=14),
                    T("scorm.upload"),
                    on_click=[
                        page.upload_package(rx.upload_files(upload_id="scorm-package")),
                        rx.clear_selected_files("scorm-package"),
                    ],
                    loading=page.activity_uploading,
                    data_testid="scorm-upload",
                ),
                rx.cond(
                    a["player_path"].to(str) != "",
                    rx.el.label(
                        rx.checkbox(
                            checked=package["new_attempts"].to(bool),
                            on_change=page.set_new_attempts,
                        ),
                        rx.text(T("scorm.new_attempts"), size="2"),
                        display="flex",
                        align_items="center",
                        gap="0.5rem",
                    ),
                ),
                spacing="2",
                width="100%",
                padding_top="0.5rem",
                border_top="1px solid var(--gray-a4)",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _video_upload(page: Any) -> rx.Component:
    return rx.cond(
        page.activity["can_configure"].to(bool) & (page.activity["kind"].to(str) == "video"),
        rx.hstack(
            rx.upload.root(
                rx.text(T("activity.video_file"), size="2"),
                id="video",
                multiple=False,
                border=f"2px dashed {rx.color('gray', 6)}",
                border_radius="0.5rem",
                padding="0.75rem",
                flex="1",
                cursor="pointer",
            ),
            rx.button(
                rx.icon("upload", size=14),
                T("activity.send_video"),
                on_click=[page.upload_video(rx.upload_files(upload_id="video")), rx.clear_selected_files("video")],
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
    )


def _file_button(icon: str, label: Var[str], url: Var[str], **link_props: object) -> rx.Component:
    # A file, not a page: the SPA router must not take the click over (reload_document).
    return rx.button(
        ReactRouterLink.create(rx.icon(icon, size=14), label, to=url, reload_document=True, **link_props),
        as_child=True,
        size="1",
        variant="soft",
    )


def _file_row(page: Any, f: Any) -> rx.Component:
    name = f["name"].to(str)
    return rx.hstack(
        rx.icon("file_text", size=18, color=rx.color(styles.ACCENT, 11), flex_shrink="0"),
        rx.vstack(
            rx.text(name, size="2", weight="medium", word_break="break-word"),
            rx.text(f["byline"].to(str), size="1", color_scheme="gray"),
            spacing="0",
            # Room for the name first: on a phone the buttons go to the next line rather than squeeze it.
            flex="1 1 12rem",
            min_width="0",
        ),
        rx.hstack(
            rx.cond(
                f["viewable"].to(bool),
                _file_button(
                    "eye",
                    T("activity.file_open"),
                    f["view_url"].to(str),
                    target="_blank",
                    rel="noopener",
                    aria_label=Tf("activity.file_open_label", name=name),
                ),
            ),
            _file_button(
                "download",
                T("activity.file_download"),
                f["url"].to(str),
                download=name,
                aria_label=Tf("activity.file_download_label", name=name),
            ),
            rx.cond(
                f["can_manage"].to(bool),
                rx.icon_button(
                    rx.icon("trash_2", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="red",
                    aria_label=Tf("activity.file_remove_label", name=name),
                    on_click=page.remove_activity_file(f["id"].to(str)),
                ),
            ),
            spacing="2",
            align="center",
            flex_shrink="0",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        padding="0.5rem 0.75rem",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="0.5rem",
        data_testid="activity-file",
    )


def _files(page: Any) -> rx.Component:
    """A document activity's own files, to open in a tab or download (through the activity's gate)."""
    a = page.activity
    files = a["files"].to(list[dict[str, Any]])
    return rx.cond(
        a["kind"].to(str) == "document",
        rx.vstack(
            rx.heading(T("activity.files"), size="3", as_="h3"),
            rx.cond(
                files.length() > 0,
                rx.vstack(rx.foreach(files, lambda f: _file_row(page, f)), spacing="2", width="100%"),
                rx.text(T("activity.no_files"), size="2", color_scheme="gray"),
            ),
            spacing="2",
            width="100%",
        ),
    )


def _files_upload(page: Any) -> rx.Component:
    """Staff and the session's trainers attach files to a document activity (several at once)."""
    a = page.activity
    return rx.cond(
        a["can_configure"].to(bool) & (a["kind"].to(str) == "document"),
        rx.vstack(
            rx.heading(T("activity.files_add"), size="3", as_="h3"),
            drop_zone(
                "activity-files",
                "activity.files_drop",
                "activity.files_limits",
                multiple=True,
                padding="0.75rem",
                width="100%",
            ),
            chosen_files("activity-files"),
            rx.button(
                rx.icon("paperclip", size=14),
                T("activity.files_send"),
                loading=page.activity_uploading,
                on_click=[
                    page.upload_activity_files(rx.upload_files(upload_id="activity-files")),
                    rx.clear_selected_files("activity-files"),
                ],
            ),
            message_text(page.files_notice, tone="green"),
            # A batch's refused files, one reason a line.
            message_text(page.files_error, white_space="pre-wrap", data_testid="activity-files-error"),
            spacing="2",
            width="100%",
            **styles.panel(),
        ),
    )


def _time_tracker(page: Any) -> rx.Component:
    """For learners, a marker `assets/activity-timer.js` looks for: it measures the time this panel is used."""
    a = page.activity
    return rx.cond(a["tracks_time"].to(bool), rx.box(data_activity_timer=a["id"].to(str), display="none"))


def _time_report_form(page: Any) -> rx.Component:
    """The form the timer submits the measured seconds through (outside the panel, so closing it loses nothing)."""
    return rx.form(
        rx.el.input(type="hidden", name="activity_id", default_value=""),
        rx.el.input(type="hidden", name="seconds", default_value="0"),
        on_submit=page.track_time,
        reset_on_submit=False,
        id="activity-timer-form",
        display="none",
    )


def activity_panel(page: Any) -> rx.Component:
    return rx.fragment(_panel(page), _time_report_form(page))


def _panel(page: Any) -> rx.Component:
    a = page.activity
    return rx.dialog.root(
        rx.dialog.content(
            rx.cond(
                a.contains("id"),
                rx.vstack(
                    rx.hstack(
                        rx.center(
                            kind_icon(a["kind"].to(str)),
                            color=rx.color(styles.ACCENT, 11),
                            background=rx.color(styles.ACCENT, 3),
                            border_radius="0.4rem",
                            width="2.25rem",
                            height="2.25rem",
                        ),
                        rx.vstack(
                            rx.dialog.title(a["title"].to(str), margin="0"),
                            rx.text(kind_label(a["kind"].to(str)), size="1", color_scheme="gray"),
                            spacing="0",
                        ),
                        rx.spacer(),
                        rx.dialog.close(
                            rx.icon_button(
                                rx.icon("x", size=16),
                                variant="ghost",
                                color_scheme="gray",
                                aria_label=T("common.close"),
                                on_click=page.close_activity,
                            )
                        ),
                        width="100%",
                        align="center",
                    ),
                    rx.cond(
                        a["when"].to(str) != "",
                        rx.hstack(rx.icon("clock", size=14), rx.text(a["when"].to(str), size="2"), align="center"),
                    ),
                    rx.cond(
                        a["description"].to(str) != "",
                        rx.text(a["description"].to(str), size="2", white_space="pre-wrap"),
                    ),
                    _content(page),
                    _files(page),
                    mission_panel(page),
                    evaluation_panel(page),
                    _time_tracker(page),
                    rx.cond(
                        a["attendance_path"].to(str) != "",
                        rx.link(
                            rx.button(
                                rx.icon("pen_line", size=16),
                                rx.cond(
                                    # Once signed, "Émarger" is done: the sheet stays reachable, second to joining.
                                    a["sees_everything"].to(bool) | a["join_signed"].to(bool),
                                    T("attendance.open_board"),
                                    T("attendance.open_sheet"),
                                ),
                                size="3",
                                width="100%",
                                variant=rx.cond(a["join_signed"].to(bool), "soft", "solid"),
                            ),
                            href=a["attendance_path"].to(str),
                            width="100%",
                            data_testid="attendance-link",
                        ),
                    ),
                    # A batch's refused files, one reason a line.
                    message_text(page.activity_error, white_space="pre-wrap", data_testid="activity-error"),
                    message_text(page.activity_notice, tone="green"),
                    rx.cond(
                        a["done"].to(bool),
                        rx.badge(rx.icon("check", size=14), T("activity.done"), color_scheme="green", size="2"),
                        rx.cond(
                            a["can_mark_done"].to(bool),
                            rx.button(rx.icon("check", size=14), T("activity.mark_done"), on_click=page.mark_done),
                        ),
                    ),
                    _follow_up(page),
                    _settings_form(page),
                    _files_upload(page),
                    _video_upload(page),
                    spacing="3",
                    width="100%",
                ),
            ),
            max_width="40rem",
            on_escape_key_down=page.close_activity,
            on_pointer_down_outside=page.close_activity,
        ),
        open=a.contains("id"),
    )
