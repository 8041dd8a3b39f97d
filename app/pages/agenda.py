"""The agenda: a person's week or month of slots across the organisations they train or learn for."""

from __future__ import annotations

import reflex as rx

from components.agenda import (
    agenda_body,
    agenda_conflicts,
    agenda_header,
    agenda_legend,
    agenda_unavailabilities,
    room_picker,
)
from components.layout import shell
from components.planning import planning_card, planning_dialog
from state.agenda import AgendaState


def agenda_page() -> rx.Component:
    """The agenda page.

    Returns:
        The page.
    """
    # The header and the legend stay while a period loads (only the days turn to their skeleton).
    return shell(
        rx.vstack(
            agenda_header(),
            agenda_conflicts(),
            agenda_legend(),
            agenda_body(),
            planning_card(),
            agenda_unavailabilities(),
            room_picker(),
            planning_dialog(),
            spacing="4",
            width="100%",
            id="agenda",
            data_revision=AgendaState.revision.to_string(),  # raised by every load (tests wait on it)
        )
    )
