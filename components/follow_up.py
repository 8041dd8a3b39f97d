"""Following participation: the learner's progress bar, and the pieces of `Suivi des participants`.

The follow-up's bulk actions sit in `follow_up_actions()`: one button per action on the selection
(`FollowUpState._targets()` is what an action reaches). Another action is one more button there.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app.services.follow_up import Column, FollowUpRow, Segment
from components import styles
from components.competencies import record_button, record_dialog
from components.finishing import conclude_dialog
from components.forms import form_dialog, labelled
from components.i18n import T, Tf, Tn
from components.tables import (
    data_table,
    list_card,
    list_or_empty,
    page_size_select,
    page_summary,
    pager_bar,
    scroll_box,
    sort_header,
)
from state.follow_up import FollowUpState

SEGMENT_COLOURS = {"done": "green", "todo": "gray", "soon": "amber", "overdue": "red"}


def _segment_colour(state: Var[str], shade: int) -> Var:
    return rx.match(
        state,
        *[(name, rx.color(colour, shade)) for name, colour in SEGMENT_COLOURS.items()],
        rx.color("gray", shade),
    )


def _segment(segment: ObjectVar[Segment], on_open: Any, href: Var[str] | None) -> rx.Component:
    state = segment.state.to(str)
    title = segment.title.to(str)
    day = segment.expected_on.to(str)
    label = rx.match(state, *[(name, T(f"follow.state.{name}")) for name in SEGMENT_COLOURS], T("follow.state.todo"))
    body = rx.vstack(
        rx.box(height="0.6rem", width="100%", border_radius="999px", background=_segment_colour(state, 9)),
        rx.text(day, size="1", color=_segment_colour(state, 11), weight="medium", white_space="nowrap"),
        spacing="1",
        align="center",
        width="100%",
    )
    props: dict[str, Any] = {
        "flex": "1 1 0",
        "min_width": "2.75rem",  # a finger's width on a phone
        "padding": "0.25rem 0.1rem",
        "border_radius": "0.4rem",
        "title": Tf("follow.segment_aria", title=title, state=label, day=day),
        "aria_label": Tf("follow.segment_aria", title=title, state=label, day=day),
        "data_testid": "progress-segment",
        "custom_attrs": {"data-state": state},
        "_hover": {"background": rx.color("gray", 3)},
    }
    if href is not None:
        return rx.link(body, href=href, underline="none", display="block", **props)
    return rx.el.button(
        body, type="button", on_click=on_open(segment.activity_id.to_string()), cursor="pointer", **props
    )


def progress_bar(segments: ArrayVar, *, on_open: Any = None, session_id: Var[str] | None = None) -> rx.Component:
    """`Ma barre de progression`: one coloured segment per monitored activity, with its day; a click opens it.

    Args:
        segments: The learner's `Segment`s.
        on_open: A handler taking an activity id (the session page's panel), or None to link instead.
        session_id: With no handler: the session whose page `?activite=<id>` opens the activity.

    Returns:
        The bar (nothing when no activity is monitored).
    """

    def one(segment: ObjectVar[Segment]) -> rx.Component:
        if on_open is not None:
            return _segment(segment, on_open, None)
        path = rx.Var.create("/sessions/").to(str) + rx.Var.create("" if session_id is None else session_id).to(str)
        return _segment(segment, None, path + "?activite=" + segment.activity_id.to_string())

    return rx.cond(
        segments.length() > 0,
        rx.vstack(
            rx.hstack(
                rx.icon("flag", size=16, color=rx.color(styles.ACCENT, 11)),
                rx.text(T("follow.bar_title"), weight="bold", size="2"),
                spacing="2",
                align="center",
            ),
            rx.flex(rx.foreach(segments, one), gap="0.25rem", width="100%", wrap="wrap"),
            rx.flex(
                *[
                    rx.hstack(
                        rx.box(width="0.7rem", height="0.7rem", border_radius="999px", background=rx.color(c, 9)),
                        rx.text(T(f"follow.state.{name}"), size="1", color_scheme="gray"),
                        spacing="1",
                        align="center",
                    )
                    for name, c in SEGMENT_COLOURS.items()
                ],
                gap="0.75rem",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
            padding="0.75rem",
            **styles.OUTLINED,
            data_testid="progress-bar",
        ),
    )


def _tick(done: Var[bool]) -> rx.Component:
    return rx.table.cell(
        rx.center(
            rx.cond(
                done,
                rx.icon("check", size=16, color=rx.color("green", 10), aria_label=T("follow.tick_done")),
                rx.text("·", color_scheme="gray", aria_label=T("follow.tick_todo")),
            ),
        ),
        text_align="center",
        data_testid="follow-tick",
        custom_attrs={"data-done": rx.cond(done, "true", "false")},
    )


def _column_header(column: ObjectVar[Column]) -> rx.Component:
    return rx.table.column_header_cell(
        rx.vstack(
            rx.text(column.title.to(str), size="1", weight="medium", max_width="8rem", trim="both"),
            rx.text(
                column.expected_on.to(str),
                rx.cond(column.required.to(bool), " *", ""),
                size="1",
                color_scheme="gray",
            ),
            spacing="0",
            align="center",
        ),
        text_align="center",
        title=column.title.to(str),
    )


def _row(row: ObjectVar[FollowUpRow]) -> rx.Component:
    uid = row.user_id.to(int).to_string()
    name = (row.first_name.to(str) + " " + row.last_name.to(str)).strip()
    percent = row.percent.to(int)
    return rx.table.row(
        rx.table.cell(
            rx.checkbox(
                checked=FollowUpState.page_checked.contains(uid),
                on_change=lambda _checked: FollowUpState.toggle(uid),  # type: ignore[operator]  # forms.Handler
                aria_label=Tf("tutoring.select", name=name),
            )
        ),
        rx.table.cell(rx.text(row.first_name.to(str), size="2", weight="medium")),
        rx.table.cell(rx.text(row.last_name.to(str), size="2")),
        rx.table.cell(rx.text(rx.cond(row.last_connection.to(str) != "", row.last_connection.to(str), "—"), size="1")),
        rx.foreach(row.ticks.to(list[bool]), _tick),
        rx.table.cell(
            rx.hstack(
                rx.progress(value=percent, width="4rem"),
                rx.text(percent.to_string(), " %", size="1", data_testid="follow-percent"),
                align="center",
                spacing="2",
            )
        ),
        rx.table.cell(
            rx.cond(
                row.finished.to(bool),
                rx.badge(T("follow.yes"), color_scheme="green"),
                rx.badge(T("follow.no"), color_scheme="gray"),
            )
        ),
        rx.table.cell(record_button(uid, name)),
        data_testid="follow-row",
        custom_attrs={"data-user": uid},
    )


# `Formation terminée` and its undoing: (icon, label key, variant, colour) by the verb `ask_conclude` takes.
_CONCLUDE_LOOKS = {
    "finish": ("circle_check", "tutoring.finish", "soft", "green"),
    "undo": ("undo_2", "tutoring.unfinish", "ghost", "red"),
}


def _conclude_button(verb: str, **props: object) -> rx.Component:
    icon, label_key, variant, colour = _CONCLUDE_LOOKS[verb]
    return rx.button(
        rx.icon(icon, size=14),
        T(label_key),
        size="2",
        variant=variant,
        color_scheme=colour,
        on_click=FollowUpState.ask_conclude(verb),  # type: ignore[operator]
        **props,
    )


def follow_up_actions() -> rx.Component:
    """`Pour les utilisateurs sélectionnés…`: the bulk actions on the selection (one button each).

    Returns:
        The action area (shown while someone is selected).
    """
    return rx.hstack(
        rx.button(
            rx.icon("mail", size=14),
            T("follow.send_message"),
            size="2",
            on_click=FollowUpState.open_message,
            data_testid="follow-send-message",
        ),
        rx.cond(
            FollowUpState.can_conclude,
            rx.fragment(_conclude_button("finish", data_testid="follow-finish"), _conclude_button("undo")),
        ),
        conclude_dialog(FollowUpState),
        spacing="2",
        wrap="wrap",
        data_testid="follow-actions",
    )


def follow_up_selection() -> rx.Component:
    """The selection's line: how many, select every page, unselect, then `follow_up_actions()`.

    Returns:
        The line.
    """
    return rx.flex(
        rx.text(Tn("tutoring.selected", FollowUpState.selected_count), size="2", weight="medium"),
        rx.button(
            Tf("tutoring.select_all_pages", total=FollowUpState.total.to_string()),
            size="1",
            variant="soft",
            on_click=FollowUpState.select_all_pages,
        ),
        rx.cond(
            FollowUpState.selected_count > 0,
            rx.hstack(
                rx.button(
                    T("tutoring.clear_selection"), size="1", variant="ghost", on_click=FollowUpState.clear_selection
                ),
                rx.text(T("follow.actions_label"), size="2", color_scheme="gray"),
                follow_up_actions(),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
        ),
        gap="0.5rem",
        align="center",
        wrap="wrap",
        width="100%",
    )


# Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy: name its var type.
_MESSAGE_ERRORS = cast("ObjectVar[dict[str, str]]", FollowUpState.message_errors)


def message_dialog() -> rx.Component:
    """`Envoyer un message` to the selected learners: subject and text, sent by e-mail and notification.

    Returns:
        The dialog (mounted while open).
    """
    errors = _MESSAGE_ERRORS
    return form_dialog(
        FollowUpState.messaging,
        rx.text(Tn("follow.message_to", FollowUpState.selected_count), size="2", color_scheme="gray"),
        labelled(
            "follow.subject",
            "follow-subject",
            rx.input(id="follow-subject", name="subject", width="100%"),
            error=errors.get("subject", "").to(str),
        ),
        labelled(
            "follow.text",
            "follow-text",
            rx.text_area(id="follow-text", name="text", rows="6", width="100%"),
            error=errors.get("text", "").to(str),
        ),
        rx.cond(errors.contains("form"), rx.text(errors["form"], color_scheme="red", size="2", role="alert")),
        title=T("follow.send_message"),
        on_submit=FollowUpState.send_message,
        on_close=FollowUpState.close_message,
        submit=rx.button(rx.icon("send", size=14), T("follow.send"), type="submit"),
    )


def follow_up_table() -> rx.Component:
    """`Suivi des participants`: sortable headers, one row per learner, the pager.

    Returns:
        The card.
    """
    return list_card(
        follow_up_selection(),
        rx.cond(
            FollowUpState.notice != "",
            rx.callout(FollowUpState.notice, icon="circle_check", color_scheme="green", size="1", role="status"),
        ),
        rx.cond(
            FollowUpState.error != "",
            rx.callout(FollowUpState.error, icon="triangle_alert", color_scheme="red", size="1", role="alert"),
        ),
        rx.cond(
            FollowUpState.columns.length() == 0,
            rx.text(T("follow.none_monitored"), size="2", color_scheme="gray"),
        ),
        list_or_empty(
            None,
            FollowUpState.rows,
            scroll_box(
                data_table(
                    [
                        rx.table.column_header_cell(
                            rx.checkbox(
                                checked=FollowUpState.page_selected,
                                on_change=lambda _checked: FollowUpState.toggle_page(),  # type: ignore[operator]  # forms.Handler
                                aria_label=T("tutoring.select_page"),
                            )
                        ),
                        "follow.col.first_name",
                        sort_header(FollowUpState, "follow.col.last_name", "name"),
                        sort_header(FollowUpState, "follow.col.last_connection", "last_connection"),
                        rx.fragment(rx.foreach(FollowUpState.columns, _column_header)),
                        sort_header(FollowUpState, "follow.col.progress", "progress"),
                        sort_header(FollowUpState, "follow.col.finished", "finished"),
                        "record.open",
                    ],
                    FollowUpState.rows,
                    _row,
                    size="1",
                )
            ),
            rx.text(T("follow.no_learner"), color_scheme="gray", size="2", padding="1rem"),
        ),
        pager_bar(
            FollowUpState,
            page_summary(FollowUpState, "follow.summary"),
            rx.spacer(),
            page_size_select(FollowUpState, "tutoring.page_size"),
        ),
    )


def follow_up_body() -> rx.Component:
    """The follow-up page's content: the title, the table, the message dialog.

    Returns:
        The content.
    """
    return rx.vstack(
        rx.vstack(
            rx.heading(T("follow.page_title"), size="7", as_="h1"),
            rx.link(FollowUpState.title, href="/sessions/" + FollowUpState.session_id, color_scheme="gray"),
            spacing="1",
        ),
        follow_up_table(),
        message_dialog(),
        record_dialog(),
        spacing="4",
        width="100%",
    )
