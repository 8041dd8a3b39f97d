"""The tutoring centre's selection follows what is shown: a bulk action never reaches a learner the filter hides."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import col, func, select

from app.models import Enrolment, TrainingSession
from app.models.tutoring import Reminder
from tests.e2e.conftest import goto, sign_in

MANAGER = "Manager une équipe — session de novembre"


def test_changing_the_filter_or_the_search_clears_the_selection_and_reminders_reach_the_shown(
    server, new_context
) -> None:
    with server.session() as db:
        sid = db.exec(select(TrainingSession.id).where(TrainingSession.title == MANAGER)).one()
        recommended = set(
            db.exec(select(Enrolment.user_id).where(Enrolment.session_id == sid, Enrolment.kind == "recommended")).all()
        )
        before = db.exec(select(func.max(Reminder.id))).one() or 0
    assert len(recommended) == 6
    tutor = new_context().new_page()
    sign_in(tutor, "tutor@demo.plume.test")
    goto(tutor, f"/tutorat/{sid}")
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")

    # Every page selected, then "Recommandées": the 24 others are hidden, so nobody stays selected.
    tutor.get_by_role("button", name="Sélectionner toutes les pages (30)").click()
    expect(tutor.get_by_text("30 sélectionnés")).to_be_visible()
    tutor.get_by_role("radio", name="Recommandées").click()
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("6")
    expect(tutor.get_by_test_id("learner-row")).to_have_count(6)
    expect(tutor.get_by_text("0 sélectionné")).to_be_visible()
    expect(tutor.get_by_role("button", name="Relancer")).to_have_count(0)
    expect(tutor.get_by_test_id("learner-row").get_by_role("checkbox", checked=True)).to_have_count(0)

    # "Select all pages" now means the six shown; the dialog says so and the reminders reach them only.
    tutor.get_by_role("button", name="Sélectionner toutes les pages (6)").click()
    expect(tutor.get_by_text("6 sélectionnés")).to_be_visible()
    tutor.get_by_role("button", name="Relancer").click()
    dialog = tutor.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Relancer 6 apprenants")).to_be_visible()
    tutor.screenshot(path="screenshots/tutoring-selection-reminder.png", full_page=True)
    dialog.get_by_role("button", name="Envoyer les relances").click()
    expect(tutor.get_by_text("6 relances envoyées.")).to_be_visible()
    with server.session() as db:
        sent = db.exec(select(Reminder.user_id).where(col(Reminder.id) > before, Reminder.session_id == sid)).all()
    assert sorted(sent) == sorted(recommended)

    # A search also hides learners: the selection is cleared with it.
    tutor.get_by_role("button", name="Sélectionner toutes les pages (6)").click()
    expect(tutor.get_by_text("6 sélectionnés")).to_be_visible()
    tutor.get_by_label("Rechercher un apprenant").fill("learner1")
    tutor.get_by_role("button", name="Rechercher").click()
    expect(tutor.get_by_text("0 sélectionné")).to_be_visible()
    tutor.get_by_role("radio", name="Toutes").click()
    expect(tutor.get_by_text("0 sélectionné")).to_be_visible()

    # On a phone the same dialog fits and names the count.
    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, "tutor@demo.plume.test")
    goto(phone, f"/tutorat/{sid}")
    phone.get_by_role("radio", name="Recommandées").click()
    expect(phone.get_by_test_id("tile-learners")).to_have_text("6")
    phone.get_by_role("button", name="Sélectionner toutes les pages (6)").click()
    phone.get_by_role("button", name="Relancer").click()
    expect(phone.get_by_role("dialog").get_by_role("heading", name="Relancer 6 apprenants")).to_be_visible()
    phone.screenshot(path="screenshots/tutoring-selection-reminder-phone.png")
    phone.get_by_role("dialog").get_by_role("button", name="Annuler").click()
    expect(phone.get_by_role("dialog")).to_have_count(0)
