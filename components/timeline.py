"""Timeline pieces: module columns, activity cards and their editing controls.

Each function takes the page state class (a session's page or a course's template
page); both share the `TimelineEditor` handlers.
"""

from __future__ import annotations

from typing import Any, cast

import reflex as rx
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import StringVar

from app.models.evaluations import EVALUATION_KINDS
from app.models.training import ACTIVITY_KINDS, PHASES
from app.services.sessions.view import ActivityCard, ModuleView
from components import styles
from components.forms import field, secondary_button, select_field
from components.i18n import T, Tf
from components.questionnaires import attach_form, attached_badge
from components.tables import status_badge
from state.catalogue import CourseState
from state.questionnaires import QuestionnaireUsesState
from state.session_page import SessionPageState

# The page whose timeline is drawn: a session's page or a course's template page.
TimelineState = type[SessionPageState] | type[CourseState]

# mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__` returns the
# callback), so calling one with its arguments carries `# type: ignore[operator]` below.

KIND_ICONS = {
    "in_person": "users",
    "virtual_class": "video",
    "appointment": "calendar_check",
    "diagnostic": "clipboard_check",
    "third_party_evaluation": "list_checks",
    "certification": "award",
    "quality_evaluation": "smile",
    "document": "file_text",
    "video": "circle_play",
    "elearning": "monitor_play",
    "assignment": "briefcase",
    "observation": "eye",
    "quiz": "circle_help",
    "poll": "chart_bar",
    "webinar": "link",
    "self_assessment": "gauge",
}
PHASE_COLORS = {"before": "sky", "during": "indigo", "after": "teal"}


def date_fr(value: Var) -> StringVar:
    text = value.to(str)
    return text[8:10] + "/" + text[5:7] + "/" + text[0:4]


def kind_icon(kind: Var) -> rx.Component:
    return rx.match(kind, *[(k, rx.icon(icon, size=16)) for k, icon in KIND_ICONS.items()], rx.icon("square", size=16))


def kind_label(kind: Var) -> rx.Component:
    return rx.match(kind, *[(k, T(f"kind.{k}")) for k in KIND_ICONS], kind.to(str))


def phase_badge(phase: Var) -> rx.Component:
    return status_badge(phase, "phase", PHASE_COLORS, variant="soft", fallback=rx.badge(phase.to(str)))


def rule_text(module: ObjectVar[ModuleView]) -> rx.Component:
    rule = module.opening_rule.to(str)
    return rx.text(
        rx.match(
            rule,
            ("date", Tf("rule.date", date=module.opens_at.to(str))),
            ("after_previous", T("rule.after_previous")),
            T("rule.always"),
        ),
        size="1",
        color_scheme="gray",
    )


def _err(state: TimelineState, name: str, form: Var | str) -> Var:
    # Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy: name its var type.
    errors = cast("ObjectVar[dict[str, str]]", state.edit_field_errors)
    return rx.cond(state.error_form == form, errors.get(name, "").to(str), "").to(str)


def _inline_form(
    state: TimelineState, key: StringVar, *children: rx.Component, on_submit: Any, hidden: tuple[str, Var]
) -> rx.Component:
    # The id travels in a hidden input: a submit handler cannot close over a foreach item.
    name, value = hidden
    return rx.cond(
        state.open_form == key,
        rx.form(
            rx.el.input(type="hidden", name=name, value=value),
            rx.vstack(*children, spacing="2", width="100%"),
            on_submit=on_submit,
            width="100%",
            padding="0.5rem",
            background=rx.color("gray", 2),
            border_radius="0.5rem",
            key=key + state.edit_key.to_string(),
        ),
    )


