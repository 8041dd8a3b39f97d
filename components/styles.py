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
GLOBAL_STYLE: dict[Any, Any] = {
    "font_family": "'Inter', system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
    "background_color": PAGE_BG,
}
