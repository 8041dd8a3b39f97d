"""`Tutorat > Formations` (category tree and the followed courses) and a followed course's detail."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar, StringVar

from app import routes
from app.services.course_categories import Folder
from app.services.tutoring_courses import CourseInfo, CourseLine, LessonComment, LessonRow, Option, QuickStats
from components import styles
from components.forms import Handler
from components.i18n import T, Tf, Tk, Tn
from components.layout import dialog_actions, dialog_frame, gated_page, shell
from components.tables import (
    data_table,
    list_or_empty,
    loading_spinner,
    page_size_select,
    pager_bar,
    scroll_box,
    sort_header,
)
from state.tutoring_courses import ReviewCard, TutoringCoursesState, TutoringCourseState

COURSE_PATH = "/tutorat/formations/"

# Reflex 0.10's `Field.__get__` stubs resolve a dataclass field to `ArrayVar[Never]` under mypy (its sequence
# overload swallows them): name the var type the field really has. Calling a handler with arguments carries
# `# type: ignore[operator]`: mypy reads `@rx.event` handlers as `EventNamespace` (see `components.forms.Handler`).
_COURSE = cast("ObjectVar[CourseInfo]", TutoringCourseState.course)
_STATS = cast("ObjectVar[QuickStats]", TutoringCourseState.stats)


def _breadcrumb(*parts: rx.Component) -> rx.Component:
    crumbs: list[rx.Component] = [
        rx.link(T("tutoring.title"), href=routes.TUTORING, size="2"),
    ]
    for part in parts:
        crumbs += [rx.icon("chevron_right", size=14, color=rx.color("gray", 9)), part]
    return rx.el.nav(rx.hstack(*crumbs, align="center", spacing="1", wrap="wrap"), aria_label=T("tcourses.breadcrumb"))


def _kind_label(kind: StringVar) -> Var[str]:
    return Tk("kind.", kind)


def _folder_item(folder: ObjectVar[Folder]) -> rx.Component:
    path = folder.path.to(str)
    name = folder.name.to(str)
    selected = TutoringCoursesState.folder == path
    return rx.hstack(
        rx.cond(
            folder.has_children.to(bool),
            rx.icon_button(
                rx.cond(
                    TutoringCoursesState.collapsed.contains(path),
                    rx.icon("chevron_right", size=14),
                    rx.icon("chevron_down", size=14),
                ),
                size="1",
                variant="ghost",
                color_scheme="gray",
                on_click=TutoringCoursesState.toggle_folder(path),  # type: ignore[operator]  # see _COURSE
                aria_label=rx.cond(
                    TutoringCoursesState.collapsed.contains(path),
                    Tf("tcourses.unfold", name=name),
                    Tf("tcourses.fold", name=name),
                ),
                aria_expanded=rx.cond(TutoringCoursesState.collapsed.contains(path), "false", "true"),
            ),
            rx.box(width="24px", flex_shrink="0"),
        ),
        rx.button(
            rx.cond(selected, rx.icon("folder_open", size=14), rx.icon("folder", size=14)),
            rx.text(name, size="2", flex="1", text_align="left"),
            rx.badge(folder.courses.to(int).to_string(), variant="soft", color_scheme="gray", radius="full"),
            variant=rx.cond(selected, "soft", "ghost"),
            color_scheme=rx.cond(selected, styles.ACCENT, "gray"),
            size="1",
            on_click=TutoringCoursesState.select_folder(path),  # type: ignore[operator]  # see _COURSE
            aria_pressed=rx.cond(selected, "true", "false"),
            flex="1",
            justify="start",
        ),
        spacing="1",
        align="center",
        width="100%",
        padding_left=(folder.depth.to(int) * 16).to_string() + "px",
        data_testid="folder",
    )


def _tree() -> rx.Component:
    everything = TutoringCoursesState.folder == ""
    return rx.card(
        rx.vstack(
            rx.heading(T("tcourses.folders"), size="3", as_="h2"),
            rx.el.nav(
                rx.vstack(
                    rx.button(
                        rx.icon("library", size=14),
                        rx.text(T("tcourses.all_courses"), size="2", flex="1", text_align="left"),
                        rx.badge(
                            TutoringCoursesState.total_courses.to_string(),
                            variant="soft",
                            color_scheme="gray",
                            radius="full",
                        ),
                        variant=rx.cond(everything, "soft", "ghost"),
                        color_scheme=rx.cond(everything, styles.ACCENT, "gray"),
                        size="1",
                        on_click=TutoringCoursesState.select_folder(""),  # type: ignore[operator]  # see _COURSE
                        aria_pressed=rx.cond(everything, "true", "false"),
                        width="100%",
                        justify="start",
                    ),
                    rx.foreach(TutoringCoursesState.visible_folders, _folder_item),
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


def _lists_cell(row: ObjectVar[CourseLine]) -> rx.Component:
    lists = row.lists.to(list[str])
    more = row.more_lists.to(int)
    titles = rx.vstack(
        rx.foreach(lists, lambda title: rx.text(title, size="1", color_scheme="gray")),
        rx.cond(
            more > 0,
            rx.text(Tn("tcourses.more_lists", more), size="1", color_scheme="gray"),
        ),
        spacing="0",
    )
    return rx.cond(
        row.everyone.to(bool),
        rx.vstack(rx.badge(T("tcourses.everyone"), color_scheme="green", variant="soft"), titles, spacing="1"),
        rx.vstack(
            rx.foreach(lists, lambda title: rx.text(title, size="2")),
            rx.cond(
                more > 0,
                rx.text(Tn("tcourses.more_lists", more), size="1", color_scheme="gray"),
            ),
            spacing="0",
        ),
    )


def _menu_item(icon: str, label_key: str, on_select: EventSpec) -> rx.Component:
    return rx.menu.item(rx.hstack(rx.icon(icon, size=14), T(label_key), align="center"), on_select=on_select)


def _actions_cell(label: Var[str], *items: rx.Component) -> rx.Component:
    """A row's last cell: `…` opening its menu (`label` names it for screen readers)."""
    return rx.table.cell(
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=16), size="1", variant="ghost", color_scheme="gray", aria_label=label
                )
            ),
            rx.menu.content(*items),
            modal=False,
        ),
        text_align="right",
    )


