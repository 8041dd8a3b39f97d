"""The tutor's `Modifier les statistiques`: absurd values are refused next to their field, and the report shows
the trail of edits (issue 13, point 5)."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from app.models import Enrolment, Membership, TrainingSession, TutorPosition, User
from app.models.base import utcnow
from tests.attendance_setup import live_slot
from tests.e2e.conftest import goto, sign_in

PARIS = ZoneInfo("Europe/Paris")


def _field(dialog: Locator, name: str) -> Locator:
    """The labelled block of one form field (label, control, its error)."""
    return dialog.locator(f"label[for='stats-{name}']").locator("xpath=..")


def _submit(page: Page, dialog: Locator, *, time_spent: str, day: str) -> None:
    dialog.get_by_label("Statut", exact=True).select_option("passed")
    dialog.get_by_label("Score (%)").fill("75")
    dialog.get_by_label("Temps passé (h:mm:ss)").fill(time_spent)
    dialog.get_by_label("Date du statut").fill(day)
    dialog.get_by_role("button", name="Enregistrer").click()


def test_absurd_statistics_are_refused_next_to_the_field_and_the_trail_shows_the_edit(server, new_context) -> None:
    with server.session() as db:
        sid, _ = live_slot(db, title="Tutorat — bornes des statistiques", learners=["learner5@demo.plume.test"])
        model = db.exec(select(User).where(User.email == "tutor@demo.plume.test")).one()
        tutor_user = User(
            email=f"tuteur-bornes-{sid}@demo.plume.test",
            first_name="Lina",
            last_name="Garnier",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(tutor_user)
        db.flush()
        org_id = db.exec(select(TrainingSession.organisation_id).where(TrainingSession.id == sid)).one()
        db.add(Membership(user_id=tutor_user.id or 0, organisation_id=org_id, is_tutor=True))
        db.add(TutorPosition(session_id=sid, user_id=tutor_user.id or 0))
        db.commit()
        learner = db.exec(select(User).where(User.email == "learner5@demo.plume.test")).one()
        uid = learner.id
        enrolled = db.exec(select(Enrolment).where(Enrolment.session_id == sid, Enrolment.user_id == uid)).one()
        enrolled_on = enrolled.created_at.astimezone(PARIS).strftime("%d/%m/%Y")
    today = utcnow().astimezone(PARIS).date()

    tutor = new_context().new_page()
    sign_in(tutor, f"tuteur-bornes-{sid}@demo.plume.test")
    goto(tutor, f"/tutorat/{sid}/{uid}")
    expect(tutor.get_by_role("heading", name="Historique des modifications de statistiques")).to_be_visible()
    expect(tutor.get_by_text("Aucune modification des statistiques.")).to_be_visible()
    tutor.get_by_role("button", name="Modifier les statistiques de « Séance du matin »").click()
    dialog = tutor.get_by_role("dialog")

    _submit(tutor, dialog, time_spent="99:99:99", day=today.isoformat())
    expect(_field(dialog, "time_spent").get_by_role("alert")).to_contain_text("minutes et secondes inférieures à 60")
    expect(dialog.get_by_role("alert")).to_have_count(1)

    _submit(tutor, dialog, time_spent="1000:00:00", day=today.isoformat())
    expect(_field(dialog, "time_spent").get_by_role("alert")).to_have_text("Le temps passé ne peut pas dépasser 999 h.")

    _submit(tutor, dialog, time_spent="1:30:00", day="1990-05-04")
    expect(_field(dialog, "date").get_by_role("alert")).to_have_text(
        f"La date ne peut pas être antérieure à l'inscription ({enrolled_on})."
    )
    expect(_field(dialog, "time_spent").get_by_role("alert")).to_have_count(0)

    _submit(tutor, dialog, time_spent="1:30:00", day=(today + timedelta(days=1)).isoformat())
    expect(_field(dialog, "date").get_by_role("alert")).to_have_text("La date ne peut pas être dans le futur.")
    tutor.screenshot(path="screenshots/tutoring-stats-error.png", full_page=True)

    _submit(tutor, dialog, time_spent="1:30:00", day=today.isoformat())
    expect(tutor.get_by_text("Statistiques enregistrées.")).to_be_visible()
    expect(dialog).to_have_count(0)
    row = tutor.get_by_test_id("stats-edit-row")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Lina Garnier")
    expect(row).to_contain_text("Séance du matin")
    expect(row).to_contain_text("Statut : Non commencé → Réussi")
    expect(row).to_contain_text("Temps passé : 0:00:00 → 1:30:00")
    expect(row).to_contain_text("Score : — → 75 %")
    expect(row).to_contain_text(today.strftime("%d/%m/%Y"))
    tutor.screenshot(path="screenshots/tutoring-stats-trail.png", full_page=True)

    # A second edit comes first in the trail, and the trail reads the same on a phone.
    tutor.get_by_role("button", name="Modifier les statistiques de « Séance du matin »").click()
    dialog = tutor.get_by_role("dialog")
    dialog.get_by_label("Temps passé (h:mm:ss)").fill("2:00:00")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(row).to_have_count(2)
    expect(row.first).to_contain_text("Temps passé : 1:30:00 → 2:00:00")
    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, f"tuteur-bornes-{sid}@demo.plume.test")
    goto(phone, f"/tutorat/{sid}/{uid}")
    expect(phone.get_by_test_id("stats-edit-row")).to_have_count(2)
    phone.screenshot(path="screenshots/tutoring-stats-trail-phone.png", full_page=True)
