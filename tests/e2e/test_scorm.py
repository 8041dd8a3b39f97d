"""SCORM in Chromium: staff upload a package; a learner on a phone plays it, leaves mid-way and resumes at the
bookmark, then passes; the tutor's report, open meanwhile, shows the status, score and time without a reload."""

from __future__ import annotations

import itertools
import time
import zipfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlmodel import col, select

from app.models import (
    Activity,
    Course,
    Enrolment,
    LessonProgress,
    Membership,
    Module,
    Organisation,
    TrainerPosition,
    TrainingSession,
    TutorPosition,
    User,
)
from app.services.home import paris_today
from app.services.scorm import library
from tests.e2e.conftest import goto, sign_in
from tests.factories import actor_for
from tests.scorm_packages import scorm2004_multi

SHOTS = Path("/tmp/plume/shots")
PHONE = {"width": 390, "height": 844}
_runs = itertools.count()

# A SCORM 1.2 SCO a person can click through: three pages (the bookmark is the page), then one question.
SCO = """<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Données personnelles</title>
<style>body{font-family:sans-serif;margin:1rem}button{font-size:1rem;padding:.5rem 1rem;margin:.25rem}</style>
</head><body>
<h1>Données personnelles</h1>
<p>Page <span id="page">1</span> / 3 <span id="entry"></span></p>
<button id="next">Page suivante</button>
<div id="quiz" hidden><p>Une adresse e-mail professionnelle est-elle une donnée personnelle ?</p>
<button id="yes">Oui</button><button id="no">Non</button></div>
<p id="result"></p>
<script>
var api = window.parent.API;
var opened = Date.now();
api.LMSInitialize("");
var page = parseInt(api.LMSGetValue("cmi.core.lesson_location") || "1", 10);
document.getElementById("entry").textContent = api.LMSGetValue("cmi.core.entry") === "resume" ? "(reprise)" : "";
function two(n) { return (n < 10 ? "0" : "") + n; }
function spent() {
  var s = Math.max(1, Math.round((Date.now() - opened) / 1000));
  return "00" + two(Math.floor(s / 3600)) + ":" + two(Math.floor(s / 60) % 60) + ":" + two(s % 60);
}
function show() {
  document.getElementById("page").textContent = page;
  document.getElementById("quiz").hidden = page < 3;
  document.getElementById("next").hidden = page >= 3;
}
function save(status, exit) {
  api.LMSSetValue("cmi.core.lesson_location", String(page));
  api.LMSSetValue("cmi.core.lesson_status", status);
  api.LMSSetValue("cmi.core.exit", exit);
  api.LMSSetValue("cmi.core.session_time", spent());
  api.LMSCommit("");
}
document.getElementById("next").onclick = function () { page += 1; save("incomplete", "suspend"); show(); };
document.getElementById("yes").onclick = function () {
  api.LMSSetValue("cmi.core.score.min", "0");
  api.LMSSetValue("cmi.core.score.max", "100");
  api.LMSSetValue("cmi.core.score.raw", "100");
  save("passed", "");
  document.getElementById("result").textContent = "Bonne réponse : module réussi.";
};
document.getElementById("no").onclick = function () {
  document.getElementById("result").textContent = "Ce n'est pas la bonne réponse.";
};
show();
</script></body></html>
"""

MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest identifier="plume-e2e-rgpd" version="1.0"
  xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"
  xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">
  <metadata><schema>ADL SCORM</schema><schemaversion>1.2</schemaversion></metadata>
  <organizations default="org">
    <organization identifier="org"><title>Données personnelles au travail</title>
      <item identifier="sco-1" identifierref="res-1"><title>Données personnelles</title>
        <adlcp:masteryscore>80</adlcp:masteryscore></item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="res-1" type="webcontent" adlcp:scormtype="sco" href="index.html">
      <file href="index.html"/>
    </resource>
  </resources>
