"""The demo courses' template timelines: what a session created from the course starts with.

Each course of the demo offer carries a real template (modules before, during and after the training,
activities of eleven of DESIGN.md's kinds), so a session created from it or organised from the offer
(`offer.organise_sessions`) is ready to run. A template's documents carry a description and no file:
the handouts belong to each session (its trainer's copy), never shared between sessions.
"""

from __future__ import annotations

import json

from sqlmodel import Session

from app.models import Activity, Course, Module

Timeline = list[tuple[str, str, list[tuple[str, str]]]]

# Settings an activity of that kind needs to be used as is (the same as the seeded sessions').
_SETTINGS: dict[str, dict[str, object]] = {
    "poll": {
        "question": "Quel créneau préférez-vous pour la classe virtuelle de suivi ?",
        "options": ["Lundi 14h", "Mardi 10h", "Jeudi 16h"],
        "multiple": False,
    },
    "document": {"description": "À lire avant la première journée : le programme et les objectifs de la formation."},
    "virtual_class": {"link": "https://meet.jit.si/plume-demo-classe-virtuelle"},
}

# The demo offer: the course's key in `seed.seed_demo` → its origin and its template.
COURSE_ORIGINS: dict[str, str] = {
    "management": "Horizon Formation",
    "excel": "Partenaire éditeur",
    "gestes": "INRS",
    "rgpd": "CNIL",
    "accueil": "L'Atelier des Compétences",
    "sst": "INRS",
    "cyber": "ANSSI",
}

# The topic each course's timeline names (its diagnostic): the seeded sessions use the same timeline,
# so they read as copies of their course's template (the tutoring centre matches lessons by kind and title).
COURSE_TOPICS: dict[str, str] = {
    "management": "management",
    "excel": "Excel",
    "gestes": "ergonomie",
    "rgpd": "RGPD",
    "accueil": "accueil",
    "sst": "secourisme",
    "cyber": "cybersécurité",
}


def add_template(db: Session, course: Course, modules: Timeline) -> None:
    """Write a course's template timeline (modules without a session, and their activities).

    Args:
        db: Database session (flushed here).
        course: The course, flushed (it has an id).
        modules: (title, phase, [(kind, title)]) in order.
    """
    for position, (title, phase, activities) in enumerate(modules):
        module = Module(course_id=course.id, title=title, phase=phase, position=position)
        db.add(module)
        db.flush()
        db.add_all(
            Activity(
                module_id=module.id or 0,
                kind=kind,
                title=activity_title,
                position=apos,
                settings_json=json.dumps(_SETTINGS.get(kind, {})),
            )
            for apos, (kind, activity_title) in enumerate(activities)
        )
    db.flush()
