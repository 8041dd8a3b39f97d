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


def decimal_text(value: float, places: int = 2) -> str:
    """A number as a French reader writes it: a comma, at most `places` decimals, no trailing zeros.

    Args:
        value: The number.
        places: Decimals kept at most.

    Returns:
        "2,5", "66,67", "12".
    """
    text = f"{value:.{places}f}"
    return (text.rstrip("0").rstrip(".") if "." in text else text).replace(".", ",")


def percent_text(value: float | None) -> str:
    """A score or rate in percent as French readers write it ("85,5 %"); "" when there is none.

    Args:
        value: The percentage, or None.

    Returns:
        The text.
    """
    return "" if value is None else decimal_text(value) + " %"


def plural_form(lang: str, count: int) -> str:
    """The plural form a count takes: "one" or "other".

    French puts 0 and 1 in the singular ("0 message", "1 message"); English only 1.

    Args:
        lang: "fr" or "en".
        count: The number.

    Returns:
        "one" or "other", the suffix of the key to use.
    """
    if lang == "en":
        return "one" if count == 1 else "other"
    return "one" if abs(count) < 2 else "other"


def tn(lang: str, key: str, count: int, **params: str) -> str:
    """Translate a text about a count, with its real plural (keys `key.one` and `key.other`, never "(s)").

    Args:
        lang: "fr" or "en".
        key: Message key without its `.one` / `.other` suffix.
        count: The number deciding the form (filled as `{count}` unless given in params).
        **params: Other placeholders.

    Returns:
        The text.
    """
    params.setdefault("count", str(count))
    return t(lang, f"{key}.{plural_form(lang, count)}", **params)


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
