"""`Tutorat > Formations` in Chromium: the tutor's courses (tree, search, filter, sort), a course's detail, reviews."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect
from sqlmodel import col, delete, func, select

from app.models import Course, CourseReview, Enrolment, Membership, Organisation, TrainingSession, User
from tests.e2e.conftest import goto, sign_in

SHOTS = "screenshots"
MANAGER = "Manager une équipe au quotidien"
MANAGER_SESSION = "Manager une équipe — session de novembre"
EXCEL = "Excel avancé : tableaux croisés et automatisation"
EXCEL_SESSION = "Excel avancé — groupe 2"
GESTES = "Gestes et postures au travail"


def _course_id(server, title: str) -> int:
    with server.session() as db:
        return db.exec(select(Course.id).where(Course.title == title)).one() or 0


def _reaches_everyone(server, session_title: str) -> bool:
    """Whether every learner of Horizon is enrolled in the session (the row then says "Tout le monde")."""
    with server.session() as db:
        horizon = db.exec(select(Organisation.id).where(Organisation.slug == "horizon-formation")).one()
        members = select(Membership.user_id).where(
            Membership.organisation_id == horizon, col(Membership.is_learner).is_(True)
        )
        session_id = db.exec(select(TrainingSession.id).where(TrainingSession.title == session_title)).one()
        everyone = db.exec(select(func.count()).select_from(members.subquery())).one()
        enrolled = db.exec(
            select(func.count(func.distinct(col(Enrolment.user_id)))).where(
                Enrolment.session_id == session_id, col(Enrolment.user_id).in_(members)
            )
        ).one()
    return everyone > 0 and enrolled >= everyone


def _rows(page: Page) -> Locator:
    return page.get_by_test_id("course-row")


def test_tutor_browses_the_followed_courses_and_opens_one(server, new_context) -> None:
    everyone = _reaches_everyone(server, MANAGER_SESSION)
    tutor = new_context().new_page()
    sign_in(tutor, "tutor@demo.plume.test")
    goto(tutor, "/tutorat/formations")
    expect(tutor.get_by_role("heading", name="Formations", exact=True)).to_be_visible()
    rows = _rows(tutor)
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text=GESTES)).to_have_count(0)  # not followed
    excel_row = rows.filter(has_text=EXCEL)
    expect(excel_row.get_by_text(EXCEL_SESSION)).to_be_visible()
    manager_row = rows.filter(has_text=MANAGER)
    expect(manager_row.get_by_text(MANAGER_SESSION)).to_be_visible()
    expect(manager_row.get_by_text("Tout le monde", exact=True)).to_have_count(1 if everyone else 0)
    expect(tutor.get_by_test_id("course-pager")).to_have_text("Page 1 sur 1, éléments 1 à 2 sur 2.")
    tutor.screenshot(path=f"{SHOTS}/tutoring-courses.png", full_page=True)

    # The tree: a sub-folder narrows the list; "Toutes les formations" brings everything back.
    tree = tutor.get_by_role("navigation", name="Répertoires")
    tree.get_by_role("button", name=re.compile(r"^Tableur")).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(EXCEL)
    tree.get_by_role("button", name="Replier Management").click()
    expect(tree.get_by_role("button", name=re.compile(r"^Encadrement d'équipe"))).to_have_count(0)
    tree.get_by_role("button", name="Déplier Management").click()
    tree.get_by_role("button", name=re.compile(r"^Encadrement d'équipe")).click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(MANAGER)
    tree.get_by_role("button", name=re.compile(r"^Toutes les formations")).click()
    expect(rows).to_have_count(2)

    # Search, then sort by course name the other way.
    tutor.get_by_label("Rechercher un cours").fill("excel")
    tutor.get_by_role("button", name="Rechercher").click()
    expect(rows).to_have_count(1)
    tutor.get_by_label("Rechercher un cours").fill("")
    tutor.get_by_role("button", name="Rechercher").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(EXCEL)
    tutor.get_by_role("button", name="Cours", exact=True).click()
    expect(rows.first).to_contain_text(MANAGER)

    # Filter by learner list, then clear; the page size changes the pager.
    tutor.get_by_role("button", name="Filtrer").click()
    tutor.get_by_label("Filtrer par liste").select_option(label=EXCEL_SESSION)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(EXCEL)
    tutor.get_by_role("button", name="Effacer les filtres").click()
    expect(rows).to_have_count(2)
    tutor.get_by_label("Taille de la page").select_option("10")
    expect(tutor.get_by_test_id("course-pager")).to_have_text("Page 1 sur 1, éléments 1 à 2 sur 2.")

    # The row menu opens the course (and offers its tutoring centre).
    tutor.get_by_role("button", name=f"Actions pour {EXCEL}").click()
    expect(tutor.get_by_role("menuitem", name="Centre de tutorat")).to_be_visible()
    tutor.get_by_role("menuitem", name="Ouvrir le cours").click()
    expect(tutor.get_by_role("heading", name=EXCEL, level=1)).to_be_visible()
    expect(tutor.get_by_test_id("stat-sessions")).to_have_text("1")

    # Back to the list; a double-click on a row opens that course.
    tutor.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link", name="Formations").click()
    expect(tutor).to_have_url(re.compile(r"/tutorat/formations/?$"))
    expect(tutor.get_by_role("heading", name="Formations", exact=True)).to_be_visible()
    expect(rows).to_have_count(2)
    # Coming back reloads the list in its default order; wait for it, or the double-click lands on a
    # row that is about to be re-rendered with the other course.
    expect(rows.first).to_contain_text(EXCEL)
    rows.filter(has_text=MANAGER).dblclick()
    expect(tutor).to_have_url(re.compile(rf"/tutorat/formations/{_course_id(server, MANAGER)}/?$"))
    expect(tutor.get_by_role("heading", name=MANAGER, level=1)).to_be_visible(timeout=15_000)
    mid = _course_id(server, MANAGER)
    expect(tutor.get_by_role("link", name="Centre de tutorat")).to_have_attribute(
        "href", re.compile(rf"/tutorat/formations/{mid}/centre$")
    )
    expect(tutor.get_by_role("tab", name="Informations générales")).to_have_attribute("aria-selected", "true")
    expect(tutor.get_by_test_id("info-name")).to_have_text(MANAGER)
    expect(tutor.get_by_text("Management > Encadrement d'équipe", exact=True)).to_be_visible()
    expect(tutor.get_by_text("Compétences transversales", exact=True)).to_be_visible()
    # The catalogue entry, read only for a tutor (issue 13: tutors missed "Vers la fiche catalogue").
    expect(tutor.get_by_role("link", name="Vers la fiche catalogue")).to_have_attribute(
        "href", re.compile(rf"/catalogue/{mid}$")
    )
    expect(tutor.get_by_role("region", name="Stats rapides")).to_be_visible()
    expect(tutor.get_by_test_id("stat-sessions")).to_have_text("1")
    expect(tutor.get_by_test_id("stat-learners")).to_have_text(re.compile(r"^\d+$"))
    tutor.screenshot(path=f"{SHOTS}/tutoring-course-info.png", full_page=True)

    # Lessons: kind, points, completion; the menu opens the comments of a mission.
    tutor.get_by_role("tab", name="Leçons").click()
    mission = tutor.get_by_test_id("lesson-row").filter(has_text="Mission : cas pratique")
    expect(mission).to_have_count(1)
    expect(mission).to_contain_text("Mission")
    expect(mission.get_by_text(re.compile(r"^\d+ / \d+ apprenants terminé$"))).to_be_visible()
    tutor.screenshot(path=f"{SHOTS}/tutoring-course-lessons.png", full_page=True)
    mission.get_by_role("button", name="Actions pour la leçon Mission : cas pratique").click()
    expect(tutor.get_by_role("menuitem", name="Ouvrir le contenu")).to_be_visible()
    tutor.get_by_role("menuitem", name="Lire les commentaires").click()
    dialog = tutor.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Commentaires — Mission : cas pratique")).to_be_visible()
    dialog.get_by_role("button", name="Fermer").click()
    expect(tutor.get_by_role("dialog")).to_have_count(0)

    # The course evaluation shortcut shows the reviews tab.
    tutor.get_by_role("button", name="Évaluation de la formation").click()
    expect(tutor.get_by_role("tab", name="Avis")).to_have_attribute("aria-selected", "true")
    expect(tutor.get_by_role("heading", name="Avis", level=2)).to_be_visible()


def test_a_course_the_tutor_does_not_follow_looks_missing(server, new_context) -> None:
    tutor = new_context().new_page()
    sign_in(tutor, "tutor@demo.plume.test")
    goto(tutor, f"/tutorat/formations/{_course_id(server, GESTES)}")
    expect(tutor.get_by_role("heading", name="Page introuvable")).to_be_visible()
    goto(tutor, "/tutorat/formations/999999")
    expect(tutor.get_by_role("heading", name="Page introuvable")).to_be_visible()


def test_a_learner_reviews_the_course_and_the_tutor_reads_it(server, new_context) -> None:
    """Needs `review_card()` on the session page and `ReviewState.load` in its on_load."""
    email = "learner5@demo.plume.test"
    comment = "Des mises en situation très utiles pour mon équipe."
    with server.session() as db:
        session_id = db.exec(select(TrainingSession.id).where(TrainingSession.title == MANAGER_SESSION)).one()
        user_id = db.exec(select(User.id).where(User.email == email)).one()
        db.exec(delete(CourseReview).where(CourseReview.session_id == session_id, CourseReview.user_id == user_id))
        db.commit()

    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, email)
    goto(learner, f"/sessions/{session_id}")
    card = learner.locator("#course-review")
    expect(card.get_by_role("heading", name="Votre avis sur la formation")).to_be_visible()
    card.get_by_role("button", name="Envoyer mon avis").click()
    expect(card.get_by_role("alert")).to_have_text("Choisissez une note de 1 à 5 étoiles.")
    card.get_by_role("button", name="4 étoiles").click()
    expect(card.get_by_role("button", name="4 étoiles")).to_have_attribute("aria-pressed", "true")
    card.get_by_label("Votre commentaire").fill(comment)
    card.get_by_role("button", name="Envoyer mon avis").click()
    expect(card.get_by_text("Merci pour votre avis")).to_be_visible()
    learner.screenshot(path=f"{SHOTS}/course-review-learner.png", full_page=True)

    tutor = new_context().new_page()
    sign_in(tutor, "tutor@demo.plume.test")
    goto(tutor, f"/tutorat/formations/{_course_id(server, MANAGER)}?onglet=avis")
    expect(tutor.get_by_role("tab", name="Avis")).to_have_attribute("aria-selected", "true")
    review = tutor.get_by_test_id("review-card").filter(has_text=comment)
    expect(review).to_have_count(1)
    expect(review.get_by_role("img", name="4 étoiles sur 5")).to_be_visible()
    expect(tutor.get_by_test_id("stat-rating")).to_contain_text("★")
    tutor.screenshot(path=f"{SHOTS}/tutoring-course-reviews.png", full_page=True)

    # Changing one's mind replaces the review rather than adding one.
    card.get_by_role("button", name="Modifier mon avis").click()
    card.get_by_role("button", name="5 étoiles").click()
    card.get_by_role("button", name="Envoyer mon avis").click()
    expect(card.get_by_text("Merci pour votre avis")).to_be_visible()
    with server.session() as db:
        stars = db.exec(
            select(CourseReview.stars).where(CourseReview.session_id == session_id, CourseReview.user_id == user_id)
        ).all()
    assert stars == [5]
