"""'Formation terminée': a learner's training declared finished, and undone (which revokes their attestations).

Staff, the session's trainers and tutors declare it for a selection of learners
(`access.Capability.CONCLUDE`: a published session that is not archived). Each
declaration records who decided and when (`TrainingCompletion`); only then can an
attendance attestation be issued for that learner (`attestations.issue_batch`).
Undoing it deletes the declaration, revokes every attestation still valid for those
learners (the public check then says "révoquée", with the date) and is audited.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from app.models import Attestation, Enrolment, TrainingCompletion, TrainingSession
from app.models.base import utcnow
from app.services import audit
from app.services.access import Capability, access_session, session_filter
from app.services.actor import Actor
from app.services.errors import ErrorCode, PlumeError

MAX_LEARNERS = 10_000
_CHUNK = 900  # ids per IN (...): under every database's bound-parameter limit


def _wanted(user_ids: object) -> list[int]:
    if not isinstance(user_ids, list | tuple | set | frozenset):
        raise PlumeError(ErrorCode.INVALID_INPUT)
    wanted = sorted({u for u in user_ids if isinstance(u, int) and not isinstance(u, bool)})
    if not wanted or len(wanted) > MAX_LEARNERS:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    return wanted


def _enrolled(db: Session, session_id: int, wanted: Sequence[int]) -> list[int]:
    found: list[int] = []
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        found.extend(
            db.exec(
                select(Enrolment.user_id).where(Enrolment.session_id == session_id, col(Enrolment.user_id).in_(chunk))
            ).all()
        )
    return sorted(found)


def finished_ids(db: Session, session_id: int, user_ids: Sequence[int] | None = None) -> set[int]:
    """The learners of a session whose training is declared finished (no access check: callers gate).

    Args:
        db: Database session.
        session_id: The session.
        user_ids: Only these learners (all of them when None).

    Returns:
        Their user ids.
    """
    query = select(TrainingCompletion.user_id).where(TrainingCompletion.session_id == session_id)
    if user_ids is None:
        return set(db.exec(query).all())
    found: set[int] = set()
    ids = list(user_ids)
    for start in range(0, len(ids), _CHUNK):
        found |= set(db.exec(query.where(col(TrainingCompletion.user_id).in_(ids[start : start + _CHUNK]))).all())
    return found


def mark_finished(db: Session, actor: Actor, session_id: int, user_ids: object) -> int:
    """Declare the chosen learners' training finished ("Formation terminée"), recording who and when.

    Learners already declared keep their first declaration; ids of people not enrolled are ignored.

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor positioned on the session (CONCLUDE).
        session_id: The session.
        user_ids: The learners chosen (at most 10,000).

    Returns:
        How many learners were newly declared.

    Raises:
        PlumeError: NOT_FOUND for a missing, forbidden or archived session; INVALID_INPUT when no learner
            of the session was chosen.
    """
    training, _ = access_session(db, actor, session_id, Capability.CONCLUDE)
    enrolled = _enrolled(db, training.id or 0, _wanted(user_ids))
    if not enrolled:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    already = finished_ids(db, training.id or 0, enrolled)
    now = utcnow()
    fresh = [uid for uid in enrolled if uid not in already]
    db.add_all(
        TrainingCompletion(session_id=training.id or 0, user_id=uid, decided_by_id=actor.user_id, decided_at=now)
        for uid in fresh
    )
    if fresh:
        audit.record(
            db,
            "training.finished",
            actor_user_id=actor.user_id,
            organisation_id=training.organisation_id,
            target=f"session:{training.id}",
            after={"learners": fresh},
            ip=actor.ip,
        )
    db.flush()
    return len(fresh)


def undo_finished(db: Session, actor: Actor, session_id: int, user_ids: object) -> int:
    """Undo "Formation terminée" for the chosen learners: audited, and their attestations are revoked.

    Args:
        db: Database session.
        actor: Staff, or a trainer or tutor positioned on the session (CONCLUDE).
        session_id: The session.
        user_ids: The learners chosen (at most 10,000).

    Returns:
        How many declarations were undone.

    Raises:
        PlumeError: NOT_FOUND for a missing, forbidden or archived session; INVALID_INPUT when no learner
            of the session was chosen.
    """
    training, _ = access_session(db, actor, session_id, Capability.CONCLUDE)
    enrolled = _enrolled(db, training.id or 0, _wanted(user_ids))
    if not enrolled:
        raise PlumeError(ErrorCode.INVALID_INPUT)
    now = utcnow()
    undone: list[TrainingCompletion] = []
    revoked: list[Attestation] = []
    for start in range(0, len(enrolled), _CHUNK):
        chunk = enrolled[start : start + _CHUNK]
        undone.extend(
            db.exec(
                select(TrainingCompletion).where(
                    TrainingCompletion.session_id == training.id, col(TrainingCompletion.user_id).in_(chunk)
                )
            ).all()
        )
        revoked.extend(
            db.exec(
                select(Attestation).where(
                    Attestation.session_id == training.id,
                    col(Attestation.user_id).in_(chunk),
                    col(Attestation.revoked_at).is_(None),
                )
            ).all()
        )
    if not undone:
        return 0
    learners = sorted(row.user_id for row in undone)
    for row in undone:
        db.delete(row)
    # An attestation certified a finished training: once that is undone, its code must no longer verify as valid.
    for attestation in revoked:
        if attestation.user_id in learners:
            attestation.revoked_at = now
            db.add(attestation)
    audit.record(
        db,
        "training.unfinished",
        actor_user_id=actor.user_id,
        organisation_id=training.organisation_id,
        target=f"session:{training.id}",
        before={"learners": learners},
        after={"revoked": sorted(a.code for a in revoked if a.user_id in learners)},
        ip=actor.ip,
    )
    db.flush()
    return len(undone)


def concludable(db: Session, actor: Actor, session_ids: Sequence[int]) -> bool:
    """Whether the actor may declare "Formation terminée" on at least one of these sessions (CONCLUDE).

    The tutoring centre offers the action only then (never on an archived session).

    Args:
        db: Database session.
        actor: The signed-in actor.
        session_ids: The sessions of the centre.

    Returns:
        True if one of them grants CONCLUDE.
    """
    if not session_ids:
        return False
    found = db.exec(
        select(TrainingSession.id).where(
            col(TrainingSession.id).in_(list(session_ids)), session_filter(actor, Capability.CONCLUDE)
        )
    ).first()
    return found is not None
