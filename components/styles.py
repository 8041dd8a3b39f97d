"""Design tokens."""

from typing import Any

ACCENT = "indigo"
PAGE_BG = "var(--gray-2)"
CARD_SHADOW = "0 1px 2px rgba(15, 23, 42, 0.06), 0 4px 16px rgba(15, 23, 42, 0.06)"
MAX_WIDTH = "72rem"
AUTH_WIDTH = "28rem"
STATUS_COLORS = {
    "accepted": "green",
    "invited": "amber",
    "not_invited": "gray",
    "sent": "green",
    "pending": "amber",
    "sending": "amber",
    "failed": "red",
    "stored": "gray",
}
# A white block with a thin border, inside a grey card or on the page (a progress bar, an activity's card).
OUTLINED = {"border": "1px solid var(--gray-4)", "border_radius": "0.5rem", "background": "white"}
GLOBAL_STYLE: dict[Any, Any] = {
    "font_family": "'Inter', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "background_color": PAGE_BG,
}


def panel(tone: str = "gray") -> dict[str, str]:
    """The style of a tinted block inside a card (a settings form, a correction).

    Args:
        tone: Its colour scale.

    Returns:
        Style props.
    """
    return {"padding": "0.75rem", "background": f"var(--{tone}-2)", "border_radius": "0.5rem"}
