"""The Content-Security-Policy in Chromium: Plume's pages work under it and report no violation."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import col, select

from app.models import Course, Enrolment, TrainingSession, User
from tests.e2e.conftest import goto, sign_in

EXCEL = "Excel avancé — groupe 2"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WATCH = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI);
});
"""


def _watched(context: BrowserContext, console: list[str]) -> Page:
    context.add_init_script(WATCH)
    page = context.new_page()
    page.on(
        "console",
        lambda message: console.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return page


def _violations(page: Page) -> list[str]:
    return list(page.evaluate("window.__cspViolations || []"))


def test_pages_work_under_the_policy_without_violations(server, new_context, tmp_path: Path) -> None:
    with server.session() as db:
        session = db.exec(select(TrainingSession).where(TrainingSession.title == EXCEL)).one()
        enrolled = set(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == session.id)).all())
        learners = db.exec(select(User).where(col(User.email).like("learner%@demo.plume.test"))).all()
        member = next(u.email for u in learners if u.id in enrolled)
        course_id = db.exec(select(Course.id).where(Course.id == session.course_id)).one()
    console: list[str] = []
    seen: list[str] = []

    trainer = _watched(new_context(), console)
    response = trainer.goto("/connexion")
    assert response is not None and "frame-ancestors 'none'" in response.headers["content-security-policy"]
    sign_in(trainer, "trainer@demo.plume.test")
    goto(trainer, f"/sessions/{session.id}")
    expect(trainer.get_by_text(EXCEL).first).to_be_visible()
    supports = tmp_path / "csp-supports.pdf"
    supports.write_bytes(PDF)
    trainer.get_by_label("Module").select_option(label="Après la formation")
    trainer.locator("#documents input[type=file]").set_input_files([str(supports)])
    trainer.get_by_role("button", name="Envoyer").click()  # an upload to /_upload under the policy
    expect(trainer.get_by_text("1 document ajouté.")).to_be_visible()
    seen += _violations(trainer)

    learner = _watched(new_context(), console)
    sign_in(learner, member)
    goto(learner, f"/sessions/{session.id}")
    # The live websocket works under the policy: the trainer's new document shows on the learner's page.
    expect(learner.get_by_text("csp-supports.pdf").first).to_be_visible()
    seen += _violations(learner)

    staff = _watched(new_context(), console)
    sign_in(staff, "staff@demo.plume.test")
    for path in ("/catalogue", f"/catalogue/{course_id}", "/boite-envoi", f"/tutorat/{session.id}"):
        goto(staff, path)
        seen += _violations(staff)
    expect(staff.get_by_test_id("tile-learners")).to_be_visible()

    assert not seen, seen
    assert not console, console

    # The watch itself works, and an injected inline script is refused.
    staff.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.__injected = 1';"
        " document.body.appendChild(s); }"
    )
    staff.wait_for_function("window.__cspViolations.length > 0")
    assert staff.evaluate("window.__injected === undefined")
    assert any(v.startswith("script-src") for v in _violations(staff)), _violations(staff)
