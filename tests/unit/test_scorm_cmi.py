"""SCORM run-time commits checked on the server (issue 18): the data model, the error codes, the status read."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from app.models.progress import LESSON_STATUSES
from app.services.scorm import cmi
from app.services.scorm.cmi import CmiError, Commit


def _body_12() -> dict[str, Any]:
    """A SCORM 1.2 commit as scorm-again sends it (`dataCommitFormat: "json"`, the whole data model)."""
    return {
        "cmi": {
            "suspend_data": "page=3;answers=a,b",
            "launch_data": "from the manifest",
            "comments": "",
            "comments_from_lms": "",
            "core": {
                "student_id": "42",
                "student_name": "Durand, Léa",
                "lesson_location": "page-3",
                "credit": "credit",
                "lesson_status": "passed",
                "entry": "resume",
                "lesson_mode": "normal",
                "exit": "suspend",
                "session_time": "0000:01:30.50",
                "score": {"raw": "85", "min": "0", "max": "100"},
                "total_time": "0001:00:00",
            },
            "objectives": {
                "0": {"id": "obj-1", "status": "passed", "score": {"raw": "90", "min": "", "max": ""}},
            },
            "student_data": {"mastery_score": "80", "max_time_allowed": "", "time_limit_action": ""},
            "student_preference": {"audio": "", "language": "fr", "speed": "", "text": ""},
            "interactions": {
                "0": {
                    "id": "q1",
                    "time": "14:05:09",
                    "type": "choice",
                    "weighting": "1",
                    "student_response": "b",
                    "result": "wrong",
                    "latency": "0000:00:12.5",
                    "objectives": {"0": {"id": "obj-1"}},
                    "correct_responses": {"0": {"pattern": "a"}},
                },
                "1": {
                    "id": "q2",
                    "time": "",
                    "type": "numeric",
                    "weighting": "",
                    "student_response": "12",
                    "result": "0.5",
                    "latency": "",
                    "objectives": {},
                    "correct_responses": {},
                },
            },
        }
    }


def _body_2004() -> dict[str, Any]:
    """A SCORM 2004 commit as scorm-again sends it, on the SCO's last commit (total_time included)."""
    return {
        "cmi": {
            "comments_from_learner": {"0": {"comment": "{lang=fr}Très clair", "location": "p2", "timestamp": ""}},
            "comments_from_lms": {"0": {"comment": "Bienvenue", "location": "", "timestamp": "2026-11-30T10:00:00"}},
            "completion_status": "completed",
            "completion_threshold": "0.8",
            "credit": "credit",
            "entry": "ab-initio",
            "exit": "normal",
            "interactions": {
                "0": {
                    "id": "urn:plume:q1",
                    "type": "true-false",
                    "objectives": {"0": {"id": "obj-1"}},
                    "timestamp": "2026-11-30T10:15:30.25Z",
                    "weighting": "2",
                    "learner_response": "true",
                    "result": "correct",
                    "latency": "PT5.25S",
                    "description": "{lang=fr}La Terre est ronde",
                    "correct_responses": {"0": {"pattern": "true"}},
                }
            },
            "launch_data": "",
            "learner_id": "42",
            "learner_name": "Durand, Léa",
            "learner_preference": {
                "audio_level": "1",
                "language": "fr-FR",
                "delivery_speed": "1",
                "audio_captioning": "0",
            },
            "location": "chapitre-2",
            "max_time_allowed": "",
            "mode": "normal",
            "objectives": {
                "0": {
                    "id": "obj-1",
                    "success_status": "passed",
                    "completion_status": "completed",
                    "progress_measure": "1",
                    "description": "Chapitre 1",
                    "score": {"scaled": "0.9", "raw": "9", "min": "0", "max": "10"},
                }
            },
            "progress_measure": "0.75",
            "scaled_passing_score": "0.7",
            "score": {"scaled": "0.85", "raw": "17", "min": "0", "max": "20"},
            "session_time": "PT1H2M3.5S",
            "success_status": "passed",
            "suspend_data": "x" * 10_000,
            "time_limit_action": "continue,no message",
            "total_time": "P1DT1S",
        }
    }


def _refused(version: str, body: object) -> CmiError:
    with pytest.raises(CmiError) as err:
        cmi.parse_commit(version, body)
    return err.value


