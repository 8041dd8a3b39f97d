"""Following participation in Chromium: a trainer monitors an activity, a learner's bar shows it overdue on a phone,
and the follow-up table ticks live when a learner completes a monitored activity (two browsers)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect
from sqlmodel import col, delete, select

from app.clock import paris_today
from app.models import Activity, ActivityCompletion, Module, MonitoredActivity, TrainingSession, User
from app.models.base import utcnow
from app.models.finishing import TrainingCompletion
from app.models.progress import LessonProgress
from tests.e2e.conftest import goto, sign_in

SHOTS = "screenshots"
SESSION = "Manager une équipe — session de novembre"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def _setup(server, email: str, title: str) -> tuple[int, int, int]:
    """The session, the learner (with `title` not done yet) and the activity."""
    with server.session() as db:
        sid = db.exec(select(TrainingSession.id).where(TrainingSession.title == SESSION)).one()
        uid = db.exec(select(User.id).where(User.email == email)).one()
        aid = db.exec(
            select(Activity.id)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == sid, Activity.title == title)
        ).one()
        db.exec(
            delete(ActivityCompletion).where(ActivityCompletion.user_id == uid, ActivityCompletion.activity_id == aid)
        )  # type: ignore[call-overload]
        db.exec(delete(LessonProgress).where(LessonProgress.user_id == uid, LessonProgress.activity_id == aid))  # type: ignore[call-overload]
        db.commit()
        assert sid is not None and uid is not None and aid is not None
        return sid, uid, aid


def _forget_monitoring(server, sid: int) -> None:
    with server.session() as db:
        db.exec(delete(MonitoredActivity).where(MonitoredActivity.session_id == sid))  # type: ignore[call-overload]
        db.commit()


def test_trainer_monitors_and_the_learner_sees_it_overdue_on_a_phone(server, new_context) -> None:
    sid, _, aid = _setup(server, "learner18@demo.plume.test", "Programme détaillé")
    late = paris_today(utcnow()) - timedelta(days=2)
    try:
        trainer = new_context(viewport=DESKTOP).new_page()
        sign_in(trainer, "trainer@demo.plume.test")
        goto(trainer, f"/sessions/{sid}")
        trainer.get_by_role("button", name="Éditer la timeline").click()
        trainer.get_by_role("button", name="Surveillance de Programme détaillé").click()
        form = trainer.locator("form").filter(has=trainer.get_by_label("Attendu le"))
        form.get_by_label("Surveillé").check()
        form.get_by_role("button", name="Enregistrer").click()  # monitored without a day: refused
        expect(form.get_by_role("alert")).to_be_visible()  # the error next to the field
        form.get_by_label("Attendu le").fill(late.isoformat())
        form.get_by_label("Obligatoire pour terminer la formation").check()
        form.get_by_role("button", name="Enregistrer").click()
        badge = trainer.locator("[data-testid=monitored-badge]")
        expect(badge).to_contain_text(f"attendu le {late:%d/%m/%Y}")
        trainer.screenshot(path=f"{SHOTS}/follow-up-monitor-desktop.png")

        learner = new_context(viewport=PHONE).new_page()
        sign_in(learner, "learner18@demo.plume.test")
        bar = learner.locator("[data-testid=progress-bar]")
        expect(bar).to_be_visible()  # on home, under the session's card
        learner.screenshot(path=f"{SHOTS}/follow-up-home-mobile.png", full_page=True)
        goto(learner, f"/sessions/{sid}")
        segment = learner.locator("[data-testid=progress-segment][data-state=overdue]")
        expect(segment).to_have_count(1)
        expect(segment).to_contain_text(f"{late:%d/%m/%Y}")
        expect(segment).to_be_in_viewport()
        learner.screenshot(path=f"{SHOTS}/follow-up-bar-mobile.png")
        segment.click()
        expect(learner.get_by_role("dialog")).to_contain_text("Programme détaillé")
        learner.get_by_role("button", name="Marquer comme terminé").click()
        learner.get_by_role("button", name="Fermer").click()
        expect(learner.locator("[data-testid=progress-segment][data-state=done]")).to_have_count(1)
        del aid
    finally:
        _forget_monitoring(server, sid)


def test_the_follow_up_ticks_live_and_messages_reach_learners(server, new_context) -> None:
    sid, uid, aid = _setup(server, "learner19@demo.plume.test", "Programme détaillé")
    with server.session() as db:
        db.add(
            MonitoredActivity(session_id=sid, activity_id=aid, expected_on=paris_today(utcnow()) + timedelta(days=2))
        )
        db.commit()
    try:
        trainer = new_context(viewport=DESKTOP).new_page()
        sign_in(trainer, "trainer@demo.plume.test")
        goto(trainer, f"/sessions/{sid}")
        trainer.get_by_role("link", name="Suivi des participants").click()
        expect(trainer.get_by_role("heading", name="Suivi des participants")).to_be_visible()
        trainer.get_by_label("Apprenants par page").select_option("50")
        row = trainer.locator(f"[data-testid=follow-row][data-user='{uid}']")
        expect(row.locator("[data-testid=follow-tick]")).to_have_attribute("data-done", "false")
        expect(row.locator("[data-testid=follow-percent]")).to_have_text("0 %")

        learner = new_context(viewport=PHONE).new_page()
        sign_in(learner, "learner19@demo.plume.test")
        home = learner.context.new_page()  # the learner's home, open in another tab
        goto(home, "/accueil")
        expect(home.locator("[data-testid=progress-segment][data-state=soon]")).to_have_count(1)
        goto(learner, f"/sessions/{sid}")
        expect(learner.locator("[data-testid=progress-segment][data-state=soon]")).to_have_count(1)
        learner.locator("[data-testid=progress-segment]").click()
        learner.get_by_role("button", name="Marquer comme terminé").click()
        # The home tab's bar follows without a reload.
        expect(home.locator("[data-testid=progress-segment][data-state=done]")).to_have_count(1)

        # No reload in the trainer's browser: the cell ticks and the percentage moves.
        expect(row.locator("[data-testid=follow-tick]")).to_have_attribute("data-done", "true")
        expect(row.locator("[data-testid=follow-percent]")).to_have_text("100 %")
        trainer.screenshot(path=f"{SHOTS}/follow-up-table-desktop.png")

        row.get_by_role("checkbox").click()
        trainer.get_by_role("button", name="Envoyer un message").click()
        dialog = trainer.get_by_role("dialog")
        dialog.get_by_role("button", name="Envoyer").click()
        expect(dialog.get_by_text("Indiquez un objet.")).to_be_visible()
        dialog.get_by_label("Objet").fill("Classe virtuelle de jeudi")
        dialog.get_by_label("Message").fill("Pensez à préparer vos questions.")
        dialog.get_by_role("button", name="Envoyer").click()
        expect(trainer.get_by_text("Message envoyé à 1 participant.")).to_be_visible()
        # "Formation terminée" from the same selection: asked first, then the row's Terminé says so.
        expect(row.get_by_text("Non", exact=True)).to_be_visible()
        trainer.get_by_test_id("follow-finish").click()
        dialog = trainer.get_by_role("dialog")
        expect(dialog).to_contain_text("1")
        dialog.get_by_test_id("conclude-submit").click()
        expect(row.get_by_text("Oui", exact=True)).to_be_visible()
        goto(learner, "/accueil")  # the notification arrived meanwhile: a fresh page reads it
        learner.locator("#notifications").click()
        expect(learner.get_by_text("Message de la formation : « Classe virtuelle de jeudi »")).to_be_visible()

        phone = new_context(viewport=PHONE).new_page()
        sign_in(phone, "trainer@demo.plume.test")
        goto(phone, f"/sessions/{sid}/suivi")
        expect(phone.get_by_role("heading", name="Suivi des participants")).to_be_visible()
        phone.screenshot(path=f"{SHOTS}/follow-up-table-mobile.png")
    finally:
        _forget_monitoring(server, sid)
        with server.session() as db:  # the shared demo keeps its own "Formation terminée" story
            db.exec(
                delete(TrainingCompletion).where(
                    TrainingCompletion.session_id == sid, TrainingCompletion.user_id == uid
                )
            )  # type: ignore[call-overload]
            db.commit()
