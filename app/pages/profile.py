"""The profile page."""

from __future__ import annotations

from typing import Any

import reflex as rx

from components import styles
from components.forms import Handler, field, form_message
from components.i18n import T, Tf
from components.layout import language_switch, shell
from state.auth import field_errors_of
from state.profile import ProfileState


def _panel(title_key: str, *children: rx.Component, section: str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading(T(title_key), size="4", as_="h2"),
            *children,
            rx.cond(
                ProfileState.section == section,
                rx.vstack(
                    form_message(ProfileState.error),
                    form_message(ProfileState.notice, tone="green"),
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
        box_shadow=styles.CARD_SHADOW,
        id=f"profile-{section}",
    )


def _err(name: str) -> rx.Var:
    return field_errors_of(ProfileState).get(name, "").to(str)


def _form(on_submit: Handler, *children: rx.Component, **props: Any) -> rx.Component:
    """A panel's form: its fields and its button, stacked to the left."""
    return rx.form(
        rx.vstack(*children, spacing="3", width="100%", align="start"), on_submit=on_submit, width="100%", **props
    )


def _submit(label_key: str, **props: Any) -> rx.Component:
    return rx.button(T(label_key), type="submit", **props)


def _code_field(label_key: str, name: str) -> rx.Component:
    return field(label_key, name, input_mode="numeric", autocomplete="one-time-code", error=_err(name))


def _password_field(
    label_key: str,
    name: str,
    *,
    error_name: str = "",
    hint_key: str = "",
    autocomplete: str = "current-password",
) -> rx.Component:
    return field(
        label_key,
        name,
        type_="password",
        error=_err(error_name or name),
        hint_key=hint_key,
        autocomplete=autocomplete,
    )


def profile_page() -> rx.Component:
    """The profile page.

    Returns:
        The page.
    """
    return shell(
        rx.grid(
            _panel(
                "profile.identity",
                _form(
                    ProfileState.save_names,
                    rx.grid(
                        field(
                            "profile.first_name",
                            "first_name",
                            default_value=ProfileState.first_name,
                            error=_err("first_name"),
                            autocomplete="given-name",
                        ),
                        field(
                            "profile.last_name",
                            "last_name",
                            default_value=ProfileState.last_name,
                            error=_err("last_name"),
                            autocomplete="family-name",
                        ),
                        columns=rx.breakpoints(initial="1", sm="2"),
                        spacing="3",
                        width="100%",
                    ),
                    field(
                        "profile.pseudonym",
                        "pseudonym",
                        default_value=ProfileState.pseudonym,
                        error=_err("pseudonym"),
                    ),
                    _submit("common.save", loading=ProfileState.busy),
                    key=ProfileState.email + ProfileState.form_key.to_string(),
                ),
                section="names",
            ),
            _panel(
                "profile.language_section",
                language_switch(),
                section="language",
            ),
            _panel(
                "profile.phone",
                rx.text(Tf("profile.current_phone", phone=ProfileState.phone), size="2", id="current-phone"),
                rx.cond(
                    ProfileState.pending_phone != "",
                    _form(
                        ProfileState.confirm_phone_change,
                        _code_field("profile.phone_code", "phone_code"),
                        _submit("profile.confirm_phone", loading=ProfileState.busy),
                        reset_on_submit=True,
                    ),
                    _form(
                        ProfileState.request_phone_change,
                        field(
                            "profile.new_phone",
                            "new_phone",
                            type_="tel",
                            autocomplete="tel",
                            hint_key="signup.phone_hint",
                            error=_err("new_phone"),
                        ),
                        _submit("profile.send_phone_code", loading=ProfileState.busy),
                    ),
                ),
                section="phone",
            ),
            _panel(
                "profile.email_section",
                rx.text(Tf("profile.current_email", email=ProfileState.email), size="2", id="current-email"),
                _form(
                    ProfileState.change_email,
                    field(
                        "profile.new_email",
                        "new_email",
                        type_="email",
                        error=_err("new_email"),
                        autocomplete="email",
                    ),
                    rx.text(T("profile.reauth_hint"), size="1", color_scheme="gray"),
                    _password_field("profile.email_password", "email_password"),
                    rx.cond(ProfileState.totp_enabled, _code_field("profile.email_code", "email_code")),
                    _submit("profile.change_email", loading=ProfileState.busy),
                    reset_on_submit=True,
                ),
                section="email",
            ),
            _panel(
                "profile.password_section",
                _form(
                    ProfileState.change_password,
                    _password_field("profile.current_password", "current"),
                    _password_field(
                        "profile.new_password",
                        "new",
                        error_name="password",
                        hint_key="signup.password_hint",
                        autocomplete="new-password",
                    ),
                    _password_field("profile.confirm_password", "confirm", autocomplete="new-password"),
                    _submit("profile.change_password", loading=ProfileState.busy),
                    key=ProfileState.form_key.to_string(),
                ),
                section="password",
            ),
            _panel(
                "profile.totp_section",
                rx.cond(
                    ProfileState.totp_enabled,
                    rx.vstack(
                        rx.callout(T("profile.totp_on"), icon="shield_check", color_scheme="green"),
                        _form(
                            ProfileState.disable_totp,
                            _password_field("profile.totp_password", "totp_password"),
                            _code_field("profile.totp_off_code", "totp_off_code"),
                            _submit("profile.totp_disable", color_scheme="red", variant="soft"),
                            reset_on_submit=True,
                        ),
                        width="100%",
                    ),
                    rx.cond(
                        ProfileState.totp_qr != "",
                        rx.vstack(
                            rx.text(T("profile.totp_scan"), size="2"),
                            rx.image(src=ProfileState.totp_qr, width="200px", height="200px", alt="QR code TOTP"),
                            rx.code(
                                Tf("profile.totp_secret", secret=ProfileState.totp_secret), size="1", id="totp-secret"
                            ),
                            _form(
                                ProfileState.confirm_totp,
                                _code_field("profile.totp_code", "totp_code"),
                                _submit("profile.totp_confirm"),
                                reset_on_submit=True,
                            ),
                            width="100%",
                        ),
                        _form(
                            ProfileState.start_totp,
                            rx.text(T("profile.totp_off"), size="2", color_scheme="gray"),
                            _password_field(
                                "profile.totp_start_password", "totp_start_password", hint_key="profile.totp_start_hint"
                            ),
                            _submit("profile.totp_start", variant="soft", loading=ProfileState.busy),
                            reset_on_submit=True,
                        ),
                    ),
                ),
                section="totp",
            ),
            _panel(
                "profile.calendar_section",
                rx.text(T("profile.feed_intro"), size="2"),
                rx.cond(
                    ProfileState.feed_url != "",
                    rx.vstack(
                        rx.hstack(
                            rx.input(
                                value=ProfileState.feed_url,
                                read_only=True,
                                width="100%",
                                id="feed-url",
                                aria_label=T("profile.feed_url"),
                                on_focus=rx.call_script("document.getElementById('feed-url').select()"),
                            ),
                            rx.button(
                                rx.icon("copy", size=16),
                                T("profile.feed_copy"),
                                variant="soft",
                                on_click=[
                                    rx.set_clipboard(ProfileState.feed_url),
                                    rx.toast.success(T("profile.feed_copied")),
                                ],
                            ),
                            width="100%",
                            align="center",
                        ),
                        rx.text(
                            Tf("profile.feed_created_at", at=ProfileState.feed_created), size="1", color_scheme="gray"
                        ),
                        rx.callout(T("profile.feed_private"), icon="lock", color_scheme="amber", size="1"),
                        rx.hstack(
                            rx.button(
                                rx.icon("refresh_cw", size=16),
                                T("profile.feed_renew"),
                                variant="soft",
                                on_click=ProfileState.renew_feed,
                                loading=ProfileState.busy,
                                id="feed-renew",
                            ),
                            rx.button(
                                T("profile.feed_stop"),
                                variant="soft",
                                color_scheme="red",
                                on_click=ProfileState.stop_feed,
                                loading=ProfileState.busy,
                                id="feed-stop",
                            ),
                            wrap="wrap",
                        ),
                        rx.text(T("profile.feed_renew_hint"), size="1", color_scheme="gray"),
                        spacing="3",
                        width="100%",
                    ),
                    rx.button(
                        rx.icon("calendar_plus", size=16),
                        T("profile.feed_create"),
                        on_click=ProfileState.renew_feed,
                        loading=ProfileState.busy,
                        id="feed-create",
                    ),
                ),
                section="calendar",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        title_key="profile.title",
    )
