"""A slot's attendance page (`/emargement/<slot>`): sign on a phone, run the live board on the trainer's screen."""

from __future__ import annotations

from typing import cast

import reflex as rx
from reflex.vars.object import ObjectVar
from reflex_components_core.react_router.dom import ReactRouterLink

from components import styles
from components.attendance import board_column, signature_pad, status_badge
from components.forms import Handler
from components.i18n import T, Tf, Tn
from components.layout import dialog_frame, gated_page
from components.timeline import kind_icon, kind_label
from state.attendance import AttendanceState, RosterRow, SlotPage

# Reflex 0.10's `Field.__get__` stubs resolve a dict field to `ArrayVar[Never]` under mypy (its sequence
# overload swallows mappings): name the var type the field really has.
_SHEET = cast("ObjectVar[SlotPage]", AttendanceState.view)


def _window_badge() -> rx.Component:
    return rx.cond(
        _SHEET["certified"].to(bool),
        rx.badge(rx.icon("lock", size=12), T("attendance.certified_badge"), color_scheme="green", size="2"),
        rx.match(
            _SHEET["window_state"].to(str),
            (
                "open",
                rx.badge(
                    rx.icon("circle_dot", size=12),
                    Tf("attendance.open_until", time=_SHEET["closes_at"].to(str)),
                    color_scheme="green",
                    size="2",
                ),
            ),
            (
                "before",
                rx.badge(
                    rx.icon("clock", size=12),
                    Tf("attendance.opens_at", time=_SHEET["opens_at"].to(str)),
                    color_scheme="amber",
                    size="2",
                ),
            ),
            rx.badge(rx.icon("circle_slash", size=12), T("attendance.closed"), color_scheme="gray", size="2"),
        ),
    )


def _header() -> rx.Component:
    return rx.vstack(
        rx.link(
            rx.hstack(
                rx.icon("arrow_left", size=14), rx.text(_SHEET["session_title"].to(str)), align="center", spacing="1"
            ),
            href=_SHEET["session_path"].to(str),
            size="2",
        ),
        rx.hstack(
            rx.center(
                kind_icon(_SHEET["kind"].to(str)),
                color=rx.color(styles.ACCENT, 11),
                background=rx.color(styles.ACCENT, 3),
                border_radius="0.5rem",
                width="2.75rem",
                height="2.75rem",
                flex_shrink="0",
            ),
            rx.vstack(
                rx.heading(_SHEET["activity_title"].to(str), size="6", as_="h1"),
                rx.hstack(
                    rx.text(kind_label(_SHEET["kind"].to(str)), size="2", color_scheme="gray"),
                    rx.text("·", color_scheme="gray"),
                    rx.text(_SHEET["when"].to(str), size="2"),
                    rx.cond(_SHEET["room"].to(str) != "", rx.text("· ", _SHEET["room"].to(str), size="2")),
                    spacing="1",
                    wrap="wrap",
                ),
                spacing="1",
            ),
            align="center",
            spacing="3",
        ),
        _window_badge(),
        spacing="2",
        width="100%",
    )


def _start_button() -> rx.Component:
    return rx.cond(
        AttendanceState.meeting_link != "",
        rx.link(
            rx.button(rx.icon("video", size=18), T("attendance.start"), size="4", width="100%", color_scheme="green"),
            href=AttendanceState.meeting_link,
            is_external=True,
            width="100%",
            data_testid="start-link",
        ),
    )


def _not_signable() -> rx.Component:
    return rx.callout(
        rx.cond(
            _SHEET["certified"].to(bool),
            T("attendance.locked"),
            rx.match(
                _SHEET["window_state"].to(str),
                ("before", Tf("attendance.not_open_yet", time=_SHEET["opens_at"].to(str))),
                T("attendance.window_closed"),
            ),
        ),
        icon="info",
        color_scheme="gray",
        width="100%",
    )


def _signature_card(content: rx.Component) -> rx.Component:
    """The card of the person's own line of the sheet (full under the pad, compact above the board)."""
    return rx.card(content, width="100%", box_shadow=styles.CARD_SHADOW, id="my-signature")


def _my_signature_image(**size: str) -> rx.Component:
    return rx.cond(
        AttendanceState.my_signature != "",
        rx.image(
            src=AttendanceState.my_signature,
            alt=T("attendance.my_signature"),
            border=f"1px solid {rx.color('gray', 5)}",
            background="white",
            **size,
        ),
    )


