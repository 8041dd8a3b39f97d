"""The demo's evaluations: a questionnaire library, a competencies framework, their use by the sessions, answers.

Everything goes through the services, as the organisation's staff, its trainer and some learners
would have done it (`library`, `grids`, `uses`, `attempts`), so the grading, the anonymity of the
quality evaluations and the learners' progress are the real ones. The content is in
`seed_evaluations_content`.

Answers come from a few learners of three sessions only (the finished "Gestes et postures" one, the
running management and reception ones), so the 10,000-learner set costs no more. Learners the
end-to-end tests start from (11, 30, and those they sign in as on these sessions) answer nothing.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session, col, delete, select

from app.clock import PARIS, paris_today
from app.models import Activity, Course, Enrolment, Module, TrainingSession, User
from app.models.base import utcnow
from app.models.evaluations import EVALUATION_KINDS, Question
from app.models.progress import LessonAttempt
from app.services import progress
from app.services.actor import Actor
from app.services.evaluations import attempts, grids, library, uses
from app.services.seed_evaluations_content import (
    COLD,
    COMPETENCIES,
    DIAGNOSTICS,
    EXPECTATIONS,
    FEELING,
    GRID_COMMENTS,
    HOT,
    QUIZZES,
    SST_BANK,
    likert,
    scale,
)

Timeline = list[tuple[str, str, list[tuple[str, str]]]]

COLD_TITLE = "Évaluation à froid"
SELF_BEFORE = "Auto-positionnement initial"
GRID_TITLE = "Évaluation des acquis par le formateur"
CERTIFICATION_TITLE = "Épreuve certificative SST — QCM"
SST_GRID_TITLE = "Grille de certification SST"
COLD_DELAYS = {"gestes": 15, "sst": 45}

# Activities some courses add to the common timeline: (module title, kind, title).
EXTRA_ACTIVITIES: dict[str, list[tuple[str, str, str]]] = {
    "gestes": [
        ("Avant la formation", "self_assessment", SELF_BEFORE),
        ("Après la formation", "third_party_evaluation", GRID_TITLE),
        ("Après la formation", "quality_evaluation", COLD_TITLE),
    ],
    "sst": [
        ("Avant la formation", "self_assessment", SELF_BEFORE),
        ("Jour 2 — Mise en pratique", "certification", CERTIFICATION_TITLE),
        ("Jour 2 — Mise en pratique", "third_party_evaluation", SST_GRID_TITLE),
        ("Après la formation", "quality_evaluation", COLD_TITLE),
    ],
}

# Who answers, per session (course key): learners' numbers; the end-to-end tests' learners stay untouched.
ANSWERING: dict[str, int | tuple[int, ...]] = {
    "gestes": 8,  # the first eight of the session, by name
    "management": (1, 7, 10, 12, 14, 15, 16),
    "accueil": (21, 22, 23, 24),
}

UNTOUCHED = ("learner11", "learner30")  # the end-to-end tests start from them

TEXTS = {
    "Quelles situations de votre travail aimeriez-vous mieux maîtriser à l'issue de la formation ?": (
        "Les échanges tendus avec certains interlocuteurs.",
        "Savoir quoi faire en premier quand tout arrive en même temps.",
        "Être plus rapide sur les tâches que je fais chaque semaine.",
        "Appliquer les bons gestes sans y penser.",
    ),
    "Avez-vous besoin d'un aménagement (accessibilité, horaires, matériel) ?": (
        "Non, merci.",
        "Non",
        "Une place de parking proche de l'entrée si possible.",
        "Non, tout est bon.",
    ),
    "Qu'avez-vous le plus apprécié ?": (
        "Les mises en situation, très proches de notre quotidien.",
        "Le formateur, disponible et concret.",
        "Les échanges avec les collègues des autres équipes.",
        "Les fiches pratiques, que je garde sur mon poste.",
        "Le rythme : jamais d'ennui.",
    ),
    "Que faudrait-il améliorer ?": (
        "Un peu plus de temps pour la pratique.",
        "La salle était un peu petite pour les exercices.",
        "Rien de particulier.",
        "Envoyer les supports avant la formation.",
    ),
    "Un exemple de situation où la formation vous a servi ?": (
        "J'ai réorganisé le poste d'emballage avec mon chef d'équipe : moins de torsions.",
        "J'utilise le transpalette au lieu de porter les cartons de plus de 15 kg.",
        "J'ai expliqué les bons gestes à un intérimaire arrivé la semaine dernière.",
    ),
}


@dataclass(frozen=True)
class Library:
    """The questionnaires of one organisation's library the sessions use."""

    expectations: int
    hot: int
    cold: int
    diagnostics: dict[str, int]
    quizzes: dict[str, int]
    self_assessments: dict[str, int]
    certification: int | None


