"""The tutor runs her own virtual class; staff read the outbox with one click and download an .ics (Chromium)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlmodel import select

from app.models import Organisation, Slot, TrainingSession, User
from app.models.base import utcnow
from app.services import outbox
from app.services.templates import Template
from tests.attendance_setup import live_slot, trainer_email
from tests.e2e.conftest import goto, sign_in
from tests.e2e.test_tutoring import _own_tutor

SHOTS = "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _fits(page: Page) -> None:
    """Nothing is wider than the screen (the page never scrolls sideways)."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40))"""
    )
    assert overflow <= 0, f"the page is {overflow}px wider than the screen: {wide}"


def _ics_of(mail) -> Calendar:  # an e-mail message
    part = next(p for p in mail.iter_attachments() if (p.get_filename() or "").endswith(".ics"))
    return Calendar.from_ical(part.get_content())


def test_the_tutor_plans_her_class_after_the_session_leads_it_and_starts_it(server, new_context) -> None:
    invited = "learner5@demo.plume.test"
    with server.session() as db:
        sid, _ = live_slot(db, title="Tutorat — sa classe", learners=[invited, "learner6@demo.plume.test"])
        tutor_email = _own_tutor(db, sid)
        training = db.get(TrainingSession, sid)
        assert training is not None
        # Months of access after the session's last day: a class may be planned then.
        day = training.ends_on + timedelta(days=40)
        invited_name = db.exec(select(User).where(User.email == invited)).one().display_name
        tutor_name = db.exec(select(User).where(User.email == tutor_email)).one().display_name
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        tutor = new_context(viewport=viewport).new_page()
        sign_in(tutor, tutor_email)
        goto(tutor, f"/tutorat/{sid}")
        tutor.get_by_role("checkbox", name=f"Sélectionner {invited_name}").click()
        tutor.get_by_role("button", name="Classe virtuelle").click()
        dialog = tutor.get_by_role("dialog")
        expect(
            dialog.get_by_text(re.compile(r"À planifier entre le \d\d/\d\d/\d{4} et le \d\d/\d\d/\d{4}"))
        ).to_be_visible()
        tutor.screenshot(path=f"{SHOTS}/tutor-virtual-class-dialog-{name}.png")
        box = dialog.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        if name == "phone":
            break
        dialog.get_by_label("Titre").fill("Bilan à deux mois")
        dialog.get_by_label("Date").fill(day.isoformat())
        dialog.get_by_label("Début").fill("17:00")
        dialog.get_by_label("Fin").fill("17:45")
        dialog.get_by_role("button", name="Créer et inviter").click()
        expect(tutor.get_by_text("Classe virtuelle créée : 1 invitation envoyée.")).to_be_visible()

    # The tutor is invited with her .ics (she leads it: ORGANIZER and CHAIR); the learner's names her as organiser.
    mine = _ics_of(server.mailbox.wait_for(tutor_email, contains="Bilan à deux mois"))
    (event,) = mine.walk("VEVENT")
    assert str(event["organizer"]) == f"mailto:{tutor_email}" and str(event["attendee"].params["role"]) == "CHAIR"
    assert event.decoded("dtstart").date() == day
    sheet_url = str(event["location"])
    assert re.search(r"/emargement/\d+$", sheet_url) and str(event["url"]) == sheet_url
    assert str(event["uid"]).endswith("@127.0.0.1")
    (theirs,) = _ics_of(server.mailbox.wait_for(invited, contains="Bilan à deux mois")).walk("VEVENT")
    assert str(theirs["organizer"]) == f"mailto:{tutor_email}"
    assert str(theirs["organizer"].params["cn"]) == tutor_name
    # The session's trainer is not part of the tutor's class: not told, not on its sheet.
    assert not any(
        trainer_email(sid) in str(m["To"]) and "Bilan à deux mois" in str(m) for m in server.mailbox.messages
    )

    # When it runs, she opens it from her e-mail: she is on its sheet, and starts the meeting.
    slot_id = int(sheet_url.rsplit("/", 1)[1])
    with server.session() as db:
        slot = db.get(Slot, slot_id)
        assert slot is not None
        slot.starts_at, slot.ends_at = utcnow() - timedelta(minutes=5), utcnow() + timedelta(minutes=40)
        db.add(slot)
        db.commit()
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        tutor = new_context(viewport=viewport).new_page()
        sign_in(tutor, tutor_email)
        goto(tutor, f"/emargement/{slot_id}")
        expect(tutor.get_by_test_id("start-link").first).to_be_visible()
        tutor.screenshot(path=f"{SHOTS}/tutor-virtual-class-sheet-{name}.png", full_page=True)
        # She leads it (the sheet's trainer line names her), the invited learner is on the board, the session's
        # trainer is nowhere.
        expect(tutor.get_by_text(tutor_name, exact=True).locator("visible=true").first).to_be_visible()
        expect(tutor.get_by_test_id("board-row").filter(has_text=invited_name)).to_have_count(1)
        expect(tutor.get_by_text("Inès Garnier")).to_have_count(0)


