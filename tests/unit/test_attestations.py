"""Attestations: hours from signed attendance, what the PDF says, the zip, exports and the public check."""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from pypdf import PdfReader
from sqlalchemy import event
from sqlmodel import Session, col, select

from app.api.attestations import verification_page
from app.api.routes import build_api
from app.documents import attestation_pdf
from app.i18n import error_text, t
from app.models import (
    Activity,
    AttendanceRecord,
    Attestation,
    AuditRecord,
    Course,
    Enrolment,
    Module,
    Organisation,
    Slot,
    TrainingCompletion,
    TrainingSession,
    User,
)
from app.models.base import utcnow
from app.services import attestations, finishing
from app.services.actor import Actor
from app.services.attendance import actions, chain, window
from app.services.auth import open_session
from app.services.errors import ErrorCode, PlumeError
from app.settings import reset_settings
from tests.factories import (
    actor_for,
    assign_tutor,
    make_learner,
    make_member,
    make_org,
    make_session,
    make_staff,
    make_trainer,
)

DRAWING = "10,10 200,120 380,40|400,300 420,310"
KEY = "k" * 10


@dataclass
class World:
    org: Organisation
    session: TrainingSession
    course: Course
    slots: list[Slot]
    trainer: Actor
    staff: Actor
    tutor_user: User
    tutor: Actor
    learners: list[User]


def _world(db: Session, names: list[tuple[str, str]]) -> World:
    org = make_org(db, "Organisme Équinoxe")
    trainer = make_trainer(db, org, first_name="Claire", last_name="Formatrice")
    learners = [make_learner(db, org, first_name=first, last_name=last) for first, last in names]
    session = make_session(
        db,
        org,
        start=date(2026, 3, 2),
        end=date(2026, 3, 20),
        trainers=(trainer,),
        learners=tuple(learners),
    )
    session.title = "Excel avancé — groupe 2"
    course = db.get(Course, session.course_id)
    assert course is not None
    course.title, course.in_person_hours, course.remote_hours = "Excel avancé", 14, 3.5
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add_all([session, course, module])
    db.flush()
    room = Activity(module_id=module.id or 0, kind="in_person", title="Séance")
    remote = Activity(module_id=module.id or 0, kind="virtual_class", title="Classe virtuelle")
    quiz = Activity(module_id=module.id or 0, kind="quiz", title="Quiz")
    db.add_all([room, remote, quiz])
    db.flush()
    now = utcnow()
    # The first slot is running (its sheet can be signed and certified); the others are over.
    spans = [
        (room, now - timedelta(minutes=10), timedelta(hours=3)),
        (room, now - timedelta(days=1, hours=6), timedelta(hours=3, minutes=30)),
        (remote, now - timedelta(days=2, hours=6), timedelta(hours=2)),
        (quiz, now - timedelta(days=3), timedelta(hours=5)),  # not an attendance sheet: never counted
    ]
    slots = [
        Slot(session_id=session.id or 0, activity_id=activity.id, starts_at=start, ends_at=start + length)
        for activity, start, length in spans
    ]
    db.add_all(slots)
    db.commit()
    tutor = make_member(db, org, "tutor")
    assign_tutor(db, session, tutor)
    return World(
        org=org,
        session=session,
        course=course,
        slots=slots,
        trainer=actor_for(db, trainer),
        staff=actor_for(db, make_staff(db, org)),
        tutor_user=tutor,
        tutor=actor_for(db, tutor),
        learners=learners,
    )


def _sign_as(db: Session, w: World, slot: Slot, learner: User) -> None:
    actions.sign_as(
        db, w.trainer, slot.id or 0, learner.id or 0, strokes=DRAWING, client_key=KEY, reason="Sur le poste"
    )


def _finish(db: Session, w: World, *learners: User) -> None:
    """The tutor declares the learners' training finished ("Formation terminée"): the attestation's gate."""
    finishing.mark_finished(db, w.tutor, w.session.id or 0, [u.id or 0 for u in learners])
    db.commit()


def _attend(db: Session, w: World, *learners: User) -> None:
    """Each learner signs the half-day already over (3 h 30), and their training is declared finished."""
    for learner in learners:
        _sign_as(db, w, w.slots[1], learner)
    _finish(db, w, *learners)


def _text(data: bytes) -> str:
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    return " ".join((reader.pages[0].extract_text() or "").split())


def _code(err: pytest.ExceptionInfo[PlumeError]) -> ErrorCode:
    return err.value.code


