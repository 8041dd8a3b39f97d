"""`Tutorat > Formations` (category tree and the followed courses) and a followed course's detail."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from app import routes
from components import styles
from components.i18n import T, Tf
from components.layout import gated_page, shell
from components.tables import (
    data_table,
    list_or_empty,
    loading_spinner,
    page_size_select,
    pager_bar,
    scroll_box,
    sort_header,
)
from state.session import SessionState
from state.tutoring_courses import TutoringCoursesState as L
from state.tutoring_courses import TutoringCourseState as D

COURSE_PATH = "/tutorat/formations/"


def _breadcrumb(*parts: rx.Component) -> rx.Component:
    crumbs: list[rx.Component] = [
        rx.link(T("tutoring.title"), href=routes.TUTORING, size="2"),
    ]
    for part in parts:
        crumbs += [rx.icon("chevron_right", size=14, color=rx.color("gray", 9)), part]
    return rx.el.nav(rx.hstack(*crumbs, align="center", spacing="1", wrap="wrap"), aria_label=T("tcourses.breadcrumb"))


def _kind_label(kind: Var[str]) -> Var[str]:
    return SessionState.tr["kind." + kind].to(str)


def _folder_item(folder: Var[dict[str, Any]]) -> rx.Component:
    path = folder["path"].to(str)
    name = folder["name"].to(str)
    selected = L.folder == path
    return rx.hstack(
        rx.cond(
            folder["has_children"].to(bool),
            rx.icon_button(
                rx.cond(
                    L.collapsed.contains(path), rx.icon("chevron_right", size=14), rx.icon("chevron_down", size=14)
                ),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=L.toggle_folder(path),
                aria_label=rx.cond(
                    L.collapsed.contains(path), Tf("tcourses.unfold", name=name), Tf("tcourses.fold", name=name)
                ),
                aria_expanded=rx.cond(L.collapsed.contains(path), "false", "true"),
            ),
            rx.box(width="24px", flex_shrink="0"),
        ),
        rx.button(
            rx.cond(selected, rx.icon("folder_open", size=14), rx.icon("folder", size=14)),
            rx.text(name, size="2", flex="1", text_align="left"),
            rx.badge(folder["courses"].to(str), variant="soft", color_scheme="gray", radius="full"),
            variant=rx.cond(selected, "soft", "ghost"),
            color_scheme=rx.cond(selected, styles.ACCENT, "gray"),
            size="1",
            on_click=L.select_folder(path),
            aria_pressed=rx.cond(selected, "true", "false"),
            flex="1",
            justify="start",
        ),
        spacing="1",
        align="center",
        width="100%",
        padding_left=(folder["depth"].to(int) * 16).to_string() + "px",
        data_testid="folder",
    )


def _tree() -> rx.Component:
    everything = L.folder == ""
    return rx.card(
        rx.vstack(
            rx.heading(T("tcourses.folders"), size="3", as_="h2"),
            rx.el.nav(
                rx.vstack(
                    rx.button(
                        rx.icon("library", size=14),
                        rx.text(T("tcourses.all_courses"), size="2", flex="1", text_align="left"),
                        rx.badge(L.total_courses.to_string(), variant="soft", color_scheme="gray", radius="full"),
                        variant=rx.cond(everything, "soft", "ghost"),
                        color_scheme=rx.cond(everything, styles.ACCENT, "gray"),
                        size="1",
                        on_click=L.select_folder(""),
                        aria_pressed=rx.cond(everything, "true", "false"),
                        width="100%",
                        justify="start",
                    ),
                    rx.foreach(L.visible_folders, _folder_item),
                    spacing="1",
                    width="100%",
                ),
                aria_label=T("tcourses.folders"),
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        width=["100%", "100%", "17rem"],
        flex_shrink="0",
        box_shadow=styles.CARD_SHADOW,
    )


def _lists_cell(row: Var[dict[str, Any]]) -> rx.Component:
    titles = rx.vstack(
        rx.foreach(row["lists"].to(list[str]), lambda title: rx.text(title, size="1", color_scheme="gray")),
        rx.cond(
            row["more_lists"].to(str) != "",
            rx.text(Tf("tcourses.more_lists", count=row["more_lists"].to(str)), size="1", color_scheme="gray"),
        ),
        spacing="0",
    )
    return rx.cond(
        row["everyone"].to(bool),
        rx.vstack(rx.badge(T("tcourses.everyone"), color_scheme="green", variant="soft"), titles, spacing="1"),
        rx.vstack(
            rx.foreach(row["lists"].to(list[str]), lambda title: rx.text(title, size="2")),
            rx.cond(
                row["more_lists"].to(str) != "",
                rx.text(Tf("tcourses.more_lists", count=row["more_lists"].to(str)), size="1", color_scheme="gray"),
            ),
            spacing="0",
        ),
    )


def _course_row(row: Var[dict[str, Any]]) -> rx.Component:
    cid = row["id"].to(str)
    title = row["title"].to(str)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(title, href=COURSE_PATH + cid, weight="medium"),
                rx.cond(
                    row["short_title"].to(str) != "",
                    rx.text(row["short_title"].to(str), size="1", color_scheme="gray"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(_lists_cell(row)),
        rx.table.cell(row["learners"].to(str)),
        rx.table.cell(
            rx.menu.root(
                rx.menu.trigger(
                    rx.icon_button(
                        rx.icon("ellipsis", size=16),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=Tf("tcourses.actions_for", title=title),
                    )
                ),
                rx.menu.content(
                    rx.menu.item(
                        rx.hstack(rx.icon("book_open", size=14), T("tcourses.open_course"), align="center"),
                        on_select=rx.redirect(COURSE_PATH + cid),
                    ),
                    rx.menu.item(
                        rx.hstack(rx.icon("chart_pie", size=14), T("tutoring.open_centre"), align="center"),
                        on_select=rx.redirect(COURSE_PATH + cid + "/centre"),
                    ),
                ),
                modal=False,
            ),
            text_align="right",
        ),
        on_double_click=rx.redirect(COURSE_PATH + cid),
        cursor="pointer",
        data_testid="course-row",
    )


def _option(option: Var[dict[str, str]]) -> rx.Component:
    return rx.el.option(option["label"], value=option["id"])


def _filters() -> rx.Component:
    return rx.cond(
        L.filters_open,
        rx.flex(
            rx.vstack(
                rx.text(T("tcourses.filter_course"), size="1", color_scheme="gray"),
                rx.el.select(
                    rx.el.option(T("tcourses.filter_all_courses"), value=""),
                    rx.foreach(L.course_options, _option),
                    value=L.course_filter,
                    on_change=L.set_course_filter,
                    aria_label=T("tcourses.filter_course"),
                    class_name="plume-select",
                ),
                spacing="1",
            ),
            rx.vstack(
                rx.text(T("tcourses.filter_list"), size="1", color_scheme="gray"),
                rx.el.select(
                    rx.el.option(T("tcourses.all_lists"), value=""),
                    rx.foreach(L.list_options, _option),
                    value=L.list_filter,
                    on_change=L.set_list_filter,
                    aria_label=T("tcourses.filter_list"),
                    class_name="plume-select",
                ),
                spacing="1",
            ),
            rx.cond(
                L.filtered,
                rx.button(T("tcourses.clear_filters"), size="1", variant="ghost", on_click=L.clear_filters),
            ),
            spacing="3",
            align="end",
            wrap="wrap",
            width="100%",
            padding="0.75rem",
            border_radius="0.5rem",
            background=rx.color("gray", 2),
            data_testid="course-filters",
        ),
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.heading(T("tcourses.courses"), size="3", as_="h2"),
        rx.spacer(),
        rx.form(
            rx.hstack(
                rx.input(
                    name="query",
                    placeholder=T("tcourses.search"),
                    aria_label=T("tcourses.search"),
                    default_value=L.query,
                ),
                rx.button(rx.icon("search", size=14), T("tutoring.search_button"), type="submit", variant="soft"),
                spacing="2",
            ),
            on_submit=L.search,
        ),
        rx.icon_button(
            rx.icon("list_filter", size=16),
            variant=rx.cond(L.filtered | L.filters_open, "solid", "soft"),
            on_click=L.toggle_filters,
            aria_label=T("tcourses.filter"),
            aria_expanded=rx.cond(L.filters_open, "true", "false"),
        ),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _pager() -> rx.Component:
    return pager_bar(
        L,
        rx.text(T("tcourses.page_size"), size="2"),
        page_size_select(L, "tcourses.page_size"),
        rx.text(
            Tf(
                "tcourses.page",
                page=L.page.to_string(),
                pages=L.pages.to_string(),
                first=L.first.to_string(),
                last=L.last.to_string(),
                total=L.total.to_string(),
            ),
            size="2",
            data_testid="course-pager",
        ),
        rx.spacer(),
    )


def _course_table() -> rx.Component:
    return rx.card(
        rx.vstack(
            _toolbar(),
            _filters(),
            list_or_empty(
                None,
                L.rows,
                scroll_box(
                    data_table(
                        [
                            sort_header(L, "tcourses.col.course", "title"),
                            sort_header(L, "tcourses.col.list", "list"),
                            sort_header(L, "tcourses.col.learners", "learners"),
                            "",
                        ],
                        L.rows,
                        _course_row,
                    )
                ),
                rx.text(
                    rx.cond(L.total_courses > 0, T("tcourses.no_match"), T("tcourses.none")),
                    color_scheme="gray",
                    size="2",
                    padding="1rem",
                ),
            ),
            rx.text(T("tcourses.double_click_hint"), size="1", color_scheme="gray"),
            _pager(),
            spacing="3",
            width="100%",
        ),
        flex="1",
        min_width="0",
        box_shadow=styles.CARD_SHADOW,
    )


def tutoring_courses_page() -> rx.Component:
    """`Tutorat > Formations`: the category tree and the courses the person follows.

    Returns:
        The page.
    """
    return shell(
        _breadcrumb(rx.text(T("tcourses.title"), size="2", weight="medium")),
        rx.heading(T("tcourses.title"), size="7", as_="h1"),
        rx.cond(
            L.loading,
            loading_spinner("3rem"),
            rx.flex(
                _tree(),
                _course_table(),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="4",
                width="100%",
                align="start",
            ),
        ),
    )


def _thumbnail() -> rx.Component:
    image = D.course["image"]
    return rx.cond(
        image != "",
        rx.image(
            src=image,
            alt=T("catalogue.image"),
            width="100%",
            height="9rem",
            object_fit="cover",
            border_radius="0.5rem",
        ),
        rx.center(
            rx.icon("book_open", size=36, color=rx.color(styles.ACCENT, 9)),
            width="100%",
            height="9rem",
            border_radius="0.5rem",
            background=f"linear-gradient(135deg, {rx.color(styles.ACCENT, 3)}, {rx.color(styles.ACCENT, 5)})",
            aria_hidden="true",
        ),
    )


def _stat(label_key: str, value: Var[str] | str, test_id: str) -> rx.Component:
    return rx.hstack(
        rx.text(T(label_key), size="2", color_scheme="gray"),
        rx.spacer(),
        rx.text(value, size="2", weight="bold", data_testid=test_id),
        width="100%",
        align="center",
    )


def _quick_stats() -> rx.Component:
    s = D.stats
    rating = rx.cond(
        s["average_rating"] != "",
        Tf("tcourses.stats.rating_value", rating=s["average_rating"], count=s["reviews"]),
        Tf("tcourses.stats.no_rating", count=s["reviews"]),
    )
    return rx.el.section(
        rx.vstack(
            rx.heading(T("tcourses.stats.title"), size="3", as_="h2"),
            _stat("tcourses.stats.learners", s["learners"], "stat-learners"),
            _stat("tcourses.stats.sessions", s["sessions"], "stat-sessions"),
            _stat("tcourses.stats.progress", s["average_progress"] + " %", "stat-progress"),
            _stat("tcourses.stats.finished", s["finished"], "stat-finished"),
            _stat("tcourses.stats.rating", rating, "stat-rating"),
            _stat("tcourses.stats.corrections", s["corrections"], "stat-corrections"),
            spacing="2",
            width="100%",
        ),
        aria_label=T("tcourses.stats.title"),
        padding="0.75rem",
        border_radius="0.5rem",
        background=rx.color("gray", 2),
        width="100%",
    )


def _side_panel() -> rx.Component:
    return rx.card(
        rx.vstack(
            _thumbnail(),
            rx.vstack(
                rx.heading(D.course["title"], size="4", as_="h1"),
                rx.cond(D.course["short_title"] != "", rx.text(D.course["short_title"], size="2", color_scheme="gray")),
                spacing="1",
            ),
            rx.link(
                rx.button(rx.icon("chart_pie", size=14), T("tutoring.open_centre"), variant="soft", width="100%"),
                href=D.course["centre_link"],
                width="100%",
            ),
            rx.button(
                rx.icon("star", size=14),
                T("tcourses.evaluation"),
                variant="soft",
                color_scheme="amber",
                width="100%",
                on_click=D.set_tab("reviews"),
            ),
            rx.tabs.list(
                rx.tabs.trigger(T("tcourses.tab.info"), value="info"),
                rx.tabs.trigger(T("tcourses.tab.lessons"), value="lessons"),
                rx.tabs.trigger(T("tcourses.tab.reviews"), value="reviews"),
                width="100%",
                flex_direction="column",
                align_items="stretch",
            ),
            _quick_stats(),
            spacing="3",
            width="100%",
        ),
        width=["100%", "100%", "18rem"],
        flex_shrink="0",
        box_shadow=styles.CARD_SHADOW,
    )


def _field(label_key: str, value: rx.Component) -> rx.Component:
    return rx.vstack(
        rx.text(T(label_key), size="1", color_scheme="gray", weight="medium"),
        value,
        spacing="1",
        width="100%",
    )


def _badges(values: Var[list[str]]) -> rx.Component:
    return rx.cond(
        values.length() > 0,
        rx.flex(rx.foreach(values, lambda v: rx.badge(v, variant="soft")), wrap="wrap", spacing="2"),
        rx.text("—", size="2"),
    )


def _info_tab() -> rx.Component:
    return rx.vstack(
        rx.heading(T("tcourses.tab.info"), size="4", as_="h2"),
        _field("tcourses.info.name", rx.text(D.course["title"], size="2", data_testid="info-name")),
        _field(
            "tcourses.info.description",
            rx.text(
                rx.cond(D.course["description"] != "", D.course["description"], "—"), size="2", white_space="pre-wrap"
            ),
        ),
        _field("tcourses.info.categories", _badges(D.categories)),
        _field("tcourses.info.competencies", _badges(D.competencies)),
        rx.cond(
            D.course["catalogue_link"] != "",
            rx.link(
                rx.button(rx.icon("external_link", size=14), T("tcourses.info.catalogue"), variant="outline"),
                href=D.course["catalogue_link"],
            ),
        ),
        spacing="4",
        width="100%",
    )


def _lesson_row(lesson: Var[dict[str, str]]) -> rx.Component:
    title = lesson["title"]
    corrections = lesson["corrections"]
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(lesson["module"], size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(_kind_label(lesson["kind"]), variant="soft", color_scheme="gray")),
        rx.table.cell(lesson["points"]),
        rx.table.cell(
            rx.text(Tf("tcourses.lesson.completed", done=lesson["completed"], total=lesson["learners"]), size="2")
        ),
        rx.table.cell(
            rx.hstack(rx.icon("message_square", size=14), rx.text(lesson["comments"]), spacing="1", align="center")
        ),
        rx.table.cell(
            rx.cond(
                corrections != "0",
                rx.badge(corrections, color_scheme="amber"),
                rx.text("0", size="2", color_scheme="gray"),
            )
        ),
        rx.table.cell(
            rx.menu.root(
                rx.menu.trigger(
                    rx.icon_button(
                        rx.icon("ellipsis", size=16),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=Tf("tcourses.lesson.actions_for", title=title),
                    )
                ),
                rx.menu.content(
                    rx.menu.item(
                        rx.hstack(rx.icon("play", size=14), T("tcourses.lesson.open"), align="center"),
                        on_select=rx.redirect(lesson["open_link"]),
                    ),
                    rx.menu.item(
                        rx.hstack(rx.icon("message_square", size=14), T("tcourses.lesson.comments"), align="center"),
                        on_select=D.open_comments(lesson["activity_id"]),
                    ),
                ),
                modal=False,
            ),
            text_align="right",
        ),
        data_testid="lesson-row",
    )


def _lessons_tab() -> rx.Component:
    return rx.vstack(
        rx.heading(T("tcourses.tab.lessons"), size="4", as_="h2"),
        list_or_empty(
            None,
            D.lessons,
            scroll_box(
                data_table(
                    [
                        "tcourses.lesson.title",
                        "tcourses.lesson.kind",
                        "tcourses.lesson.points",
                        "tcourses.lesson.state",
                        "tcourses.lesson.comment_count",
                        "tcourses.lesson.corrections",
                        "",
                    ],
                    D.lessons,
                    _lesson_row,
                )
            ),
            rx.text(T("tutoring.report.no_lesson"), size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _review_card(review: Var[dict[str, str]]) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(review["author"], weight="bold", size="2"),
                rx.text(review["date"], size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(
                    review["stars_text"],
                    color=rx.color("amber", 9),
                    size="3",
                    role="img",
                    aria_label=Tf("tcourses.review.stars", stars=review["stars"]),
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.text(review["session"], size="1", color_scheme="gray"),
            rx.cond(review["comment"] != "", rx.text(review["comment"], size="2", white_space="pre-wrap")),
            spacing="1",
            width="100%",
        ),
        padding="0.75rem",
        border=f"1px solid {rx.color('gray', 4)}",
        border_radius="0.5rem",
        width="100%",
        data_testid="review-card",
    )


def _reviews_tab() -> rx.Component:
    return rx.vstack(
        rx.heading(T("tcourses.tab.reviews"), size="4", as_="h2"),
        rx.cond(
            D.reviews.length() > 0,
            rx.vstack(rx.foreach(D.reviews, _review_card), spacing="2", width="100%"),
            rx.center(
                rx.vstack(
                    rx.icon("star", size=28, color=rx.color("gray", 8)),
                    rx.text(T("tcourses.review.none"), color_scheme="gray"),
                    align="center",
                    spacing="2",
                ),
                padding="2rem",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _comments_dialog() -> rx.Component:
    return rx.cond(
        D.comments_open,
        rx.dialog.root(
            rx.dialog.content(
                rx.vstack(
                    rx.dialog.title(Tf("tcourses.comments_of", title=D.comments_title), margin="0"),
                    rx.cond(
                        D.comments.length() > 0,
                        rx.vstack(
                            rx.foreach(
                                D.comments,
                                lambda c: rx.box(
                                    rx.hstack(
                                        rx.text(c["author"], weight="bold", size="2"),
                                        rx.text(c["date"], size="1", color_scheme="gray"),
                                        rx.text(c["session"], size="1", color_scheme="gray"),
                                        spacing="2",
                                        align="center",
                                        wrap="wrap",
                                    ),
                                    rx.text(c["text"], size="2", white_space="pre-wrap"),
                                    padding_y="0.5rem",
                                    border_bottom=f"1px solid {rx.color('gray', 4)}",
                                    width="100%",
                                    data_testid="lesson-comment",
                                ),
                            ),
                            spacing="0",
                            width="100%",
                            max_height="60vh",
                            overflow_y="auto",
                        ),
                        rx.text(T("tcourses.no_comment"), size="2", color_scheme="gray"),
                    ),
                    rx.hstack(
                        rx.button(T("tcourses.close"), variant="soft", color_scheme="gray", on_click=D.close_comments),
                        justify="end",
                        width="100%",
                    ),
                    spacing="3",
                    width="100%",
                ),
                max_width="36rem",
                on_escape_key_down=D.close_comments,
                on_interact_outside=D.close_comments,
            ),
            open=True,
        ),
    )


def _detail() -> rx.Component:
    return rx.vstack(
        _breadcrumb(
            rx.link(T("tcourses.title"), href=routes.TUTORING_COURSES, size="2"),
            rx.text(D.course["title"], size="2", weight="medium"),
        ),
        rx.tabs.root(
            rx.flex(
                _side_panel(),
                rx.card(
                    rx.tabs.content(_info_tab(), value="info"),
                    rx.tabs.content(_lessons_tab(), value="lessons"),
                    rx.tabs.content(_reviews_tab(), value="reviews"),
                    flex="1",
                    min_width="0",
                    width="100%",
                    box_shadow=styles.CARD_SHADOW,
                ),
                direction=rx.breakpoints(initial="column", md="row"),
                spacing="4",
                width="100%",
                align="start",
            ),
            value=D.tab,
            on_change=D.set_tab,
            orientation="vertical",
            width="100%",
        ),
        _comments_dialog(),
        spacing="4",
        width="100%",
    )


def tutoring_course_page() -> rx.Component:
    """A followed course's detail: side panel and the tab's content.

    Returns:
        The page.
    """
    return gated_page(D.loading, D.found, _detail())
