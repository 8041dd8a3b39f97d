"""The agenda: its header (period, navigation, week or month), the organisations' legend, the week and the month."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app import routes
from app.services.agenda_view import (
    MONTH_SHOWN,
    PALETTE_SIZE,
    AgendaDay,
    AgendaEntry,
    AgendaOrganisation,
    BusyEntry,
    ConflictRow,
    NextSlot,
)
from app.services.rooms import RoomChoice
from app.services.unavailability import UnavailabilityLine as UnavailabilityRow
from components import styles
from components.forms import Handler, field, form_message
from components.i18n import T, Tf, Tk, Tn
from components.tables import empty_state
from state.agenda import MONTH, WEEK, AgendaState

# One Radix scale per organisation, by the index the service gives (`agenda.organisation_colours`).
PALETTE = ("indigo", "teal", "orange", "crimson", "cyan", "amber")[:PALETTE_SIZE]

# Reflex 0.10's `Field.__get__` stubs resolve a list of dataclasses to `ArrayVar[Never]` under mypy: name the
# var type the field really has.
_DAYS = cast("ArrayVar[list[AgendaDay]]", AgendaState.days)
_ORGANISATIONS = cast("ArrayVar[list[AgendaOrganisation]]", AgendaState.organisations)
_MOVABLE = cast("ArrayVar[list[int]]", AgendaState.movable_sessions)
# Desktop from Radix's `md` (768 px): seven columns; below, the days follow each other.
_WEEK_COLUMNS = rx.breakpoints(initial="minmax(0, 1fr)", md="repeat(7, minmax(0, 1fr))")
_DESKTOP_ONLY = rx.breakpoints(initial="none", md="block")
_PHONE_ONLY = rx.breakpoints(initial="block", md="none")
_DESKTOP_FLEX = rx.breakpoints(initial="none", md="flex")


def _shade(colour: Var, step: int) -> Var[str]:
    """An organisation's colour at one step of its Radix scale (1 lightest, 12 darkest)."""
    scales = rx.Var.create([f"var(--{name}-{step})" for name in PALETTE])
    return scales.to(list[str])[colour.to(int)].to(str)


def _month_name(month: Var) -> Var[str]:
    return Tk("agenda.months.", month.to_string())


def _capitalised(text: Var[str]) -> Var[str]:
    """A text starting with a capital ("décembre 2026" at the head of a line reads "Décembre 2026")."""
    words = text.to(str)
    return (words[0:1].upper() + words[1:]).to(str)


def period_label() -> Var[str]:
    """The shown period in words: "Semaine du 7 au 13 décembre 2026", "décembre 2026".

    Returns:
        The label.
    """
    first, last = AgendaState.first_day.to_string(), AgendaState.last_day.to_string()
    first_month, last_month = _month_name(AgendaState.first_month), _month_name(AgendaState.last_month)
    first_year, last_year = AgendaState.first_year.to_string(), AgendaState.last_year.to_string()
    week = rx.cond(
        AgendaState.first_year != AgendaState.last_year,
        Tf(
            "agenda.week_two_years",
            start=first,
            start_month=first_month,
            start_year=first_year,
            end=last,
            end_month=last_month,
            end_year=last_year,
        ),
        rx.cond(
            AgendaState.first_month != AgendaState.last_month,
            Tf(
                "agenda.week_two_months",
                start=first,
                start_month=first_month,
                end=last,
                end_month=last_month,
                year=last_year,
            ),
            Tf("agenda.week_same_month", start=first, end=last, month=last_month, year=last_year),
        ),
    )
    month = _capitalised(Tf("agenda.month_label", month=first_month, year=first_year))
    return rx.cond(AgendaState.view == MONTH, month, week).to(str)