def test_a_good_scorm_12_commit_is_read() -> None:
    commit = cmi.parse_commit("1.2", _body_12())
    assert (commit.version, commit.completion, commit.success) == ("1.2", "completed", "passed")
    assert (commit.score_raw, commit.score_min, commit.score_max, commit.score_scaled) == (85, 0, 100, None)
    assert commit.session_seconds == 90.5
    assert (commit.location, commit.suspend_data, commit.exit) == ("page-3", "page=3;answers=a,b", "suspend")
    assert commit.progress_measure is None
    assert commit.interactions == [
        {
            "id": "q1",
            "time": "14:05:09",
            "type": "choice",
            "weighting": 1.0,
            "learner_response": "b",
            "result": "incorrect",
            "latency_seconds": 12.5,
            "objectives": ["obj-1"],
            "correct_responses": ["a"],
        },
        {"id": "q2", "type": "numeric", "learner_response": "12", "result": 0.5},
    ]
    assert commit.objectives == [{"id": "obj-1", "completion": "completed", "success": "passed", "score_raw": 90.0}]
    json.dumps(commit.interactions + commit.objectives)  # stored as JSON by the lead's tracking


def test_a_good_scorm_2004_commit_is_read() -> None:
    commit = cmi.parse_commit("2004", _body_2004())
    assert (commit.version, commit.completion, commit.success) == ("2004", "completed", "passed")
    assert (commit.score_scaled, commit.score_raw, commit.score_min, commit.score_max) == (0.85, 17, 0, 20)
    assert commit.session_seconds == 3723.5
    assert (commit.location, commit.exit, commit.progress_measure) == ("chapitre-2", "normal", 0.75)
    assert len(commit.suspend_data) == 10_000
    assert commit.interactions == [
        {
            "id": "urn:plume:q1",
            "type": "true-false",
            "timestamp": "2026-11-30T10:15:30.25Z",
            "weighting": 2.0,
            "learner_response": "true",
            "result": "correct",
            "latency_seconds": 5.25,
            "description": "{lang=fr}La Terre est ronde",
            "objectives": ["obj-1"],
            "correct_responses": ["true"],
        }
    ]
    assert commit.objectives == [
        {
            "id": "obj-1",
            "completion": "completed",
            "success": "passed",
            "score_raw": 9.0,
            "score_min": 0.0,
            "score_max": 10.0,
            "score_scaled": 0.9,
            "progress_measure": 1.0,
            "description": "Chapitre 1",
        }
    ]


