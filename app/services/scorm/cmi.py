"""The SCORM run-time data model on the server: what a package may commit, checked before anything is stored.

The player's run-time (`scorm-again`, see `components/scorm.py`) sends its whole data model to the commit URL
on `LMSCommit` / `Commit`, every few seconds and when the SCO finishes. `parse_commit` checks it element by
element against the data model of the package's version and returns a `Commit` with what Plume keeps; the first
fault raises `CmiError` with the SCORM error code the standard defines for it, and the commit as a whole is
refused (nothing of it is stored).

Bodies accepted (read in jcputney/scorm-again: `Scorm12API.renderCommitCMI`, the SCORM 2004 `renderCommitCMI`,
`SerializationService.renderCMIToJSONString` / `getCommitObject`, `cmi/common/array.ts` `CMIArray.toJSON`,
`constants/default_settings.ts`):

- nested, `dataCommitFormat: "json"` (the default, and what `assets/scorm-player.js` asks for):
  `{"cmi": {"core": {"lesson_status": "incomplete", "score": {"raw": "80", ...}, ...}, "suspend_data": "...",
  "interactions": {"0": {"id": "q1", ...}}, ...}}`. Collections are objects keyed "0", "1"... (`CMIArray.toJSON`);
  JSON lists are accepted too. Every element the run-time knows is sent, unset ones as "" (or null when
  `sendFullCommit` is off); `total_time` only on the last commit. SCORM 2004 may add an `adl` object beside `cmi`.
- flattened, `dataCommitFormat: "flattened"`: `{"cmi.core.lesson_status": "incomplete", "cmi.interactions.0.id": ...}`.
- the structured object of `renderCommonCommitFields: true`: `{"runtimeData": <one of the above>,
  "completionStatus": ..., "successStatus": ..., "totalTimeSeconds": ..., "score": {...}}` plus optional
  metadata; only `runtimeData` is read, the summary being the run-time's own reading of it.

Rules:

- Every element must belong to the version's data model, else 401. Read-only elements (`cmi.core.student_id`,
  `cmi.core.total_time`, `cmi.learner_id`, `cmi.mode`, `cmi.entry`, the `_children` / `_count` keywords...) are
  sent back by the run-time in every commit: their values are ignored (the server owns them), never stored.
- Types, vocabularies and ranges per the standard: 405 (SCORM 1.2) or 406 / 407 (SCORM 2004). A value longer
  than the element's limit (`cmi.suspend_data` 4,096 characters in 1.2, 64,000 in 2004...): 405 in 1.2 (the
  type is CMIString4096), 351 in 2004 (the LMS cannot store it).
- Collections are set in order from index 0 without gaps, at most 250 interactions and 100 objectives (the
  2004 smallest permitted maximums, applied to 1.2 too): 201 (1.2) or 351 (2004) otherwise. An element given
  twice (nested and flattened) is a 201 / 351 as well.
- In 2004 an interaction or objective needs its `id`: 408 (dependency not established) otherwise.
- `cmi.exit` in 2004 says "time-out", as in 1.2 (SCORM 2004 RTE 4.2.12, and `scorm-again`'s CMIExit).

Interactions and objectives are kept in one shape for both versions, with only what the package set: an
interaction's `learner_response` (1.2 `student_response`), `result` ("incorrect" for 1.2's "wrong", or a number),
`latency_seconds`, `objectives` and `correct_responses` as lists; an objective's `completion` / `success` (1.2
`status` read as `cmi.core.lesson_status` is), `score_raw` / `_min` / `_max` / `_scaled`.

Two leniencies, both where `scorm-again` itself accepts the value, so that a commit the run-time took from the
package is not lost over it: identifiers may contain spaces (1.2 CMIIdentifier, 2004 long identifiers), and 1.2
interaction responses and patterns (CMIFeedback, 255 characters in the standard) may be up to 4,096 characters.
Scalars arrive as strings, or as numbers / booleans when a package passed them to `SetValue` as such: they are
read as JavaScript's `String()` would. NUL characters are refused everywhere (the database cannot store them).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

VERSIONS = ("1.2", "2004")
MAX_INTERACTIONS = 250
MAX_OBJECTIVES = 100
MAX_NESTED = 250  # interaction objectives and patterns, learner comments, adl.data: a bound on the payload
_KEYWORDS = ("_children", "_count", "_version")
_STRUCTURED_KEYS = frozenset(
    {
        "runtimeData",
        "completionStatus",
        "successStatus",
        "totalTimeSeconds",
        "score",
        "courseId",
        "scoId",
        "learnerId",
        "learnerName",
        "sessionId",
        "activityId",
        "attempt",
        "commitId",
        "globalObjectives",
    }
)


class CmiError(Exception):
    """A commit refused: the SCORM error code of its first fault, the element, and what is wrong."""

    def __init__(self, code: str, element: str, message: str) -> None:
        super().__init__(f"{code} {element}: {message}")
        self.code = code
        self.element = element
        self.message = message


@dataclass(frozen=True)
class Commit:
    """What Plume keeps of a valid commit, read the same way for both versions."""

    version: str  # "1.2" or "2004"
    completion: str  # "not_attempted", "incomplete", "completed", "unknown"
    success: str  # "passed", "failed", "unknown"
    score_raw: float | None
    score_min: float | None
    score_max: float | None
    score_scaled: float | None
    session_seconds: float
    location: str
    suspend_data: str
    exit: str
    progress_measure: float | None
    interactions: list[dict[str, Any]]
    objectives: list[dict[str, Any]]


@dataclass(frozen=True)
class _Faults:
    """The error code of each kind of fault in one version."""

    general: str  # a malformed body, an index out of order, a collection over its limit
    unknown: str
    type: str
    range: str
    length: str
    dependency: str


_FAULTS = {
    "1.2": _Faults(general="201", unknown="401", type="405", range="405", length="405", dependency="201"),
    "2004": _Faults(general="351", unknown="401", type="406", range="407", length="351", dependency="408"),
}

# A check reads an element's text and returns the value kept (a string or a float), or raises CmiError.
Check = Callable[[str, str, _Faults], Any]


# Times and durations.

_TIMESPAN_12 = re.compile(r"(\d{2,4}):([0-5]\d):([0-5]\d)(?:\.(\d{1,2}))?", re.ASCII)
_DURATION_2004 = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d{1,2})?)S)?)?", re.ASCII
)
_TIME_12 = re.compile(r"([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,2})?", re.ASCII)
_TIMESTAMP_2004 = re.compile(
    r"(19[7-9]\d|20[0-2]\d|203[0-8])"
    r"(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d{1,2})?)?)?"
    r"(Z|[+-]([01]\d|2[0-3])(:?[0-5]\d)?)?)?)?)?",
    re.ASCII,
)
_MAX_TIMESPAN_CS = (9999 * 3600 + 59 * 60 + 59) * 100 + 99


def parse_timespan_12(text: str) -> float:
    """Seconds in a SCORM 1.2 CMITimespan, `HHHH:MM:SS(.SS)` (2 to 4 digits of hours).

    Args:
        text: The timespan, e.g. "0000:01:30.50".

    Returns:
        The seconds it spans (90.5).

    Raises:
        ValueError: Not a CMITimespan.
    """
    found = _TIMESPAN_12.fullmatch(text)
    if found is None:
        raise ValueError(f"not a CMITimespan: {text!r}")
    hours, minutes, seconds, fraction = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + int(seconds) + (int(fraction.ljust(2, "0")) / 100 if fraction else 0)


def format_timespan_12(seconds: float) -> str:
    """A number of seconds as a SCORM 1.2 CMITimespan, to the hundredth (what `cmi.core.total_time` carries).

    Args:
        seconds: The time; negative counts as 0, beyond 9999:59:59.99 is capped there.

    Returns:
        The timespan, e.g. "0000:01:30.50" for 90.5, "0001:00:00" for 3600.
    """
    centis = min(max(round(seconds * 100), 0), _MAX_TIMESPAN_CS) if math.isfinite(seconds) else 0
    whole, centi = divmod(centis, 100)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:04d}:{minutes:02d}:{secs:02d}" + (f".{centi:02d}" if centi else "")


def parse_duration_2004(text: str) -> float:
    """Seconds in a SCORM 2004 timeinterval, `P[yY][mM][dD][T[hH][mM][s[.s]S]]` (ISO 8601, to the hundredth).

    A year counts 365 days and a month 30: the standard leaves them to the LMS, and run-times send hours,
    minutes and seconds anyway.

    Args:
        text: The duration, e.g. "PT1H2M3.5S" or "P1DT1S".

    Returns:
        The seconds it spans (3723.5, 86401).

    Raises:
        ValueError: Not a SCORM 2004 duration ("P" and "PT" alone included).
    """
    found = _DURATION_2004.fullmatch(text)
    if found is None or text in ("P", "PT") or text.endswith("T"):
        raise ValueError(f"not an ISO 8601 duration: {text!r}")
    years, months, days, hours, minutes, seconds = found.groups()
    return (
        int(years or 0) * 365 * 86400
        + int(months or 0) * 30 * 86400
        + int(days or 0) * 86400
        + int(hours or 0) * 3600
        + int(minutes or 0) * 60
        + float(seconds or 0)
    )


def format_duration_2004(seconds: float) -> str:
    """A number of seconds as a SCORM 2004 timeinterval, in days, hours, minutes and seconds (`cmi.total_time`).

    Args:
        seconds: The time; negative counts as 0.

    Returns:
        The duration, e.g. "PT1H2M3.5S" for 3723.5, "P1DT1S" for 86401, "PT0S" for 0.
    """
    centis = max(round(seconds * 100), 0) if math.isfinite(seconds) else 0
    whole, centi = divmod(centis, 100)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    date = f"{days}D" if days else ""
    time = (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    if secs or centi:
        time += str(secs) + (f".{centi:02d}".rstrip("0") if centi else "") + "S"
    if not date and not time:
        return "PT0S"
    return "P" + date + (f"T{time}" if time else "")


# Element checks.

_REAL = re.compile(r"-?(\d+(\.\d*)?|\.\d+)", re.ASCII)
_INTEGER = re.compile(r"-?\d+", re.ASCII)
_LANGUAGE = re.compile(r"([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9]{2,8})*", re.ASCII)
_LANG_PREFIX = re.compile(r"\{lang=([a-zA-Z]{2,3}|i|x)(-[a-zA-Z0-9]{2,8})*\}", re.ASCII)
_NAV_REQUEST = re.compile(
    r"previous|continue|exit|exitAll|abandon|abandonAll|suspendAll|_none_|\{target=[^\s{}]+\}(choice|jump)"
)


def _text(limit: int) -> Check:
    def check(text: str, element: str, faults: _Faults) -> str:
        if len(text) > limit:
            raise CmiError(faults.length, element, f"longer than {limit} characters")
        return text

    return check


def _identifier(limit: int) -> Check:
    def check(text: str, element: str, faults: _Faults) -> str:
        if len(text) > limit:
            raise CmiError(faults.length, element, f"identifier longer than {limit} characters")
        if text.strip() != text or any(not char.isprintable() for char in text):
            raise CmiError(faults.type, element, "not an identifier")
        return text

    return check


def _localized(limit: int) -> Check:
    """A 2004 localized string: an optional `{lang=..}` delimiter, then at most `limit` characters."""

    def check(text: str, element: str, faults: _Faults) -> str:
        prefix = _LANG_PREFIX.match(text) if text.startswith("{lang=") else None
        if text.startswith("{lang=") and prefix is None:
            raise CmiError(faults.type, element, "malformed {lang=...} delimiter")
        if len(text) - (prefix.end() if prefix else 0) > limit:
            raise CmiError(faults.length, element, f"longer than {limit} characters")
        return text

    return check


def _vocabulary(*words: str) -> Check:
    def check(text: str, element: str, faults: _Faults) -> str:
        if text not in words:
            raise CmiError(faults.type, element, f"{text[:40]!r} is not one of {', '.join(map(repr, words))}")
        return text

    return check


def _real(low: float | None = None, high: float | None = None, *, integer: bool = False) -> Check:
    def check(text: str, element: str, faults: _Faults) -> float:
        if len(text) > 40 or not (_INTEGER if integer else _REAL).fullmatch(text):
            raise CmiError(faults.type, element, "not an integer" if integer else "not a number")
        value = float(text)
        if (low is not None and value < low) or (high is not None and value > high):
            raise CmiError(faults.range, element, f"{text} is outside [{low}, {high}]")
        return value

    return check


def _result(*words: str) -> Check:
    number = _real()

    def check(text: str, element: str, faults: _Faults) -> str | float:
        if text in words:
            return "incorrect" if text == "wrong" else text
        try:
            return number(text, element, faults)
        except CmiError:
            raise CmiError(faults.type, element, f"{text[:40]!r} is neither a result nor a number") from None

    return check


def _pattern(regex: re.Pattern[str], what: str) -> Check:
    def check(text: str, element: str, faults: _Faults) -> str:
        if not regex.fullmatch(text):
            raise CmiError(faults.type, element, f"not {what}")
        return text

    return check


def _language(text: str, element: str, faults: _Faults) -> str:
    if len(text) > 250 or not _LANGUAGE.fullmatch(text):
        raise CmiError(faults.type, element, "not a language code")
    return text


def _timespan_12(text: str, element: str, faults: _Faults) -> float:
    try:
        return parse_timespan_12(text)
    except ValueError:
        raise CmiError(faults.type, element, "not a CMITimespan (HHHH:MM:SS.SS)") from None


def _duration_2004(text: str, element: str, faults: _Faults) -> float:
    try:
        return parse_duration_2004(text)
    except ValueError:
        raise CmiError(faults.type, element, "not an ISO 8601 duration (P[yY][mM][dD][T[hH][mM][s[.s]S]])") from None


# The data models: each settable element and its check; None marks an element the learner may not set.

_STATUS_12 = ("passed", "completed", "failed", "incomplete", "browsed", "not attempted")
_SCORE_12 = _real(0, 100)
_FEEDBACK_12 = _text(4096)

_MODEL_12: dict[str, Check | None] = {
    "cmi.core.student_id": None,
    "cmi.core.student_name": None,
    "cmi.core.lesson_location": _text(255),
    "cmi.core.credit": None,
    "cmi.core.lesson_status": _vocabulary(*_STATUS_12),
    "cmi.core.entry": None,
    "cmi.core.score.raw": _SCORE_12,
    "cmi.core.score.min": _SCORE_12,
    "cmi.core.score.max": _SCORE_12,
    "cmi.core.total_time": None,
    "cmi.core.lesson_mode": None,
    "cmi.core.exit": _vocabulary("time-out", "suspend", "logout", ""),
    "cmi.core.session_time": _timespan_12,
    "cmi.suspend_data": _text(4096),
    "cmi.launch_data": None,
    "cmi.comments": _text(4096),
    "cmi.comments_from_lms": None,
    "cmi.objectives.n.id": _identifier(255),
    "cmi.objectives.n.score.raw": _SCORE_12,
    "cmi.objectives.n.score.min": _SCORE_12,
    "cmi.objectives.n.score.max": _SCORE_12,
    "cmi.objectives.n.status": _vocabulary(*_STATUS_12),
    "cmi.student_data.mastery_score": None,
    "cmi.student_data.max_time_allowed": None,
    "cmi.student_data.time_limit_action": None,
    "cmi.student_preference.audio": _real(-1, 100, integer=True),
    "cmi.student_preference.language": _text(255),
    "cmi.student_preference.speed": _real(-100, 100, integer=True),
    "cmi.student_preference.text": _real(-1, 1, integer=True),
    "cmi.interactions.n.id": _identifier(255),
    "cmi.interactions.n.objectives.n.id": _identifier(255),
    "cmi.interactions.n.time": _pattern(_TIME_12, "a CMITime (HH:MM:SS)"),
    "cmi.interactions.n.type": _vocabulary(
        "true-false", "choice", "fill-in", "matching", "performance", "sequencing", "likert", "numeric"
    ),
    "cmi.interactions.n.correct_responses.n.pattern": _FEEDBACK_12,
    "cmi.interactions.n.weighting": _real(),
    "cmi.interactions.n.student_response": _FEEDBACK_12,
    "cmi.interactions.n.result": _result("correct", "wrong", "unanticipated", "neutral"),
    "cmi.interactions.n.latency": _timespan_12,
}

_COMPLETION_2004 = _vocabulary("completed", "incomplete", "not attempted", "unknown")
_SUCCESS_2004 = _vocabulary("passed", "failed", "unknown")
_LONG_ID = _identifier(4000)
_TIMESTAMP = _pattern(_TIMESTAMP_2004, "an ISO 8601 time between 1970 and 2038")

_MODEL_2004: dict[str, Check | None] = {
    "cmi.comments_from_learner.n.comment": _localized(4000),
    "cmi.comments_from_learner.n.location": _text(250),
    "cmi.comments_from_learner.n.timestamp": _TIMESTAMP,
    "cmi.comments_from_lms.n.comment": None,
    "cmi.comments_from_lms.n.location": None,
    "cmi.comments_from_lms.n.timestamp": None,
    "cmi.completion_status": _COMPLETION_2004,
    "cmi.completion_threshold": None,
    "cmi.credit": None,
    "cmi.entry": None,
    "cmi.exit": _vocabulary("time-out", "suspend", "logout", "normal", ""),
    "cmi.interactions.n.id": _LONG_ID,
    "cmi.interactions.n.type": _vocabulary(
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    ),
    "cmi.interactions.n.objectives.n.id": _LONG_ID,
    "cmi.interactions.n.timestamp": _TIMESTAMP,
    "cmi.interactions.n.correct_responses.n.pattern": _text(64000),
    "cmi.interactions.n.weighting": _real(),
    "cmi.interactions.n.learner_response": _text(64000),
    "cmi.interactions.n.result": _result("correct", "incorrect", "unanticipated", "neutral"),
    "cmi.interactions.n.latency": _duration_2004,
    "cmi.interactions.n.description": _localized(250),
    "cmi.launch_data": None,
    "cmi.learner_id": None,
    "cmi.learner_name": None,
    "cmi.learner_preference.audio_level": _real(0),
    "cmi.learner_preference.language": _language,
    "cmi.learner_preference.delivery_speed": _real(0),
    "cmi.learner_preference.audio_captioning": _vocabulary("-1", "0", "1"),
    "cmi.location": _text(1000),
    "cmi.max_time_allowed": None,
    "cmi.mode": None,
    "cmi.objectives.n.id": _LONG_ID,
    "cmi.objectives.n.score.scaled": _real(-1, 1),
    "cmi.objectives.n.score.raw": _real(),
    "cmi.objectives.n.score.min": _real(),
    "cmi.objectives.n.score.max": _real(),
    "cmi.objectives.n.success_status": _SUCCESS_2004,
    "cmi.objectives.n.completion_status": _COMPLETION_2004,
    "cmi.objectives.n.progress_measure": _real(0, 1),
    "cmi.objectives.n.description": _localized(250),
    "cmi.progress_measure": _real(0, 1),
    "cmi.scaled_passing_score": None,
    "cmi.score.scaled": _real(-1, 1),
    "cmi.score.raw": _real(),
    "cmi.score.min": _real(),
    "cmi.score.max": _real(),
    "cmi.session_time": _duration_2004,
    "cmi.success_status": _SUCCESS_2004,
    "cmi.suspend_data": _text(64000),
    "cmi.time_limit_action": None,
    "cmi.total_time": None,
    "adl.nav.request": _pattern(_NAV_REQUEST, "a navigation request"),
    "adl.data.n.id": None,
    "adl.data.n.store": _text(64000),
}

_MODELS = {"1.2": _MODEL_12, "2004": _MODEL_2004}
# Whole subtrees the run-time reports and the learner never sets (2004's navigation look-ahead, by target).
_READ_ONLY_TREES = {"1.2": (), "2004": ("adl.nav.request_valid",)}
_ROOTS = {"1.2": ("cmi",), "2004": ("cmi", "adl")}
_LIMITS = {"cmi.interactions": MAX_INTERACTIONS, "cmi.objectives": MAX_OBJECTIVES}


def _containers(model: dict[str, Check | None]) -> frozenset[str]:
    """Every pattern that holds elements (`cmi`, `cmi.core`, `cmi.interactions.n`...)."""
    found: set[str] = set()
    for pattern in model:
        parts = pattern.split(".")
        found.update(".".join(parts[:end]) for end in range(1, len(parts)))
    return frozenset(found)


_CONTAINERS = {version: _containers(model) for version, model in _MODELS.items()}
_INDEX = re.compile(r"\d+", re.ASCII)


# Reading a commit.


def _as_text(value: object, element: str, faults: _Faults) -> str | None:
    """A scalar as JavaScript's `String()` gives it; None for an unset element (null)."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float) and math.isfinite(value):
        text = str(int(value)) if value.is_integer() and abs(value) < 1e21 else repr(value)
    else:
        raise CmiError(faults.type, element, f"a {type(value).__name__} where a value is expected")
    if "\x00" in text:
        raise CmiError(faults.type, element, "contains a NUL character")
    return text


