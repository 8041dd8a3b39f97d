"""Evaluations in Chromium: a learner answers a diagnostic on a phone and sees their score without the
right answers; the trainer's results page shows the submission arrive live (two browsers)."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import select

from app.models import User
from tests.e2e.conftest import goto, sign_in
from tests.evaluations_setup import RIGHT_FEEDBACK, RIGHT_LABEL, TRAINER, attach, learner_emails

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
    expect(dialog.get_by_test_id("evaluation-result")).to_contain_text("Les bonnes réponses ne sont pas communiquées.")
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
