"""A slot's sheet as its members see it: every record folded per person, the board, the learner's own line."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from app.clock import PARIS
from app.models import Activity, AttendanceChain, AttendanceRecord, Enrolment, Slot, TrainerPosition, User
from app.models.base import utcnow
from app.services import audience
from app.services.actor import Actor
from app.services.attendance.join import join_link
from app.services.attendance.status import Standing, fold, standing
from app.services.attendance.window import clock, slot_context, when_label, window, window_state


@dataclass
class PersonState:
    """Where one person stands on a slot's sheet."""

    user_id: int
    name: str
    role: str
    signature: AttendanceRecord | None = None
    mark: AttendanceRecord | None = None
    correction: AttendanceRecord | None = None

    @property
    def standing(self) -> Standing:
        """Where the one rule (`status.standing`) puts this person: status, column, notes."""
        return standing(self.signature, self.mark, self.correction)

    @property
    def status(self) -> str:
        """present, absent, late or unsigned (`status.decide`: a correction wins over everything)."""
        return self.standing.status


@dataclass
class SheetData:
    """Every record of a slot, folded per person."""

    people: dict[int, PersonState] = field(default_factory=dict)
    certification: AttendanceRecord | None = None
    records: list[AttendanceRecord] = field(default_factory=list)


def _roster(db: Session, session_id: int, activity: Activity | None) -> list[tuple[int, str, str]]:
    invitees = audience.invitees(activity) if activity else None
    leader = audience.leader(activity) if activity else None
    if leader is not None:  # a class for some learners: its creator leads it, in place of the session's trainers
        trainers = db.exec(select(User).where(User.id == leader)).all()
    else:
        trainers = db.exec(
            select(User)
            .join(TrainerPosition, col(TrainerPosition.user_id) == col(User.id))
            .where(TrainerPosition.session_id == session_id)
        ).all()
    enrolled = select(User).join(Enrolment, col(Enrolment.user_id) == col(User.id))
    enrolled = enrolled.where(Enrolment.session_id == session_id)
    if invitees is not None:
        enrolled = enrolled.where(col(User.id).in_(sorted(invitees)))
    learners = db.exec(enrolled).all()
    return [(u.id or 0, u.display_name, "trainer") for u in trainers] + [
        (u.id or 0, u.display_name, "learner") for u in learners
    ]


def load_sheet(db: Session, slot: Slot, *, only: tuple[int, str, str] | None = None) -> SheetData:
    """Fold a slot's records into each person's state.

    Args:
        db: Database session.
        slot: The slot.
        only: (user id, name, role) to fold one person's records only (a learner's own page).

    Returns:
        The sheet.
    """
    data = SheetData()
    query = select(AttendanceRecord).where(AttendanceRecord.slot_id == slot.id)
    if only is None:
        activity = db.get(Activity, slot.activity_id) if slot.activity_id else None
        for uid, name, role in _roster(db, slot.session_id, activity):
            data.people[uid] = PersonState(user_id=uid, name=name, role=role)
    else:
        data.people[only[0]] = PersonState(user_id=only[0], name=only[1], role=only[2])
        query = query.where(
            (col(AttendanceRecord.subject_user_id) == only[0]) | (col(AttendanceRecord.kind) == "certification")
        )
    data.records = list(db.exec(query.order_by(col(AttendanceRecord.seq))).all())
    for record in data.records:
        if record.kind == "certification":
            data.certification = record
            continue
        person = data.people.get(record.subject_user_id or 0)
        if person is None:  # no longer enrolled: the record stays in the chain and the PDF
            user = db.get(User, record.subject_user_id) if record.subject_user_id else None
            if user is None:
                continue
            person = data.people[user.id or 0] = PersonState(
                user_id=user.id or 0, name=user.display_name, role=record.subject_role or "learner"
            )
        person.signature, person.mark, person.correction = fold(
            (person.signature, person.mark, person.correction), record
        )
    return data


def name_key(name: str) -> str:
    """How names sort on a sheet: without case or accents (Élodie with the E's).

    Args:
        name: A display name.

    Returns:
        The sort key.
    """
    return "".join(c for c in unicodedata.normalize("NFKD", name.casefold()) if not unicodedata.combining(c))


@dataclass(frozen=True)
class BoardRow:
    """One person's line on the trainer's board."""

    user_id: int
    name: str
    role: str
    status: str
    signed_at: str
    on_trainer_device: bool
    signed_by: str
    reason: str
    mark: str
    mark_comment: str
    correction: str
    correction_reason: str
    attended: bool = False
    status_if_signed: str = "present"
    corrected_by: str = ""
    corrected_at: str = ""
    previous: str = ""
    previous_comment: str = ""