def _flatten(value: object, path: str, out: dict[str, object], faults: _Faults) -> None:
    """Nested objects and lists into dotted elements (`cmi.core.score.raw`), flattened keys kept as they are."""
    if isinstance(value, dict):
        for key, child in value.items():
            if not isinstance(key, str) or not key or key.startswith(".") or key.endswith(".") or ".." in key:
                raise CmiError(faults.unknown, f"{path}.{key}" if path else str(key), "not a data model element")
            _flatten(child, f"{path}.{key}" if path else key, out, faults)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            _flatten(child, f"{path}.{index}", out, faults)
    else:
        if path in out:
            raise CmiError(faults.general, path, "given twice")
        out[path] = value


def _runtime_data(body: object, faults: _Faults) -> dict[str, object]:
    if not isinstance(body, dict):
        raise CmiError(faults.general, "", "the commit is not a JSON object")
    if "runtimeData" not in body:
        return body
    for key in body:
        if key not in _STRUCTURED_KEYS:
            raise CmiError(faults.unknown, str(key), "not a data model element")
    data = body["runtimeData"]
    if not isinstance(data, dict):
        raise CmiError(faults.general, "runtimeData", "not a JSON object")
    return data


def _pattern_of(path: str) -> tuple[str, list[tuple[str, str]]]:
    """The element's pattern (indexes as `n`) and each collection it sits in with its index, outermost first."""
    parts = path.split(".")
    arrays: list[tuple[str, str]] = []
    pattern: list[str] = []
    for position, part in enumerate(parts):
        if position > 0 and _INDEX.fullmatch(part):
            arrays.append((".".join(parts[:position]), part))
            pattern.append("n")
        else:
            pattern.append(part)
    return ".".join(pattern), arrays


