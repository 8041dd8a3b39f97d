"""The session page in Chromium: members only, and a live timeline."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlmodel import col, select

from app.models import Enrolment, TrainingSession, User
from tests.e2e.conftest import goto, ready, sign_in

SHOTS = "screenshots"


def _session_id(server, title: str) -> int:
    with server.session() as db:
        return db.exec(select(TrainingSession.id).where(TrainingSession.title == title)).one()  # type: ignore[return-value]


def test_staff_reorder_shows_live_on_the_learners_open_page(server, new_context) -> None:
    sid = _session_id(server, "Manager une équipe — session de novembre")
    learner = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(learner, "learner2@demo.plume.test")
    learner.locator("#en-cours").get_by_text("Manager une équipe au quotidien").click()
    expect(learner).to_have_url(re.compile(rf"/sessions/{sid}/?$"))
    ready(learner)
    rows = learner.locator("[data-testid=module-row]")
    expect(rows).to_have_count(4)
    expect(rows.nth(1)).to_contain_text("Jour 1 — Les fondamentaux")
    expect(rows.nth(2)).to_contain_text("Jour 2 — Mise en pratique")
    expect(learner.get_by_role("button", name=re.compile("Monter le module"))).to_have_count(0)
    learner.screenshot(path=f"{SHOTS}/session-learner-mobile.png", full_page=True)

    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/sessions/{sid}")
    staff.get_by_role("button", name="Monter le module Jour 2 — Mise en pratique").click()
    staff_rows = staff.locator("[data-testid=module-row]")
    expect(staff_rows.nth(1)).to_contain_text("Jour 2 — Mise en pratique")
    staff.screenshot(path=f"{SHOTS}/session-staff.png", full_page=True)

    expect(rows.nth(1)).to_contain_text("Jour 2 — Mise en pratique")
    expect(rows.nth(2)).to_contain_text("Jour 1 — Les fondamentaux")
    timeline = learner.locator("[data-testid=timeline-module]")
    expect(timeline.nth(1)).to_contain_text("Jour 2 — Mise en pratique")

    staff.get_by_role("button", name="Descendre le module Jour 2 — Mise en pratique").click()
    expect(rows.nth(1)).to_contain_text("Jour 1 — Les fondamentaux")


def test_a_learner_of_another_session_gets_not_found(server, new_context) -> None:
    sid = _session_id(server, "Excel avancé — groupe 2")
    with server.session() as db:
        enrolled = set(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == sid)).all())
        outsider = next(
            u.email
            for u in db.exec(select(User).where(col(User.email).like("learner%@demo.plume.test"))).all()
            if u.id not in enrolled
        )
    page = new_context().new_page()
    sign_in(page, outsider)
    goto(page, f"/sessions/{sid}")
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    goto(page, "/sessions/999999")
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    expect(page.get_by_text("Excel avancé")).to_have_count(0)


def test_staff_drag_and_drop_a_module_live(server, new_context) -> None:
    sid = _session_id(server, "Excel avancé — groupe 2")
    with server.session() as db:
        enrolled = set(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == sid)).all())
        member = next(
            u.email
            for u in db.exec(select(User).where(col(User.email).like("learner%@demo.plume.test"))).all()
            if u.id in enrolled
        )
    learner = new_context().new_page()
    sign_in(learner, member)
    goto(learner, f"/sessions/{sid}")
    rows = learner.locator("[data-testid=module-row]")
    expect(rows.nth(1)).to_contain_text("Jour 1 — Les fondamentaux")

    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    goto(staff, f"/sessions/{sid}")
    staff_rows = staff.locator("[data-testid=module-row]")
    handle = staff_rows.nth(2).get_by_test_id("drag-handle")
    handle.drag_to(staff_rows.nth(1))
    expect(staff_rows.nth(1)).to_contain_text("Jour 2 — Mise en pratique")
    expect(rows.nth(1)).to_contain_text("Jour 2 — Mise en pratique")
    expect(rows.nth(2)).to_contain_text("Jour 1 — Les fondamentaux")
    staff.get_by_role("button", name="Éditer la timeline").click()
    jour1 = staff.locator("[data-testid=timeline-module]", has_text="Jour 1 — Les fondamentaux")
    poll = jour1.locator("[data-testid=activity-card]", has_text="Sondage : date de la classe virtuelle")
    first = jour1.locator("[data-testid=activity-card]", has_text="Journée en salle")
    poll.get_by_test_id("activity-drag-handle").drag_to(first)
    learner_jour1 = learner.locator("[data-testid=timeline-module]", has_text="Jour 1 — Les fondamentaux")
    expect(learner_jour1.locator("[data-testid=activity-card]").first).to_contain_text("Sondage : date de la classe")
