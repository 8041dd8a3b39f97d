"""Module documents in Chromium: a trainer uploads several at once, a learner downloads, others get 404."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import col, select

from app.models import Enrolment, TrainingSession, User
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = "screenshots"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_trainer_uploads_learner_downloads_outsider_gets_404(server, new_context, tmp_path) -> None:
    from playwright.sync_api import expect

    with server.session() as db:
        session = db.exec(select(TrainingSession).where(TrainingSession.title == "Excel avancé — groupe 2")).one()
        enrolled = set(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == session.id)).all())
        learners = db.exec(select(User).where(col(User.email).like("learner%@demo.plume.test"))).all()
        member = next(u.email for u in learners if u.id in enrolled)
        outsider = next(u.email for u in learners if u.id not in enrolled)
    supports = tmp_path / "supports-jour-1.pdf"
    supports.write_bytes(PDF)
    exercises = tmp_path / "exercices.pdf"
    exercises.write_bytes(PDF + b"% exercices\n")
    fake = tmp_path / "programme.pdf"
    fake.write_bytes(b"MZ\x90\x00 this is not a pdf")

    trainer = new_context().new_page()
    sign_in(trainer, "trainer@demo.plume.test")
    goto(trainer, f"/sessions/{session.id}")
    trainer.get_by_label("Module").select_option(label="Après la formation")
    trainer.locator("#documents input[type=file]").set_input_files([str(supports), str(fake)])
    trainer.get_by_role("button", name="Envoyer").click()
    # Issue 13: the good file of a batch is kept and the refused one named with its reason (it used to add nothing).
    expect(trainer.get_by_role("alert")).to_contain_text("1 fichier refusé")
    expect(trainer.get_by_role("alert")).to_contain_text("« programme.pdf » n'est pas d'un type accepté")
    expect(trainer.get_by_text("1 document ajouté.")).to_be_visible()
    column = trainer.locator("[data-testid=timeline-module]", has_text="Après la formation")
    expect(column.locator("[data-testid=document-row]")).to_have_count(1)
    trainer.locator("#documents input[type=file]").set_input_files([str(exercises)])
    trainer.get_by_role("button", name="Envoyer").click()
    expect(column.locator("[data-testid=document-row]")).to_have_count(2)
    expect(trainer.get_by_role("alert")).to_have_count(0)
    trainer.screenshot(path=f"{SHOTS}/documents-trainer.png", full_page=True)
    trainer.get_by_role("button", name="Éditer la timeline").click()
    trainer.get_by_role("button", name="Renommer exercices.pdf").click()
    trainer.get_by_label("Nouveau titre").fill("../exercices.pdf")
    trainer.get_by_role("button", name="Enregistrer").click()
    expect(column.get_by_role("alert")).to_contain_text("contient des caractères interdits")
    trainer.get_by_label("Nouveau titre").fill("Exercices corrigés.pdf")
    trainer.get_by_role("button", name="Enregistrer").click()
    expect(column.get_by_text("Exercices corrigés.pdf")).to_be_visible()

    learner = new_context().new_page()
    sign_in(learner, member)
    goto(learner, f"/sessions/{session.id}")
    link = learner.get_by_role("link", name="Télécharger supports-jour-1.pdf")
    expect(link).to_be_visible()
    href = link.get_attribute("href")
    with learner.expect_download() as info:
        link.click()
    assert info.value.suggested_filename == "supports-jour-1.pdf"
    assert Path(info.value.path()).read_bytes() == PDF

    other = new_context().new_page()
    sign_in(other, outsider)
    response = other.request.get(href)
    assert response.status == 404
    anonymous = new_context().request.get(f"{server.url}{href}")
    assert anonymous.status == 404
    ready(other)