@dataclass(frozen=True)
class SheetView:
    """What the slot's page shows to one member."""

    slot_id: int
    session_id: int
    session_title: str
    activity_title: str
    kind: str
    when: str
    room: str
    window_state: str
    opens_at: str
    closes_at: str
    signer_role: str
    signed: bool
    signed_at: str
    signed_on_trainer_device: bool
    my_signature_svg: str
    my_status: str
    my_mark_comment: str
    can_sign: bool
    meeting_link: str
    manages: bool
    sees_board: bool
    certified: bool
    certified_at: str
    certified_by: str
    can_certify: bool
    chain_hash: str
    rows: list[BoardRow]
    my_status_if_signed: str = "present"  # what the one rule makes of their signature (late after a late mark)
    led_by_creator: bool = False  # a class for some learners, led by whoever made it (a tutor) in place of the trainers


def display_names(db: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """The display names of some users, in one query (the board's and the PDF's signers and certifiers).

    Args:
        db: Database session.
        ids: User ids (None and 0 are skipped).

    Returns:
        User id → display name.
    """
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return {u.id or 0: u.display_name for u in db.exec(select(User).where(col(User.id).in_(wanted))).all()}


def _row(person: PersonState, names: dict[int, str]) -> BoardRow:
    sig, corr = person.signature, person.correction
    state = person.standing  # the one rule: the same status and column as the PDF and the report
    return BoardRow(
        user_id=person.user_id,
        name=person.name,
        role=person.role,
        status=state.status,
        signed_at=clock(sig.created_at) if sig else "",
        on_trainer_device=bool(sig and sig.on_trainer_device),
        signed_by=names.get(sig.recorded_by_id, "") if sig and sig.on_trainer_device else "",
        reason=sig.reason if sig else "",
        mark=state.mark,
        mark_comment=state.mark_comment,
        correction=corr.status if corr else "",
        correction_reason=corr.reason if corr else "",
        attended=state.attended,
        status_if_signed=state.status_if_signed,
        corrected_by=names.get(corr.recorded_by_id, "") if corr else "",
        corrected_at=corr.created_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if corr else "",
        previous=state.previous,
        previous_comment=state.previous_comment,
    )


def sheet_view(db: Session, actor: Actor, slot_id: int, now: datetime | None = None) -> SheetView:
    """A slot's page for one member: their own signature, and the board for those who run it.

    Learners see only themselves; the virtual class link is included when `join.join_link` lets the
    person in (signed, or the tutor who created a class for some learners, while the class runs).

    Args:
        db: Database session.
        actor: A member of the slot's session.
        slot_id: The slot.
        now: The time to judge the window at.

    Returns:
        The view.

    Raises:
        PlumeError: NOT_FOUND.
    """
    ctx = slot_context(db, actor, slot_id)
    sees_board = ctx.role.sees_everything
    only = None if sees_board else (actor.user_id, actor.display_name, ctx.signer_role)
    data = load_sheet(db, ctx.slot, only=only)
    me = data.people.get(actor.user_id) if ctx.signer_role else None
    state = window_state(ctx.organisation, ctx.slot, now)
    opens, closes = window(ctx.organisation, ctx.slot)
    sig = me.signature if me else None
    certified = data.certification is not None
    names = display_names(
        db,
        [r.recorded_by_id for r in data.records if r.on_trainer_device or r.kind == "correction"]
        + ([data.certification.recorded_by_id] if data.certification else []),
    )
    rows = [_row(p, names) for p in data.people.values()] if sees_board else []
    rows.sort(key=lambda r: (r.role != "trainer", name_key(r.name)))
    head = db.get(AttendanceChain, ctx.organisation.id)
    me_trainer_signed = ctx.signer_role == "trainer" and sig is not None
    return SheetView(
        slot_id=ctx.slot.id or 0,
        session_id=ctx.training.id or 0,
        session_title=ctx.training.title,
        activity_title=ctx.activity.title,
        kind=ctx.activity.kind,
        when=when_label(ctx.slot),
        room=ctx.slot.room,
        window_state=state,
        opens_at=clock(opens),
        closes_at=clock(closes),
        signer_role=ctx.signer_role,
        signed=sig is not None,
        signed_at=clock(sig.created_at) if sig else "",
        signed_on_trainer_device=bool(sig and sig.on_trainer_device),
        my_signature_svg=sig.signature_svg if sig else "",
        my_status=me.status if me else "",
        my_mark_comment=me.standing.mark_comment if me else "",
        my_status_if_signed=me.standing.status_if_signed if me else "present",
        can_sign=bool(ctx.signer_role) and sig is None and state == "open" and not certified,
        meeting_link=join_link(ctx, actor, signed=sig is not None, now=now),
        manages=ctx.manages,
        sees_board=sees_board,
        certified=certified,
        certified_at=(
            data.certification.created_at.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if data.certification else ""
        ),
        certified_by=names.get(data.certification.recorded_by_id, "") if data.certification else "",
        can_certify=me_trainer_signed and not certified and utcnow() >= ctx.slot.starts_at,
        chain_hash=head.last_hash if head else "",
        rows=rows,
        led_by_creator=audience.leader(ctx.activity) is not None,
    )