def _view_button(key: str, view: str, handler: Handler) -> rx.Component:
    chosen = AgendaState.view == view
    return rx.button(
        T(key),
        variant=rx.cond(chosen, "solid", "soft"),
        color_scheme=rx.cond(chosen, styles.ACCENT, "gray"),
        size="2",
        aria_pressed=rx.cond(chosen, "true", "false"),
        on_click=handler,
        id=f"agenda-show-{view}",
    )


def agenda_header() -> rx.Component:
    """The page's heading, the period shown, Précédent / Aujourd'hui / Suivant and the Semaine / Mois switch.

    Returns:
        The header.
    """
    navigation = rx.hstack(
        rx.icon_button(
            rx.icon("chevron_left", size=18),
            variant="soft",
            color_scheme="gray",
            size="2",
            aria_label=T("agenda.previous"),
            title=T("agenda.previous"),
            on_click=AgendaState.previous,
            id="agenda-previous",
        ),
        rx.button(
            T("agenda.today"),
            variant="soft",
            color_scheme="gray",
            size="2",
            disabled=AgendaState.shows_today,
            on_click=AgendaState.today,
            id="agenda-today",
        ),
        rx.icon_button(
            rx.icon("chevron_right", size=18),
            variant="soft",
            color_scheme="gray",
            size="2",
            aria_label=T("agenda.next"),
            title=T("agenda.next"),
            on_click=AgendaState.next,
            id="agenda-next",
        ),
        spacing="1",
    )
    switch = rx.hstack(
        _view_button("agenda.week", WEEK, AgendaState.show_week),
        _view_button("agenda.month", MONTH, AgendaState.show_month),
        spacing="1",
        padding="0.2rem",
        background="white",
        border=f"1px solid {rx.color('gray', 5)}",
        border_radius="0.5rem",
        role="group",
        aria_label=T("agenda.view"),
    )
    return rx.vstack(
        rx.flex(
            rx.vstack(
                rx.heading(T("agenda.title"), size="7", as_="h1"),
                rx.text(T("agenda.subtitle"), size="2", color_scheme="gray"),
                spacing="1",
            ),
            switch,
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="start", sm="end"),
            justify="between",
            gap="0.75rem",
            width="100%",
        ),
        rx.card(
            rx.flex(
                rx.hstack(
                    rx.icon(
                        "calendar_days",
                        size=20,
                        color=rx.color(styles.ACCENT, 10),
                        flex_shrink="0",
                        display=rx.breakpoints(initial="none", sm="block"),
                    ),
                    rx.heading(
                        # Before the first load the period is not known yet: a grey bar of a label's width.
                        rx.cond(AgendaState.loading, rx.skeleton(rx.text(T("agenda.week_same_month"))), period_label()),
                        size="5",
                        as_="h2",
                        id="agenda-period",
                        aria_live="polite",
                    ),
                    rx.cond(
                        ~AgendaState.loading & (AgendaState.count > 0),  # none: the empty state says it
                        rx.badge(Tn("agenda.slots", AgendaState.count), variant="soft", radius="full"),
                    ),
                    align="center",
                    spacing="2",
                    wrap="wrap",
                ),
                navigation,
                direction=rx.breakpoints(initial="column", sm="row"),
                align=rx.breakpoints(initial="start", sm="center"),
                justify="between",
                gap="0.75rem",
                width="100%",
            ),
            width="100%",
            box_shadow=styles.CARD_SHADOW,
        ),
        spacing="4",
        width="100%",
    )


def _legend_item(organisation: ObjectVar[AgendaOrganisation]) -> rx.Component:
    return rx.hstack(
        rx.box(
            width="0.7rem",
            height="0.7rem",
            border_radius="999px",
            background=_shade(organisation.colour, 9),
            flex_shrink="0",
        ),
        rx.text(organisation.name.to(str), size="2"),
        spacing="2",
        align="center",
        data_testid="agenda-legend-item",
    )


