"""The demo data set: realistic organisations, people and sessions (never in production)."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import insert
from sqlmodel import Session, col, select

from app.clock import PARIS
from app.documents import handout_pdf
from app.documents.data import Handout
from app.models import (
    Activity,
    ActivityCompletion,
    AppointmentBooking,
    AppointmentOffer,
    AuthSession,
    Course,
    Enrolment,
    Invitation,
    LessonAttempt,
    LessonProgress,
    Membership,
    Module,
    Observation,
    Organisation,
    Room,
    Slot,
    Submission,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    User,
)
from app.models.attendance import AttendanceRecord
from app.models.base import utcnow
from app.models.events import name_key
from app.models.finishing import TrainingCompletion
from app.services import archives, documents, progress
from app.services.actor import Actor
from app.services.attendance import chain, completion, drawing
from app.services.crypto import hash_password, hash_token, new_token
from app.services.seed_evaluations import seed_evaluations, with_extras
from app.services.seed_reviews import seed_reviews
from app.services.seed_templates import COURSE_ORIGINS, COURSE_TOPICS, add_template
from app.settings import get_settings

DEMO_PASSWORD = "plume-demo-2026"  # noqa: S105  # documented demo password, refused in production
DEMO_DOMAIN = "demo.plume.test"

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Sarah",
    "Jade",
    "Louise",
    "Emma",
    "Zoé",
    "Lucas",
    "Hugo",
    "Théo",
    "Nathan",
    "Louis",
    "Enzo",
    "Mathis",
    "Tom",
    "Jules",
    "Arthur",
    "Nadia",
    "Karim",
    "Sofiane",
    "Amandine",
    "Julien",
    "Céline",
    "Mehdi",
    "Élodie",
    "Yanis",
    "Margaux",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
]


ACTIVITY_SETTINGS: dict[str, dict[str, object]] = {
    "poll": {
        "question": "Quel créneau préférez-vous pour la classe virtuelle de suivi ?",
        "options": ["Lundi 14h", "Mardi 10h", "Jeudi 16h"],
        "multiple": False,
    },
    "document": {"description": "À lire avant la première journée : le programme et les objectifs de la formation."},
    "virtual_class": {"link": "https://meet.jit.si/plume-demo-classe-virtuelle"},
}


class SeedRefusedError(RuntimeError):
    """The seed would touch a production or non-empty database."""


def _user(email: str, first: str, last: str, password_hash: str, phone: str) -> User:
    return User(
        email=email,
        first_name=first,
        last_name=last,
        password_hash=password_hash,
        phone=phone,
        phone_verified_at=utcnow(),
        language="fr",
    )


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _session(
    db: Session,
    org: Organisation,
    course: Course,
    *,
    title: str,
    start: date,
    end: date,
    status: str,
    place: str,
    trainers: list[User],
    learners: list[User],
    modules: list[tuple[str, str, list[tuple[str, str]]]],
    slot_days: list[date],
) -> TrainingSession:
    assert org.id is not None and course.id is not None
    training = TrainingSession(
        organisation_id=org.id,
        course_id=course.id,
        title=title,
        starts_on=start,
        ends_on=end,
        status=status,
        place=place,
        availability_ends_on=end + timedelta(days=90),
        max_participants=max(12, len(learners)),
    )
    db.add(training)
    db.flush()
    assert training.id is not None
    for trainer in trainers:
        db.add(TrainerPosition(session_id=training.id, user_id=trainer.id or 0))
    for i, learner in enumerate(learners):
        db.add(
            Enrolment(
                session_id=training.id,
                user_id=learner.id or 0,
                kind="mandatory" if i % 5 else "recommended",
                sort_name=name_key(learner.last_name, learner.first_name),
            )
        )
    in_person: list[Activity] = []
    handouts: list[Activity] = []
    for position, (module_title, phase, activities) in enumerate(modules):
        module = Module(session_id=training.id, title=module_title, phase=phase, position=position)
        db.add(module)
        db.flush()
        for apos, (kind, activity_title) in enumerate(activities):
            activity = Activity(
                module_id=module.id or 0,
                kind=kind,
                title=activity_title,
                position=apos,
                settings_json=json.dumps(ACTIVITY_SETTINGS.get(kind, {})),
            )
            db.add(activity)
            if kind in ("in_person", "virtual_class"):
                in_person.append(activity)
            if kind == "document":
                handouts.append(activity)
    db.flush()
    if trainers:
        _attach_handouts(db, training, course, trainers[0], handouts=handouts, modules=modules)
    # One slot per live activity: a half-day in the room, or a virtual class in the afternoon.
    for day, slot_activity in zip(slot_days, in_person, strict=False):
        virtual = slot_activity.kind == "virtual_class"
        db.add(
            Slot(
                session_id=training.id,
                activity_id=slot_activity.id,
                starts_at=_paris(day, 14 if virtual else 9),
                ends_at=_paris(day, 15 if virtual else 12, 30),
                room="" if virtual else "Salle Lumière",
            )
        )
    return training


def _appointments(db: Session, training: TrainingSession, trainer: User, learners: list[User], today: date) -> None:
    """An Entretien at the end of a session: three times proposed, one place waiting, one confirmed."""
    module = Module(session_id=training.id, title="Suivi individuel", phase="during", position=4)
    db.add(module)
    db.flush()
    activity = Activity(module_id=module.id or 0, kind="appointment", title="Entretien individuel de suivi")
    db.add(activity)
    db.flush()
    offers = []
    for day, hour, minute, length, capacity in ((1, 17, 0, 30, 1), (1, 17, 30, 30, 1), (2, 16, 0, 60, 3)):
        starts = _paris(today + timedelta(days=day), hour, minute)
        slot = Slot(
            session_id=training.id or 0,
            activity_id=activity.id,
            starts_at=starts,
            ends_at=starts + timedelta(minutes=length),
        )
        db.add(slot)
        db.flush()
        offer = AppointmentOffer(
            activity_id=activity.id or 0,
            session_id=training.id or 0,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=capacity,
            proposed_by_id=trainer.id or 0,
            slot_id=slot.id,
        )
        db.add(offer)
        offers.append(offer)
    db.flush()
    for learner, offer, status in zip(learners, (offers[0], offers[2]), ("pending", "confirmed"), strict=False):
        offer.taken += 1
        db.add(offer)
        db.add(
            AppointmentBooking(
                offer_id=offer.id or 0,
                activity_id=activity.id or 0,
                user_id=learner.id or 0,
                status=status,
                confirmed_at=utcnow() if status == "confirmed" else None,
                confirmed_by_id=trainer.id if status == "confirmed" else None,
            )
        )


def _handout(activity: Activity, course: Course, modules: list[tuple[str, str, list[tuple[str, str]]]]) -> Handout:
    if activity.title.startswith("Programme"):
        return Handout(
            title=f"Programme détaillé — {course.title}",
            subtitle=f"{course.in_person_hours:g} h en salle, {course.remote_hours:g} h à distance",
            sections=[
                ("Objectifs", [course.description or course.title]),
                *((title, [f"{label}" for _, label in items]) for title, _, items in modules),
            ],
        )
    return Handout(
        title=f"Supports de formation — {course.title}",
        subtitle="À garder après la formation : l'essentiel de chaque journée.",
        sections=[
            ("Les points clés", [course.description or course.title, "Les fiches pratiques de chaque atelier."]),
            ("Pour aller plus loin", ["Relisez vos notes dans la semaine.", "Refaites le quiz de révision."]),
        ],
    )


def _attach_handouts(
    db: Session,
    training: TrainingSession,
    course: Course,
    trainer: User,
    *,
    handouts: list[Activity],
    modules: list[tuple[str, str, list[tuple[str, str]]]],
) -> None:
    """The demo's document activities hold a real PDF each, attached by the session's trainer."""
    uploader = Actor(user_id=trainer.id or 0, session_id=0, email=trainer.email, display_name=trainer.display_name)
    for activity in handouts:
        data = handout_pdf.render(_handout(activity, course, modules))
        name = f"{activity.title}.pdf"
        batch = documents.store_attached(db, uploader, training, [(name, data)], activity_id=activity.id or 0)
        settings = json.loads(activity.settings_json or "{}")
        settings["files"] = [d.id for d in batch.stored]
        activity.settings_json = json.dumps(settings)
        db.add(activity)


# Typical minutes of measured activity per kind (live sessions count in attendance, not here).
MINUTES = {
    "document": (2, 12),
    "video": (3, 14),
    "quiz": (6, 22),
    "diagnostic": (8, 25),
    "poll": (1, 2),
    "quality_evaluation": (3, 8),
    "self_assessment": (4, 10),
    "assignment": (25, 90),
    "elearning": (15, 45),
}
USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Safari/605.1.15",
)
FEEDBACK = (
    "Analyse claire et bien argumentée. Pensez à chiffrer davantage vos propositions.",
    "Bon travail : la démarche est méthodique. Quelques points à approfondir sur les priorités.",
    "Le cas est traité en partie seulement ; reprenez l'étape 2 avec la grille fournie.",
    "Très bonne mission, les exemples sont concrets et pertinents.",
)


def _daytime(moment: datetime, rng: random.Random) -> datetime:
    """The same day during working hours (8:00–19:00 in Paris): people learn at work, not at 4 a.m."""
    local = moment.astimezone(PARIS)
    if 8 <= local.hour < 19:
        return moment
    return local.replace(hour=rng.randint(8, 18), minute=rng.randint(0, 59)).astimezone(UTC)


def _history(
    db: Session,
    training: TrainingSession,
    learners: list[User],
    rng: random.Random,
    *,
    corrector: User,
    skip_kinds: tuple[str, ...] = (),
    skip_users: tuple[str, ...] = (),
    finished_share: float = 0.2,
    not_started_share: float = 0.2,
) -> None:
    """A plausible learning history: attempts, times, scores, completions, hand-ins and observations.

    Bulk inserts, so the 10,000-learner set stays quick to build. Activities of `skip_kinds`
    and learners in `skip_users` (e-mails) are left untouched for the end-to-end tests.
    """
    assert training.id is not None
    activities = [
        a
        for a in db.exec(
            select(Activity)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == training.id)
            .order_by(col(Module.position), col(Activity.position))
        ).all()
        if a.kind not in skip_kinds
    ]
    start = datetime.combine(training.starts_on, time(9), tzinfo=PARIS) - timedelta(days=7)
    now = utcnow()
    span = max(3600.0, (min(now, start + timedelta(days=60)) - start).total_seconds())
    lessons: list[dict[str, object]] = []
    attempts: list[dict[str, object]] = []
    completions: list[dict[str, object]] = []
    submissions: list[dict[str, object]] = []
    observations: list[dict[str, object]] = []
    connections: list[dict[str, object]] = []
    for learner in learners:
        if learner.email in skip_users or learner.id is None:
            continue
        roll = rng.random()
        if roll < not_started_share:
            continue
        done = len(activities) if roll > 1 - finished_share else rng.randint(1, max(1, len(activities) - 1))
        moment = start + timedelta(seconds=rng.uniform(0, span * 0.3))
        for index, activity in enumerate(activities[: done + 1]):
            finished = index < done
            low, high = MINUTES.get(activity.kind, (0, 0))
            seconds = rng.randint(low * 60, high * 60) if high else 0
            moment = _daytime(moment + timedelta(seconds=rng.uniform(600, span * 0.08)), rng)
            moment = min(now - timedelta(minutes=5), moment)
            scored = activity.kind in progress.SCORED_KINDS
            score = round(rng.uniform(35, 100)) if scored and finished else None
            status = "in_progress"
            if finished:
                status = progress.scored_status(activity, score) if score is not None else "completed"
            if activity.kind == "assignment" and (finished or rng.random() < 0.6):  # corrected, or waiting
                submissions.append(
                    {
                        "activity_id": activity.id,
                        "user_id": learner.id,
                        "session_id": training.id,
                        "comment": "Voici ma proposition pour le cas pratique.",
                        "submitted_at": moment - timedelta(hours=2),
                        "status": "corrected" if finished else "submitted",
                        "score": score,
                        "feedback": rng.choice(FEEDBACK) if finished else "",
                        "corrected_by_id": corrector.id if finished else None,
                        "corrected_at": moment if finished else None,
                    }
                )
            if activity.kind == "observation" and finished and score is not None:
                levels = [rng.randint(1, 3) for _ in range(4)]
                score = round(100 * sum(levels) / 12)
                status = progress.scored_status(activity, score)
                observations.append(
                    {
                        "activity_id": activity.id,
                        "user_id": learner.id,
                        "session_id": training.id,
                        "levels_json": json.dumps(levels),
                        "score": score,
                        "comment": "Observé pendant l'atelier pratique.",
                        "observed_by_id": corrector.id,
                        "observed_at": moment,
                    }
                )
            retry = scored and finished and status == "failed" and rng.random() < 0.5
            if retry:  # an earlier, weaker try
                first = max(0, score - rng.randint(15, 30)) if score is not None else None
                attempts.append(
                    {
                        "activity_id": activity.id,
                        "user_id": learner.id,
                        "started_at": moment - timedelta(days=1),
                        "status": "failed",
                        "score": first,
                        "time_spent_s": seconds // 2,
                    }
                )
            attempts.append(
                {
                    "activity_id": activity.id,
                    "user_id": learner.id,
                    "started_at": moment - timedelta(seconds=seconds),
                    "status": status,
                    "score": score,
                    "time_spent_s": seconds,
                }
            )
            lessons.append(
                {
                    "activity_id": activity.id,
                    "user_id": learner.id,
                    "session_id": training.id,
                    "status": status,
                    "score": score,
                    "time_spent_s": seconds + (seconds // 2 if retry else 0),
                    "location": "",
                    "suspend_data": "",
                    "status_at": moment,
                    "tracked_at": moment if seconds else None,
                }
            )
            if finished:
                completions.append({"activity_id": activity.id, "user_id": learner.id, "completed_at": moment})
            if index % 3 == 0:  # a past, closed sign-in every few activities (the token is thrown away)
                connections.append(
                    {
                        "user_id": learner.id,
                        "token_hash": hash_token(new_token()),
                        "mfa_pending": False,
                        "created_at": moment - timedelta(minutes=rng.randint(20, 90)),
                        "last_seen_at": moment,
                        "expires_at": moment,
                        "revoked_at": moment,
                        "ip": "",
                        "user_agent": rng.choice(USER_AGENTS),
                    }
                )
    for table, rows in (
        (LessonProgress, lessons),
        (LessonAttempt, attempts),
        (ActivityCompletion, completions),
        (Submission, submissions),
        (Observation, observations),
        (AuthSession, connections),
    ):
        if rows:  # Core executemany: one statement per table, not one per row
            db.connection().execute(insert(table.__table__), rows)  # type: ignore[union-attr]
    progress.refresh(db, training.id)


def _scribble(rng: random.Random) -> str:
    """A plausible hand signature for the demo: two or three loose strokes."""
    strokes = []
    x = rng.randint(60, 160)
    for _ in range(rng.randint(2, 3)):
        points, y = [], rng.randint(150, 250)
        for _ in range(rng.randint(8, 14)):
            x = min(980, x + rng.randint(15, 55))
            y = max(40, min(360, y + rng.randint(-70, 70)))
            points.append(f"{x},{y}")
        strokes.append(" ".join(points))
        x = max(40, x - rng.randint(80, 200))
    return "|".join(strokes)


def _attendance(
    db: Session,
    training: TrainingSession,
    trainer: User,
    learners: list[User],
    rng: random.Random,
    *,
    absent: tuple[str, ...] = (),
) -> None:
    """Sign the slots already over.

    Most learners signed, one on the trainer's device, one was absent, one late;
    the trainer signed and certified each sheet. Learners of `absent` (e-mails) were away
    every half-day: signed half-days complete in-person activities, and they stay not started.
    """
    slots = db.exec(select(Slot).where(Slot.session_id == training.id).order_by(col(Slot.starts_at))).all()

    def add(slot: Slot, at: datetime, **fields: object) -> None:
        record = AttendanceRecord(
            organisation_id=training.organisation_id,
            seq=0,
            session_id=training.id or 0,
            slot_id=slot.id or 0,
            prev_hash="",
            hash="",
            **fields,  # type: ignore[arg-type]
        )
        if record.kind == "signature":
            record.signature_svg = drawing.render_svg(drawing.parse_strokes(_scribble(rng)))
            record.signature_sha256 = chain.sha256_text(record.signature_svg)
            record.unique_key = f"signature:{slot.id}:{record.subject_user_id}"
        chain.append_record(db, record, at=at)

    for slot in slots:
        if slot.ends_at > utcnow():
            continue
        start = slot.starts_at
        add(
            slot,
            start - timedelta(minutes=12),
            kind="signature",
            subject_user_id=trainer.id,
            subject_role="trainer",
            status="present",
            recorded_by_id=trainer.id or 0,
        )
        for i, learner in enumerate(learners):
            at = start + timedelta(minutes=rng.randint(-20, 15))
            base = {"subject_user_id": learner.id, "subject_role": "learner"}
            if i == 1 or learner.email in absent:
                add(
                    slot,
                    start + timedelta(minutes=5),
                    kind="mark",
                    status="absent",
                    recorded_by_id=trainer.id or 0,
                    reason="Arrêt maladie",
                    **base,
                )
            elif i == 2:
                add(
                    slot,
                    start + timedelta(minutes=60),
                    kind="signature",
                    status="present",
                    on_trainer_device=True,
                    recorded_by_id=trainer.id or 0,
                    reason="Téléphone oublié",
                    **base,
                )
            else:
                add(slot, at, kind="signature", status="present", recorded_by_id=learner.id or 0, **base)
                if i == 3:
                    add(
                        slot,
                        at + timedelta(minutes=1),
                        kind="mark",
                        status="late",
                        recorded_by_id=trainer.id or 0,
                        reason="Arrivée à 9 h 25 (train en retard)",
                        **base,
                    )
        add(
            slot,
            slot.ends_at + timedelta(minutes=5),
            kind="certification",
            status="certified",
            recorded_by_id=trainer.id or 0,
            unique_key=f"certification:{slot.id}",
        )


def _timeline(topic: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        (
            "Avant la formation",
            "before",
            [
                ("quality_evaluation", "Recueil des attentes"),
                ("diagnostic", f"Test de positionnement — {topic}"),
                ("document", "Programme détaillé"),
            ],
        ),
        (
            "Jour 1 — Les fondamentaux",
            "during",
            [
                ("in_person", "Journée en salle"),
                ("video", "Vidéo d'introduction"),
                ("poll", "Sondage : date de la classe virtuelle"),
            ],
        ),
        (
            "Jour 2 — Mise en pratique",
            "during",
            [
                ("in_person", "Ateliers pratiques"),
                ("virtual_class", "Classe virtuelle de suivi"),
                ("quiz", "Quiz de révision"),
                ("assignment", "Mission : cas pratique"),
                ("observation", "Observation en situation"),
            ],
        ),
        (
            "Après la formation",
            "after",
            [
                ("quality_evaluation", "Évaluation à chaud"),
                ("document", "Supports de formation"),
                ("self_assessment", "Auto-positionnement final"),
            ],
        ),
    ]


# The demo's courses, with real planned hours (the attestations print them as "Durée prévue": half-days of
# 3 h 30, classes and e-learning): organisation, title, short title, categories, description, hours in the
# room, hours at a distance. The last is made only for the scale set (more than 30 learners).
class DemoCourse(NamedTuple):
    """One of the demo's courses (`organisation`: "horizon" or "atelier")."""

    organisation: str
    title: str
    short_title: str
    categories: str
    description: str
    in_person_hours: float
    remote_hours: float = 0


