"""Count the SQL statements a block of code sends to the database (to catch N+1 queries in tests).

    with count_queries(engine) as counted:
        load_the_page()
    assert counted.count <= 12, counted.report()

Every statement SQLAlchemy sends through a cursor counts once (an `executemany` too);
the pragmas a new SQLite connection runs are sent by the driver directly and do not.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


@dataclass
class Counted:
    """The statements seen so far, in order."""

    statements: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many statements ran."""
        return len(self.statements)

    def report(self) -> str:
        """The statements, one per line and shortened, for an assertion message."""
        lines = [" ".join(s.split())[:160] for s in self.statements]
        return f"{self.count} statements:\n" + "\n".join(f"  {i + 1:>3}. {line}" for i, line in enumerate(lines))


@contextmanager
def count_queries(engine: Engine) -> Iterator[Counted]:
    """Count the statements executed on an engine while the block runs.

    Args:
        engine: The engine whose connections are watched (all of them, whichever session uses them).

    Yields:
        The running tally; read it after the block.
    """
    counted = Counted()

    def before_cursor_execute(
        _conn: Any, _cursor: Any, statement: str, _parameters: Any, _context: Any, _executemany: bool
    ) -> None:
        counted.statements.append(statement)

    event.listen(engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", before_cursor_execute)
