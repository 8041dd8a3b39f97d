"""Translated text in components: `T("key")` follows the person's language live."""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from state.session import SessionState


def T(key: str) -> Var[str]:  # noqa: N802  # reads like a translation call
    """The text for a key in the current language.

    Args:
        key: Message key from `app/i18n`.

    Returns:
        A string var.
    """
    return SessionState.tr[key].to(str)


def Tf(key: str, **params: Var | str) -> Var[str]:  # noqa: N802
    """The text for a key with `{params}` filled in the browser.

    Args:
        key: Message key.
        **params: Placeholder values (vars or strings).

    Returns:
        A string var.
    """
    text: Var = T(key)
    for name, value in params.items():
        text = text.to(str).replace("{" + name + "}", rx.Var.create(value).to(str))
    return text.to(str)