DEMO_COURSES: dict[str, DemoCourse] = {
    "management": DemoCourse(
        "horizon",
        "Manager une équipe au quotidien",
        "Management",
        "Management > Encadrement d'équipe, Compétences transversales",
        "Posture managériale, délégation, entretiens.",
        7,
        3.5,
    ),
    "excel": DemoCourse(
        "horizon",
        "Excel avancé : tableaux croisés et automatisation",
        "Excel avancé",
        "Bureautique > Tableur",
        "Tableaux croisés dynamiques, Power Query, macros.",
        7,
        2,
    ),
    "gestes": DemoCourse(
        "horizon",
        "Gestes et postures au travail",
        "Gestes et postures",
        "Santé et sécurité > Prévention des risques",
        "Prévention des troubles musculo-squelettiques.",
        7,
        1,
    ),
    "rgpd": DemoCourse(
        "horizon",
        "RGPD : les essentiels pour les équipes",
        "RGPD",
        "Juridique > Données personnelles",
        "Principes, registre, droits des personnes.",
        3.5,
        2,
    ),
    "accueil": DemoCourse(
        "atelier",
        "Accueil client et communication",
        "Accueil client",
        "Relation client",
        "Accueil physique et téléphonique.",
        7,
        1.5,
    ),
    "sst": DemoCourse(
        "atelier",
        "Sauveteur secouriste du travail (SST)",
        "SST",
        "Santé et sécurité > Secourisme",
        "Formation initiale SST.",
        14,
    ),
    "cyber": DemoCourse(
        "horizon",
        "Sensibilisation à la cybersécurité",
        "Cybersécurité",
        "Numérique > Sécurité informatique",
        "Parcours à grande échelle.",
        3.5,
        4,
    ),
}