def agenda_legend() -> rx.Component:
    """The organisations of the person's agenda and their colours.

    Returns:
        The legend (nothing for a person of one organisation: the colour says nothing then).
    """
    return rx.cond(
        _ORGANISATIONS.length() > 1,
        rx.hstack(
            rx.text(T("agenda.legend"), size="2", color_scheme="gray", weight="medium"),
            rx.foreach(_ORGANISATIONS, _legend_item),
            spacing="4",
            row_gap="0.4rem",
            align="center",
            wrap="wrap",
            id="agenda-legend",
            role="list",
        ),
    )


def _line(icon: str, text: Var, **props: str) -> rx.Component:
    return rx.hstack(
        rx.icon(icon, size=13, color=rx.color("gray", 10), flex_shrink="0"),
        rx.text(text.to(str), size="1", color_scheme="gray", trim="both"),
        spacing="1",
        align="center",
        min_width="0",
        **props,
    )


def _week_entry(entry: ObjectVar[AgendaEntry]) -> rx.Component:
    """One slot in a day of the week: its time, session, course, place, organisation and attendance sheet."""
    session_title, course_title = entry.session_title.to(str), entry.course_title.to(str)
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(
                    entry.time_range.to(str),
                    size="1",
                    weight="bold",
                    color=_shade(entry.colour, 11),
                    white_space="nowrap",
                    font_variant_numeric="tabular-nums",
                ),
                rx.spacer(),
                rx.cond(
                    entry.activity_kind.to(str) == "virtual_class",
                    rx.icon("video", size=14, color=_shade(entry.colour, 11), aria_label=T("agenda.virtual_class")),
                ),
                width="100%",
                align="center",
            ),
            # The title is the card's link; its ::after covers the card, so a click anywhere opens the session
            # (the attendance link sits above it).
            rx.link(
                session_title,
                href=entry.link.to(str),
                size="2",
                weight="medium",
                color=rx.color("gray", 12),
                underline="none",
                _after={"content": "''", "position": "absolute", "inset": "0"},
                data_testid="agenda-entry-link",
            ),
            rx.cond(course_title != session_title, rx.text(course_title, size="1", color_scheme="gray")),
            rx.text(entry.activity_title.to(str), size="1", color=rx.color("gray", 11)),
            rx.cond(entry.where.to(str) != "", _line("map_pin", entry.where)),
            rx.hstack(
                rx.text(
                    entry.organisation_name.to(str),
                    size="1",
                    weight="medium",
                    color=_shade(entry.colour, 11),
                    data_testid="agenda-entry-organisation",
                ),
                rx.spacer(),
                rx.cond(
                    _MOVABLE.contains(entry.session_id.to(int)) & (entry.activity_kind.to(str) == "in_person"),
                    rx.icon_button(
                        rx.icon("door_open", size=14),
                        size="1",
                        variant="ghost",
                        color_scheme="gray",
                        aria_label=Tf("agenda.change_room", time=entry.starts.to(str)),
                        title=T("agenda.change_room_title"),
                        on_click=AgendaState.open_rooms(entry.slot_id),  # type: ignore[operator]
                        position="relative",
                        z_index="1",
                        data_testid="agenda-entry-room",
                    ),
                ),
                rx.cond(
                    entry.attendance_link.to(str) != "",
                    rx.link(
                        rx.icon("pen_line", size=14),
                        href=entry.attendance_link.to(str),
                        aria_label=Tf("agenda.open_attendance", time=entry.starts.to(str)),
                        title=T("agenda.attendance"),
                        color=_shade(entry.colour, 11),
                        position="relative",
                        z_index="1",
                        display="inline-flex",
                        padding="0.15rem",
                        border_radius="0.25rem",
                        _hover={"background": _shade(entry.colour, 4)},
                        data_testid="agenda-entry-attendance",
                    ),
                ),
                width="100%",
                align="center",
                spacing="1",
            ),
            spacing="1",
            width="100%",
            min_width="0",
        ),
        rx.cond(
            entry.conflict.to(bool),
            rx.hstack(
                rx.icon("triangle_alert", size=13, color=rx.color("red", 11)),
                rx.text(T("agenda.conflict"), size="1", weight="medium", color=rx.color("red", 11)),
                spacing="1",
                align="center",
                margin_top="0.3rem",
                data_testid="agenda-entry-conflict",
            ),
        ),
        position="relative",
        padding="0.5rem 0.6rem",
        background=_shade(entry.colour, 2),
        border=rx.cond(entry.conflict.to(bool), f"1px solid {rx.color('red', 8)}", f"1px solid {rx.color('gray', 4)}"),
        border_left_width="4px",
        border_left_color=_shade(entry.colour, 9),
        border_radius="0.5rem",
        width="100%",
        overflow_wrap="break-word",
        transition="box-shadow 120ms",
        _hover={"box_shadow": styles.CARD_SHADOW},
        data_testid="agenda-entry",
        data_slot=entry.slot_id.to_string(),
    )