def _elements(version: str, body: object) -> dict[str, Any]:
    """Each element the learner set, checked, with its value as kept; read-only ones dropped."""
    faults = _FAULTS[version]
    model, containers = _MODELS[version], _CONTAINERS[version]
    flat: dict[str, object] = {}
    _flatten(_runtime_data(body, faults), "", flat, faults)
    values: dict[str, Any] = {}
    counts: dict[str, set[int]] = {}
    for path, raw in flat.items():
        if path.split(".")[0] not in _ROOTS[version]:
            raise CmiError(faults.unknown, path, "not a data model element")
        if any(path == tree or path.startswith(tree + ".") for tree in _READ_ONLY_TREES[version]):
            continue
        pattern, arrays = _pattern_of(path)
        head, _, last = pattern.rpartition(".")
        if last in _KEYWORDS and (head in containers or head in _ROOTS[version]):
            continue  # _children, _count, _version: read-only keywords
        if pattern not in model:
            parts = pattern.split(".")
            leaf = next((".".join(parts[:end]) for end in range(1, len(parts)) if ".".join(parts[:end]) in model), "")
            if leaf and model[leaf] is None:
                continue  # whatever a read-only element holds, the server owns it
            if leaf:
                raise CmiError(faults.type, path, f"{leaf} holds a single value")
            if pattern in containers:
                raise CmiError(faults.type, path, "holds elements, not a value")
            raise CmiError(faults.unknown, path, "not a data model element")
        check = model[pattern]
        if check is None:
            continue  # read-only: the server owns it
        for array, index in arrays:
            if index != str(int(index)):
                raise CmiError(faults.general, path, f"index {index} is not a plain number")
            limit = _LIMITS.get(_pattern_of(array)[0], MAX_NESTED)
            if int(index) >= limit:
                raise CmiError(faults.general, path, f"more than {limit} entries in {array}")
            counts.setdefault(array, set()).add(int(index))
        text = _as_text(raw, path, faults)
        if not text:
            continue  # unset: the run-time sends every element, "" (or null) when nothing was set
        values[path] = check(text, path, faults)
    for array, indexes in counts.items():
        if indexes != set(range(len(indexes))):
            missing = min(set(range(max(indexes) + 1)) - indexes)
            raise CmiError(faults.general, f"{array}.{missing}", "collection entries not set in order")
    return values


