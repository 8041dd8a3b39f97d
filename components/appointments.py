"""An appointment's panel (Entretien): the learner picks a time; the trainer proposes times and confirms places."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars.base import Var

from components.forms import field, message_text
from components.i18n import T, Tk, Tn
from state.appointments import AppointmentState

_S: Any = AppointmentState  # its vars and handlers, indexed and called as the page builds


def _error(name: str) -> Var[str]:
    return _S.field_errors.get(name, "").to(str)


def _when(time: Any) -> rx.Component:
    return rx.hstack(
        rx.icon("calendar_clock", size=16),
        rx.text(
            Tk("agenda.weekdays.", time["weekday"].to(str)),
            " ",
            time["day"].to(str),
            " · ",
            time["hours"].to(str),
            weight="medium",
            size="2",
        ),
        rx.cond(
            time["room"].to(str) != "",
            rx.badge(rx.icon("door_open", size=12), time["room"].to(str), variant="soft", color_scheme="gray"),
        ),
        align="center",
        spacing="2",
        wrap="wrap",
    )


def _places_left(time: Any) -> rx.Component:
    left = time["places_left"].to(int)
    return rx.cond(
        left > 0,
        rx.badge(Tn("appointment.places_left", left), color_scheme="green", variant="soft"),
        rx.badge(T("appointment.full"), color_scheme="gray", variant="soft"),
    )


def _status(confirmed: Var[bool]) -> rx.Component:
    return rx.cond(
        confirmed,
        rx.badge(rx.icon("check", size=12), T("appointment.status.confirmed"), color_scheme="green"),
        rx.badge(rx.icon("hourglass", size=12), T("appointment.status.pending"), color_scheme="amber"),
    )


def _learner_time(time: Any) -> rx.Component:
    board = _S.board.to(dict)
    mine = time["mine"].to(str)
    return rx.hstack(
        rx.vstack(_when(time), _places_left(time), spacing="1", align="start"),
        rx.spacer(),
        rx.cond(
            mine != "",
            _status(mine == "confirmed"),
            rx.cond(
                (board["place_id"].to(int) == 0) & (time["places_left"].to(int) > 0),
                rx.button(
                    T("appointment.take"),
                    on_click=_S.take_place(time["id"].to(int)),
                    size="2",
                    data_testid="appointment-take",
                ),
            ),
        ),
        width="100%",
        align="center",
        wrap="wrap",
        padding="0.75rem",
        border_radius="0.5rem",
        border="1px solid var(--gray-a5)",
        background=rx.cond(mine != "", "var(--accent-a2)", "transparent"),
        data_testid="appointment-time",
    )


def _own_proposal() -> rx.Component:
    return rx.cond(
        _S.board.to(dict)["may_propose"].to(bool),
        rx.el.details(
            rx.el.summary(
                rx.text(T("appointment.propose_own"), as_="span", size="2", weight="medium"),
                cursor="pointer",
                color=rx.color("accent", 11),
            ),
            rx.form(
                rx.vstack(
                    field("appointment.day", "appointment_day", type_="date", error=_error("day"), required=True),
                    rx.hstack(
                        field(
                            "appointment.start", "appointment_start", type_="time", error=_error("start"), required=True
                        ),
                        field("appointment.end", "appointment_end", type_="time", error=_error("end"), required=True),
                        width="100%",
                    ),
                    rx.button(T("appointment.send_proposal"), type="submit"),
                    spacing="2",
                    align="start",
                    width="100%",
                    padding_top="0.5rem",
                ),
                on_submit=_S.propose_own_time,
                key=_S.form_key.to(str),
            ),
        ),
    )


def _learner_view() -> rx.Component:
    board = _S.board.to(dict)
    times = board["times"].to(list[dict])
    return rx.vstack(
        rx.cond(
            board["place_id"].to(int) != 0,
            rx.callout(
                rx.hstack(
                    rx.text(
                        rx.cond(
                            board["place_status"].to(str) == "confirmed",
                            T("appointment.mine_confirmed"),
                            T("appointment.mine_pending"),
                        ),
                        size="2",
                    ),
                    rx.spacer(),
                    rx.button(
                        T("appointment.give_up"),
                        on_click=_S.cancel_place(board["place_id"].to(int)),
                        variant="soft",
                        color_scheme="red",
                        size="1",
                        data_testid="appointment-give-up",
                    ),
                    width="100%",
                    align="center",
                    wrap="wrap",
                ),
                icon=rx.cond(board["place_status"].to(str) == "confirmed", "circle_check", "hourglass"),
                color_scheme=rx.cond(board["place_status"].to(str) == "confirmed", "green", "amber"),
                width="100%",
            ),
            rx.text(T("appointment.choose_intro"), size="2", color_scheme="gray"),
        ),
        rx.cond(
            times.length() > 0,
            rx.vstack(rx.foreach(times, _learner_time), spacing="2", width="100%"),
            rx.text(T("appointment.no_time"), size="2", color_scheme="gray"),
        ),
        _own_proposal(),
        spacing="3",
        width="100%",
    )


def _place_row(place: Any) -> rx.Component:
    confirmed = place["confirmed"].to(bool)
    return rx.hstack(
        rx.icon("user", size=14),
        rx.text(place["name"].to(str), size="2"),
        _status(confirmed),
        rx.spacer(),
        rx.cond(
            ~confirmed,
            rx.button(
                rx.icon("check", size=14),
                T("appointment.confirm"),
                on_click=_S.confirm_place(place["id"].to(int)),
                size="1",
                data_testid="appointment-confirm",
            ),
        ),
        rx.button(
            rx.cond(confirmed, T("appointment.cancel"), T("appointment.decline")),
            on_click=_S.cancel_place(place["id"].to(int)),
            size="1",
            variant="soft",
            color_scheme="red",
        ),
        width="100%",
        align="center",
        wrap="wrap",
        data_testid="appointment-place",
    )


def _trainer_time(time: Any) -> rx.Component:
    places = time["places"].to(list[dict])
    return rx.vstack(
        rx.hstack(
            _when(time),
            rx.spacer(),
            rx.cond(
                time["by_learner"].to(bool),
                rx.badge(T("appointment.proposed_by"), " ", time["proposer"].to(str), color_scheme="violet"),
                rx.text(
                    time["capacity"].to(int) - time["places_left"].to(int),
                    " / ",
                    time["capacity"].to(int),
                    size="2",
                    color_scheme="gray",
                ),
            ),
            rx.cond(
                places.length() == 0,
                rx.icon_button(
                    rx.icon("trash_2", size=14),
                    on_click=_S.remove_time(time["id"].to(int)),
                    variant="ghost",
                    color_scheme="red",
                    size="1",
                    aria_label=T("appointment.remove_time"),
                    title=T("appointment.remove_time"),
                ),
            ),
            width="100%",
            align="center",
            wrap="wrap",
        ),
        rx.cond(
            places.length() > 0,
            rx.vstack(rx.foreach(places, _place_row), spacing="1", width="100%", padding_left="1.5rem"),
            rx.text(T("appointment.nobody_yet"), size="1", color_scheme="gray", padding_left="1.5rem"),
        ),
        width="100%",
        spacing="2",
        padding="0.75rem",
        border_radius="0.5rem",
        border="1px solid var(--gray-a5)",
        opacity=rx.cond(time["past"].to(bool), "0.6", "1"),
        data_testid="appointment-time",
    )


def _propose_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading(T("appointment.propose"), size="2", as_="h4"),
            rx.grid(
                field("appointment.day", "appointment_day", type_="date", error=_error("day"), required=True),
                field("appointment.start", "appointment_start", type_="time", error=_error("start"), required=True),
                field("appointment.end", "appointment_end", type_="time", error=_error("end"), required=True),
                field(
                    "appointment.capacity",
                    "appointment_capacity",
                    type_="number",
                    default_value="1",
                    error=_error("capacity"),
                    hint_key="appointment.capacity_hint",
                    input_mode="numeric",
                ),
                field("appointment.room", "appointment_room", error=_error("room"), suggestions="appointment-rooms"),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            rx.el.datalist(
                rx.foreach(_S.board.to(dict)["rooms"].to(list[str]), lambda name: rx.el.option(value=name)),
                id="appointment-rooms",
            ),
            rx.button(
                rx.icon("plus", size=14), T("appointment.add_time"), type="submit", data_testid="appointment-add"
            ),
            spacing="3",
            width="100%",
            align="start",
        ),
        on_submit=_S.propose_time,
        key=_S.form_key.to(str),
        width="100%",
    )


def _trainer_view() -> rx.Component:
    board = _S.board.to(dict)
    times = board["times"].to(list[dict])
    return rx.vstack(
        rx.cond(
            board["waiting"].to(int) > 0,
            rx.callout(
                Tn("appointment.waiting", board["waiting"].to(int)),
                icon="bell",
                color_scheme="amber",
                width="100%",
            ),
        ),
        rx.cond(
            times.length() > 0,
            rx.vstack(rx.foreach(times, _trainer_time), spacing="2", width="100%"),
            rx.text(T("appointment.no_time_trainer"), size="2", color_scheme="gray"),
        ),
        rx.box(_propose_form(), width="100%", padding_top="0.5rem", border_top="1px solid var(--gray-a4)"),
        spacing="3",
        width="100%",
    )


def appointment_panel() -> rx.Component:
    """The open appointment's times and places, for the person looking.

    Returns:
        The panel (nothing when the open activity is not an appointment).
    """
    board = _S.board.to(dict)
    return rx.cond(
        _S.board.is_not_none(),
        rx.vstack(
            rx.cond(
                board["manages"].to(bool),
                _trainer_view(),
                rx.cond(board["learner"].to(bool), _learner_view(), rx.fragment()),
            ),
            message_text(_S.error, data_testid="appointment-error"),
            message_text(_S.notice, tone="green", data_testid="appointment-notice"),
            spacing="3",
            width="100%",
            data_testid="appointment-panel",
        ),
    )