def _day_heading(day: ObjectVar[AgendaDay]) -> rx.Component:
    """A day's head: "lun. 7" in a column, "lundi 7 décembre" on a phone; today in the accent colour."""
    number = day.day.to_string()
    is_today = day.is_today.to(bool)
    return rx.hstack(
        rx.text(
            Tk("agenda.weekdays_short.", day.weekday.to_string()),
            size="1",
            weight="medium",
            color=rx.cond(is_today, rx.color(styles.ACCENT, 11), rx.color("gray", 11)),
            text_transform="uppercase",
            letter_spacing="0.04em",
            display=_DESKTOP_ONLY,
        ),
        rx.center(
            rx.text(number, size="3", weight="bold"),
            width="2rem",
            height="2rem",
            border_radius="999px",
            background=rx.cond(is_today, rx.color(styles.ACCENT, 9), "transparent"),
            color=rx.cond(is_today, "white", rx.color("gray", 12)),
            display=_DESKTOP_FLEX,
        ),
        rx.text(
            _capitalised(
                Tk("agenda.weekdays.", day.weekday.to_string()).to(str)
                + " "
                + number
                + " "
                + _month_name(day.month).to(str)
            ),
            size="3",
            weight="bold",
            color=rx.cond(is_today, rx.color(styles.ACCENT, 11), rx.color("gray", 12)),
            display=_PHONE_ONLY,
        ),
        rx.cond(is_today, rx.badge(T("agenda.today_badge"), size="1", radius="full", display=_PHONE_ONLY)),
        spacing="2",
        align="center",
        width="100%",
    )


def _busy_entry(busy: ObjectVar[BusyEntry]) -> rx.Component:
    """One of the person's unavailabilities on a day: grey stripes, its hours (none for the whole day), its note."""
    hours = busy.time_range.to(str)
    return rx.hstack(
        rx.icon("ban", size=13, color=rx.color("gray", 10), flex_shrink="0"),
        rx.text(
            T("agenda.unavailable"),
            rx.cond(hours != "", " " + hours, ""),
            rx.cond(busy.note.to(str) != "", " · " + busy.note.to(str), ""),
            size="1",
            color=rx.color("gray", 11),
        ),
        spacing="1",
        align="center",
        width="100%",
        padding="0.3rem 0.5rem",
        border_radius="0.4rem",
        background=f"repeating-linear-gradient(135deg, {rx.color('gray', 3)} 0 6px, {rx.color('gray', 2)} 6px 12px)",
        border=f"1px dashed {rx.color('gray', 6)}",
        data_testid="agenda-busy",
    )


