"""Issue 13 on the tutor's pages in Chromium, desktop and phone: accent-blind course search, the catalogue entry,
"Ouvrir le contenu" on the lesson itself, the report's course switch / lesson visits / reminder columns, an empty
pie that says so, figures that are not headings, and nothing wider than the screen."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import col, select

from app.models import Activity, Course, Enrolment, Module, Reminder, TrainingSession
from app.models.progress import LessonAttempt
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TUTOR = "tutor@demo.plume.test"
MANAGER = "Manager une équipe au quotidien"
MANAGER_SESSION = "Manager une équipe — session de novembre"
EXCEL_SESSION = "Excel avancé — groupe 2"
MISSION = "Mission : cas pratique"
WIDER = """() => {
  const edge = document.documentElement.clientWidth;
  const past = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > edge + 1);
  return past.filter(e => ![...e.children].some(c => past.includes(c))).slice(0, 6)
    .map(e => `${e.tagName}.${e.className}`.slice(0, 80) + ` ${Math.round(e.getBoundingClientRect().right)}`);
}"""


def _fits(page: Page, what: str) -> None:
    """Nothing wider than the viewport: the page never scrolls sideways (tables scroll in their own box)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    if overflow > 0:  # name the widest culprits (the deepest elements past the right edge)
        culprits = page.evaluate(WIDER)
        raise AssertionError(f"{what}: {overflow}px wider than the screen: {culprits}")


def _name(viewport: dict[str, int]) -> str:
    return str(viewport["width"])


