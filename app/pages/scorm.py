"""The SCORM player: an e-learning activity's package, one SCO at a time."""

from __future__ import annotations

import reflex as rx

from components.layout import gated_page
from components.scorm import player_body
from state.scorm import ScormPlayerState


def scorm_player_page() -> rx.Component:
    """The player page of an e-learning activity.

    Returns:
        The page.
    """
    return gated_page(ScormPlayerState.loading, ScormPlayerState.found, player_body())
