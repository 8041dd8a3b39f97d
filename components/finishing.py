""" "Formation terminée" for a selection of learners: the dialog that says what will happen first.

Shared by the tutoring centre and the session's follow-up table (`Suivi des participants`): both
states hold `concluding` ("finish", "undo" or ""), `target_count`, `selected_count` and the
handlers `close_conclude` / `conclude`; the rule itself is `app.services.finishing`.
"""

from __future__ import annotations

from typing import Any

import reflex as rx

from components.i18n import T, Tn


def conclude_dialog(state: Any) -> rx.Component:
    """ "Formation terminée" (or undoing it) for the selection: said in full, then done on a second click.

    Args:
        state: The list's state class (see the module docstring for what it holds).

    Returns:
        The dialog, open while `state.concluding` is set.
    """
    count = state.target_count
    finishing = state.concluding == "finish"
    return rx.cond(
        state.concluding != "",
        rx.dialog.root(
            rx.dialog.content(
                rx.vstack(
                    rx.dialog.title(
                        rx.cond(finishing, T("tutoring.finish_title"), T("tutoring.unfinish_title")), margin="0"
                    ),
                    rx.text(
                        rx.cond(finishing, Tn("tutoring.finish_what", count), Tn("tutoring.unfinish_what", count)),
                        size="2",
                    ),
                    rx.cond(
                        state.target_count < state.selected_count,
                        rx.text(T("tutoring.remind_shown_only"), size="2", color_scheme="amber"),
                    ),
                    rx.hstack(
                        rx.button(
                            T("common.cancel"), variant="soft", color_scheme="gray", on_click=state.close_conclude
                        ),
                        rx.button(
                            rx.cond(finishing, T("tutoring.finish_submit"), T("tutoring.unfinish_submit")),
                            color_scheme=rx.cond(finishing, "green", "red"),
                            on_click=state.conclude,
                            data_testid="conclude-submit",
                        ),
                        justify="end",
                        spacing="2",
                        width="100%",
                    ),
                    spacing="3",
                ),
                on_escape_key_down=state.close_conclude,
                on_interact_outside=state.close_conclude,
            ),
            open=True,
        ),
    )
