"""The tutoring centre in Chromium: the tutor's sessions, filter, sort, pages, and the pie updated live."""

from __future__ import annotations

import io
import re
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import Session, select

from app.models import Membership, TrainingSession, TutorPosition, User
from app.models.progress import LessonProgress
from app.services.attendance import actions
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in
from tests.factories import actor_for

MANAGER = "Manager une équipe — session de novembre"


def _not_started(page: Page) -> int:
    return int(page.get_by_test_id("pie-value").first.inner_text())


def test_tutor_follows_a_session_and_the_pie_moves_when_a_learner_progresses(server, new_context) -> None:
    with server.session() as db:
        sid = db.exec(select(TrainingSession.id).where(TrainingSession.title == MANAGER)).one()
    tutor = new_context().new_page()
    sign_in(tutor, "tutor@demo.plume.test")
    tutor.get_by_role("link", name="Tutorat").first.click()
    expect(tutor.get_by_role("heading", name="Tutorat")).to_be_visible()
    expect(tutor.get_by_text("Excel avancé — groupe 2")).to_be_visible()
    expect(tutor.get_by_text("Gestes et postures — entrepôt Vénissieux")).to_have_count(0)  # not followed
    tutor.locator("tr", has_text=MANAGER).get_by_role("button", name="Centre de tutorat").click()
    expect(tutor).to_have_url(re.compile(rf"/tutorat/{sid}/?$"))
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")
    expect(tutor.get_by_test_id("learner-row")).to_have_count(30)

    # Ten a page: three pages; the filter by enrolment type narrows the count.
    tutor.get_by_label("Apprenants par page").select_option("10")
    expect(tutor.get_by_test_id("learner-row")).to_have_count(10)
    expect(tutor.get_by_text("Page 1 sur 3 · 30 apprenants")).to_be_visible()
    tutor.get_by_role("button", name="Suivante").click()
    expect(tutor.get_by_text("Page 2 sur 3 · 30 apprenants")).to_be_visible()
    tutor.get_by_role("radio", name="Recommandées").click()
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("6")
    tutor.get_by_role("radio", name="Toutes").click()
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")

    # Search, then sort by progress (the most advanced first).
    tutor.get_by_label("Rechercher un apprenant").fill("learner27@")
    tutor.get_by_role("button", name="Rechercher").click()
    expect(tutor.get_by_test_id("learner-row")).to_have_count(1)
    # The learner's report: who, the session, each activity of the timeline, the connections.
    tutor.get_by_test_id("learner-row").get_by_role("link").first.click()
    expect(tutor.get_by_role("heading", name=re.compile("^Rapport de suivi — "))).to_be_visible()
    expect(tutor.get_by_test_id("lesson-row")).to_have_count(14)
    expect(tutor.get_by_role("heading", name="Historique des connexions")).to_be_visible()
    tutor.screenshot(path="screenshots/tutoring-report.png", full_page=True)
    tutor.get_by_role("link", name="Retour au centre de tutorat").click()
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")
    tutor.get_by_label("Apprenants par page").select_option("10")
    tutor.get_by_label("Rechercher un apprenant").fill("learner27@")
    tutor.get_by_role("button", name="Rechercher").click()
    expect(tutor.get_by_test_id("learner-row")).to_have_count(1)
    tutor.get_by_label("Rechercher un apprenant").fill("")
    tutor.get_by_role("button", name="Rechercher").click()
    tutor.get_by_role("button", name="Progression").click()
    expect(tutor.get_by_test_id("learner-row")).to_have_count(10)
    tutor.screenshot(path="screenshots/tutoring-centre.png", full_page=True)

    # Select across pages, then remind one learner: the e-mail arrives and the report lists it.
    tutor.get_by_role("button", name="Sélectionner toutes les pages (30)").click()
    expect(tutor.get_by_text("30 sélectionnés")).to_be_visible()
    tutor.get_by_role("button", name="Tout désélectionner").click()
    tutor.get_by_label("Rechercher un apprenant").fill("learner28@")
    tutor.get_by_role("button", name="Rechercher").click()
    expect(tutor.get_by_test_id("learner-row")).to_have_count(1)
    tutor.get_by_test_id("learner-row").get_by_role("checkbox").click()
    expect(tutor.get_by_text("1 sélectionné")).to_be_visible()
    tutor.get_by_role("button", name="Relancer").click()
    dialog = tutor.get_by_role("dialog")
    expect(dialog.get_by_text("où en êtes-vous ?")).to_be_visible()
    tutor.screenshot(path="screenshots/tutoring-reminder.png", full_page=True)
    dialog.get_by_role("button", name="Envoyer les relances").click()
    expect(tutor.get_by_text("1 relance envoyée.")).to_be_visible()
    mail = server.mailbox.wait_for("learner28@demo.plume.test", contains="du parcours")
    assert "où en êtes-vous" in str(mail["Subject"])
    tutor.get_by_test_id("learner-row").get_by_role("link").first.click()
    expect(tutor.get_by_test_id("reminder-row")).to_have_count(1)
    # Its type and template, as seed 002's "Historique des relances" shows them.
    expect(tutor.get_by_test_id("reminder-row")).to_contain_text("Manuelle")
    expect(tutor.get_by_test_id("reminder-row")).to_contain_text("Relance d'un apprenant")
    tutor.get_by_role("link", name="Retour au centre de tutorat").click()
    expect(tutor.get_by_test_id("tile-learners")).to_have_text("30")

    # A learner who has not started marks a document done: the tutor's pie moves without reload.
    before = _not_started(tutor)
    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, "learner30@demo.plume.test")
    goto(learner, f"/sessions/{sid}")
    learner.get_by_role("button", name="Ouvrir l'activité Programme détaillé").click()
    learner.get_by_role("button", name="Marquer comme terminé").click()
    expect(learner.get_by_role("dialog").get_by_text("Terminé")).to_be_visible()
    expect(tutor.get_by_test_id("pie-value").first).to_have_text(str(before - 1), timeout=5_000)


