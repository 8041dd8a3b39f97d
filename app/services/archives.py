"""The "Archives" list and each organisation's archive categories.

An archived session leaves every current list (home, sessions, tutoring) and is
found here; it stays readable (SEE) but nobody writes to it (`access`).

Archive categories (m@gistère's "sous catégorie", chosen when archiving) belong to
an organisation: every one starts with `DEFAULT_ARCHIVE_CATEGORIES`, and its staff
add, rename and remove them. A session archived under a category keeps the
category's *name* as it was then: renaming or removing a category later changes
nothing already filed, so removing one in use is allowed. The last category may
not go, or nobody could archive.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from app.clock import date_label
from app.models import ArchiveCategory, Course, TrainingSession
from app.models.finishing import ARCHIVE_CATEGORY_NAME_LIMIT, DEFAULT_ARCHIVE_CATEGORIES
from app.services import access, audit, paging
from app.services.access import Capability
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError
from app.services.orgs import require_staff
from app.services.search import fold


@dataclass(frozen=True)
class ArchivedSession:
    """One archived session on the "Archives" list."""

    id: int
    course_title: str
    title: str
    starts_on: str  # DD/MM/YYYY
    ends_on: str
    category: str  # the category's name when it was archived ("" if archived before categories)


def archived_sessions(
    db: Session, actor: Actor, page: object = 1, page_size: object = paging.DEFAULT_PAGE_SIZE
) -> paging.Page[ArchivedSession]:
    """One page of the archived sessions of the selected organisation the actor may see, the latest start first.

    Staff see every archived session of their organisation; trainers, tutors and learners
    the ones they belonged to (`access.Capability.SEE`, the same rule as the session's page).
    Counted, sorted and paged in SQL.

    Args:
        db: Database session.
        actor: The signed-in actor.
        page: From 1; past the end, the last page.
        page_size: One of `paging.PAGE_SIZES`.

    Returns:
        The page (empty for someone without a selected organisation).

    Raises:
        PlumeError: INVALID_INPUT for a bad page or page size.
    """
    if actor.organisation_id is None or not actor.fully_signed_in:
        return paging.paginate(0, page, page_size, lambda limit, offset: [])
    where = (
        TrainingSession.organisation_id == actor.organisation_id,
        TrainingSession.status == "archived",
        access.session_filter(actor, Capability.SEE),
    )
    total = int(db.exec(select(func.count()).select_from(TrainingSession).where(*where)).one())

    def fetch(limit: int, offset: int) -> list[ArchivedSession]:
        rows = db.exec(
            select(TrainingSession, Course.title)
            .join(Course, col(Course.id) == col(TrainingSession.course_id))
            .where(*where)
            .order_by(col(TrainingSession.starts_on).desc(), col(TrainingSession.id).desc())
            .limit(limit)
            .offset(offset)
        ).all()
        return [_archived(training, course_title) for training, course_title in rows]

    return paging.paginate(total, page, page_size, fetch)


def _archived(training: TrainingSession, course_title: str) -> ArchivedSession:
    return ArchivedSession(
        id=training.id or 0,
        course_title=course_title,
        title=training.title,
        starts_on=date_label(training.starts_on),
        ends_on=date_label(training.ends_on),
        category=training.archive_category,
    )


@dataclass(frozen=True)
class Category:
    """One archive category as the archive dialog and the staff's list show it."""

    key: str
    name: str
    in_use: int  # sessions archived under its current name (they keep it whatever happens to the category)


def add_default_categories(db: Session, organisation_id: int) -> None:
    """Give a new organisation the archive categories every one starts with.

    Args:
        db: Database session.
        organisation_id: The organisation, just created.
    """
    for position, (key, name) in enumerate(DEFAULT_ARCHIVE_CATEGORIES.items()):
        db.add(ArchiveCategory(organisation_id=organisation_id, key=key, name=name, position=position))


def _categories(db: Session, organisation_id: int) -> list[ArchiveCategory]:
    return list(
        db.exec(
            select(ArchiveCategory)
            .where(ArchiveCategory.organisation_id == organisation_id)
            .order_by(col(ArchiveCategory.position), col(ArchiveCategory.id))
        ).all()
    )


def organisation_categories(db: Session, actor: Actor) -> list[Category]:
    """The selected organisation's archive categories, for its staff to manage.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.

    Returns:
        The categories in their order, each with the sessions filed under its name.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff.
    """
    org_id = require_staff(actor)
    used = dict(
        db.exec(
            select(TrainingSession.archive_category, func.count())
            .where(TrainingSession.organisation_id == org_id, TrainingSession.status == "archived")
            .group_by(col(TrainingSession.archive_category))
        ).all()
    )
    return [Category(c.key, c.name, int(used.get(c.name, 0))) for c in _categories(db, org_id)]


def session_categories(db: Session, actor: Actor, session_id: int) -> list[Category]:
    """The categories the archive dialog of a session offers: its organisation's.

    Args:
        db: Database session.
        actor: Someone who may archive the session (ARCHIVE: staff, its trainers).
        session_id: The session.

    Returns:
        The categories in their order (`in_use` is not counted here).

    Raises:
        PlumeError: NOT_FOUND for anyone else.
    """
    training, _ = access.access_session(db, actor, session_id, Capability.ARCHIVE)
    return [Category(c.key, c.name, 0) for c in _categories(db, training.organisation_id)]


def category_name(db: Session, organisation_id: int, key: str) -> str:
    """The name a session is filed under when archived with the category `key` of its organisation.

    Args:
        db: Database session.
        organisation_id: The session's organisation.
        key: What the archive dialog sent.

    Returns:
        The category's name.

    Raises:
        PlumeError: ARCHIVE_CATEGORY for a key the organisation does not have.
    """
    found = (
        db.exec(
            select(ArchiveCategory.name).where(
                ArchiveCategory.organisation_id == organisation_id, ArchiveCategory.key == key
            )
        ).first()
        if isinstance(key, str) and key
        else None
    )
    if found is None:
        raise PlumeError(ErrorCode.ARCHIVE_CATEGORY, field="archive_category")
    return found


def _clean_name(db: Session, org_id: int, name: str, *, besides: int | None = None) -> str:
    cleaned = " ".join(name.split()) if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > ARCHIVE_CATEGORY_NAME_LIMIT:
        raise PlumeError(ErrorCode.ARCHIVE_CATEGORY_NAME, field="name", max=str(ARCHIVE_CATEGORY_NAME_LIMIT))
    if any(fold(c.name) == fold(cleaned) for c in _categories(db, org_id) if c.id != besides):
        raise PlumeError(ErrorCode.ARCHIVE_CATEGORY_TAKEN, field="name")
    return cleaned


def _own_category(db: Session, org_id: int, key: str) -> ArchiveCategory:
    found = db.exec(
        select(ArchiveCategory).where(ArchiveCategory.organisation_id == org_id, ArchiveCategory.key == key)
    ).first()
    if found is None:
        raise PlumeError(ErrorCode.NOT_FOUND)
    return found


def add_category(db: Session, actor: Actor, name: str) -> Category:
    """Add an archive category at the end of the organisation's list (audited).

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        name: Its name (spaces tidied; another category's name, accents and case aside, is refused).

    Returns:
        The new category.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff, ARCHIVE_CATEGORY_NAME or ARCHIVE_CATEGORY_TAKEN.
    """
    org_id = require_staff(actor)
    cleaned = _clean_name(db, org_id, name)
    existing = _categories(db, org_id)
    row = ArchiveCategory(
        organisation_id=org_id,
        key=f"c{secrets.token_hex(6)}",
        name=cleaned,
        position=max((c.position for c in existing), default=-1) + 1,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        "archive_category.add",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"archive_category:{row.id}",
        after={"name": cleaned},
    )
    return Category(row.key, row.name, 0)


def rename_category(db: Session, actor: Actor, key: str, name: str) -> None:
    """Rename an archive category; sessions already archived keep the name they were filed under.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        key: The category.
        name: Its new name.

    Raises:
        PlumeError: NOT_FOUND (not staff, or not a category of theirs), ARCHIVE_CATEGORY_NAME or ..._TAKEN.
    """
    org_id = require_staff(actor)
    row = _own_category(db, org_id, key)
    cleaned = _clean_name(db, org_id, name, besides=row.id)
    before, row.name = row.name, cleaned
    db.add(row)
    audit.record(
        db,
        "archive_category.rename",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"archive_category:{row.id}",
        before={"name": before},
        after={"name": cleaned},
    )


def remove_category(db: Session, actor: Actor, key: str) -> None:
    """Take a category off the list offered when archiving; sessions filed under it keep its name.

    Args:
        db: Database session.
        actor: Staff of the selected organisation.
        key: The category.

    Raises:
        PlumeError: NOT_FOUND (not staff, or not a category of theirs), ARCHIVE_CATEGORY_LAST for the last one.
    """
    org_id = require_staff(actor)
    row = _own_category(db, org_id, key)
    if len(_categories(db, org_id)) <= 1:
        raise PlumeError(ErrorCode.ARCHIVE_CATEGORY_LAST)
    db.delete(row)
    audit.record(
        db,
        "archive_category.remove",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"archive_category:{row.id}",
        before={"name": row.name},
    )
