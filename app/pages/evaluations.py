"""An evaluation activity's results (`Résultats`): who answered, scores, anonymous charts, grids; live."""

from __future__ import annotations

import reflex as rx

from components.evaluations import evaluation_results_body
from components.layout import gated_page
from state.evaluations import EvaluationResultsState


def evaluation_results_page() -> rx.Component:
    """The results of one evaluation activity of a session.

    Returns:
        The page.
    """
    return gated_page(EvaluationResultsState.loading, EvaluationResultsState.found, evaluation_results_body())
