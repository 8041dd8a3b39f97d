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
    expect(trainer.get_by_role("dialog").get_by_text("0 réponse")).to_be_visible()

    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, "learner11@demo.plume.test")
    goto(learner, f"/sessions/{sid}")
    # Signed half-days already count as done (issue 13, point 4): read where the learner starts from.
    expect(learner.locator("#learner-progress")).to_contain_text("Votre progression :")
    before = learner.locator("#learner-progress").inner_text()
    learner.get_by_role("button", name="Ouvrir l'activité Programme détaillé").click()
    learner.get_by_role("button", name="Marquer comme terminé").click()
    expect(learner.get_by_role("dialog").get_by_text("Terminé")).to_be_visible()
    learner.get_by_role("button", name="Fermer").click()
    expect(learner.locator("#learner-progress")).not_to_have_text(before)
    learner.get_by_role("button", name="Ouvrir l'activité Sondage : date de la classe virtuelle").click()
    learner.get_by_role("dialog").get_by_label("Mardi 10h").check()
    learner.get_by_role("dialog").get_by_role("button", name="Voter").click()
    expect(learner.get_by_role("dialog").get_by_text("1 réponse")).to_be_visible()
    learner.screenshot(path=f"{SHOTS}/poll-learner-mobile.png")

    expect(trainer.get_by_role("dialog").get_by_text("1 réponse")).to_be_visible()
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
    # The video is the activity's own file (issue 13): served through the activity, not listed as a module document.
    expect(dialog.get_by_label("Adresse (https://…)")).to_have_value(re.compile(r"^/api/activities/\d+/files/\d+$"))
    expect(staff.get_by_text("introduction.mp4")).to_have_count(0)

    learner = new_context().new_page()
    sign_in(learner, "learner14@demo.plume.test")
    goto(learner, f"/sessions/{sid}")
    learner.get_by_role("button", name="Ouvrir l'activité Vidéo d'introduction").click()
    player = learner.get_by_role("dialog").locator("video")
    expect(player).to_have_count(1)
    src = player.get_attribute("src") or ""
    assert re.search(r"/api/activities/\d+/files/\d+$", src)
    assert learner.request.get(src).status == 200


def _open_activity(page, title: str):
    page.get_by_role("button", name=f"Ouvrir l'activité {title}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name=title)).to_be_visible()
    return dialog


def test_trainer_attaches_files_to_a_document_activity_and_a_learner_opens_them(server, new_context, tmp_path) -> None:
    sid = _manager_session(server)
    good = tmp_path / "Fiche mémo.pdf"
    good.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    image = tmp_path / "schema.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    bad = tmp_path / "installeur.exe"
    bad.write_bytes(b"MZ" + bytes(128))

    for size, tag in (({"width": 1366, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "mobile")):
        trainer = new_context(viewport=size).new_page()
        sign_in(trainer, "trainer@demo.plume.test")
        goto(trainer, f"/sessions/{sid}")
        dialog = _open_activity(trainer, "Programme détaillé")
        # The demo's document activity holds a real PDF.
        expect(dialog.locator("[data-testid=activity-file]").first).to_contain_text("Programme détaillé.pdf")
        if tag == "desktop":
            # A batch with one refused file: the two good ones are attached, the bad one named with its reason.
            dialog.locator("#activity-files input[type=file]").set_input_files([str(good), str(bad), str(image)])
            dialog.get_by_role("button", name="Joindre", exact=True).click()
            expect(dialog.get_by_text("2 documents joints.")).to_be_visible()
            error = dialog.locator("[data-testid=activity-files-error]")
            expect(error).to_contain_text("1 fichier refusé")
            expect(error).to_contain_text("« installeur.exe » n'est pas d'un type accepté")
            expect(dialog.locator("[data-testid=activity-file]")).to_have_count(3)
            error.scroll_into_view_if_needed()
            trainer.screenshot(path=f"{SHOTS}/activity-files-refused-{tag}.png")
        else:
            expect(dialog.locator("[data-testid=activity-file]")).to_have_count(3)
        dialog.get_by_role("heading", name="Documents à consulter").scroll_into_view_if_needed()
        trainer.wait_for_timeout(400)  # the dialog's opening animation
        trainer.screenshot(path=f"{SHOTS}/activity-files-trainer-{tag}.png")
        dialog.get_by_role("button", name="Joindre", exact=True).scroll_into_view_if_needed()
        trainer.screenshot(path=f"{SHOTS}/activity-files-settings-{tag}.png")
        # They are the activity's files, not the module's documents.
        trainer.keyboard.press("Escape")
        expect(trainer.get_by_role("dialog")).to_have_count(0)
        expect(trainer.get_by_role("link", name="Télécharger Fiche mémo.pdf")).to_have_count(0)
        trainer.context.close()

    for size, tag in (({"width": 1366, "height": 900}, "desktop"), ({"width": 390, "height": 844}, "mobile")):
        learner = new_context(viewport=size, accept_downloads=True).new_page()
        # On the shared server, learner12 is locked out (test_accounts) and learner22 has two-step sign-in.
        sign_in(learner, "learner21@demo.plume.test")
        goto(learner, f"/sessions/{sid}")
        dialog = _open_activity(learner, "Programme détaillé")
        files = dialog.locator("[data-testid=activity-file]")
        expect(files).to_have_count(3)
        expect(files.nth(1)).to_contain_text("Fiche mémo.pdf")
        expect(dialog.locator("#activity-files")).to_have_count(0)  # no upload for a learner
        expect(dialog.get_by_role("heading", name="Réglages de l'activité")).to_have_count(0)
        learner.wait_for_timeout(400)  # the dialog's opening animation
        learner.screenshot(path=f"{SHOTS}/activity-files-learner-{tag}.png")
        if tag == "mobile":
            continue
        with learner.expect_download() as download:
            dialog.get_by_role("link", name="Télécharger Fiche mémo.pdf").click()
        saved = tmp_path / "saved.pdf"
        download.value.save_as(saved)
        assert download.value.suggested_filename == "Fiche mémo.pdf"
        assert saved.read_bytes() == good.read_bytes()
        opener = dialog.get_by_role("link", name="Ouvrir Fiche mémo.pdf")
        href = opener.get_attribute("href") or ""
        assert re.search(r"^/api/activities/\d+/files/\d+\?voir=1$", href), href
        shown = learner.request.get(href)
        assert shown.status == 200
        assert shown.headers["content-type"] == "application/pdf"
        assert shown.headers["content-disposition"].startswith("inline")
        assert new_context().request.get(href).status == 404  # anonymous: the plain 404
