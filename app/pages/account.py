"""Account pages: sign-in, sign-up, activation, second factor, reset, e-mail confirmation, invitation."""

from __future__ import annotations

import reflex as rx
from reflex.event import EventType
from reflex.vars.base import Var

from app import routes
from components.forms import field, form_message, submit_button
from components.i18n import T, Tf
from components.layout import auth_card
from state.auth import (
    ActivationState,
    ConfirmEmailState,
    ForgotState,
    FormState,
    InvitationState,
    ResetState,
    RevertEmailState,
    SignInState,
    SignUpConfirmState,
    SignUpState,
    VerifyState,
    field_errors_of,
)
from state.session import SessionState


def _link(key: str, href: str) -> rx.Component:
    return rx.link(T(key), href=href, size="2", weight="medium")


def _other_way(text_key: str, link_key: str, href: str) -> rx.Component:
    """The line under a form pointing to the other way in (sign-in ↔ sign-up)."""
    return rx.hstack(
        rx.text(T(text_key), size="2", color_scheme="gray"),
        _link(link_key, href),
        spacing="2",
        justify="center",
        width="100%",
    )


def _form(
    state: type[FormState],
    on_submit: EventType[()],
    submit_key: str,
    *fields: rx.Component,
    notice: bool = False,
    spacing: str = "4",
    **props: bool,
) -> rx.Component:
    """An account form: its fields, the state's message (and notice), then its button."""
    return rx.form(
        rx.vstack(
            *fields,
            form_message(state.error),
            *([form_message(state.notice, tone="green")] if notice else []),
            submit_button(submit_key, loading=state.busy),
            spacing=spacing,
            width="100%",
        ),
        on_submit=on_submit,
        width="100%",
        **props,
    )


def _code_field(label_key: str, state: type[FormState]) -> rx.Component:
    return field(
        label_key,
        "code",
        autocomplete="one-time-code",
        input_mode="numeric",
        error=field_errors_of(state).get("code", ""),
        required=True,
    )


def _new_password_field(label_key: str, state: type[FormState]) -> rx.Component:
    return field(
        label_key,
        "password",
        type_="password",
        autocomplete="new-password",
        hint_key="signup.password_hint",
        error=field_errors_of(state).get("password", ""),
        required=True,
    )


def _once_checked(checked: Var[bool], content: rx.Component) -> rx.Component:
    """A one-time link's page: a spinner while the link is checked, then what it offers."""
    return rx.cond(checked, content, rx.center(rx.spinner(), width="100%"))


def _done(text: Var[str]) -> rx.Component:
    return rx.callout(text, icon="circle_check", color_scheme="green", role="status")


def _sign_out() -> rx.Component:
    return rx.button(T("nav.sign_out"), variant="ghost", color_scheme="gray", on_click=SessionState.sign_out, size="1")


def sign_in_page() -> rx.Component:
    """The sign-in page.

    Returns:
        The page.
    """
    return auth_card(
        "signin.title",
        rx.text(T("signin.subtitle"), color_scheme="gray", size="2"),
        _form(
            SignInState,
            SignInState.sign_in,
            "signin.submit",
            field("signin.email", "email", type_="email", autocomplete="username", required=True),
            field("signin.password", "password", type_="password", autocomplete="current-password", required=True),
            rx.hstack(rx.spacer(), _link("signin.forgot", routes.FORGOT), width="100%"),
        ),
        _other_way("signin.no_account", "signin.create", routes.SIGN_UP),
    )


def sign_up_page() -> rx.Component:
    """The sign-up page.

    Returns:
        The page.
    """
    return auth_card(
        "signup.title",
        rx.vstack(
            rx.text(T("signup.subtitle"), color_scheme="gray", size="2"),
            rx.cond(
                SignUpState.invited_organisation != "",
                rx.callout(Tf("signup.invited", organisation=SignUpState.invited_organisation), icon="mail_check"),
            ),
            spacing="3",
            width="100%",
        ),
        rx.cond(
            SignUpState.sent_to != "",
            rx.callout(
                Tf("signup.sent", email=SignUpState.sent_to),
                icon="mail_check",
                color_scheme="green",
                role="status",
                id="sign-up-sent",
            ),
            _sign_up_form(),
        ),
        _other_way("signup.have_account", "signin.submit", routes.SIGN_IN),
    )