def _own_tutor(db: Session, sid: int) -> str:
    """A tutor following only this session (so the demo tutor's lists stay as other tests expect them)."""
    model = db.exec(select(User).where(User.email == "tutor@demo.plume.test")).one()
    tutor_user = User(
        email=f"tuteur-{sid}@demo.plume.test",
        first_name="Paul",
        last_name="Renard",
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
    return tutor_user.email


def test_tutor_edits_a_statistic_the_pie_follows_and_attestations_download_as_a_zip(server, new_context) -> None:
    """A fresh session of three learners: nobody has started; an edit by the tutor moves the staff's pie."""
    people = ("learner3@demo.plume.test", "learner4@demo.plume.test", "learner6@demo.plume.test")
    with server.session() as db:
        sid, slot_id = live_slot(db, title="Tutorat — statistiques", learners=list(people))
        _own_tutor(db, sid)
        names = {e: db.exec(select(User).where(User.email == e)).one().display_name for e in people}
        uid = db.exec(select(User.id).where(User.email == people[0])).one()

    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/tutorat/{sid}")
    expect(staff.get_by_test_id("tile-learners")).to_have_text("3")
    expect(staff.get_by_test_id("pie-value").first).to_have_text("3")  # Non commencé

    tutor = new_context().new_page()
    sign_in(tutor, f"tuteur-{sid}@demo.plume.test")
    goto(tutor, f"/tutorat/{sid}/{uid}")
    expect(tutor.get_by_role("heading", name=f"Rapport de suivi — {names[people[0]]}")).to_be_visible()
    tutor.get_by_role("button", name="Modifier les statistiques de « Séance du matin »").click()
    dialog = tutor.get_by_role("dialog")
    dialog.get_by_label("Statut", exact=True).select_option("passed")
    dialog.get_by_label("Score (%)").fill("140")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_role("alert")).to_have_text("Le score est un nombre entre 0 et 100.")
    dialog.get_by_label("Score (%)").fill("85,5")
    dialog.get_by_label("Temps passé (h:mm:ss)").fill("0:45:00")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(tutor.get_by_text("Statistiques enregistrées.")).to_be_visible()
    row = tutor.get_by_test_id("lesson-row").filter(has_text="Séance du matin")
    expect(row.get_by_text("Réussi", exact=True)).to_be_visible()
    expect(row.get_by_text("85,5 %").first).to_be_visible()  # the score (and the average: the only one)
    expect(tutor.get_by_text("45 min").first).to_be_visible()
    tutor.screenshot(path="screenshots/tutoring-report-stats.png", full_page=True)

    # The staff's centre, open in another browser, follows without reload: one learner finished.
    expect(staff.get_by_test_id("pie-value").first).to_have_text("2", timeout=5_000)
    expect(staff.get_by_test_id("pie-value").nth(2)).to_have_text("1")

    # Attestations of the whole session, as a zip of one PDF per learner naming them. The three sign the running
    # half-day first (on their trainer's device), then the tutor declares them "Formation terminée" (the gate).
    with server.services_here(), server.session() as db:  # sealed with the server's key, not the checkout's
        trainer = actor_for(db, db.exec(select(User).where(User.email == trainer_email(sid))).one())
        for email in people:
            learner_id = db.exec(select(User.id).where(User.email == email)).one() or 0
            actions.sign_as(
                db, trainer, slot_id, learner_id, strokes="10,10 200,120 380,40", client_key="e" * 10, reason="Poste"
            )
    goto(tutor, f"/tutorat/{sid}")
    tutor.get_by_role("button", name="Sélectionner toutes les pages (3)").click()
    expect(tutor.get_by_text("3 sélectionnés")).to_be_visible()
    tutor.get_by_test_id("bulk-finish").click()
    tutor.get_by_test_id("conclude-submit").click()
    expect(tutor.get_by_text("3 apprenants déclarés « Formation terminée ».")).to_be_visible()
    with tutor.expect_download() as download:
        tutor.get_by_role("button", name="Attestations", exact=True).click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    pdfs = [n for n in archive.namelist() if n.endswith(".pdf")]
    assert len(pdfs) == 3
    texts = [" ".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(n))).pages) for n in pdfs]
    for name in names.values():
        assert sum(name in text for text in texts) == 1
    assert all("Tutorat — statistiques" in text for text in texts)
    expect(tutor.get_by_text("3 attestations générées")).to_be_visible()

    # One learner's certificate: the button issues it (an event), then the PDF downloads by GET.
    first = names[people[0]]
    with tutor.expect_download() as single:
        tutor.get_by_role("button", name=f"Attestation de {first}").click()
    assert single.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(io.BytesIO(Path(single.value.path()).read_bytes()))
    assert first in " ".join(p.extract_text() for p in pdf.pages)


