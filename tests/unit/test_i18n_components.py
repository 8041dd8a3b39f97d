"""`T` and `Tk`: every language's text is written into the page; none travels over the websocket."""

from __future__ import annotations

import json

import pytest
import reflex as rx

from app.i18n import MESSAGES
from components.i18n import T, Tk
from state.session import SessionState


def test_a_text_carries_each_language_and_follows_the_persons_language() -> None:
    code = str(T("nav.home"))
    for lang in MESSAGES:
        assert json.dumps(MESSAGES[lang]["nav.home"]) in code
    assert "lang_rx_state_" in code  # picked in the browser by `SessionState.lang`


def test_a_key_missing_from_the_catalogue_fails_the_build() -> None:
    with pytest.raises(KeyError):
        T("nav.no-such-text")


def test_a_key_completed_in_the_browser_carries_only_its_prefix() -> None:
    code = str(Tk("kind.", rx.Var.create("document")))
    kinds = [key for key in MESSAGES["fr"] if key.startswith("kind.")]
    assert kinds and all(json.dumps(key.removeprefix("kind.")) in code for key in kinds)
    assert '"nav.home"' not in code


def test_the_session_state_sends_no_catalogue() -> None:
    assert "tr" not in SessionState.computed_vars
    assert not any(len(json.dumps(value)) > 2_000 for value in SessionState().dict().values())
