"""Refuse a commit whose subject is longer than 72 characters (git's commit-msg hook).

Usage: `check_commit_subject.py MESSAGE_FILE` (pre-commit passes `.git/COMMIT_EDITMSG`).
Exit 0 when the subject fits, 1 with a one-line reason when it does not.

The subject is what `git log --oneline` shows: the first paragraph, its lines joined by
spaces, after the comment lines git adds for the editor (and anything under the `-v`
scissors line). It is counted in characters, so "é" is one.

Exceptions, because git writes these subjects itself:
- `fixup! `, `squash! ` and `amend! ` prefixes are not counted (autosquash drops them);
- `Revert "…"` is measured without its wrapper (the reverted subject was already checked);
- a merge's `Merge branch …` / `Merge remote-tracking branch …` / `Merge pull request …` /
  `Merge tag …` / `Merge commit …` subject is not checked.
"""

from __future__ import annotations

import sys
from pathlib import Path

LIMIT = 72
SCISSORS = "# ------------------------ >8 ------------------------"
AUTOSQUASH = ("fixup! ", "squash! ", "amend! ")
MERGES = ("Merge branch ", "Merge remote-tracking branch ", "Merge pull request ", "Merge tag ", "Merge commit ")


def subject(message: str) -> str:
    """The subject git will show for a commit message as the editor left it.

    Args:
        message: The whole message file.

    Returns:
        The first paragraph, lines joined by one space ("" for an empty message).
    """
    lines: list[str] = []
    for line in message.splitlines():
        if line.startswith(SCISSORS):
            break
        if line.startswith("#"):
            continue
        if not line.strip():
            if lines:
                break
            continue
        lines.append(line.strip())
    return " ".join(lines)


def measured(text: str) -> str | None:
    """The part of a subject the limit applies to.

    Args:
        text: A subject, as `subject` returns it.

    Returns:
        The text to measure, or None for a subject git generated (a merge).
    """
    if text.startswith(MERGES):
        return None
    stripped = True
    while stripped:
        stripped = False
        for prefix in AUTOSQUASH:
            if text.startswith(prefix):
                text, stripped = text[len(prefix) :], True
    if text.startswith('Revert "') and text.endswith('"'):
        text = text[len('Revert "') : -1]
    return text


def problem(message: str, limit: int = LIMIT) -> str:
    """What is wrong with a commit message's subject, if anything.

    Args:
        message: The whole message file.
        limit: The most characters a subject may have.

    Returns:
        A one-line reason, or "" when the subject is fine (an empty message is left to git, which refuses it).
    """
    text = measured(subject(message))
    if text is None or len(text) <= limit:
        return ""
    return f"commit subject is {len(text)} characters, at most {limit}: shorten it and put the rest in the body"


def main(argv: list[str]) -> int:
    """Check the message file named on the command line.

    Args:
        argv: The program's arguments (the message file).

    Returns:
        The exit status: 0 fine, 1 refused, 2 misused.
    """
    if len(argv) != 1:
        sys.stderr.write("usage: check_commit_subject.py MESSAGE_FILE\n")
        return 2
    reason = problem(Path(argv[0]).read_text(encoding="utf-8", errors="replace"))
    if reason:
        sys.stderr.write(reason + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
