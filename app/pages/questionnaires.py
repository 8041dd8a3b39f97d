"""The questionnaire library (`Bibliothèque de questionnaires`): its list, a questionnaire, a question bank."""

from __future__ import annotations

import reflex as rx

from components.layout import gated_page
from components.questionnaires import bank_view, editor_view, library_view
from state.questionnaires import QuestionBankState, QuestionnaireEditorState, QuestionnaireLibraryState


def questionnaires_page() -> rx.Component:
    """The library: questionnaires and banks (staff edit, trainers read).

    Returns:
        The page.
    """
    return gated_page(QuestionnaireLibraryState.loading, QuestionnaireLibraryState.allowed, library_view())


def questionnaire_page() -> rx.Component:
    """One questionnaire: settings and questions.

    Returns:
        The page.
    """
    return gated_page(QuestionnaireEditorState.loading, QuestionnaireEditorState.allowed, editor_view())


def question_bank_page() -> rx.Component:
    """One question bank and its questions.

    Returns:
        The page.
    """
    return gated_page(QuestionBankState.loading, QuestionBankState.allowed, bank_view())
