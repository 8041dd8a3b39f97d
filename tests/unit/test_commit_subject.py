"""The commit-msg hook: subjects of at most 72 characters (.ci/check_commit_subject.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "check_commit_subject.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_commit_subject", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


checker = _load()


def _subject(length: int, prefix: str = "area: ") -> str:
    return prefix + "x" * (length - len(prefix))


def test_72_characters_pass_and_73_are_refused() -> None:
    assert checker.problem(_subject(72) + "\n") == ""
    reason = checker.problem(_subject(73) + "\n")
    assert "73 characters" in reason
    assert "72" in reason


def test_characters_not_bytes_are_counted() -> None:
    accented = "é" * 72
    assert checker.problem(accented) == ""
    assert checker.problem(accented + "é") != ""


def test_the_body_may_be_long_but_the_first_paragraph_is_the_subject() -> None:
    assert checker.problem(_subject(60) + "\n\n" + "y" * 500 + "\n") == ""
    # Without a blank line, git shows both lines as one subject: so does the check.
    assert checker.problem(_subject(40) + "\n" + _subject(40) + "\n") != ""


def test_editor_comments_and_the_verbose_diff_are_ignored() -> None:
    message = (
        "# Please enter the commit message\n"
        "\n"
        + _subject(72)
        + "\n\n# Lines starting with '#' will be ignored\n"
        + checker.SCISSORS
        + "\n"
        + "+" * 200
        + "\n"
    )
    assert checker.subject(message) == _subject(72)
    assert checker.problem(message) == ""
    assert checker.problem("# " + "z" * 200 + "\n" + _subject(73)) != ""


def test_autosquash_prefixes_and_revert_wrappers_are_not_counted() -> None:
    original = _subject(72)
    assert checker.problem(f"fixup! {original}") == ""
    assert checker.problem(f"squash! fixup! {original}") == ""
    assert checker.problem(f"amend! {original}") == ""
    assert checker.problem(f'Revert "{original}"') == ""
    assert checker.problem(f"fixup! {_subject(73)}") != ""
    assert checker.problem(f'Revert "{_subject(73)}"') != ""


def test_merges_git_writes_are_not_checked_but_other_merge_words_are() -> None:
    long_branch = "feature/" + "b" * 80
    assert checker.problem(f"Merge branch '{long_branch}' into main") == ""
    assert checker.problem(f"Merge remote-tracking branch 'origin/{long_branch}'") == ""
    assert checker.problem("Merge " + "m" * 80) != ""


def test_an_empty_message_is_left_to_git() -> None:
    assert checker.problem("") == ""
    assert checker.problem("# only comments\n\n") == ""


@pytest.mark.parametrize(("length", "status"), [(72, 0), (73, 1)])
def test_the_hook_exits_nonzero_to_refuse(tmp_path: Path, length: int, status: int) -> None:
    message = tmp_path / "COMMIT_EDITMSG"
    message.write_text(_subject(length) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(SCRIPT), str(message)], capture_output=True, text=True, check=False)
    assert done.returncode == status
    assert ("73 characters" in done.stderr) == (status == 1)


def test_the_hook_refuses_a_missing_argument() -> None:
    assert checker.main([]) == 2
