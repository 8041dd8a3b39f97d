"""Form pieces: labelled fields with their hint and their error right below."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

import reflex as rx
from reflex.vars.base import Var

from components.i18n import T

if TYPE_CHECKING:
    # The module `reflex_base.event` is replaced by this class at runtime: only mypy imports it.
    from reflex_base.event import EventNamespace

# A state's handler, as passed to a prop. At runtime `@rx.event` gives an `EventHandler`; mypy reads the
# decorator (a class whose `__new__` returns the handler) as building an `EventNamespace`.
Handler: TypeAlias = "rx.EventHandler | EventNamespace"


def field(
    label_key: str,
    name: str,
    *,
    error: Var[str] | str = "",
    hint_key: str = "",
    type_: str = "text",
    autocomplete: str = "",
    default_value: Var[str] | str | None = None,
    required: bool = False,
    input_mode: str = "",
) -> rx.Component:
    """A labelled input; its error appears under it, in red, announced to screen readers.

    Args:
        label_key: i18n key of the label.
        name: Form field name, also the input's id.
        error: The field's error text ("" for none).
        hint_key: i18n key of a hint under the field.
        type_: Input type.
        autocomplete: Browser autocomplete token.
        default_value: Initial value.
        required: Whether the browser should require it.
        input_mode: Virtual keyboard hint (e.g. "numeric").

    Returns:
        The field.
    """
    props: dict = {
        "id": name,
        "name": name,
        "type": type_,
        "size": "3",
        "width": "100%",
        "required": required,
    }
    if autocomplete:
        props["auto_complete"] = autocomplete
    if default_value is not None:
        props["default_value"] = default_value
    if input_mode:
        props["input_mode"] = input_mode
    error_var = rx.Var.create(error).to(str)
    return rx.vstack(
        rx.el.label(T(label_key), html_for=name, class_name="plume-label"),
        rx.input(**props, aria_invalid=rx.cond(error_var != "", "true", "false"), aria_describedby=f"{name}-error"),
        rx.cond(hint_key != "", rx.text(T(hint_key) if hint_key else "", size="1", color_scheme="gray")),
        rx.cond(
            error_var != "",
            rx.text(error_var, id=f"{name}-error", role="alert", size="2", color_scheme="red", weight="medium"),
        ),
        spacing="1",
        width="100%",
        align="start",
    )


def form_message(text: Var[str], *, tone: str = "red") -> rx.Component:
    """A message above a form's button (form-level error or success).

    Args:
        text: The message ("" hides it).
        tone: "red" for errors, "green" for success.

    Returns:
        The callout.
    """
    return rx.cond(
        text != "",
        rx.callout(
            text,
            icon="circle_alert" if tone == "red" else "circle_check",
            color_scheme=tone,
            role="alert" if tone == "red" else "status",
            width="100%",
        ),
    )


def submit_button(label_key: str, *, loading: Var[bool] | bool = False, **props: object) -> rx.Component:
    """The form's main button, with a spinner while the server works.

    Args:
        label_key: i18n key of the label.
        loading: Whether the request is running.
        **props: More button props.

    Returns:
        The button.
    """
    # Disabled until the page's data is loaded, so a quick click never races the page load.
    return rx.button(
        T(label_key), type="submit", size="3", width="100%", loading=loading, disabled=~rx.State.is_hydrated, **props
    )


def labelled(
    label_key: str, control_id: str, control: rx.Component, *, error: Var[str] | str = "", hint_key: str = ""
) -> rx.Component:
    """Any control (select, date, text area…) under its label, with a hint and its error right below.

    Args:
        label_key: i18n key of the label.
        control_id: The control's id, which the label points to.
        control: The control.
        error: The field's error text ("" for none).
        hint_key: i18n key of a hint under the control.

    Returns:
        The field.
    """
    error_var = rx.Var.create(error).to(str)
    return rx.vstack(
        rx.el.label(T(label_key), html_for=control_id, class_name="plume-label"),
        control,
        *([rx.text(T(hint_key), size="1", color_scheme="gray")] if hint_key else []),
        rx.cond(error_var != "", rx.text(error_var, color_scheme="red", size="1", role="alert")),
        spacing="1",
        width="100%",
    )


def form_dialog(
    is_open: Var[bool],
    *body: rx.Component,
    title: rx.Component | Var[str],
    on_submit: Handler,
    on_close: Handler,
    submit: rx.Component,
    max_width: str = "36rem",
) -> rx.Component:
    """A dialog holding a form, mounted only while open (a closed Radix dialog would swallow clicks).

    Args:
        is_open: Whether it shows.
        *body: The fields.
        title: The dialog's title.
        on_submit: The form's handler.
        on_close: Cancel, Escape.
        submit: The submit button.
        max_width: Its width.

    Returns:
        The dialog.
    """
    return rx.cond(
        is_open,
        rx.dialog.root(
            rx.dialog.content(
                rx.form(
                    rx.vstack(
                        rx.dialog.title(title, margin="0"),
                        *body,
                        rx.hstack(
                            rx.button(
                                T("common.cancel"),
                                type="button",
                                variant="soft",
                                color_scheme="gray",
                                on_click=on_close,
                            ),
                            submit,
                            justify="end",
                            spacing="2",
                            width="100%",
                        ),
                        spacing="3",
                        width="100%",
                    ),
                    on_submit=on_submit,
                ),
                max_width=max_width,
                on_escape_key_down=on_close,
            ),
            open=True,
        ),
    )
