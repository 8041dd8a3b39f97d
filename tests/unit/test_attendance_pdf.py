"""Attendance sheets as PDF: who gets them, what they say, how they flow, and the download route."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from app.api.routes import build_api
from app.documents.attendance_pdf import printable
from app.models import Activity, AttendanceChain, AuditRecord, Module, Organisation, Slot, TrainingSession, User
from app.models.base import utcnow
from app.services.actor import Actor
from app.services.attendance import actions, window
from app.services.attendance import chain as attendance_chain
from app.services.attendance import pdf as attendance_pdf
from app.services.auth import open_session
from app.services.errors import ErrorCode, PlumeError
from app.services.home import paris_today
from tests.factories import actor_for, make_learner, make_member, make_org, make_session, make_staff, make_trainer

DRAWING = "10,10 200,120 380,40|400,300 420,310"


@dataclass
class Sheet:
    org: Organisation
    session: TrainingSession
    module: Module
    slot: Slot
    trainer_user: User
    trainer: Actor
    staff: Actor
    learners: list[User]


def _sheet(db: Session, *, names: list[tuple[str, str]], title: str = "Excel avancé — groupe 2") -> Sheet:
    org = make_org(db, "Organisme Équinoxe")
    staff = make_staff(db, org)
    trainer = make_trainer(db, org, first_name="Claire", last_name="Formatrice")
    learners = [make_learner(db, org, first_name=first, last_name=last) for first, last in names]
    today = paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=1),
        end=today + timedelta(days=2),
        trainers=(trainer,),
        learners=tuple(learners),
    )
    session.title = title
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add_all([session, module])
    db.flush()
    room = Activity(module_id=module.id or 0, kind="in_person", title="Séance du matin")
    db.add(room)
    db.flush()
    start = utcnow() - timedelta(minutes=10)
    slot = Slot(
        session_id=session.id or 0,
        activity_id=room.id,
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        room="Salle B12",
    )
    db.add(slot)
    db.commit()
    return Sheet(
        org=org,
        session=session,
        module=module,
        slot=slot,
        trainer_user=trainer,
        trainer=actor_for(db, trainer),
        staff=actor_for(db, staff),
        learners=learners,
    )


def _pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF")
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages]


def _text(data: bytes) -> str:
    return " ".join(_pages(data))


def _code(err: pytest.ExceptionInfo[PlumeError]) -> ErrorCode:
    return err.value.code


def test_slot_sheet_shows_everyone_notes_certification_and_the_chain_hash(db: Session) -> None:
    s = _sheet(db, names=[("Zoé", "Lefèvre"), ("Adam", "Martin"), ("Émile", "Durand"), ("Inès", "Roux")])
    zoe, adam, emile, ines = s.learners
    sid = s.slot.id or 0
    actions.sign(db, actor_for(db, zoe), sid, DRAWING, "k" * 10)
    actions.mark(db, s.trainer, sid, zoe.id or 0, status="late", comment="Arrivée à 9 h 20")
    actions.sign(db, s.trainer, sid, DRAWING, "k" * 10)
    actions.sign_as(db, s.trainer, sid, adam.id or 0, strokes=DRAWING, client_key="k" * 10, reason="Téléphone déchargé")
    actions.mark(db, s.trainer, sid, ines.id or 0, status="absent", comment="Malade")
    actions.certify(db, s.trainer, sid)
    actions.correct(db, s.staff, sid, emile.id or 0, status="present", reason="A signé la feuille papier")

    name, data = attendance_pdf.slot_sheet_pdf(db, s.trainer, sid)
    text = _text(data)
    for person in (*s.learners, s.trainer_user):
        assert person.display_name in text
    assert "Feuille d'émargement" in text and "Organisme Équinoxe" in text
    assert "Excel avancé — groupe 2" in text and "Séance du matin" in text and "Salle B12" in text
    assert window.when_label(s.slot) in text
    assert "Signé sur le poste du formateur (par Claire Formatrice) — Téléphone déchargé" in text
    assert "En retard : Arrivée à 9 h 20" in text and "Absent : Malade" in text
    assert "Correction après certification : présent — A signé la feuille papier" in text
    assert re.search(r"Feuille certifiée le \d\d/\d\d/\d{4} à \d\d:\d\d par Claire Formatrice", text)
    head = db.get(AttendanceChain, s.org.id)
    assert head is not None and f"Empreinte de la chaîne : {head.last_hash}" in text
    assert "Page 1" in text
    reader = PdfReader(io.BytesIO(data))
    assert all(not page.images for page in reader.pages)  # signatures are vector lines
    assert b" l" in reader.pages[0].get_contents().get_data()  # the content stream draws paths
    assert name.isascii() and re.fullmatch(r"emargement-excel-avance-groupe-2-\d{4}-\d\d-\d\d-[a-z0-9-]+\.pdf", name)
    assert attendance_pdf.slot_sheet_pdf(db, s.staff, sid)[1].startswith(b"%PDF")


def test_an_uncertified_sheet_says_so(db: Session) -> None:
    s = _sheet(db, names=[("Zoé", "Lefèvre")])
    text = _text(attendance_pdf.slot_sheet_pdf(db, s.trainer, s.slot.id or 0)[1])
    assert "Feuille non certifiée" in text and "Non émargé" in text
    assert f"Empreinte de la chaîne : {attendance_chain.GENESIS}" in text


def test_learners_tutors_outsiders_and_missing_slots_get_not_found(db: Session) -> None:
    s = _sheet(db, names=[("Zoé", "Lefèvre")])
    other_org = make_org(db)
    quiz = Activity(module_id=s.module.id or 0, kind="quiz", title="Quiz")
    db.add(quiz)
    db.flush()
    unsigned = Slot(
        session_id=s.session.id or 0, activity_id=quiz.id, starts_at=s.slot.starts_at, ends_at=s.slot.ends_at
    )
    db.add(unsigned)
    db.commit()
    refused = [
        actor_for(db, s.learners[0]),
        actor_for(db, make_member(db, s.org, "tutor")),
        actor_for(db, make_learner(db, s.org)),
        actor_for(db, make_staff(db, other_org)),
    ]
    for actor in refused:
        with pytest.raises(PlumeError) as err:
            attendance_pdf.slot_sheet_pdf(db, actor, s.slot.id or 0)
        assert _code(err) == ErrorCode.NOT_FOUND
        with pytest.raises(PlumeError) as err:
            attendance_pdf.session_sheets_pdf(db, actor, s.session.id or 0)
        assert _code(err) == ErrorCode.NOT_FOUND
    for missing in (unsigned.id or 0, 999_999):
        with pytest.raises(PlumeError) as err:
            attendance_pdf.slot_sheet_pdf(db, s.trainer, missing)
        assert _code(err) == ErrorCode.NOT_FOUND


def test_sixty_learners_flow_onto_more_pages(db: Session) -> None:
    s = _sheet(db, names=[("Apprenant", f"Numéro {n:02d}") for n in range(1, 61)])
    sid = s.slot.id or 0
    for learner in s.learners[::7]:
        actions.sign_as(
            db, s.trainer, sid, learner.id or 0, strokes=DRAWING, client_key="k" * 10, reason="Oubli du téléphone"
        )
    pages = _pages(attendance_pdf.slot_sheet_pdf(db, s.trainer, sid)[1])
    assert len(pages) > 1
    text = " ".join(pages)
    for learner in s.learners:
        assert text.count(learner.display_name) == 1
    assert "Claire Formatrice" in text and "Feuille non certifiée" in pages[-1]
    for number, page in enumerate(pages, start=1):
        assert "Empreinte de la chaîne :" in page and f"Page {number}" in page
    assert all("(suite)" in page for page in pages[1:])


def test_session_pdf_has_one_section_per_signed_slot_in_time_order(db: Session) -> None:
    s = _sheet(db, names=[("Zoé", "Lefèvre"), ("Adam", "Martin")])
    remote = Activity(module_id=s.module.id or 0, kind="virtual_class", title="Classe virtuelle du lendemain")
    quiz = Activity(module_id=s.module.id or 0, kind="quiz", title="Quiz final")
    db.add_all([remote, quiz])
    db.flush()
    later = s.slot.starts_at + timedelta(days=1)
    db.add_all(
        [
            Slot(
                session_id=s.session.id or 0, activity_id=remote.id, starts_at=later, ends_at=later + timedelta(hours=2)
            ),
            Slot(
                session_id=s.session.id or 0, activity_id=quiz.id, starts_at=later, ends_at=later + timedelta(hours=1)
            ),
        ]
    )
    db.commit()
    actions.sign(db, actor_for(db, s.learners[0]), s.slot.id or 0, DRAWING, "k" * 10)
    name, data = attendance_pdf.session_sheets_pdf(db, s.staff, s.session.id or 0)
    pages = _pages(data)
    assert name == "emargement-excel-avance-groupe-2.pdf"
    assert len(pages) == 2
    assert "Séance du matin" in pages[0] and "Classe virtuelle du lendemain" in pages[1]
    assert "Quiz final" not in " ".join(pages)
    for page in pages:
        assert page.count("Activité :") == 1 and "Zoé Lefèvre" in page and "Adam Martin" in page


def test_a_session_without_signed_slots_still_gives_one_page(db: Session) -> None:
    s = _sheet(db, names=[("Zoé", "Lefèvre")])
    db.delete(s.slot)
    db.commit()
    name, data = attendance_pdf.session_sheets_pdf(db, s.trainer, s.session.id or 0)
    pages = _pages(data)
    assert len(pages) == 1 and "Aucune demi-journée planifiée." in pages[0]
    assert "Organisme Équinoxe" in pages[0] and name == "emargement-excel-avance-groupe-2.pdf"


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)  # Paris is UTC+1 in November


def test_file_names_are_ascii_and_tell_half_days_apart() -> None:
    session = TrainingSession(
        id=4,
        organisation_id=1,
        course_id=1,
        title="Œuvres & Ça — Été 2026",
        starts_on=_at(1, 0).date(),
        ends_on=_at(1, 0).date(),
    )
    morning = Slot(id=1, session_id=4, starts_at=_at(21, 8), ends_at=_at(21, 11, 30))
    afternoon = Slot(id=2, session_id=4, starts_at=_at(21, 12, 30), ends_at=_at(21, 16))
    evening = Slot(id=3, session_id=4, starts_at=_at(22, 17), ends_at=_at(22, 19))
    early = Slot(id=4, session_id=4, starts_at=_at(23, 7), ends_at=_at(23, 8))
    late = Slot(id=5, session_id=4, starts_at=_at(23, 9), ends_at=_at(23, 10))
    every = [morning, afternoon, evening, early, late]
    assert (
        attendance_pdf.slot_filename(session, morning, every) == "emargement-oeuvres-ca-ete-2026-2026-11-21-matin.pdf"
    )
    assert attendance_pdf.slot_filename(session, afternoon, every).endswith("-2026-11-21-apres-midi.pdf")
    assert attendance_pdf.slot_filename(session, evening, every).endswith("-2026-11-22-18h00.pdf")
    assert attendance_pdf.slot_filename(session, early, every).endswith("-2026-11-23-08h00.pdf")
    assert attendance_pdf.slot_filename(session, late, every).endswith("-2026-11-23-10h00.pdf")
    assert attendance_pdf.session_filename(session) == "emargement-oeuvres-ca-ete-2026.pdf"
    session.title = "李"
    assert attendance_pdf.session_filename(session) == "emargement-session-4.pdf"
    assert printable("Ğül 李 😀\tfin") == "Gül ? ? fin"


def _token(db: Session, user: User) -> str:
    signed = open_session(db, user)
    db.commit()
    return signed.token


async def test_download_routes_send_the_pdf_to_trainers_and_the_same_404_to_others(db: Session) -> None:
    s = _sheet(db, names=[("Zoé", "Lefèvre")])
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://plume.test")
    slot_url, session_url = f"/api/attendance/slots/{s.slot.id}.pdf", f"/api/attendance/sessions/{s.session.id}.pdf"
    for url, name in (
        (slot_url, "emargement-excel-avance-groupe-2-"),
        (session_url, "emargement-excel-avance-groupe-2.pdf"),
    ):
        response = await client.get(url, headers={"Cookie": f"plume_session={_token(db, s.trainer_user)}"})
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"].startswith(f'attachment; filename="{name}')
        assert response.headers["cache-control"] == "private, no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["content-security-policy"] == "default-src 'none'"
    learner_token = _token(db, s.learners[0])
    bodies = set()
    for url in (slot_url, session_url, "/api/attendance/slots/999999.pdf"):
        for headers in ({}, {"Cookie": f"plume_session={learner_token}"}, {"Cookie": "plume_session=forged"}):
            response = await client.get(url, headers=headers)
            assert response.status_code == 404
            bodies.add(response.text)
    await client.aclose()
    assert bodies == {"Introuvable"}
    denied = db.exec(select(AuditRecord).where(AuditRecord.action == "access.denied")).all()
    assert {r.target for r in denied} == {f"slot:{s.slot.id}", f"session:{s.session.id}", "slot:999999"}