</manifest>
"""


def _package(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("imsmanifest.xml", MANIFEST)
        archive.writestr("index.html", SCO)
    return path


def _session(server) -> tuple[int, str, int, str]:
    """An active session with an e-learning activity, a new learner and a new tutor; its id, the learner, the tutor."""
    run = f"{int(time.time())}{next(_runs)}"
    today = paris_today()
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        trainer = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
        course = Course(organisation_id=horizon.id or 0, title=f"RGPD au quotidien {run}")
        db.add(course)
        db.flush()
        training = TrainingSession(
            organisation_id=horizon.id or 0,
            course_id=course.id or 0,
            title=f"RGPD au quotidien — {run}",
            starts_on=today,
            ends_on=today + timedelta(days=30),
            status="active",
            availability_ends_on=today + timedelta(days=60),
        )
        db.add(training)
        db.flush()
        learner = User(
            email=f"scorm{run}@demo.plume.test",
            first_name="Nora",
            last_name="Benali",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(learner)
        db.flush()
        db.add(Membership(user_id=learner.id or 0, organisation_id=horizon.id or 0, is_learner=True))
        db.add(Enrolment(session_id=training.id or 0, user_id=learner.id or 0))
        db.add(TrainerPosition(session_id=training.id or 0, user_id=trainer.id or 0))
        # A tutor of their own: tutor@demo's followed courses stay as other tests expect them.
        tutor = User(
            email=f"tuteur-scorm{run}@demo.plume.test",
            first_name="Paul",
            last_name="Tutelle",
            password_hash=model.password_hash,
            phone=model.phone,
            phone_verified_at=model.phone_verified_at,
        )
        db.add(tutor)
        db.flush()
        db.add(Membership(user_id=tutor.id or 0, organisation_id=horizon.id or 0, is_tutor=True))
        db.add(TutorPosition(session_id=training.id or 0, user_id=tutor.id or 0))
        module = Module(session_id=training.id, title="À distance", phase="during", position=0)
        db.add(module)
        db.flush()
        db.add(Activity(module_id=module.id or 0, kind="elearning", title="Module RGPD"))
        db.commit()
        return training.id or 0, learner.email, learner.id or 0, tutor.email


def _open_activity(page: Page, session_id: int) -> None:
    goto(page, f"/sessions/{session_id}")
    page.get_by_role("button", name="Ouvrir l'activité Module RGPD").click()


def test_staff_upload_a_learner_plays_resumes_and_the_tutor_sees_it_live(server, new_context, tmp_path) -> None:
    session_id, email, user_id, tutor_email = _session(server)
    SHOTS.mkdir(parents=True, exist_ok=True)

    staff = new_context().new_page()
    sign_in(staff, "staff@demo.plume.test")
    _open_activity(staff, session_id)
    dialog = staff.get_by_role("dialog")
    expect(dialog.get_by_text("Aucun module e-learning")).to_be_visible()
    # A zip that is not a SCORM package is refused with the reason, next to the upload.
    wrong = tmp_path / "notes.zip"
    with zipfile.ZipFile(wrong, "w") as archive:
        archive.writestr("cours/imsmanifest.xml", MANIFEST)
    dialog.locator("#scorm-package input[type=file]").set_input_files(str(wrong))
    dialog.get_by_test_id("scorm-upload").click()
    expect(dialog.get_by_test_id("activity-error")).to_contain_text("imsmanifest.xml")
    dialog.locator("#scorm-package input[type=file]").set_input_files(str(_package(tmp_path / "rgpd.zip")))
    dialog.get_by_test_id("scorm-upload").click()
    expect(dialog.get_by_text("Paquet vérifié et enregistré")).to_be_visible()
    expect(dialog.get_by_text("Données personnelles au travail")).to_be_visible()
    staff.screenshot(path=str(SHOTS / "scorm-staff-upload.png"), full_page=True)

    tutor = new_context().new_page()
    sign_in(tutor, tutor_email)
    goto(tutor, f"/tutorat/{session_id}/{user_id}")
    row = tutor.get_by_test_id("lesson-row").filter(has_text="Module RGPD")
    expect(row).to_be_visible()

    learner = new_context(viewport=PHONE).new_page()
    sign_in(learner, email)
    _open_activity(learner, session_id)
    learner.get_by_test_id("scorm-open").click()
    sco = learner.frame_locator("#scorm-frame")
    expect(sco.get_by_role("heading", name="Données personnelles")).to_be_visible()
    expect(sco.locator("#page")).to_have_text("1")
    sco.get_by_role("button", name="Page suivante").click()
    sco.get_by_role("button", name="Page suivante").click()
    expect(sco.locator("#page")).to_have_text("3")
    learner.screenshot(path=str(SHOTS / "scorm-learner-phone.png"), full_page=True)
    # The tutor sees the learner at work.
    expect(row.get_by_text("En cours", exact=True)).to_be_visible()

    # Leaves mid-way, comes back: the package resumes at page 3.
    learner.get_by_role("link", name="Retour à la session").click()
    # Back on the session page, the module's panel is still open where they left it: "Commencer ou reprendre".
    learner.get_by_test_id("scorm-open").click()
    learner.wait_for_timeout(2000)
    import sys

    print("CMI ATTR", learner.locator("#scorm-frame").get_attribute("data-scorm-cmi"), file=sys.stderr)
    print(
        "API",
        learner.evaluate(
            "window.API && window.API.renderCMIToJSONString ? window.API.renderCMIToJSONString() : 'none'"
        ),
        file=sys.stderr,
    )
    expect(sco.locator("#page")).to_have_text("3")
    expect(sco.locator("#entry")).to_have_text("(reprise)")
    sco.get_by_role("button", name="Oui").click()
    expect(sco.locator("#result")).to_have_text("Bonne réponse : module réussi.")

    # The tutor's report, open all along, follows.
    expect(row.get_by_text("Réussi", exact=True)).to_be_visible()
    expect(row.get_by_text("100 %").first).to_be_visible()
    tutor.screenshot(path=str(SHOTS / "scorm-tutor-report.png"), full_page=True)


def test_a_multi_sco_package_plays_each_sco_in_turn_from_its_table_of_contents(server, new_context, tmp_path) -> None:
    session_id, email, user_id, _ = _session(server)
    with server.services_here(), server.session() as db:
        staff = db.exec(select(User).where(User.email == "staff@demo.plume.test")).one()
        activity = db.exec(
            select(Activity)
            .join(Module, col(Module.id) == col(Activity.module_id))
            .where(Module.session_id == session_id, Activity.kind == "elearning")
        ).one()
        library.attach(db, actor_for(db, staff), activity.id, scorm2004_multi(tmp_path / "securite.zip"))
        db.commit()
        activity_id = activity.id or 0

    learner = new_context().new_page()
    sign_in(learner, email)
    goto(learner, f"/sessions/{session_id}/elearning/{activity_id}")
    toc = learner.get_by_test_id("scorm-toc-item")
    expect(toc).to_have_count(3)
    expect(toc.nth(0)).to_have_attribute("aria-current", "page")
    sco = learner.frame_locator("#scorm-frame")
    for step, (heading, button) in enumerate(
        (("Les risques", "J'ai lu"), ("Le quiz", "Oui"), ("Synthèse", "Terminer"))
    ):
        expect(sco.get_by_role("heading", name=heading)).to_be_visible()
        sco.get_by_role("button", name=button).click()
        expect(sco.locator("#result")).to_have_text("Terminé")
        if step < 2:
            learner.get_by_role("button", name="Suivant").click()
            expect(toc.nth(step + 1)).to_have_attribute("aria-current", "page")
    learner.screenshot(path=str(SHOTS / "scorm-multi-sco-desktop.png"), full_page=True)
    # Back to the first SCO from the table of contents: each shows done, and the lesson is passed.
    toc.nth(0).click()
    expect(toc.nth(0)).to_have_attribute("aria-current", "page")
    expect(learner.get_by_test_id("scorm-done")).to_have_count(3)
    with server.session() as db:
        lesson = db.exec(
            select(LessonProgress).where(LessonProgress.activity_id == activity_id, LessonProgress.user_id == user_id)
        ).one()
        assert lesson.status == "passed" and lesson.score == 100