def confirm_delete(state: TimelineState, label: StringVar, body: Var, on_confirm: Any) -> rx.Component:
    """A delete button that asks first, saying it is irreversible."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("trash_2", size=14),
                T("editor.delete"),
                size="1",
                variant="soft",
                color_scheme="red",
                aria_label=T("editor.delete").to(str) + " " + label,
            )
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T("editor.confirm_title")),
            rx.alert_dialog.description(body),
            rx.hstack(
                rx.alert_dialog.cancel(secondary_button(T("common.cancel"))),
                rx.alert_dialog.action(rx.button(T("editor.confirm_yes"), color_scheme="red", on_click=on_confirm)),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def _schedule_form(state: TimelineState, activity: ObjectVar[ActivityCard]) -> rx.Component:
    aid = activity.id.to_string()  # ids travel as text, as the handlers and the open form expect
    in_person = activity.kind.to(str) == "in_person"
    return _inline_form(
        state,
        "schedule-" + aid,
        field("editor.day", "day", type_="date", error=_err(state, "day", "schedule-" + aid)),
        rx.cond(
            in_person,
            rx.vstack(
                select_field(
                    "editor.half_day",
                    "half_day",
                    rx.el.option(T("editor.morning"), value="morning"),
                    rx.el.option(T("editor.afternoon"), value="afternoon"),
                    name="half_day",
                ),
                field(
                    "editor.room",
                    "room",
                    error=_err(state, "room", "schedule-" + aid),
                    suggestions="timeline-rooms",
                ),
                rx.el.datalist(
                    rx.foreach(state.room_names, lambda name: rx.el.option(value=name)), id="timeline-rooms"
                ),
                spacing="1",
                width="100%",
            ),
            rx.vstack(
                rx.hstack(
                    field("editor.start", "start", type_="time", error=_err(state, "start", "schedule-" + aid)),
                    field("editor.end", "end", type_="time", error=_err(state, "end", "schedule-" + aid)),
                    width="100%",
                ),
                field(
                    "editor.link",
                    "link",
                    type_="url",
                    hint_key="editor.link_hint",
                    error=_err(state, "link", "schedule-" + aid),
                ),
                spacing="1",
                width="100%",
            ),
        ),
        _planning_warning(state, "schedule-" + aid),
        rx.button(T("common.save"), type="submit", size="2"),
        hidden=("activity_id", aid),
        on_submit=state.schedule,
    )


def _planning_warning(state: TimelineState, form: Var) -> rx.Component:
    """What the planning rules warn about the date chosen, and the box that confirms it deliberately."""
    warning = _err(state, "confirmed", form)
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


def _duplicate_or_delete(
    state: TimelineState, item_id: StringVar, title: StringVar, what: str, handlers: tuple[Any, Any]
) -> rx.Component:
    """`Dupliquer` and `Supprimer` (which asks first) for an activity or a module (`what`) named `title`."""
    duplicate, delete = handlers
    return rx.fragment(
        secondary_button(
            T("editor.duplicate"),
            size="1",
            on_click=duplicate(item_id),
            aria_label=T("editor.duplicate").to(str) + " " + title,
        ),
        confirm_delete(state, title, Tf(f"editor.confirm_{what}", title=title), delete(item_id)),
    )


def _check(name: str, label_key: str, checked: Var) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", id=name, name=name, default_checked=checked),
        T(label_key),
        html_for=name,
        style={"display": "flex", "gap": "0.4rem", "alignItems": "center", "fontSize": "0.875rem"},
    )


def _monitor_form(state: TimelineState, activity: ObjectVar[ActivityCard]) -> rx.Component:
    """`Surveillé` / `Attendu le` / required to complete the training (a session's activity, staff and trainers)."""
    aid = activity.id.to_string()
    key = "monitor-" + aid
    expected = activity.expected_on.to(str)
    return _inline_form(
        state,
        key,
        _check("monitored", "follow.monitored", expected != ""),
        field(
            "follow.expected_on",
            "expected_on",
            type_="date",
            default_value=expected,
            hint_key="follow.expected_hint",
            error=_err(state, "expected_on", key),
        ),
        _check("required", "follow.required", activity.required.to(bool)),
        rx.button(T("common.save"), type="submit", size="2"),
        hidden=("activity_id", aid),
        on_submit=state.set_monitoring,
    )


def monitored_badge(activity: ObjectVar[ActivityCard]) -> rx.Component:
    """`Surveillé · attendu le 12/04/2026` on a monitored activity's card."""
    return rx.cond(
        activity.expected_label.to(str) != "",
        rx.badge(
            rx.icon("flag", size=12),
            Tf("follow.badge", day=activity.expected_label.to(str)),
            rx.cond(activity.required.to(bool), T("follow.required_short"), ""),
            color_scheme="amber",
            variant="soft",
            size="1",
            data_testid="monitored-badge",
        ),
    )


def _is_evaluation(kind: StringVar) -> Var[bool]:
    return rx.Var.create(list(EVALUATION_KINDS)).contains(kind)


def _questionnaire_form(state: TimelineState, activity: ObjectVar[ActivityCard]) -> rx.Component:
    """The library questionnaire an evaluation activity uses, and its moment (a session's, staff and trainers)."""
    aid = activity.id.to_string()
    return _inline_form(
        state,
        "questionnaire-" + aid,
        attach_form(aid, activity.kind.to(str)),
        hidden=("activity_id", aid),
        on_submit=QuestionnaireUsesState.attach,
    )


def activity_card(state: TimelineState, activity: ObjectVar[ActivityCard], on_open: Any = None) -> rx.Component:
    aid = activity.id.to_string()  # ids travel as text, as the handlers and the open form expect
    title = activity.title.to(str)
    kind = activity.kind.to(str)
    schedulable = state.is_session & ((kind == "in_person") | (kind == "virtual_class"))
    return rx.vstack(
        rx.hstack(
            rx.cond(
                state.editing & state.can_edit,
                rx.box(
                    rx.icon("grip_vertical", size=14, color=rx.color("gray", 9)),
                    cursor="grab",
                    on_mouse_down=state.drag_activity(aid),  # type: ignore[operator]
                    aria_label=Tf("editor.drag_activity", title=title),
                    data_testid="activity-drag-handle",
                    user_select="none",
                ),
            ),
            rx.center(
                kind_icon(kind),
                color=rx.color(styles.ACCENT, 11),
                background=rx.color(styles.ACCENT, 3),
                border_radius="0.4rem",
                width="2rem",
                height="2rem",
                flex_shrink="0",
            ),
            rx.vstack(
                rx.text(title, size="2", weight="medium"),
                rx.text(kind_label(kind), size="1", color_scheme="gray"),
                rx.cond(
                    activity.when.to(str) != "",
                    rx.text(
                        activity.when.to(str) + rx.cond(activity.room.to(str) != "", " · " + activity.room.to(str), ""),
                        size="1",
                        color=rx.color(styles.ACCENT, 11),
                    ),
                ),
                monitored_badge(activity),
                rx.cond(state.editing & state.is_session, attached_badge(aid)),
                spacing="0",
            ),
            spacing="2",
            align="center",
            width="100%",
            cursor="pointer" if on_open is not None else "default",
            on_click=on_open(aid) if on_open is not None else None,
            role="button" if on_open is not None else None,
            aria_label=Tf("activity.open", title=title) if on_open is not None else None,
        ),
        rx.cond(
            state.editing & state.can_manage_content,
            rx.hstack(
                rx.cond(
                    state.can_edit,
                    rx.hstack(
                        rx.icon_button(
                            rx.icon("chevron_up", size=12),
                            size="1",
                            variant="ghost",
                            aria_label=Tf("editor.move_activity_up", title=title),
                            on_click=state.move_activity(aid, -1),  # type: ignore[operator]
                        ),
                        rx.icon_button(
                            rx.icon("chevron_down", size=12),
                            size="1",
                            variant="ghost",
                            aria_label=Tf("editor.move_activity_down", title=title),
                            on_click=state.move_activity(aid, 1),  # type: ignore[operator]
                        ),
                        rx.cond(
                            schedulable,
                            rx.button(
                                T("editor.schedule"),
                                size="1",
                                variant="soft",
                                on_click=state.open("schedule-" + aid),  # type: ignore[operator]
                            ),
                        ),
                        spacing="1",
                    ),
                ),
                rx.cond(
                    state.is_session,
                    rx.button(
                        rx.icon("flag", size=12),
                        T("follow.monitor"),
                        size="1",
                        variant="soft",
                        color_scheme="amber",
                        on_click=state.open("monitor-" + aid),  # type: ignore[operator]
                        aria_label=Tf("follow.monitor_aria", title=title),
                    ),
                ),
                rx.cond(
                    state.is_session & _is_evaluation(kind),
                    rx.button(
                        rx.icon("clipboard_list", size=12),
                        T("questionnaires.attach"),
                        size="1",
                        variant="soft",
                        color_scheme="indigo",
                        on_click=state.open("questionnaire-" + aid),  # type: ignore[operator]
                        aria_label=Tf("questionnaires.attach_aria", title=title),
                    ),
                ),
                _duplicate_or_delete(state, aid, title, "activity", (state.duplicate_activity, state.delete_activity)),
                spacing="1",
                wrap="wrap",
            ),
        ),
        rx.cond(state.editing & state.can_edit & schedulable, _schedule_form(state, activity)),
        rx.cond(state.editing & state.can_manage_content & state.is_session, _monitor_form(state, activity)),
        rx.cond(
            state.editing & state.can_manage_content & state.is_session & _is_evaluation(kind),
            _questionnaire_form(state, activity),
        ),
        spacing="2",
        padding="0.5rem",
        **styles.OUTLINED,
        width="100%",
        on_mouse_up=state.drop_activity(aid),  # type: ignore[operator]
        outline=rx.cond(
            (state.dragging_activity != "") & (state.dragging_activity != aid),
            f"1px dashed {rx.color(styles.ACCENT, 7)}",
            "none",
        ),
        data_testid="activity-card",
    )


def _module_controls(state: TimelineState, module: ObjectVar[ModuleView]) -> rx.Component:
    mid = module.id.to_string()
    title = module.title.to(str)
    return rx.vstack(
        rx.hstack(
            rx.cond(
                state.can_edit,
                rx.hstack(
                    rx.button(T("editor.rename"), size="1", variant="soft", on_click=state.open("rename-" + mid)),  # type: ignore[operator]
                    rx.cond(
                        state.is_session,
                        rx.button(T("editor.rule"), size="1", variant="soft", on_click=state.open("rule-" + mid)),  # type: ignore[operator]
                    ),
                    rx.button(
                        T("editor.add_activity"),
                        size="1",
                        variant="soft",
                        on_click=state.open("activity-" + mid),  # type: ignore[operator]
                    ),
                    spacing="1",
                    wrap="wrap",
                ),
            ),
            _duplicate_or_delete(state, mid, title, "module", (state.duplicate_module, state.delete_module)),
            spacing="1",
            wrap="wrap",
        ),
        _inline_form(
            state,
            "rename-" + mid,
            field("editor.new_title", "new_title", default_value=title, error=_err(state, "title", "rename-" + mid)),
            rx.button(T("common.save"), type="submit", size="2"),
            hidden=("module_id", mid),
            on_submit=state.rename_module,
        ),
        _inline_form(
            state,
            "rule-" + mid,
            select_field(
                "editor.rule",
                "rule",
                rx.el.option(T("rule.always"), value="always"),
                rx.el.option(T("editor.opens_on"), value="date"),
                rx.el.option(T("rule.after_previous"), value="after_previous"),
                name="rule",
                default_value=module.opening_rule.to(str),
            ),
            field("editor.opens_on", "opens_on", type_="date", error=_err(state, "opens_on", "rule-" + mid)),
            rx.button(T("common.save"), type="submit", size="2"),
            hidden=("module_id", mid),
            on_submit=state.set_rule,
        ),
        _inline_form(
            state,
            "activity-" + mid,
            select_field(
                "editor.kind", "kind", *[rx.el.option(T(f"kind.{k}"), value=k) for k in ACTIVITY_KINDS], name="kind"
            ),
            field("editor.activity_title", "activity_title", error=_err(state, "title", "activity-" + mid)),
            rx.button(T("editor.add"), type="submit", size="2"),
            hidden=("module_id", mid),
            on_submit=state.add_activity,
        ),
        spacing="2",
        width="100%",
        aria_label=Tf("editor.module_actions", title=title),
    )


def module_column(
    state: TimelineState, module: ObjectVar[ModuleView], extra: Any = None, on_open: Any = None
) -> rx.Component:
    activities = module.activities.to(list[dict[str, Any]])
    return rx.card(
        rx.vstack(
            rx.hstack(
                phase_badge(module.phase.to(str)),
                rx.spacer(),
                rx.cond(
                    module.locked.to(bool),
                    rx.badge(rx.icon("lock", size=12), T("session.locked"), color_scheme="gray"),
                ),
                width="100%",
            ),
            rx.heading(module.title.to(str), size="3", as_="h3"),
            rule_text(module),
            rx.cond(
                module.contains("total") & ~state.can_manage_content,
                rx.cond(
                    module.total.to(int) > 0,
                    rx.text(
                        Tf("activity.module_progress", done=module.done.to(str), total=module.total.to(str)),
                        size="1",
                        color=rx.color("green", 11),
                        data_testid="module-progress",
                    ),
                ),
            ),
            rx.cond(state.editing & state.can_manage_content, _module_controls(state, module)),
            rx.cond(
                module.locked.to(bool),
                rx.fragment(),
                rx.cond(
                    activities.length() > 0,
                    rx.vstack(
                        rx.foreach(activities, lambda a: activity_card(state, a, on_open)), spacing="2", width="100%"
                    ),
                    rx.text(T("session.no_activity"), size="2", color_scheme="gray"),
                ),
            ),
            extra(module) if extra is not None else rx.fragment(),
            spacing="2",
            width="100%",
        ),
        # Side by side from a tablet up; stacked, full width, on a phone (`timeline_strip`).
        width=rx.breakpoints(initial="100%", sm="18rem"),
        min_width=rx.breakpoints(initial="0", sm="18rem"),
        max_width=rx.breakpoints(initial="100%", sm="18rem"),
        flex_shrink="0",
        box_shadow=styles.CARD_SHADOW,
        opacity=rx.cond(module.locked.to(bool), "0.7", "1"),
        id="module-" + module.id.to_string(),  # the left list's rows scroll to it (assets/timeline.js)
        data_testid="timeline-module",
    )


def _scroll_arrow(step: int) -> rx.Component:
    side = "left" if step < 0 else "right"
    return rx.icon_button(
        rx.icon(f"chevron_{side}", size=18),
        size="2",
        radius="full",
        variant="surface",
        aria_label=T(f"timeline.scroll_{side}"),
        data_timeline_scroll=str(step),
        class_name=f"plume-timeline-arrow plume-timeline-arrow-{side}",
        data_testid=f"timeline-scroll-{side}",
    )


def timeline_strip(columns: rx.Component) -> rx.Component:
    """The modules' columns: a horizontal strip that shows it scrolls (edge fade, arrows), stacked on a phone.

    `assets/timeline.js` marks which edges have more to see (`data-can-left` / `data-can-right`), moves the
    strip with the arrows and scrolls to a module picked in the left list; `assets/plume.css` draws the rest.

    Args:
        columns: The `module_column`s (a foreach).

    Returns:
        The strip.
    """
    return rx.box(
        _scroll_arrow(-1),
        rx.flex(
            columns,
            direction=rx.breakpoints(initial="column", sm="row"),
            align=rx.breakpoints(initial="stretch", sm="start"),
            gap="0.75rem",
            overflow_x="auto",
            width="100%",
            padding_bottom="0.5rem",
            class_name="plume-timeline",
            id="timeline",
        ),
        _scroll_arrow(1),
        class_name="plume-timeline-wrap",
        width="100%",
    )


def add_module_form(state: TimelineState) -> rx.Component:
    return rx.cond(
        state.editing & state.can_edit,
        rx.card(
            rx.form(
                rx.hstack(
                    rx.box(
                        field("editor.module_title", "module_title", error=_err(state, "title", "add-module")),
                        flex="1",
                        min_width="14rem",
                    ),
                    select_field(
                        "editor.phase",
                        "phase",
                        *[rx.el.option(T(f"phase.{p}"), value=p) for p in PHASES],
                        name="phase",
                        default_value="during",
                    ),
                    rx.button(rx.icon("plus", size=14), T("editor.add_module"), type="submit"),
                    align="end",
                    spacing="3",
                    wrap="wrap",
                    width="100%",
                ),
                on_submit=state.add_module,
                key=state.edit_key.to_string(),
                width="100%",
            ),
            width="100%",
        ),
    )


def edit_toggle(state: TimelineState) -> rx.Component:
    return rx.cond(
        state.can_manage_content,
        rx.button(
            rx.icon(rx.cond(state.editing, "check", "pencil"), size=14),
            rx.cond(state.editing, T("editor.done"), T("editor.toggle")),
            variant=rx.cond(state.editing, "solid", "soft"),
            # A session's evaluation activities show their questionnaire while editing: load them with it.
            on_click=[state.toggle_editing, QuestionnaireUsesState.load_uses],
        ),
    )


def edit_messages(state: TimelineState) -> rx.Component:
    return rx.vstack(
        rx.cond(
            state.edit_error != "",
            rx.callout(state.edit_error, icon="circle_alert", color_scheme="red", role="alert", width="100%"),
        ),
        rx.cond(
            state.editing & state.can_manage_content & ~state.can_edit,
            rx.callout(T("editor.trainer_hint"), icon="info", color_scheme="gray", width="100%"),
        ),
        width="100%",
    )