def with_extras(key: str, timeline: Timeline) -> Timeline:
    """A course's timeline with the evaluation activities it adds (its template's copy).

    Args:
        key: The course's key in the demo.
        timeline: The common timeline.

    Returns:
        The same modules, with the course's extra activities at their end.
    """
    extras = EXTRA_ACTIVITIES.get(key, [])
    return [
        (title, phase, [*activities, *((kind, name) for module, kind, name in extras if module == title)])
        for title, phase, activities in timeline
    ]


def _staff(user: User, organisation_id: int) -> Actor:
    return Actor(
        user_id=user.id or 0,
        session_id=0,
        email=user.email,
        display_name=user.display_name,
        organisation_id=organisation_id,
        roles=frozenset({"staff"}),
    )


def _member(user: User, organisation_id: int, role: str) -> Actor:
    return Actor(
        user_id=user.id or 0,
        session_id=0,
        email=user.email,
        display_name=user.display_name,
        organisation_id=organisation_id,
        roles=frozenset({role}),
    )


def _questionnaire(
    db: Session, actor: Actor, settings: dict[str, object], questions: Sequence[Mapping[str, object]]
) -> int:
    questionnaire_id = library.create_questionnaire(db, actor, settings)
    for question in questions:
        library.add_question(db, actor, question, questionnaire_id=questionnaire_id)
    return questionnaire_id


def _library(db: Session, actor: Actor, courses: Mapping[str, Course], topics: Mapping[str, str]) -> Library:
    """One organisation's library: its quality evaluations, and per course a diagnostic, a quiz, a self-assessment."""
    expectations = _questionnaire(
        db,
        actor,
        {
            "title": "Recueil des attentes",
            "use": "quality_evaluation",
            "description": "Quelques minutes avant la formation, pour que le formateur l'adapte à vos besoins.",
            "tags": "qualité, avant la formation",
        },
        EXPECTATIONS,
    )
    hot = _questionnaire(
        db,
        actor,
        {
            "title": "Évaluation à chaud",
            "use": "quality_evaluation",
            "description": "Votre avis en fin de formation. Les réponses sont anonymes.",
            "tags": "qualité, satisfaction",
        },
        HOT,
    )
    cold = _questionnaire(
        db,
        actor,
        {
            "title": "Évaluation à froid",
            "use": "quality_evaluation",
            "description": "Quelques semaines après : ce que la formation a changé dans votre travail. Réponses anonymes.",
            "tags": "qualité, impact",
        },
        COLD,
    )
    diagnostics: dict[str, int] = {}
    quizzes: dict[str, int] = {}
    selves: dict[str, int] = {}
    for key, course in courses.items():
        topic = topics[key]
        diagnostics[key] = _questionnaire(
            db,
            actor,
            {
                "title": f"Test de positionnement — {topic}",
                "use": "diagnostic",
                "description": "Pour situer vos acquis avant la formation. Vous verrez votre score, pas les corrections.",
                "passing_score": 60,
                "tags": f"positionnement, {course.short_title}",
            },
            [*DIAGNOSTICS[key], scale(FEELING)],
        )
        quizzes[key] = _questionnaire(
            db,
            actor,
            {
                "title": f"Quiz de révision — {course.short_title}",
                "use": "quiz",
                "description": "Révisez à votre rythme : chaque réponse est commentée, autant d'essais que vous voulez.",
                "passing_score": 75,
                "tags": f"quiz, {course.short_title}",
            },
            QUIZZES[key],
        )
        selves[key] = _questionnaire(
            db,
            actor,
            {
                "title": f"Auto-positionnement — {course.short_title}",
                "use": "self_assessment",
                "description": "Situez-vous sur chaque compétence du parcours, de 1 (débutant) à 5 (expert).",
                "tags": f"compétences, {course.short_title}",
            },
            [likert("Où en êtes-vous sur chaque compétence ?", [label for _, label, _ in COMPETENCIES[key]])],
        )
    certification = None
    if "sst" in courses:
        bank = library.create_bank(db, actor, "Banque SST — épreuve théorique", "sst, certification")
        for question in SST_BANK:
            library.add_question(db, actor, question, bank_id=bank)
        certification = library.create_questionnaire(
            db,
            actor,
            {
                "title": "Certification SST — épreuve théorique",
                "use": "certification",
                "description": "10 questions tirées au sort, 15 minutes, deux tentatives. Réussite à 70 %.",
                "passing_score": 70,
                "time_limit_s": 900,
                "attempts_limit": 2,
                "draw_size": 10,
                "tags": "sst, certification",
            },
            bank_id=bank,
        )
    return Library(expectations, hot, cold, diagnostics, quizzes, selves, certification)


