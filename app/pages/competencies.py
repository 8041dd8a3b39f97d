"""The organisation's competencies framework (`Référentiel de compétences`): staff edit, trainers read."""

from __future__ import annotations

import reflex as rx

from components.competencies import competencies_view
from components.layout import gated_page
from state.competencies import CompetenciesState


def competencies_page() -> rx.Component:
    """The framework: its competencies (code, label, category).

    Returns:
        The page.
    """
    return gated_page(CompetenciesState.loading, CompetenciesState.allowed, competencies_view())