def _week_day(day: ObjectVar[AgendaDay]) -> rx.Component:
    entries = day.slots.to(list[AgendaEntry])
    busy = day.busy.to(list[BusyEntry])
    is_today = day.is_today.to(bool)
    return rx.vstack(
        _day_heading(day),
        rx.foreach(busy, _busy_entry),
        rx.cond(
            entries.length() > 0,
            rx.vstack(rx.foreach(entries, _week_entry), spacing="2", width="100%"),
            rx.cond(
                busy.length() == 0,
                rx.text(T("agenda.empty_day"), size="1", color=rx.color("gray", 9), padding_y="0.25rem"),
            ),
        ),
        spacing="2",
        width="100%",
        min_width="0",
        padding="0.6rem",
        min_height=rx.breakpoints(initial="0", md="14rem"),
        background=rx.cond(is_today, rx.color(styles.ACCENT, 2), "white"),
        border=rx.cond(is_today, f"1px solid {rx.color(styles.ACCENT, 6)}", f"1px solid {rx.color('gray', 4)}"),
        border_radius="0.6rem",
        aria_current=rx.cond(is_today, "date", "false"),
        data_testid="agenda-day",
        data_day=day.iso.to(str),
        as_="section",
    )


def agenda_week() -> rx.Component:
    """Seven day columns on a desktop, the days one under the other on a phone.

    Returns:
        The week.
    """
    return rx.cond(
        AgendaState.count > 0,
        rx.grid(
            rx.foreach(_DAYS, _week_day),
            grid_template_columns=_WEEK_COLUMNS,
            gap="0.5rem",
            width="100%",
            id="agenda-week",
        ),
        rx.box(empty_state("agenda.empty_week", "calendar_x"), width="100%", id="agenda-week"),
    )


def _month_entry(entry: ObjectVar[AgendaEntry]) -> rx.Component:
    """A slot in a day of the month: its start and session, in its organisation's colour."""
    return rx.link(
        rx.hstack(
            rx.box(
                width="0.45rem",
                height="0.45rem",
                border_radius="999px",
                background=_shade(entry.colour, 9),
                flex_shrink="0",
                display=_DESKTOP_ONLY,
            ),
            rx.text(
                entry.starts.to(str),
                size="1",
                weight="bold",
                flex_shrink="0",
                font_size=rx.breakpoints(initial="11px", md="var(--font-size-1)"),
                font_variant_numeric="tabular-nums",
            ),
            rx.text(
                entry.session_title.to(str),
                size="1",
                overflow="hidden",
                text_overflow="ellipsis",
                white_space="nowrap",
                min_width="0",
                display=_DESKTOP_ONLY,
            ),
            spacing="1",
            align="center",
            min_width="0",
        ),
        href=entry.link.to(str),
        title=entry.time_range.to(str) + " · " + entry.session_title.to(str) + " · " + entry.organisation_name.to(str),
        underline="none",
        color=_shade(entry.colour, 12),
        background=_shade(entry.colour, 3),
        padding=rx.breakpoints(initial="0.1rem 0.15rem", md="0.1rem 0.3rem"),
        border_radius="0.3rem",
        width="100%",
        display="block",
        overflow="hidden",
        _hover={"background": _shade(entry.colour, 5)},
        data_testid="agenda-month-entry",
    )


def _month_day(day: ObjectVar[AgendaDay]) -> rx.Component:
    entries = day.slots.to(list[AgendaEntry])
    is_today = day.is_today.to(bool)
    more = day.more.to(int)
    return rx.vstack(
        rx.center(
            rx.text(day.day.to_string(), size="1", weight=rx.cond(is_today, "bold", "medium")),
            width="1.5rem",
            height="1.5rem",
            border_radius="999px",
            background=rx.cond(is_today, rx.color(styles.ACCENT, 9), "transparent"),
            color=rx.cond(
                is_today, "white", rx.cond(day.in_period.to(bool), rx.color("gray", 12), rx.color("gray", 8))
            ),
        ),
        rx.foreach(entries[:MONTH_SHOWN], _month_entry),
        rx.cond(
            more > 0,
            rx.text(
                Tf("agenda.more", count=more.to_string()),
                size="1",
                weight="medium",
                color_scheme="gray",
                padding_x="0.3rem",
                title=Tn("agenda.more_label", more),
                data_testid="agenda-month-more",
            ),
        ),
        spacing="1",
        align="start",
        padding=rx.breakpoints(initial="0.15rem", md="0.3rem"),
        min_height=rx.breakpoints(initial="4.5rem", md="7rem"),
        min_width="0",
        background=rx.cond(day.in_period.to(bool), "white", rx.color("gray", 2)),
        box_shadow=f"inset 0 0 0 0.5px {rx.color('gray', 5)}",
        aria_current=rx.cond(is_today, "date", "false"),
        data_testid="agenda-month-day",
        data_day=day.iso.to(str),
    )


