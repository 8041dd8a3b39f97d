"""The session chat in Chromium, three people: live delivery, typing, unread badge, text-only rendering, edit, moderation."""

from __future__ import annotations

import time
from datetime import timedelta

from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlmodel import select

from app.models import ChatMessage, User
from app.models.base import utcnow
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in

AMELIE, BASILE = "learner10@demo.plume.test", "learner16@demo.plume.test"
XSS = "Bonjour <script>window.pwned=1</script> <img src=x onerror=alert(1)> voir https://exemple.fr/programme"


def _choose(page: Page, message: Locator, item: str) -> None:
    """Open a message's actions and pick one.

    The message may be drawn again right after the click that opens its menu (an edit just closed), which
    closes the menu: it is opened again then.
    """
    for _ in range(3):
        message.get_by_role("button", name="Actions sur le message").click()
        entry = page.get_by_role("menuitem", name=item)
        try:
            entry.wait_for(state="visible", timeout=5_000)
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            continue
        entry.click()
        return
    raise AssertionError(f"the actions menu never offered {item!r}")


def _open_chat(page: Page, session_id: int) -> None:
    goto(page, f"/sessions/{session_id}")
    page.get_by_role("tab", name="Discussion").click()
    expect(page.get_by_test_id("chat-log")).to_be_visible()


def test_three_people_chat_live(server, new_context) -> None:
    session_id, _ = live_slot(server.session(), title=f"Discussion e2e {time.time():.0f}", learners=[AMELIE, BASILE])
    with server.session() as db:
        names = {u.email: u.display_name for u in db.exec(select(User).where(User.email.in_([AMELIE, BASILE]))).all()}  # type: ignore[attr-defined]
    writer = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    reader = new_context().new_page()
    trainer = new_context().new_page()
    sign_in(writer, AMELIE)
    sign_in(reader, BASILE)  # stays on home: the unread badge counts there
    sign_in(trainer, trainer_email(session_id))
    _open_chat(writer, session_id)
    _open_chat(trainer, session_id)
    expect(trainer.get_by_test_id("online")).to_contain_text(names[AMELIE])

    # Typing shows on the other side; the message then appears there without reload.
    composer = writer.get_by_role("textbox", name="Message", exact=True)
    composer.press_sequentially("Bonjour", delay=30)
    expect(trainer.get_by_test_id("typing")).to_have_text(f"{names[AMELIE]} est en train d'écrire…")
    composer.fill(XSS)
    composer.press("Enter")
    log = trainer.get_by_test_id("chat-log")
    expect(log.get_by_text("<script>window.pwned=1</script>", exact=False)).to_be_visible(timeout=5_000)
    expect(log.get_by_role("link", name="https://exemple.fr/programme")).to_have_attribute(
        "href", "https://exemple.fr/programme"
    )
    assert trainer.evaluate("window.pwned") is None
    expect(log.locator("img")).to_have_count(0)
    expect(writer.get_by_role("textbox", name="Message", exact=True)).to_have_value(
        ""
    )  # the composer is cleared once sent
    expect(writer.get_by_test_id("chat-message")).to_have_count(1)

    # The third person, on the home page, sees the unread count grow live.
    expect(reader.get_by_test_id("unread-badge")).to_have_text("1 nouveau message", timeout=5_000)
    trainer.get_by_role("textbox", name="Message", exact=True).fill("Bienvenue à tous !")
    trainer.get_by_role("button", name="Envoyer").click()
    expect(reader.get_by_test_id("unread-badge")).to_have_text("2 nouveaux messages")
    reader.screenshot(path="screenshots/chat-home-unread.png", full_page=True)

    # Editing one's own message marks it "modifié" everywhere.
    mine = writer.get_by_test_id("chat-message").filter(has_text="pwned")
    mine.get_by_role("button", name="Actions sur le message").click()
    writer.get_by_role("menuitem", name="Modifier").click()
    writer.get_by_label("Modifier le message").fill("Bonjour à toutes et à tous")
    writer.get_by_role("button", name="Enregistrer").click()
    expect(log.get_by_text("Bonjour à toutes et à tous")).to_be_visible()
    expect(log.get_by_text("(modifié)")).to_be_visible()

    # The trainer removes it: everyone sees it was removed by a moderator.
    log.get_by_test_id("chat-message").filter(has_text="Bonjour à toutes").get_by_role(
        "button", name="Actions sur le message"
    ).click()
    trainer.get_by_role("menuitem", name="Retirer (modération)").click()
    # Moderation asks first, in French, and says what will happen.
    dialog = trainer.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Retirer ce message ?")
    expect(dialog).to_contain_text("Message supprimé par un modérateur")
    dialog.get_by_role("button", name="Retirer le message").click()
    expect(writer.get_by_text("Message supprimé par un modérateur")).to_be_visible()
    writer.screenshot(path="screenshots/chat-phone.png", full_page=True)
    trainer.screenshot(path="screenshots/chat-trainer.png", full_page=True)

    # Opening the chat later shows where the unread messages start, and clears the badge.
    _open_chat(reader, session_id)
    expect(reader.get_by_test_id("new-messages-divider")).to_be_visible()
    expect(reader.get_by_text("Bienvenue à tous !")).to_be_visible()
    goto(reader, "/accueil")
    expect(reader.get_by_test_id("session-card").first).to_be_visible()
    expect(reader.get_by_test_id("unread-badge")).to_have_count(0)