def _sign_up_form() -> rx.Component:
    errors = field_errors_of(SignUpState)
    return _form(
        SignUpState,
        SignUpState.sign_up,
        "signup.submit",
        field(
            "signup.email",
            "email",
            type_="email",
            autocomplete="email",
            required=True,
            error=errors.get("email", ""),
            default_value=SignUpState.invited_email,
        ),
        rx.grid(
            field("signup.first_name", "first_name", autocomplete="given-name", error=errors.get("first_name", "")),
            field("signup.last_name", "last_name", autocomplete="family-name", error=errors.get("last_name", "")),
            columns=rx.breakpoints(initial="1", sm="2"),
            spacing="3",
            width="100%",
        ),
        field(
            "signup.pseudonym",
            "pseudonym",
            hint_key="signup.pseudonym_hint",
            autocomplete="nickname",
            error=errors.get("pseudonym", ""),
        ),
        _new_password_field("signup.password", SignUpState),
        field(
            "signup.phone",
            "phone",
            type_="tel",
            autocomplete="tel",
            hint_key="signup.phone_hint",
            error=errors.get("phone", ""),
            required=True,
        ),
    )


def sign_up_confirm_page() -> rx.Component:
    """The page a sign-up confirmation link opens.

    Returns:
        The page.
    """
    return auth_card(
        "signup_confirm.title",
        None,
        _once_checked(
            SignUpConfirmState.checked,
            _link_action(SignUpConfirmState, "signup_confirm", SignUpConfirmState.confirm),
        ),
        _link("signin.submit", routes.SIGN_IN),
    )


def _link_action(
    state: type[SignUpConfirmState | RevertEmailState], keys: str, on_click: EventType[()], **button: str
) -> rx.Component:
    """What a one-time link's page offers once checked: its text and button, or why the link is refused.

    `state` has `email`, `error` and `busy`; `keys` prefixes the `.body` and `.submit` strings.
    """
    return rx.cond(
        state.email != "",
        rx.vstack(
            rx.text(Tf(f"{keys}.body", email=state.email)),
            form_message(state.error),
            rx.button(T(f"{keys}.submit"), size="3", width="100%", on_click=on_click, loading=state.busy, **button),
            spacing="4",
            width="100%",
        ),
        form_message(state.error),
    )


def revert_email_page() -> rx.Component:
    """The page the link sent to the old address opens.

    Returns:
        The page.
    """
    return auth_card(
        "email_revert.title",
        None,
        _once_checked(
            RevertEmailState.checked,
            rx.cond(
                RevertEmailState.done,
                _done(Tf("email_revert.done", email=RevertEmailState.email)),
                _link_action(RevertEmailState, "email_revert", RevertEmailState.revert, color_scheme="red"),
            ),
        ),
        _link("signin.submit", routes.SIGN_IN),
    )


def activation_page() -> rx.Component:
    """The phone activation page.

    Returns:
        The page.
    """
    return auth_card(
        "activation.title",
        rx.text(
            Tf("activation.subtitle", phone=ActivationState.phone), color_scheme="gray", size="2", id="activation-phone"
        ),
        _form(
            ActivationState,
            ActivationState.verify,
            "activation.submit",
            _code_field("activation.code", ActivationState),
            rx.cond(
                ActivationState.tries_left > 0,
                rx.text(
                    Tf("activation.tries_left", left=ActivationState.tries_left.to_string()),
                    size="1",
                    color_scheme="gray",
                ),
            ),
            notice=True,
            spacing="3",
            reset_on_submit=True,
        ),
        rx.hstack(
            rx.button(T("activation.resend"), variant="soft", on_click=ActivationState.resend, type="button"),
            rx.cond(
                ActivationState.can_change_phone,
                rx.button(
                    T("activation.change_phone"),
                    variant="ghost",
                    on_click=ActivationState.toggle_change_phone,
                    type="button",
                ),
            ),
            spacing="3",
            wrap="wrap",
            width="100%",
        ),
        rx.cond(
            ActivationState.changing_phone,
            rx.form(
                rx.vstack(
                    rx.text(T("activation.change_once"), size="2", color_scheme="gray"),
                    field(
                        "activation.new_phone",
                        "phone",
                        type_="tel",
                        autocomplete="tel",
                        error=field_errors_of(ActivationState).get("phone", ""),
                    ),
                    rx.button(T("activation.change_submit"), type="submit", width="100%"),
                    spacing="3",
                    width="100%",
                ),
                on_submit=ActivationState.change_phone,
                width="100%",
            ),
            rx.cond(
                ~ActivationState.can_change_phone,
                rx.callout(T("activation.contact_support"), icon="life_buoy", color_scheme="gray", size="1"),
            ),
        ),
        _sign_out(),
    )