def test_time_on_an_activity_is_measured_while_the_learner_uses_it(server, new_context) -> None:
    email = "learner6@demo.plume.test"
    with server.session() as db:
        sid, _ = live_slot(db, title="Temps mesuré", learners=[email], starts_in=timedelta(days=1))
        user_id = db.exec(select(User.id).where(User.email == email)).one()
    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, email)
    goto(learner, f"/sessions/{sid}")
    learner.get_by_role("button", name="Ouvrir l'activité Séance du matin").click()
    expect(learner.get_by_role("dialog")).to_be_visible()
    for step in range(5):  # someone reading and scrolling for about five seconds
        learner.mouse.move(100 + 10 * step, 300)
        learner.wait_for_timeout(1_000)
    learner.get_by_role("button", name="Fermer").click()  # closing the panel reports what was measured

    def measured() -> int:
        with server.session() as db:
            rows = db.exec(select(LessonProgress).where(LessonProgress.user_id == user_id)).all()
            return sum(r.time_spent_s for r in rows if r.session_id == sid)

    deadline = time.monotonic() + 10
    while measured() < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert 3 <= measured() <= 15


def test_a_virtual_class_for_selected_learners_invites_them_and_only_them(server, new_context) -> None:
    invited, other = "learner3@demo.plume.test", "learner4@demo.plume.test"
    with server.session() as db:
        sid, _ = live_slot(db, title="Tutorat — classe virtuelle", learners=[invited, other])
        tutor_email = _own_tutor(db, sid)
        day = db.exec(select(TrainingSession.ends_on).where(TrainingSession.id == sid)).one()
        invited_name = db.exec(select(User).where(User.email == invited)).one().display_name
    tutor = new_context().new_page()
    sign_in(tutor, tutor_email)
    goto(tutor, f"/tutorat/{sid}")
    tutor.get_by_role("checkbox", name=f"Sélectionner {invited_name}").click()
    tutor.get_by_role("button", name="Classe virtuelle").click()
    dialog = tutor.get_by_role("dialog")
    dialog.get_by_label("Titre").fill("Point d'étape individuel")
    dialog.get_by_label("Date").fill(day.isoformat())
    dialog.get_by_label("Début").fill("16:00")
    dialog.get_by_label("Fin").fill("15:00")
    dialog.get_by_role("button", name="Créer et inviter").click()
    expect(dialog.get_by_role("alert")).to_be_visible()  # the end before the start, said next to the field
    dialog.get_by_label("Fin").fill("16:45")
    dialog.get_by_role("button", name="Créer et inviter").click()
    expect(tutor.get_by_text("Classe virtuelle créée : 1 invitation envoyée.")).to_be_visible()

    mail = server.mailbox.wait_for(invited, contains="Point d'étape individuel")
    ics = next(part for part in mail.iter_attachments() if (part.get_filename() or "").endswith(".ics"))
    event = next(c for c in Calendar.from_ical(ics.get_content()).walk("VEVENT"))
    assert str(event["SUMMARY"]) == "Point d'étape individuel"
    assert "/emargement/" in str(event.get("LOCATION", "")) + str(event.get("URL", ""))

    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, invited)
    goto(learner, f"/sessions/{sid}")
    expect(learner.get_by_role("button", name="Ouvrir l'activité Point d'étape individuel")).to_be_visible()
    someone_else = new_context().new_page()
    sign_in(someone_else, other)
    goto(someone_else, f"/sessions/{sid}")
    expect(someone_else.get_by_role("button", name="Ouvrir l'activité Séance du matin")).to_be_visible()
    expect(someone_else.get_by_role("button", name="Ouvrir l'activité Point d'étape individuel")).to_have_count(0)
    assert not any(m for m in server.mailbox.messages if other in str(m["To"]) and "Point d'étape" in str(m))
