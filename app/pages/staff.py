"""Staff pages: trainers, e-mail templates, outbox."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex_components_core.react_router.dom import ReactRouterLink

from app.services.home import OutboxRow
from app.services.orgs import TrainerRow
from app.services.planning_rules import REGIONS, SCHOOL_ZONES
from app.services.rooms import RoomRow
from app.services.templates import EDITABLE_KINDS
from components import styles
from components.forms import field, form_message, select_field, submit_button
from components.i18n import T, Tf
from components.layout import form_card, gated_page, page_header
from components.tables import empty_state, stacked_cell, stacked_row, status_badge, table_list
from state.auth import field_errors_of
from state.staff import OutboxState, SettingsState, TemplatesState, TrainersState

# mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__` returns the
# callback), so calling one with its arguments carries `# type: ignore[operator]` below.


def _status_badge(status: Var, prefix: str) -> rx.Component:
    known = {name: color for name, color in styles.STATUS_COLORS.items() if f"{prefix}.{name}" in _KNOWN}
    return status_badge(status, prefix, known, variant="soft", fallback=rx.badge(status.to(str)))


_KNOWN = {
    "trainers.status.accepted",
    "trainers.status.invited",
    "trainers.status.not_invited",
    "outbox.status.pending",
    "outbox.status.sending",
    "outbox.status.sent",
    "outbox.status.failed",
    "outbox.status.stored",
}


def _add_form() -> rx.Component:
    errors = field_errors_of(TrainersState)
    return form_card(
        rx.heading(T("trainers.add"), size="4", as_="h2"),
        rx.grid(
            field("trainers.first_name", "first_name", error=errors.get("first_name", ""), required=True),
            field("trainers.last_name", "last_name", error=errors.get("last_name", ""), required=True),
            field("trainers.email_optional", "email", type_="email", error=errors.get("email", "")),
            rx.vstack(
                rx.el.label(T("trainers.kind"), html_for="kind", class_name="plume-label"),
                rx.select.root(
                    rx.select.trigger(id="kind", width="100%"),
                    rx.select.content(
                        rx.select.item(T("trainers.kind.external"), value="external"),
                        rx.select.item(T("trainers.kind.internal"), value="internal"),
                    ),
                    name="kind",
                    default_value="external",
                    size="3",
                ),
                spacing="1",
                width="100%",
            ),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        rx.hstack(
            rx.button(T("trainers.add_submit"), type="submit", loading=TrainersState.busy),
            rx.button(
                T("common.cancel"),
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=TrainersState.toggle_add,
            ),
            spacing="2",
        ),
        on_submit=TrainersState.add,
        key=TrainersState.form_key.to_string(),
        spacing="4",
    )


def _email_form() -> rx.Component:
    return rx.form(
        rx.hstack(
            rx.box(
                field(
                    "trainers.email",
                    "trainer_email",
                    type_="email",
                    error=field_errors_of(TrainersState).get("email", ""),
                ),
                flex="1",
            ),
            rx.button(T("common.save"), type="submit", loading=TrainersState.busy),
            rx.button(
                T("common.cancel"),
                type="button",
                variant="soft",
                color_scheme="gray",
                on_click=TrainersState.ask_email(""),  # type: ignore[operator]
            ),
            align="end",
            width="100%",
            spacing="2",
        ),
        on_submit=TrainersState.save_email,
        width="100%",
    )


def _trainer_actions(row: ObjectVar[TrainerRow]) -> rx.Component:
    status = row.status.to(str)
    return rx.hstack(
        rx.cond(
            status == "accepted",
            rx.button(
                T("trainers.send_reset"),
                size="1",
                variant="soft",
                color_scheme="gray",
                on_click=TrainersState.send_reset(row.user_id.to_string()),  # type: ignore[operator]
            ),
            rx.hstack(
                rx.button(
                    rx.cond(status == "invited", T("trainers.resend"), T("trainers.invite")),
                    size="1",
                    on_click=TrainersState.invite(row.invitation_id.to_string()),  # type: ignore[operator]
                    aria_label=rx.cond(status == "invited", T("trainers.resend"), T("trainers.invite"))
                    + " "
                    + row.name.to(str),
                ),
                rx.cond(
                    row.email.to(str) == "",
                    rx.button(
                        T("trainers.set_email"),
                        size="1",
                        variant="soft",
                        on_click=TrainersState.ask_email(row.invitation_id.to_string()),  # type: ignore[operator]
                    ),
                ),
                spacing="2",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _trainer_row(row: ObjectVar[TrainerRow]) -> rx.Component:
    return rx.fragment(
        # On a phone the row is a card of its cells, one under the other (`stacked_row`): nothing scrolls sideways.
        stacked_row(
            stacked_cell(rx.text(row.name.to(str), weight="medium"), header=True),
            stacked_cell(
                rx.cond(
                    row.email.to(str) != "",
                    rx.text(row.email.to(str)),
                    rx.text(T("trainers.no_email"), color_scheme="gray", style={"font_style": "italic"}),
                )
            ),
            stacked_cell(
                rx.cond(row.kind.to(str) == "internal", T("trainers.kind.internal"), T("trainers.kind.external"))
            ),
            stacked_cell(
                rx.vstack(
                    _status_badge(row.status.to(str), "trainers.status"),
                    rx.cond(
                        row.last_sent.to(str) != "",
                        rx.text(Tf("trainers.sent_on", when=row.last_sent.to(str)), size="1", color_scheme="gray"),
                    ),
                    spacing="1",
                )
            ),
            stacked_cell(_trainer_actions(row)),
            data_testid="trainer-row",
        ),
        rx.cond(
            TrainersState.email_for == row.invitation_id.to_string(),
            stacked_row(stacked_cell(_email_form(), col_span=5)),
        ),
    )


def trainers_page() -> rx.Component:
    """The staff's trainers page.

    Returns:
        The page.
    """
    return gated_page(
        None,
        TrainersState.allowed,
        rx.vstack(
            page_header(
                "trainers.title",
                "trainers.subtitle",
                rx.button(rx.icon("user_plus", size=16), T("trainers.add"), on_click=TrainersState.toggle_add),
            ),
            form_message(TrainersState.error),
            form_message(TrainersState.notice, tone="green"),
            rx.cond(TrainersState.add_open, _add_form()),
            table_list(
                TrainersState.loading,
                [
                    "trainers.col.name",
                    "trainers.col.email",
                    "trainers.col.kind",
                    "trainers.col.status",
                    "trainers.col.actions",
                ],
                TrainersState.rows,
                _trainer_row,
                empty_state("trainers.empty", "users"),
                stacked=True,
            ),
            spacing="4",
            width="100%",
        ),
    )


def templates_page() -> rx.Component:
    """The staff's e-mail templates page.

    Returns:
        The page.
    """
    errors = field_errors_of(TemplatesState)
    return gated_page(
        None,
        TemplatesState.allowed,
        rx.vstack(
            rx.heading(T("templates.title"), size="7", as_="h1"),
            rx.text(
                Tf("templates.subtitle", tags=TemplatesState.valid_tags),
                color_scheme="gray",
                size="2",
                id="valid-tags",
            ),
            rx.hstack(
                rx.vstack(
                    rx.el.label(T("templates.kind"), html_for="template-kind", class_name="plume-label"),
                    rx.select.root(
                        rx.select.trigger(id="template-kind", min_width="16rem"),
                        rx.select.content(*[rx.select.item(T(f"templates.kind.{k}"), value=k) for k in EDITABLE_KINDS]),
                        value=TemplatesState.kind,
                        on_change=TemplatesState.choose,
                    ),
                    spacing="1",
                ),
                rx.vstack(
                    rx.el.label(T("templates.language"), html_for="template-language", class_name="plume-label"),
                    rx.select.root(
                        rx.select.trigger(id="template-language"),
                        rx.select.content(
                            rx.select.item(T("lang.fr"), value="fr"),
                            rx.select.item(T("lang.en"), value="en"),
                        ),
                        value=TemplatesState.language,
                        on_change=TemplatesState.choose_language,
                    ),
                    spacing="1",
                ),
                rx.spacer(),
                rx.badge(
                    rx.cond(TemplatesState.customised, T("templates.custom"), T("templates.default")),
                    color_scheme=rx.cond(TemplatesState.customised, "indigo", "gray"),
                    variant="soft",
                ),
                spacing="4",
                align="end",
                wrap="wrap",
                width="100%",
            ),
            form_card(
                field(
                    "templates.subject",
                    "subject",
                    default_value=TemplatesState.subject,
                    error=errors.get("subject", ""),
                ),
                rx.vstack(
                    rx.el.label(T("templates.body"), html_for="body", class_name="plume-label"),
                    rx.text_area(
                        id="body",
                        name="body",
                        default_value=TemplatesState.body,
                        rows="10",
                        width="100%",
                        size="3",
                    ),
                    rx.cond(
                        errors.get("body", "").to(str) != "",
                        rx.text(
                            errors.get("body", "").to(str),
                            role="alert",
                            size="2",
                            color_scheme="red",
                            weight="medium",
                        ),
                    ),
                    spacing="1",
                    width="100%",
                ),
                form_message(TemplatesState.error),
                form_message(TemplatesState.notice, tone="green"),
                rx.hstack(
                    rx.button(T("templates.save"), type="submit", loading=TemplatesState.busy),
                    rx.cond(
                        TemplatesState.customised,
                        rx.button(
                            T("templates.reset"),
                            type="button",
                            variant="soft",
                            color_scheme="gray",
                            on_click=TemplatesState.restore_default,
                        ),
                    ),
                    spacing="2",
                    wrap="wrap",
                ),
                on_submit=TemplatesState.save,
                key=TemplatesState.kind + TemplatesState.language + TemplatesState.form_key.to_string(),
                spacing="4",
            ),
            spacing="4",
            width="100%",
        ),
    )


# The date and recipient have their own columns from the `sm` breakpoint; on a phone they sit under the subject,
# so the table holds two columns and fits a 390 px screen.
_WIDE = rx.breakpoints(initial="none", sm="table-cell")
_NARROW = rx.breakpoints(initial="flex", sm="none")


def _recipient(row: ObjectVar[OutboxRow]) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(row.channel.to(str) == "sms", "smartphone", "mail"), size=14, flex_shrink="0"),
        rx.text(row.__getattr__("to").to(str), size="2", word_break="break-all"),  # `row.to` is Var's cast method
        spacing="2",
        align="center",
    )


def _attachment(row: ObjectVar[OutboxRow]) -> rx.Component:
    """The message's attachment: its name and a download link, or why it stays hidden."""
    name = row.attachment_name.to(str)
    return rx.cond(
        row.attachment_url.to(str) != "",
        rx.hstack(
            rx.icon("paperclip", size=14, flex_shrink="0"),
            rx.text(T("outbox.attachment"), " : ", rx.text.strong(name), size="2", word_break="break-all"),
            # A file download: the SPA router must not take the navigation over.
            ReactRouterLink.create(
                rx.button(rx.icon("download", size=14), T("outbox.download"), size="1", variant="soft"),
                to=row.attachment_url.to(str),
                reload_document=True,
                download=name,
                aria_label=Tf("outbox.download_label", name=name),
                data_testid="outbox-attachment",
            ),
            spacing="2",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            row.attachment_hidden.to(bool),
            rx.hstack(
                rx.icon("lock", size=14, flex_shrink="0"),
                rx.text(T("outbox.attachment_sealed"), size="2", color_scheme="gray"),
                spacing="2",
                align="center",
            ),
        ),
    )


