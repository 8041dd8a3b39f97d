"""The trainer's board in Chromium: a live signature shows its time, the board comes first, statuses agree."""

from __future__ import annotations

import io
import re
import time

from playwright.sync_api import expect
from pypdf import PdfReader
from sqlmodel import select

from app.models import TrainingSession, User
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in
from tests.e2e.test_attendance import PHONE, draw

DESKTOP = {"width": 1366, "height": 900}
TIME = re.compile(r"\b\d{2}:\d{2}\b")


def _name(server, email: str) -> str:
    with server.session() as db:
        return db.exec(select(User).where(User.email == email)).one().display_name


def test_a_live_signature_shows_its_time_on_the_board_without_reload(server, new_context) -> None:
    email = "learner27@demo.plume.test"
    desk_email = "learner24@demo.plume.test"
    session_id, slot_id = live_slot(
        server.session(), title=f"Heure en direct {time.time():.0f}", learners=[email, desk_email]
    )
    name = _name(server, email)
    trainer = new_context(viewport=DESKTOP).new_page()
    sign_in(trainer, trainer_email(session_id))
    goto(trainer, f"/emargement/{slot_id}")
    signed = trainer.get_by_test_id("signed-list")
    expect(trainer.get_by_test_id("unsigned-list").get_by_text(name)).to_be_visible()
    trainer.screenshot(path="screenshots/attendance-board-1366.png")

    learner = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(learner, email)
    goto(learner, f"/emargement/{slot_id}")
    pad = learner.get_by_role("img", name="Zone de signature")
    expect(pad).to_be_visible()
    learner.screenshot(path="screenshots/attendance-learner-390.png")
    # The "draw first" error goes away as soon as something is drawn.
    learner.get_by_role("button", name="Confirmer").click()
    expect(learner.get_by_text("Dessinez votre signature")).to_be_visible()
    draw(learner)
    expect(learner.get_by_text("Dessinez votre signature")).to_be_hidden()
    learner.get_by_role("button", name="Confirmer").click()
    expect(learner.get_by_test_id("signed-callout")).to_be_visible()
    at = (TIME.search(learner.get_by_test_id("signed-callout").inner_text()) or [""])[0]
    assert at

    # The board, never reloaded: the learner under Émargés, with the time of their signature.
    row = signed.get_by_test_id("board-row").filter(has_text=name)
    expect(row).to_be_visible(timeout=5_000)
    expect(row.get_by_test_id("signed-time")).to_have_text(at)
    trainer.screenshot(path="screenshots/attendance-board-live-1366.png")
    # The board comes first for the trainer (their own signature is a compact block): the lists start on screen.
    trainer.evaluate("window.scrollTo(0, 0)")
    board_top = (trainer.get_by_test_id("unsigned-list").bounding_box() or {"y": 10_000})["y"]
    assert board_top < 900 - 150, board_top
    # Their own pad opens in a dialog, over the board.
    trainer.get_by_test_id("sign-now").click()
    expect(trainer.get_by_role("dialog").get_by_role("img", name="Zone de signature")).to_be_visible()
    trainer.wait_for_timeout(400)  # the dialog's opening animation
    trainer.screenshot(path="screenshots/attendance-trainer-pad-1366.png")
    trainer.keyboard.press("Escape")
    expect(trainer.get_by_role("dialog")).to_have_count(0)

    learner_desk = new_context(viewport=DESKTOP).new_page()
    sign_in(learner_desk, desk_email)
    goto(learner_desk, f"/emargement/{slot_id}")
    expect(learner_desk.get_by_role("img", name="Zone de signature")).to_be_visible()
    learner_desk.screenshot(path="screenshots/attendance-learner-1366.png")