def _weekday_head(index: int) -> rx.Component:
    return rx.text(
        Tk("agenda.weekdays_short.", rx.Var.create(str(index))),
        size="1",
        weight="medium",
        color_scheme="gray",
        text_transform="uppercase",
        letter_spacing="0.04em",
        text_align="center",
        padding_y="0.4rem",
    )


def agenda_month() -> rx.Component:
    """The month as a grid of whole weeks, Monday first; each day lists three slots, then "+N".

    Returns:
        The month.
    """
    return rx.vstack(
        rx.cond(AgendaState.count == 0, empty_state("agenda.empty_month", "calendar_x")),
        rx.box(
            rx.grid(
                *(_weekday_head(i) for i in range(1, 8)),
                grid_template_columns="repeat(7, minmax(0, 1fr))",
                background=rx.color("gray", 2),
                border_bottom=f"1px solid {rx.color('gray', 5)}",
            ),
            rx.grid(rx.foreach(_DAYS, _month_day), grid_template_columns="repeat(7, minmax(0, 1fr))"),
            width="100%",
            border=f"1px solid {rx.color('gray', 5)}",
            border_radius="0.6rem",
            overflow="hidden",
            background="white",
            box_shadow=styles.CARD_SHADOW,
            id="agenda-month",
        ),
        spacing="3",
        width="100%",
    )


def _skeleton_day(_: int) -> rx.Component:
    return rx.vstack(
        rx.skeleton(rx.box(height="1.2rem", width="60%")),
        rx.skeleton(rx.box(height="5rem", width="100%")),
        rx.skeleton(rx.box(height="3.5rem", width="100%")),
        spacing="2",
        padding="0.6rem",
        background="white",
        border=f"1px solid {rx.color('gray', 4)}",
        border_radius="0.6rem",
        min_height=rx.breakpoints(initial="0", md="14rem"),
    )


def agenda_skeleton() -> rx.Component:
    """What the agenda shows while its first load runs.

    Returns:
        Seven grey days.
    """
    return rx.grid(
        *(_skeleton_day(i) for i in range(7)),
        grid_template_columns=_WEEK_COLUMNS,
        gap="0.5rem",
        width="100%",
        aria_busy="true",
        data_testid="agenda-loading",
    )


def agenda_body() -> rx.Component:
    """The shown period: the skeleton while loading, then the week or the month.

    Returns:
        The body.
    """
    return rx.cond(
        AgendaState.loading,
        agenda_skeleton(),
        rx.cond(AgendaState.view == MONTH, agenda_month(), agenda_week()),
    )


def _conflict_row(row: ObjectVar[ConflictRow]) -> rx.Component:
    other = rx.cond(
        row.with_unavailability.to(bool),
        Tf("agenda.conflict_unavailable", note=row.other_title.to(str)),
        Tf(
            "agenda.conflict_slot",
            title=row.other_title.to(str),
            organisation=row.other_organisation.to(str),
        ),
    )
    return rx.text(
        rx.text.strong(row.day.to(str), " ", row.time_range.to(str)),
        " — ",
        row.title.to(str),
        " (",
        row.organisation_name.to(str),
        ") : ",
        other,
        size="2",
        data_testid="agenda-conflict",
    )


