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
    suggestions: str = "",
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
        suggestions: The id of a `datalist` whose values the browser suggests (any other text stays allowed).

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
    if suggestions:
        props["custom_attrs"] = {"list": suggestions}
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


def message_text(text: Var[str], *, tone: str = "red", **props: object) -> rx.Component:
    """A line of text saying what went wrong ("red", announced at once) or what was done ("green").

    Args:
        text: The message ("" hides it).
        tone: "red" for errors, "green" for success.
        **props: More text props (`size`, `weight`, `white_space`, an id…).

    Returns:
        The line.
    """
    return rx.cond(
        text != "",
        rx.text(text, **{"role": "alert" if tone == "red" else "status", "color_scheme": tone, "size": "2", **props}),
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


def secondary_button(*children: rx.Component | Var[str], **props: object) -> rx.Component:
    """A soft grey button for the lesser choice (cancel, clear, keep…); it never submits a form.

    Args:
        *children: Its icon and words.
        **props: More button props (`on_click`, `size`…).

    Returns:
        The button.
    """
    return rx.button(*children, type="button", variant="soft", color_scheme="gray", **props)


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


def select_field(
    label_key: str, select_id: str, *options: rx.Component, min_width: str = "", **props: object
) -> rx.Component:
    """A native select under its label, as wide as its options unless `min_width` says more.

    Args:
        label_key: i18n key of the label.
        select_id: The select's id, which the label points to.
        *options: Its `rx.el.option`s.
        min_width: The field's least width ("" for none).
        **props: More select props (`name`, `value` and `on_change`, `default_value`…).

    Returns:
        The field.
    """
    return rx.vstack(
        rx.el.label(T(label_key), html_for=select_id, class_name="plume-label"),
        rx.el.select(*options, id=select_id, class_name="plume-select", **props),
        spacing="1",
        **({"min_width": min_width} if min_width else {}),
    )


def drop_zone(upload_id: str, drop_key: str, limits_key: str, *, icon: str = "upload", **props: object) -> rx.Component:
    """A dashed zone to drop files on (or click to choose them), saying what it takes.

    Args:
        upload_id: The upload's id (the `input[type=file]` lives inside `#<id>`).
        drop_key: i18n key of what to drop there.
        limits_key: i18n key of the files it takes (types, size).
        icon: The icon above the words.
        **props: More `rx.upload.root` props (`multiple`, `accept`, `on_drop`, its width or padding…).

    Returns:
        The zone.
    """
    return rx.upload.root(
        rx.vstack(
            rx.icon(icon, size=20, color=rx.color("gray", 10)),
            rx.text(T(drop_key), size="2", text_align="center"),
            rx.text(T(limits_key), size="1", color_scheme="gray", text_align="center"),
            align="center",
            spacing="1",
        ),
        **{
            "id": upload_id,
            "border": f"2px dashed {rx.color('gray', 6)}",
            "border_radius": "0.5rem",
            "padding": "1rem",
            "cursor": "pointer",
            **props,
        },
    )


def chosen_files(upload_id: str) -> rx.Component:
    """The names of the files chosen in a drop zone, before they are sent.

    Args:
        upload_id: The drop zone's upload id.

    Returns:
        The line (nothing while no file is chosen).
    """
    return rx.cond(
        rx.selected_files(upload_id).length() > 0,
        rx.hstack(
            rx.text(T("documents.selected"), size="1", weight="bold"),
            rx.foreach(rx.selected_files(upload_id), lambda f: rx.badge(f, variant="soft")),
            wrap="wrap",
            spacing="1",
        ),
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
                            secondary_button(T("common.cancel"), on_click=on_close),
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
