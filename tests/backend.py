"""Which database the tests run on: `PLUME_TEST_BACKEND=sqlite` (the default) or `cluster` (PostgreSQL)."""

from __future__ import annotations

import os

import pytest

BACKENDS = ("sqlite", "cluster")
BACKEND = os.environ.get("PLUME_TEST_BACKEND", "sqlite")
if BACKEND not in BACKENDS:
    raise pytest.UsageError(f"PLUME_TEST_BACKEND must be one of {', '.join(BACKENDS)}, not {BACKEND!r}")
ON_POSTGRES = BACKEND == "cluster"


def sqlite_only(reason: str) -> pytest.MarkDecorator:
    """Mark a test that checks SQLite itself, so it is skipped on PostgreSQL.

    Args:
        reason: Why it means nothing on PostgreSQL.

    Returns:
        The skip mark.
    """
    return pytest.mark.skipif(ON_POSTGRES, reason=reason)
