"""Missions and observations in Chromium: a learner hands in, a tutor corrects with a file back and observes.

The test builds its own session (new learners and a new tutor of Horizon Formation),
so other tests' views of the demo people do not change.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from app.models import Activity, Document, Membership, Module, Organisation, TutorPosition, User
from app.models.progress import Submission
from tests.attendance_setup import live_slot
from tests.e2e.conftest import goto, sign_in

SHOTS = "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MISSION = "Mission : étude de cas client"
OBSERVATION = "Observation : accueil au comptoir"


def _person(db: Session, org: Organisation, email: str, first: str, last: str, role: str) -> User:
    """A new activated person of the organisation, with the demo password."""
    model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
    user = User(
        email=email,
        first_name=first,
        last_name=last,
        password_hash=model.password_hash,
        phone=model.phone,
        phone_verified_at=model.phone_verified_at,
    )
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id or 0, organisation_id=org.id or 0, **{f"is_{role}": True}))
    db.commit()
    return user


def _setup(server) -> dict[str, object]:
    """A session with two new learners, a mission (passing score 60) and an observation, and a new tutor."""
    tag = uuid.uuid4().hex[:6]
    emails = {
        "lina": f"lina.{tag}@demo.plume.test",
        "marc": f"marc.{tag}@demo.plume.test",
        "tutor": f"tuteur.{tag}@demo.plume.test",
    }
    with server.session() as db:
        org = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        _person(db, org, emails["lina"], "Lina", f"Rivière {tag}", "learner")
        _person(db, org, emails["marc"], "Marc", f"Sabatier {tag}", "learner")
        tutor = _person(db, org, emails["tutor"], "Théo", f"Vasseur {tag}", "tutor")
        sid, _ = live_slot(db, title=f"Relation client — missions {tag}", learners=[emails["lina"], emails["marc"]])
        module = db.exec(select(Module).where(Module.session_id == sid)).one()
        db.add(
            Activity(
                module_id=module.id or 0,
                kind="assignment",
                title=MISSION,
                position=1,
                settings_json=json.dumps({"description": "Analysez la réclamation du client.", "passing_score": 60}),
            )
        )
        db.add(Activity(module_id=module.id or 0, kind="observation", title=OBSERVATION, position=2))
        db.add(TutorPosition(session_id=sid, user_id=tutor.id or 0))
        db.commit()
    return {"sid": sid, "tag": tag, **emails}


def _open_activity(page: Page, title: str) -> None:
    page.get_by_role("button", name=f"Ouvrir l'activité {title}").click()
    expect(page.get_by_role("dialog").get_by_role("heading", name=title)).to_be_visible()


def test_learner_hands_in_tutor_corrects_with_a_file_back_and_observes(server, new_context, tmp_path) -> None:
    s = _setup(server)
    sid, tag = s["sid"], s["tag"]
    plan = tmp_path / "plan.pdf"
    plan.write_bytes(PDF)
    corrige = tmp_path / "corrige.pdf"
    corrige.write_bytes(PDF + b"% corrige\n")
    fake = tmp_path / "analyse.pdf"
    fake.write_bytes(b"MZ\x90\x00 not a pdf at all")

    # The learner hands in: a refused file first, then the real one with a comment.
    lina = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(lina, str(s["lina"]))
    goto(lina, f"/sessions/{sid}")
    _open_activity(lina, MISSION)
    panel = lina.get_by_role("dialog")
    expect(panel.get_by_text("Analysez la réclamation du client.")).to_be_visible()
    expect(panel.get_by_test_id("mission-form")).to_be_visible()
    panel.locator("#mission_file input[type=file]").set_input_files(str(fake))
    panel.get_by_role("button", name="Rendre ma mission").click()
    expect(panel.get_by_role("alert")).to_contain_text("« analyse.pdf » n'est pas d'un type accepté")
    panel.locator("#mission_file input[type=file]").set_input_files(str(plan))
    expect(panel.get_by_text("plan.pdf")).to_be_visible()
    panel.get_by_label("Commentaire pour le correcteur").fill("Mon analyse en deux parties.")
    panel.get_by_role("button", name="Rendre ma mission").click()
    expect(panel.get_by_test_id("mission-waiting")).to_contain_text("en attente de correction")
    expect(panel.get_by_role("link", name="Télécharger plan.pdf")).to_be_visible()
    expect(panel.get_by_test_id("mission-form")).to_have_count(0)
    lina.screenshot(path=f"{SHOTS}/mission-handed-in-mobile.png")

    # The tutor's centre counts what waits; the missions page lists the hand-in.
    tutor = new_context().new_page()
    sign_in(tutor, str(s["tutor"]))
    goto(tutor, f"/tutorat/{sid}")
    expect(tutor.get_by_test_id("tile-missions")).to_have_text("1")
    expect(tutor.get_by_test_id("tile-observations")).to_have_text("2")
    goto(tutor, f"/tutorat/{sid}/missions")
    expect(tutor.get_by_role("heading", name="Missions à corriger")).to_be_visible()
    rows = tutor.get_by_test_id("submission-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(MISSION)
    tutor.get_by_role("button", name=f"Corriger la mission de Lina Rivière {tag}").click()
    dialog = tutor.get_by_role("dialog")
    expect(dialog.get_by_text("Mon analyse en deux parties.")).to_be_visible()
    handed = dialog.get_by_role("link", name="Télécharger plan.pdf")
    expect(handed).to_be_visible()
    work_url = handed.get_attribute("href") or ""
    assert re.search(r"/api/missions/submissions/\d+/work$", work_url)
    assert tutor.request.get(work_url).body() == PDF

    # A score out of range is refused next to its field; then the correction with a file back.
    dialog.get_by_label("Score (sur 100)").fill("120")
    dialog.get_by_role("button", name="Enregistrer la correction").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Indiquez un score entre 0 et 100")
    dialog.get_by_label("Score (sur 100)").fill("72,5")
    dialog.get_by_label("Commentaire pour l'apprenant").fill("Bonne analyse, conclusion à étoffer.")
    dialog.locator("#feedback_file input[type=file]").set_input_files(str(corrige))
    expect(dialog.get_by_text("corrige.pdf")).to_be_visible()
    tutor.screenshot(path=f"{SHOTS}/mission-correction.png", full_page=True)
    dialog.get_by_role("button", name="Enregistrer la correction").click()
    expect(tutor.get_by_text("Correction enregistrée.")).to_be_visible()
    expect(tutor.get_by_role("dialog")).to_have_count(0)
    expect(rows).to_have_count(0)
    expect(tutor.get_by_text("Aucune mission à corriger")).to_be_visible()
    tutor.get_by_role("radio", name="Toutes").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("72,5 %")

    # The learner's open panel shows the correction without a reload; the file back downloads.
    expect(panel.get_by_test_id("mission-score")).to_have_text("72,5 %", timeout=10_000)
    expect(panel.get_by_test_id("mission-feedback")).to_have_text("Bonne analyse, conclusion à étoffer.")
    feedback_link = panel.get_by_role("link", name="Télécharger corrige.pdf")
    expect(feedback_link).to_be_visible()
    expect(panel.get_by_role("button", name="Rendre une nouvelle version")).to_be_visible()
    lina.screenshot(path=f"{SHOTS}/mission-corrected-mobile.png", full_page=True)
    feedback_url = feedback_link.get_attribute("href") or ""
    with lina.expect_download() as info:
        feedback_link.click()
    assert info.value.suggested_filename == "corrige.pdf"
    assert Path(info.value.path()).read_bytes() == PDF + b"% corrige\n"

    # Nobody else reads these files: another learner of the session, anonymous, nor the generic route.
    marc = new_context().new_page()
    sign_in(marc, str(s["marc"]))
    for url in (work_url, feedback_url):
        assert marc.request.get(url).status == 404
        assert new_context().request.get(f"{server.url}{url}").status == 404
    with server.session() as db:
        row = db.exec(select(Submission).where(Submission.session_id == sid)).one()
        document = db.get(Document, row.document_id)
        assert document is not None and document.name == "plan.pdf"
    assert lina.request.get(f"/api/documents/{row.document_id}").status == 404
    assert lina.request.get(f"/api/documents/{row.feedback_document_id}").status == 404

    # The tutor observes Lina: every criterion must be rated.
    goto(tutor, f"/tutorat/{sid}/observations")
    expect(tutor.get_by_role("heading", name="Observations à faire")).to_be_visible()
    observations = tutor.get_by_test_id("observation-row")
    expect(observations).to_have_count(2)
    tutor.get_by_role("button", name=f"Observer Lina Rivière {tag} — {OBSERVATION}").click()
    dialog = tutor.get_by_role("dialog")
    expect(dialog.get_by_test_id("criterion")).to_have_count(4)
    dialog.get_by_role("group", name="Respect des consignes").get_by_label("Maîtrisé", exact=True).check()
    dialog.get_by_role("button", name="Enregistrer l'observation").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Choisissez un niveau pour chaque critère.")
    levels = {
        "Respect des consignes": "Maîtrisé",
        "Maîtrise des gestes professionnels": "Acquis",
        "Communication": "Acquis",
        "Sécurité": "En cours d'acquisition",
    }
    for criterion, level in levels.items():
        dialog.get_by_role("group", name=criterion).get_by_label(level, exact=True).check()
    dialog.get_by_label("Commentaire", exact=True).fill("Accueil chaleureux, attention au rangement.")
    tutor.screenshot(path=f"{SHOTS}/observation-dialog.png", full_page=True)
    dialog.get_by_role("button", name="Enregistrer l'observation").click()
    expect(tutor.get_by_text("Observation enregistrée (score : 67 %).")).to_be_visible()
    expect(observations).to_have_count(1)
    expect(observations.first).to_contain_text(f"Marc Sabatier {tag}")

    # Back in the centre, the tiles count one observation less and no mission.
    tutor.get_by_role("link", name="Retour au centre de tutorat").click()
    expect(tutor).to_have_url(re.compile(rf"/tutorat/{sid}/?$"))
    expect(tutor.get_by_test_id("tile-observations")).to_have_text("1")
    expect(tutor.get_by_test_id("tile-missions")).to_have_text("0")

    # The learner sees the observation: each level, the score, the comment.
    lina.get_by_role("button", name="Fermer").click()
    expect(lina.get_by_role("dialog")).to_have_count(0)
    _open_activity(lina, OBSERVATION)
    observed = lina.get_by_role("dialog")
    expect(observed.get_by_test_id("observation-score")).to_have_text("67 %")
    expect(observed.get_by_test_id("observation-level")).to_have_count(4)
    expect(observed.get_by_test_id("observation-level").nth(3)).to_contain_text("En cours d'acquisition")
    expect(observed.get_by_text("Accueil chaleureux, attention au rangement.")).to_be_visible()

    # Marc's observation panel says it is not done yet.
    goto(marc, f"/sessions/{sid}")
    _open_activity(marc, OBSERVATION)
    expect(marc.get_by_role("dialog").get_by_test_id("observation-pending")).to_have_text("Pas encore observé")