def _framework(db: Session, actor: Actor, courses: Mapping[str, Course]) -> None:
    for key, course in courses.items():
        ids = [grids.create_competency(db, actor, *spec) for spec in COMPETENCIES[key]]
        grids.link_course(db, actor, course.id or 0, ids)


def _session_activities(db: Session, session_id: int) -> list[tuple[Activity, Module]]:
    return [
        (a, m)
        for a, m in db.exec(
            select(Activity, Module)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session_id)
            .order_by(col(Module.position), col(Activity.position))
        ).all()
    ]


def _add_extras(db: Session, key: str, training: TrainingSession) -> None:
    """The course's extra evaluation activities, at the end of their modules (after the demo's other rows)."""
    if key not in EXTRA_ACTIVITIES:
        return
    found = _session_activities(db, training.id or 0)
    modules = {m.title: m for _, m in found}
    for module_title, kind, title in EXTRA_ACTIVITIES.get(key, []):
        module = modules[module_title]
        position = 1 + max(a.position for a, m in found if m.id == module.id)
        activity = Activity(module_id=module.id or 0, kind=kind, title=title, position=position, settings_json="{}")
        db.add(activity)
        db.flush()
        found.append((activity, module))
    progress.refresh(db, training.id or 0)


def _attach(db: Session, actor: Actor, key: str, training: TrainingSession, lib: Library) -> dict[str, Activity]:
    """Each evaluation activity of the session uses its questionnaire; returns them by title."""
    found: dict[str, Activity] = {}
    for activity, module in _session_activities(db, training.id or 0):
        if activity.kind not in EVALUATION_KINDS:
            continue
        found[activity.title] = activity
        moment, delay, questionnaire = "", None, None
        if activity.kind == "quality_evaluation":
            if activity.title == COLD_TITLE:
                moment, delay, questionnaire = "cold", COLD_DELAYS.get(key, 30), lib.cold
            elif module.phase == "before":
                moment, questionnaire = "before", lib.expectations
            else:
                moment, questionnaire = "hot", lib.hot
        elif activity.kind == "diagnostic":
            moment, questionnaire = "before", lib.diagnostics[key]
        elif activity.kind == "quiz":
            questionnaire = lib.quizzes[key]
        elif activity.kind == "self_assessment":
            moment, questionnaire = ("before" if module.phase == "before" else "after"), lib.self_assessments[key]
        elif activity.kind == "certification":
            questionnaire = lib.certification
        if questionnaire is None:  # a third-party grid lists the course's competencies: no questionnaire
            continue
        use = uses.attach(db, actor, activity.id or 0, questionnaire, moment=moment, send_after_days=delay)
        due = training.ends_on + timedelta(days=delay or 0)
        if moment == "cold" and due <= paris_today(utcnow()):
            # Already e-mailed on its day: the outbox task must not send it again.
            use.cold_sent_at = _paris(due, 9)
            db.add(use)
    return found


