"""Progressive planning: the agenda's "À planifier" card and its dialog, and a session's hours to plan (staff)."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar

from app.services.planning import PlanningModule, PlanningSession, Unplanned
from components import styles
from components.forms import field, form_dialog, form_message, labelled, select_field
from components.i18n import T, Tf, Tn
from state.agenda import NEW_SEANCE, AgendaState
from state.planning import SessionHoursState

# Reflex 0.10's `Field.__get__` stubs resolve a list of dataclasses to `ArrayVar[Never]` under mypy: name the
# var types the fields really have.
_TO_PLAN = cast("ArrayVar[list[PlanningSession]]", AgendaState.to_plan)
_UNPLANNED = cast("ArrayVar[list[Unplanned]]", AgendaState.plan_unplanned)
_MODULES = cast("ArrayVar[list[PlanningModule]]", AgendaState.plan_modules)
_ROOMS = cast("ArrayVar[list[str]]", AgendaState.plan_rooms)
_ERRORS = cast("ObjectVar[dict[str, str]]", AgendaState.plan_errors)


def _error(name: str) -> Var[str]:
    return _ERRORS.get(name, "").to(str)


def _input(label_key: str, name: str, *, type_: str = "text", hint_key: str = "", **props: object) -> rx.Component:
    """A field of the dialog, its id apart from the agenda's own forms (the unavailability form has a "start")."""
    control = rx.input(id=f"plan-{name}", name=name, type=type_, size="3", width="100%", **props)
    return labelled(label_key, f"plan-{name}", control, error=_error(name), hint_key=hint_key)


def _session_row(row: ObjectVar[PlanningSession]) -> rx.Component:
    """One session: its name and organisation, hours planned against hours to plan, "Planifier" where allowed."""
    title, sid = row.title.to(str), row.session_id.to_string()
    waiting = row.unplanned.to(list).length()
    hours = rx.cond(
        row.hours_to_plan.to(float) > 0,
        Tf("toplan.progress", planned=row.planned_text.to(str), total=row.to_plan_text.to(str)),
        Tf("toplan.planned_only", planned=row.planned_text.to(str)),
    )
    return rx.vstack(
        rx.hstack(
            rx.vstack(
                rx.link(
                    title,
                    href="/sessions/" + sid,
                    weight="medium",
                    size="2",
                    aria_label=T("toplan.open_session").to(str) + " " + title,
                ),
                rx.text(row.organisation_name.to(str), size="1", color_scheme="gray"),
                spacing="0",
                min_width="0",
                flex="1",
            ),
            rx.cond(
                row.may_plan.to(bool),
                rx.button(
                    rx.icon("calendar_plus", size=14),
                    T("toplan.plan"),
                    size="2",
                    variant="soft",
                    aria_haspopup="dialog",
                    aria_label=T("toplan.plan").to(str) + " " + title,
                    on_click=AgendaState.open_plan(row.session_id),  # type: ignore[operator]
                ),
            ),
            width="100%",
            align="center",
            spacing="3",
        ),
        rx.cond(
            row.hours_to_plan.to(float) > 0,
            rx.progress(
                value=row.percent.to(int),
                width="100%",
                color_scheme=rx.cond(row.done.to(bool), "green", styles.ACCENT),
                aria_label=hours,
            ),
        ),
        rx.flex(
            rx.text(hours, size="2", weight="medium", data_testid="planning-hours"),
            rx.cond(
                row.done.to(bool),
                rx.badge(rx.icon("circle_check", size=12), T("toplan.all_done"), color_scheme="green"),
                rx.fragment(
                    rx.cond(
                        row.remaining_hours.to(float) > 0,
                        rx.text(
                            Tf("toplan.remaining", remaining=row.remaining_text.to(str)), size="2", color_scheme="gray"
                        ),
                    ),
                    rx.cond(waiting > 0, rx.badge(Tn("toplan.waiting", waiting), color_scheme="amber")),
                ),
            ),
            column_gap="0.75rem",
            row_gap="0.25rem",
            wrap="wrap",
            align="center",
        ),
        spacing="2",
        width="100%",
        padding_y="0.5rem",
        border_top=f"1px solid {rx.color('gray', 4)}",
        data_testid="planning-session",
        data_session=sid,
    )


def planning_card() -> rx.Component:
    """The agenda's "À planifier": each session the person trains with hours or séances to plan.

    Returns:
        The card (nothing when no session has anything to plan).
    """
    return rx.cond(
        _TO_PLAN.length() > 0,
        rx.card(
            rx.vstack(
                rx.heading(T("toplan.title"), size="4", as_="h2"),
                rx.text(T("toplan.hint"), size="2", color_scheme="gray"),
                form_message(AgendaState.plan_notice, tone="green"),
                rx.vstack(rx.foreach(_TO_PLAN, _session_row), spacing="0", width="100%"),
                spacing="2",
                width="100%",
            ),
            width="100%",
            box_shadow=styles.CARD_SHADOW,
            id="agenda-planning",
        ),
    )


def _unplanned_option(activity: ObjectVar[Unplanned]) -> rx.Component:
    return rx.el.option(activity.title.to(str) + " — " + activity.module_title.to(str), value=activity.id.to_string())