DEMO_ROOMS = (("Salle Lumière", 14), ("Salle Molière", 20), ("Salle Turing", 10))


def _rooms(db: Session, organisation_id: int) -> None:
    """The organisation's rooms; its demo slots named after one are booked in it (the first at each time)."""
    rooms = {name: Room(organisation_id=organisation_id, name=name, capacity=seats) for name, seats in DEMO_ROOMS}
    db.add_all(rooms.values())
    db.flush()
    booked: dict[int, list[Slot]] = {}
    slots = db.exec(
        select(Slot)
        .join(TrainingSession, col(TrainingSession.id) == col(Slot.session_id))
        .where(TrainingSession.organisation_id == organisation_id, col(Slot.room).in_(list(rooms)))
        .order_by(col(Slot.starts_at), col(Slot.id))
    ).all()
    for slot in slots:
        room = rooms[slot.room]
        taken = booked.setdefault(room.id or 0, [])
        if all(other.ends_at <= slot.starts_at or other.starts_at >= slot.ends_at for other in taken):
            slot.room_id = room.id
            taken.append(slot)
            db.add(slot)
    db.flush()


def seed_demo(db: Session, *, learners: int = 30) -> dict[str, int]:
    """Fill an empty database with the demo.

    Args:
        db: Database session (committed by the caller).
        learners: How many learners (30 by default; 10,000 for the scale set).

    Returns:
        Counts of what was created.

    Raises:
        SeedRefusedError: In production, or when the database already has accounts.
    """
    if get_settings().is_production:
        msg = "plume seed refuses to run with PLUME_ENV=production"
        raise SeedRefusedError(msg)
    if db.exec(select(User.id)).first() is not None:
        msg = "the database already holds accounts; the demo is only seeded into an empty database"
        raise SeedRefusedError(msg)
    rng = random.Random(2026)  # noqa: S311  # reproducible demo data, not security
    pw = hash_password(DEMO_PASSWORD)
    today = utcnow().astimezone(PARIS).date()

    horizon = Organisation(name="Horizon Formation", slug="horizon-formation")
    atelier = Organisation(name="L'Atelier des Compétences", slug="atelier-competences")
    db.add(horizon)
    db.add(atelier)
    db.flush()
    assert horizon.id is not None and atelier.id is not None
    for org in (horizon, atelier):
        archives.add_default_categories(db, org.id or 0)

    staff = _user(f"staff@{DEMO_DOMAIN}", "Sophie", "Lemaire", pw, "+33611223344")
    trainer = _user(f"trainer@{DEMO_DOMAIN}", "Marc", "Delattre", pw, "+33622334455")
    tutor = _user(f"tutor@{DEMO_DOMAIN}", "Isabelle", "Caron", pw, "+33633445566")
    claire = _user(f"claire.fontaine@{DEMO_DOMAIN}", "Claire", "Fontaine", pw, "+33644556677")
    staff2 = _user(f"staff2@{DEMO_DOMAIN}", "Antoine", "Giraud", pw, "+33655667788")
    for person in (staff, trainer, tutor, claire, staff2):
        db.add(person)
    db.flush()
    db.add(Membership(user_id=staff.id or 0, organisation_id=horizon.id, is_staff=True))
    db.add(Membership(user_id=staff2.id or 0, organisation_id=atelier.id, is_staff=True))
    db.add(Membership(user_id=trainer.id or 0, organisation_id=horizon.id, is_trainer=True, trainer_kind="external"))
    db.add(Membership(user_id=trainer.id or 0, organisation_id=atelier.id, is_trainer=True, trainer_kind="external"))
    db.add(Membership(user_id=claire.id or 0, organisation_id=horizon.id, is_trainer=True, trainer_kind="internal"))
    db.add(Membership(user_id=tutor.id or 0, organisation_id=horizon.id, is_tutor=True))

    people: list[User] = []
    rows = []
    for n in range(1, learners + 1):
        first = FIRST_NAMES[(n - 1) % len(FIRST_NAMES)]
        last = LAST_NAMES[((n - 1) * 7 + (n - 1) // len(LAST_NAMES)) % len(LAST_NAMES)]
        rows.append(_user(f"learner{n}@{DEMO_DOMAIN}", first, last, pw, f"+3367{n:07d}"[:12]))
    db.add_all(rows)
    db.flush()
    people = rows
    memberships = [Membership(user_id=p.id or 0, organisation_id=horizon.id, is_learner=True) for p in people]
    memberships += [Membership(user_id=p.id or 0, organisation_id=atelier.id, is_learner=True) for p in people[20:30]]
    db.add_all(memberships)

    soon = utcnow() + timedelta(days=14)
    db.add(
        Invitation(
            organisation_id=horizon.id,
            email=f"julien.perrin@{DEMO_DOMAIN}",
            first_name="Julien",
            last_name="Perrin",
            trainer_kind="external",
            token_hash=hash_token(new_token()),
            invited_by_id=staff.id,
            sent_count=1,
            last_sent_at=utcnow() - timedelta(days=2),
            expires_at=soon,
        )
    )
    db.add(
        Invitation(
            organisation_id=horizon.id,
            email="",
            first_name="Nathalie",
            last_name="Rousseau",
            trainer_kind="external",
            token_hash=hash_token(new_token()),
            invited_by_id=staff.id,
        )
    )

    orgs = {"horizon": horizon, "atelier": atelier}
    courses: dict[str, Course] = {}
    for key, spec in DEMO_COURSES.items():
        if key == "cyber" and learners <= 30:
            continue
        courses[key] = Course(
            organisation_id=orgs[spec.organisation].id or 0,
            title=spec.title,
            short_title=spec.short_title,
            categories=spec.categories,
            description=spec.description,
            in_person_hours=spec.in_person_hours,
            remote_hours=spec.remote_hours,
            origin=COURSE_ORIGINS[key],
        )
        db.add(courses[key])
    db.flush()

    def pick(k: int, pool: list[User]) -> list[User]:
        return rng.sample(pool, min(k, len(pool)))

    def session(
        key: str,
        title: str,
        days: tuple[int, int],
        status: str,
        place: str,
        *,
        trainers: list[User],
        members: list[User],
        live_days: list[int] | None = None,
    ) -> TrainingSession:
        """A demo session of a course, following the course's timeline; a live slot on each of its days."""
        return _session(
            db,
            orgs[DEMO_COURSES[key].organisation],
            courses[key],
            title=title,
            start=today + timedelta(days=days[0]),
            end=today + timedelta(days=days[1]),
            status=status,
            place=place,
            trainers=trainers,
            learners=members,
            modules=_timeline(COURSE_TOPICS[key]),
            slot_days=[today + timedelta(days=d) for d in live_days or range(days[0], days[1] + 1)],
        )

    first30 = people[:30]
    management = session(
        "management",
        "Manager une équipe — session de novembre",
        (-1, 1),
        "active",
        "Lyon — Part-Dieu",
        trainers=[trainer],
        members=first30,
    )
    excel = session(
        "excel",
        "Excel avancé — groupe 2",
        (12, 13),
        "active",
        "Villeurbanne — Salle Turing",
        trainers=[trainer, claire],
        members=pick(12, first30),
    )
    gestes_people = pick(10, first30)
    gestes = session(
        "gestes",
        "Gestes et postures — entrepôt Vénissieux",
        (-20, -19),
        "finished",
        "Vénissieux",
        trainers=[trainer],
        members=gestes_people,
    )
    rgpd = session(
        "rgpd", "RGPD — équipe RH (brouillon)", (30, 30), "draft", "À distance", trainers=[claire], members=[]
    )
    accueil = session(
        "accueil",
        "Accueil client — Rennes",
        (0, 2),
        "active",
        "Rennes — Centre",
        trainers=[trainer],
        members=people[20:30],
    )
    sst = session(
        "sst", "SST — formation initiale", (21, 22), "active", "Saint-Malo", trainers=[trainer], members=people[20:28]
    )
    db.flush()
    _appointments(db, accueil, trainer, people[20:22], today)
    # Learner 30 starts from nothing in the end-to-end tests: away on the signed days.
    _attendance(db, management, trainer, first30, rng, absent=(f"learner30@{DEMO_DOMAIN}",))
    _attendance(db, gestes, trainer, gestes_people, rng)
    # Learners 11 and 30 and the documents, videos and polls stay untouched: the end-to-end tests start from them.
    _history(
        db,
        management,
        first30,
        rng,
        corrector=tutor,
        skip_kinds=("document", "video", "poll", "in_person", "virtual_class"),
        skip_users=(f"learner11@{DEMO_DOMAIN}", f"learner30@{DEMO_DOMAIN}"),
        finished_share=0.0,
        not_started_share=0.15,
    )
    _history(db, gestes, gestes_people, rng, corrector=trainer, finished_share=0.7, not_started_share=0.0)
    for signed in (management, gestes):  # signed half-days complete the in-person activities
        completion.follow(db, signed.id or 0)
    # The finished session's trainer declared "Formation terminée" for all but its last two learners on its last
    # day: staff can issue their attendance attestations; the two others show the gate (nothing before it).
    finished_on = datetime.combine(gestes.ends_on, time(17, 30), tzinfo=PARIS).astimezone(UTC)
    db.add_all(
        TrainingCompletion(
            session_id=gestes.id or 0, user_id=u.id or 0, decided_by_id=trainer.id or 0, decided_at=finished_on
        )
        for u in gestes_people[:-2]
    )
    tutored = [management, excel]
    if learners > 30:
        cyber = session(
            "cyber",
            "Cybersécurité — campagne annuelle",
            (-3, 30),
            "active",
            "À distance",
            trainers=[trainer, claire],
            members=people,
            live_days=[0],
        )
        tutored.append(cyber)
        db.flush()
        _history(db, cyber, people, rng, corrector=tutor, finished_share=0.25, not_started_share=0.3)
    db.add_all(TutorPosition(session_id=s.id or 0, user_id=tutor.id or 0) for s in tutored)
    db.flush()
    seed_reviews(db, rng)
    # Each course's template timeline (the one its demo sessions follow): a session created or organised from
    # the offer starts ready to run. Written last, so the demo sessions' activities keep their first ids.
    for key, course in courses.items():
        add_template(db, course, with_extras(key, _timeline(COURSE_TOPICS[key])))
    for organisation in (horizon, atelier):
        _rooms(db, organisation.id or 0)
    # Last too: the evaluations' library, the sessions' questionnaires and some learners' answers (own random).
    demo_sessions = {"management": management, "excel": excel, "gestes": gestes, "rgpd": rgpd, "accueil": accueil}
    demo_sessions["sst"] = sst
    if learners > 30:
        demo_sessions["cyber"] = cyber
    evaluations = seed_evaluations(
        db,
        courses=courses,
        sessions=demo_sessions,
        staff={horizon.id: staff, atelier.id: staff2},
        trainer=trainer,
        topics=COURSE_TOPICS,
    )
    return {"organisations": 2, "learners": learners, "sessions": 6 + (learners > 30), **evaluations}