def test_a_late_learner_corrected_to_present_reads_the_same_on_the_board_and_the_pdf(server, new_context) -> None:
    emails = ["learner23@demo.plume.test", "learner24@demo.plume.test"]
    session_id, slot_id = live_slot(server.session(), title=f"Retard corrigé {time.time():.0f}", learners=emails)
    late = _name(server, emails[0])
    trainer = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(trainer, trainer_email(session_id))
    goto(trainer, f"/emargement/{slot_id}")
    unsigned, signed = trainer.get_by_test_id("unsigned-list"), trainer.get_by_test_id("signed-list")
    # On a phone too, the board is on the first screen.
    board_top = (unsigned.bounding_box() or {"y": 10_000})["y"]
    assert board_top < 844 - 150, board_top

    trainer.get_by_role("button", name=f"Autres actions pour {late}").click()
    trainer.get_by_role("menuitem", name="Noter en retard").click()
    trainer.get_by_role("dialog").get_by_label("Commentaire").fill("Train en retard")
    trainer.get_by_role("dialog").get_by_role("button", name="Enregistrer").click()
    expect(trainer.get_by_role("dialog")).to_have_count(0)
    row = unsigned.get_by_test_id("board-row").filter(has_text=late)
    expect(row.get_by_text("Retard signalé")).to_be_visible()
    expect(row.get_by_text("Non émargé")).to_be_visible()
    trainer.screenshot(path="screenshots/attendance-board-390.png", full_page=True)

    trainer.get_by_test_id("sign-now").click()
    dialog = trainer.get_by_role("dialog")
    expect(dialog.get_by_role("img", name="Zone de signature")).to_be_visible()
    trainer.wait_for_timeout(400)  # the dialog's opening animation
    trainer.screenshot(path="screenshots/attendance-trainer-pad-390.png")
    draw(trainer, "[role=dialog]")
    dialog.get_by_role("button", name="Confirmer").click()
    expect(trainer.get_by_role("dialog")).to_have_count(0)
    trainer.get_by_role("button", name="Certifier la feuille").click()
    trainer.get_by_role("alertdialog").get_by_role("button", name="Certifier la feuille").click()
    expect(trainer.get_by_text("Feuille certifiée le")).to_be_visible()

    row.get_by_role("button", name="Corriger").click()
    correction = trainer.get_by_role("dialog")
    correction.get_by_label("Présent").click()
    correction.get_by_label("Raison (une ligne)").fill("Feuille papier signée")
    correction.get_by_role("button", name="Enregistrer la correction").click()
    expect(trainer.get_by_role("dialog")).to_have_count(0)

    # One rule: attended, so under Émargés, "Présent (correction)" without a time; the late note is history.
    moved = signed.get_by_test_id("board-row").filter(has_text=late)
    expect(moved).to_be_visible()
    expect(unsigned.get_by_text(late)).to_have_count(0)
    expect(moved.get_by_text("Présent", exact=True)).to_be_visible()
    expect(moved.get_by_text("(correction)")).to_be_visible()
    expect(moved.get_by_test_id("signed-time")).to_have_count(0)
    expect(moved.get_by_text("Retard signalé")).to_have_count(0)
    expect(moved.get_by_test_id("before-correction")).to_have_text(
        "Avant correction : Non émargé — « Train en retard »"
    )
    expect(moved.get_by_text("Par Inès Garnier, le")).to_be_visible()
    trainer.screenshot(path="screenshots/attendance-board-corrected-390.png", full_page=True)

    with trainer.expect_download() as info:
        trainer.get_by_test_id("sheet-pdf").click()
    pages = PdfReader(io.BytesIO(open(info.value.path(), "rb").read())).pages  # noqa: SIM115
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pages)
    assert f"{late} Présent (correction)" in text
    assert "Avant correction : non émargé (retard signalé) : Train en retard" in text
    assert "Module : Pendant la formation" in text
    assert "Durée :" in text


def test_the_tutors_report_says_each_half_days_attendance_and_counts_the_day_done(server, new_context) -> None:
    """The demo's "Journée en salle" was signed: the report says so, and the day counts as done."""
    with server.session() as db:
        training = db.exec(
            select(TrainingSession).where(TrainingSession.title == "Manager une équipe — session de novembre")
        ).one()
        learner = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
    for viewport, tag in ((DESKTOP, "1366"), (PHONE, "390")):
        tutor = new_context(viewport=viewport).new_page()
        sign_in(tutor, "tutor@demo.plume.test")
        goto(tutor, f"/tutorat/{training.id}/{learner.id}")
        row = tutor.get_by_test_id("lesson-row").filter(has_text="Journée en salle")
        expect(row.get_by_test_id("lesson-attendance").first).to_contain_text(" : Présent")
        expect(row.get_by_text("Terminé", exact=True)).to_be_visible()
        row.scroll_into_view_if_needed()
        tutor.screenshot(path=f"screenshots/attendance-tutoring-report-{tag}.png")
