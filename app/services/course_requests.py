"""*Demander la mise à disposition d'un parcours*: a trainer asks for a course, staff approve or refuse.

Seed 003's e-mail names what a request says: the course's title, its origin (a national body, a partner,
an academy), its durations at a distance and in person, and the pedagogical lead. Approving puts the course
in the organisation's offer (the existing course of that title, or a new one); either way the trainer is
told, in the app and by e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from app import routes
from app.clock import paris_date_label
from app.models import Course, CourseRequest, Membership, Notification, Organisation, User
from app.models.base import utcnow
from app.services import audit, paging, search
from app.services.actor import Actor
from app.services.catalogue import CourseForm, create_course
from app.services.errors import ErrorCode, PlumeError
from app.services.offer import HOURS_LIMIT, hours_text
from app.services.orgs import require_staff
from app.services.outbox import enqueue_email
from app.services.templates import Template, render
from app.settings import get_settings

REASON_LIMIT = 1000

DECIDED = {
    ("fr", "approved"): Template(
        "Parcours mis à disposition : {parcours}",
        "Bonjour {prenom},\n\nVotre demande de mise à disposition du parcours « {parcours} » est acceptée : "
        "il est dans l'offre de {organisation}.\n\nOuvrir : {lien}",
    ),
    ("fr", "refused"): Template(
        "Demande de parcours refusée : {parcours}",
        "Bonjour {prenom},\n\nVotre demande de mise à disposition du parcours « {parcours} » est refusée.\n\n"
        "Motif : {motif}\n\nOuvrir : {lien}",
    ),
    ("en", "approved"): Template(
        "Course made available: {parcours}",
        'Hello {prenom},\n\nYour request for the course "{parcours}" is approved: it is in {organisation}\'s offer.'
        "\n\nOpen: {lien}",
    ),
    ("en", "refused"): Template(
        "Course request refused: {parcours}",
        'Hello {prenom},\n\nYour request for the course "{parcours}" is refused.\n\nReason: {motif}\n\nOpen: {lien}',
    ),
}


@dataclass(frozen=True)
class RequestForm:
    """What a trainer types to request a course."""

    title: str
    origin: str = ""
    remote_hours: str = "0"
    in_person_hours: str = "0"
    pedagogical_lead: str = ""


@dataclass(frozen=True)
class RequestRow:
    """One request, as the trainer or staff see it."""

    id: int
    title: str
    origin: str
    remote_hours: float
    in_person_hours: float
    pedagogical_lead: str
    status: str
    reason: str
    requested_by: str
    requested_on: str
    course_id: int


def _hours(value: str, field: str) -> float:
    try:
        hours = float(value.replace(",", ".").strip() or "0")  # "2,5" as a French person types it
    except ValueError as exc:
        raise PlumeError(ErrorCode.HOURS_RANGE, field=field) from exc
    if not 0 <= hours <= HOURS_LIMIT:  # also refuses nan and inf
        raise PlumeError(ErrorCode.HOURS_RANGE, field=field)
    return hours


def _line(value: str, limit: int) -> str:
    return " ".join(value.split())[:limit]


def _require_trainer(actor: Actor) -> int:
    if actor.organisation_id is None or not actor.has_role("trainer", "staff"):
        raise PlumeError(ErrorCode.NOT_FOUND)
    return actor.organisation_id


def request_course(db: Session, actor: Actor, form: RequestForm) -> CourseRequest:
    """Ask staff to make a course available (*Demander la mise à disposition d'un parcours*).

    Args:
        db: Database session.
        actor: A trainer (or staff) of the selected organisation.
        form: Title, origin, durations, pedagogical lead.

    Returns:
        The pending request.

    Raises:
        PlumeError: NOT_FOUND for anyone else; TITLE_REQUIRED, HOURS_RANGE or LEAD_REQUIRED naming the field.
    """
    org_id = _require_trainer(actor)
    title = _line(form.title, 200)
    if not title:
        raise PlumeError(ErrorCode.TITLE_REQUIRED, field="title")
    remote = _hours(form.remote_hours, "remote_hours")
    in_person = _hours(form.in_person_hours, "in_person_hours")
    lead = _line(form.pedagogical_lead, 200)
    if not lead:
        raise PlumeError(ErrorCode.LEAD_REQUIRED, field="pedagogical_lead")
    row = CourseRequest(
        organisation_id=org_id,
        requested_by_id=actor.user_id,
        title=title,
        origin=_line(form.origin, 100),
        remote_hours=remote,
        in_person_hours=in_person,
        pedagogical_lead=lead,
    )
    db.add(row)
    db.flush()
    audit.record(
        db,
        "course_request.create",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"course_request:{row.id}",
        after={"title": title},
    )
    return row


def _rows(db: Session, requests: list[CourseRequest]) -> list[RequestRow]:
    people = {
        u.id: u
        for u in db.exec(select(User).where(col(User.id).in_({r.requested_by_id for r in requests}))).all()
        if u.id is not None
    }
    rows = []
    for r in requests:
        person = people.get(r.requested_by_id)
        rows.append(
            RequestRow(
                id=r.id or 0,
                title=r.title,
                origin=r.origin,
                remote_hours=r.remote_hours,
                in_person_hours=r.in_person_hours,
                pedagogical_lead=r.pedagogical_lead,
                status=r.status,
                reason=r.reason,
                requested_by=f"{person.first_name} {person.last_name}".strip() if person else "",
                requested_on=paris_date_label(r.created_at),
                course_id=r.course_id or 0,
            )
        )
    return rows


def my_requests(
    db: Session, actor: Actor, page: object = 1, page_size: object = paging.DEFAULT_PAGE_SIZE
) -> paging.Page[RequestRow]:
    """One page of the actor's own requests in the selected organisation, newest first (counted and paged in SQL).

    Args:
        db: Database session.
        actor: A trainer (or staff).
        page: From 1; past the end, the last page.
        page_size: One of `paging.PAGE_SIZES`.

    Returns:
        The page.

    Raises:
        PlumeError: NOT_FOUND for anyone but a trainer or staff, INVALID_INPUT for a bad page.
    """
    org_id = _require_trainer(actor)
    return _page(
        db,
        (CourseRequest.organisation_id == org_id, CourseRequest.requested_by_id == actor.user_id),
        (col(CourseRequest.created_at).desc(), col(CourseRequest.id).desc()),
        page,
        page_size,
    )


def pending_page(
    db: Session, actor: Actor, page: object = 1, page_size: object = paging.DEFAULT_PAGE_SIZE
) -> paging.Page[RequestRow]:
    """One page of the organisation's requests waiting for an answer, oldest first (staff; paged in SQL).

    Args:
        db: Database session.
        actor: A staff member.
        page: From 1; past the end, the last page.
        page_size: One of `paging.PAGE_SIZES`.

    Returns:
        The page.

    Raises:
        PlumeError: NOT_FOUND for anyone but staff, INVALID_INPUT for a bad page.
    """
    org_id = require_staff(actor)
    return _page(
        db,
        (CourseRequest.organisation_id == org_id, CourseRequest.status == "pending"),
        (col(CourseRequest.created_at), col(CourseRequest.id)),
        page,
        page_size,
    )


def _page(
    db: Session,
    where: tuple[Any, ...],  # conditions on CourseRequest (mypy reads a column comparison as bool)
    order: tuple[Any, ...],
    page: object,
    page_size: object,
) -> paging.Page[RequestRow]:
    total = int(db.exec(select(func.count()).select_from(CourseRequest).where(*where)).one())

    def fetch(limit: int, offset: int) -> list[RequestRow]:
        found = db.exec(select(CourseRequest).where(*where).order_by(*order).limit(limit).offset(offset)).all()
        return _rows(db, list(found))

    return paging.paginate(total, page, page_size, fetch)


def _pending(db: Session, org_id: int, request_id: int) -> CourseRequest:
    row = db.exec(
        select(CourseRequest).where(CourseRequest.id == request_id, CourseRequest.organisation_id == org_id)
    ).first()
    if row is None or row.status != "pending":
        raise PlumeError(ErrorCode.NOT_FOUND)
    return row


def _tell(db: Session, row: CourseRequest) -> None:
    """The trainer's notification and e-mail about the answer."""
    person = db.get(User, row.requested_by_id)
    if person is None:
        return
    still_member = db.exec(
        select(Membership.id).where(Membership.user_id == person.id, Membership.organisation_id == row.organisation_id)
    ).first()
    if still_member is None:
        return
    link = routes.COURSE_REQUESTS
    db.add(
        Notification(
            user_id=person.id or 0,
            organisation_id=row.organisation_id,
            kind=f"course_request_{row.status}",
            title=row.title[:300],
            link=link,
        )
    )
    from_org = db.exec(select(Course).where(Course.id == row.course_id)).first() if row.course_id else None
    language = person.language if person.language in ("fr", "en") else "fr"
    message = render(
        DECIDED[(language, row.status)],
        {
            "prenom": person.pseudonym or person.first_name,
            "parcours": from_org.title if from_org else row.title,
            "organisation": _organisation_name(db, row.organisation_id),
            "motif": row.reason,
            "lien": f"{get_settings().base_url}{link}",
        },
    )
    enqueue_email(
        db, to=person.email, message=message, kind=f"course_request_{row.status}", organisation_id=row.organisation_id
    )


def _organisation_name(db: Session, org_id: int) -> str:
    org = db.get(Organisation, org_id)
    return org.name if org else ""


def approve_request(db: Session, actor: Actor, request_id: int) -> CourseRequest:
    """Make the requested course available: the organisation's course of that title, or a new one.

    Args:
        db: Database session.
        actor: A staff member.
        request_id: The pending request.

    Returns:
        The request, approved, linked to its course.

    Raises:
        PlumeError: NOT_FOUND (missing, another organisation's, or already answered).
    """
    org_id = require_staff(actor)
    row = _pending(db, org_id, request_id)
    same = db.exec(
        select(Course).where(Course.organisation_id == org_id, search.folded(Course.title) == search.fold(row.title))
    ).first()
    course = same or create_course(
        db,
        actor,
        CourseForm(
            title=row.title,
            remote_hours=f"{row.remote_hours:g}",
            in_person_hours=f"{row.in_person_hours:g}",
            origin=row.origin,
            description=f"Responsable pédagogique : {row.pedagogical_lead}",
        ),
    )
    row.status, row.course_id = "approved", course.id
    row.decided_by_id, row.decided_at = actor.user_id, utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        "course_request.approve",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"course_request:{row.id}",
        after={"course": course.id},
    )
    _tell(db, row)
    return row


