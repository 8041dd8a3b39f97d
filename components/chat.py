"""The session chat panel: messages (text only, links clickable), typing, who is online, the composer."""

from __future__ import annotations

from collections.abc import Sequence

import reflex as rx
from reflex.vars.object import ObjectVar
from reflex.vars.sequence import ArrayVar
from reflex_components_core.react_router.dom import ReactRouterLink

from components import styles
from components.forms import message_text, secondary_button
from components.i18n import T, Tf
from state.chat import ChatRow, ChatState

# mypy types an `@rx.event` handler as `EventNamespace` (the decorator is a class whose `__new__` returns the
# callback), so calling one with its arguments, or throttling it, carries a `# type: ignore` below.


def _body(message: ObjectVar[ChatRow]) -> rx.Component:
    parts = message.parts.to(list[dict[str, str]])
    return rx.text(
        rx.foreach(
            parts,
            lambda p: rx.cond(
                p["href"].to(str) != "",
                rx.link(
                    p["text"].to(str), href=p["href"].to(str), is_external=True, rel="noopener noreferrer nofollow"
                ),
                rx.text.span(p["text"].to(str)),
            ),
        ),
        size="2",
        white_space="pre-wrap",
        word_break="break-word",
    )


def _editor(message: ObjectVar[ChatRow]) -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text_area(
                name="body",
                default_value=message.body.to(str),
                aria_label=T("chat.edit_label"),
                width="100%",
                rows="3",
                auto_focus=True,
                data_chat_editor="true",  # assets/chat.js: Enter saves, Shift+Enter a new line, Escape cancels
            ),
            message_text(ChatState.edit_error, size="1"),
            rx.hstack(
                rx.button(T("common.save"), type="submit", size="1"),
                secondary_button(
                    T("common.cancel"), size="1", on_click=ChatState.cancel_edit, data_chat_edit_cancel="true"
                ),
                rx.text(T("chat.edit_hint"), size="1", color_scheme="gray", display=["none", "block"]),
                spacing="2",
                align="center",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=ChatState.save_edit,
        width="100%",
    )


def _actions(message: ObjectVar[ChatRow]) -> rx.Component:
    mid = message.id.to(str)
    mine = message.mine.to(bool)
    # Its author is offered edit and delete only within the edit window (`editable` lapses live, no reload);
    # moderators keep "Retirer" on any message.
    editable = message.editable.to(bool)
    return rx.cond(
        (message.removed.to(str) == "") & (editable | ChatState.can_moderate),
        rx.menu.root(
            rx.menu.trigger(
                rx.icon_button(
                    rx.icon("ellipsis", size=14),
                    size="1",
                    variant="ghost",
                    color_scheme="gray",
                    aria_label=T("chat.actions"),
                )
            ),
            rx.menu.content(
                rx.cond(editable, rx.menu.item(T("chat.edit"), on_click=ChatState.start_edit(mid))),  # type: ignore[operator]
                rx.menu.item(
                    rx.cond(mine, T("chat.delete"), T("chat.moderate")),
                    color="red",
                    on_click=ChatState.ask_remove(mid),  # type: ignore[operator]
                ),
            ),
            modal=False,
        ),
    )


def _confirm_remove() -> rx.Component:
    """Ask before a message is deleted (by its author) or removed (by a moderator): it cannot be undone."""
    mine = ChatState.confirm_mine
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(mine, T("chat.confirm_delete_title"), T("chat.confirm_moderate_title"))),
            rx.alert_dialog.description(
                rx.cond(mine, T("chat.confirm_delete_body"), T("chat.confirm_moderate_body")), size="2"
            ),
            rx.hstack(
                rx.alert_dialog.cancel(secondary_button(T("common.cancel"), on_click=ChatState.cancel_remove)),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(mine, T("chat.confirm_delete"), T("chat.confirm_moderate")),
                        color_scheme="red",
                        on_click=ChatState.remove(ChatState.confirm_remove),  # type: ignore[operator]
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="1rem",
                wrap="wrap",
            ),
            max_width="28rem",
        ),
        open=ChatState.confirm_remove != "",
        on_open_change=lambda _open: ChatState.cancel_remove,  # Escape closes it without doing anything
    )


def message_bubble(message: ObjectVar[ChatRow]) -> rx.Component:
    """One message, with the "nouveaux messages" divider before the first unread one.

    Args:
        message: The message row.

    Returns:
        The bubble.
    """
    mine = message.mine.to(bool)
    removed = message.removed.to(str)
    return rx.fragment(
        rx.cond(
            message.id.to(str) == ChatState.first_unread,
            rx.hstack(
                rx.separator(flex="1", color_scheme="red"),
                rx.text(T("chat.new_messages"), size="1", color_scheme="red", weight="bold"),
                rx.separator(flex="1", color_scheme="red"),
                align="center",
                width="100%",
                data_testid="new-messages-divider",
            ),
        ),
        rx.box(
            rx.hstack(
                rx.text(message.author.to(str), size="1", weight="bold"),
                rx.text(message.at.to(str), size="1", color_scheme="gray"),
                rx.cond(message.edited.to(bool), rx.text(T("chat.edited"), size="1", color_scheme="gray")),
                rx.spacer(),
                _actions(message),
                align="center",
                spacing="2",
                width="100%",
            ),
            rx.cond(
                removed != "",
                rx.text(
                    rx.cond(removed == "moderator", T("chat.removed_by_moderator"), T("chat.removed")),
                    size="2",
                    color_scheme="gray",
                    font_style="italic",
                ),
                rx.cond(
                    ChatState.editing == message.id.to(str),
                    _editor(message),
                    rx.vstack(
                        _body(message),
                        rx.cond(
                            message.document_id.to(int) > 0,
                            ReactRouterLink.create(
                                rx.hstack(
                                    rx.icon("paperclip", size=14),
                                    rx.text(message.document_name.to(str), size="2"),
                                    align="center",
                                    spacing="1",
                                ),
                                to="/api/documents/" + message.document_id.to_string(),
                                reload_document=True,
                            ),
                        ),
                        spacing="1",
                        width="100%",
                    ),
                ),
            ),
            padding="0.5rem 0.75rem",
            border_radius="0.75rem",
            background=rx.cond(mine, rx.color(styles.ACCENT, 3), rx.color("gray", 3)),
            max_width=["92%", "80%"],
            align_self=rx.cond(mine, "flex-end", "flex-start"),
            data_testid="chat-message",
            data_client_id=message.client_id.to(str),
        ),
    )