def test_the_flattened_and_structured_forms_read_the_same() -> None:
    nested = _body_2004()
    flattened: dict[str, Any] = {}

    def flatten(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                flatten(child, f"{path}.{key}" if path else key)
        else:
            flattened[path] = value

    flatten(nested, "")
    assert "cmi.interactions.0.objectives.0.id" in flattened
    structured = {
        "completionStatus": "completed",
        "successStatus": "passed",
        "totalTimeSeconds": 86401,
        "runtimeData": nested,
    }
    expected = cmi.parse_commit("2004", _body_2004())
    assert cmi.parse_commit("2004", flattened) == expected
    assert cmi.parse_commit("2004", structured) == expected


def test_unset_elements_and_nulls_are_not_values() -> None:
    body = _body_2004()
    body["cmi"].update({"score": {"scaled": None, "raw": "", "min": "", "max": ""}, "session_time": "", "exit": ""})
    body["cmi"]["interactions"] = {}
    commit = cmi.parse_commit("2004", body)
    assert (commit.score_scaled, commit.score_raw, commit.session_seconds, commit.exit) == (None, None, 0.0, "")
    assert commit.interactions == []


def test_numbers_a_package_passed_to_set_value_are_read_as_strings() -> None:
    body = _body_12()
    body["cmi"]["core"]["score"] = {"raw": 72.5, "min": 0, "max": 100}
    body["cmi"]["core"]["lesson_location"] = 7
    commit = cmi.parse_commit("1.2", body)
    assert (commit.score_raw, commit.location) == (72.5, "7")


def test_read_only_elements_are_ignored_whatever_they_hold() -> None:
    body = _body_12()
    body["cmi"]["core"].update({"student_id": "someone-else", "credit": "no-credit", "total_time": "not a time"})
    body["cmi"]["core"]["entry"] = {"forged": True}
    body["cmi"]["launch_data"] = 12
    body["cmi"]["student_data"]["mastery_score"] = "0"
    body["cmi"]["interactions"]["_count"] = "99"
    assert cmi.parse_commit("1.2", body) == cmi.parse_commit("1.2", _body_12())
    body = _body_2004()
    body["cmi"].update({"learner_id": "7", "mode": "review", "entry": "resume", "total_time": "P99Y", "_version": "x"})
    body["cmi"]["comments_from_lms"] = {"0": {"comment": "y" * 10_000}}
    body["adl"] = {"nav": {"request": "continue", "request_valid": {"continue": "true", "choice": {"sco-2": "true"}}}}
    assert cmi.parse_commit("2004", body) == cmi.parse_commit("2004", _body_2004())


def _with(body: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    node = changed
    *parents, last = path.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return changed


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("cmi.core.lesson_grade", "A", "401"),
        ("cmi.core.score.percent", "80", "401"),
        ("cmi.learner_id", "42", "401"),  # a 2004 element in a 1.2 commit
        ("cmi.interactions.0.colour", "red", "401"),
        ("adl.nav.request", "continue", "401"),
        ("cmi.core.lesson_status", "done", "405"),
        ("cmi.core.lesson_status", "Passed", "405"),
        ("cmi.core.exit", "normal", "405"),
        ("cmi.core.score.raw", "101", "405"),
        ("cmi.core.score.min", "-1", "405"),
        ("cmi.core.score.raw", "eighty", "405"),
        ("cmi.core.score.raw", True, "405"),
        ("cmi.core.score", "85", "405"),
        ("cmi.core.lesson_location", "x" * 256, "405"),
        ("cmi.suspend_data", "x" * 4097, "405"),
        ("cmi.suspend_data", "a\x00b", "405"),
        ("cmi.suspend_data", ["x"], "405"),
        ("cmi.core.session_time", "1:30:00", "405"),
        ("cmi.core.session_time", "00:61:00", "405"),
        ("cmi.core.session_time", "00:01:30.505", "405"),
        ("cmi.core.session_time", "PT1M30S", "405"),
        ("cmi.interactions.0.type", "essay", "405"),
        ("cmi.interactions.0.result", "right", "405"),
        ("cmi.interactions.0.time", "25:00:00", "405"),
        ("cmi.interactions.0.latency", "12s", "405"),
        ("cmi.interactions.0.id", "x" * 256, "405"),
        ("cmi.objectives.0.status", "unknown", "405"),
        ("cmi.student_preference.audio", "101", "405"),
        ("cmi.interactions.01", {"id": "q"}, "201"),
        ("cmi.interactions.3", {"id": "q4"}, "201"),
    ],
)
def test_scorm_12_faults_carry_their_error_code(path: str, value: object, code: str) -> None:
    err = _refused("1.2", _with(_body_12(), path, value))
    assert err.code == code
    assert err.element.startswith(path.rsplit(".", 1)[0])


@pytest.mark.parametrize(
    ("path", "value", "code"),
    [
        ("cmi.core.lesson_status", "passed", "401"),  # a 1.2 element in a 2004 commit
        ("cmi.score.percent", "80", "401"),
        ("adl.nav.target", "x", "401"),
        ("cmi.completion_status", "passed", "406"),
        ("cmi.success_status", "completed", "406"),
        ("cmi.exit", "timeout", "406"),
        ("cmi.score.scaled", "1.5", "407"),
        ("cmi.score.scaled", "-1.01", "407"),
        ("cmi.score.raw", "lots", "406"),
        ("cmi.progress_measure", "1.1", "407"),
        ("cmi.location", "x" * 1001, "351"),
        ("cmi.suspend_data", "x" * 64_001, "351"),
        ("cmi.session_time", "01:30:00", "406"),
        ("cmi.session_time", "P", "406"),
        ("cmi.session_time", "PT", "406"),
        ("cmi.session_time", "P1DT", "406"),
        ("cmi.session_time", "PT1.555S", "406"),
        ("cmi.session_time", "PT1H2W", "406"),
        ("cmi.interactions.0.type", "essay", "406"),
        ("cmi.interactions.0.result", "wrong", "406"),  # 1.2's word; 2004 says incorrect
        ("cmi.interactions.0.timestamp", "30/11/2026", "406"),
        ("cmi.interactions.0.latency", "0000:00:05", "406"),
        ("cmi.interactions.0.description", "x" * 251, "351"),
        ("cmi.interactions.0.id", "x" * 4001, "351"),
        ("cmi.objectives.0.score.scaled", "2", "407"),
        ("cmi.learner_preference.language", "français", "406"),
        ("adl.nav.request", "jump", "406"),
        ("cmi.interactions.2", {"id": "q3"}, "351"),
    ],
)
def test_scorm_2004_faults_carry_their_error_code(path: str, value: object, code: str) -> None:
    err = _refused("2004", _with(_body_2004(), path, value))
    assert err.code == code
    assert err.element.startswith(path.rsplit(".", 1)[0])