def _course_row(row: ObjectVar[CourseLine]) -> rx.Component:
    cid = row.id.to(int).to_string()
    title = row.title.to(str)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.link(title, href=COURSE_PATH + cid, weight="medium"),
                rx.cond(
                    row.short_title.to(str) != "",
                    rx.text(row.short_title.to(str), size="1", color_scheme="gray"),
                ),
                spacing="0",
            )
        ),
        rx.table.cell(_lists_cell(row)),
        rx.table.cell(row.learners.to(int).to_string()),
        _actions_cell(
            Tf("tcourses.actions_for", title=title),
            _menu_item("book_open", "tcourses.open_course", rx.redirect(COURSE_PATH + cid)),
            _menu_item("chart_pie", "tutoring.open_centre", rx.redirect(COURSE_PATH + cid + "/centre")),
        ),
        on_double_click=rx.redirect(COURSE_PATH + cid),
        cursor="pointer",
        data_testid="course-row",
    )


def _option(option: ObjectVar[Option]) -> rx.Component:
    return rx.el.option(option.label.to(str), value=option.id.to(int).to_string())


def _filter_select(
    label_key: str, all_key: str, options: ArrayVar, value: Var[str], on_change: Handler
) -> rx.Component:
    """A filter of the course table: its options after the one keeping all."""
    return rx.vstack(
        rx.text(T(label_key), size="1", color_scheme="gray"),
        rx.el.select(
            rx.el.option(T(all_key), value=""),
            rx.foreach(options, _option),
            value=value,
            on_change=on_change,
            aria_label=T(label_key),
            class_name="plume-select",
        ),
        spacing="1",
    )


