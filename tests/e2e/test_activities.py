"""Activities in Chromium: a learner marks a document done; a poll's results reach the trainer live."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import select

from app.models import TrainingSession
from tests.e2e.conftest import goto, sign_in

SHOTS = "screenshots"


def _manager_session(server) -> int:
    with server.session() as db:
        return db.exec(
            select(TrainingSession.id).where(TrainingSession.title == "Manager une équipe — session de novembre")
        ).one()  # type: ignore[return-value]


def test_learner_marks_done_and_poll_results_are_live(server, new_context) -> None:
    sid = _manager_session(server)
    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/sessions/{sid}")
    staff.get_by_role("button", name="Ouvrir l'activité Sondage : date de la classe virtuelle").click()
    dialog = staff.get_by_role("dialog")
    dialog.get_by_label("Question").fill("Quel jour pour la classe virtuelle ?")
    dialog.get_by_label("Réponses possibles (une par ligne)").fill("Lundi 14h\nMardi 10h\nJeudi 16h")
    dialog.get_by_role("button", name="Enregistrer").click()
    expect(dialog.get_by_text("Quel jour pour la classe virtuelle ?")).to_be_visible()

    trainer = new_context().new_page()
    sign_in(trainer, "trainer@demo.plume.test")
    goto(trainer, f"/sessions/{sid}")
    trainer.get_by_role("button", name="Ouvrir l'activité Sondage : date de la classe virtuelle").click()
    results = trainer.get_by_role("dialog").locator("[data-testid=poll-result]")
    expect(results).to_have_count(3)
    expect(trainer.get_by_role("dialog").get_by_text("0 réponse(s)")).to_be_visible()

    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, "learner11@demo.plume.test")
    goto(learner, f"/sessions/{sid}")
    expect(learner.locator("#learner-progress")).to_contain_text("Votre progression : 0 %")
    learner.get_by_role("button", name="Ouvrir l'activité Programme détaillé").click()
    learner.get_by_role("button", name="Marquer comme terminé").click()
    expect(learner.get_by_role("dialog").get_by_text("Terminé")).to_be_visible()
    learner.get_by_role("button", name="Fermer").click()
    expect(learner.locator("#learner-progress")).not_to_contain_text("Votre progression : 0 %")
    learner.get_by_role("button", name="Ouvrir l'activité Sondage : date de la classe virtuelle").click()
    learner.get_by_role("dialog").get_by_label("Mardi 10h").check()
    learner.get_by_role("dialog").get_by_role("button", name="Voter").click()
    expect(learner.get_by_role("dialog").get_by_text("1 réponse(s)")).to_be_visible()
    learner.screenshot(path=f"{SHOTS}/poll-learner-mobile.png")

    expect(trainer.get_by_role("dialog").get_by_text("1 réponse(s)")).to_be_visible()
    expect(results.nth(1)).to_contain_text("1")
    done_rows = trainer.get_by_role("dialog").locator("[data-testid=follow-up-row]").get_by_text("Oui", exact=True)
    expect(done_rows).to_have_count(1)
    trainer.screenshot(path=f"{SHOTS}/poll-trainer.png")


def test_staff_upload_a_video_that_learners_play(server, new_context, tmp_path) -> None:
    sid = _manager_session(server)
    clip = tmp_path / "introduction.mp4"
    clip.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(256))
    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/sessions/{sid}")
    staff.get_by_role("button", name="Ouvrir l'activité Vidéo d'introduction").click()
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_text("Aucune vidéo n'est encore configurée.")).to_be_visible()
    dialog.locator("#video input[type=file]").set_input_files(str(clip))
    dialog.get_by_role("button", name="Envoyer la vidéo").click()
    expect(dialog.get_by_label("Adresse (https://…)")).to_have_value(re.compile(r"^/api/documents/\d+$"))

    learner = new_context().new_page()
    sign_in(learner, "learner14@demo.plume.test")
    goto(learner, f"/sessions/{sid}")
    learner.get_by_role("button", name="Ouvrir l'activité Vidéo d'introduction").click()
    player = learner.get_by_role("dialog").locator("video")
    expect(player).to_have_count(1)
    src = player.get_attribute("src") or ""
    assert re.search(r"/api/documents/\d+$", src)
    assert learner.request.get(src).status == 200
