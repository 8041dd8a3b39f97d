"""What an answer may be, and what it earns: pure functions over a question's answer key.

Values, as stored (JSON) and as the browser sends them:

- single: a choice id; multiple: a list of choice ids;
- scale: an integer from 1 to the scale's maximum; likert: a list with one such integer
  (or null, not answered yet) per row;
- short_text / long_text: a string; number: a number (a decimal comma is accepted).

Only single choice, multiple choice and number questions are graded: a multiple choice
earns its points when exactly the right choices are ticked, a number when it is within the
tolerance. Scales, grids and texts are collected, not graded.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.models.evaluations import GRADED_KINDS
from app.services.errors import ErrorCode, PlumeError

SHORT_TEXT_MAX = 300
LONG_TEXT_MAX = 4000
NUMBER_MAX = 1e12

Value = int | float | str | list[int] | list[int | None] | None


@dataclass(frozen=True)
class Key:
    """One question as grading sees it: never sent to a learner's browser."""

    id: int
    kind: str
    points: float
    choice_ids: tuple[int, ...] = ()
    correct: frozenset[int] = frozenset()
    answer_number: float | None = None
    tolerance: float = 0
    scale_max: int | None = None
    rows: int = 0

    @property
    def graded(self) -> bool:
        """Whether the question earns points: a graded kind, with points and a right answer."""
        if self.kind not in GRADED_KINDS or self.points <= 0:
            return False
        return self.answer_number is not None if self.kind == "number" else bool(self.correct)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip().replace("\u202f", "").replace(" ", "").replace(",", ".")
        try:
            value = float(text)
        except ValueError:
            return None
    if not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > NUMBER_MAX:
        return None
    return float(value)


def _level(value: object, scale_max: int | None) -> int | None:
    level = _int(value)
    return level if level is not None and 1 <= level <= (scale_max or 0) else None


def _text(value: object, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise PlumeError(ErrorCode.ANSWER_INVALID)
    return value.strip()


def check_value(key: Key, value: object) -> Value:
    """An answer as the browser sent it, checked against its question and put in its stored form.

    Args:
        key: The question.
        value: The answer sent (None clears it).

    Returns:
        The answer to store.

    Raises:
        PlumeError: ANSWER_INVALID when it does not fit the question.
    """
    if value is None:
        return None
    if key.kind == "single":
        choice = _int(value)
        if choice is None or choice not in key.choice_ids:
            raise PlumeError(ErrorCode.ANSWER_INVALID)
        return choice
    if key.kind == "multiple":
        if not isinstance(value, list) or len(value) > len(key.choice_ids):
            raise PlumeError(ErrorCode.ANSWER_INVALID)
        chosen = [_int(item) for item in value]
        if any(c is None or c not in key.choice_ids for c in chosen) or len(set(chosen)) != len(chosen):
            raise PlumeError(ErrorCode.ANSWER_INVALID)
        return sorted(c for c in chosen if c is not None)
    if key.kind == "scale":
        level = _level(value, key.scale_max)
        if level is None:
            raise PlumeError(ErrorCode.ANSWER_INVALID)
        return level
    if key.kind == "likert":
        if not isinstance(value, list) or len(value) != key.rows:
            raise PlumeError(ErrorCode.ANSWER_INVALID)
        levels = [None if item is None else _level(item, key.scale_max) for item in value]
        if any(level is None and item is not None for level, item in zip(levels, value, strict=True)):
            raise PlumeError(ErrorCode.ANSWER_INVALID)
        return levels
    if key.kind == "short_text":
        return _text(value, SHORT_TEXT_MAX)
    if key.kind == "long_text":
        return _text(value, LONG_TEXT_MAX)
    number = _number(value)
    if number is None:
        raise PlumeError(ErrorCode.ANSWER_INVALID)
    return number


def is_correct(key: Key, value: object) -> bool | None:
    """Whether a stored answer is right; None for a question that is not graded.

    Args:
        key: The question.
        value: The stored answer (None: not answered, which is wrong).

    Returns:
        True, False, or None when the question is not graded.
    """
    if not key.graded:
        return None
    if key.kind == "single":
        return _int(value) in key.correct
    if key.kind == "multiple":
        return isinstance(value, list) and frozenset(v for v in value if _int(v) is not None) == key.correct
    number = _number(value)
    answer = key.answer_number
    # A small epsilon so that 0.1 + 0.2 answered for 0.3 is right.
    return number is not None and answer is not None and abs(number - answer) <= key.tolerance + 1e-9


@dataclass(frozen=True)
class Grade:
    """An attempt's result: points earned, points possible, score in %, passed."""

    points: float
    max_points: float
    score: float | None  # None when nothing is graded
    passed: bool | None
    correct: dict[int, bool | None]  # question id → right, wrong, or None (not graded)


def grade(keys: Sequence[Key], answers: Mapping[int, object], passing_score: int) -> Grade:
    """Grade an attempt's answers.

    Args:
        keys: The questions asked.
        answers: Question id → stored answer (missing: not answered).
        passing_score: The score in % needed to pass.

    Returns:
        The grade: score = 100 × earned / possible, rounded to two decimals; passed when score ≥ passing score.
    """
    earned = possible = 0.0
    correct: dict[int, bool | None] = {}
    for key in keys:
        right = is_correct(key, answers.get(key.id))
        correct[key.id] = right
        if right is None:
            continue
        possible += key.points
        earned += key.points if right else 0
    if possible <= 0:
        return Grade(points=0, max_points=0, score=None, passed=None, correct=correct)
    score = round(100 * earned / possible, 2)
    return Grade(points=earned, max_points=possible, score=score, passed=score >= passing_score, correct=correct)