def agenda_conflicts() -> rx.Component:
    """The period's conflicts, named: two slots at once (across organisations too), or a slot while unavailable.

    Returns:
        The warning, or nothing when there is no conflict.
    """
    rows = cast("ArrayVar[list[ConflictRow]]", AgendaState.conflicts)
    return rx.cond(
        rows.length() > 0,
        rx.callout.root(
            rx.callout.icon(rx.icon("triangle_alert")),
            rx.vstack(
                rx.text(T("agenda.conflicts_title"), weight="bold", size="2"),
                rx.foreach(rows, _conflict_row),
                spacing="1",
            ),
            color_scheme="red",
            width="100%",
            id="agenda-conflicts",
        ),
    )


def _unavailability_row(row: ObjectVar[UnavailabilityRow]) -> rx.Component:
    return rx.hstack(
        rx.icon("ban", size=16, color=rx.color("gray", 10), flex_shrink="0"),
        rx.vstack(
            rx.text(row.label.to(str), size="2", weight="medium"),
            rx.cond(row.note.to(str) != "", rx.text(row.note.to(str), size="1", color_scheme="gray")),
            spacing="0",
            flex="1",
            min_width="0",
        ),
        rx.button(
            rx.icon("trash_2", size=14),
            size="1",
            variant="soft",
            color_scheme="red",
            aria_label=T("agenda.remove_unavailability").to(str) + " " + row.label.to(str),
            on_click=AgendaState.remove_unavailability(row.id),  # type: ignore[operator]
        ),
        align="center",
        width="100%",
        data_testid="unavailability-row",
    )


def _error(name: str) -> Var:
    errors = cast("ObjectVar[dict[str, str]]", AgendaState.unavailability_errors)
    return errors.get(name, "").to(str)


def agenda_unavailabilities() -> rx.Component:
    """The person's unavailabilities: the list, and a form to add one (days, hours, weekly).

    Returns:
        The card.
    """
    rows = cast("ArrayVar[list[UnavailabilityRow]]", AgendaState.unavailabilities)
    return rx.card(
        rx.vstack(
            rx.heading(T("agenda.unavailabilities"), size="4", as_="h2"),
            rx.text(T("agenda.unavailabilities_hint"), size="2", color_scheme="gray"),
            rx.cond(
                rows.length() > 0,
                rx.vstack(rx.foreach(rows, _unavailability_row), spacing="2", width="100%"),
                empty_state("agenda.unavailabilities_empty", "calendar_check"),
            ),
            rx.form(
                rx.vstack(
                    rx.grid(
                        field("agenda.first_day", "first_day", type_="date", error=_error("first_day")),
                        field("agenda.last_day", "last_day", type_="date", error=_error("last_day")),
                        field("agenda.from", "start", type_="time", error=_error("start")),
                        field("agenda.to", "end", type_="time", error=_error("end")),
                        field(
                            "agenda.weekly_until",
                            "weekly_until",
                            type_="date",
                            hint_key="agenda.weekly_until_hint",
                            error=_error("weekly_until"),
                        ),
                        field("agenda.note", "note", error=_error("note")),
                        columns=rx.breakpoints(initial="1", sm="2", lg="4"),
                        gap="3",
                        width="100%",
                    ),
                    form_message(AgendaState.unavailability_error),
                    rx.button(
                        rx.icon("plus", size=16),
                        T("agenda.add_unavailability"),
                        type="submit",
                        loading=AgendaState.unavailability_busy,
                    ),
                    spacing="3",
                    width="100%",
                ),
                on_submit=AgendaState.add_unavailability,
                key=AgendaState.unavailability_key.to_string(),
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        box_shadow=styles.CARD_SHADOW,
        id="agenda-unavailabilities",
    )


def _next_slot(slot: ObjectVar[NextSlot]) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.vstack(
                rx.text(Tk("agenda.weekdays_short.", slot.weekday.to_string()), size="1", color_scheme="gray"),
                rx.text(slot.day.to(str), size="2", weight="bold", font_variant_numeric="tabular-nums"),
                spacing="0",
                align="center",
                min_width="3rem",
            ),
            rx.box(width="3px", align_self="stretch", border_radius="2px", background=_shade(slot.colour, 9)),
            rx.vstack(
                rx.text(
                    rx.text.span(slot.time_range.to(str), weight="bold", color=_shade(slot.colour, 11)),
                    " · ",
                    slot.session_title.to(str),
                    size="2",
                    color=rx.color("gray", 12),
                ),
                rx.text(
                    slot.activity_title.to(str),
                    rx.cond(slot.where.to(str) != "", " · " + slot.where.to(str), ""),
                    " · ",
                    slot.organisation_name.to(str),
                    size="1",
                    color_scheme="gray",
                ),
                spacing="0",
                min_width="0",
            ),
            spacing="3",
            align="center",
            width="100%",
        ),
        href=slot.link.to(str),
        underline="none",
        padding="0.5rem 0.6rem",
        border_radius="0.5rem",
        _hover={"background": rx.color("gray", 3)},
        width="100%",
        data_testid="next-slot",
    )