def _outbox_row(row: ObjectVar[OutboxRow]) -> rx.Component:
    row_id = row.id.to_string()
    opened = OutboxState.opened == row_id
    return rx.fragment(
        rx.table.row(
            rx.table.cell(rx.text(row.created_at.to(str), size="2", white_space="nowrap"), display=_WIDE),
            rx.table.cell(_recipient(row), display=_WIDE),
            rx.table.cell(
                rx.vstack(
                    # A button, not a link: a link's "#" href made the first click a navigation that reloaded
                    # the page's data and closed the message again.
                    rx.el.button(
                        rx.hstack(
                            rx.icon(rx.cond(opened, "chevron_down", "chevron_right"), size=14, flex_shrink="0"),
                            rx.text(
                                rx.cond(row.subject.to(str) != "", row.subject.to(str), T("outbox.sms")),
                                size="2",
                                text_align="left",
                            ),
                            rx.cond(
                                row.attachment_name.to(str) != "",
                                # Decorative: the button's name stays the subject; the message names its file.
                                rx.icon("paperclip", size=14, flex_shrink="0", aria_hidden="true"),
                            ),
                            spacing="1",
                            align="center",
                        ),
                        type="button",
                        on_click=OutboxState.toggle(row_id),  # type: ignore[operator]
                        aria_expanded=rx.cond(opened, "true", "false"),
                        class_name="plume-outbox-subject",
                        style={
                            "background": "none",
                            "border": "none",
                            "padding": "0",
                            "cursor": "pointer",
                            "color": "var(--accent-11)",
                            "font": "inherit",
                        },
                    ),
                    rx.vstack(
                        _recipient(row),
                        rx.text(row.created_at.to(str), size="1", color_scheme="gray"),
                        spacing="1",
                        display=_NARROW,
                    ),
                    spacing="1",
                )
            ),
            rx.table.cell(
                rx.vstack(
                    _status_badge(row.status.to(str), "outbox.status"),
                    rx.cond(
                        row.last_error.to(str) != "",
                        rx.text(row.last_error.to(str), size="1", color_scheme="red", word_break="break-word"),
                    ),
                    rx.cond(
                        row.status.to(str) == "failed",
                        rx.button(
                            T("outbox.retry"),
                            size="1",
                            variant="soft",
                            on_click=OutboxState.retry(row_id),  # type: ignore[operator]
                        ),
                    ),
                    spacing="1",
                )
            ),
        ),
        rx.cond(
            opened,
            rx.table.row(
                rx.table.cell(
                    rx.vstack(
                        rx.text(row.body.to(str), white_space="pre-wrap", size="2", word_break="break-word"),
                        _attachment(row),
                        spacing="3",
                    ),
                    col_span=4,
                    background=rx.color("gray", 2),
                    data_testid="outbox-message",
                )
            ),
        ),
    )


