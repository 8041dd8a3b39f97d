"""Attendance UI: the signature pad and the trainer's live board."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import reflex as rx
from reflex.event import EventSpec
from reflex.vars.base import Var
from reflex.vars.object import ObjectVar

from components import styles, tables
from components.forms import secondary_button
from components.i18n import T, Tf
from state.attendance import AttendanceState, RosterRow, SlotPage

# Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy (its sequence
# overload swallows mappings): name the var types the fields really have.
_SHEET = cast("ObjectVar[SlotPage]", AttendanceState.view)
_SIGNED_AT = cast("ObjectVar[dict[str, str]]", AttendanceState.signed_at)

STATUS_COLORS = {"present": "green", "late": "amber", "absent": "red", "unsigned": "gray"}


def status_badge(status: Var[str]) -> rx.Component:
    """A person's attendance status as a coloured badge.

    Args:
        status: present, late, absent or unsigned.

    Returns:
        The badge.
    """
    signed = {name: colour for name, colour in STATUS_COLORS.items() if name != "unsigned"}
    unsigned = rx.badge(T("attendance.status.unsigned"), color_scheme=STATUS_COLORS["unsigned"])
    return tables.status_badge(status, "attendance.status", signed, fallback=unsigned)


def signature_pad(
    *,
    pad_id: str,
    on_submit: Any,
    error: Var[str],
    confirm_key: str = "attendance.confirm",
    extra: rx.Component | None = None,
    key: Var[Any] | str = "",
) -> rx.Component:
    """A form with a drawing area (finger, mouse or stylus), `Effacer` and `Confirmer`.

    The drawing and an idempotency key travel in hidden inputs filled by
    `assets/signature-pad.js`; the server validates and renders them.

    Args:
        pad_id: The canvas id (unique on the page).
        on_submit: Handler receiving strokes and key (and the extra fields).
        error: The error to show under the pad.
        confirm_key: i18n key of the confirm button.
        extra: More fields above the buttons (a reason).
        key: React key: a new value gives a fresh, empty pad.

    Returns:
        The form.
    """
    return rx.form(
        rx.vstack(
            rx.el.canvas(
                id=pad_id,
                role="img",
                aria_label=T("attendance.pad_label"),
                data_signature_pad="true",
                data_empty="true",
                style={
                    "width": "100%",
                    "aspect_ratio": "5 / 2",
                    "touch_action": "none",
                    "background": "white",
                    "border": f"2px dashed {rx.color('gray', 7)}",
                    "border_radius": "12px",
                    "cursor": "crosshair",
                    "display": "block",
                },
            ),
            rx.text(T("attendance.pad_hint"), size="1", color_scheme="gray"),
            rx.el.input(type="hidden", name="strokes", default_value=""),
            rx.el.input(type="hidden", name="key", default_value=""),
            extra if extra is not None else rx.fragment(),
            rx.cond(
                error != "",
                # `data-pad-error`: assets/signature-pad.js hides it as soon as the person draws.
                rx.text(
                    error,
                    role="alert",
                    size="2",
                    color_scheme="red",
                    weight="medium",
                    id=f"{pad_id}-error",
                    data_pad_error="true",
                ),
            ),
            rx.hstack(
                secondary_button(
                    rx.icon("eraser", size=16), T("attendance.clear"), size="3", data_signature_clear="true"
                ),
                rx.button(
                    rx.icon("pen_line", size=16),
                    T(confirm_key),
                    type="submit",
                    size="3",
                    flex="1",
                    disabled=~rx.State.is_hydrated,
                ),
                width="100%",
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
        key=key,
    )


def _status_word(status: Var[str]) -> Var[str]:
    return rx.match(
        status,
        ("present", T("attendance.status.present")),
        ("late", T("attendance.status.late")),
        ("absent", T("attendance.status.absent")),
        T("attendance.status.unsigned"),
    )


def _note(row: ObjectVar[RosterRow]) -> rx.Component:
    # What the one rule (`attendance.status`) says besides the status: current facts only; a mark that a
    # correction replaced is shown as what the sheet said before it.
    return rx.vstack(
        rx.cond(
            row.on_trainer_device.to(bool),
            rx.text(
                Tf("attendance.signed_on_trainer_device", name=row.signed_by.to(str), reason=row.reason.to(str)),
                size="1",
                color_scheme="gray",
            ),
        ),
        rx.cond(
            (row.mark.to(str) == "late") & (row.status.to(str) == "unsigned"),
            rx.text(T("attendance.late_announced"), size="1", color_scheme="amber", weight="medium"),
        ),
        rx.cond(
            row.mark_comment.to(str) != "",
            rx.text("« ", row.mark_comment.to(str), " »", size="1", color_scheme="gray"),
        ),
        rx.cond(
            row.correction.to(str) != "",
            rx.vstack(
                rx.badge(
                    rx.icon("history", size=12),
                    Tf("attendance.corrected", reason=row.correction_reason.to(str)),
                    color_scheme="orange",
                    variant="soft",
                    white_space="normal",
                ),
                rx.text(
                    Tf("attendance.corrected_by", name=row.corrected_by.to(str), at=row.corrected_at.to(str)),
                    size="1",
                    color_scheme="gray",
                ),
                rx.text(
                    Tf("attendance.before_correction", status=_status_word(row.previous.to(str))),
                    rx.cond(row.previous_comment.to(str) != "", " — « " + row.previous_comment.to(str) + " »", ""),
                    size="1",
                    color_scheme="gray",
                    data_testid="before-correction",
                ),
                spacing="1",
                align="start",
            ),
        ),
        spacing="1",
        align="start",
    )


def board_row(row: ObjectVar[RosterRow]) -> rx.Component:
    """One learner on the board, with the trainer's actions.

    Args:
        row: The learner's row.

    Returns:
        The row.
    """
    state = AttendanceState
    # mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__`
    # returns the callback): name the call it really is.
    open_dialog = cast("Callable[[str, Var[str]], EventSpec]", state.open_dialog)
    clear_mark = cast("Callable[[Var[str]], EventSpec]", state.clear_mark)
    uid = row.id.to(str)
    signed = _SIGNED_AT.contains(uid)  # in the "Émargés" column: attended, by the one rule
    status = row.status.to(str)
    # A signature that arrived live: what the one rule makes of it (present, or late after a late mark).
    shown = rx.cond(signed & ~row.attended.to(bool), row.status_if_signed.to(str), status)
    certified = _SHEET["certified"].to(bool)
    manages = _SHEET["manages"].to(bool)
    actions = rx.cond(
        manages,
        rx.cond(
            certified,
            rx.button(
                T("attendance.correct"),
                size="1",
                variant="soft",
                color_scheme="orange",
                on_click=open_dialog("correct", uid),
            ),
            rx.hstack(
                rx.cond(
                    ~signed,
                    rx.button(
                        rx.icon("pen_line", size=14),
                        T("attendance.sign_as"),
                        size="1",
                        on_click=open_dialog("sign_as", uid),
                        aria_label=Tf("attendance.sign_as_for", name=row.name.to(str)),
                    ),
                ),
                rx.menu.root(
                    rx.menu.trigger(
                        rx.icon_button(
                            rx.icon("ellipsis", size=14),
                            size="1",
                            variant="ghost",
                            aria_label=Tf("attendance.more_for", name=row.name.to(str)),
                        )
                    ),
                    rx.menu.content(
                        rx.cond(
                            ~signed, rx.menu.item(T("attendance.mark_absent"), on_click=open_dialog("absent", uid))
                        ),
                        rx.menu.item(T("attendance.mark_late"), on_click=open_dialog("late", uid)),
                        rx.cond(
                            row.mark.to(str) != "",
                            rx.menu.item(T("attendance.clear_mark"), on_click=clear_mark(uid)),
                        ),
                    ),
                    # Not modal: a modal menu that opens a dialog leaves the page unclickable once both close.
                    modal=False,
                ),
                spacing="2",
                align="center",
            ),
        ),
    )
    return rx.hstack(
        rx.vstack(
            rx.text(row.name.to(str), weight="medium", size="2"),
            _note(row),
            spacing="1",
            flex="1",
            min_width="0",
        ),
        rx.vstack(
            rx.hstack(
                status_badge(shown.to(str)),
                rx.cond(
                    row.correction.to(str) != "",
                    rx.text(T("attendance.correction_suffix"), size="1", color_scheme="orange"),
                ),
                rx.cond(
                    signed & (_SIGNED_AT[uid].to(str) != ""),
                    rx.text(_SIGNED_AT[uid].to(str), size="2", color_scheme="gray", data_testid="signed-time"),
                ),
                spacing="2",
                align="center",
            ),
            actions,
            spacing="1",
            align="end",
        ),
        width="100%",
        padding_y="0.5rem",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        align="start",
        data_testid="board-row",
        data_user=uid,
    )


def board_column(title_key: str, *, signed: bool, icon: str, tone: str, test_id: str) -> rx.Component:
    """One of the board's two lists (filtered from the roster in the browser), with its count.

    Args:
        title_key: i18n key of the heading (Non émargés / Émargés).
        signed: Which learners it lists.
        icon: Heading icon.
        tone: Accent colour.
        test_id: data-testid of the list.

    Returns:
        The column.
    """
    state = AttendanceState
    count = state.signed_count if signed else state.roster.length() - state.signed_count

    def maybe(row: ObjectVar[RosterRow]) -> rx.Component:
        here = _SIGNED_AT.contains(row.id.to(str))
        return rx.cond(here if signed else ~here, board_row(row))

    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.icon(icon, size=18, color=rx.color(tone, 9)),
                rx.heading(T(title_key), size="4", as_="h2"),
                rx.badge(count.to_string(), color_scheme=tone, size="2", data_testid=f"{test_id}-count"),
                align="center",
                spacing="2",
            ),
            rx.cond(
                count > 0,
                rx.vstack(rx.foreach(state.roster, maybe), spacing="0", width="100%"),
                rx.text(T(f"{title_key}_empty"), size="2", color_scheme="gray", padding_y="0.75rem"),
            ),
            spacing="3",
            width="100%",
            data_testid=test_id,
        ),
        flex="1",
        min_width=["100%", "100%", "0"],
        box_shadow=styles.CARD_SHADOW,
    )