def test_an_interaction_or_objective_without_id_is_a_dependency_fault_in_2004() -> None:
    err = _refused("2004", _with(_body_2004(), "cmi.interactions.0.id", ""))
    assert (err.code, err.element) == ("408", "cmi.interactions.0.id")
    err = _refused("2004", _with(_body_2004(), "cmi.objectives.1", {"success_status": "passed"}))
    assert (err.code, err.element) == ("408", "cmi.objectives.1.id")


def test_an_objective_left_without_id_by_the_run_time_is_dropped() -> None:
    # A SCO that set an objective's status before its id got 408 from scorm-again, which keeps the entry with
    # its defaults and sends it on every later commit.
    left = {"id": "", "success_status": "unknown", "completion_status": "unknown", "progress_measure": "", "score": {}}
    commit = cmi.parse_commit("2004", _with(_body_2004(), "cmi.objectives.1", left))
    assert [objective["id"] for objective in commit.objectives] == ["obj-1"]


@pytest.mark.parametrize(("version", "code"), [("1.2", "201"), ("2004", "351")])
def test_at_most_250_interactions_and_100_objectives(version: str, code: str) -> None:
    body = _body_12() if version == "1.2" else _body_2004()
    body["cmi"]["interactions"] = {str(i): {"id": f"q{i}", "type": "numeric"} for i in range(250)}
    body["cmi"]["objectives"] = {str(i): {"id": f"o{i}"} for i in range(100)}
    commit = cmi.parse_commit(version, body)
    assert (len(commit.interactions), len(commit.objectives)) == (250, 100)
    body["cmi"]["interactions"]["250"] = {"id": "q250"}
    err = _refused(version, body)
    assert (err.code, err.element) == (code, "cmi.interactions.250.id")
    del body["cmi"]["interactions"]["250"]
    body["cmi"]["objectives"]["100"] = {"id": "o100"}
    assert _refused(version, body).code == code


def test_a_commit_that_is_not_an_object_or_repeats_an_element_is_refused() -> None:
    assert _refused("1.2", ["cmi.core.lesson_status=passed"]).code == "201"
    assert _refused("2004", "cmi").code == "351"
    twice = _body_12()
    twice["cmi.core.lesson_status"] = "failed"
    assert (_refused("1.2", twice).code, _refused("1.2", twice).element) == ("201", "cmi.core.lesson_status")
    assert _refused("2004", {"runtimeData": _body_2004(), "forged": 1}).code == "401"
    with pytest.raises(ValueError, match="version"):
        cmi.parse_commit("1.3", {})


def _commit(version: str, **fields: Any) -> Commit:
    base: dict[str, Any] = {
        "version": version,
        "completion": "incomplete",
        "success": "unknown",
        "score_raw": None,
        "score_min": None,
        "score_max": None,
        "score_scaled": None,
        "session_seconds": 0.0,
        "location": "",
        "suspend_data": "",
        "exit": "",
        "progress_measure": None,
        "interactions": [],
        "objectives": [],
    }
    return Commit(**(base | fields))


@pytest.mark.parametrize(
    ("lesson", "completion", "success"),
    [
        ("passed", "completed", "passed"),
        ("failed", "completed", "failed"),
        ("completed", "completed", "unknown"),
        ("incomplete", "incomplete", "unknown"),
        ("browsed", "incomplete", "unknown"),
        ("not attempted", "not_attempted", "unknown"),
    ],
)
def test_scorm_12_lesson_status_reads_as_completion_and_success(lesson: str, completion: str, success: str) -> None:
    commit = cmi.parse_commit("1.2", _with(_body_12(), "cmi.core.lesson_status", lesson))
    assert (commit.completion, commit.success) == (completion, success)


def test_lesson_status_without_mastery_score_is_what_the_package_says() -> None:
    assert cmi.lesson_status(_commit("1.2", completion="completed", success="passed"), None) == "passed"
    assert cmi.lesson_status(_commit("1.2", completion="completed", success="failed"), None) == "failed"
    assert cmi.lesson_status(_commit("1.2", completion="completed"), None) == "completed"
    assert cmi.lesson_status(_commit("2004", completion="incomplete", success="passed"), None) == "passed"
    for completion in ("incomplete", "not_attempted", "unknown"):
        assert cmi.lesson_status(_commit("2004", completion=completion), None) == "in_progress"
    statuses = {
        cmi.lesson_status(_commit("2004", completion=c, success=s), None)
        for c in ("completed", "unknown")
        for s in ("passed", "failed", "unknown")
    }
    assert statuses <= set(LESSON_STATUSES)


