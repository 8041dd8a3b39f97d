"""Staff build a course and a session in Chromium; confirming it e-mails a valid .ics."""

from __future__ import annotations

import re
import uuid
from datetime import time, timedelta

from icalendar import Calendar
from playwright.sync_api import expect
from sqlmodel import select

from app.clock import paris_instant
from app.services import planning_rules
from app.services.home import paris_today
from app.services.planning_rules import Rules
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = "screenshots"
# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def test_staff_build_confirm_and_everyone_sees_the_session(server, new_context, tmp_path) -> None:
    course_title = f"Prise de parole en public {uuid.uuid4().hex[:4]}"
    today = paris_today()
    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    staff.get_by_role("link", name="Catalogue").click()
    expect(staff.get_by_role("heading", name="Catalogue", exact=True)).to_be_visible()
    ready(staff)
    staff.get_by_role("button", name="Nouveau parcours").click()
    staff.get_by_role("button", name="Créer le parcours").click()
    staff.get_by_label("Titre", exact=True).fill("   ")
    staff.get_by_role("button", name="Créer le parcours").click()
    expect(staff.get_by_text("Indiquez un titre.")).to_be_visible()
    staff.get_by_label("Titre", exact=True).fill(course_title)
    staff.get_by_label("Heures en présentiel").fill("7")
    staff.get_by_role("button", name="Créer le parcours").click()
    expect(staff).to_have_url(re.compile(r"/catalogue/\d+/?$"))
    ready(staff)
    staff.get_by_label("Titre du module").fill("Jour 1 — S'exprimer")
    staff.get_by_role("button", name="Ajouter un module").click()
    module = staff.locator("[data-testid=timeline-module]", has_text="Jour 1 — S'exprimer")
    expect(module).to_be_visible()
    module.get_by_role("button", name="Ajouter une activité").click()
    module.get_by_label("Type d'activité").select_option("in_person")
    module.get_by_label("Titre de l'activité").fill("Atelier oral")
    module.get_by_role("button", name="Ajouter", exact=True).click()
    expect(module.get_by_text("Atelier oral")).to_be_visible()
    image = tmp_path / "vignette.png"
    image.write_bytes(PNG)
    staff.locator("#course-image-upload input[type=file]").set_input_files(str(image))
    staff.get_by_role("button", name="Envoyer l'image").click()
    expect(staff.locator("#course-image")).to_be_visible()
    staff.wait_for_function("() => document.querySelector('#course-image').naturalWidth > 0")
    staff.screenshot(path=f"{SHOTS}/course-template.png", full_page=True)

    goto(staff, "/sessions")
    staff.get_by_role("button", name="Nouvelle session").click()
    staff.get_by_label("Parcours").select_option(label=course_title)
    staff.get_by_label("Titre de la session").fill("Groupe du matin")
    staff.get_by_label("Date de début").fill(today.isoformat())
    staff.get_by_label("Date de fin").fill((today - timedelta(days=1)).isoformat())
    staff.get_by_role("button", name="Créer la session").click()
    expect(staff.get_by_text("La date de fin doit être le même jour ou après la date de début.")).to_be_visible()
    staff.get_by_label("Date de fin").fill((today + timedelta(days=1)).isoformat())
    staff.get_by_role("button", name="Créer la session").click()
    expect(staff).to_have_url(re.compile(r"/sessions/\d+/?$"))
    ready(staff)
    # The URL changes before the session page replaces the list: wait for the page's own block.
    expect(staff.locator("#session-trainers")).to_be_visible()
    expect(staff.get_by_text("Brouillon", exact=True)).to_be_visible()

    staff.get_by_label("Formateur à positionner").select_option(label="Marc Delattre — trainer@demo.plume.test")
    staff.get_by_role("button", name="Positionner").click()
    expect(staff.locator("#session-trainers").get_by_text("trainer@demo.plume.test")).to_be_visible()
    picker = staff.locator("form", has=staff.locator("[data-testid=learner-choice]"))
    picker.locator("[data-testid=learner-choice]", has_text="learner8@demo.plume.test").locator("input").check()
    picker.get_by_label("Type d'inscription").select_option("recommended")
    picker.get_by_role("button", name="Inscrire la sélection").click()
    expect(staff.locator("#session-learners").get_by_text("learner8@demo.plume.test")).to_be_visible()

    staff.get_by_role("button", name="Confirmer la session").click()
    expect(staff.get_by_text("Ajoutez au moins un créneau avant de confirmer la session.")).to_be_visible()
    staff.get_by_role("button", name="Éditer la timeline").click()
    card = staff.locator("[data-testid=activity-card]", has_text="Atelier oral")
    card.get_by_role("button", name="Planifier").click()
    card.get_by_label("Date").fill(today.isoformat())
    card.get_by_label("Demi-journée").select_option("afternoon")
    card.get_by_label("Salle").fill("Salle Molière")
    card.get_by_role("button", name="Enregistrer").click()
    # Today may be a weekend, a public holiday or the eve of one: the planning rules then ask to confirm.
    afternoon = paris_instant(today, time(14, 0))
    if planning_rules.slot_warnings(Rules(), afternoon, afternoon + timedelta(hours=3)) or (
        planning_rules.start_warnings(Rules(), today)
    ):
        expect(card.get_by_text("À vérifier avant de planifier")).to_be_visible()
        card.get_by_label("Planifier quand même").check()
        card.get_by_role("button", name="Enregistrer").click()
    expect(card.get_by_text(re.compile(r"14:00–17:30 · Salle Molière"))).to_be_visible()
    # Confirming e-mails everyone: it asks first, saying how many e-mails go to whom (issue 13), and Annuler
    # leaves the session a draft.
    staff.get_by_role("button", name="Confirmer la session").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Confirmer la session ?")).to_be_visible()
    expect(dialog).to_contain_text("2 e-mails vont partir maintenant")
    expect(dialog.get_by_test_id("status-recipients")).to_have_text("1 formateur1 apprenant")
    staff.screenshot(path=f"{SHOTS}/session-confirm-dialog.png")
    dialog.get_by_role("button", name="Annuler").click()
    expect(staff.get_by_role("dialog")).to_have_count(0)
    expect(staff.get_by_text("Brouillon", exact=True)).to_be_visible()
    staff.get_by_role("button", name="Confirmer la session").click()
    staff.get_by_role("dialog").get_by_role("button", name="Confirmer et envoyer").click()
    expect(staff.get_by_role("dialog")).to_have_count(0)
    expect(staff.get_by_text("Confirmée")).to_be_visible()
    staff.screenshot(path=f"{SHOTS}/session-built.png", full_page=True)

    mail = server.mailbox.wait_for("trainer@demo.plume.test", contains="est confirmée")
    assert mail["Subject"] == "Confirmation de la session Groupe du matin"
    ics = next(part for part in mail.iter_attachments() if part.get_filename() == "votre-session.ics")
    events = list(Calendar.from_ical(ics.get_content()).walk("VEVENT"))
    assert len(events) == 1 and str(events[0]["summary"]) == f"{course_title} — après-midi"
    assert str(events[0]["location"]).endswith("Salle Molière") and events[0].decoded("sequence") == 0
    assert events[0].decoded("dtstart").astimezone().date() == today
    html = mail.get_body(preferencelist=("html",)).get_content()
    assert "Ouvrir" in html and re.search(r'href="http://127\.0\.0\.1:\d+/sessions/\d+"', html)
    server.mailbox.wait_for("learner8@demo.plume.test", contains="est confirmée")

    trainer = new_context().new_page()
    sign_in(trainer, "trainer@demo.plume.test")
    expect(trainer.locator("#en-cours").get_by_text(course_title)).to_be_visible()

    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, "learner8@demo.plume.test")
    learner.locator("#en-cours").get_by_text(course_title).click()
    ready(learner)
    expect(learner.locator("[data-testid=timeline-module]", has_text="Jour 1 — S'exprimer")).to_be_visible()
    expect(learner.get_by_role("button", name="Éditer la timeline")).to_have_count(0)

    # Finishing and archiving ask too, saying what changes (no e-mail); a phone shows the dialog whole.
    staff.set_viewport_size({"width": 390, "height": 844})
    staff.get_by_role("button", name="Terminer la session").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Terminer la session ?")).to_be_visible()
    expect(dialog).to_contain_text("« Terminées »")
    expect(dialog).to_contain_text("de 1 apprenant")
    expect(dialog).to_contain_text("Aucun e-mail n'est envoyé.")
    staff.screenshot(path=f"{SHOTS}/session-finish-dialog-phone.png")
    dialog.get_by_role("button", name="Terminer la session").click()
    expect(staff.get_by_text("Terminée", exact=True)).to_be_visible()
    staff.get_by_role("button", name="Archiver la session").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Archiver la session ?")).to_be_visible()
    expect(dialog).to_contain_text("disparaît de l'accueil")
    expect(dialog).to_contain_text("lecture seule pour tout le monde")
    # Archiving asks for a category: without one, the error is said next to the select and nothing changes.
    dialog.get_by_role("button", name="Archiver la session").click()
    expect(dialog.get_by_role("alert")).to_have_text("Choisissez une catégorie d'archive.")
    dialog.get_by_label("Catégorie d'archive").select_option("completed")
    dialog.get_by_role("button", name="Archiver la session").click()
    expect(staff.get_by_text("Archivée", exact=True)).to_be_visible()
    expect(staff.get_by_test_id("archived-banner")).to_contain_text("Parcours terminé")
    goto(learner, "/accueil")
    expect(learner.get_by_text(course_title)).to_have_count(0)  # as the dialog said


