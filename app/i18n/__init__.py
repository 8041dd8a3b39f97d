"""French (default) and English strings. Every UI string goes through here."""

from __future__ import annotations

from app.i18n.en import EN
from app.i18n.fr import FR

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
MESSAGES: dict[str, dict[str, str]] = {"fr": FR, "en": EN}


def t(lang: str, key: str, **params: str) -> str:
    """Translate a key, filling `{params}`; French when the language or key is missing.

    Args:
        lang: "fr" or "en".
        key: Message key.
        **params: Values for placeholders.

    Returns:
        The text.
    """
    table = MESSAGES.get(lang, FR)
    text = table.get(key) or FR.get(key) or key
    if params:
        try:
            return text.format(**params)
        except (KeyError, IndexError):
            return text
    return text


def error_text(lang: str, code: str, **params: str) -> str:
    """The message for a service error code.

    Args:
        lang: "fr" or "en".
        code: `ErrorCode` value.
        **params: Values the message mentions.

    Returns:
        The text.
    """
    return t(lang, f"error.{code}", **params)
