"""Entretien in Chromium: a trainer proposes times, two learners grab the last place at once, the trainer confirms;
the invitation reaches both by e-mail (the local SMTP server) and the appointment shows in both agendas."""

from __future__ import annotations

import itertools
import re
import time
from datetime import timedelta
from pathlib import Path

from icalendar import Calendar
from playwright.sync_api import Page, WebSocketRoute, expect
from sqlmodel import select

from app.clock import PARIS
from app.models import (
    Activity,
    Course,
    Enrolment,
    Membership,
    Module,
    Organisation,
    TrainerPosition,
    TrainingSession,
    User,
)
from app.services.agenda_view import week_monday
from app.services.home import paris_today
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = Path("/tmp/plume/shots")
PHONE = {"width": 390, "height": 844}
_runs = itertools.count()


def _appointment_session(server) -> tuple[int, list[str]]:
    """An active session of trainer@demo with an Entretien and three new learners; their e-mails."""
    run = f"{int(time.time())}{next(_runs)}"
    today = paris_today()
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        trainer = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
        course = Course(organisation_id=horizon.id or 0, title=f"Entretiens {run}")
        db.add(course)
        db.flush()
        training = TrainingSession(
            organisation_id=horizon.id or 0,
            course_id=course.id or 0,
            title=f"Accompagnement individuel {run}",
            starts_on=today,
            ends_on=today + timedelta(days=14),
            status="active",
            availability_ends_on=today + timedelta(days=60),
        )
        db.add(training)
        db.flush()
        db.add(TrainerPosition(session_id=training.id or 0, user_id=trainer.id or 0))
        emails = []
        for n, (first, last) in enumerate((("Inès", "Garnier"), ("Hugo", "Lemaire"), ("Léa", "Roux"))):
            learner = User(
                email=f"entretien{run}-{n}@demo.plume.test",
                first_name=first,
                last_name=last,
                password_hash=model.password_hash,
                phone=model.phone,
                phone_verified_at=model.phone_verified_at,
            )
            db.add(learner)
            db.flush()
            db.add(Membership(user_id=learner.id or 0, organisation_id=horizon.id or 0, is_learner=True))
            db.add(Enrolment(session_id=training.id or 0, user_id=learner.id or 0))
            emails.append(learner.email)
        module = Module(session_id=training.id, title="Suivi individuel", phase="during", position=0)
        db.add(module)
        db.flush()
        db.add(Activity(module_id=module.id or 0, kind="appointment", title="Entretien individuel"))
        db.commit()
        return training.id or 0, emails


class _Held:
    """A page's websocket, whose messages from the server can be held back for a moment (a page gone stale)."""

    def __init__(self) -> None:
        self.hold = False
        self.queue: list[str | bytes] = []
        self.page_side: WebSocketRoute | None = None

    def route(self, ws: WebSocketRoute) -> None:
        server = ws.connect_to_server()
        self.page_side = ws
        ws.on_message(server.send)
        server.on_message(self._from_server)

    def _from_server(self, message: str | bytes) -> None:
        if self.hold:
            self.queue.append(message)
        elif self.page_side is not None:
            self.page_side.send(message)

    def release(self) -> None:
        self.hold = False
        for message in self.queue:
            if self.page_side is not None:
                self.page_side.send(message)
        self.queue = []


def _open(page: Page, session_id: int) -> None:
    goto(page, f"/sessions/{session_id}")
    page.get_by_role("button", name="Ouvrir l'activité Entretien individuel").click()
    expect(page.get_by_test_id("appointment-panel")).to_be_visible()


def _propose(page: Page, day: str, start: str, end: str) -> None:
    panel = page.get_by_test_id("appointment-panel")
    panel.get_by_label("Date").fill(day)
    panel.get_by_label("Début").fill(start)
    panel.get_by_label("Fin").fill(end)
    panel.get_by_test_id("appointment-add").click()
    expect(panel.get_by_test_id("appointment-notice")).to_contain_text("Créneau ajouté")


def _agenda_week(page: Page, day) -> None:
    goto(page, "/agenda")
    expect(page.locator("#agenda")).not_to_have_attribute("data-revision", "0")
    if week_monday(day) != week_monday(paris_today()):
        page.get_by_role("button", name="Suivant").click()
    expect(page.get_by_test_id("agenda-loading")).to_have_count(0)


def _agenda_shows(page: Page, day, text: str) -> None:
    _agenda_week(page, day)
    cell = page.locator(f"[data-day='{day.isoformat()}']")
    expect(cell.get_by_test_id("agenda-entry")).to_contain_text([text])


