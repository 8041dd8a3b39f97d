"""Searching text the way a person types it: case and accents ignored ("equipe" finds "Équipe").

One rule, the same in Python and in the database: `fold` maps every accented Latin letter to its
plain letter, then lowercases. In SQL, `folded(column)` is that same mapping:

- on SQLite it calls `plume_fold`, this module's `fold` registered on every connection
  (`app.services.db.make_engine`): SQLite has no accent folding of its own;
- on PostgreSQL it compiles to `lower(translate(column, <accented>, <plain>))`, built-in functions
  fed with this module's table, so no extension (`unaccent`) has to be installed.

Folding is done at query time rather than in a stored normalised column: the lists searched
(a tutor's courses, one session's learners) are bounded by the page's own filters, and no
migration is needed.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import ColumnElement, String, func, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

SQL_NAME = "plume_fold"


def _plain_letters() -> tuple[str, str]:
    """Every accented Latin letter (Latin-1 and Latin Extended-A) and the plain letter it folds to."""
    accented, plain = [], []
    for code in range(0xC0, 0x180):
        char = chr(code)
        base = unicodedata.normalize("NFKD", char)
        if (
            len(base) > 1
            and base[0].isascii()
            and base[0].isalpha()
            and all(unicodedata.combining(c) for c in base[1:])
        ):
            accented.append(char)
            plain.append(base[0])
    return "".join(accented), "".join(plain)


ACCENTED, PLAIN = _plain_letters()
_TABLE = str.maketrans(ACCENTED, PLAIN)


def fold(text: str | None) -> str | None:
    """Text as searches compare it: accents removed from Latin letters, then lowercased.

    Args:
        text: Any text (None stays None, as SQL NULL does).

    Returns:
        The folded text.
    """
    if text is None:
        return None
    return str(text).translate(_TABLE).lower()


class folded(FunctionElement[str]):  # noqa: N801  # reads as a SQL function, like func.lower
    """`fold` in SQL: `plume_fold(x)` on SQLite, `lower(translate(x, …))` on PostgreSQL."""

    type = String()
    name = SQL_NAME
    inherit_cache = True


@compiles(folded)
def _compile_default(element: folded, compiler: Any, **kw: Any) -> str:
    return f"{SQL_NAME}({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _compile_postgresql(element: folded, compiler: Any, **kw: Any) -> str:
    (argument,) = element.clauses.clauses
    return str(compiler.process(func.lower(func.translate(argument, literal(ACCENTED), literal(PLAIN))), **kw))


class sort_key(FunctionElement[str]):  # noqa: N801  # reads as a SQL function, like func.lower
    """`folded` for ORDER BY: "Émond" with the E's, and the same order on SQLite and PostgreSQL.

    SQLite compares text code point by code point; PostgreSQL follows the database's locale, which
    may ignore spaces and hyphens. The "C" collation on PostgreSQL gives SQLite's (and Python's) order.
    """

    type = String()
    name = "plume_sort_key"
    inherit_cache = True


@compiles(sort_key)
def _compile_sort_key_default(element: sort_key, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(folded(*element.clauses.clauses), **kw))


@compiles(sort_key, "postgresql")
def _compile_sort_key_postgresql(element: sort_key, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(folded(*element.clauses.clauses).collate("C"), **kw))


def register_sqlite(dbapi_connection: Any) -> None:
    """Give a SQLite connection the `plume_fold` function.

    Args:
        dbapi_connection: A `sqlite3` connection.
    """
    dbapi_connection.create_function(SQL_NAME, 1, fold, deterministic=True)


def contains(column: Any, words: str) -> ColumnElement[bool]:
    """Whether the column holds the words, case and accents ignored; % and _ typed match themselves.

    Args:
        column: A text column.
        words: What the person typed (already trimmed and bounded by the caller).

    Returns:
        The condition.
    """
    needle = fold(words) or ""
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return folded(column).like(f"%{escaped}%", escape="\\")
