"""Dates in Chromium are Paris days: a module opening on 08/12 reads 08/12, a file sent at 00:24 on 30/11 reads 30/11."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect
from sqlmodel import select

from app.models import Document, Module, TrainingSession, User
from tests.e2e.conftest import goto, sign_in

SHOTS = "screenshots"


def test_module_opening_date_and_document_date_are_paris_days(server, new_context) -> None:
    with server.session() as db:
        session = db.exec(select(TrainingSession).where(TrainingSession.title == "Excel avancé — groupe 2")).one()
        module = db.exec(
            select(Module).where(Module.session_id == session.id, Module.title == "Après la formation")
        ).one()
        staff = db.exec(select(User).where(User.email == "staff@demo.plume.test")).one()
        before = (module.opening_rule, module.opens_at)
        # What the form stores for 08/12/2026: Paris midnight, 07/12 23:00 UTC.
        module.opening_rule, module.opens_at = "date", datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
        document = Document(
            session_id=session.id,
            module_id=module.id,
            name="envoye-a-minuit.pdf",
            stored_name="e2e-paris-dates-0024",
            size=10,
            content_type="application/pdf",
            sha256="0" * 64,
            uploaded_by_id=staff.id,
            created_at=datetime(2026, 11, 29, 23, 24, tzinfo=UTC),  # 00:24 on 30/11 in Paris
        )
        db.add(module)
        db.add(document)
        db.commit()
        sid, mid, did = session.id, module.id, document.id
    try:
        page = new_context().new_page()
        sign_in(page, "staff@demo.plume.test")
        goto(page, f"/sessions/{sid}")
        column = page.locator("[data-testid=timeline-module]", has_text="Après la formation")
        expect(column).to_contain_text("S'ouvre le 08/12/2026")
        expect(column).not_to_contain_text("07/12/2026")
        row = column.locator("[data-testid=document-row]", has_text="envoye-a-minuit.pdf")
        expect(row).to_contain_text("30/11/2026")
        page.screenshot(path=f"{SHOTS}/paris-dates-session.png", full_page=True)

        tutor = new_context(viewport={"width": 390, "height": 844}).new_page()
        sign_in(tutor, "tutor@demo.plume.test")
        tutor.get_by_role("link", name="Tutorat").first.click()
        line = tutor.get_by_role("row", name=re.compile("Excel avancé — groupe 2"))
        expect(line).to_contain_text(re.compile(r"\d{2}/\d{2}/\d{4} → \d{2}/\d{2}/\d{4}"))
        expect(line).not_to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
        tutor.screenshot(path=f"{SHOTS}/paris-dates-tutoring-mobile.png", full_page=True)
    finally:
        with server.session() as db:
            restored = db.get(Module, mid)
            assert restored is not None
            restored.opening_rule, restored.opens_at = before
            db.add(restored)
            found = db.get(Document, did)
            if found is not None:
                db.delete(found)
            db.commit()