def _paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def _value(question: Question, right: list[int], wrong: list[int], rng: random.Random, skill: float) -> object:
    """A plausible answer to one question: right with probability `skill` when it is graded."""
    good = rng.random() < skill
    if question.kind == "single":
        return right[0] if good and right else rng.choice(wrong or right)
    if question.kind == "multiple":
        if good or not wrong:
            return sorted(right) or [rng.choice(wrong)]
        return sorted({*right[1:], rng.choice(wrong)})
    if question.kind == "number":
        answer = question.answer_number or 0
        return answer if good else answer + rng.choice((-1, 1)) * max(1, round(abs(answer) * 0.3))
    if question.kind == "scale":
        top = question.scale_max or 5
        return min(top, max(1, round(top * (0.55 + 0.4 * skill)) + rng.choice((-1, 0, 0, 1))))
    if question.kind == "likert":
        rows = len(library.rows_of(question))
        return [rng.choice((3, 4, 4, 5, 5)) for _ in range(rows)]
    texts = TEXTS.get(question.text)
    return rng.choice(texts) if texts else None


def _answer(db: Session, learner: Actor, activity: Activity, rng: random.Random, *, at: datetime, skill: float) -> None:
    """A learner starts, answers every question (drafts), and submits: graded by the service."""
    view = attempts.start(db, learner, activity.id or 0, now=at)
    ids = [q["id"] for q in view["questions"]]
    questions, choices = library.load_questions(db, ids)
    moment = at
    for question_id in ids:
        question = questions[question_id]
        listed = choices.get(question_id, [])
        right = [c.id or 0 for c in listed if c.correct]
        wrong = [c.id or 0 for c in listed if not c.correct]
        if question.kind in ("single", "multiple") and not right:  # a quality question: any answer
            right = [rng.choice(wrong)]
        value = _value(question, right, wrong, rng, skill)
        if value is None:
            continue
        moment += timedelta(seconds=rng.randint(15, 70))
        attempts.save_answer(db, learner, activity.id or 0, question_id, value, now=moment)
    attempts.submit(db, learner, activity.id or 0, now=moment + timedelta(seconds=rng.randint(5, 30)))


def _learners(db: Session, training: TrainingSession, key: str) -> list[User]:
    enrolled = list(
        db.exec(
            select(User)
            .join(Enrolment, col(Enrolment.user_id) == col(User.id))
            .where(Enrolment.session_id == training.id)
            .order_by(col(Enrolment.sort_name), col(User.id))
        ).all()
    )
    enrolled = [u for u in enrolled if u.email.split("@")[0] not in UNTOUCHED]
    chosen = ANSWERING.get(key, ())
    if isinstance(chosen, int):
        return enrolled[:chosen]
    wanted = {f"learner{n}@" for n in chosen}
    return [u for u in enrolled if u.email.split("@")[0] + "@" in wanted]


def _forget_simulated_attempts(db: Session, activities: Sequence[Activity], learners: Sequence[User]) -> None:
    """The simulated history's attempts at these activities give way to the learners' real ones."""
    db.exec(
        delete(LessonAttempt).where(
            col(LessonAttempt.activity_id).in_([a.id for a in activities]),
            col(LessonAttempt.user_id).in_([u.id for u in learners]),
        )
    )


def _day(day: date, rng: random.Random, *, early: int = 9, late: int = 18) -> datetime:
    return _paris(day, rng.randint(early, late - 1), rng.randint(0, 59))


def _answers(
    db: Session,
    key: str,
    training: TrainingSession,
    found: Mapping[str, Activity],
    *,
    trainer: User,
    rng: random.Random,
) -> None:
    """Some learners' answers in one session, as its dates make plausible."""
    learners = _learners(db, training, key)
    if not learners:
        return
    org = training.organisation_id
    start, end = training.starts_on, training.ends_on
    before = [found[t] for t in found if t.startswith(("Recueil", "Test de positionnement"))]
    _forget_simulated_attempts(db, list(found.values()), learners)
    for n, user in enumerate(learners):
        learner = _member(user, org, "learner")
        skill = rng.uniform(0.45, 0.95)
        for activity in before:
            _answer(db, learner, activity, rng, at=_day(start - timedelta(days=rng.randint(2, 6)), rng), skill=skill)
        if key == "accueil":
            continue
        if n < 5 and "Quiz de révision" in found:
            quiz = found["Quiz de révision"]
            for attempt in range(rng.randint(1, 2)):
                _answer(
                    db,
                    learner,
                    quiz,
                    rng,
                    at=_day(start, rng, early=18, late=21) + timedelta(hours=attempt),
                    skill=skill,
                )
                skill = min(1.0, skill + 0.2)
        if key != "gestes":
            continue
        _answer(db, learner, found["Évaluation à chaud"], rng, at=_paris(end, 16, 30 + n), skill=skill)
        if n < 4:
            sent = end + timedelta(days=COLD_DELAYS[key] + rng.randint(0, 3))
            _answer(db, learner, found[COLD_TITLE], rng, at=_day(sent, rng), skill=skill)
        _position(db, learner, found, rng, skill)
    if key == "gestes":
        _grids(db, training, found[GRID_TITLE], learners[:5], trainer=trainer, rng=rng)


