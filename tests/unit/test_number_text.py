"""Numbers a person reads: one French writing for scores, hours and rates."""

from __future__ import annotations

from app.i18n import decimal_text, percent_text


def test_decimals_take_a_comma_and_lose_trailing_zeros() -> None:
    assert decimal_text(2.5) == "2,5"
    assert decimal_text(200 / 3) == "66,67"
    assert decimal_text(12.0) == "12"
    assert decimal_text(100.0, 0) == "100"  # no decimals asked: the zeros of the number stay
    assert decimal_text(0.004) == "0"


def test_a_percentage_reads_as_in_french_and_is_empty_without_a_value() -> None:
    assert percent_text(68.66) == "68,66 %"
    assert percent_text(100) == "100 %"
    assert percent_text(None) == ""
