"""`state.common` helpers that every page state uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import OperationalError

from app.i18n import t
from app.services.actor import Actor
from state import guard
from state.common import assign_changed, backend_error


@dataclass(frozen=True)
class _Card:
    id: int
    title: str


class _Recorder:
    """Stands for a Reflex state: remembers which vars were assigned (Reflex sends each one assigned)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)
        self.__dict__["assigned"] = []

    def __setattr__(self, name: str, value: Any) -> None:
        self.assigned.append(name)
        super().__setattr__(name, value)


def test_assign_changed_sets_only_the_vars_whose_value_differs() -> None:
    state = _Recorder(cards=[_Card(1, "Excel")], count=2, label="a")
    assign_changed(state, cards=[_Card(1, "Excel")], count=3, label="a")
    assert state.assigned == ["count"]
    assert state.count == 3


def test_assign_changed_sees_a_changed_field_inside_a_list_of_view_dataclasses() -> None:
    state = _Recorder(cards=[_Card(1, "Excel")])
    assign_changed(state, cards=[_Card(1, "Excel avancé")])
    assert state.assigned == ["cards"]
    assert state.cards == [_Card(1, "Excel avancé")]


def _english_reader() -> Actor:
    return Actor(
        user_id=7,
        session_id=1,
        email="reader@example.test",
        display_name="Reader",
        language="en",
        organisation_id=1,
        roles=frozenset({"learner"}),
        activated=True,
        mfa_pending=False,
        is_superuser=False,
        ip="",
    )


def _shows(spec: Any, text: str) -> bool:
    """Whether a toast event's code shows a text (written as a JSON string literal in it)."""
    return any(json.dumps(text) in str(value) for _, value in spec.args)


def test_an_outage_is_told_in_the_language_of_the_person_the_gate_recognised() -> None:
    lost = OperationalError("SELECT 1", {}, Exception("connection refused"))
    token = guard._actor.set(_english_reader())
    try:
        assert _shows(backend_error(lost), t("en", "error.unavailable"))
    finally:
        guard._actor.reset(token)
    # Nobody recognised (the database itself was down when the gate asked): French, the default.
    assert _shows(backend_error(lost), t("fr", "error.unavailable"))