def _entries(values: dict[str, Any], array: str) -> list[dict[str, Any]]:
    """A collection's entries in order, each a dict of its elements by their dotted name within the entry."""
    prefix = array + "."
    entries: dict[int, dict[str, Any]] = {}
    for path, value in values.items():
        if path.startswith(prefix):
            index, _, rest = path[len(prefix) :].partition(".")
            if _INDEX.fullmatch(index):
                entries.setdefault(int(index), {})[rest] = value
    return [entries[index] for index in sorted(entries)]


def _listed(entry: dict[str, Any], array: str, name: str) -> list[Any]:
    return [item[name] for item in _entries(entry, array) if name in item]


_STATUS_READING = {
    "passed": ("completed", "passed"),
    "failed": ("completed", "failed"),
    "completed": ("completed", "unknown"),
    "incomplete": ("incomplete", "unknown"),
    "browsed": ("incomplete", "unknown"),
    "not attempted": ("not_attempted", "unknown"),
}


def _interaction(entry: dict[str, Any], version: str, element: str) -> dict[str, Any]:
    if version == "2004" and "id" not in entry:
        raise CmiError(_FAULTS[version].dependency, f"{element}.id", "an interaction needs its id")
    names = {
        "id": "id",
        "type": "type",
        "time": "time",
        "timestamp": "timestamp",
        "weighting": "weighting",
        "student_response": "learner_response",
        "learner_response": "learner_response",
        "result": "result",
        "latency": "latency_seconds",
        "description": "description",
    }
    kept = {names[key]: value for key, value in entry.items() if key in names}
    objectives = _listed(entry, "objectives", "id")
    patterns = _listed(entry, "correct_responses", "pattern")
    if objectives:
        kept["objectives"] = objectives
    if patterns:
        kept["correct_responses"] = patterns
    return kept