def test_learners_grab_times_the_trainer_confirms_and_both_get_the_invitation(server, new_context) -> None:
    session_id, (ines, hugo, lea) = _appointment_session(server)
    day = paris_today() + timedelta(days=1)
    SHOTS.mkdir(parents=True, exist_ok=True)

    trainer = new_context().new_page()
    sign_in(trainer, "trainer@demo.plume.test")
    _open(trainer, session_id)
    expect(trainer.get_by_test_id("appointment-panel")).to_contain_text("Aucun créneau proposé")
    _propose(trainer, day.isoformat(), "14:00", "14:45")

    first, second = new_context(viewport=PHONE).new_page(), new_context(viewport=PHONE).new_page()
    held = _Held()
    second.route_web_socket(re.compile(r"/_event"), held.route)
    for page, email in ((first, ines), (second, hugo)):
        sign_in(page, email)
        _open(page, session_id)
        expect(page.get_by_test_id("appointment-time")).to_have_count(1)
    # A second time reaches the learners' open panels without a reload.
    _propose(trainer, day.isoformat(), "16:00", "16:30")
    for page in (first, second):
        expect(page.get_by_test_id("appointment-time")).to_have_count(2)
        expect(page.get_by_test_id("appointment-time").first).to_contain_text("1 place restante")
    first.screenshot(path=str(SHOTS / "appointment-learner-phone.png"), full_page=True)

    # Both click the 14:00 time's last place "at once": Hugo's page still offers it when he clicks (what he
    # hears from the server is held back until then), after Inès took it. He is told, and nothing is overbooked.
    # (Two transactions at the very same moment are the unit test's, with threads.)
    held.hold = True
    first.get_by_test_id("appointment-time").first.get_by_test_id("appointment-take").click()
    expect(first.get_by_test_id("appointment-notice")).to_contain_text("Créneau réservé")
    expect(trainer.get_by_test_id("appointment-place")).to_have_count(1)
    stale = second.get_by_test_id("appointment-time").first
    expect(stale).to_contain_text("1 place restante")
    stale.get_by_test_id("appointment-take").click()
    held.release()
    winner, loser = first, second
    expect(loser.get_by_test_id("appointment-error")).to_have_text(
        "Ce créneau vient d'être pris : il n'y reste plus de place. Choisissez-en un autre."
    )
    expect(loser.get_by_test_id("appointment-time").first).to_contain_text("Complet")
    expect(trainer.get_by_test_id("appointment-place")).to_have_count(1)
    # The other takes the 16:00 time instead.
    loser.get_by_test_id("appointment-time").nth(1).get_by_test_id("appointment-take").click()
    expect(loser.get_by_test_id("appointment-notice")).to_contain_text("Créneau réservé")
    expect(winner.get_by_text("Votre créneau est réservé")).to_be_visible()

    # Inès keeps her agenda open in another browser: the appointment appears there once confirmed.
    agenda = new_context().new_page()
    sign_in(agenda, ines)
    _agenda_week(agenda, day)
    cell = agenda.locator(f"[data-day='{day.isoformat()}']")
    expect(agenda.get_by_test_id("agenda-entry")).to_have_count(0)

    # The trainer sees both places live, and confirms the 14:00 one; the organisation's rooms are suggested.
    expect(trainer.locator("#appointment-rooms option").first).to_be_attached()
    expect(trainer.get_by_text("2 rendez-vous attendent votre confirmation.")).to_be_visible()
    trainer.screenshot(path=str(SHOTS / "appointment-trainer.png"), full_page=True)
    trainer.get_by_test_id("appointment-time").first.get_by_test_id("appointment-confirm").click()
    expect(trainer.get_by_test_id("appointment-notice")).to_contain_text("Rendez-vous confirmé")
    expect(winner.get_by_text("Votre rendez-vous est confirmé")).to_be_visible()
    expect(winner.get_by_test_id("appointment-notice")).to_have_count(0)  # "réservé" was said once, not now
    expect(cell.get_by_test_id("agenda-entry")).to_contain_text(["14:00–14:45"])
    winner.screenshot(path=str(SHOTS / "appointment-learner-confirmed-phone.png"), full_page=True)

    winner_email = ines if winner is first else hugo
    for to in (winner_email, "trainer@demo.plume.test"):
        mail = server.mailbox.wait_for(to, contains="est confirmé")
        files = [part for part in mail.iter_attachments() if part.get_filename() == "rendez-vous.ics"]
        assert len(files) == 1
        invitation = Calendar.from_ical(files[0].get_content())
        assert invitation["method"] == "REQUEST"
        event = next(iter(invitation.walk("VEVENT")))
        assert event.decoded("dtstart").astimezone(PARIS).strftime("%d/%m %H:%M") == f"{day:%d/%m} 14:00"
        assert str(event["summary"]).endswith("Entretien individuel")

    # In both agendas, on that day.
    _agenda_shows(winner, day, "14:00–14:45")
    _agenda_shows(trainer, day, "14:00–14:45")
    # Léa, who holds no place, has nothing in hers.
    third = new_context().new_page()
    sign_in(third, lea)
    goto(third, "/agenda")
    ready(third)
    expect(third.get_by_test_id("agenda-entry")).to_have_count(0)
