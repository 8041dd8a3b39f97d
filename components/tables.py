"""The pieces every list of Plume shares: table, card, sortable header, pager, status badge, empty state.

A page lists things with `data_table` (a header row from i18n keys or ready
cells, a body from `rx.foreach`), puts it in a `table_card`, and shows
`list_or_empty` around it: a spinner while the list loads, then the list, or
the `empty_state` sentence. Paged lists add `pager` (`Précédente` /
`Suivante`, see `state.paging`) and, when sorted by the database,
`sort_header` cells.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.number import NumberVar
from reflex.vars.sequence import ArrayVar

from app.services.paging import PAGE_SIZES
from components import styles
from components.i18n import T, Tn

Column = str | rx.Component


def column_header(column: Column) -> rx.Component:
    """One header cell: an i18n key ("" for a blank cell), or a ready cell (e.g. `sort_header`).

    Args:
        column: The key or the cell.

    Returns:
        The header cell.
    """
    if isinstance(column, str):
        return rx.table.column_header_cell(T(column) if column else "")
    return column


# A table whose rows become stacked cards on a phone (below Radix's `sm`, 520 px): its header row is hidden
# there, and each row and cell of the body says so with these displays (`stacked_row`, `stacked_cell`).
PHONE_HIDDEN_ROW = rx.breakpoints(initial="none", sm="table-row")
STACKED_ROW = rx.breakpoints(initial="block", sm="table-row")
STACKED_CELL = rx.breakpoints(initial="block", sm="table-cell")
# A labelled cell is a line of its own on a phone: its column's name on the left, its content on the right.
LABELLED_CELL = rx.breakpoints(initial="flex", sm="table-cell")
PHONE_ONLY = rx.breakpoints(initial="block", sm="none")


def stacked_row(*cells: rx.Component, **props: Any) -> rx.Component:
    """A body row of a `data_table(..., stacked=True)`: a card of its cells on a phone, a table row above.

    Args:
        *cells: Its cells (`stacked_cell`).
        **props: More props of the row (data_testid…).

    Returns:
        The row.
    """
    return rx.table.row(
        *cells,
        display=STACKED_ROW,
        padding_y=rx.breakpoints(initial="0.5rem", sm="0"),
        border_bottom=rx.breakpoints(initial=f"1px solid {rx.color('gray', 5)}", sm="none"),
        **props,
    )


def stacked_cell(
    *children: rx.Component | Var | str, header: bool = False, label: str = "", **props: Any
) -> rx.Component:
    """A cell of a `stacked_row`: one line of the card on a phone, a table cell above.

    Args:
        *children: Its content.
        header: Whether it is the row's header cell (the name of what the row is about).
        label: i18n key of its column, said before the content on a phone, where the header row is hidden
            ("" for content that speaks for itself).
        **props: More props of the cell.

    Returns:
        The cell.
    """
    display = STACKED_CELL
    if label:
        display = LABELLED_CELL
        children = (rx.text(T(label), size="1", color_scheme="gray", display=PHONE_ONLY), *children)
        props.setdefault("justify_content", "space-between")
        props.setdefault("align_items", "center")
        props.setdefault("gap", "0.75rem")
    props.setdefault("padding_y", rx.breakpoints(initial="0.2rem", sm="var(--table-cell-padding)"))
    # Radix gives each cell a row's minimum height: a card's lines keep their own.
    props.setdefault("height", rx.breakpoints(initial="auto", sm="var(--table-cell-min-height)"))
    # Radix draws a row's line as each cell's inset shadow: on a phone the row's own border stands for it.
    shadow = rx.breakpoints(initial="none", sm=f"inset 0 -1px {rx.color('gray', 5, alpha=True)}")
    cell = rx.table.row_header_cell if header else rx.table.cell
    return cell(*children, display=display, box_shadow=shadow, **props)


def data_table(
    columns: Sequence[Column],
    rows: ArrayVar,
    row: Callable[..., rx.Component],
    *,
    width: str | None = "100%",
    stacked: bool = False,
    **props: Any,
) -> rx.Component:
    """A table: one header row, then one body row (or more) per item.

    Args:
        columns: The header cells, as for `column_header`.
        rows: The list var to iterate.
        row: Renders an item (and its index, when it takes two arguments) as table rows.
        width: The table's width (None: Radix's own).
        stacked: Whether the rows become stacked cards on a phone (the row renders `stacked_row`s).
        **props: More props of `rx.table.root` (size, variant…).

    Returns:
        The table.
    """
    if width is not None:
        props["width"] = width
    cells = [column_header(c) for c in columns]
    header = rx.table.row(*cells, display=PHONE_HIDDEN_ROW) if stacked else rx.table.row(*cells)
    return rx.table.root(
        rx.table.header(header),
        rx.table.body(rx.foreach(rows, row)),
        **props,
    )


def table_card(table: rx.Component, *, scroll: bool = True) -> rx.Component:
    """A list's card: the table, scrolling sideways on a narrow screen.

    Args:
        table: The table (or what holds it).
        scroll: Whether the table sits in a box that scrolls sideways.

    Returns:
        The card.
    """
    content = rx.box(table, overflow_x="auto") if scroll else table
    return rx.card(content, width="100%", box_shadow=styles.CARD_SHADOW)


def loading_spinner(padding: str = "2rem") -> rx.Component:
    """The spinner shown while a list or a page loads.

    Args:
        padding: Room around it.

    Returns:
        The spinner.
    """
    return rx.center(rx.spinner(size="3"), padding=padding)


def empty_state(text_key: str, icon: str = "inbox") -> rx.Component:
    """What a list shows when it has nothing.

    Args:
        text_key: i18n key of the sentence.
        icon: Lucide icon name.

    Returns:
        The placeholder.
    """
    return rx.hstack(
        rx.icon(icon, size=18, color=rx.color("gray", 9)),
        rx.text(T(text_key), color_scheme="gray", size="2"),
        padding="1rem",
        border=f"1px dashed {rx.color('gray', 6)}",
        border_radius="0.5rem",
        width="100%",
        align="center",
        spacing="2",
    )


def list_or_empty(
    loading: Var[bool] | None,
    items: ArrayVar,
    content: rx.Component,
    empty: rx.Component,
    *,
    spinner_padding: str = "2rem",
) -> rx.Component:
    """A list's place on its page: a spinner while it loads, then the list, or what stands for none.

    Args:
        loading: Whether the list is still loading (None: never shows the spinner).
        items: The list var; empty shows `empty`.
        content: The list (e.g. a `table_card`).
        empty: The placeholder (e.g. `empty_state`).
        spinner_padding: Room around the spinner.

    Returns:
        The component.
    """
    shown = rx.cond(items.length() > 0, content, empty)
    return shown if loading is None else rx.cond(loading, loading_spinner(spinner_padding), shown)


def status_badge(
    status: Var,
    prefix: str,
    colours: Mapping[str, str] | Sequence[str],
    *,
    variant: str | None = None,
    fallback: rx.Component | None = None,
) -> rx.Component:
    """A status as a badge: its label (`<prefix>.<status>`) in its colour.

    Args:
        status: The status var.
        prefix: The i18n key prefix of the labels.
        colours: Each known status and its Radix colour, or only the known statuses (the default colour).
        variant: The badges' variant (None: Radix's own).
        fallback: What an unknown status shows (None: nothing).

    Returns:
        The badge.
    """
    pairs = colours.items() if isinstance(colours, Mapping) else ((name, None) for name in colours)
    cases = []
    for name, colour in pairs:
        props: dict[str, Any] = {}
        if colour is not None:
            props["color_scheme"] = colour
        if variant is not None:
            props["variant"] = variant
        cases.append((name, rx.badge(T(f"{prefix}.{name}"), **props)))
    return rx.match(status, *cases, fallback if fallback is not None else rx.fragment())


def pager(page: NumberVar, pages: NumberVar, go_to: rx.EventHandler) -> rx.Component:
    """`Précédente` / `Suivante` under a paged table.

    Args:
        page: The current page, from 1.
        pages: How many pages.
        go_to: The handler taking a page number.

    Returns:
        The two buttons.
    """
    return rx.hstack(
        rx.button(T("tutoring.previous"), size="1", variant="soft", disabled=page <= 1, on_click=go_to(page - 1)),
        rx.button(T("tutoring.next"), size="1", variant="soft", disabled=page >= pages, on_click=go_to(page + 1)),
        spacing="2",
    )


def sort_header(state: Any, label_key: str, column: str) -> rx.Component:
    """A column header that sorts a paged table by that column (again: the other way).

    Args:
        state: The table's state: `sort`, `descending` and a `sort_by(column)` handler.
        label_key: i18n key of the header.
        column: The column's sort key.

    Returns:
        The header cell.
    """
    arrow = rx.cond(
        state.sort == column,
        rx.cond(state.descending, rx.icon("arrow_down", size=12), rx.icon("arrow_up", size=12)),
        rx.icon("arrow_up_down", size=12, color=rx.color("gray", 8)),
    )
    return rx.table.column_header_cell(
        rx.button(T(label_key), arrow, variant="ghost", size="1", color_scheme="gray", on_click=state.sort_by(column))
    )


def scroll_box(table: rx.Component) -> rx.Component:
    """A table in a box that scrolls sideways on a narrow screen (inside a card that holds more).

    Args:
        table: The table.

    Returns:
        The box.
    """
    return rx.box(table, overflow_x="auto", width="100%")


def page_summary(state: Any, text_key: str) -> rx.Component:
    """`Page 2 / 5 · 120 …`: the page, the page count and the total of a paged list.

    Args:
        state: The list's state (`state.paging.PagedList`).
        text_key: i18n plural key (`.one` / `.other`, by the total) taking `page`, `pages` and `total`.

    Returns:
        The line.
    """
    return rx.text(
        Tn(
            text_key,
            state.total,
            page=state.page.to_string(),
            pages=state.pages.to_string(),
            total=state.total.to_string(),
        ),
        size="2",
    )


def page_size_select(state: Any, aria_key: str, label: Callable[[int], Any] = str) -> rx.Component:
    """The page-size picker of a paged list (10, 25, 50 or 100).

    Args:
        state: The list's state (`state.paging.SizedPagedList`).
        aria_key: i18n key of its accessible name.
        label: Each option's text, from its size.

    Returns:
        The select.
    """
    return rx.el.select(
        *[rx.el.option(label(n), value=str(n)) for n in PAGE_SIZES],
        value=state.page_size.to_string(),
        on_change=state.set_page_size,
        aria_label=T(aria_key),
        class_name="plume-select",
        width="auto",
    )


def pager_bar(state: Any, *children: rx.Component, wrap: bool = True) -> rx.Component:
    """The line under a paged table: what the page holds (children), then `Précédente` / `Suivante`.

    Args:
        state: The list's state (`state.paging.PagedList`).
        *children: What comes before the buttons (summary, spacer, page-size picker).
        wrap: Whether the line wraps on a narrow screen.

    Returns:
        The line.
    """
    props = {"wrap": "wrap"} if wrap else {}
    return rx.hstack(
        *children, pager(state.page, state.pages, state.go_to), width="100%", align="center", spacing="2", **props
    )


def list_card(*children: rx.Component) -> rx.Component:
    """A card holding a list and what goes with it (heading, filters, table, pager), stacked.

    Args:
        *children: The card's content, top to bottom.

    Returns:
        The card.
    """
    return rx.card(rx.vstack(*children, spacing="3", width="100%"), width="100%", box_shadow=styles.CARD_SHADOW)


def table_list(
    loading: Var[bool] | None,
    columns: Sequence[Column],
    rows: ArrayVar,
    row: Callable[..., rx.Component],
    empty: rx.Component,
    *,
    scroll: bool = True,
    stacked: bool = False,
    spinner_padding: str = "2rem",
) -> rx.Component:
    """The usual list of a page: a spinner while it loads, then a table in its card, or `empty`.

    Args:
        loading: Whether the list is still loading (None: never shows the spinner).
        columns: The header cells, as for `column_header`.
        rows: The list var.
        row: Renders an item as table rows.
        empty: What stands for an empty list (e.g. `empty_state`).
        scroll: Whether the table scrolls sideways in its card.
        stacked: Whether its rows become stacked cards on a phone (see `data_table`).
        spinner_padding: Room around the spinner.

    Returns:
        The component.
    """
    table = table_card(data_table(columns, rows, row, stacked=stacked), scroll=scroll)
    return list_or_empty(loading, rows, table, empty, spinner_padding=spinner_padding)
