"""Finishing in Chromium: "Formation terminée" then the attestations; an archived session is read-only and filed away."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import Session, select

from app.models import Attestation, Membership, TrainingSession, TutorPosition, User
from app.services.attendance import actions
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in
from tests.factories import actor_for

SHOTS = "screenshots"
PEOPLE = ("learner9@demo.plume.test", "learner13@demo.plume.test", "learner17@demo.plume.test")


def _own_tutor(db: Session, sid: int) -> str:
    """A tutor following only this session (so the demo tutor's lists stay as other tests expect them)."""
    model = db.exec(select(User).where(User.email == "tutor@demo.plume.test")).one()
    tutor_user = User(
        email=f"tuteur-fin-{sid}@demo.plume.test",
        first_name="Lucie",
        last_name="Marchand",
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


def test_a_tutor_marks_two_learners_finished_and_downloads_their_attestations(server, new_context) -> None:
    with server.session() as db:
        sid, slot_id = live_slot(db, title="Fin de formation — groupe A", learners=list(PEOPLE))
        tutor_email = _own_tutor(db, sid)
        names = [db.exec(select(User).where(User.email == e)).one().display_name for e in PEOPLE]
    with server.services_here(), server.session() as db:  # the two sign the running half-day (trainer's device)
        trainer = actor_for(db, db.exec(select(User).where(User.email == trainer_email(sid))).one())
        for email in PEOPLE[:2]:
            learner_id = db.exec(select(User.id).where(User.email == email)).one() or 0
            actions.sign_as(
                db, trainer, slot_id, learner_id, strokes="10,10 200,120 380,40", client_key="f" * 10, reason="Poste"
            )

    tutor = new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(tutor, tutor_email)
    goto(tutor, f"/tutorat/{sid}")
    expect(tutor.get_by_test_id("learner-row")).to_have_count(3)
    # Before "Formation terminée", no attestation: the refusal says why.
    tutor.get_by_role("button", name=f"Attestation de {names[0]}").click()
    expect(tutor.get_by_role("alert")).to_contain_text("n'est pas déclarée terminée")

    for name in names[:2]:
        tutor.get_by_role("checkbox", name=f"Sélectionner {name}").click()
    expect(tutor.get_by_text("2 sélectionnés")).to_be_visible()
    tutor.get_by_test_id("bulk-finish").click()
    dialog = tutor.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Déclarer la formation terminée ?")).to_be_visible()
    expect(dialog).to_contain_text("des 2 apprenants sélectionnés")
    tutor.screenshot(path=f"{SHOTS}/finishing-dialog.png")
    tutor.get_by_test_id("conclude-submit").click()
    expect(tutor.get_by_text("2 apprenants déclarés « Formation terminée ».")).to_be_visible()
    expect(tutor.get_by_test_id("finished-badge")).to_have_count(2)

    # One PDF per learner, zipped; then one merged PDF for the sponsor.
    with tutor.expect_download() as download:
        tutor.get_by_role("button", name="Attestations", exact=True).click()
    archive = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes()))
    texts = [
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(archive.read(n))).pages) for n in archive.namelist()
    ]
    assert len(texts) == 2
    for name in names[:2]:
        assert sum(name in text for text in texts) == 1
    assert all("ne tient pas compte du temps passé ni de la participation aux activités" in t for t in texts)
    assert all("Heures de présence" in t for t in texts)
    expect(tutor.get_by_text("2 attestations générées")).to_be_visible()
    with tutor.expect_download() as merged:
        tutor.get_by_role("button", name="Attestations (un seul PDF)").click()
    assert merged.value.suggested_filename.endswith(".pdf")
    pages = PdfReader(io.BytesIO(Path(merged.value.path()).read_bytes())).pages
    assert len(pages) == 2
    tutor.screenshot(path=f"{SHOTS}/finishing-tutor-desktop.png", full_page=True)

    # Undoing it for one learner revokes her attestation: the public check says so.
    with server.session() as db:
        first_id = db.exec(select(User.id).where(User.email == PEOPLE[0])).one()
        code = db.exec(
            select(Attestation.code).where(Attestation.session_id == sid, Attestation.user_id == first_id)
        ).first()
    assert code is not None
    tutor.get_by_role("button", name="Tout désélectionner").click()
    tutor.set_viewport_size({"width": 390, "height": 844})
    tutor.get_by_role("checkbox", name=f"Sélectionner {names[0]}").click()
    tutor.get_by_role("button", name="Annuler « Formation terminée »").click()
    expect(tutor.get_by_role("dialog")).to_contain_text("révoquées")
    tutor.screenshot(path=f"{SHOTS}/finishing-undo-phone.png")
    tutor.get_by_test_id("conclude-submit").click()
    expect(tutor.get_by_text("« Formation terminée » annulée pour 1 apprenant")).to_be_visible()
    check = new_context().new_page()
    check.goto(f"/api/attestations/verifier/{code}")
    expect(check.get_by_text("Attestation révoquée")).to_be_visible()
    expect(check.get_by_text(re.compile(r"révoquée le \d\d/\d\d/\d{4}"))).to_be_visible()


