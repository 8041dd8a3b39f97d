"""The demo data set: realistic organisations, people and sessions (never in production)."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from app.models import (
    Activity,
    Course,
    Enrolment,
    Invitation,
    Membership,
    Module,
    Organisation,
    Slot,
    TrainerAssignment,
    TrainingSession,
    TutorAssignment,
    User,
)
from app.models.attendance import AttendanceRecord
from app.models.base import utcnow
from app.services import attendance
from app.services.crypto import hash_password, hash_token, new_token
from app.settings import get_settings

DEMO_PASSWORD = "plume-demo-2026"  # noqa: S105  # documented demo password, refused in production
DEMO_DOMAIN = "demo.plume.test"
PARIS = ZoneInfo("Europe/Paris")

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
    session = TrainingSession(
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
    db.add(session)
    db.flush()
    assert session.id is not None
    for trainer in trainers:
        db.add(TrainerAssignment(session_id=session.id, user_id=trainer.id or 0))
    for i, learner in enumerate(learners):
        db.add(Enrolment(session_id=session.id, user_id=learner.id or 0, kind="mandatory" if i % 5 else "recommended"))
    in_person: list[Activity] = []
    for position, (module_title, phase, activities) in enumerate(modules):
        module = Module(session_id=session.id, title=module_title, phase=phase, position=position)
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
    db.flush()
    # One slot per live activity: a half-day in the room, or a virtual class in the afternoon.
    for day, slot_activity in zip(slot_days, in_person, strict=False):
        virtual = slot_activity.kind == "virtual_class"
        db.add(
            Slot(
                session_id=session.id,
                activity_id=slot_activity.id,
                starts_at=_paris(day, 14 if virtual else 9),
                ends_at=_paris(day, 15 if virtual else 12, 30),
                room="" if virtual else "Salle Lumière",
            )
        )
    return session


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


def _attendance(db: Session, session: TrainingSession, trainer: User, learners: list[User], rng: random.Random) -> None:
    """Sign the slots already over.

    Most learners signed, one on the trainer's device, one was absent, one late;
    the trainer signed and certified each sheet.
    """
    slots = db.exec(select(Slot).where(Slot.session_id == session.id).order_by(col(Slot.starts_at))).all()

    def add(slot: Slot, at: datetime, **fields: object) -> None:
        record = AttendanceRecord(
            organisation_id=session.organisation_id,
            seq=0,
            session_id=session.id or 0,
            slot_id=slot.id or 0,
            prev_hash="",
            hash="",
            **fields,  # type: ignore[arg-type]
        )
        if record.kind == "signature":
            record.signature_svg = attendance.render_svg(attendance.parse_strokes(_scribble(rng)))
            record.signature_sha256 = attendance.sha256_text(record.signature_svg)
            record.unique_key = f"signature:{slot.id}:{record.subject_user_id}"
        attendance.append_record(db, record, at=at)

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
            if i == 1:
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

    courses = {
        "management": Course(
            organisation_id=horizon.id,
            title="Manager une équipe au quotidien",
            short_title="Management",
            categories="Management > Encadrement d'équipe, Compétences transversales",
            description="Posture managériale, délégation, entretiens.",
        ),
        "excel": Course(
            organisation_id=horizon.id,
            title="Excel avancé : tableaux croisés et automatisation",
            short_title="Excel avancé",
            categories="Bureautique > Tableur",
            description="Tableaux croisés dynamiques, Power Query, macros.",
        ),
        "gestes": Course(
            organisation_id=horizon.id,
            title="Gestes et postures au travail",
            short_title="Gestes et postures",
            categories="Santé et sécurité > Prévention des risques",
            description="Prévention des troubles musculo-squelettiques.",
        ),
        "rgpd": Course(
            organisation_id=horizon.id,
            title="RGPD : les essentiels pour les équipes",
            short_title="RGPD",
            categories="Juridique > Données personnelles",
            description="Principes, registre, droits des personnes.",
        ),
        "accueil": Course(
            organisation_id=atelier.id,
            title="Accueil client et communication",
            short_title="Accueil client",
            categories="Relation client",
            description="Accueil physique et téléphonique.",
        ),
        "sst": Course(
            organisation_id=atelier.id,
            title="Sauveteur secouriste du travail (SST)",
            short_title="SST",
            categories="Santé et sécurité > Secourisme",
            description="Formation initiale SST.",
        ),
    }
    for course in courses.values():
        db.add(course)
    db.flush()

    def pick(k: int, pool: list[User]) -> list[User]:
        return rng.sample(pool, min(k, len(pool)))

    first30 = people[:30]
    management = _session(
        db,
        horizon,
        courses["management"],
        title="Manager une équipe — session de novembre",
        start=today - timedelta(days=1),
        end=today + timedelta(days=1),
        status="active",
        place="Lyon — Part-Dieu",
        trainers=[trainer],
        learners=first30,
        modules=_timeline("management"),
        slot_days=[today - timedelta(days=1), today, today + timedelta(days=1)],
    )
    excel = _session(
        db,
        horizon,
        courses["excel"],
        title="Excel avancé — groupe 2",
        start=today + timedelta(days=12),
        end=today + timedelta(days=13),
        status="active",
        place="Villeurbanne — Salle Turing",
        trainers=[trainer, claire],
        learners=pick(12, first30),
        modules=_timeline("Excel"),
        slot_days=[today + timedelta(days=12), today + timedelta(days=13)],
    )
    gestes_people = pick(10, first30)
    gestes = _session(
        db,
        horizon,
        courses["gestes"],
        title="Gestes et postures — entrepôt Vénissieux",
        start=today - timedelta(days=20),
        end=today - timedelta(days=19),
        status="finished",
        place="Vénissieux",
        trainers=[trainer],
        learners=gestes_people,
        modules=_timeline("ergonomie"),
        slot_days=[today - timedelta(days=20), today - timedelta(days=19)],
    )
    _session(
        db,
        horizon,
        courses["rgpd"],
        title="RGPD — équipe RH (brouillon)",
        start=today + timedelta(days=30),
        end=today + timedelta(days=30),
        status="draft",
        place="À distance",
        trainers=[claire],
        learners=[],
        modules=_timeline("RGPD"),
        slot_days=[today + timedelta(days=30)],
    )
    _session(
        db,
        atelier,
        courses["accueil"],
        title="Accueil client — Rennes",
        start=today,
        end=today + timedelta(days=2),
        status="active",
        place="Rennes — Centre",
        trainers=[trainer],
        learners=people[20:30],
        modules=_timeline("accueil"),
        slot_days=[today, today + timedelta(days=1), today + timedelta(days=2)],
    )
    _session(
        db,
        atelier,
        courses["sst"],
        title="SST — formation initiale",
        start=today + timedelta(days=21),
        end=today + timedelta(days=22),
        status="active",
        place="Saint-Malo",
        trainers=[trainer],
        learners=people[20:28],
        modules=_timeline("secourisme"),
        slot_days=[today + timedelta(days=21), today + timedelta(days=22)],
    )
    db.flush()
    _attendance(db, management, trainer, first30, rng)
    _attendance(db, gestes, trainer, gestes_people, rng)
    tutored = [management, excel]
    if learners > 30:
        big = Course(
            organisation_id=horizon.id,
            title="Sensibilisation à la cybersécurité",
            short_title="Cybersécurité",
            categories="Numérique > Sécurité informatique",
            description="Parcours à grande échelle.",
        )
        db.add(big)
        db.flush()
        cyber = _session(
            db,
            horizon,
            big,
            title="Cybersécurité — campagne annuelle",
            start=today - timedelta(days=3),
            end=today + timedelta(days=30),
            status="active",
            place="À distance",
            trainers=[trainer, claire],
            learners=people,
            modules=_timeline("cybersécurité"),
            slot_days=[today],
        )
        tutored.append(cyber)
    db.add_all(TutorAssignment(session_id=s.id or 0, user_id=tutor.id or 0) for s in tutored)
    return {"organisations": 2, "learners": learners, "sessions": 6 + (learners > 30)}