def _filters() -> rx.Component:
    return rx.cond(
        TutoringCoursesState.filters_open,
        rx.flex(
            _filter_select(
                "tcourses.filter_course",
                "tcourses.filter_all_courses",
                TutoringCoursesState.course_options,
                TutoringCoursesState.course_filter,
                TutoringCoursesState.set_course_filter,
            ),
            _filter_select(
                "tcourses.filter_list",
                "tcourses.all_lists",
                TutoringCoursesState.list_options,
                TutoringCoursesState.list_filter,
                TutoringCoursesState.set_list_filter,
            ),
            rx.cond(
                TutoringCoursesState.filtered,
                rx.button(
                    T("tcourses.clear_filters"), size="1", variant="ghost", on_click=TutoringCoursesState.clear_filters
                ),
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
                    default_value=TutoringCoursesState.query,
                ),
                rx.button(rx.icon("search", size=14), T("tutoring.search_button"), type="submit", variant="soft"),
                spacing="2",
            ),
            on_submit=TutoringCoursesState.search,
        ),
        rx.icon_button(
            rx.icon("list_filter", size=16),
            variant=rx.cond(TutoringCoursesState.filtered | TutoringCoursesState.filters_open, "solid", "soft"),
            on_click=TutoringCoursesState.toggle_filters,
            aria_label=T("tcourses.filter"),
            aria_expanded=rx.cond(TutoringCoursesState.filters_open, "true", "false"),
        ),
        width="100%",
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _pager() -> rx.Component:
    return pager_bar(
        TutoringCoursesState,
        rx.text(T("tcourses.page_size"), size="2"),
        page_size_select(TutoringCoursesState, "tcourses.page_size"),
        rx.text(
            Tn(
                "tcourses.page",
                TutoringCoursesState.last - TutoringCoursesState.first + 1,
                page=TutoringCoursesState.page.to_string(),
                pages=TutoringCoursesState.pages.to_string(),
                first=TutoringCoursesState.first.to_string(),
                last=TutoringCoursesState.last.to_string(),
                total=TutoringCoursesState.total.to_string(),
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
                TutoringCoursesState.rows,
                scroll_box(
                    data_table(
                        [
                            sort_header(TutoringCoursesState, "tcourses.col.course", "title"),
                            sort_header(TutoringCoursesState, "tcourses.col.list", "list"),
                            sort_header(TutoringCoursesState, "tcourses.col.learners", "learners"),
                            "",
                        ],
                        TutoringCoursesState.rows,
                        _course_row,
                    )
                ),
                rx.text(
                    rx.cond(TutoringCoursesState.total_courses > 0, T("tcourses.no_match"), T("tcourses.none")),
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
        width="100%",  # in the phone's column, as wide as the screen: the table scrolls inside, not the page
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
            TutoringCoursesState.loading,
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
    image = _COURSE.image.to(str)
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


def _figure(value: Var) -> StringVar:
    return value.to(int).to_string()


def _quick_stats() -> rx.Component:
    s = _STATS
    average, reviews = s.average_rating.to(str), _figure(s.reviews)
    rating = rx.cond(
        average != "",
        Tf("tcourses.stats.rating_value", rating=average, count=reviews),
        Tf("tcourses.stats.no_rating", count=reviews),
    )
    return rx.el.section(
        rx.vstack(
            rx.heading(T("tcourses.stats.title"), size="3", as_="h2"),
            _stat("tcourses.stats.learners", _figure(s.learners), "stat-learners"),
            _stat("tcourses.stats.sessions", _figure(s.sessions), "stat-sessions"),
            _stat("tcourses.stats.progress", _figure(s.average_progress) + " %", "stat-progress"),
            _stat("tcourses.stats.finished", _figure(s.finished), "stat-finished"),
            _stat("tcourses.stats.rating", rating, "stat-rating"),
            _stat("tcourses.stats.corrections", _figure(s.corrections), "stat-corrections"),
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
                rx.heading(_COURSE.title.to(str), size="4", as_="h1"),
                rx.cond(
                    _COURSE.short_title.to(str) != "",
                    rx.text(_COURSE.short_title.to(str), size="2", color_scheme="gray"),
                ),
                spacing="1",
            ),
            rx.link(
                rx.button(rx.icon("chart_pie", size=14), T("tutoring.open_centre"), variant="soft", width="100%"),
                href=_COURSE.centre_link.to(str),
                width="100%",
            ),
            rx.button(
                rx.icon("star", size=14),
                T("tcourses.evaluation"),
                variant="soft",
                color_scheme="amber",
                width="100%",
                on_click=TutoringCourseState.set_tab("reviews"),  # type: ignore[operator]  # see _COURSE
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


def _badges(values: ArrayVar[list[str]]) -> rx.Component:
    return rx.cond(
        values.length() > 0,
        rx.flex(rx.foreach(values, lambda v: rx.badge(v, variant="soft")), wrap="wrap", spacing="2"),
        rx.text("—", size="2"),
    )


def _info_tab() -> rx.Component:
    return rx.vstack(
        rx.heading(T("tcourses.tab.info"), size="4", as_="h2"),
        _field("tcourses.info.name", rx.text(_COURSE.title.to(str), size="2", data_testid="info-name")),
        _field(
            "tcourses.info.description",
            rx.text(
                rx.cond(_COURSE.description.to(str) != "", _COURSE.description.to(str), "—"),
                size="2",
                white_space="pre-wrap",
            ),
        ),
        _field("tcourses.info.categories", _badges(_COURSE.categories.to(list[str]))),
        _field("tcourses.info.competencies", _badges(_COURSE.competencies.to(list[str]))),
        rx.cond(
            _COURSE.catalogue_link.to(str) != "",
            rx.link(
                rx.button(rx.icon("external_link", size=14), T("tcourses.info.catalogue"), variant="outline"),
                href=_COURSE.catalogue_link.to(str),
            ),
        ),
        spacing="4",
        width="100%",
    )


def _lesson_row(lesson: ObjectVar[LessonRow]) -> rx.Component:
    title = lesson.title.to(str)
    corrections = lesson.corrections.to(int)
    return rx.table.row(
        rx.table.cell(
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(lesson.module.to(str), size="1", color_scheme="gray"),
                spacing="0",
            )
        ),
        rx.table.cell(rx.badge(_kind_label(lesson.kind.to(str)), variant="soft", color_scheme="gray")),
        rx.table.cell(_figure(lesson.points)),
        rx.table.cell(
            rx.text(
                Tf("tcourses.lesson.completed", done=_figure(lesson.completed), total=_figure(lesson.learners)),
                size="2",
            )
        ),
        rx.table.cell(
            rx.hstack(
                rx.icon("message_square", size=14), rx.text(_figure(lesson.comments)), spacing="1", align="center"
            )
        ),
        rx.table.cell(
            rx.cond(
                corrections != 0,
                rx.badge(corrections.to_string(), color_scheme="amber"),
                rx.text("0", size="2", color_scheme="gray"),
            )
        ),
        _actions_cell(
            Tf("tcourses.lesson.actions_for", title=title),
            _menu_item("play", "tcourses.lesson.open", rx.redirect(lesson.open_link.to(str))),
            _menu_item(
                "message_square",
                "tcourses.lesson.comments",
                TutoringCourseState.open_comments(_figure(lesson.activity_id)),  # type: ignore[operator]  # see _COURSE
            ),
        ),
        data_testid="lesson-row",
    )


def _lessons_tab() -> rx.Component:
    return rx.vstack(
        rx.heading(T("tcourses.tab.lessons"), size="4", as_="h2"),
        list_or_empty(
            None,
            TutoringCourseState.lessons,
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
                    TutoringCourseState.lessons,
                    _lesson_row,
                )
            ),
            rx.text(T("tutoring.report.no_lesson"), size="2", color_scheme="gray"),
        ),
        spacing="3",
        width="100%",
    )


def _review_card(review: ObjectVar[ReviewCard]) -> rx.Component:
    comment = review.comment.to(str)
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(review.author.to(str), weight="bold", size="2"),
                rx.text(review.date.to(str), size="1", color_scheme="gray"),
                rx.spacer(),
                rx.text(
                    review.stars_text.to(str),
                    color=rx.color("amber", 9),
                    size="3",
                    role="img",
                    aria_label=Tn("tcourses.review.stars", review.stars.to(int), stars=_figure(review.stars)),
                ),
                width="100%",
                align="center",
                spacing="2",
            ),
            rx.text(review.session.to(str), size="1", color_scheme="gray"),
            rx.cond(comment != "", rx.text(comment, size="2", white_space="pre-wrap")),
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
            TutoringCourseState.reviews.length() > 0,
            rx.vstack(rx.foreach(TutoringCourseState.reviews, _review_card), spacing="2", width="100%"),
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


def _comment(comment: ObjectVar[LessonComment]) -> rx.Component:
    return rx.box(
        rx.hstack(
            rx.text(comment.author.to(str), weight="bold", size="2"),
            rx.text(comment.date.to(str), size="1", color_scheme="gray"),
            rx.text(comment.session.to(str), size="1", color_scheme="gray"),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.text(comment.text.to(str), size="2", white_space="pre-wrap"),
        padding_y="0.5rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        data_testid="lesson-comment",
    )


def _comments_dialog() -> rx.Component:
    return dialog_frame(
        TutoringCourseState.comments_open,
        rx.vstack(
            rx.dialog.title(Tf("tcourses.comments_of", title=TutoringCourseState.comments_title), margin="0"),
            rx.cond(
                TutoringCourseState.comments.length() > 0,
                rx.vstack(
                    rx.foreach(TutoringCourseState.comments, _comment),
                    spacing="0",
                    width="100%",
                    max_height="60vh",
                    overflow_y="auto",
                ),
                rx.text(T("tcourses.no_comment"), size="2", color_scheme="gray"),
            ),
            dialog_actions(TutoringCourseState.close_comments, close_key="tcourses.close"),
            spacing="3",
            width="100%",
        ),
        on_close=TutoringCourseState.close_comments,
        on_interact_outside=TutoringCourseState.close_comments,
    )


def _detail() -> rx.Component:
    return rx.vstack(
        _breadcrumb(
            rx.link(T("tcourses.title"), href=routes.TUTORING_COURSES, size="2"),
            rx.text(_COURSE.title.to(str), size="2", weight="medium"),
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
            value=TutoringCourseState.tab,
            on_change=TutoringCourseState.set_tab,
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
    return gated_page(TutoringCourseState.loading, TutoringCourseState.found, _detail())