def _filter_button(status: str, key: str) -> rx.Component:
    chosen = OutboxState.status_filter == status
    return rx.button(
        T(key),
        size="2",
        variant=rx.cond(chosen, "solid", "soft"),
        color_scheme=rx.cond(chosen, styles.ACCENT, "gray"),
        role="radio",
        aria_checked=rx.cond(chosen, "true", "false"),
        on_click=OutboxState.filter_status(status),  # type: ignore[operator]
    )


def outbox_page() -> rx.Component:
    """The staff's outbox page.

    Returns:
        The page.
    """
    return gated_page(
        None,
        OutboxState.allowed,
        rx.vstack(
            rx.heading(T("outbox.title"), size="7", as_="h1"),
            rx.text(T("outbox.subtitle"), color_scheme="gray", size="2"),
            # Buttons that wrap rather than a segmented control: its four labels are wider than a phone.
            rx.flex(
                *[
                    _filter_button(status, key)
                    for status, key in (
                        ("all", "outbox.filter_all"),
                        ("pending", "outbox.status.pending"),
                        ("sent", "outbox.status.sent"),
                        ("failed", "outbox.status.failed"),
                    )
                ],
                role="radiogroup",
                aria_label=T("outbox.col.status"),
                wrap="wrap",
                gap="0.5rem",
            ),
            form_message(OutboxState.notice, tone="green"),
            table_list(
                OutboxState.loading,
                [
                    rx.table.column_header_cell(T("outbox.col.date"), display=_WIDE),
                    rx.table.column_header_cell(T("outbox.col.to"), display=_WIDE),
                    "outbox.col.subject",
                    "outbox.col.status",
                ],
                OutboxState.rows,
                _outbox_row,
                empty_state("outbox.empty", "inbox"),
            ),
            spacing="4",
            width="100%",
        ),
    )