def test_a_trainer_edits_content_but_not_opening_rules(server, new_context) -> None:
    page = new_context().new_page()
    sign_in(page, "trainer@demo.plume.test")
    page.locator("#en-cours").get_by_text("Manager une équipe au quotidien").click()
    ready(page)
    page.get_by_role("button", name="Éditer la timeline").click()
    expect(page.get_by_text("Les règles d'ouverture et les dates sont gérées par l'organisme.")).to_be_visible()
    expect(page.get_by_role("button", name="Règle d'ouverture")).to_have_count(0)
    expect(page.get_by_role("button", name="Renommer")).to_have_count(0)
    module = page.locator("[data-testid=timeline-module]", has_text="Après la formation")
    module.get_by_role("button", name="Dupliquer Après la formation").click()
    copy = page.locator("[data-testid=timeline-module]", has_text="Après la formation (copie)")
    expect(copy).to_be_visible()
    copy.get_by_role("button", name="Supprimer Après la formation (copie)").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Cette action est irréversible.")
    page.get_by_role("button", name="Supprimer définitivement").click()
    expect(copy).to_have_count(0)


def test_a_positioned_trainer_sees_the_notification(server, new_context) -> None:
    with server.session() as db:
        from app.models import TrainingSession

        session = db.exec(select(TrainingSession).where(TrainingSession.title == "RGPD — équipe RH (brouillon)")).one()
    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/sessions/{session.id}")
    staff.get_by_label("Formateur à positionner").select_option(label="Marc Delattre — trainer@demo.plume.test")
    staff.get_by_role("button", name="Positionner").click()
    expect(staff.locator("#session-trainers").get_by_text("trainer@demo.plume.test")).to_be_visible()
    trainer = new_context().new_page()
    sign_in(trainer, "trainer@demo.plume.test")
    expect(trainer.get_by_test_id("unread-count")).to_be_visible()
    trainer.get_by_role("button", name="Notifications").click()
    trainer.get_by_role("menuitem", name=re.compile("Vous êtes positionné sur « RGPD — équipe RH")).click()
    expect(trainer).to_have_url(re.compile(rf"/sessions/{session.id}/?$"))
    expect(trainer.get_by_test_id("unread-count")).to_have_count(0)