def test_lesson_status_with_mastery_score_decides_pass_or_fail_once_done() -> None:
    # SCORM 1.2: the raw score against the mastery score, once the SCO is completed.
    assert cmi.lesson_status(_commit("1.2", completion="completed", score_raw=85), 80) == "passed"
    assert cmi.lesson_status(_commit("1.2", completion="completed", success="passed", score_raw=70), 80) == "failed"
    assert cmi.lesson_status(_commit("1.2", completion="completed", score_raw=80), 80) == "passed"
    assert cmi.lesson_status(_commit("1.2", completion="completed"), 80) == "completed"  # no score to compare
    # Half-way through: a running score below the mark does not finish the learner as failed.
    assert cmi.lesson_status(_commit("1.2", completion="incomplete", score_raw=20), 80) == "in_progress"
    # SCORM 2004: the scaled score against mastery / 100; the raw score does not count.
    assert cmi.lesson_status(_commit("2004", completion="completed", score_scaled=0.8), 80) == "passed"
    assert cmi.lesson_status(_commit("2004", completion="completed", score_scaled=0.79, score_raw=95), 80) == "failed"
    assert cmi.lesson_status(_commit("2004", completion="completed", success="passed", score_raw=10), 80) == "passed"
    assert cmi.lesson_status(_commit("2004", completion="incomplete", score_scaled=0.1), 80) == "in_progress"


def test_score_percent_prefers_scaled_then_raw_within_its_range() -> None:
    assert cmi.score_percent(_commit("2004", score_scaled=0.85, score_raw=3, score_min=0, score_max=4)) == 85
    assert cmi.score_percent(_commit("2004", score_scaled=-0.5)) == -50
    assert cmi.score_percent(_commit("2004", score_raw=17, score_min=0, score_max=20)) == 85
    assert cmi.score_percent(_commit("2004", score_raw=15, score_min=10, score_max=20)) == 50
    assert cmi.score_percent(_commit("1.2", score_raw=72.5, score_max=100)) == 72.5
    assert cmi.score_percent(_commit("1.2", score_raw=7, score_min=5, score_max=5)) == 7
    assert cmi.score_percent(_commit("1.2")) is None
    assert cmi.score_percent(cmi.parse_commit("2004", _body_2004())) == 85


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0000:01:30.50", 90.5), ("0000:00:00", 0), ("0001:00:00", 3600), ("0010:00:00.05", 36000.05)],
)
def test_scorm_12_timespans_round_trip(text: str, seconds: float) -> None:
    assert cmi.parse_timespan_12(text) == pytest.approx(seconds)
    assert cmi.format_timespan_12(seconds) == text


def test_scorm_12_timespans_in_other_forms() -> None:
    assert cmi.parse_timespan_12("01:02:03.5") == 3723.5
    assert cmi.parse_timespan_12("123:00:00") == 123 * 3600
    assert cmi.format_timespan_12(-5) == "0000:00:00"
    assert cmi.format_timespan_12(10**9) == "9999:59:59.99"
    for bad in ("1:00:00", "00000:00:00", "00:60:00", "00:00:60", "00:00:00.123", "00:00", "", "PT1S", "０0:00:00"):
        with pytest.raises(ValueError, match="CMITimespan"):
            cmi.parse_timespan_12(bad)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("PT1H2M3.5S", 3723.5), ("P1DT1S", 86401), ("PT0S", 0), ("P2D", 172_800), ("PT59M0.05S", 3540.05)],
)
def test_scorm_2004_durations_round_trip(text: str, seconds: float) -> None:
    assert cmi.parse_duration_2004(text) == pytest.approx(seconds)
    assert cmi.format_duration_2004(seconds) == text


def test_scorm_2004_durations_in_other_forms() -> None:
    assert cmi.parse_duration_2004("PT0H0M12.34S") == pytest.approx(12.34)
    assert cmi.parse_duration_2004("P1Y1M") == (365 + 30) * 86400
    assert cmi.parse_duration_2004("PT90M") == 5400
    assert cmi.format_duration_2004(-1) == "PT0S"
    assert cmi.format_duration_2004(90061.5) == "P1DT1H1M1.5S"
    for bad in ("P", "PT", "P1DT", "PT1.234S", "PT1,5S", "P1W", "1H", "pt1s", "PT-1S", "PT1S1M", ""):
        with pytest.raises(ValueError, match="duration"):
            cmi.parse_duration_2004(bad)