def _objective(entry: dict[str, Any], version: str, element: str) -> dict[str, Any] | None:
    if version == "2004" and "id" not in entry:
        if all(value == "unknown" for value in entry.values()):
            # The run-time keeps an objective the SCO failed to give an id first (it answered 408 then), with
            # its statuses at "unknown", and sends it on every commit: refusing it would refuse them all.
            return None
        raise CmiError(_FAULTS[version].dependency, f"{element}.id", "an objective needs its id")
    kept: dict[str, Any] = {}
    if "id" in entry:
        kept["id"] = entry["id"]
    if "status" in entry:
        kept["completion"], kept["success"] = _STATUS_READING[entry["status"]]
    if "completion_status" in entry:
        kept["completion"] = entry["completion_status"].replace(" ", "_")
    if "success_status" in entry:
        kept["success"] = entry["success_status"]
    for part in ("raw", "min", "max", "scaled"):
        if f"score.{part}" in entry:
            kept[f"score_{part}"] = entry[f"score.{part}"]
    for key in ("progress_measure", "description"):
        if key in entry:
            kept[key] = entry[key]
    return kept


def parse_commit(version: str, body: object) -> Commit:
    """Check a commit from the run-time against the package's data model and read what Plume keeps.

    Args:
        version: The package's SCORM version, "1.2" or "2004".
        body: The JSON body the run-time sent (see the module's docstring for its forms).

    Returns:
        The commit, read.

    Raises:
        CmiError: The first fault, with its SCORM error code; nothing of the commit is to be stored.
        ValueError: An unknown version (a package Plume recorded always has one of the two).
    """
    if version not in VERSIONS:
        raise ValueError(f"unknown SCORM version {version!r}")
    values = _elements(version, body)
    interactions = [
        _interaction(entry, version, f"cmi.interactions.{index}")
        for index, entry in enumerate(_entries(values, "cmi.interactions"))
    ]
    read = (
        _objective(entry, version, f"cmi.objectives.{index}")
        for index, entry in enumerate(_entries(values, "cmi.objectives"))
    )
    objectives = [objective for objective in read if objective is not None]
    if version == "1.2":
        completion, success = _STATUS_READING[values.get("cmi.core.lesson_status", "not attempted")]
        return Commit(
            version=version,
            completion=completion,
            success=success,
            score_raw=values.get("cmi.core.score.raw"),
            score_min=values.get("cmi.core.score.min"),
            score_max=values.get("cmi.core.score.max"),
            score_scaled=None,
            session_seconds=values.get("cmi.core.session_time", 0.0),
            location=values.get("cmi.core.lesson_location", ""),
            suspend_data=values.get("cmi.suspend_data", ""),
            exit=values.get("cmi.core.exit", ""),
            progress_measure=None,
            interactions=interactions,
            objectives=objectives,
        )
    return Commit(
        version=version,
        completion=values.get("cmi.completion_status", "unknown").replace(" ", "_"),
        success=values.get("cmi.success_status", "unknown"),
        score_raw=values.get("cmi.score.raw"),
        score_min=values.get("cmi.score.min"),
        score_max=values.get("cmi.score.max"),
        score_scaled=values.get("cmi.score.scaled"),
        session_seconds=values.get("cmi.session_time", 0.0),
        location=values.get("cmi.location", ""),
        suspend_data=values.get("cmi.suspend_data", ""),
        exit=values.get("cmi.exit", ""),
        progress_measure=values.get("cmi.progress_measure"),
        interactions=interactions,
        objectives=objectives,
    )