def _sign_or_why(pad: rx.Component) -> rx.Component:
    """The way to sign while one may, else why one may not."""
    return rx.cond(_SHEET["can_sign"].to(bool), pad, _not_signable())


def _my_signature() -> rx.Component:
    return _signature_card(
        rx.vstack(
            rx.hstack(
                rx.heading(T("attendance.my_signature"), size="4", as_="h2"),
                rx.spacer(),
                rx.cond(_SHEET["my_status"].to(str) != "", status_badge(_SHEET["my_status"].to(str))),
                width="100%",
                align="center",
            ),
            rx.cond(
                _SHEET["signed"].to(bool),
                rx.vstack(
                    rx.callout(
                        Tf("attendance.signed_at", time=_SHEET["signed_at"].to(str)),
                        icon="circle_check",
                        color_scheme="green",
                        width="100%",
                        data_testid="signed-callout",
                    ),
                    _my_signature_image(width="100%", max_width="22rem", border_radius="8px"),
                    rx.cond(
                        _SHEET["signed_on_trainer_device"].to(bool),
                        rx.text(T("attendance.signed_here_by_trainer"), size="1", color_scheme="gray"),
                    ),
                    _start_button(),
                    spacing="3",
                    width="100%",
                ),
                rx.vstack(
                    rx.cond(
                        _SHEET["my_status"].to(str) == "absent",
                        rx.callout(
                            T("attendance.marked_absent"), icon="circle_alert", color_scheme="red", width="100%"
                        ),
                    ),
                    rx.cond(
                        _SHEET["kind"].to(str) == "virtual_class",
                        rx.callout(T("activity.virtual_gate"), icon="lock", color_scheme="indigo", width="100%"),
                    ),
                    _sign_or_why(
                        rx.vstack(
                            rx.text(T("attendance.sign_intro"), size="2"),
                            signature_pad(
                                pad_id="my-pad",
                                on_submit=AttendanceState.confirm_signature,
                                error=AttendanceState.sign_error,
                            ),
                            width="100%",
                            spacing="2",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
    )


def _my_pad_dialog() -> rx.Component:
    """The trainer's own pad, in a dialog: the board stays in view until they choose to sign."""
    return rx.dialog.root(
        rx.dialog.trigger(
            rx.button(rx.icon("pen_line", size=16), T("attendance.sign_now"), data_testid="sign-now"),
        ),
        rx.dialog.content(
            rx.vstack(
                rx.dialog.title(T("attendance.my_signature"), margin="0"),
                rx.text(T("attendance.sign_intro"), size="2", color_scheme="gray"),
                signature_pad(
                    pad_id="my-pad", on_submit=AttendanceState.confirm_signature, error=AttendanceState.sign_error
                ),
                rx.dialog.close(
                    rx.button(T("common.cancel"), variant="soft", color_scheme="gray", width="100%"),
                ),
                spacing="3",
                width="100%",
            ),
            max_width="40rem",
        ),
    )


def _my_signature_compact() -> rx.Component:
    """The trainer's own line of the sheet, one row high above the board (point of view: the board comes first)."""
    return _signature_card(
        rx.hstack(
            rx.heading(T("attendance.my_signature"), size="3", as_="h2"),
            rx.cond(_SHEET["signed"].to(bool), status_badge(_SHEET["my_status"].to(str))),
            rx.cond(
                _SHEET["signed"].to(bool),
                rx.hstack(
                    rx.text(
                        Tf("attendance.my_signature_signed", time=_SHEET["signed_at"].to(str)),
                        size="2",
                        data_testid="signed-callout",
                    ),
                    _my_signature_image(height="2.5rem", width="auto", border_radius="6px"),
                    _start_button(),
                    spacing="3",
                    align="center",
                    wrap="wrap",
                ),
                _sign_or_why(
                    rx.hstack(
                        rx.text(
                            rx.cond(
                                _SHEET["signer_role"].to(str) == "trainer",
                                T("attendance.sign_before_certify"),
                                T("attendance.not_signed_yet"),
                            ),
                            size="2",
                            color_scheme="gray",
                        ),
                        _my_pad_dialog(),
                        _start_button(),  # the tutor leading her class starts it before signing (`join.hosts`)
                        spacing="3",
                        align="center",
                        wrap="wrap",
                    ),
                ),
            ),
            spacing="3",
            align="center",
            wrap="wrap",
            width="100%",
        ),
    )


def _certify_button() -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(rx.icon("badge_check", size=16), T("attendance.certify"), color_scheme="green")
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(T("attendance.certify_title")),
            rx.alert_dialog.description(
                Tn(
                    "attendance.certify_body",
                    AttendanceState.roster.length() - AttendanceState.signed_count,
                    unsigned=(AttendanceState.roster.length() - AttendanceState.signed_count).to_string(),
                ),
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(T("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(T("attendance.certify"), color_scheme="green", on_click=AttendanceState.certify)
                ),
                spacing="3",
                justify="end",
                margin_top="1rem",
            ),
        ),
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.cond(
            _SHEET["manages"].to(bool) & ~_SHEET["certified"].to(bool),
            rx.button(
                rx.icon("qr_code", size=16), T("attendance.show_qr"), variant="soft", on_click=AttendanceState.show_qr
            ),
        ),
        rx.cond(_SHEET["can_certify"].to(bool), _certify_button()),
        rx.cond(
            _SHEET["manages"].to(bool),
            ReactRouterLink.create(
                rx.button(rx.icon("file_down", size=16), T("attendance.download_pdf"), variant="outline"),
                to=_SHEET["pdf_url"].to(str),
                reload_document=True,
                data_testid="sheet-pdf",
            ),
        ),
        spacing="2",
        wrap="wrap",
    )


def _trainer(row: ObjectVar[RosterRow]) -> rx.Component:
    return rx.hstack(
        rx.text(row.name.to(str), size="2"),
        status_badge(row.status.to(str)),
        rx.cond(row.signed.to(bool), rx.text(row.signed_at.to(str), size="1", color_scheme="gray")),
        spacing="1",
        align="center",
    )


def _trainers() -> rx.Component:
    return rx.cond(
        AttendanceState.trainer_rows.length() > 0,
        rx.hstack(
            rx.text(
                rx.cond(_SHEET.led_by_creator, T("attendance.led_by"), T("attendance.trainers")),
                size="2",
                weight="bold",
            ),
            rx.foreach(AttendanceState.trainer_rows, _trainer),
            spacing="3",
            wrap="wrap",
            align="center",
        ),
    )


def _board() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading(T("attendance.board"), size="5", as_="h2"),
            rx.spacer(),
            _toolbar(),
            width="100%",
            align="center",
            wrap="wrap",
            spacing="3",
        ),
        rx.cond(
            AttendanceState.board_error != "",
            rx.callout(
                AttendanceState.board_error, icon="circle_alert", color_scheme="red", role="alert", width="100%"
            ),
        ),
        rx.cond(
            _SHEET["certified"].to(bool),
            rx.callout(
                Tf("attendance.certified_line", at=_SHEET["certified_at"].to(str), name=_SHEET["certified_by"].to(str)),
                icon="badge_check",
                color_scheme="green",
                width="100%",
            ),
            # (A trainer who has not signed is told to sign before certifying in their own line, below.)
            rx.fragment(),
        ),
        rx.cond(_SHEET["signer_role"].to(str) != "", _my_signature_compact()),
        _trainers(),
        rx.flex(
            board_column("attendance.unsigned", signed=False, icon="user_x", tone="gray", test_id="unsigned-list"),
            board_column("attendance.signed", signed=True, icon="user_check", tone="green", test_id="signed-list"),
            direction=rx.breakpoints(initial="column", md="row"),
            spacing="4",
            width="100%",
            align="start",
        ),
        spacing="3",
        width="100%",
    )


def _note(label_key: str, input_id: str, name: str, placeholder_key: str = "") -> tuple[rx.Component, rx.Component]:
    """A dialog's free-text line (reason, comment) under its label."""
    placeholder = {"placeholder": T(placeholder_key)} if placeholder_key else {}
    return (
        rx.el.label(T(label_key), html_for=input_id, font_weight="500"),
        rx.input(id=input_id, name=name, size="3", width="100%", max_length=300, **placeholder),
    )


def _dialog_form(on_submit: Handler, submit_key: str, *fields: rx.Component) -> rx.Component:
    """A dialog's form: its fields, the dialog's error, then its button."""
    return rx.form(
        rx.vstack(
            *fields,
            rx.cond(
                AttendanceState.dialog_error != "",
                rx.text(AttendanceState.dialog_error, role="alert", color_scheme="red", size="2"),
            ),
            rx.button(T(submit_key), type="submit", size="3", width="100%"),
            spacing="3",
            width="100%",
        ),
        on_submit=on_submit,
        key=AttendanceState.pad_key,
    )


def _dialogs() -> rx.Component:
    name = AttendanceState.dialog_name
    return dialog_frame(
        None,
        rx.vstack(
            rx.dialog.title(
                rx.match(
                    AttendanceState.dialog,
                    ("sign_as", Tf("attendance.sign_as_title", name=name)),
                    ("absent", Tf("attendance.absent_title", name=name)),
                    ("late", Tf("attendance.late_title", name=name)),
                    Tf("attendance.correct_title", name=name),
                ),
                margin="0",
            ),
            rx.match(
                AttendanceState.dialog,
                (
                    "sign_as",
                    rx.vstack(
                        rx.text(Tf("attendance.sign_as_intro", name=name), size="2", color_scheme="gray"),
                        signature_pad(
                            pad_id="sign-as-pad",
                            on_submit=AttendanceState.confirm_sign_as,
                            error=AttendanceState.dialog_error,
                            key=AttendanceState.pad_key,
                            extra=rx.vstack(
                                *_note("attendance.reason", "sign-as-reason", "reason", "attendance.reason_hint"),
                                spacing="1",
                                width="100%",
                            ),
                        ),
                        width="100%",
                    ),
                ),
                (
                    "correct",
                    _dialog_form(
                        AttendanceState.save_correction,
                        "attendance.save_correction",
                        rx.text(T("attendance.correct_intro"), size="2", color_scheme="gray"),
                        rx.radio_group.root(
                            rx.hstack(
                                rx.radio_group.item(value="present", id="corr-present"),
                                rx.el.label(T("attendance.status.present"), html_for="corr-present"),
                                rx.radio_group.item(value="late", id="corr-late"),
                                rx.el.label(T("attendance.status.late"), html_for="corr-late"),
                                rx.radio_group.item(value="absent", id="corr-absent"),
                                rx.el.label(T("attendance.status.absent"), html_for="corr-absent"),
                                spacing="2",
                                align="center",
                            ),
                            name="status",
                            default_value="absent",
                        ),
                        *_note("attendance.reason", "correct-reason", "reason"),
                    ),
                ),
                _dialog_form(
                    AttendanceState.save_mark,
                    "attendance.save_mark",
                    *_note("attendance.comment", "mark-comment", "comment", "attendance.comment_hint"),
                ),
            ),
            rx.button(
                T("common.cancel"),
                variant="soft",
                color_scheme="gray",
                on_click=AttendanceState.close_dialog,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_close=AttendanceState.close_dialog,
    )


def _qr_dialog() -> rx.Component:
    return dialog_frame(
        None,
        rx.vstack(
            rx.dialog.title(_SHEET["activity_title"].to(str), margin="0"),
            rx.text(T("attendance.qr_intro"), size="3"),
            rx.cond(
                AttendanceState.qr_image != "",
                rx.image(
                    src=AttendanceState.qr_image,
                    alt=T("attendance.qr_alt"),
                    width="100%",
                    max_width="28rem",
                    data_testid="qr-image",
                    data_url=AttendanceState.qr_url,
                ),
            ),
            rx.text(T("attendance.qr_rotates"), size="2", color_scheme="gray"),
            rx.button(
                T("common.close"),
                on_click=AttendanceState.hide_qr,
                variant="soft",
                color_scheme="gray",
                width="100%",
            ),
            align="center",
            spacing="3",
            width="100%",
        ),
        on_close=AttendanceState.hide_qr,
        max_width="34rem",
    )


def _body() -> rx.Component:
    return rx.vstack(
        _header(),
        # The board comes first for those who run it (their own signature is a compact line in it);
        # everyone else came to sign, and gets the full pad.
        rx.cond(
            _SHEET["sees_board"].to(bool),
            _board(),
            rx.cond(_SHEET["signer_role"].to(str) != "", _my_signature()),
        ),
        # Mounted only while open: a closing Radix dialog can linger over the page and swallow clicks.
        rx.cond(AttendanceState.dialog != "", _dialogs()),
        rx.cond(AttendanceState.qr_open, _qr_dialog()),
        spacing="5",
        width="100%",
        max_width=rx.cond(_SHEET["sees_board"].to(bool), "100%", "40rem"),
        margin_x="auto",
    )


def attendance_page() -> rx.Component:
    """The attendance page of one slot.

    Returns:
        The page.
    """
    return gated_page(AttendanceState.loading, AttendanceState.found, _body())