def next_slots(slots: Var) -> rx.Component:
    """The home page's "Mes prochains créneaux": the person's next slots, across organisations, and the agenda.

    Args:
        slots: The list (`agenda_view.NextSlot`).

    Returns:
        The section, or nothing when no slot is ahead.
    """
    rows = cast("ArrayVar[list[NextSlot]]", slots)
    return rx.cond(
        rows.length() > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.heading(T("home.next_slots"), size="4", as_="h2"),
                    rx.spacer(),
                    rx.link(T("home.open_agenda"), href=routes.AGENDA, size="2"),
                    align="center",
                    width="100%",
                ),
                rx.vstack(rx.foreach(rows, _next_slot), spacing="1", width="100%"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            box_shadow=styles.CARD_SHADOW,
            id="next-slots",
        ),
    )


def _room_choice(choice: ObjectVar[RoomChoice]) -> rx.Component:
    free, current = choice.free.to(bool), choice.current.to(bool)
    return rx.button(
        rx.hstack(
            rx.icon("door_open", size=16),
            rx.text(choice.name.to(str), weight="medium"),
            rx.cond(
                choice.capacity.to(int) > 0,
                rx.text(Tf("settings.room_capacity", seats=choice.capacity.to_string()), size="1"),
            ),
            rx.spacer(),
            rx.cond(
                current,
                rx.badge(T("agenda.room_current"), color_scheme="green"),
                rx.cond(free, rx.badge(T("agenda.room_free")), rx.badge(T("agenda.room_taken"), color_scheme="red")),
            ),
            width="100%",
            align="center",
        ),
        variant="surface",
        color_scheme="gray",
        disabled=current | ~free,
        width="100%",
        justify="start",
        on_click=AgendaState.move_room(choice.id),  # type: ignore[operator]
        data_testid="room-choice",
    )


def room_picker() -> rx.Component:
    """The dialog that moves a slot to another of its organisation's rooms, free at that time.

    Returns:
        The dialog (open while a slot is picked).
    """
    choices = cast("ArrayVar[list[RoomChoice]]", AgendaState.room_choices)
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(T("agenda.change_room_title")),
            rx.dialog.description(T("agenda.change_room_hint"), size="2", color_scheme="gray"),
            rx.vstack(
                rx.cond(
                    choices.length() > 0,
                    rx.vstack(rx.foreach(choices, _room_choice), spacing="2", width="100%"),
                    empty_state("settings.rooms_empty", "door_closed"),
                ),
                form_message(AgendaState.room_error),
                rx.hstack(
                    rx.button(
                        T("common.cancel"), variant="soft", color_scheme="gray", on_click=AgendaState.close_rooms
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                width="100%",
                margin_top="0.75rem",
            ),
            max_width="28rem",
        ),
        open=AgendaState.room_slot != 0,
        on_open_change=AgendaState.room_dialog,
    )