def _typing() -> rx.Component:
    names: ArrayVar[Sequence[str]] = ChatState.typing_names
    return rx.box(
        rx.cond(
            names.length() > 0,
            rx.text(
                rx.cond(
                    names.length() == 1,
                    Tf("chat.typing_one", name=names[0]),
                    Tf("chat.typing_many", names=names.join(", ")),
                ),
                size="1",
                color_scheme="gray",
                font_style="italic",
                data_testid="typing",
            ),
        ),
        min_height="1.25rem",
    )


def _composer() -> rx.Component:
    return rx.cond(
        ChatState.can_post,
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.text_area(
                        name="body",
                        placeholder=T("chat.placeholder"),
                        aria_label=T("chat.composer"),
                        rows="2",
                        flex="1",
                        max_length=4000,
                        data_chat_composer="true",
                        on_change=ChatState.typing.throttle(2500),  # type: ignore[attr-defined]
                    ),
                    rx.el.input(type="hidden", name="client_id", default_value=""),
                    rx.button(rx.icon("send", size=16), T("chat.send"), type="submit", size="3"),
                    align="end",
                    width="100%",
                    spacing="2",
                ),
                on_submit=ChatState.send,
                key=ChatState.composer_key.to_string(),
                width="100%",
                id="chat-composer",
            ),
            message_text(ChatState.chat_error),
            rx.hstack(
                rx.upload.root(
                    rx.button(rx.icon("paperclip", size=14), T("chat.attach"), size="1", variant="soft", type="button"),
                    id="chat-file",
                    max_files=1,
                    on_drop=ChatState.send_file(rx.upload_files(upload_id="chat-file")),  # type: ignore[operator]
                    border="none",
                    padding="0",
                ),
                # A phone's keyboard has no Shift+Enter to speak of: the hint is for keyboards.
                rx.text(T("chat.send_hint"), size="1", color_scheme="gray", display=["none", "none", "block"]),
                align="center",
                justify="between",
                width="100%",
            ),
            spacing="2",
            width="100%",
        ),
        # Staff read and moderate; on an archived session nobody posts nor moderates: it is read-only.
        rx.text(
            rx.cond(ChatState.can_moderate, T("chat.read_only"), T("chat.archived")), size="2", color_scheme="gray"
        ),
    )


def chat_panel() -> rx.Component:
    """The room of the session.

    Returns:
        The panel.
    """
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(T("chat.title"), size="4", as_="h2"),
                rx.spacer(),
                rx.cond(
                    ChatState.online.length() > 0,
                    rx.hstack(
                        rx.box(width="0.5rem", height="0.5rem", border_radius="50%", background=rx.color("green", 9)),
                        rx.text(Tf("chat.online", names=ChatState.online.join(", ")), size="1", color_scheme="gray"),
                        align="center",
                        spacing="1",
                        data_testid="online",
                    ),
                ),
                width="100%",
                align="center",
                wrap="wrap",
            ),
            rx.vstack(
                rx.cond(
                    ChatState.has_more,
                    rx.button(
                        T("chat.older"),
                        size="1",
                        variant="ghost",
                        on_click=ChatState.load_older,
                        loading=ChatState.loading_older,
                        id="chat-older",
                        align_self="center",
                    ),
                ),
                rx.cond(
                    (ChatState.messages.length() + ChatState.fresh.length()) == 0,
                    rx.center(
                        rx.text(
                            rx.cond(ChatState.can_post, T("chat.empty"), T("chat.empty_read_only")),
                            size="2",
                            color_scheme="gray",
                        ),
                        padding="2rem",
                        width="100%",
                    ),
                ),
                rx.foreach(ChatState.messages, message_bubble),
                rx.foreach(ChatState.fresh, message_bubble),
                rx.box(id="chat-pending", width="100%"),
                spacing="2",
                width="100%",
                flex="1",
                min_height="0",
                overflow_y="auto",
                overscroll_behavior="contain",
                padding="0.25rem",
                id="chat-log",
                data_testid="chat-log",
            ),
            rx.vstack(_typing(), _composer(), spacing="1", width="100%", flex_shrink="0"),
            _confirm_remove(),
            spacing="3",
            width="100%",
            height="100%",
        ),
        width="100%",
        # The room fills the screen below the sticky header, its composer at the bottom and the messages
        # scrolling above it; assets/chat.js brings it into view when the tab opens (on a phone it starts
        # below the session's header).
        height=["calc(100dvh - 7.5rem)", "calc(100dvh - 7.5rem)", "min(calc(100dvh - 9rem), 52rem)"],
        min_height="22rem",
        box_shadow=styles.CARD_SHADOW,
        id="chat-card",
        data_testid="chat-card",
    )
