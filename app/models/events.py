"""Columns kept in step by the ORM itself, whatever service writes the rows."""

from __future__ import annotations

import unicodedata
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Mapper
from sqlalchemy.orm.attributes import get_history

from app.models.training import Enrolment
from app.models.user import User


def name_key(last_name: str, first_name: str) -> str:
    """How a person sorts in a list of learners: last then first name, case and accents ignored.

    Args:
        last_name: Last name.
        first_name: First name.

    Returns:
        The key ("Élodie Moreau" → "moreau elodie").
    """
    text = unicodedata.normalize("NFKD", f"{last_name} {first_name}".strip())
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()[:300]


@event.listens_for(Enrolment, "before_insert")
def _enrolment_name(_mapper: Mapper[Any], connection: Any, target: Enrolment) -> None:
    if target.sort_name:
        return
    table = User.__table__  # type: ignore[attr-defined]
    names = connection.execute(
        select(table.c.last_name, table.c.first_name).where(table.c.id == target.user_id)
    ).first()
    if names is not None:
        target.sort_name = name_key(names[0], names[1])


@event.listens_for(User, "after_update")
def _renamed(_mapper: Mapper[Any], connection: Any, target: User) -> None:
    if not (get_history(target, "last_name").has_changes() or get_history(target, "first_name").has_changes()):
        return
    table = Enrolment.__table__  # type: ignore[attr-defined]
    connection.execute(
        update(table)
        .where(table.c.user_id == target.id)
        .values(sort_name=name_key(target.last_name, target.first_name))
    )