def test_a_message_written_offline_is_marked_then_sent_on_reconnect(server, new_context) -> None:
    session_id, _ = live_slot(server.session(), title=f"Hors ligne e2e {time.time():.0f}", learners=[AMELIE])
    context = new_context()
    page = context.new_page()
    sign_in(page, AMELIE)
    _open_chat(page, session_id)
    context.set_offline(True)
    composer = page.get_by_role("textbox", name="Message", exact=True)
    composer.fill("Écrit dans le train, sans réseau")
    composer.press("Enter")
    pending = page.locator("[data-pending]")
    expect(pending).to_contain_text("Envoi…")
    expect(pending).to_contain_text("Non envoyé", timeout=15_000)
    expect(pending.get_by_role("button", name="Réessayer")).to_be_visible()
    page.screenshot(path="screenshots/chat-not-sent.png", full_page=True)
    context.set_offline(False)
    expect(page.get_by_test_id("chat-message").filter(has_text="Écrit dans le train")).to_have_count(1, timeout=20_000)
    expect(pending).to_have_count(0)


def _in_view(page: Page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size or {"height": 0}
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"] + 1


def test_phone_chat_composer_stays_on_screen_edits_with_enter_and_asks_before_deleting(server, new_context) -> None:
    session_id, _ = live_slot(server.session(), title=f"Discussion téléphone {time.time():.0f}", learners=[AMELIE])
    with server.session() as db:
        learner = db.exec(select(User).where(User.email == AMELIE)).one()
        trainer = db.exec(select(User).where(User.email == trainer_email(session_id))).one()
        now = utcnow()
        # A long room (the log must scroll), then one of Amélie's messages about to leave its edit window.
        for n in range(30):
            db.add(
                ChatMessage(
                    session_id=session_id,
                    author_id=trainer.id or 0,
                    client_id=f"history-{session_id}-{n:02d}",
                    body=f"Consigne numéro {n} pour la journée",
                    created_at=now - timedelta(hours=2, minutes=-n),
                )
            )
        db.add(
            ChatMessage(
                session_id=session_id,
                author_id=learner.id or 0,
                client_id=f"lapsing-{session_id}",
                body="Bientôt plus modifiable",
                created_at=now - timedelta(minutes=15) + timedelta(seconds=45),
            )
        )
        db.commit()

    for viewport in ({"width": 390, "height": 844}, {"width": 1366, "height": 900}):
        phone = viewport["width"] < 500
        page = new_context(viewport=viewport, is_mobile=phone, has_touch=phone).new_page()
        sign_in(page, AMELIE)
        _open_chat(page, session_id)
        composer = page.get_by_role("textbox", name="Message", exact=True)
        send = page.get_by_role("button", name="Envoyer")
        # The composer is on screen, at the bottom of the viewport, and the newest message above it.
        expect(composer).to_be_visible()
        assert _in_view(page, composer) and _in_view(page, send), page.viewport_size
        newest = page.get_by_test_id("chat-message").filter(has_text="Bientôt plus modifiable")
        expect(newest).to_be_in_viewport()
        page.screenshot(path=f"screenshots/chat-room-{viewport['width']}.png")
        if not phone:
            break
        expect(newest.get_by_role("button", name="Actions sur le message")).to_be_visible()  # still in its window
        composer.fill("Arrivée dans cinq minutes")
        composer.press("Enter")
        sent = page.get_by_test_id("chat-message").filter(has_text="Arrivée dans cinq minutes")
        expect(sent).to_be_in_viewport()
        assert _in_view(page, composer)

        # Enter saves an edit, Escape cancels one.
        sent.get_by_role("button", name="Actions sur le message").click()
        page.get_by_role("menuitem", name="Modifier").click()
        editor = page.get_by_label("Modifier le message")
        editor.fill("Arrivée dans dix minutes")
        editor.press("Enter")
        expect(page.get_by_test_id("chat-message").filter(has_text="Arrivée dans dix minutes")).to_contain_text(
            "(modifié)"
        )
        expect(page.get_by_label("Modifier le message")).to_have_count(0)
        edited = page.get_by_test_id("chat-message").filter(has_text="Arrivée dans dix minutes")
        edited.get_by_role("button", name="Actions sur le message").click()
        page.get_by_role("menuitem", name="Modifier").click()
        page.get_by_label("Modifier le message").fill("jamais enregistré")
        page.get_by_label("Modifier le message").press("Escape")
        expect(page.get_by_label("Modifier le message")).to_have_count(0)
        expect(edited).to_contain_text("Arrivée dans dix minutes")

        # Deleting asks first; "Annuler" keeps the message, confirming deletes it.
        _choose(page, edited, "Supprimer")
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_contain_text("Supprimer ce message ?")
        page.wait_for_timeout(400)  # the dialog fades in
        page.screenshot(path="screenshots/chat-confirm-delete-390.png")
        dialog.get_by_role("button", name="Annuler").click()
        expect(dialog).to_have_count(0)
        expect(edited).to_be_visible()
        _choose(page, edited, "Supprimer")
        page.get_by_role("alertdialog").get_by_role("button", name="Supprimer le message").click()
        expect(page.get_by_text("Message supprimé", exact=True)).to_be_visible()

        # The message near the end of its window loses "Modifier / Supprimer" when it lapses, without a reload.
        expect(newest.get_by_role("button", name="Actions sur le message")).to_have_count(0, timeout=60_000)