def test_an_archived_session_is_read_only_and_gone_from_the_tutor_s_list(server, new_context) -> None:
    title = "Fin de formation — groupe B (archive)"
    with server.session() as db:
        sid, slot_id = live_slot(db, title=title, learners=[PEOPLE[2]])
        tutor_email = _own_tutor(db, sid)
        db.get(TrainingSession, sid).status = "finished"  # type: ignore[union-attr]
        db.commit()

    tutor = new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(tutor, tutor_email)
    goto(tutor, "/tutorat")
    expect(tutor.get_by_text(title, exact=True)).to_be_visible()

    staff = new_context(viewport={"width": 1366, "height": 900}).new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/sessions/{sid}")
    staff.get_by_role("button", name="Archiver la session").click()
    dialog = staff.get_by_role("dialog")
    dialog.get_by_label("Catégorie d'archive").select_option("completed")
    staff.screenshot(path=f"{SHOTS}/archive-dialog.png")
    dialog.get_by_role("button", name="Archiver la session").click()
    expect(staff.get_by_test_id("archived-banner")).to_contain_text("lecture seule")
    expect(staff.get_by_test_id("unarchive")).to_be_visible()
    expect(staff.get_by_test_id("session-sheets-pdf")).to_be_visible()  # the signed sheets stay readable
    staff.screenshot(path=f"{SHOTS}/archived-session-staff.png", full_page=True)

    # Gone from the tutor's current list, found under Archives, readable, with nothing to write.
    goto(tutor, "/tutorat")
    expect(tutor.get_by_role("heading", name="Tutorat")).to_be_visible()
    expect(tutor.get_by_text(title, exact=True)).to_have_count(0)
    goto(tutor, "/archives")
    expect(tutor.get_by_text(title, exact=True)).to_be_visible()
    tutor.screenshot(path=f"{SHOTS}/archives-tutor-desktop.png", full_page=True)
    goto(tutor, f"/sessions/{sid}")
    expect(tutor.get_by_test_id("archived-banner")).to_be_visible()
    expect(tutor.get_by_test_id("unarchive")).to_have_count(0)  # unarchiving is staff's
    tutor.get_by_role("tab", name="Discussion").click()
    expect(tutor.get_by_text("Discussion de la session")).to_be_visible()
    expect(tutor.get_by_role("button", name="Envoyer")).to_have_count(0)

    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, PEOPLE[2])
    expect(learner.get_by_text(title, exact=True)).to_have_count(0)  # not on the home page any more
    learner.get_by_test_id("archives-link").click()
    expect(learner.get_by_text(title, exact=True)).to_be_visible()
    learner.screenshot(path=f"{SHOTS}/archives-learner-phone.png", full_page=True)
    goto(learner, f"/emargement/{slot_id}")
    expect(learner.get_by_test_id("sign-now")).to_have_count(0)
    goto(learner, f"/sessions/{sid}")
    expect(learner.get_by_test_id("archived-banner")).to_be_visible()
    learner.get_by_role("tab", name="Discussion").click()
    expect(learner.get_by_text("Session archivée : la discussion est en lecture seule.")).to_be_visible()
    expect(learner.get_by_role("button", name="Envoyer")).to_have_count(0)
    learner.screenshot(path=f"{SHOTS}/archived-session-learner-phone.png", full_page=True)

    # Staff take it out of the archive (audited): it is back in the tutor's list.
    staff.get_by_test_id("unarchive").click()
    expect(staff.get_by_test_id("archived-banner")).to_have_count(0)
    goto(tutor, "/tutorat")
    expect(tutor.get_by_text(title, exact=True)).to_be_visible()