def _when_fields(in_person: Var[bool]) -> rx.Component:
    """The day, then a half-day and a room (in person) or a time range and a link (virtual class)."""
    return rx.vstack(
        _input("editor.day", "day", type_="date", required=True),
        rx.cond(
            in_person,
            rx.vstack(
                labelled(
                    "editor.half_day",
                    "plan-half-day",
                    rx.el.select(
                        rx.el.option(T("editor.morning"), value="morning"),
                        rx.el.option(T("editor.afternoon"), value="afternoon"),
                        id="plan-half-day",
                        name="half_day",
                        class_name="plume-select",
                    ),
                    error=_error("half_day"),
                ),
                _input("editor.room", "room", hint_key="toplan.room_hint", custom_attrs={"list": "plan-rooms"}),
                rx.el.datalist(rx.foreach(_ROOMS, lambda name: rx.el.option(value=name)), id="plan-rooms"),
                spacing="3",
                width="100%",
            ),
            rx.vstack(
                rx.flex(
                    _input("editor.start", "start", type_="time"),
                    _input("editor.end", "end", type_="time"),
                    gap="0.75rem",
                    width="100%",
                ),
                _input("editor.link", "link", type_="url", hint_key="editor.link_hint"),
                spacing="3",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _planning_warning() -> rx.Component:
    """What the planning rules warn about the date chosen, and the box that confirms it deliberately."""
    warning = _error("confirmed")
    return rx.cond(
        warning != "",
        rx.vstack(
            rx.callout(warning, icon="triangle_alert", color_scheme="amber", size="1", width="100%"),
            rx.el.label(
                rx.hstack(
                    rx.el.input(type="checkbox", name="confirmed", id="confirm-planning"),
                    rx.text(T("timeline.confirm_planning"), size="2", weight="medium"),
                    align="center",
                    spacing="2",
                ),
            ),
            spacing="2",
            width="100%",
        ),
    )


def planning_dialog() -> rx.Component:
    """The dialog that plans a séance of a session: one without a slot, or a new one, its day and place.

    Returns:
        The dialog (mounted while a session is picked).
    """
    new = AgendaState.plan_choice == NEW_SEANCE
    return form_dialog(
        AgendaState.plan_session != 0,
        rx.text(AgendaState.plan_title, size="2", color_scheme="gray"),
        select_field(
            "toplan.activity",
            "plan-activity",
            rx.foreach(_UNPLANNED, _unplanned_option),
            rx.el.option(T("toplan.new"), value=NEW_SEANCE),
            name="activity",
            value=AgendaState.plan_choice,
            on_change=AgendaState.choose_plan,
            width="100%",
            min_width="100%",
        ),
        rx.cond(
            new,
            rx.vstack(
                rx.grid(
                    labelled(
                        "toplan.module",
                        "plan-module",
                        rx.el.select(
                            rx.foreach(_MODULES, lambda m: rx.el.option(m.title.to(str), value=m.id.to_string())),
                            id="plan-module",
                            name="module_id",
                            class_name="plume-select",
                        ),
                        error=_error("module_id"),
                    ),
                    labelled(
                        "toplan.kind",
                        "plan-kind",
                        rx.el.select(
                            rx.el.option(T("kind.in_person"), value="in_person"),
                            rx.el.option(T("kind.virtual_class"), value="virtual_class"),
                            id="plan-kind",
                            name="kind",
                            class_name="plume-select",
                            value=AgendaState.plan_kind,
                            on_change=AgendaState.choose_plan_kind,
                        ),
                        error=_error("kind"),
                    ),
                    columns=rx.breakpoints(initial="1", sm="2"),
                    gap="0.75rem",
                    width="100%",
                ),
                _input("toplan.new_title", "title"),
                spacing="3",
                width="100%",
            ),
        ),
        _when_fields(AgendaState.plan_kind == "in_person"),
        _planning_warning(),
        form_message(AgendaState.plan_error),
        title=T("toplan.plan_title"),
        on_submit=AgendaState.plan,
        on_close=AgendaState.close_plan,
        submit=rx.button(T("toplan.plan"), type="submit", loading=AgendaState.plan_busy),
        max_width="32rem",
    )


def hours_to_plan_form() -> rx.Component:
    """A session's "Heures à planifier" (its staff): what its trainers' agendas count the planned hours against.

    Returns:
        The form (loaded when mounted; nothing for anyone but the session's staff).
    """
    return rx.box(
        rx.cond(
            SessionHoursState.allowed,
            rx.form(
                rx.flex(
                    rx.box(
                        field(
                            "toplan.hours",
                            "hours_to_plan",
                            input_mode="decimal",
                            hint_key="toplan.hours_hint",
                            default_value=SessionHoursState.hours,
                            error=SessionHoursState.error,
                        ),
                        flex="1",
                        min_width="12rem",
                        max_width="28rem",
                    ),
                    # Level with the input, under the field's label.
                    rx.button(
                        T("toplan.hours_save"),
                        type="submit",
                        size="3",
                        loading=SessionHoursState.busy,
                        margin_top=rx.breakpoints(initial="0", sm="1.6rem"),
                    ),
                    gap="3",
                    align="start",
                    wrap="wrap",
                    width="100%",
                ),
                form_message(SessionHoursState.notice, tone="green"),
                on_submit=SessionHoursState.save,
                key=SessionHoursState.form_key.to_string(),
                width="100%",
            ),
        ),
        on_mount=SessionHoursState.load,
        width="100%",
        id="session-hours-to-plan",
    )