def verification_page() -> rx.Component:
    """The second-factor step of sign-in.

    Returns:
        The page.
    """
    return auth_card(
        "verify.title",
        rx.text(T("verify.subtitle"), color_scheme="gray", size="2"),
        _form(
            VerifyState,
            VerifyState.verify,
            "verify.submit",
            _code_field("verify.code", VerifyState),
            reset_on_submit=True,
        ),
        _sign_out(),
    )


def forgot_page() -> rx.Component:
    """The forgotten-password page.

    Returns:
        The page.
    """
    return auth_card(
        "forgot.title",
        rx.text(T("forgot.subtitle"), color_scheme="gray", size="2"),
        rx.cond(
            ForgotState.sent,
            rx.callout(T("forgot.sent"), icon="mail_check", color_scheme="green", role="status"),
            _form(
                ForgotState,
                ForgotState.request,
                "forgot.submit",
                field("forgot.email", "email", type_="email", autocomplete="email", required=True),
            ),
        ),
        _link("forgot.back", routes.SIGN_IN),
    )


def reset_page() -> rx.Component:
    """The page a reset link opens.

    Returns:
        The page.
    """
    return auth_card(
        "reset.title",
        None,
        rx.cond(
            ResetState.done,
            rx.vstack(
                _done(T("reset.done")),
                rx.link(rx.button(T("reset.go_sign_in"), size="3", width="100%"), href=routes.SIGN_IN, width="100%"),
                width="100%",
            ),
            rx.cond(
                ResetState.valid,
                _form(
                    ResetState,
                    ResetState.save_password,
                    "reset.submit",
                    _new_password_field("reset.password", ResetState),
                    field(
                        "reset.confirm",
                        "confirm",
                        type_="password",
                        autocomplete="new-password",
                        error=field_errors_of(ResetState).get("confirm", ""),
                        required=True,
                    ),
                ),
                _once_checked(
                    ResetState.checked,
                    rx.vstack(
                        form_message(ResetState.error),
                        _link("reset.ask_new", routes.FORGOT),
                        width="100%",
                    ),
                ),
            ),
        ),
    )


def confirm_email_page() -> rx.Component:
    """The page an e-mail change link opens.

    Returns:
        The page.
    """
    return auth_card(
        "email_confirm.title",
        None,
        _once_checked(
            ConfirmEmailState.checked,
            rx.cond(
                ConfirmEmailState.new_email != "",
                _done(Tf("email_confirm.done", email=ConfirmEmailState.new_email)),
                form_message(ConfirmEmailState.error),
            ),
        ),
        _link("common.back_home", routes.HOME),
    )


def invitation_page() -> rx.Component:
    """The page an invitation link opens.

    Returns:
        The page.
    """
    return auth_card(
        "invitation.title",
        None,
        _once_checked(
            InvitationState.checked,
            rx.cond(
                InvitationState.organisation != "",
                rx.vstack(
                    rx.text(
                        Tf("invitation.body", organisation=InvitationState.organisation, email=InvitationState.email)
                    ),
                    form_message(InvitationState.error),
                    rx.cond(
                        InvitationState.signed_in_as != "",
                        rx.vstack(
                            rx.cond(
                                InvitationState.signed_in_as != InvitationState.email,
                                rx.callout(T("invitation.wrong_account"), color_scheme="amber", icon="triangle_alert"),
                            ),
                            rx.button(
                                Tf("invitation.accept", organisation=InvitationState.organisation),
                                size="3",
                                width="100%",
                                on_click=InvitationState.accept,
                                loading=InvitationState.busy,
                            ),
                            width="100%",
                        ),
                        rx.cond(
                            InvitationState.account_exists,
                            rx.button(T("invitation.sign_in"), size="3", width="100%", on_click=InvitationState.accept),
                            rx.link(
                                rx.button(T("invitation.sign_up"), size="3", width="100%"),
                                href=f"{routes.SIGN_UP}?invitation="
                                + InvitationState.router.url.query_parameters.get("jeton", "").to(str),
                                width="100%",
                            ),
                        ),
                    ),
                    spacing="4",
                    width="100%",
                ),
                form_message(InvitationState.error),
            ),
        ),
    )