def test_course_search_catalogue_entry_and_open_the_lesson(server, new_context) -> None:
    with server.session() as db:
        course_id = db.exec(select(Course.id).where(Course.title == MANAGER)).one()
        session_id = db.exec(select(TrainingSession.id).where(TrainingSession.title == MANAGER_SESSION)).one()
        mission_id = db.exec(
            select(Activity.id)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session_id, Activity.title == MISSION)
        ).one()
    for viewport in (DESKTOP, PHONE):
        phone = viewport is PHONE
        tutor = new_context(viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
        sign_in(tutor, TUTOR)
        goto(tutor, "/tutorat/formations")
        rows = tutor.get_by_test_id("course-row")
        expect(rows).to_have_count(2)
        # "equipe" finds "équipe": accents and case are ignored (issue 13).
        for typed in ("equipe", "EQUIPE", "Équipe"):
            tutor.get_by_label("Rechercher un cours").fill(typed)
            tutor.get_by_role("button", name="Rechercher").click()
            expect(rows).to_have_count(1)
            expect(rows.first).to_contain_text(MANAGER)
        _fits(tutor, "tutoring courses")
        tutor.screenshot(path=f"{SHOTS}/tutoring-courses-search-{_name(viewport)}.png", full_page=True)

        # The course page: its catalogue entry, read only for a tutor.
        goto(tutor, f"/tutorat/formations/{course_id}")
        expect(tutor.get_by_role("heading", name=MANAGER, level=1)).to_be_visible()
        _fits(tutor, "tutoring course")
        tutor.screenshot(path=f"{SHOTS}/tutoring-course-{_name(viewport)}.png", full_page=True)
        tutor.get_by_role("link", name="Vers la fiche catalogue").click()
        expect(tutor).to_have_url(re.compile(rf"/catalogue/{course_id}/?$"))
        ready(tutor)
        sheet = tutor.get_by_test_id("catalogue-sheet")
        expect(sheet).to_be_visible()
        expect(tutor.get_by_role("heading", name=MANAGER, level=1)).to_be_visible()
        expect(tutor.get_by_role("button", name="Enregistrer")).to_have_count(0)  # no form for a tutor
        expect(tutor.get_by_role("button", name="Éditer la timeline")).to_have_count(0)
        expect(tutor.locator("h1")).to_have_count(1)
        _fits(tutor, "catalogue entry")
        tutor.screenshot(path=f"{SHOTS}/catalogue-tutor-{_name(viewport)}.png", full_page=True)
        tutor.get_by_role("link", name="Retour à la formation").click()
        expect(tutor).to_have_url(re.compile(rf"/tutorat/formations/{course_id}/?$"))

        # "Ouvrir le contenu" opens the session on that lesson, not only the session.
        ready(tutor)
        tutor.get_by_role("tab", name="Leçons").click()
        tutor.get_by_role("button", name=f"Actions pour la leçon {MISSION}").click()
        tutor.get_by_role("menuitem", name="Ouvrir le contenu").click()
        expect(tutor).to_have_url(re.compile(rf"/sessions/{session_id}/?\?activite={mission_id}$"))
        dialog = tutor.get_by_role("dialog")
        expect(dialog.get_by_role("heading", name=MISSION)).to_be_visible()
        tutor.screenshot(path=f"{SHOTS}/tutoring-open-lesson-{_name(viewport)}.png")
        tutor.context.close()


def test_centre_and_report_say_what_they_show_and_fit_a_phone(server, new_context) -> None:
    with server.session() as db:
        sid = db.exec(select(TrainingSession.id).where(TrainingSession.title == MANAGER_SESSION)).one()
        excel = db.exec(select(TrainingSession.id).where(TrainingSession.title == EXCEL_SESSION)).one()
        both = select(Enrolment.user_id).where(Enrolment.session_id == excel)
        uid = db.exec(
            select(Enrolment.user_id)
            .where(Enrolment.session_id == sid, col(Enrolment.user_id).in_(both))
            .order_by(col(Enrolment.user_id))
        ).first()
    assert uid is not None
    for viewport in (DESKTOP, PHONE):
        phone = viewport is PHONE
        tutor = new_context(viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
        sign_in(tutor, TUTOR)
        goto(tutor, "/tutorat")
        expect(tutor.get_by_text(MANAGER_SESSION)).to_be_visible()
        expect(tutor.get_by_text(re.compile(r"^\d{2}/\d{2}/\d{4} → \d{2}/\d{2}/\d{4}$")).first).to_be_visible()
        _fits(tutor, "tutoring list")
        tutor.screenshot(path=f"{SHOTS}/tutoring-list-{_name(viewport)}.png", full_page=True)
        goto(tutor, f"/tutorat/{sid}")
        expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")
        # The tiles' figures are text, not headings: one h1 for the page (issue 13).
        expect(tutor.locator("h1")).to_have_count(1)
        expect(tutor.locator("h1, h2, h3, h4").filter(has_text=re.compile(r"^\d+$"))).to_have_count(0)
        expect(tutor.get_by_test_id("progress-pie")).to_be_visible()
        _fits(tutor, "tutoring centre")
        tutor.screenshot(path=f"{SHOTS}/tutoring-centre-{_name(viewport)}.png", full_page=True)

        # No learner enrolled freely: the pie says it is empty rather than drawing a lone legend.
        tutor.get_by_role("radio", name="Libres").click()
        expect(tutor.get_by_role("radio", name="Libres")).to_have_attribute("aria-checked", "true")
        expect(tutor.get_by_test_id("tile-learners")).to_have_text("0")
        expect(tutor.get_by_test_id("progress-pie-empty")).to_contain_text("Aucun apprenant à afficher")
        expect(tutor.get_by_test_id("progress-pie")).to_have_count(0)
        _fits(tutor, "empty tutoring centre")
        tutor.screenshot(path=f"{SHOTS}/tutoring-centre-empty-{_name(viewport)}.png", full_page=True)
        tutor.get_by_role("radio", name="Toutes").click()
        expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")

        # The report (seed 002): another course of the same learner, lesson visits, reminders' type and template.
        goto(tutor, f"/tutorat/{sid}/{uid}")
        expect(tutor.get_by_role("heading", name=re.compile("^Rapport de suivi — "))).to_be_visible()
        expect(tutor.get_by_role("heading", name="Historique des connexions")).to_be_visible()
        with server.session() as db:
            reminded = db.exec(select(Reminder.id).where(Reminder.session_id == sid, Reminder.user_id == uid)).first()
            opened = db.exec(select(LessonAttempt.id).where(LessonAttempt.user_id == uid)).first()
        if reminded is None:
            expect(tutor.get_by_text("Pas de relance envoyée")).to_be_visible()
        else:
            expect(tutor.get_by_role("columnheader", name="Type de relance")).to_be_visible()
            expect(tutor.get_by_role("columnheader", name="Modèle de mail")).to_be_visible()
            expect(tutor.get_by_test_id("reminder-row").first).to_contain_text("Manuelle")
        if opened is None:
            expect(tutor.get_by_text("Aucune leçon ouverte pour l'instant.")).to_be_visible()
        else:
            expect(tutor.get_by_test_id("visit-row").first).to_be_visible()
        switch = tutor.get_by_label("Sélectionner un autre cours")
        expect(switch).to_have_value(str(sid))
        expect(tutor.locator("h1")).to_have_count(1)
        _fits(tutor, "tutoring report")
        tutor.screenshot(path=f"{SHOTS}/tutoring-report-{_name(viewport)}.png", full_page=True)
        switch.select_option(str(excel))
        expect(tutor).to_have_url(re.compile(rf"/tutorat/{excel}/{uid}/?$"))
        expect(tutor.get_by_label("Sélectionner un autre cours")).to_have_value(str(excel))
        tutor.context.close()


def test_staff_lists_fit_a_phone(server, new_context) -> None:
    for viewport in (DESKTOP, PHONE):
        phone = viewport is PHONE
        staff = new_context(viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
        sign_in(staff, "staff@demo.plume.test")
        for path, name, shot in (
            ("/formateurs", "Formateurs", "staff-trainers"),
            ("/sessions", "Sessions", "staff-sessions"),
            ("/catalogue", "Catalogue", "staff-catalogue"),
        ):
            goto(staff, path)
            expect(staff.get_by_role("heading", name=name, exact=True, level=1)).to_be_visible()
            staff.wait_for_timeout(300)  # the list replaces its spinner
            _fits(staff, path)
            staff.screenshot(path=f"{SHOTS}/{shot}-{_name(viewport)}.png", full_page=True)
        # The catalogue's search ignores case and accents too.
        cards = staff.get_by_test_id("course-card")
        expect(cards.first).to_be_visible()
        staff.get_by_label("Rechercher un parcours").fill("EQUIPE")
        staff.get_by_role("button", name="Rechercher").click()
        expect(cards).to_have_count(2)  # "Manager une équipe…", "RGPD : les essentiels pour les équipes"
        staff.get_by_label("Rechercher un parcours").fill("zzz")
        staff.get_by_role("button", name="Rechercher").click()
        expect(staff.get_by_text("Aucun parcours ne correspond à cette recherche.")).to_be_visible()
        staff.context.close()