def _position(db: Session, learner: Actor, found: Mapping[str, Activity], rng: random.Random, skill: float) -> None:
    """The learner's self-assessment before the training and after it: usually higher after."""
    first = {}
    for line in grids.self_form(db, learner, found[SELF_BEFORE].id or 0):
        first[line.competency_id] = rng.randint(1, 3)
        grids.position_self(db, learner, found[SELF_BEFORE].id or 0, line.competency_id, first[line.competency_id])
    for competency_id, level in first.items():
        after = min(5, level + rng.choice((0, 1, 1, 2)) + (1 if skill > 0.8 else 0))
        grids.position_self(db, learner, found["Auto-positionnement final"].id or 0, competency_id, after)


def _grids(
    db: Session,
    training: TrainingSession,
    activity: Activity,
    learners: Sequence[User],
    *,
    trainer: User,
    rng: random.Random,
) -> None:
    """The trainer's third-party grid for some learners (the last one half done), and the competencies acquired."""
    judge = _member(trainer, training.organisation_id, "trainer")
    course = db.get(Course, training.course_id)
    lines = grids.objectives(db, course) if course is not None else []
    for n, user in enumerate(learners):
        judged = lines if n < len(learners) - 1 else lines[: len(lines) // 2]
        entries = []
        for line in judged:
            level = rng.choices(("acquired", "in_progress", "not_acquired"), weights=(6, 3, 1))[0]
            entries.append({"objective": line.text, "level": level, "comment": GRID_COMMENTS[level]})
            if level == "acquired" and line.competency_id is not None:
                grids.record_acquired(db, judge, training.id or 0, user.id or 0, line.competency_id, acquired=True)
        grids.record_grid(db, judge, activity.id or 0, user.id or 0, entries)


def seed_evaluations(
    db: Session,
    *,
    courses: Mapping[str, Course],
    sessions: Mapping[str, TrainingSession],
    staff: Mapping[int, User],
    trainer: User,
    topics: Mapping[str, str],
) -> dict[str, int]:
    """The demo's evaluations, written through the services (see the module's docstring).

    Args:
        db: Database session (flushed here, committed by the caller).
        courses: The demo's courses by key.
        sessions: The demo's sessions by their course's key.
        staff: A staff member per organisation id (the library's editor).
        trainer: The demo trainer (positioned on the sessions that get answers).
        topics: The topic each course's diagnostic names, by key.

    Returns:
        Counts of what was written.
    """
    rng = random.Random(15)  # noqa: S311  # reproducible demo data, not security; apart from the seed's own
    libraries: dict[int, Library] = {}
    for organisation_id, editor in staff.items():
        actor = _staff(editor, organisation_id)
        own = {k: c for k, c in courses.items() if c.organisation_id == organisation_id}
        libraries[organisation_id] = _library(db, actor, own, topics)
        _framework(db, actor, own)
    attached = 0
    for key, training in sessions.items():
        _add_extras(db, key, training)
        actor = _staff(staff[training.organisation_id], training.organisation_id)
        found = _attach(db, actor, key, training, libraries[training.organisation_id])
        attached += len(found)
        if key in ANSWERING:
            _answers(db, key, training, found, trainer=trainer, rng=rng)
    db.flush()
    return {
        "questionnaires": sum(
            3 + 3 * len(lib.diagnostics) + (lib.certification is not None) for lib in libraries.values()
        ),
        "evaluation_activities": attached,
    }
