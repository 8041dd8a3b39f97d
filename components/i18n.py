"""Translated text in components: `T("key")` follows the person's language live.

Each text is written into the page's code in every language, and the browser picks the person's
(`SessionState.lang`): no string travels over the websocket (the whole catalogue, ~90 KB, used to be
sent to every tab on connection and again on each change of language).
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import Var

from app.i18n import MESSAGES
from state.session import SessionState


def T(key: str) -> Var[str]:  # noqa: N802  # reads like a translation call
    """The text for a key in the current language.

    Args:
        key: Message key from `app/i18n` (a key missing from the catalogue fails the build).

    Returns:
        A string var.
    """
    return rx.Var.create({lang: texts[key] for lang, texts in MESSAGES.items()})[SessionState.lang].to(str)


def Tk(prefix: str, rest: Var) -> Var[str]:  # noqa: N802
    """The text for a key completed in the browser: `prefix` followed by a var's value (a kind, a status).

    Args:
        prefix: The keys' common start, e.g. "kind." (every key that starts with it is written into the page).
        rest: The var that ends the key.

    Returns:
        A string var ("" for a key the catalogue does not have).
    """
    table = {
        lang: {key[len(prefix) :]: text for key, text in texts.items() if key.startswith(prefix)}
        for lang, texts in MESSAGES.items()
    }
    return rx.Var.create(table)[SessionState.lang].to(dict)[rest.to(str)].to(str)


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


def Tn(key: str, count: Var | int, **params: Var | str) -> Var[str]:  # noqa: N802
    """A text about a count with its real plural, chosen in the browser (keys `key.one` / `key.other`).

    The rule is `app.i18n.plural_form`'s: French puts 0 and 1 in the singular, English only 1.

    Args:
        key: Message key without its `.one` / `.other` suffix.
        count: The number deciding the form (filled as `{count}` unless given in params).
        **params: Other placeholder values (vars or strings).

    Returns:
        A string var.
    """
    number = rx.Var.create(count).to(int)
    params.setdefault("count", number.to(str))
    # Comparisons only (no `===`): a count held as text ("1") is compared as the number it is.
    singular = rx.cond(SessionState.lang == "en", (number > 0.5) & (number < 1.5), (number > -2) & (number < 2))
    return rx.cond(singular, Tf(f"{key}.one", **params), Tf(f"{key}.other", **params)).to(str)
