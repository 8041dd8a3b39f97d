"""The profile page."""

from __future__ import annotations

import reflex as rx

from components import styles
from components.forms import field, form_message
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


def profile_page() -> rx.Component:
    """The profile page.

    Returns:
        The page.
    """
    return shell(
        rx.grid(
            _panel(
                "profile.identity",
                rx.form(
                    rx.vstack(
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
                        rx.button(T("common.save"), type="submit", loading=ProfileState.busy),
                        spacing="3",
                        width="100%",
                        align="start",
                    ),
                    on_submit=ProfileState.save_names,
                    key=ProfileState.email + ProfileState.form_key.to_string(),
                    width="100%",
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
                    rx.form(
                        rx.vstack(
                            field(
                                "profile.phone_code",
                                "phone_code",
                                input_mode="numeric",
                                autocomplete="one-time-code",
                                error=_err("phone_code"),
                            ),
                            rx.button(T("profile.confirm_phone"), type="submit", loading=ProfileState.busy),
                            spacing="3",
                            width="100%",
                            align="start",
                        ),
                        on_submit=ProfileState.confirm_phone_change,
                        reset_on_submit=True,
                        width="100%",
                    ),
                    rx.form(
                        rx.vstack(
                            field(
                                "profile.new_phone",
                                "new_phone",
                                type_="tel",
                                autocomplete="tel",
                                hint_key="signup.phone_hint",
                                error=_err("new_phone"),
                            ),
                            rx.button(T("profile.send_phone_code"), type="submit", loading=ProfileState.busy),
                            spacing="3",
                            width="100%",
                            align="start",
                        ),
                        on_submit=ProfileState.request_phone_change,
                        width="100%",
                    ),
                ),
                section="phone",
            ),
            _panel(
                "profile.email_section",
                rx.text(Tf("profile.current_email", email=ProfileState.email), size="2", id="current-email"),
                rx.form(
                    rx.vstack(
                        field(
                            "profile.new_email",
                            "new_email",
                            type_="email",
                            error=_err("new_email"),
                            autocomplete="email",
                        ),
                        rx.text(T("profile.reauth_hint"), size="1", color_scheme="gray"),
                        field(
                            "profile.email_password",
                            "email_password",
                            type_="password",
                            error=_err("email_password"),
                            autocomplete="current-password",
                        ),
                        rx.cond(
                            ProfileState.totp_enabled,
                            field(
                                "profile.email_code",
                                "email_code",
                                input_mode="numeric",
                                autocomplete="one-time-code",
                                error=_err("email_code"),
                            ),
                        ),
                        rx.button(T("profile.change_email"), type="submit", loading=ProfileState.busy),
                        spacing="3",
                        width="100%",
                        align="start",
                    ),
                    on_submit=ProfileState.change_email,
                    reset_on_submit=True,
                    width="100%",
                ),
                section="email",
            ),
            _panel(
                "profile.password_section",
                rx.form(
                    rx.vstack(
                        field(
                            "profile.current_password",
                            "current",
                            type_="password",
                            error=_err("current"),
                            autocomplete="current-password",
                        ),
                        field(
                            "profile.new_password",
                            "new",
                            type_="password",
                            error=_err("password"),
                            hint_key="signup.password_hint",
                            autocomplete="new-password",
                        ),
                        field(
                            "profile.confirm_password",
                            "confirm",
                            type_="password",
                            error=_err("confirm"),
                            autocomplete="new-password",
                        ),
                        rx.button(T("profile.change_password"), type="submit", loading=ProfileState.busy),
                        spacing="3",
                        width="100%",
                        align="start",
                    ),
                    on_submit=ProfileState.change_password,
                    key=ProfileState.form_key.to_string(),
                    width="100%",
                ),
                section="password",
            ),
            _panel(
                "profile.totp_section",
                rx.cond(
                    ProfileState.totp_enabled,
                    rx.vstack(
                        rx.callout(T("profile.totp_on"), icon="shield_check", color_scheme="green"),
                        rx.form(
                            rx.vstack(
                                field(
                                    "profile.totp_password",
                                    "totp_password",
                                    type_="password",
                                    error=_err("totp_password"),
                                    autocomplete="current-password",
                                ),
                                field(
                                    "profile.totp_off_code",
                                    "totp_off_code",
                                    input_mode="numeric",
                                    autocomplete="one-time-code",
                                    error=_err("totp_off_code"),
                                ),
                                rx.button(T("profile.totp_disable"), type="submit", color_scheme="red", variant="soft"),
                                spacing="3",
                                align="start",
                                width="100%",
                            ),
                            on_submit=ProfileState.disable_totp,
                            reset_on_submit=True,
                            width="100%",
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
                            rx.form(
                                rx.vstack(
                                    field(
                                        "profile.totp_code",
                                        "totp_code",
                                        input_mode="numeric",
                                        autocomplete="one-time-code",
                                        error=_err("totp_code"),
                                    ),
                                    rx.button(T("profile.totp_confirm"), type="submit"),
                                    spacing="3",
                                    align="start",
                                    width="100%",
                                ),
                                on_submit=ProfileState.confirm_totp,
                                reset_on_submit=True,
                                width="100%",
                            ),
                            width="100%",
                        ),
                        rx.form(
                            rx.vstack(
                                rx.text(T("profile.totp_off"), size="2", color_scheme="gray"),
                                field(
                                    "profile.totp_start_password",
                                    "totp_start_password",
                                    type_="password",
                                    hint_key="profile.totp_start_hint",
                                    error=_err("totp_start_password"),
                                    autocomplete="current-password",
                                ),
                                rx.button(
                                    T("profile.totp_start"), type="submit", variant="soft", loading=ProfileState.busy
                                ),
                                spacing="3",
                                align="start",
                                width="100%",
                            ),
                            on_submit=ProfileState.start_totp,
                            reset_on_submit=True,
                            width="100%",
                        ),
                    ),
                ),
                section="totp",
            ),
            columns=rx.breakpoints(initial="1", md="2"),
            spacing="4",
            width="100%",
        ),
        title_key="profile.title",
    )