def test_staff_open_a_message_with_one_click_and_download_its_ics(server, new_context, tmp_path) -> None:
    subject = f"Confirmation {uuid.uuid4().hex[:6]}"
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Plume//Sessions//FR\r\nBEGIN:VEVENT\r\n"
        f"UID:plume-slot-1@127.0.0.1\r\nSUMMARY:{subject} — matin\r\nDTSTAMP:20261130T070000Z\r\n"
        "DTSTART:20261208T080000Z\r\nDTEND:20261208T113000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    # Sealed with the server's key, as the server would (its sender loop reads the real message back).
    with server.services_here(), server.session() as db:
        org = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        outbox.enqueue_email(
            db,
            to="sealed@example.test",
            message=outbox.seal(
                Template(f"Invitation {subject}", "Ouvrez {lien}"),
                {"lien": "https://x.test/?jeton=S3"},
                secret_tags=("lien",),
            ),
            kind="invitation",
            organisation_id=org.id,
            attachment=outbox.Attachment("secret.ics", "text/calendar", ics),
        )
        outbox.enqueue_email(
            db,
            to="une.adresse.assez.longue@entreprise-cliente.example.test",
            message=Template(subject, "Bonjour,\n\nVotre session est confirmée."),
            kind="session_confirmation",
            organisation_id=org.id,
            attachment=outbox.Attachment("votre-session.ics", "text/calendar", ics),
        )
        db.commit()
    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        staff = new_context(viewport=viewport, accept_downloads=True).new_page()
        sign_in(staff, "staff@demo.plume.test")
        goto(staff, "/boite-envoi")
        subject_button = staff.get_by_role("button", name=subject, exact=True)
        expect(subject_button).to_be_visible()
        staff.screenshot(path=f"{SHOTS}/outbox-{name}.png", full_page=True)
        _fits(staff)
        # One click opens the message.
        subject_button.click()
        message = staff.get_by_test_id("outbox-message")
        expect(message).to_contain_text("Votre session est confirmée.")
        expect(subject_button).to_have_attribute("aria-expanded", "true")
        download_link = message.get_by_role("link", name="Télécharger votre-session.ics")
        expect(download_link).to_be_visible()
        staff.screenshot(path=f"{SHOTS}/outbox-message-{name}.png", full_page=True)
        _fits(staff)
        with staff.expect_download() as info:
            download_link.click()
        download = info.value
        assert download.suggested_filename == "votre-session.ics"
        target = tmp_path / f"{name}.ics"
        download.save_as(target)
        (event,) = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
        assert str(event["summary"]) == f"{subject} — matin"
        # A message carrying a one-time secret keeps its attachment hidden too.
        sealed = staff.get_by_role("button", name=f"Invitation {subject}", exact=True)
        sealed.click()
        expect(staff.get_by_test_id("outbox-message")).to_contain_text("[lien personnel masqué]")
        expect(staff.get_by_text("Pièce jointe masquée")).to_be_visible()
        expect(staff.get_by_role("link", name="Télécharger secret.ics")).to_have_count(0)
        # The other message closed: one open at a time.
        expect(staff.get_by_test_id("outbox-message")).to_have_count(1)