def settings_page() -> rx.Component:
    """The organisation's settings (staff): when signing opens, the virtual class link.

    Returns:
        The page.
    """
    errors = field_errors_of(SettingsState)
    # Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy: name its var type.
    values = cast("ObjectVar[dict[str, str]]", SettingsState.values)
    return gated_page(
        SettingsState.loading,
        SettingsState.allowed,
        rx.vstack(
            rx.heading(T("settings.title"), size="7", as_="h1"),
            rx.text(values["name"].to(str), color_scheme="gray"),
            form_card(
                field(
                    "settings.signing_window",
                    "signing_window",
                    type_="number",
                    input_mode="numeric",
                    hint_key="settings.signing_window_hint",
                    default_value=values["signing_window"].to(str),
                    error=errors.get("signing_window", ""),
                ),
                field(
                    "settings.virtual_url",
                    "virtual_class_url",
                    type_="url",
                    hint_key="settings.virtual_url_hint",
                    default_value=values["virtual_class_url"].to(str),
                    error=errors.get("virtual_class_url", ""),
                ),
                rx.divider(),
                rx.heading(T("settings.planning"), size="3", as_="h2"),
                rx.text(T("settings.planning_hint"), size="2", color_scheme="gray"),
                rx.flex(
                    select_field(
                        "settings.holiday_region",
                        "holiday_region",
                        *(rx.el.option(T(f"settings.region.{code or 'metro'}"), value=code) for code in REGIONS),
                        name="holiday_region",
                        default_value=values["holiday_region"].to(str),
                    ),
                    select_field(
                        "settings.school_zone",
                        "school_zone",
                        *(rx.el.option(T(f"settings.zone.{code or 'none'}"), value=code) for code in SCHOOL_ZONES),
                        name="school_zone",
                        default_value=values["school_zone"].to(str),
                    ),
                    wrap="wrap",
                    gap="3",
                ),
                rx.flex(
                    field(
                        "settings.day_starts",
                        "day_starts",
                        type_="time",
                        default_value=values["day_starts"].to(str),
                        error=errors.get("day_starts", ""),
                    ),
                    field(
                        "settings.day_ends",
                        "day_ends",
                        type_="time",
                        default_value=values["day_ends"].to(str),
                        error=errors.get("day_ends", ""),
                    ),
                    gap="3",
                ),
                *[
                    _setting_box(name, values[name].to(str) != "")
                    for name in ("trainers_change_rooms", "trainers_plan_slots", "learners_propose_appointments")
                ],
                form_message(SettingsState.error),
                form_message(SettingsState.notice, tone="green"),
                submit_button("common.save", loading=SettingsState.busy),
                on_submit=SettingsState.save,
                key=SettingsState.form_key.to_string(),
                spacing="4",
                max_width="36rem",
            ),
            _rooms_card(),
            spacing="4",
            width="100%",
        ),
    )


