"""Issue 15's questionnaire library in Chromium: staff build a diagnostic with two questions (the errors next to
their fields), export it, import it back (a bad file first: nothing written), and attach it to a session's
diagnostic in the timeline editor."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import expect
from sqlmodel import col, select

from app.models import Activity, Module, TrainingSession, User
from app.models.evaluations import Questionnaire
from app.services import timeline
from tests.e2e.conftest import goto, ready, sign_in
from tests.factories import actor_for

SHOTS = "screenshots"
SESSION = "Manager une équipe — session de novembre"


def test_staff_build_export_import_and_attach_a_diagnostic(server, new_context, tmp_path: Path) -> None:
    title = f"Positionnement management {uuid.uuid4().hex[:4]}"
    staff = new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(staff, "staff@demo.plume.test")
    staff.get_by_role("link", name="Questionnaires").click()
    expect(staff.get_by_role("heading", name="Bibliothèque de questionnaires")).to_be_visible()
    ready(staff)

    # A new diagnostic: the title is required, its message sits under the field.
    staff.get_by_role("button", name="Nouveau questionnaire").first.click()
    dialog = staff.get_by_role("dialog")
    dialog.get_by_label("Titre").fill(" ")
    dialog.get_by_role("button", name="Créer le questionnaire").click()
    expect(dialog.get_by_text("Indiquez un titre.")).to_be_visible()
    dialog.get_by_label("Titre").fill(title)
    dialog.get_by_label("Usage").select_option("diagnostic")
    dialog.get_by_label("Étiquettes").fill("Management, Entrée")
    dialog.get_by_role("button", name="Créer le questionnaire").click()
    expect(staff.get_by_role("heading", name=title)).to_be_visible()
    expect(staff).to_have_url(re.compile(r"/questionnaires/\d+/?$"))
    ready(staff)

    # Question 1, single choice: without its right answer, the message sits under the answers.
    staff.get_by_role("button", name="Ajouter une question").click()
    dialog = staff.get_by_role("dialog")
    dialog.get_by_label("Énoncé").fill("Quel style de management implique l'équipe dans les décisions ?")
    dialog.get_by_label("Réponse 1", exact=True).fill("Directif")
    dialog.get_by_label("Réponse 2", exact=True).fill("Participatif")
    dialog.get_by_role("button", name="Ajouter une réponse").click()
    dialog.get_by_label("Réponse 3", exact=True).fill("Délégatif")
    dialog.get_by_label("Commentaire de la réponse 2").fill("Oui : chacun contribue à la décision.")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_text(re.compile("Marquez la bonne réponse"))).to_be_visible()
    dialog.get_by_label("Bonne réponse 2").check()
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(staff.get_by_role("dialog")).to_have_count(0)
    cards = staff.get_by_test_id("question-card")
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Participatif")

    # Question 2, a number with its right answer.
    staff.get_by_role("button", name="Ajouter une question").click()
    dialog = staff.get_by_role("dialog")
    dialog.get_by_label("Type de question").select_option("number")
    dialog.get_by_label("Énoncé").fill(
        "Combien de personnes un manager de proximité encadre-t-il au plus, idéalement ?"
    )
    dialog.get_by_label("Bonne réponse", exact=True).fill("8")
    dialog.get_by_label("Tolérance (±)").fill("2")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(cards).to_have_count(2)
    expect(cards.nth(1)).to_contain_text("Bonne réponse : 8 ± 2")
    staff.screenshot(path=f"{SHOTS}/questionnaire-editor.png", full_page=True)

    # Export: the file holds both questions and their right answers.
    with staff.expect_download() as info:
        staff.get_by_role("link", name="Exporter en JSON").click()
    exported = tmp_path / "export.json"
    info.value.save_as(exported)
    assert info.value.suggested_filename == f"{title}.json"
    document = json.loads(exported.read_text())
    assert [q["kind"] for q in document["questionnaire"]["questions"]] == ["single", "number"]

    # Import: a file that is not a questionnaire is refused whole, then the export comes back as a new one.
    goto(staff, "/questionnaires")
    bad = tmp_path / "pas-un-questionnaire.json"
    bad.write_text('{"format": "autre chose"}')
    staff.locator("#questionnaire-import input[type=file]").set_input_files(str(bad))
    expect(staff.get_by_test_id("import-error")).to_contain_text("rien n'a été importé")
    staff.locator("#questionnaire-import input[type=file]").set_input_files(str(exported))
    expect(staff).to_have_url(re.compile(r"/questionnaires/\d+/?$"))
    expect(staff.get_by_role("heading", name=title)).to_be_visible()
    expect(staff.get_by_test_id("question-card")).to_have_count(2)
    imported_id = int(re.search(r"/questionnaires/(\d+)", staff.url).group(1))  # type: ignore[union-attr]
    with server.session() as db:
        assert len(db.exec(select(Questionnaire).where(Questionnaire.title == title)).all()) == 2
        session_id = db.exec(select(TrainingSession.id).where(TrainingSession.title == SESSION)).one()

    # The library finds it with neither case nor accents; the screenshot shows the list.
    goto(staff, "/questionnaires")
    staff.get_by_label("Rechercher").fill(title.upper().replace("É", "E"))
    expect(staff.get_by_test_id("questionnaire-row")).to_have_count(2)
    staff.get_by_label("Rechercher").fill("")
    expect(staff.get_by_test_id("questionnaire-row").first).to_be_visible()
    staff.screenshot(path=f"{SHOTS}/questionnaire-library.png", full_page=True)

    # Attach the imported one to a new diagnostic of the session, before the training.
    try:
        goto(staff, f"/sessions/{session_id}")
        staff.get_by_role("button", name="Éditer la timeline").click()
        module = staff.get_by_test_id("timeline-module").first
        module.get_by_role("button", name="Ajouter une activité").click()
        module.get_by_label("Type d'activité").select_option("diagnostic")
        module.get_by_label("Titre de l'activité").fill(f"Positionnement {title[-4:]}")
        module.get_by_role("button", name="Ajouter", exact=True).click()
        card = staff.get_by_test_id("activity-card").filter(has_text=f"Positionnement {title[-4:]}")
        expect(card).to_be_visible()
        card.get_by_role("button", name=re.compile("Choisir le questionnaire de")).click()
        card.get_by_label("Questionnaire de la bibliothèque").select_option(str(imported_id))
        card.get_by_label("Moment").select_option("before")
        card.get_by_role("button", name="Attacher").click()
        badge = card.get_by_test_id("attached-questionnaire")
        expect(badge).to_contain_text(title)
        expect(badge).to_contain_text("Avant la formation")
        card.scroll_into_view_if_needed()
        staff.screenshot(path=f"{SHOTS}/questionnaire-attached.png")
    finally:  # the session's timeline as other tests know it (the tutoring report counts its lessons)
        with server.services_here(), server.session() as db:
            added = db.exec(
                select(Activity)
                .join(Module, col(Module.id) == col(Activity.module_id))
                .where(Module.session_id == session_id, Activity.title == f"Positionnement {title[-4:]}")
            ).all()
            staff_user = db.exec(select(User).where(User.email == "staff@demo.plume.test")).one()
            for activity in added:
                timeline.delete_activity(db, actor_for(db, staff_user), activity.id or 0)
            db.commit()
