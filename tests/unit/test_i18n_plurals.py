"""Texts about a count take a real plural: French 0 and 1 singular, English 1 only, never "(s)"."""

from __future__ import annotations

import re

from app.i18n import MESSAGES, plural_form, tn


def test_plural_forms_follow_each_language() -> None:
    assert [plural_form("fr", n) for n in (0, 1, 2, 30)] == ["one", "one", "other", "other"]
    assert [plural_form("en", n) for n in (0, 1, 2, 30)] == ["other", "one", "other", "other"]


def test_counted_texts_agree_with_their_number() -> None:
    assert tn("fr", "home.unread", 1) == "1 nouveau message"
    assert tn("fr", "home.unread", 2) == "2 nouveaux messages"
    assert tn("fr", "tutoring.reminders_sent", 0) == "0 relance envoyée."
    assert tn("fr", "tutoring.reminders_sent", 6) == "6 relances envoyées."
    assert tn("en", "home.unread", 0) == "0 new messages"
    assert tn("en", "documents.uploaded", 1) == "1 document added."
    assert tn("fr", "attendance.certify_body", 3, unsigned="3").startswith("La feuille sera verrouillée (3 apprenants")


def test_no_text_hedges_its_plural() -> None:
    hedged = re.compile(r"\w\((s|x|es|ies)\)")
    for lang, table in MESSAGES.items():
        assert [k for k, v in table.items() if hedged.search(v)] == [], lang


def test_every_plural_key_has_both_forms() -> None:
    for table in MESSAGES.values():
        for key in table:
            if key.endswith(".one"):
                assert key[: -len(".one")] + ".other" in table, key
            if key.endswith(".other"):
                assert key[: -len(".other")] + ".one" in table, key
