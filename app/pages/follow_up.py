"""`Suivi des participants`: a session's learners, a tick per monitored activity, for its trainers, tutors and staff."""

from __future__ import annotations

import reflex as rx

from components.follow_up import follow_up_body
from components.layout import gated_page
from state.follow_up import FollowUpState


def follow_up_page() -> rx.Component:
    """A session's follow-up table.

    Returns:
        The page.
    """
    return gated_page(FollowUpState.loading, FollowUpState.found, follow_up_body())