# Reading a commit into Plume's lesson progress.


def score_percent(commit: Commit) -> float | None:
    """The commit's score in percent: scaled × 100, else raw within [min, max], else raw as it is.

    Args:
        commit: A parsed commit.

    Returns:
        The score rounded to the hundredth, or None when the package reported none.
    """
    if commit.score_scaled is not None:
        return round(commit.score_scaled * 100, 2)
    if commit.score_raw is None:
        return None
    low, high = commit.score_min, commit.score_max
    if low is not None and high is not None and high > low:
        return round((commit.score_raw - low) / (high - low) * 100, 2)
    return round(commit.score_raw, 2)


def _passing(commit: Commit, mastery_score: float) -> str:
    """Passed or failed against the mastery score (percent), the package's own reading when it gave no score.

    SCORM 1.2 compares `cmi.core.score.raw` with the mastery score; SCORM 2004 compares `cmi.score.scaled` with
    `cmi.scaled_passing_score` (the mastery score / 100, see runtime.py). Without that score the package's
    success status stands, as `scorm-again` leaves it when the SCO terminates.
    """
    score = commit.score_raw if commit.version == "1.2" else commit.score_scaled
    if score is None:
        return commit.success
    if commit.version == "2004":
        score *= 100
    return "passed" if score >= mastery_score else "failed"


def lesson_status(commit: Commit, mastery_score: float | None) -> str:
    """Plume's lesson status (`LESSON_STATUSES`) for a commit, the activity's mastery score applied.

    With a mastery score the LMS decides passed or failed from the score, as the standard has it, but only once
    the package says the SCO is done (completed, or passed / failed): a learner half-way through a quiz, whose
    running score is still below the mark, is not finished as failed. Every commit comes from a SCO the learner
    has open, so "not attempted", "incomplete" and "unknown" all read as in progress.

    Args:
        commit: A parsed commit.
        mastery_score: The passing score in percent, or None.

    Returns:
        "passed", "failed", "completed" or "in_progress".
    """
    success = commit.success
    if mastery_score is not None and (commit.completion == "completed" or success != "unknown"):
        success = _passing(commit, mastery_score)
    if success in ("passed", "failed"):
        return success
    return "completed" if commit.completion == "completed" else "in_progress"
