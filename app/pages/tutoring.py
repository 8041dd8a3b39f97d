"""Tutoring pages: `Tutorat` (the sessions one follows) and a session's tutoring centre."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.number import NumberVar
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app.services.evaluations.validations import RecordLine
from app.services.progress import AttemptLine
from app.services.tutoring import (
    ConnectionLine,
    LearnerReport,
    LearnerRow,
    LessonLine,
    ReminderLine,
    ReportCourse,
    TutoredSession,
    VisitLine,
)
from app.services.virtual_class import PlanningWindow
from components import styles
from components.competencies import record_lines
from components.finishing import conclude_dialog
from components.forms import form_dialog, labelled
from components.i18n import T, Tf, Tk, Tn
from components.layout import dialog_actions, dialog_frame, gated_page, page_header, shell
from components.tables import (
    data_table,
    empty_state,
    list_card,
    list_or_empty,
    page_size_select,
    page_summary,
    pager_bar,
    scroll_box,
    sort_header,
    stacked_cell,
    stacked_row,
    status_badge,
    table_list,
)
from state.tutoring import PieSlice, TutoringCentreState, TutoringListState, TutoringReportState

STATUS_COLOURS = {"not_started": "gray", "in_progress": "amber", "finished": "green"}

# Reflex 0.10's `Field.__get__` stubs resolve a dict or dataclass field to `ArrayVar[Never]` under mypy
# (its sequence overload swallows them): name the var type the field really has. Likewise mypy reads a
# `@rx.event` handler as `EventNamespace`, so calling one with arguments carries `# type: ignore[operator]`
# (see `components.forms.Handler`).
_VC_ERRORS = cast("ObjectVar[dict[str, str]]", TutoringCentreState.vc_errors)
_VC_WINDOW = cast("ObjectVar[PlanningWindow]", TutoringCentreState.vc_window)
_PREVIEW = cast("ObjectVar[dict[str, str]]", TutoringCentreState.preview)
_REPORT = cast("ObjectVar[LearnerReport]", TutoringReportState.report)
_EDITING = cast("ObjectVar[dict[str, str]]", TutoringReportState.editing)
_EDIT_ERRORS = cast("ObjectVar[dict[str, str]]", TutoringReportState.edit_errors)


def _session_row(row: ObjectVar[TutoredSession]) -> rx.Component:
    # A card per session on a phone (`stacked_row`): the centre's button stays on screen.
    learners = row.learners.to(int)
    return stacked_row(
        stacked_cell(
            rx.vstack(
                rx.text(row.course_title.to(str), weight="medium"),
                rx.text(row.title.to(str), size="1", color_scheme="gray"),
                spacing="0",
            ),
            header=True,
        ),
        stacked_cell(row.starts_on.to(str) + " → " + row.ends_on.to(str)),
        stacked_cell(
            rx.text(learners.to_string(), display=rx.breakpoints(initial="none", sm="inline")),
            rx.text(Tn("home.learners", learners), display=rx.breakpoints(initial="inline", sm="none")),
        ),
        stacked_cell(
            rx.link(
                rx.button(rx.icon("chart_pie", size=14), T("tutoring.open_centre"), size="1", variant="soft"),
                href="/tutorat/" + row.id.to(int).to_string(),
            )
        ),
    )


def tutoring_switch(current: str) -> rx.Component:
    """`Sessions` / `Formations`: the two ways into the tutoring centre.

    Args:
        current: sessions or courses.

    Returns:
        The links, the current one highlighted.
    """
    return rx.hstack(
        *[
            rx.link(
                rx.button(
                    T(key),
                    variant="solid" if name == current else "soft",
                    size="2",
                    aria_current="page" if name == current else "false",
                    tab_index=-1,
                ),
                href=href,
            )
            for name, key, href in (
                ("sessions", "tutoring.switch.sessions", "/tutorat"),
                ("courses", "tutoring.switch.courses", "/tutorat/formations"),
            )
        ],
        spacing="2",
        margin_bottom="1rem",
    )


def tutoring_list_page() -> rx.Component:
    """The sessions whose learners the person follows.

    Returns:
        The page.
    """
    return shell(
        tutoring_switch("sessions"),
        table_list(
            TutoringListState.loading,
            ["tutoring.col.session", "tutoring.col.dates", "tutoring.col.learners", ""],
            TutoringListState.rows,
            _session_row,
            empty_state("tutoring.none", "users"),
            scroll=False,
            stacked=True,
            spinner_padding="3rem",
        ),
        title_key="tutoring.title",
    )


def _status_badge(status: Var[str]) -> rx.Component:
    return status_badge(status, "tutoring.status", STATUS_COLOURS)


def _learner_row(row: ObjectVar[LearnerRow]) -> rx.Component:
    session_id, user_id = row.session_id.to(int).to_string(), row.user_id.to(int).to_string()
    key = session_id + ":" + user_id  # as `state.tutoring.learner_key`
    name = row.name.to(str)
    report = "/tutorat/" + session_id + "/" + user_id
    # A card per learner on a phone (`stacked_row`), each value after its column's name: nothing scrolls sideways.
    return stacked_row(
        stacked_cell(
            rx.checkbox(
                checked=TutoringCentreState.page_checked.contains(key),
                on_change=lambda _checked: TutoringCentreState.toggle(key),  # type: ignore[operator]  # forms.Handler
                aria_label=Tf("tutoring.select", name=name),
            )
        ),
        stacked_cell(
            rx.vstack(
                rx.link(name, href=report, weight="medium", aria_label=Tf("tutoring.report_of", name=name)),
                rx.text(row.email.to(str), size="1", color_scheme="gray"),
                spacing="0",
            ),
            header=True,
        ),
        stacked_cell(
            rx.vstack(
                _status_badge(row.status.to(str)),
                rx.cond(
                    row.finished_on.to(str) != "",
                    rx.badge(
                        rx.icon("circle_check", size=12),
                        Tf("tutoring.finished_on", date=row.finished_on.to(str)),
                        color_scheme="green",
                        variant="outline",
                        data_testid="finished-badge",
                    ),
                ),
                spacing="1",
            ),
            label="tutoring.col.status",
        ),
        stacked_cell(
            rx.hstack(
                rx.progress(value=row.progress.to(int), width="5rem"),
                rx.text(row.progress.to(int).to_string(), " %", size="1"),
                align="center",
                spacing="2",
            ),
            label="tutoring.col.progress",
        ),
        stacked_cell(rx.text(_dash(row.time_spent), size="1"), label="tutoring.col.time"),
        stacked_cell(rx.text(_dash(row.last_activity), size="1"), label="tutoring.col.last_activity"),
        stacked_cell(
            rx.hstack(
                rx.link(
                    rx.icon_button(rx.icon("file_text", size=14), size="1", variant="soft", tab_index=-1),
                    href=report,
                    aria_label=Tf("tutoring.report_of", name=name),
                ),
                rx.icon_button(
                    rx.icon("award", size=14),
                    size="1",
                    variant="soft",
                    on_click=TutoringCentreState.issue_certificate(session_id, user_id),  # type: ignore[operator]  # forms.Handler
                    aria_label=Tf("tutoring.certificate_of", name=name),
                ),
                spacing="2",
            ),
            label="tutoring.col.documents",
        ),
        data_testid="learner-row",
    )


def _kind_button(kind: str) -> rx.Component:
    chosen = TutoringCentreState.kind == kind
    return rx.button(
        T(f"tutoring.kind.{kind}"),
        size="2",
        variant=rx.cond(chosen, "solid", "soft"),
        color_scheme=rx.cond(chosen, styles.ACCENT, "gray"),
        role="radio",
        aria_checked=rx.cond(chosen, "true", "false"),
        on_click=TutoringCentreState.set_kind(kind),  # type: ignore[operator]  # forms.Handler
    )


def _filters() -> rx.Component:
    # Buttons that wrap rather than a segmented control: its four French labels are wider than a phone.
    return rx.flex(
        rx.flex(
            *[_kind_button(k) for k in ("all", "mandatory", "recommended", "free")],
            role="radiogroup",
            aria_label=T("manage.enrolment_kind"),
            wrap="wrap",
            gap="0.5rem",
        ),
        rx.spacer(display=rx.breakpoints(initial="none", sm="block")),
        rx.form(
            rx.hstack(
                rx.input(
                    name="query",
                    placeholder=T("tutoring.search"),
                    aria_label=T("tutoring.search"),
                    default_value=TutoringCentreState.query,
                    width=rx.breakpoints(initial="100%", sm="18rem"),
                    flex=rx.breakpoints(initial="1", sm="0 1 auto"),
                    min_width="0",
                ),
                rx.button(rx.icon("search", size=14), T("tutoring.search_button"), type="submit", variant="soft"),
                spacing="2",
                width="100%",
            ),
            on_submit=TutoringCentreState.search,
            width=rx.breakpoints(initial="100%", sm="auto"),
        ),
        width="100%",
        wrap="wrap",
        spacing="3",
        align="center",
    )


def _tile(label_key: str, value: Var, test_id: str, *, hint: Var | str = "", href: Var | str = "") -> rx.Component:
    body = rx.vstack(
        rx.text(T(label_key), size="2", color_scheme="gray"),
        # A figure, not a heading: the page keeps one h1 and its h2 sections for screen readers' outline.
        rx.text(value, size="8", weight="bold", data_testid=test_id),
        rx.text(hint, size="1", color_scheme="gray"),
        spacing="1",
    )
    card = rx.card(body, min_width="11rem", flex="1", box_shadow=styles.CARD_SHADOW)
    if isinstance(href, str) and not href:
        return card
    return rx.cond(
        TutoringCentreState.session_id != "",
        rx.link(card, href=href, underline="none", flex="1", aria_label=T(label_key)),
        card,
    )


def _pie_legend_line(slice_: ObjectVar[PieSlice]) -> rx.Component:
    return rx.hstack(
        rx.box(width="0.75rem", height="0.75rem", border_radius="3px", background=slice_.fill.to(str)),
        rx.text(slice_.name.to(str), size="2"),
        rx.text(slice_.value.to(int).to_string(), size="2", weight="bold", data_testid="pie-value"),
        align="center",
        spacing="2",
    )


def _overview() -> rx.Component:
    return rx.flex(
        rx.flex(
            _tile(
                "tutoring.tile.learners",
                TutoringCentreState.learners.to_string(),
                "tile-learners",
                hint=Tn("tutoring.activities", TutoringCentreState.activities),
            ),
            _tile(
                "tutoring.tile.missions",
                TutoringCentreState.missions_waiting.to_string(),
                "tile-missions",
                hint=T("tutoring.tile.missions_hint"),
                href="/tutorat/" + TutoringCentreState.session_id + "/missions",
            ),
            _tile(
                "tutoring.tile.observations",
                TutoringCentreState.observations_waiting.to_string(),
                "tile-observations",
                hint=T("tutoring.tile.observations_hint"),
                href="/tutorat/" + TutoringCentreState.session_id + "/observations",
            ),
            spacing="3",
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
        ),
        rx.card(
            rx.cond(
                TutoringCentreState.learners > 0,
                _pie(),
                rx.hstack(
                    rx.icon("chart_pie", size=28, color=rx.color("gray", 8)),
                    rx.text(T("tutoring.empty_pie"), size="2", color_scheme="gray"),
                    align="center",
                    spacing="3",
                    padding="1rem",
                    data_testid="progress-pie-empty",
                ),
            ),
            flex="1",
            box_shadow=styles.CARD_SHADOW,
        ),
        spacing="4",
        direction="column",
        width="100%",
    )


def _pie() -> rx.Component:
    return rx.hstack(
        rx.recharts.pie_chart(
            rx.recharts.pie(
                rx.foreach(TutoringCentreState.pie, lambda p: rx.recharts.cell(fill=p.fill.to(str))),
                # recharts' stub wants plain dicts: the slices are sent as such.
                data=TutoringCentreState.pie.to(list[dict[str, Any]]),
                data_key="value",
                name_key="name",
                inner_radius="55%",
                outer_radius="90%",
                is_animation_active=False,
            ),
            rx.recharts.graphing_tooltip(),
            width=180,
            height=180,
        ),
        rx.vstack(
            rx.foreach(TutoringCentreState.pie, _pie_legend_line),
            spacing="2",
        ),
        align="center",
        spacing="4",
        wrap="wrap",
        role="group",
        aria_label=T("tutoring.pie_title"),
        data_testid="progress-pie",
    )


def _pager() -> rx.Component:
    return pager_bar(
        TutoringCentreState,
        page_summary(TutoringCentreState, "tutoring.page"),
        rx.spacer(),
        page_size_select(TutoringCentreState, "tutoring.page_size", lambda n: Tf("tutoring.per_page", size=str(n))),
    )


def _bulk(icon: str, label_key: str, on_click: Any, *, variant: str = "soft", **props: Any) -> rx.Component:
    """A button acting on the selected learners."""
    return rx.button(rx.icon(icon, size=14), T(label_key), size="2", variant=variant, on_click=on_click, **props)


def _selection() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(Tn("tutoring.selected", TutoringCentreState.selected_count), size="2", weight="medium"),
            rx.button(
                Tf("tutoring.select_all_pages", total=TutoringCentreState.total.to_string()),
                size="1",
                variant="soft",
                on_click=TutoringCentreState.select_all_pages,
            ),
            rx.cond(
                TutoringCentreState.selected_count > 0,
                rx.hstack(
                    rx.button(
                        T("tutoring.clear_selection"),
                        size="1",
                        variant="ghost",
                        on_click=TutoringCentreState.clear_selection,
                    ),
                    _bulk("mail", "tutoring.remind", TutoringCentreState.open_reminder, variant="solid"),
                    _bulk("video", "tutoring.virtual_class", TutoringCentreState.open_virtual_class),
                    rx.cond(
                        TutoringCentreState.can_conclude,
                        _bulk(
                            "circle_check",
                            "tutoring.finish",
                            TutoringCentreState.ask_conclude("finish"),  # type: ignore[operator]
                            color_scheme="green",
                            data_testid="bulk-finish",
                        ),
                    ),
                    _bulk(
                        "award",
                        "tutoring.attestations",
                        TutoringCentreState.make_attestations,
                        loading=TutoringCentreState.attesting,
                    ),
                    _bulk(
                        "file_text",
                        "tutoring.attestations_merged",
                        TutoringCentreState.make_merged_attestations,
                        loading=TutoringCentreState.attesting,
                    ),
                    rx.cond(
                        TutoringCentreState.can_conclude,
                        _bulk(
                            "undo_2",
                            "tutoring.unfinish",
                            TutoringCentreState.ask_conclude("undo"),  # type: ignore[operator]
                            variant="ghost",
                            color_scheme="red",
                        ),
                    ),
                    spacing="2",
                    align="center",
                    wrap="wrap",
                ),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            TutoringCentreState.notice != "",
            rx.callout(
                TutoringCentreState.notice, icon="circle_check", color_scheme="green", role="status", width="100%"
            ),
        ),
        rx.cond(
            (TutoringCentreState.error != "") & ~TutoringCentreState.reminding,
            rx.callout(
                TutoringCentreState.error, icon="triangle_alert", color_scheme="red", role="alert", width="100%"
            ),
        ),
        spacing="2",
        width="100%",
    )


def _reminder_dialog() -> rx.Component:
    return dialog_frame(
        TutoringCentreState.reminding,
        rx.vstack(
            rx.dialog.title(
                rx.cond(
                    TutoringCentreState.target_count == 1,
                    Tf("tutoring.remind_title_one", count=TutoringCentreState.target_count.to_string()),
                    Tf("tutoring.remind_title", count=TutoringCentreState.target_count.to_string()),
                ),
                margin="0",
            ),
            rx.cond(
                TutoringCentreState.target_count < TutoringCentreState.selected_count,
                rx.text(T("tutoring.remind_shown_only"), size="2", color_scheme="amber"),
            ),
            rx.vstack(
                rx.el.label(T("tutoring.remind_template"), html_for="template", class_name="plume-label"),
                rx.el.select(
                    *[rx.el.option(T(f"templates.kind.{k}"), value=k) for k in ("reminder", "reminder_deadline")],
                    id="template",
                    value=TutoringCentreState.template,
                    on_change=TutoringCentreState.set_template,
                    class_name="plume-select",
                ),
                spacing="1",
                width="100%",
            ),
            rx.text(T("tutoring.remind_preview"), size="2", color_scheme="gray"),
            rx.card(
                rx.vstack(
                    rx.text(_PREVIEW["subject"], weight="bold"),
                    rx.text(_PREVIEW["body"], size="2", white_space="pre-wrap"),
                    spacing="2",
                ),
                width="100%",
            ),
            rx.text(T("tutoring.remind_template_hint"), size="1", color_scheme="gray"),
            rx.cond(
                TutoringCentreState.error != "",
                rx.text(TutoringCentreState.error, role="alert", color_scheme="red", size="2"),
            ),
            dialog_actions(
                TutoringCentreState.close_reminder,
                rx.button(
                    rx.icon("send", size=14),
                    T("tutoring.remind_send"),
                    on_click=TutoringCentreState.send_reminders,
                ),
            ),
            spacing="3",
            width="100%",
        ),
        on_close=TutoringCentreState.close_reminder,
    )


def _vc_field(
    label_key: str, name: str, *, type_: str = "text", default: Var[str] | str = "", **props: Any
) -> rx.Component:
    return labelled(
        label_key,
        f"vc-{name}",
        rx.input(id=f"vc-{name}", name=name, type=type_, default_value=default, width="100%", **props),
        error=_VC_ERRORS.get(name, ""),
    )


def _virtual_class_dialog() -> rx.Component:
    return form_dialog(
        TutoringCentreState.planning,
        rx.text(T("tutoring.vc_hint"), size="2", color_scheme="gray"),
        _vc_field("tutoring.vc_name", "title", default=T("tutoring.vc_default")),
        rx.flex(
            _vc_field(
                "tutoring.vc_day",
                "day",
                type_="date",
                min=_VC_WINDOW.first,
                max=_VC_WINDOW.last,
            ),
            _vc_field("tutoring.vc_start", "start", type_="time", default="10:00"),
            _vc_field("tutoring.vc_end", "end", type_="time", default="11:00"),
            spacing="3",
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
        ),
        rx.text(
            Tf(
                "tutoring.vc_period",
                first=_VC_WINDOW.first_label,
                last=_VC_WINDOW.last_label,
            ),
            size="1",
            color_scheme="gray",
        ),
        _vc_field("tutoring.vc_link", "link", type_="url"),
        rx.cond(
            _VC_ERRORS.contains("form"),
            rx.text(_VC_ERRORS["form"], color_scheme="red", size="2", role="alert"),
        ),
        title=Tn("tutoring.vc_title", TutoringCentreState.target_count),
        on_submit=TutoringCentreState.create_virtual_class,
        on_close=TutoringCentreState.close_virtual_class,
        submit=rx.button(rx.icon("send", size=14), T("tutoring.vc_create"), type="submit"),
    )


def _centre() -> rx.Component:
    return rx.vstack(
        page_header(
            Tf("tutoring.centre_of", title=TutoringCentreState.course_title),
            rx.text(
                rx.cond(TutoringCentreState.course_id != "", T("tutoring.course_scope"), TutoringCentreState.title),
                color_scheme="gray",
            ),
        ),
        _filters(),
        _overview(),
        _selection(),
        _reminder_dialog(),
        conclude_dialog(TutoringCentreState),
        _virtual_class_dialog(),
        list_card(
            list_or_empty(
                None,
                TutoringCentreState.rows,
                scroll_box(
                    data_table(
                        [
                            rx.table.column_header_cell(
                                rx.checkbox(
                                    checked=TutoringCentreState.page_selected,
                                    on_change=lambda _checked: TutoringCentreState.toggle_page(),  # type: ignore[operator]  # forms.Handler
                                    aria_label=T("tutoring.select_page"),
                                )
                            ),
                            sort_header(TutoringCentreState, "tutoring.col.name", "name"),
                            sort_header(TutoringCentreState, "tutoring.col.status", "status"),
                            sort_header(TutoringCentreState, "tutoring.col.progress", "progress"),
                            sort_header(TutoringCentreState, "tutoring.col.time", "time"),
                            sort_header(TutoringCentreState, "tutoring.col.last_activity", "last_activity"),
                            "tutoring.col.documents",
                        ],
                        TutoringCentreState.rows,
                        _learner_row,
                        stacked=True,
                    )
                ),
                rx.text(T("tutoring.no_learner"), color_scheme="gray", size="2", padding="1rem"),
            ),
            _pager(),
        ),
        spacing="4",
        width="100%",
    )


def tutoring_centre_page() -> rx.Component:
    """A session's tutoring centre.

    Returns:
        The page.
    """
    return gated_page(TutoringCentreState.loading, TutoringCentreState.found, _centre())


def _info(label_key: str, value: Var) -> rx.Component:
    return rx.vstack(
        rx.text(T(label_key), size="1", color_scheme="gray"),
        rx.text(value, size="2", weight="medium"),
        spacing="0",
        min_width="10rem",
    )


def _report_table(
    title_key: str,
    headers: tuple[str, ...],
    rows: ArrayVar,
    cells: Callable[[Any], tuple[Var | rx.Component, ...]],
    *,
    empty_key: str,
    test_id: str,
) -> rx.Component:
    """A titled card holding a table of the report (or a line saying it is empty)."""
    return list_card(
        rx.heading(T(title_key), size="4", as_="h2"),
        list_or_empty(
            None,
            rows,
            scroll_box(  # a phone scrolls the table, not the page
                data_table(
                    headers,
                    rows,
                    lambda row: rx.table.row(*[rx.table.cell(c) for c in cells(row)], data_testid=test_id),
                )
            ),
            rx.text(T(empty_key), size="2", color_scheme="gray"),
        ),
    )


LESSON_COLOURS = {
    "not_started": "gray",
    "in_progress": "amber",
    "completed": "green",
    "passed": "green",
    "failed": "red",
}
LESSON_STATUSES = tuple(LESSON_COLOURS)


def _lesson_badge(status: Var[str]) -> rx.Component:
    return status_badge(status, "lesson.status", LESSON_COLOURS)


def _dash(value: Var) -> Var:
    return rx.cond(value.to(str) != "", value.to(str), "—")


def _attempt_line(attempt: ObjectVar[AttemptLine], index: NumberVar[int]) -> rx.Component:
    return stacked_row(
        stacked_cell(Tf("tutoring.attempt_n", n=(index + 1).to_string()), header=True),
        stacked_cell(attempt.started_at.to(str), label="tutoring.report.date"),
        stacked_cell(_lesson_badge(attempt.status.to(str)), label="tutoring.col.status"),
        stacked_cell(_dash(attempt.score), label="tutoring.report.score", white_space="nowrap"),
        stacked_cell(attempt.time.to(str), label="tutoring.col.time"),
        data_testid="attempt-row",
    )


def _lesson_rows(line: ObjectVar[LessonLine]) -> rx.Component:
    aid = line.activity_id.to(int).to_string()
    title = line.title.to(str)
    attempts = line.attempts.to(list[AttemptLine])
    open_ = TutoringReportState.expanded.contains(aid)
    # A card per lesson on a phone (`stacked_row`), each value after its column's name: nothing scrolls sideways.
    return rx.fragment(
        stacked_row(
            stacked_cell(
                rx.cond(
                    attempts.length() > 0,
                    rx.icon_button(
                        rx.cond(open_, rx.icon("chevron_down", size=14), rx.icon("chevron_right", size=14)),
                        size="1",
                        variant="ghost",
                        on_click=TutoringReportState.toggle_attempts(aid),  # type: ignore[operator]  # forms.Handler
                        aria_label=Tf("tutoring.show_attempts", title=title),
                        aria_expanded=rx.cond(open_, "true", "false"),
                    ),
                )
            ),
            stacked_cell(
                rx.vstack(
                    rx.text(title, weight="medium", size="2"),
                    rx.text(line.module.to(str), size="1", color_scheme="gray"),
                    # Each half-day's attendance, in the words of the board and the PDF sheet (one rule).
                    rx.foreach(
                        line.attendance.to(list[str]),
                        lambda day: rx.text(day, size="1", data_testid="lesson-attendance"),
                    ),
                    spacing="0",
                ),
                header=True,
            ),
            stacked_cell(_lesson_badge(line.status.to(str)), label="tutoring.col.status"),
            # Figures never break inside ("33,33 %" on two lines reads as two numbers).
            stacked_cell(_dash(line.score), label="tutoring.report.score", white_space="nowrap"),
            stacked_cell(_dash(line.average), label="tutoring.report.average", white_space="nowrap"),
            stacked_cell(_dash(line.passing), label="tutoring.report.passing", white_space="nowrap"),
            stacked_cell(
                rx.cond(attempts.length() > 0, attempts.length().to_string(), "—"), label="tutoring.report.attempts"
            ),
            stacked_cell(_dash(line.time), label="tutoring.col.time"),
            stacked_cell(_dash(line.status_at), label="tutoring.report.date"),
            stacked_cell(
                rx.icon_button(
                    rx.icon("pencil", size=14),
                    size="1",
                    variant="soft",
                    on_click=TutoringReportState.open_edit(aid),  # type: ignore[operator]  # forms.Handler
                    aria_label=Tf("tutoring.edit_stats_of", title=title),
                )
            ),
            data_testid="lesson-row",
        ),
        rx.cond(
            open_,
            stacked_row(
                stacked_cell(
                    data_table(
                        (
                            "tutoring.attempt",
                            "tutoring.report.date",
                            "tutoring.col.status",
                            "tutoring.report.score",
                            "tutoring.col.time",
                        ),
                        attempts,
                        _attempt_line,
                        size="1",
                        variant="surface",
                        width=None,
                        stacked=True,
                    ),
                    col_span=10,
                    padding_left=rx.breakpoints(initial="0", sm="2.5rem"),
                )
            ),
        ),
    )


def _lessons() -> rx.Component:
    headers = (
        "",
        "tutoring.report.lesson",
        "tutoring.col.status",
        "tutoring.report.score",
        "tutoring.report.average",
        "tutoring.report.passing",
        "tutoring.report.attempts",
        "tutoring.col.time",
        "tutoring.report.date",
        "",
    )
    return list_card(
        rx.heading(T("tutoring.report.lessons"), size="4", as_="h2"),
        list_or_empty(
            None,
            TutoringReportState.lessons,
            scroll_box(data_table(headers, TutoringReportState.lessons, _lesson_rows, stacked=True)),
            rx.text(T("tutoring.report.no_lesson"), size="2", color_scheme="gray"),
        ),
    )


def _stats_field(label_key: str, name: str, control: rx.Component, hint_key: str = "") -> rx.Component:
    return labelled(label_key, f"stats-{name}", control, error=_EDIT_ERRORS.get(name, ""), hint_key=hint_key)


def _stats_input(name: str, **props: Any) -> rx.Component:
    return rx.input(id=f"stats-{name}", name=name, default_value=_EDITING[name], width="100%", **props)


def _stats_dialog() -> rx.Component:
    return form_dialog(
        _EDITING.contains("activity_id"),
        rx.text(_EDITING["title"], size="2", color_scheme="gray"),
        _stats_field(
            "tutoring.col.status",
            "status",
            rx.el.select(
                *[rx.el.option(T(f"lesson.status.{k}"), value=k) for k in LESSON_STATUSES],
                id="stats-status",
                name="status",
                default_value=_EDITING["status"],
                class_name="plume-select",
            ),
        ),
        rx.el.label(
            rx.checkbox(name="clear_attempts"),
            rx.text(T("tutoring.stats.clear_attempts"), size="2"),
            display="flex",
            align_items="center",
            gap="0.5rem",
        ),
        rx.flex(
            _stats_field("tutoring.report.date", "date", _stats_input("date", type="date")),
            _stats_field("tutoring.stats.score", "score", _stats_input("score", input_mode="decimal")),
            _stats_field("tutoring.stats.time", "time_spent", _stats_input("time_spent")),
            spacing="3",
            direction=rx.breakpoints(initial="column", sm="row"),
            width="100%",
        ),
        _stats_field("tutoring.stats.location", "location", _stats_input("location")),
        _stats_field(
            "tutoring.stats.suspend_data",
            "suspend_data",
            rx.text_area(
                id="stats-suspend_data",
                name="suspend_data",
                default_value=_EDITING["suspend_data"],
                rows="3",
                width="100%",
            ),
            "tutoring.stats.suspend_hint",
        ),
        rx.cond(
            _EDIT_ERRORS.contains("form"),
            rx.text(_EDIT_ERRORS["form"], color_scheme="red", size="2", role="alert"),
        ),
        title=T("tutoring.edit_stats"),
        on_submit=TutoringReportState.save_edit,
        on_close=TutoringReportState.close_edit,
        submit=rx.button(T("tutoring.stats.save"), type="submit"),
        max_width="38rem",
    )


def _connection_cells(connection: ObjectVar[ConnectionLine]) -> tuple[Var, ...]:
    return connection.started, connection.last_seen, connection.device


def _visit_cells(visit: ObjectVar[VisitLine]) -> tuple[Var, ...]:
    return visit.started, visit.lesson, visit.time


def _reminder_cells(reminder: ObjectVar[ReminderLine]) -> tuple[Var | rx.Component, ...]:
    subject = rx.vstack(
        rx.text(reminder.subject.to(str), size="2"),
        rx.text(reminder.by.to(str), size="1", color_scheme="gray"),
        spacing="0",
        min_width="12rem",
    )
    return (
        reminder.sent_at,
        Tk("tutoring.reminder_kind.", reminder.kind),  # a key completed in the browser
        Tk("templates.kind.", reminder.template),
        subject,
    )


def _course_switch() -> rx.Component:
    """`Sélectionner un autre cours`: the same learner's report in another session the actor follows."""
    return rx.cond(
        TutoringReportState.courses.length() > 1,
        rx.hstack(
            rx.el.label(T("tutoring.report.other_course"), html_for="other-course", class_name="plume-label"),
            rx.el.select(
                rx.foreach(
                    TutoringReportState.courses,
                    lambda c: rx.el.option(
                        cast("ObjectVar[ReportCourse]", c).label.to(str),
                        value=cast("ObjectVar[ReportCourse]", c).session_id.to(int).to_string(),
                    ),
                ),
                id="other-course",
                value=TutoringReportState.session_id,
                on_change=lambda sid: rx.redirect("/tutorat/" + sid + "/" + TutoringReportState.user_id),
                class_name="plume-select",
                max_width="36rem",
            ),
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
    )


def _trail_cells(edit: ObjectVar[dict[str, str]]) -> tuple[Var | rx.Component, ...]:
    changes = rx.text(edit["changes"], size="2", white_space="pre-line", min_width="14rem")
    return edit["at"], edit["by"], edit["activity"], changes


def _record() -> rx.Component:
    """The learner's competencies (acquired or not) and the session's modules (validated or not)."""
    r = _REPORT
    return list_card(
        rx.heading(T("record.open"), size="4", as_="h2"),
        rx.text(T("record.competencies"), size="2", weight="bold"),
        record_lines(
            r.competencies.to(list[RecordLine]),
            "record.acquired",
            "record.not_acquired",
            "record.no_competency",
            "report-competencies",
        ),
        rx.text(T("record.modules"), size="2", weight="bold"),
        record_lines(
            r.validated_modules.to(list[RecordLine]),
            "record.validated",
            "record.not_validated",
            "record.no_module",
            "report-modules",
        ),
    )


def _report() -> rx.Component:
    r = _REPORT
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow_left", size=14), rx.text(T("tutoring.back_to_centre")), align="center", spacing="1"
            ),
            href="/tutorat/" + TutoringReportState.session_id,
            size="2",
        ),
        rx.hstack(
            rx.heading(Tf("tutoring.report_title", name=r.name.to(str)), size="7", as_="h1"),
            _status_badge(r.status.to(str)),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        _course_switch(),
        list_card(
            rx.heading(T("tutoring.report.info"), size="4", as_="h2"),
            rx.flex(
                _info("tutoring.report.organisation", r.organisation.to(str)),
                _info("tutoring.report.email", r.email.to(str)),
                _info("tutoring.report.start", r.starts_on.to(str)),
                _info("tutoring.report.objective", r.objective_on.to(str)),
                _info("tutoring.report.end", r.ends_on.to(str)),
                _info("tutoring.report.progress", r.progress.to(int).to_string() + " %"),
                _info("tutoring.report.total_time", r.time_spent.to(str)),
                _info("tutoring.report.first", _dash(r.first_connection)),
                _info("tutoring.report.last", _dash(r.last_connection)),
                wrap="wrap",
                spacing="5",
            ),
        ),
        _lessons(),
        _record(),
        rx.cond(
            TutoringReportState.notice != "",
            rx.callout(
                TutoringReportState.notice, icon="circle_check", color_scheme="green", role="status", width="100%"
            ),
        ),
        _stats_dialog(),
        _report_table(
            "tutoring.report.connections",
            ("tutoring.report.visit_date", "tutoring.report.lesson", "tutoring.col.time"),
            TutoringReportState.visits,
            _visit_cells,
            empty_key="tutoring.report.no_visit",
            test_id="visit-row",
        ),
        _report_table(
            "tutoring.report.reminders",
            (
                "tutoring.report.visit_date",
                "tutoring.report.reminder_kind",
                "tutoring.report.reminder_template",
                "tutoring.report.subject",
            ),
            TutoringReportState.reminders,
            _reminder_cells,
            empty_key="tutoring.report.no_reminder",
            test_id="reminder-row",
        ),
        _report_table(
            "tutoring.report.devices",
            ("tutoring.report.started", "tutoring.report.last_seen", "tutoring.report.device"),
            TutoringReportState.connections,
            _connection_cells,
            empty_key="tutoring.report.no_connection",
            test_id="connection-row",
        ),
        _report_table(
            "tutoring.trail.title",
            ("tutoring.trail.at", "tutoring.trail.by", "tutoring.trail.activity", "tutoring.trail.changes"),
            TutoringReportState.stats_edits,
            _trail_cells,
            empty_key="tutoring.trail.empty",
            test_id="stats-edit-row",
        ),
        spacing="4",
        width="100%",
    )


def tutoring_report_page() -> rx.Component:
    """One learner's report.

    Returns:
        The page.
    """
    return gated_page(TutoringReportState.loading, TutoringReportState.found, _report())
