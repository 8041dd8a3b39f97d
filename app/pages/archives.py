"""`Archives`: archived sessions, read-only, each opening its session page."""

from __future__ import annotations

import reflex as rx
from reflex.vars.object import ObjectVar

from app.services.archives import ArchivedSession
from app.services.sessions.status import ARCHIVE_CATEGORIES
from components.i18n import T
from components.layout import shell
from components.tables import empty_state, stacked_cell, stacked_row, table_list
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
        stacked_cell(
            rx.badge(
                rx.match(category, *[(c, T(f"manage.archive_category.{c}")) for c in ARCHIVE_CATEGORIES], "—"),
                color_scheme="gray",
            )
        ),
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
        title_key="manage.archives",
    )