@pytest.fixture
def files_dir(db: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    directory = tmp_path / "files"
    monkeypatch.setenv("PLUME_FILES_DIR", str(directory))
    reset_settings()
    return directory


def test_hours_count_signed_slots_and_follow_corrections(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin"), ("Inès", "Roux"), ("Léa", "Absente")])
    zoe, adam, ines, lea = w.learners
    running, past, remote, quiz = w.slots
    # Zoé: two slots signed (3 h + 3 h 30), absent from the third.
    _sign_as(db, w, running, zoe)
    _sign_as(db, w, past, zoe)
    actions.mark(db, w.trainer, remote.id or 0, zoe.id or 0, status="absent", comment="Malade")
    # Adam signed the running slot, but a correction after certification says absent.
    _sign_as(db, w, running, adam)
    _sign_as(db, w, remote, adam)
    # Inès never signed: marked late only (no proof), then corrected to present on the running slot.
    actions.mark(db, w.trainer, past.id or 0, ines.id or 0, status="late", comment="")
    actions.sign(db, w.trainer, running.id or 0, DRAWING, KEY)
    actions.certify(db, w.trainer, running.id or 0)
    actions.correct(db, w.staff, running.id or 0, adam.id or 0, status="absent", reason="Parti à 9 h")
    actions.correct(db, w.staff, running.id or 0, ines.id or 0, status="present", reason="Feuille papier")
    sid = w.session.id or 0
    assert attestations.hours_attended(db, sid, zoe.id or 0) == 6.5
    assert attestations.hours_attended(db, sid, adam.id or 0) == 2
    assert attestations.hours_attended(db, sid, ines.id or 0) == 3
    assert attestations.hours_attended(db, sid, lea.id or 0) == 0
    # A signature on a slot without an attendance sheet (not possible through the services) counts for nothing.
    chain.append_record(
        db,
        AttendanceRecord(
            organisation_id=w.org.id or 0,
            seq=0,
            session_id=sid,
            slot_id=quiz.id or 0,
            kind="signature",
            subject_user_id=lea.id,
            subject_role="learner",
            status="present",
            recorded_by_id=lea.id or 0,
            prev_hash="",
            hash="",
        ),
    )
    assert attestations.hours_attended(db, sid, lea.id or 0) == 0


def test_hours_round_to_the_nearest_quarter_hour() -> None:
    assert attestations.round_hours(0) == 0
    assert attestations.round_hours(1 + 7 / 60) == 1  # 1 h 07
    assert attestations.round_hours(1 + 8 / 60) == 1.25  # 1 h 08 (half of 15 min rounds up at 7.5)
    assert attestations.round_hours(3.5) == 3.5
    assert attestations.round_hours(2 + 52 / 60) == 2.75
    assert attestation_pdf.hours_label(6.5) == "6 h 30"
    assert attestation_pdf.hours_label(7) == "7 h"
    assert attestation_pdf.hours_label(0.25) == "0 h 15"


def test_the_pdf_says_who_what_when_how_long_and_how_to_check_it(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    running, past, remote, _ = w.slots
    _sign_as(db, w, running, zoe)
    _sign_as(db, w, past, zoe)
    actions.mark(db, w.trainer, remote.id or 0, zoe.id or 0, status="absent", comment="")
    enrolment = db.exec(select(Enrolment).where(Enrolment.user_id == zoe.id)).one()
    enrolment.progress = 80
    db.add(enrolment)
    db.commit()
    _finish(db, w, zoe)

    (data,) = attestations.issue(db, w.tutor, w.session.id or 0, [zoe.id or 0])
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", data.code)
    assert data.hours_attended == 6.5 and data.progress == 80 and data.planned_hours == 17.5
    text = _text(attestation_pdf.build_pdf(data))
    assert "Attestation de fin de formation" in text
    assert "Organisme Équinoxe" in text
    assert "Zoé Lefèvre" in text
    assert "Excel avancé" in text and "Excel avancé — groupe 2" in text
    assert "du 02/03/2026 au 20/03/2026" in text
    assert "17 h 30 (dont 14 h en présentiel et 3 h 30 à distance)" in text
    assert "ne tient pas compte du temps passé ni de la participation aux activités" in text
    assert "Heures de présence 6 h 30" in text
    assert "80 %" in text
    assert f"Fait le {utcnow().astimezone(window.PARIS):%d/%m/%Y}" in text
    assert f"Code de vérification : {data.code}" in text
    assert f"http://plume.test/api/attestations/verifier/{data.code}" in text
    assert "Signature et cachet" in text
    assert not PdfReader(io.BytesIO(attestation_pdf.build_pdf(data))).pages[0].images

    stored = db.exec(select(Attestation).where(Attestation.code == data.code)).one()
    assert (stored.user_id, stored.session_id, stored.hours_attended, stored.progress) == (
        zoe.id,
        w.session.id,
        6.5,
        80,
    )
    assert stored.issued_by_id == w.tutor.user_id
    assert attestation_pdf.filename(data) == f"attestation-lefevre-zoe-{zoe.id}.pdf"


def test_the_longest_titles_and_names_still_fit_above_the_footer() -> None:
    long = "Wwwwwwwww " * 20  # 200 characters, the columns' limit, in the widest letters
    data = attestations.AttestationData(
        code="K7QM-2XWP-HR9D",
        user_id=7,
        first_name=long[:100],
        last_name=long[:100],
        learner_name=long,
        organisation=long,
        course_title=long,
        session_title=long,
        starts_on=date(2026, 3, 2),
        ends_on=date(2026, 3, 20),
        in_person_hours=14,
        remote_hours=3.5,
        planned_hours=17.5,
        hours_attended=6.5,
        progress=80,
        issued_at=utcnow(),
        verify_url="https://formation.un-organisme-au-nom-assez-long.example.fr/api/attestations/verifier/K7QM-2XWP-HR9D",
    )
    placed: list[tuple[float, str]] = []
    reader = PdfReader(io.BytesIO(attestation_pdf.build_pdf(data)))
    assert len(reader.pages) == 1
    reader.pages[0].extract_text(visitor_text=lambda text, _cm, tm, _font, _size: placed.append((tm[5], text.strip())))
    footer = ("Code de vérification", "Vérifiez", "https://", "Éditée par")
    body = [y for y, text in placed if text and not text.startswith(footer)]
    assert body and min(body) > attestation_pdf.FOOTER_TOP
    assert any(text.startswith("https://formation.") and text.endswith("K7QM-2XWP-HR9D") for _, text in placed)


def test_only_staff_and_the_session_s_tutors_may_issue(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    _attend(db, w, w.learners[0])
    sid, ids = w.session.id or 0, [w.learners[0].id or 0]
    other_org = make_org(db)
    refused = [
        actor_for(db, make_member(db, w.org, "tutor")),  # a tutor not positioned on the session
        w.trainer,
        actor_for(db, w.learners[0]),
        actor_for(db, make_staff(db, other_org)),
    ]
    for actor in refused:
        with pytest.raises(PlumeError) as err:
            attestations.issue(db, actor, sid, ids)
        assert _code(err) == ErrorCode.NOT_FOUND
        with pytest.raises(PlumeError) as err:
            attestations.learner_pdf(db, actor, sid, ids[0])
        assert _code(err) == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:
        attestations.issue(db, w.staff, 999_999, ids)
    assert _code(err) == ErrorCode.NOT_FOUND
    assert len(attestations.issue(db, w.staff, sid, ids)) == 1
    assert db.exec(select(Attestation)).all()[0].issued_by_id == w.staff.user_id


def test_ids_not_enrolled_are_ignored_and_an_empty_choice_is_refused(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin")])
    zoe, adam = w.learners
    _attend(db, w, adam)
    outsider = make_learner(db, w.org)
    sid = w.session.id or 0
    issued = attestations.issue(db, w.tutor, sid, [adam.id or 0, outsider.id or 0, 123_456, "1", True, adam.id or 0])
    assert [d.user_id for d in issued] == [adam.id]
    for bad in ([], [outsider.id or 0], ["x"], "1,2", None, list(range(1, attestations.MAX_LEARNERS + 2))):
        with pytest.raises(PlumeError) as err:
            attestations.issue(db, w.tutor, sid, bad)
        assert _code(err) == ErrorCode.INVALID_INPUT
    with pytest.raises(PlumeError) as err:
        attestations.learner_pdf(db, w.tutor, sid, outsider.id or 0)
    assert _code(err) == ErrorCode.NOT_FOUND
    assert db.exec(select(Attestation.user_id)).all() == [adam.id]
    audits = db.exec(select(AuditRecord).where(AuditRecord.action == "attestation.issue")).all()
    assert len(audits) == 1 and audits[0].target == f"session:{sid}"
    assert json.loads(audits[0].after) == {"count": 1, "learners": [adam.id], "again": 0}
    assert zoe.id not in json.loads(audits[0].after)["learners"]


def test_asking_again_gives_the_same_attestation_until_its_content_changes(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _attend(db, w, zoe)
    sid = w.session.id or 0
    (first,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    (again,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    assert (again.code, again.issued_at) == (first.code, first.issued_at)
    assert len(db.exec(select(Attestation)).all()) == 1
    enrolment = db.exec(select(Enrolment).where(Enrolment.session_id == sid, Enrolment.user_id == zoe.id)).one()
    enrolment.progress = 50  # the learner progressed: a new attestation, with a new code
    db.add(enrolment)
    db.flush()
    (later,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    assert later.code != first.code and later.progress == 50
    assert len(db.exec(select(Attestation)).all()) == 2


def test_the_zip_holds_one_pdf_per_learner_with_their_name(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin"), ("Émile", "Durand")])
    _attend(db, w, *w.learners)
    ids = [u.id or 0 for u in w.learners]
    name, data = attestations.build_bundle(db, w.staff, w.session.id or 0, ids)
    assert name == "attestations-excel-avance-groupe-2.zip"
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    zoe, adam, emile = w.learners
    assert archive.namelist() == [  # by last name
        f"attestation-durand-emile-{emile.id}.pdf",
        f"attestation-lefevre-zoe-{zoe.id}.pdf",
        f"attestation-martin-adam-{adam.id}.pdf",
    ]
    codes = set()
    for entry, learner in zip(archive.namelist(), (emile, zoe, adam), strict=True):
        text = _text(archive.read(entry))
        assert learner.display_name in text
        assert all(other.display_name not in text for other in w.learners if other is not learner)
        found = re.search(r"Code de vérification : ([A-Z0-9-]{14})", text)
        assert found is not None
        codes.add(found.group(1))
    assert len(codes) == 3
    assert set(db.exec(select(Attestation.code)).all()) == codes


def test_a_batch_takes_a_bounded_number_of_queries(db: Session) -> None:
    w = _world(db, [(f"Prénom{n}", f"Nom{n:03d}") for n in range(40)])
    running, past, _, _ = w.slots
    for learner in w.learners[::3]:
        _sign_as(db, w, running, learner)
        _sign_as(db, w, past, learner)
    _finish(db, w, *w.learners[::3])
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        issued = attestations.issue(db, w.tutor, w.session.id or 0, [u.id or 0 for u in w.learners])
    finally:
        event.remove(engine, "before_cursor_execute", count)
    attended = w.learners[::3]
    assert len(issued) == len(attended) == 14  # the 26 not declared "Formation terminée" are refused
    assert {d.hours_attended for d in issued} == {6.5}
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 10, selects


def test_verify_finds_the_code_and_rejects_an_unknown_one(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _sign_as(db, w, w.slots[1], zoe)
    _finish(db, w, zoe)
    (data,) = attestations.issue(db, w.tutor, w.session.id or 0, [zoe.id or 0])
    db.commit()
    found = attestations.verify(db, data.code)
    assert found is not None
    assert (found.learner_name, found.organisation, found.course_title, found.session_title) == (
        "Zoé Lefèvre",
        "Organisme Équinoxe",
        "Excel avancé",
        "Excel avancé — groupe 2",
    )
    assert (found.starts_on, found.ends_on, found.hours_attended) == (date(2026, 3, 2), date(2026, 3, 20), 3.5)
    assert attestations.verify(db, data.code.lower().replace("-", " ")) == found  # as typed from paper
    for unknown in ("AAAA-BBBB-CCCC", "", "x" * 500, "<script>", None, 42):
        assert attestations.verify(db, unknown) is None
    page, status = verification_page(found)
    assert status == 200 and "Attestation authentique" in page and "Zoé Lefèvre" in page and "3 h 30" in page
    assert "du 02/03/2026 au 20/03/2026" in page and "Organisme Équinoxe" in page
    page, status = verification_page(None)
    assert status == 404 and "Code inconnu" in page


def test_the_verification_page_escapes_everything(db: Session) -> None:
    w = _world(db, [('<img src=x onerror="alert(1)">', "O'Brien & <b>Fils</b>")])
    _attend(db, w, w.learners[0])
    (data,) = attestations.issue(db, w.staff, w.session.id or 0, [w.learners[0].id or 0])
    db.commit()
    page, _ = verification_page(attestations.verify(db, data.code))
    assert "<img" not in page and "<b>" not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page and "O&#x27;Brien &amp; &lt;b&gt;Fils" in page


def test_a_prepared_export_is_fetched_only_by_its_owner_before_it_expires(db: Session, files_dir: Path) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin")])
    _attend(db, w, *w.learners)
    token = attestations.prepare_download(db, w.tutor, w.session.id or 0, [u.id or 0 for u in w.learners]).token
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
    assert attestations.export_url(token) == f"/api/attestations/exports/{token}.zip"
    path, name = attestations.open_export(w.tutor, token)
    assert path == files_dir / "exports" / f"{token}.zip"
    assert name == "attestations-excel-avance-groupe-2.zip"
    assert len(zipfile.ZipFile(path).namelist()) == 2
    assert len(db.exec(select(Attestation)).all()) == 2  # committed before the file exists
    for actor, asked in ((w.staff, token), (w.trainer, token), (w.tutor, "A" * 32), (w.tutor, "../../x.json")):
        with pytest.raises(PlumeError) as err:
            attestations.open_export(actor, asked)
        assert _code(err) == ErrorCode.NOT_FOUND
    later = utcnow() + attestations.EXPORT_TTL + timedelta(seconds=1)
    with pytest.raises(PlumeError) as err:
        attestations.open_export(w.tutor, token, now=later)
    assert _code(err) == ErrorCode.NOT_FOUND
    assert attestations.remove_expired_exports(now=later) == 2
    assert not list((files_dir / "exports").iterdir())


def test_old_exports_are_removed_when_a_new_one_is_prepared(db: Session, files_dir: Path) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    exports = files_dir / "exports"
    exports.mkdir(parents=True)
    expired = {"user_id": w.tutor.user_id, "expires_at": (utcnow() - timedelta(minutes=1)).isoformat(), "name": "x"}
    (exports / ("o" * 32 + ".json")).write_text(json.dumps(expired))
    (exports / ("o" * 32 + ".zip")).write_bytes(b"old")
    _attend(db, w, w.learners[0])
    token = attestations.prepare_download(db, w.tutor, w.session.id or 0, [w.learners[0].id or 0]).token
    assert sorted(p.name for p in exports.iterdir()) == sorted([f"{token}.json", f"{token}.zip"])


def _cookie(db: Session, user: User) -> dict[str, str]:
    signed = open_session(db, user)
    db.commit()
    return {"Cookie": f"plume_session={signed.token}"}


async def test_routes_send_files_to_whom_they_belong_and_the_same_404_to_others(db: Session, files_dir: Path) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _attend(db, w, zoe)
    sid = w.session.id or 0
    token = attestations.prepare_download(db, w.tutor, sid, [zoe.id or 0]).token
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://plume.test")
    tutor_cookie = _cookie(db, w.tutor_user)

    response = await client.get(f"/api/attestations/exports/{token}.zip", headers=tutor_cookie)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == 'attachment; filename="attestations-excel-avance-groupe-2.zip"'
    assert response.headers["x-content-type-options"] == "nosniff"
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist() == [f"attestation-lefevre-zoe-{zoe.id}.pdf"]

    learner_url = f"/api/attestations/sessions/{sid}/learners/{zoe.id}.pdf"
    response = await client.get(learner_url, headers=tutor_cookie)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'attachment; filename="attestation-lefevre-zoe-{zoe.id}.pdf"'
    assert "Zoé Lefèvre" in _text(response.content)

    other_cookie = _cookie(db, make_member(db, w.org, "tutor"))
    outsider = make_learner(db, w.org)
    bodies = set()
    for url in (f"/api/attestations/exports/{token}.zip", learner_url, f"/api/attestations/exports/{'B' * 32}.zip"):
        for headers in ({}, other_cookie, {"Cookie": "plume_session=forged"}):
            response = await client.get(url, headers=headers)
            assert response.status_code == 404, url
            bodies.add(response.text)
    not_enrolled = f"/api/attestations/sessions/{sid}/learners/{outsider.id}.pdf"
    response = await client.get(not_enrolled, headers=tutor_cookie)
    assert response.status_code == 404
    bodies.add(response.text)
    assert bodies == {"Introuvable"}

    code = db.exec(select(Attestation.code).order_by(col(Attestation.id))).first()
    response = await client.get(f"/api/attestations/verifier/{code}")
    assert response.status_code == 200 and "Attestation authentique" in response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["content-type"].startswith("text/html")
    response = await client.get("/api/attestations/verifier/%3Cscript%3E")
    assert response.status_code == 404 and "Code inconnu" in response.text and "<script>" not in response.text
    await client.aclose()
    denied = db.exec(select(AuditRecord).where(AuditRecord.action == "access.denied")).all()
    assert f"session:{sid}:learner:{zoe.id}" in {r.target for r in denied}


async def test_a_get_downloads_what_was_issued_and_never_issues(db: Session, files_dir: Path) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _attend(db, w, zoe)
    sid = w.session.id or 0
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://plume.test")
    tutor_cookie = _cookie(db, w.tutor_user)
    url = attestations.learner_pdf_url(sid, zoe.id or 0)

    for _ in range(2):
        response = await client.get(url, headers=tutor_cookie)
        assert response.status_code == 404 and response.text == "Introuvable"
    db.expire_all()
    assert db.exec(select(Attestation)).all() == []
    assert db.exec(select(AuditRecord).where(AuditRecord.action == "attestation.issue")).all() == []

    assert attestations.issue_for_learner(db, w.tutor, sid, zoe.id or 0) == url
    db.commit()
    (issued,) = db.exec(select(Attestation)).all()
    for _ in range(2):
        response = await client.get(url, headers=tutor_cookie)
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        assert issued.code in _text(response.content)
    post = await client.post(url, headers=tutor_cookie)
    assert post.status_code == 405
    await client.aclose()
    db.expire_all()
    assert len(db.exec(select(Attestation)).all()) == 1
    assert len(db.exec(select(AuditRecord).where(AuditRecord.action == "attestation.issue")).all()) == 1


def test_issuing_one_learner_is_for_staff_and_the_session_s_tutors_only(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    sid, zoe = w.session.id or 0, w.learners[0]
    outsider = make_learner(db, w.org)
    for actor, user_id in (
        (w.trainer, zoe.id or 0),
        (actor_for(db, zoe), zoe.id or 0),
        (actor_for(db, make_member(db, w.org, "tutor")), zoe.id or 0),
        (w.tutor, outsider.id or 0),
    ):
        with pytest.raises(PlumeError) as err:
            attestations.issue_for_learner(db, actor, sid, user_id)
        assert _code(err) == ErrorCode.NOT_FOUND
    assert db.exec(select(Attestation)).all() == []


# --- An attestation certifies training that took place ----------------------------------------------


def test_nothing_is_issued_before_formation_terminee(db: Session, files_dir: Path) -> None:
    """The gate is "Formation terminée" for that learner (it replaced "after the start, with hours attended")."""
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _sign_as(db, w, w.slots[1], zoe)  # 3 h 30 signed: not enough without the declaration
    sid, ids = w.session.id or 0, [zoe.id or 0]
    for attempt in (
        lambda: attestations.issue(db, w.tutor, sid, ids),
        lambda: attestations.issue_for_learner(db, w.tutor, sid, zoe.id or 0),
    ):
        with pytest.raises(PlumeError) as err:
            attempt()
        assert _code(err) == ErrorCode.ATTESTATION_NOT_FINISHED
    assert attestations.prepare_download(db, w.tutor, sid, ids) == attestations.PreparedExport(
        token="", issued=0, refused={ErrorCode.ATTESTATION_NOT_FINISHED: 1}
    )
    assert db.exec(select(Attestation)).all() == []
    assert not (files_dir / "exports").exists() or not list((files_dir / "exports").iterdir())
    assert "Formation terminée" in error_text("fr", ErrorCode.ATTESTATION_NOT_FINISHED.value)
    assert "Training finished" in error_text("en", ErrorCode.ATTESTATION_NOT_FINISHED.value)
    _finish(db, w, zoe)
    (data,) = attestations.issue(db, w.tutor, sid, ids)
    assert data.hours_attended == 3.5


def test_a_finished_learner_with_no_hour_attended_gets_one_saying_0_h(db: Session) -> None:
    """Hours attended are stated, not required: the declaration is the gate (seed 003)."""
    w = _world(db, [("Zoé", "Lefèvre"), ("Léa", "Absente")])
    zoe, lea = w.learners
    running, past, _, _ = w.slots
    _attend(db, w, zoe)
    # Léa was marked late (no signature: no proof), then absent: 0 h.
    actions.mark(db, w.trainer, running.id or 0, lea.id or 0, status="late", comment="")
    actions.mark(db, w.trainer, past.id or 0, lea.id or 0, status="absent", comment="")
    db.commit()
    sid = w.session.id or 0
    assert attestations.hours_attended(db, sid, lea.id or 0) == 0
    # In a batch, Zoé gets hers and Léa (not declared finished) is counted as refused, with the reason.
    outcome = attestations.issue_batch(db, w.tutor, sid, [zoe.id or 0, lea.id or 0])
    assert [d.user_id for d in outcome.attestations] == [zoe.id]
    assert outcome.refused == {ErrorCode.ATTESTATION_NOT_FINISHED: [lea.id]} and outcome.refused_count == 1
    _finish(db, w, lea)
    (data,) = attestations.issue(db, w.tutor, sid, [lea.id or 0])
    assert (data.hours_attended, data.planned_hours) == (0, 17.5)
    db.commit()
    assert "Heures de présence 0 h" in _text(attestations.learner_pdf(db, w.tutor, sid, lea.id or 0)[1])


def test_formation_terminee_records_who_and_when_and_undoing_it_revokes(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin")])
    zoe, adam = w.learners
    sid = w.session.id or 0
    outsider = make_learner(db, w.org)
    assert finishing.mark_finished(db, w.tutor, sid, [zoe.id or 0, adam.id or 0, outsider.id or 0]) == 2
    assert finishing.mark_finished(db, w.staff, sid, [zoe.id or 0]) == 0  # the first decision stays
    db.commit()
    rows = db.exec(select(TrainingCompletion).order_by(col(TrainingCompletion.user_id))).all()
    assert [(r.user_id, r.decided_by_id) for r in rows] == [(zoe.id, w.tutor.user_id), (adam.id, w.tutor.user_id)]
    assert all(r.decided_at is not None for r in rows)
    (data,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    db.commit()
    assert verification_page(attestations.verify(db, data.code))[0].count("Attestation authentique") >= 1

    assert finishing.undo_finished(db, w.tutor, sid, [zoe.id or 0]) == 1
    db.commit()
    assert finishing.finished_ids(db, sid) == {adam.id}
    found = attestations.verify(db, data.code)
    assert found is not None and found.revoked_at is not None
    page, status = verification_page(found)
    today = f"{utcnow().astimezone(window.PARIS):%d/%m/%Y}"
    assert status == 200 and "Attestation révoquée" in page and f"révoquée le {today}" in page
    assert "Attestation authentique" not in page
    with pytest.raises(PlumeError) as err:  # the revoked PDF is no longer served
        attestations.learner_pdf(db, w.tutor, sid, zoe.id or 0)
    assert _code(err) == ErrorCode.NOT_FOUND
    with pytest.raises(PlumeError) as err:
        attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    assert _code(err) == ErrorCode.ATTESTATION_NOT_FINISHED
    audit = db.exec(select(AuditRecord).where(AuditRecord.action == "training.unfinished")).one()
    assert json.loads(audit.before) == {"learners": [zoe.id]} and json.loads(audit.after) == {"revoked": [data.code]}
    assert audit.actor_user_id == w.tutor.user_id
    # Finished again: a new attestation with a new code; the revoked one stays revoked.
    _finish(db, w, zoe)
    (again,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    assert again.code != data.code
    db.commit()
    assert attestations.verify(db, data.code).revoked_at is not None  # type: ignore[union-attr]


def test_only_staff_trainers_and_tutors_of_the_session_finish_and_never_once_archived(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    sid, ids = w.session.id or 0, [zoe.id or 0]
    other_trainer = make_trainer(db, w.org)
    make_session(db, w.org, start=date(2026, 3, 2), end=date(2026, 3, 20), trainers=(other_trainer,))
    for actor in (
        actor_for(db, zoe),
        actor_for(db, other_trainer),  # a trainer of another session
        actor_for(db, make_member(db, w.org, "tutor")),
        actor_for(db, make_staff(db, make_org(db))),
    ):
        for work in (finishing.mark_finished, finishing.undo_finished):
            with pytest.raises(PlumeError) as err:
                work(db, actor, sid, ids)
            assert _code(err) == ErrorCode.NOT_FOUND
    assert finishing.mark_finished(db, w.trainer, sid, ids) == 1
    assert finishing.undo_finished(db, w.staff, sid, ids) == 1
    assert finishing.concludable(db, w.tutor, [sid]) and not finishing.concludable(db, actor_for(db, zoe), [sid])
    w.session.status = "archived"
    db.add(w.session)
    db.commit()
    assert not finishing.concludable(db, w.tutor, [sid])  # the centre offers nothing once archived
    for actor in (w.tutor, w.trainer, w.staff):
        with pytest.raises(PlumeError) as err:
            finishing.mark_finished(db, actor, sid, ids)
        assert _code(err) == ErrorCode.NOT_FOUND


def test_the_merged_pdf_has_one_page_per_finished_learner(db: Session, files_dir: Path) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin"), ("Émile", "Durand")])
    zoe, adam, emile = w.learners
    _attend(db, w, zoe, emile)
    sid = w.session.id or 0
    name, data = attestations.build_bundle(db, w.staff, sid, [u.id or 0 for u in w.learners], merged=True)
    assert name == "attestations-excel-avance-groupe-2.pdf"
    pages = PdfReader(io.BytesIO(data)).pages
    assert [p.extract_text().count(n) > 0 for p, n in zip(pages, ("Émile Durand", "Zoé Lefèvre"), strict=True)] == [
        True,
        True,
    ]
    export = attestations.prepare_download(db, w.tutor, sid, [u.id or 0 for u in w.learners], merged=True)
    assert (export.issued, export.refused) == (2, {ErrorCode.ATTESTATION_NOT_FINISHED: 1})
    path, download_name = attestations.open_export(w.tutor, export.token)
    assert download_name.endswith(".pdf") and len(PdfReader(path).pages) == 2
    assert attestations.export_url(export.token, merged=True).endswith(".pdf")
    assert adam.id not in {a.user_id for a in db.exec(select(Attestation)).all()}


def test_issued_after_the_start_with_hours_attended_and_the_course_s_planned_duration(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _, past, remote, _ = w.slots
    _sign_as(db, w, past, zoe)
    _sign_as(db, w, remote, zoe)
    _finish(db, w, zoe)
    sid = w.session.id or 0
    (data,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    assert (data.hours_attended, data.planned_hours, data.in_person_hours, data.remote_hours) == (5.5, 17.5, 14, 3.5)
    db.commit()
    name, pdf = attestations.learner_pdf(db, w.tutor, sid, zoe.id or 0)
    text = _text(pdf)
    assert "Durée prévue 17 h 30 (dont 14 h en présentiel et 3 h 30 à distance)" in text
    assert "Heures de présence 5 h 30" in text
    assert name == f"attestation-lefevre-zoe-{zoe.id}.pdf"


def test_a_course_without_hours_plans_the_length_of_the_session_s_slots(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    _attend(db, w, zoe)
    w.course.in_person_hours, w.course.remote_hours = 0, 0
    # A tutor's virtual class for one learner only is extra, not part of everyone's planned duration.
    module = db.exec(select(Module).where(Module.session_id == w.session.id)).one()
    extra = Activity(
        module_id=module.id or 0,
        kind="virtual_class",
        title="Tutorat",
        settings_json=json.dumps({"invitees": [zoe.id]}),
    )
    db.add_all([w.course, extra])
    db.flush()
    start = utcnow() - timedelta(days=4)
    db.add(
        Slot(session_id=w.session.id or 0, activity_id=extra.id, starts_at=start, ends_at=start + timedelta(hours=1))
    )
    db.commit()
    sid = w.session.id or 0
    (data,) = attestations.issue(db, w.tutor, sid, [zoe.id or 0])
    # Half-days of 3 h and 3 h 30 in the room, a 2 h virtual class; the quiz's slot has no sheet.
    assert (data.planned_hours, data.in_person_hours, data.remote_hours) == (8.5, 6.5, 2)
    db.commit()
    _, pdf = attestations.learner_pdf(db, w.tutor, sid, zoe.id or 0)
    assert "Durée prévue 8 h 30 (dont 6 h 30 en présentiel et 2 h à distance)" in _text(pdf)


def test_a_session_without_attendance_sheets_needs_formation_terminee_too(db: Session) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin")])
    zoe, adam = w.learners
    for slot in w.slots:  # a distance course: no half-day, no virtual class
        db.delete(slot)
    enrolment = db.exec(select(Enrolment).where(Enrolment.user_id == zoe.id)).one()
    enrolment.progress = 40
    db.add(enrolment)
    db.commit()
    _finish(db, w, zoe)
    outcome = attestations.issue_batch(db, w.tutor, w.session.id or 0, [zoe.id or 0, adam.id or 0])
    assert [(d.user_id, d.hours_attended, d.progress) for d in outcome.attestations] == [(zoe.id, 0, 40)]
    assert outcome.refused == {ErrorCode.ATTESTATION_NOT_FINISHED: [adam.id]}
    with pytest.raises(PlumeError) as err:
        attestations.issue_for_learner(db, w.tutor, w.session.id or 0, adam.id or 0)
    assert _code(err) == ErrorCode.ATTESTATION_NOT_FINISHED


def test_the_bulk_action_counts_what_it_issued_and_what_it_refused(db: Session, files_dir: Path) -> None:
    w = _world(db, [("Zoé", "Lefèvre"), ("Adam", "Martin"), ("Émile", "Durand"), ("Léa", "Absente")])
    zoe, adam, emile, lea = w.learners
    _attend(db, w, zoe, emile)
    sid = w.session.id or 0
    export = attestations.prepare_download(db, w.tutor, sid, [u.id or 0 for u in w.learners])
    assert (export.issued, export.refused) == (2, {ErrorCode.ATTESTATION_NOT_FINISHED: 2})
    path, _ = attestations.open_export(w.tutor, export.token)
    assert zipfile.ZipFile(path).namelist() == [
        f"attestation-durand-emile-{emile.id}.pdf",
        f"attestation-lefevre-zoe-{zoe.id}.pdf",
    ]
    db.expire_all()
    assert sorted(db.exec(select(Attestation.user_id)).all()) == sorted([zoe.id, emile.id])
    # Only learners not declared finished: nothing issued, no zip, and the count says why.
    nobody = attestations.prepare_download(db, w.tutor, sid, [adam.id or 0, lea.id or 0])
    assert nobody == attestations.PreparedExport(token="", issued=0, refused={ErrorCode.ATTESTATION_NOT_FINISHED: 2})
    assert len(list((files_dir / "exports").iterdir())) == 2  # the first export's zip and sidecar only
    assert len(db.exec(select(Attestation)).all()) == 2
    # Every reason a batch counts has its words in both languages.
    for lang in ("fr", "en"):
        for code in attestations.REFUSALS:
            assert t(lang, f"error.{code.value}") != f"error.{code.value}"
        for code in attestations.REFUSALS:
            assert "2" in t(lang, f"tutoring.refused.{code.value}", count="2")
        assert t(lang, "tutoring.attestations_refused", count="2", reasons="x").count("2") == 1


def test_attestations_issued_earlier_still_verify(db: Session) -> None:
    """Rows issued before these rules (even at 0 h) stay authentic on the public page."""
    w = _world(db, [("Zoé", "Lefèvre")])
    (zoe,) = w.learners
    code = attestations.new_code()
    db.add(
        Attestation(
            session_id=w.session.id or 0,
            user_id=zoe.id or 0,
            code=code,
            hours_attended=0,
            progress=0,
            issued_by_id=w.tutor.user_id,
            issued_at=utcnow() - timedelta(days=30),
        )
    )
    db.commit()
    found = attestations.verify(db, code)
    assert found is not None and (found.learner_name, found.hours_attended) == ("Zoé Lefèvre", 0)
    page, status = verification_page(found)
    assert status == 200 and "Attestation authentique" in page


def test_the_demo_s_finished_session_has_learners_declared_finished_and_two_not(db: Session) -> None:
    from app.services.seed import seed_demo

    seed_demo(db)
    db.commit()
    gestes = db.exec(select(TrainingSession).where(TrainingSession.title.startswith("Gestes et postures"))).one()  # type: ignore[attr-defined]
    staff = actor_for(db, db.exec(select(User).where(User.email == "staff@demo.plume.test")).one())
    staff = staff.__class__(**{**staff.__dict__, "organisation_id": gestes.organisation_id})
    ids = list(db.exec(select(Enrolment.user_id).where(Enrolment.session_id == gestes.id)).all())
    outcome = attestations.issue_batch(db, staff, gestes.id or 0, ids)
    assert len(outcome.attestations) == 8 and outcome.refused_count == 2
    assert all(d.planned_hours > 0 for d in outcome.attestations)
    assert any(d.hours_attended > 0 for d in outcome.attestations)
