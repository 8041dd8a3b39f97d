"""Searches ignore case and accents, the same way in Python and in SQL (SQLite here; PostgreSQL compiled)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import literal, select, union_all
from sqlalchemy.dialects import postgresql
from sqlmodel import Session

from app.models import Course, Enrolment, TrainingSession
from app.services import catalogue, search, tutoring, tutoring_courses
from tests.factories import actor_for, make_learner, make_member, make_org, make_staff
from tests.unit.test_tutoring import _assign
from tests.unit.test_tutoring_courses import _session


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Équipe", "equipe"),
        ("ÉQUIPE", "equipe"),
        ("Hélène Lefèvre", "helene lefevre"),
        ("Noël, garçon, où, âge, île, çà", "noel, garcon, ou, age, ile, ca"),
        ("Łódź", "łodz"),  # Ł is a letter of its own (no decomposition): only lowercased
        ("100 %_x", "100 %_x"),
        (None, None),
    ],
)
def test_fold_removes_accents_and_case(text: str | None, expected: str | None) -> None:
    assert search.fold(text) == expected


def test_sqlite_and_python_fold_alike(db: Session) -> None:
    for text in ("Équipe", "Ça va", "ÀÉÎÕÜÇ àéîõüç ÿ Ñ", "plain"):
        assert db.exec(select(search.folded(literal(text)))).one()[0] == search.fold(text)  # type: ignore[call-overload]


def test_postgresql_compiles_to_builtin_functions() -> None:
    sql = str(search.folded(Course.__table__.c.title).compile(dialect=postgresql.dialect()))  # type: ignore[attr-defined]
    assert sql.startswith("lower(translate(course.title,")
    assert "plume_fold" not in sql and "unaccent" not in sql
    assert len(search.ACCENTED) == len(search.PLAIN) > 100


def test_sort_keys_order_alike_in_python_and_in_sql(db: Session) -> None:
    """Names sort without case or accents, spaces and hyphens counting, on SQLite and PostgreSQL alike."""
    names = ["Zola", "émile", "Emile", "Ébène", "de la Tour", "Delatour", "De-Laval", "d'Arc", "Øster", "eve"]
    rows = union_all(*(select(literal(n).label("name")) for n in names)).subquery()
    ordered = db.exec(select(rows.c.name).order_by(search.sort_key(rows.c.name), rows.c.name)).all()  # type: ignore[call-overload]
    assert [r[0] for r in ordered] == sorted(names, key=lambda n: (search.fold(n), n))


def test_sort_keys_compare_code_point_by_code_point_on_postgresql() -> None:
    sql = str(search.sort_key(Course.__table__.c.title).compile(dialect=postgresql.dialect()))  # type: ignore[attr-defined]
    assert sql.startswith("lower(translate(course.title,") and sql.endswith('COLLATE "C"')


def test_percent_and_underscore_typed_match_themselves(db: Session) -> None:
    cond = search.contains(literal("50 % réussi"), "50 %")
    assert db.exec(select(cond)).one()[0]  # type: ignore[call-overload]
    assert not db.exec(select(search.contains(literal("500 réussi"), "50%"))).one()[0]  # type: ignore[call-overload]


def test_equipe_finds_equipe_in_the_tutors_courses(db: Session) -> None:
    org = make_org(db)
    tutor = make_member(db, org, "tutor")
    course = Course(organisation_id=org.id or 0, title="Travailler en équipe", short_title="ÉQ-1")
    db.add(course)
    db.commit()
    training = _session(db, course, "Groupe A")
    _assign(db, training, tutor)
    actor = actor_for(db, tutor)
    for query in ("equipe", "EQUIPE", "Équipe", "eq-1"):
        page = tutoring_courses.course_list(db, actor, query=query)
        assert [row.title for row in page.rows] == ["Travailler en équipe"], query


def test_the_tutoring_centre_finds_accented_names_typed_without_accents(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    course = Course(organisation_id=org.id or 0, title="Cours")
    db.add(course)
    db.commit()
    training = TrainingSession(
        organisation_id=org.id or 0,
        course_id=course.id or 0,
        title="S",
        starts_on=date(2026, 11, 2),
        ends_on=date(2026, 11, 3),
        status="active",
    )
    db.add(training)
    db.commit()
    helene = make_learner(db, org, first_name="Hélène", last_name="Lefèvre", email="hl@example.test")
    other = make_learner(db, org, first_name="Paul", last_name="Durand", email="pd@example.test")
    for user in (helene, other):
        db.add(Enrolment(session_id=training.id or 0, user_id=user.id or 0))
    db.commit()
    for query in ("lefevre", "HELENE", "hélèn", "lefèvre"):
        centre = tutoring.centre(db, staff, training.id or 0, query=query)
        assert [row.user_id for row in centre.rows] == [helene.id], query


def test_the_catalogue_search_ignores_case_and_accents(db: Session) -> None:
    org = make_org(db)
    staff = actor_for(db, make_staff(db, org))
    for title, categories in (("Travailler en équipe", "Management"), ("Sécurité incendie", "Sûreté"), ("Excel", "")):
        db.add(Course(organisation_id=org.id or 0, title=title, categories=categories))
    db.add(Course(organisation_id=make_org(db).id or 0, title="Équipe ailleurs"))  # another organisation's
    db.commit()

    def titles(query: str) -> list[str]:
        return [row.title for row in catalogue.list_courses(db, staff, query)]

    assert titles("equipe") == ["Travailler en équipe"]
    assert titles("  SECURITE ") == ["Sécurité incendie"]
    assert titles("surete") == ["Sécurité incendie"]  # the categories too
    assert titles("") == ["Excel", "Sécurité incendie", "Travailler en équipe"]
    assert titles("%") == []