def refuse_request(db: Session, actor: Actor, request_id: int, reason: str) -> CourseRequest:
    """Refuse a request, saying why (the trainer reads the reason).

    Args:
        db: Database session.
        actor: A staff member.
        request_id: The pending request.
        reason: Why.

    Returns:
        The request, refused.

    Raises:
        PlumeError: NOT_FOUND; REASON_REQUIRED (field "reason") without a reason.
    """
    org_id = require_staff(actor)
    row = _pending(db, org_id, request_id)
    why = reason.strip()[:REASON_LIMIT]
    if not why:
        raise PlumeError(ErrorCode.REASON_REQUIRED, field="reason")
    row.status, row.reason = "refused", why
    row.decided_by_id, row.decided_at = actor.user_id, utcnow()
    db.add(row)
    db.flush()
    audit.record(
        db,
        "course_request.refuse",
        actor_user_id=actor.user_id,
        organisation_id=org_id,
        target=f"course_request:{row.id}",
        after={"reason": why},
    )
    _tell(db, row)
    return row


def hours_summary(row: RequestRow, language: str = "fr") -> str:
    """A request's durations as read: "3 h à distance · 2,5 h en présence".

    Args:
        row: The request.
        language: "fr" or "en".

    Returns:
        The text.
    """
    remote, in_person = hours_text(row.remote_hours, language), hours_text(row.in_person_hours, language)
    if language == "en":
        return f"{remote} remote · {in_person} in person"
    return f"{remote} à distance · {in_person} en présence"
