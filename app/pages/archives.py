"""`Archives`: archived sessions, read-only, each opening its session page; staff manage the archive categories."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from app.services.archives import ArchivedSession, Category
from components.forms import form_message
from components.i18n import T, Tf, Tn
from components.layout import shell
from components.tables import empty_state, list_card, page_summary, pager_bar, stacked_cell, stacked_row, table_list
from state.archives import ArchivesState


def _row(row: ObjectVar[ArchivedSession]) -> rx.Component:
    category = row.category.to(str)
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
        stacked_cell(rx.badge(rx.cond(category != "", category, "—"), color_scheme="gray")),
        stacked_cell(
            rx.link(
                rx.button(rx.icon("archive", size=14), T("archives.open"), size="1", variant="soft"),
                href="/sessions/" + row.id.to(int).to_string(),
            )
        ),
    )


def archives_page() -> rx.Component:
    """The archived sessions the person may read (staff: the organisation's; members: their own).

    Returns:
        The page.
    """
    return shell(
        rx.text(T("archives.intro"), color_scheme="gray", size="2", margin_bottom="1rem"),
        table_list(
            ArchivesState.loading,
            ["tutoring.col.session", "tutoring.col.dates", "manage.archive_category", ""],
            ArchivesState.rows,
            _row,
            empty_state("archives.none", "archive"),
            scroll=False,
            stacked=True,
            spinner_padding="3rem",
        ),
        rx.cond(
            ArchivesState.pages > 1,
            pager_bar(ArchivesState, page_summary(ArchivesState, "archives.summary")),
        ),
        rx.cond(ArchivesState.is_staff, _categories()),
        title_key="manage.archives",
    )


def _category_row(category: ObjectVar[Category]) -> rx.Component:
    key, name = category.key.to(str), category.name.to(str)
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="key", default_value=key),
            rx.input(
                name="name",
                default_value=name,
                max_length=80,
                aria_label=Tf("archives.category.rename_label", name=name),
                flex="1",
                min_width="10rem",
            ),
            rx.button(T("common.save"), type="submit", size="2", variant="soft"),
            rx.icon_button(
                rx.icon("trash_2", size=14),
                type="button",
                size="2",
                variant="soft",
                color_scheme="red",
                aria_label=Tf("archives.category.remove_label", name=name),
                on_click=ArchivesState.remove_category(key),  # type: ignore[operator]  # a handler reads as a namespace
            ),
            rx.cond(
                category.in_use.to(int) > 0,
                rx.text(Tn("archives.category.in_use", category.in_use.to(int)), size="1", color_scheme="gray"),
            ),
            align="center",
            spacing="2",
            wrap="wrap",
            width="100%",
        ),
        on_submit=ArchivesState.rename_category,
        key=key + ArchivesState.category_key.to_string(),
        width="100%",
        data_testid="archive-category",
    )


def _categories() -> rx.Component:
    """Staff's list of the organisation's archive categories, offered when a session is archived."""
    return list_card(
        rx.heading(T("archives.categories"), size="4", as_="h2"),
        rx.text(T("archives.categories_hint"), size="2", color_scheme="gray"),
        rx.vstack(rx.foreach(ArchivesState.categories, _category_row), spacing="2", width="100%"),
        rx.form(
            rx.hstack(
                rx.input(
                    name="name",
                    max_length=80,
                    placeholder=T("archives.category.new_placeholder"),
                    aria_label=T("archives.category.new_label"),
                    flex="1",
                    min_width="10rem",
                ),
                rx.button(rx.icon("plus", size=14), T("archives.category.add"), type="submit", size="2"),
                align="center",
                spacing="2",
                wrap="wrap",
                width="100%",
            ),
            on_submit=ArchivesState.add_category,
            reset_on_submit=True,
            width="100%",
        ),
        form_message(ArchivesState.category_error),
        form_message(ArchivesState.category_notice, tone="green"),
    )
