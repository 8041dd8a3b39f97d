"""Attendance in Chromium: a learner signs on a phone while the trainer's board moves them live; sign-as; PDF."""

from __future__ import annotations

import io
import re
import time

from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import select

from app.models import User
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in

PHONE = {"width": 390, "height": 844}


def draw(page: Page, scope: str = "") -> None:
    """Draw a signature with the mouse on the (first) signature pad of a scope."""
    canvas = page.locator(f"{scope} canvas[data-signature-pad]".strip()).first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.6)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(x + w * (0.1 + i * 0.07), y + h * (0.5 + (0.25 if i % 2 else -0.2)), steps=3)
    page.mouse.up()


def _names(server, emails: list[str]) -> list[str]:
    with server.session() as db:
        users = {u.email: u.display_name for u in db.exec(select(User).where(User.email.in_(emails))).all()}  # type: ignore[attr-defined]
    return [users[e] for e in emails]


def test_learner_signs_on_a_phone_and_the_board_moves_them_live(server, new_context) -> None:
    emails = ["learner23@demo.plume.test", "learner24@demo.plume.test", "learner26@demo.plume.test"]
    title = f"Émargement e2e {time.time():.0f}"
    session_id, slot_id = live_slot(server.session(), title=title, learners=emails)
    phone_name, desk_name, absent_name = _names(server, emails)
    trainer = new_context().new_page()
    sign_in(trainer, trainer_email(session_id))
    # From the session's timeline: the in-person activity leads to its sheet.
    goto(trainer, f"/sessions/{session_id}")
    trainer.get_by_role("button", name="Ouvrir l'activité Séance du matin").click()
    trainer.get_by_role("link", name="Feuille d'émargement").click()
    expect(trainer).to_have_url(re.compile(rf"/emargement/{slot_id}/?$"))
    unsigned, signed = trainer.get_by_test_id("unsigned-list"), trainer.get_by_test_id("signed-list")
    expect(unsigned.get_by_text(phone_name)).to_be_visible()
    expect(trainer.get_by_test_id("unsigned-list-count")).to_have_text("3")
    trainer.screenshot(path="screenshots/attendance-board-empty.png", full_page=True)

    learner = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(learner, emails[0])
    # Home puts the sheet open now first.
    learner.get_by_test_id("open-sheet").filter(has_text=title).get_by_role("link", name="Émarger").click()
    expect(learner).to_have_url(re.compile(rf"/emargement/{slot_id}/?$"))
    pad = learner.get_by_role("img", name="Zone de signature")
    expect(pad).to_be_visible()
    assert (pad.bounding_box() or {"width": 0})["width"] > 300  # the pad fills a phone's width
    learner.get_by_role("button", name="Confirmer").click()
    expect(learner.get_by_text("Dessinez votre signature")).to_be_visible()  # nothing drawn yet
    draw(learner)
    learner.screenshot(path="screenshots/attendance-phone-drawn.png", full_page=True)
    learner.get_by_role("button", name="Confirmer").dblclick()
    expect(learner.get_by_test_id("signed-callout")).to_be_visible()
    learner.screenshot(path="screenshots/attendance-phone-signed.png", full_page=True)

    # The trainer's board, never reloaded, now lists the learner under Émargés.
    expect(signed.get_by_text(phone_name)).to_be_visible(timeout=5_000)
    expect(unsigned.get_by_text(phone_name)).to_have_count(0)
    expect(trainer.get_by_test_id("signed-list-count")).to_have_text("1")

    # "Signer en tant que": the second learner signs on the trainer's device, with a reason.
    trainer.get_by_role("button", name=f"Signer en tant que {desk_name}").click()
    dialog = trainer.get_by_role("dialog")
    expect(dialog.get_by_role("img", name="Zone de signature")).to_be_visible()
    draw(trainer, "[role=dialog]")
    dialog.get_by_role("button", name="Confirmer").click()
    expect(dialog.get_by_text("Indiquez la raison en une ligne.")).to_be_visible()
    dialog.get_by_label("Raison (une ligne)").fill("Téléphone déchargé")
    dialog.get_by_role("button", name="Confirmer").click()
    expect(trainer.get_by_role("dialog")).to_have_count(0)
    expect(signed.get_by_text(desk_name)).to_be_visible()
    expect(signed.get_by_text("Signé sur le poste de Inès Garnier — Téléphone déchargé")).to_be_visible()

    # The third is marked absent with a comment.
    trainer.get_by_role("button", name=f"Autres actions pour {absent_name}").click()
    trainer.get_by_role("menuitem", name="Noter absent").click()
    trainer.get_by_role("dialog").get_by_label("Commentaire").fill("Prévenu par e-mail")
    trainer.get_by_role("dialog").get_by_role("button", name="Enregistrer").click()
    expect(unsigned.get_by_text("Prévenu par e-mail")).to_be_visible()

    # The trainer signs, certifies, and the sheet is locked.
    # The trainer's own pad opens in a dialog (the board stays first on their screen).
    trainer.locator("#my-signature").get_by_role("button", name="Signer la feuille").click()
    draw(trainer, "[role=dialog]")
    trainer.get_by_role("dialog").get_by_role("button", name="Confirmer").click()
    expect(trainer.get_by_role("dialog")).to_have_count(0)
    expect(trainer.get_by_test_id("signed-callout")).to_contain_text("Émargé à")
    trainer.get_by_role("button", name="Certifier la feuille").click()
    trainer.get_by_role("alertdialog").get_by_role("button", name="Certifier la feuille").click()
    expect(trainer.get_by_text("Feuille certifiée le")).to_be_visible()
    expect(trainer.get_by_role("button", name="Signer en tant que")).to_have_count(0)
    trainer.screenshot(path="screenshots/attendance-board-certified.png", full_page=True)
    expect(learner.get_by_text("Feuille certifiée")).to_be_visible()  # pushed to the learner's tab too

    # After certification, a change is a correction that points to the record it corrects.
    trainer.get_by_test_id("unsigned-list").get_by_role("button", name="Corriger").click()
    correction = trainer.get_by_role("dialog")
    correction.get_by_label("Présent").click()
    correction.get_by_role("button", name="Enregistrer la correction").click()
    expect(correction.get_by_text("Indiquez la raison en une ligne.")).to_be_visible()
    correction.get_by_label("Raison (une ligne)").fill("Arrivée à 11 h, signature papier")
    correction.get_by_role("button", name="Enregistrer la correction").click()
    expect(trainer.get_by_text("Corrigé après certification : Arrivée à 11 h, signature papier")).to_be_visible()

    # The PDF sheet downloads and names every learner who signed.
    with trainer.expect_download() as info:
        trainer.get_by_test_id("sheet-pdf").click()
    download = info.value
    assert download.suggested_filename.startswith("emargement-") and download.suggested_filename.endswith(".pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(open(download.path(), "rb").read())).pages)  # noqa: SIM115
    for name in (phone_name, desk_name, "Inès Garnier"):
        assert name in text
    assert "Feuille certifiée le" in text


def test_virtual_class_start_button_appears_only_after_signing(server, new_context) -> None:
    email, link = "learner25@demo.plume.test", "https://meet.jit.si/plume-e2e-salle-secrete"
    _, slot_id = live_slot(
        server.session(), title=f"Virtuel e2e {time.time():.0f}", learners=[email], kind="virtual_class", link=link
    )
    learner = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    sign_in(learner, email)
    goto(learner, f"/emargement/{slot_id}")
    expect(learner.get_by_role("img", name="Zone de signature")).to_be_visible()
    expect(learner.get_by_role("link", name="Commencer")).to_have_count(0)
    assert "salle-secrete" not in learner.content()
    draw(learner)
    learner.get_by_role("button", name="Confirmer").click()
    start = learner.get_by_role("link", name="Commencer")
    expect(start).to_be_visible()
    expect(start).to_have_attribute("href", link)
    learner.screenshot(path="screenshots/attendance-virtual-start.png", full_page=True)


def test_staff_set_when_signing_opens_and_the_virtual_class_link(server, new_context) -> None:
    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    staff.get_by_role("link", name="Paramètres").click()
    expect(staff.get_by_role("heading", name="Paramètres de l'organisme")).to_be_visible()
    window = staff.get_by_label("Ouverture de l'émargement avant le début (minutes)")
    expect(window).to_have_value("30")
    staff.get_by_label("Lien de classe virtuelle de l'organisme (Teams, Meet, Zoom…)").fill("http://zoom.example/j/1")
    staff.get_by_role("button", name="Enregistrer").click()
    expect(staff.get_by_text("Ce lien doit commencer par https://")).to_be_visible()
    staff.screenshot(path="screenshots/settings-error.png", full_page=True)
    staff.get_by_label("Lien de classe virtuelle de l'organisme (Teams, Meet, Zoom…)").fill("")
    window.fill("30")
    staff.get_by_role("button", name="Enregistrer").click()
    expect(staff.get_by_text("Modifications enregistrées.")).to_be_visible()
