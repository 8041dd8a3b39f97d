"""`state.common` helpers that every page state uses."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from state.common import assign_changed


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
