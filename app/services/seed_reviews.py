"""Demo reviews: two to four learners of each demo course rate it, in French."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlmodel import Session, col, select

from app.models import CourseReview, Enrolment, TrainingSession
from app.models.base import utcnow

CANDIDATES = 200
COMMENTS: dict[int, tuple[str, ...]] = {
    5: (
        "Formation très concrète, j'ai pu appliquer dès le lendemain. Formateur à l'écoute.",
        "Excellent rythme, beaucoup de mises en situation. Je recommande vivement.",
        "Contenus clairs et bien organisés, les exercices pratiques m'ont beaucoup aidé.",
        "Très bonne ambiance de groupe et des supports réutilisables au quotidien.",
    ),
    4: (
        "Bonne formation dans l'ensemble, quelques passages un peu rapides.",
        "Utile et bien animée ; j'aurais aimé plus de temps sur les cas pratiques.",
        "Des outils concrets. La partie à distance pourrait être plus interactive.",
        "",
    ),
    3: (
        "Contenu intéressant mais trop dense pour la durée prévue.",
        "Correct, sans plus : une partie du programme était déjà connue de l'équipe.",
    ),
}
STARS = (5, 5, 4, 4, 4, 3)


def seed_reviews(db: Session, rng: random.Random) -> int:
    """Add two to four reviews per course from learners of its sessions (skipping those who already reviewed).

    Only non-draft sessions with learners are used; the first 200 enrolments of a
    course are the candidates, so the scale demo stays quick.

    Args:
        db: Database session (flushed, committed by the caller).
        rng: The seed's random generator (reproducible demo).

    Returns:
        How many reviews were added.
    """
    rows = db.exec(
        select(TrainingSession.course_id, Enrolment.session_id, Enrolment.user_id)
        .join(Enrolment, col(Enrolment.session_id) == col(TrainingSession.id))
        .where(TrainingSession.status != "draft")
        .order_by(col(TrainingSession.course_id), col(Enrolment.id))
    ).all()
    reviewed = set(db.exec(select(CourseReview.session_id, CourseReview.user_id)).all())
    candidates: dict[int, list[tuple[int, int]]] = {}
    for course_id, session_id, user_id in rows:
        pool = candidates.setdefault(course_id, [])
        if len(pool) < CANDIDATES and (session_id, user_id) not in reviewed:
            pool.append((session_id, user_id))
    now = utcnow()
    added = 0
    for course_id, pool in sorted(candidates.items()):
        for session_id, user_id in rng.sample(pool, min(len(pool), rng.randint(2, 4))):
            stars = rng.choice(STARS)
            db.add(
                CourseReview(
                    course_id=course_id,
                    session_id=session_id,
                    user_id=user_id,
                    stars=stars,
                    comment=rng.choice(COMMENTS[stars]),
                    created_at=now - timedelta(days=rng.randint(0, 6), hours=rng.randint(0, 20)),
                )
            )
            added += 1
    db.flush()
    return added
