"""Enrolment by CSV in Chromium: preview with a bad line, apply, the invitation e-mail, the learners in the session."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlmodel import col, select

from app.models import AuditRecord, Enrolment, TrainingSession, User
from tests.e2e.conftest import goto, sign_in
from tests.server import body_of, link_in

SHOTS = "screenshots"
TITLE = "Excel avancé — groupe 2"
NEW = "nouvelle.recrue@exemple-e2e.fr"


def test_staff_import_a_csv_with_a_bad_line(server, new_context) -> None:
    with server.session() as db:
        training = db.exec(select(TrainingSession).where(TrainingSession.title == TITLE)).one()
        sid = training.id
        enrolled = set(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == sid)).all())
        known = next(
            u
            for u in db.exec(select(User).where(col(User.email).like("learner%@demo.plume.test"))).all()
            if u.id not in enrolled
        )
    # A registration export as Excel saves it on Windows: `;`, Windows-1252, a header, one bad line.
    text = (
        "Nom;Mail;Fonction;Grade\r\n"
        f"{known.last_name.upper()} {known.first_name.upper()};{known.email};ENS;P ECOLE CN\r\n"
        f"RECRUE HÉLÈNE;{NEW};ENS;P ECOLE CN\r\n"
        "DUPONT MARC;pas-une-adresse;ENS;P ECOLE HC\r\n"
    )
    page = new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(page, "staff@demo.plume.test")
    goto(page, f"/sessions/{sid}")
    expect(page.get_by_role("heading", name="Inscription par CSV")).to_be_visible()
    drop = page.locator("[data-testid=csv-drop] input[type=file]")
    if training.max_participants is not None and len(enrolled) + 2 > training.max_participants:
        # The demo session is full: the preview says so and the import waits; staff then open two places.
        drop.set_input_files(files=[{"name": "convoques.csv", "mimeType": "text/csv", "buffer": text.encode("cp1252")}])
        expect(page.get_by_test_id("csv-error")).to_contain_text("La session n'a pas assez de places")
        expect(page.get_by_test_id("csv-apply")).to_be_disabled()
        page.get_by_test_id("csv-cancel").click()
    with server.session() as db:  # room for this file and two more picked from the list below
        training.max_participants = len(enrolled) + 4
        db.add(training)
        db.commit()
    drop.set_input_files(files=[{"name": "convoques.csv", "mimeType": "text/csv", "buffer": text.encode("cp1252")}])
    rows = page.locator("[data-testid=csv-preview-row]")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Inscrit")
    expect(rows.nth(1)).to_contain_text("Compte créé et invité")
    expect(rows.nth(1)).to_contain_text("RECRUE HÉLÈNE")  # Windows-1252 read right
    expect(rows.nth(2)).to_contain_text("Adresse invalide")
    expect(rows.nth(2)).to_contain_text("Cette adresse e-mail n'est pas valide.")
    page.screenshot(path=f"{SHOTS}/enrolment-csv-preview.png", full_page=True)
    with server.session() as db:  # the preview wrote nothing
        assert db.exec(select(User.id).where(User.email == NEW)).first() is None

    page.get_by_test_id("csv-apply").click()
    expect(page.get_by_text("Inscriptions du fichier « convoques.csv » terminées.")).to_be_visible()
    expect(page.get_by_test_id("csv-count-created")).to_contain_text("1")
    expect(page.get_by_test_id("csv-count-invalid")).to_contain_text("1")
    learners = page.locator("#session-learners")
    expect(learners).to_contain_text(NEW)
    expect(learners).to_contain_text(known.email)
    page.screenshot(path=f"{SHOTS}/enrolment-csv-result.png", full_page=True)

    # Several learners of the organisation at once, then one taken off with a reason (kept in the history).
    count = page.locator("#session-learners [data-testid=person-row]").count()
    choices = page.get_by_test_id("learner-choice")
    picked = [choices.nth(0).inner_text(), choices.nth(1).inner_text()]
    choices.nth(0).locator("input").check()
    choices.nth(1).locator("input").check()
    page.get_by_role("button", name="Inscrire la sélection").click()
    expect(page.locator("#session-learners [data-testid=person-row]")).to_have_count(count + 2)
    for choice in picked:
        expect(learners).to_contain_text(choice.split(" — ")[-1])
    page.get_by_role("button", name="Retirer RECRUE HÉLÈNE").click()  # the export's "Nom" is the whole name
    form = page.get_by_test_id("unenrol-form")
    form.get_by_role("button", name="Retirer de la session").click()
    expect(form.get_by_role("alert")).to_be_visible()
    form.get_by_label("Raison (gardée dans l'historique)").fill("Inscrite par erreur")
    form.get_by_role("button", name="Retirer de la session").click()
    expect(page.locator("#session-learners [data-testid=person-row]").filter(has_text=NEW)).to_have_count(0)
    # The page keeps the history: who left, when, why.
    page.locator("#session-learners summary", has_text="retiré").click()
    expect(page.locator("[data-testid=left-row]").first).to_contain_text("Inscrite par erreur")
    with server.session() as db:
        reasons = db.exec(select(AuditRecord.before).where(AuditRecord.action == "session.unenrol")).all()
        assert any("Inscrite par erreur" in r for r in reasons)

    mail = server.mailbox.wait_for(NEW, contains=TITLE)
    assert "/reinitialiser?jeton=" in link_in(mail) and "HÉLÈNE" in body_of(mail)
    report = page.request.get(f"/api/enrolment-imports/{_job(server, sid)}/report.csv")
    assert report.ok and "Adresse invalide" in report.text() and NEW in report.text()
    export = page.request.get(f"/api/sessions/{sid}/participants.csv")
    assert export.ok and known.email in export.text() and NEW not in export.text()  # taken off above

    # The result waits on the page (a new tab, a phone); the same file again finds who is already enrolled.
    phone = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, "staff@demo.plume.test")
    goto(phone, f"/sessions/{sid}")
    expect(phone.get_by_text("Inscriptions du fichier « convoques.csv » terminées.")).to_be_visible()
    phone.get_by_role("button", name="Importer un autre fichier").click()
    phone.locator("[data-testid=csv-drop] input[type=file]").set_input_files(
        files=[{"name": "convoques.csv", "mimeType": "text/csv", "buffer": text.encode("cp1252")}]
    )
    again = phone.locator("[data-testid=csv-preview-row]")
    expect(again.nth(0)).to_contain_text("Déjà inscrit")
    expect(again.nth(1)).to_contain_text("Apprenant de l'organisation.")  # taken off above: enrolled again
    phone.screenshot(path=f"{SHOTS}/enrolment-csv-mobile.png", full_page=True)


def _job(server, sid: int) -> int:
    from app.models import EnrolmentImport

    with server.session() as db:
        return db.exec(
            select(EnrolmentImport.id).where(EnrolmentImport.session_id == sid).order_by(col(EnrolmentImport.id).desc())
        ).first()  # type: ignore[return-value]
