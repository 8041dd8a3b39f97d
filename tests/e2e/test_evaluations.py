"""Evaluations in Chromium: a learner answers a diagnostic on a phone and sees their score without the
right answers; the trainer's results page shows the submission arrive live (two browsers). A certification's
countdown survives a reload and refuses a late answer; a hot evaluation asks the 1–10 satisfaction first and
its results stay anonymous charts; a quiz's attempts reach the tutoring report."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import User
from app.models.base import utcnow
from app.models.evaluations import EvaluationAnswer, EvaluationAttempt
from app.services.evaluations import attempts
from tests.e2e.conftest import goto, sign_in
from tests.evaluations_setup import (
    RIGHT_FEEDBACK,
    RIGHT_LABEL,
    TRAINER,
    WRONG_LABEL,
    Attached,
    attach,
    forget,
    learner_emails,
    new_learner,
)
from tests.factories import actor_for

SHOTS = "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}
TITLE = "Positionnement SST (navigateur)"


def test_a_learner_answers_on_a_phone_and_the_trainer_sees_it_live(server, new_context) -> None:
    with server.session() as db:
        found = attach(db, "diagnostic", TITLE)
        email = learner_emails(db, found.session_id)[7]
        name = db.exec(select(User).where(User.email == email)).one().display_name
    sid, aid = found.session_id, found.activity_id
    try:
        trainer = new_context(viewport=DESKTOP).new_page()
        sign_in(trainer, TRAINER)
        goto(trainer, f"/sessions/{sid}/resultats/{aid}")
        expect(trainer.get_by_role("heading", name=TITLE)).to_be_visible()
        answered = trainer.get_by_test_id("evaluation-answered")
        expect(answered).to_contain_text("0 réponse sur")

        learner = new_context(viewport=PHONE).new_page()
        sign_in(learner, email)
        goto(learner, f"/sessions/{sid}?activite={aid}")
        dialog = learner.get_by_role("dialog")
        expect(dialog).to_contain_text(TITLE)
        dialog.get_by_role("button", name="Commencer le questionnaire").click()
        expect(dialog.get_by_test_id("evaluation-question")).to_have_count(5)
        dialog.get_by_label(RIGHT_LABEL).click()
        expect(dialog.get_by_label(RIGHT_LABEL)).to_be_checked()
        dialog.get_by_label("15", exact=True).click()
        expect(dialog.get_by_label("15", exact=True)).to_be_checked()
        dialog.get_by_label("112", exact=True).click()
        expect(dialog.get_by_label("112", exact=True)).to_be_checked()
        dialog.get_by_role("button", name="Niveau 4").click()
        expect(dialog.get_by_role("button", name="Niveau 4")).to_have_attribute("aria-pressed", "true")
        dialog.get_by_label("Qu'attendez-vous de la formation ?").fill("Savoir réagir vite")
        dialog.get_by_label("Combien de compressions thoraciques par minute (minimum) ?").fill("100")
        saved = dialog.get_by_test_id("evaluation-question").filter(has_text="Enregistrée")
        expect(saved).to_have_count(5)
        # Half-way drafts survive a reload: the same answers come back from the server.
        goto(learner, f"/sessions/{sid}?activite={aid}")
        dialog = learner.get_by_role("dialog")
        expect(dialog.get_by_label(RIGHT_LABEL)).to_be_checked()
        expect(dialog.get_by_label("Qu'attendez-vous de la formation ?")).to_have_value("Savoir réagir vite")
        # Nothing wider than the phone.
        assert learner.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(dialog).to_have_css("opacity", "1")  # its opening animation is over
        learner.screenshot(path=f"{SHOTS}/evaluation-learner-answering-mobile.png")

        dialog.get_by_role("button", name="Envoyer mes réponses").click()
        dialog.get_by_role("button", name="Envoyer", exact=True).click()
        expect(dialog.get_by_test_id("evaluation-score")).to_have_text("100 %")
        expect(dialog.get_by_test_id("evaluation-result")).to_contain_text(
            "Les bonnes réponses ne sont pas communiquées."
        )
        expect(dialog.get_by_test_id("evaluation-question")).to_have_count(0)
        expect(dialog).not_to_contain_text(RIGHT_FEEDBACK)
        learner.screenshot(path=f"{SHOTS}/evaluation-learner-score-mobile.png")

        # No reload in the trainer's browser: the count and the learner's line move.
        expect(answered).to_contain_text("1 réponse sur")
        row = trainer.get_by_test_id("evaluation-row").filter(has_text=name)
        expect(row).to_contain_text("Répondu")
        expect(row).to_contain_text("100 %")
        trainer.screenshot(path=f"{SHOTS}/evaluation-trainer-results-desktop.png")
        row.get_by_role("button", name=f"Voir les réponses de {name}").click()
        answers = trainer.get_by_role("dialog")
        expect(answers).to_contain_text(RIGHT_LABEL)
        expect(answers).to_have_css("opacity", "1")
        trainer.screenshot(path=f"{SHOTS}/evaluation-trainer-answers-desktop.png")
    finally:  # the SST session as other tests know it
        with server.session() as db:
            forget(db, aid)


CLOCK = re.compile(r"^(?:(\d+):)?(\d+):(\d\d)$")  # what the countdown shows: 4:59, 1:05:00
SATISFACTION = "Sur une échelle de 1 à 10, quel est votre niveau de satisfaction générale de cette formation ?"
STAFF = "staff2@demo.plume.test"  # staff of the SST session's organisation


def _seconds(page: Page) -> int:
    clock = page.get_by_role("dialog").locator("#evaluation-countdown")
    expect(clock).to_have_text(CLOCK)
    found = CLOCK.match(clock.inner_text().strip())
    assert found is not None
    hours, minutes, seconds = found.groups()
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds)


def _user_id(server, email: str) -> int:
    with server.session() as db:
        return db.exec(select(User.id).where(User.email == email)).one() or 0


def test_a_certifications_countdown_survives_a_reload_and_a_late_answer_is_refused(server, new_context) -> None:
    title = "Certification SST (navigateur)"
    with server.session() as db:
        found = attach(db, "certification", title, time_limit_s=300)
        email = new_learner(db, "chrono")
    sid, aid = found.session_id, found.activity_id
    try:
        learner = new_context(viewport=PHONE).new_page()
        sign_in(learner, email)
        goto(learner, f"/sessions/{sid}?activite={aid}")
        dialog = learner.get_by_role("dialog")
        dialog.get_by_role("button", name="Commencer le questionnaire").click()
        expect(dialog.get_by_role("timer")).to_contain_text("Temps restant :")
        before = _seconds(learner)
        assert 0 < before <= 300
        # The countdown comes back from the server's deadline, not from zero nor from the full time.
        goto(learner, f"/sessions/{sid}?activite={aid}")
        dialog = learner.get_by_role("dialog")
        expect(dialog.get_by_test_id("evaluation-question")).to_have_count(5)
        after = _seconds(learner)
        assert 0 < after <= before
        assert learner.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        expect(dialog).to_have_css("opacity", "1")
        learner.screenshot(path=f"{SHOTS}/evaluation-certification-countdown-mobile.png")

        # The deadline passes (moved into the past on the server rather than waited for): the answer is refused.
        with server.session() as db:
            attempt = db.exec(
                select(EvaluationAttempt).where(
                    EvaluationAttempt.activity_id == aid, EvaluationAttempt.user_id == _user_id(server, email)
                )
            ).one()
            attempt.deadline = utcnow() - timedelta(seconds=1)
            db.add(attempt)
            db.commit()
            attempt_id = attempt.id
        dialog.get_by_label(RIGHT_LABEL).click()
        expect(dialog.get_by_test_id("evaluation-error")).to_have_text(
            "Le temps imparti est écoulé : cette réponse n'a pas été enregistrée."
        )
        # The page learns the time is up and the server sends what was saved in time: nothing.
        expect(dialog).to_contain_text("Temps écoulé : vos réponses enregistrées à temps ont été envoyées.")
        expect(dialog.get_by_test_id("evaluation-score")).to_have_text("0 %")
        expect(dialog.get_by_role("timer")).to_have_count(0)
        learner.screenshot(path=f"{SHOTS}/evaluation-certification-late-mobile.png")
        with server.session() as db:
            assert db.exec(select(EvaluationAnswer).where(EvaluationAnswer.attempt_id == attempt_id)).first() is None
    finally:
        with server.session() as db:
            forget(db, aid, (email,))


def _answer_hot(server, found: Attached, email: str, level: int, text: str) -> None:
    """A learner answers the hot evaluation through the services (as their browser would)."""
    with server.services_here(), server.session() as db:
        actor = actor_for(db, db.exec(select(User).where(User.email == email)).one())
        view = attempts.start(db, actor, found.activity_id)
        assert view["questions"][0]["text"] == SATISFACTION
        attempts.save_answer(db, actor, found.activity_id, view["questions"][0]["id"], level)
        attempts.save_answer(db, actor, found.activity_id, found.single_id, found.right_choice)
        attempts.save_answer(db, actor, found.activity_id, found.text_id, text)
        attempts.submit(db, actor, found.activity_id)
        db.commit()


def test_a_hot_evaluation_asks_satisfaction_first_and_shows_anonymous_charts_from_three_answers(
    server, new_context
) -> None:
    title = "Évaluation à chaud SST (navigateur)"
    with server.session() as db:
        found = attach(db, "quality_evaluation", title, moment="hot")
        emails = tuple(new_learner(db, tag) for tag in ("anais", "basile", "celeste"))
    sid, aid = found.session_id, found.activity_id
    try:
        trainer = new_context(viewport=DESKTOP).new_page()
        sign_in(trainer, TRAINER)
        goto(trainer, f"/sessions/{sid}/resultats/{aid}")
        expect(trainer.get_by_role("heading", name=title)).to_be_visible()
        answered = trainer.get_by_test_id("evaluation-answered")
        expect(answered).to_contain_text("0 réponse sur")
        hidden = trainer.get_by_text("Résultats anonymes : ils s'affichent à partir de 3 réponses.")
        expect(hidden).to_be_visible()

        # Two answers: still nothing but the count.
        _answer_hot(server, found, emails[0], 7, "Plus de mises en situation")
        _answer_hot(server, found, emails[1], 9, "Très concret")
        goto(trainer, f"/sessions/{sid}/resultats/{aid}")
        expect(answered).to_contain_text("2 réponses sur")
        expect(hidden).to_be_visible()
        expect(trainer.get_by_test_id("evaluation-summary")).to_have_count(0)
        expect(trainer.get_by_test_id("evaluation-satisfaction")).to_have_count(0)

        # The third, on a phone: the satisfaction question comes first, on a scale of 1 to 10.
        learner = new_context(viewport=PHONE).new_page()
        sign_in(learner, emails[2])
        goto(learner, f"/sessions/{sid}?activite={aid}")
        dialog = learner.get_by_role("dialog")
        dialog.get_by_role("button", name="Commencer le questionnaire").click()
        questions = dialog.get_by_test_id("evaluation-question")
        expect(questions).to_have_count(6)
        first = questions.first
        expect(first).to_contain_text("Question 1 sur 6")
        expect(first).to_contain_text(SATISFACTION)
        expect(first.get_by_role("button", name=re.compile(r"^Niveau \d+$"))).to_have_count(10)
        first.get_by_role("button", name="Niveau 8", exact=True).click()
        expect(first.get_by_role("button", name="Niveau 8", exact=True)).to_have_attribute("aria-pressed", "true")
        dialog.get_by_label(RIGHT_LABEL).click()
        expect(dialog.get_by_label(RIGHT_LABEL)).to_be_checked()
        dialog.get_by_label("Qu'attendez-vous de la formation ?").fill("Des gestes sûrs")
        expect(questions.filter(has_text="Enregistrée")).to_have_count(3)
        expect(dialog).to_have_css("opacity", "1")
        first.scroll_into_view_if_needed()
        learner.screenshot(path=f"{SHOTS}/evaluation-hot-satisfaction-mobile.png")
        dialog.get_by_role("button", name="Envoyer mes réponses").click()
        dialog.get_by_role("button", name="Envoyer", exact=True).click()
        expect(dialog.get_by_test_id("evaluation-result")).to_contain_text("Vos réponses sont anonymes")

        # The trainer's page moves without a reload: the charts, and nobody's name.
        expect(answered).to_contain_text("3 réponses sur")
        expect(hidden).to_have_count(0)
        expect(trainer.get_by_test_id("evaluation-satisfaction")).to_have_text("8 / 10")
        summaries = trainer.get_by_test_id("evaluation-summary")
        expect(summaries.filter(has_text=SATISFACTION)).to_have_count(1)
        expect(summaries.filter(has_text="Qu'attendez-vous de la formation ?")).to_contain_text("Des gestes sûrs")
        results = trainer.get_by_test_id("evaluation-results")
        with server.session() as db:
            names = [db.exec(select(User).where(User.email == e)).one().display_name for e in learner_emails(db, sid)]
        assert len(names) >= 3
        page_text = results.inner_text()
        assert [name for name in names if name in page_text] == []
        expect(trainer.get_by_test_id("evaluation-row")).to_have_count(0)
        trainer.screenshot(path=f"{SHOTS}/evaluation-quality-charts-desktop.png", full_page=True)
    finally:
        with server.session() as db:
            forget(db, aid, emails)


def _quiz_attempt(dialog, *, all_right: bool) -> None:
    dialog.get_by_label(RIGHT_LABEL if all_right else WRONG_LABEL).click()
    feedback = dialog.get_by_test_id("evaluation-feedback")
    expect(feedback).to_contain_text("Bonne réponse" if all_right else "Réponse incorrecte")
    if all_right:
        expect(feedback).to_contain_text(RIGHT_FEEDBACK)
        dialog.get_by_label("15", exact=True).click()
        expect(dialog.get_by_label("15", exact=True)).to_be_checked()
        dialog.get_by_label("112", exact=True).click()
        expect(dialog.get_by_label("112", exact=True)).to_be_checked()
    dialog.get_by_label("Combien de compressions thoraciques par minute (minimum) ?").fill("100")
    expect(dialog.get_by_test_id("evaluation-question").filter(has_text="Enregistrée")).to_have_count(
        3 if all_right else 2
    )
    dialog.get_by_role("button", name="Envoyer mes réponses").click()
    dialog.get_by_role("button", name="Envoyer", exact=True).click()


def test_a_quizs_attempts_show_up_in_the_tutoring_report(server, new_context) -> None:
    title = "Quiz SST (navigateur)"
    with server.session() as db:
        found = attach(db, "quiz", title)
        email = new_learner(db, "quiz")
    sid, aid = found.session_id, found.activity_id
    try:
        learner = new_context(viewport=PHONE).new_page()
        sign_in(learner, email)
        goto(learner, f"/sessions/{sid}?activite={aid}")
        dialog = learner.get_by_role("dialog")
        dialog.get_by_role("button", name="Commencer le questionnaire").click()
        _quiz_attempt(dialog, all_right=True)
        expect(dialog.get_by_test_id("evaluation-score")).to_have_text("100 %")
        # Unlimited attempts: a second one, one right answer of three.
        dialog.get_by_role("button", name="Nouvelle tentative").click()
        _quiz_attempt(dialog, all_right=False)
        expect(dialog.get_by_test_id("evaluation-score")).to_have_text("33,33 %")
        expect(dialog.get_by_test_id("evaluation-result")).to_contain_text("Non réussi")

        # Staff of the organisation open the learner's report: the quiz is a lesson like the others.
        staff = new_context(viewport=DESKTOP).new_page()
        sign_in(staff, STAFF)
        goto(staff, f"/tutorat/{sid}/{_user_id(server, email)}")
        expect(staff.get_by_role("heading", name=re.compile("^Rapport de suivi — "))).to_be_visible()
        row = staff.get_by_test_id("lesson-row").filter(has_text=title)
        expect(row).to_contain_text("Échoué")
        expect(row).to_contain_text("33,33 %")  # the last score, and the session's average
        expect(row).to_contain_text("60 %")  # the passing score
        row.get_by_role("button", name=f"Tentatives de « {title} »").click()
        tries = staff.get_by_test_id("attempt-row")
        expect(tries).to_have_count(2)
        expect(tries.nth(0)).to_contain_text("100 %")
        expect(tries.nth(0)).to_contain_text("Réussi")
        expect(tries.nth(1)).to_contain_text("33,33 %")
        tries.nth(1).scroll_into_view_if_needed()
        staff.screenshot(path=f"{SHOTS}/evaluation-quiz-tutoring-report-desktop.png")

        # The staff's navigation fits a 1366 px screen: every link shows, none hides past the edge.
        nav = staff.locator("#staff-nav")
        for name in ("Tableau de bord", "Archives", "Paramètres"):
            expect(nav.get_by_role("link", name=name)).to_be_in_viewport(ratio=1)
        assert staff.evaluate("(n => n.scrollWidth <= n.clientWidth)(document.getElementById('staff-nav'))")
        staff.evaluate("window.scrollTo(0, 0)")
        staff.locator("#app-header").screenshot(path=f"{SHOTS}/staff-nav-desktop.png")
        # On a phone the links scroll sideways inside the bar; the page itself does not.
        phone = new_context(viewport=PHONE).new_page()
        sign_in(phone, STAFF)
        expect(phone.locator("#staff-nav").get_by_role("link", name="Tableau de bord")).to_be_visible()
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        phone.locator("#app-header").screenshot(path=f"{SHOTS}/staff-nav-mobile.png")
    finally:
        with server.session() as db:
            forget(db, aid, (email,))