def _setting_box(name: str, checked: Var[bool]) -> rx.Component:
    """One of the organisation's yes/no settings: a box and its words (`settings.<name>`)."""
    return rx.el.label(
        rx.hstack(
            rx.el.input(type="checkbox", name=name, id=name.replace("_", "-"), default_checked=checked),
            rx.text(T(f"settings.{name}"), size="2"),
            align="center",
            spacing="2",
        ),
    )


def _room_row(room: ObjectVar[RoomRow]) -> rx.Component:
    return rx.hstack(
        rx.icon("door_open", size=16, color=rx.color("gray", 10)),
        rx.text(room.name, weight="medium", flex="1"),
        rx.cond(
            room.capacity.to(int) > 0,
            rx.badge(Tf("settings.room_capacity", seats=room.capacity.to_string()), color_scheme="gray"),
        ),
        rx.button(
            rx.icon("trash_2", size=14),
            size="1",
            variant="soft",
            color_scheme="red",
            aria_label=T("settings.room_remove").to(str) + " " + room.name.to(str),
            on_click=SettingsState.remove_room(room.id),  # type: ignore[operator]
        ),
        align="center",
        width="100%",
        padding_y="0.25rem",
        data_testid="room-row",
    )


def _rooms_card() -> rx.Component:
    """The organisation's rooms: a slot booked in one keeps it from any other slot at that time."""
    room_error = rx.cond(SettingsState.room_field == "", SettingsState.room_error, "")
    return rx.card(
        rx.vstack(
            rx.heading(T("settings.rooms"), size="3", as_="h2"),
            rx.text(T("settings.rooms_hint"), size="2", color_scheme="gray"),
            rx.cond(
                SettingsState.rooms.length() > 0,
                rx.vstack(rx.foreach(SettingsState.rooms, _room_row), spacing="1", width="100%"),
                empty_state("settings.rooms_empty", "door_closed"),
            ),
            rx.form(
                rx.flex(
                    field(
                        "settings.room_name",
                        "room_name",
                        error=rx.cond(SettingsState.room_field == "room_name", SettingsState.room_error, "").to(str),
                    ),
                    field(
                        "settings.room_seats",
                        "capacity",
                        type_="number",
                        input_mode="numeric",
                        error=rx.cond(SettingsState.room_field == "capacity", SettingsState.room_error, "").to(str),
                    ),
                    rx.button(rx.icon("plus", size=16), T("settings.room_add"), type="submit", margin_top="1.4rem"),
                    wrap="wrap",
                    gap="3",
                    align="start",
                ),
                on_submit=SettingsState.add_room,
                reset_on_submit=False,
                key=SettingsState.room_key.to_string(),
                width="100%",
            ),
            form_message(room_error.to(str)),
            spacing="3",
            width="100%",
        ),
        max_width="36rem",
        width="100%",
        box_shadow=styles.CARD_SHADOW,
        id="settings-rooms",
    )
