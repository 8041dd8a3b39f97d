"""Archiving a session: a category, read-only for everyone through the access gate, out of current lists."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from app.migrate import alembic_config
from app.models import Activity, AuditRecord, Document, Module, Organisation, Slot, TrainingSession
from app.models.base import utcnow
from app.models.finishing import DEFAULT_ARCHIVE_CATEGORIES
from app.services import archives, catalogue, chat, documents, home, timeline, tutoring
from app.services.attendance import actions, pdf
from app.services.db import make_engine, set_engine
from app.services.errors import ErrorCode, PlumeError
from app.services.sessions import status as session_status
from app.services.sessions import view as session_view
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
from tests.querycount import count_queries

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DRAWING = "10,10 200,120 380,40|400,300 420,310"


@pytest.fixture
def files_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PLUME_FILES_DIR", str(tmp_path / "files"))
    reset_settings()
    return tmp_path / "files"


def _world(db: Session) -> tuple[TrainingSession, dict[str, object], Module, Slot]:
    org = make_org(db)
    archives.add_default_categories(db, org.id or 0)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = home.paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=3),
        end=today + timedelta(days=3),
        status="finished",
        trainers=(trainer,),
        learners=(learner,),
    )
    tutor = make_member(db, org, "tutor")
    assign_tutor(db, session, tutor)
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add(module)
    db.flush()
    room = Activity(module_id=module.id or 0, kind="in_person", title="Séance")
    db.add(room)
    db.flush()
    now = utcnow()
    slot = Slot(
        session_id=session.id or 0,
        activity_id=room.id,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(hours=3),
    )
    db.add(slot)
    db.commit()
    people: dict[str, object] = {
        "staff": actor_for(db, make_staff(db, org)),
        "trainer": actor_for(db, trainer),
        "learner": actor_for(db, learner),
        "tutor": actor_for(db, tutor),
        "other trainer": actor_for(db, make_trainer(db, org)),
    }
    return session, people, module, slot


def _archive(db: Session, session: TrainingSession, staff: object) -> None:
    db.refresh(session)
    session_status.advance_status(db, staff, session.id or 0, "archived", "completed")  # type: ignore[arg-type]
    db.commit()


def test_archiving_asks_a_category_staff_and_the_session_s_trainers_archive_only_staff_unarchive(db: Session) -> None:
    session, a, _, _ = _world(db)
    sid = session.id or 0
    for who in ("learner", "tutor", "other trainer"):
        for call in (
            lambda p=a[who]: session_status.status_change(db, p, sid, "archived"),  # type: ignore[misc]
            lambda p=a[who]: session_status.advance_status(db, p, sid, "archived", "completed"),  # type: ignore[misc]
            lambda p=a[who]: archives.session_categories(db, p, sid),  # type: ignore[misc]
        ):
            with pytest.raises(PlumeError) as err:
                call()
            assert err.value.code == ErrorCode.NOT_FOUND, who
    assert session_view.session_view(db, a["trainer"], sid).can_archive  # type: ignore[arg-type]
    assert not session_view.session_view(db, a["tutor"], sid).can_archive  # type: ignore[arg-type]
    offered = archives.session_categories(db, a["trainer"], sid)  # type: ignore[arg-type]
    assert [(c.key, c.name) for c in offered] == [
        ("completed", "Parcours terminé"),
        ("cancelled", "Session annulée"),
        ("postponed", "Session reportée"),
        ("misc", "Autre"),
    ]
    for bad in ("", "nope", "<script>", "Parcours terminé"):
        with pytest.raises(PlumeError) as err:
            session_status.advance_status(db, a["trainer"], sid, "archived", bad)  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.ARCHIVE_CATEGORY and err.value.field == "archive_category"
    # A category of another organisation is not one of this session's.
    other = make_org(db)
    archives.add_default_categories(db, other.id or 0)
    foreign = archives.add_category(db, actor_for(db, make_staff(db, other)), "Ailleurs")
    with pytest.raises(PlumeError) as err:
        session_status.advance_status(db, a["trainer"], sid, "archived", foreign.key)  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.ARCHIVE_CATEGORY
    # The session's own trainer archives it (the issue: "a trainer of another session cannot").
    assert session_status.status_change(db, a["trainer"], sid, "archived").learners == 1  # type: ignore[arg-type]
    session_status.advance_status(db, a["trainer"], sid, "archived", "completed")  # type: ignore[arg-type]
    db.commit()
    db.refresh(session)
    assert (session.status, session.archive_category) == ("archived", "Parcours terminé")
    audit = db.exec(select(AuditRecord).where(AuditRecord.action == "session.status")).all()[-1]
    assert json.loads(audit.after) == {"status": "archived", "category": "Parcours terminé"}
    for who in ("learner", "trainer", "tutor", "other trainer"):
        with pytest.raises(PlumeError) as err:
            session_status.unarchive(db, a[who], sid)  # type: ignore[arg-type]
        assert err.value.code == ErrorCode.NOT_FOUND, who
    view = session_view.session_view(db, a["staff"], sid)  # type: ignore[arg-type]
    assert view.can_restore and view.archive_category == "Parcours terminé" and not view.can_edit
    assert not view.can_archive
    assert not session_view.session_view(db, a["trainer"], sid).can_restore  # type: ignore[arg-type]
    session_status.unarchive(db, a["staff"], sid)  # type: ignore[arg-type]
    db.commit()
    db.refresh(session)
    assert (session.status, session.archive_category) == ("finished", "")
    undo = db.exec(select(AuditRecord).where(AuditRecord.action == "session.unarchive")).one()
    assert json.loads(undo.before) == {"status": "archived", "category": "Parcours terminé"}
    with pytest.raises(PlumeError) as err:  # not archived any more: nothing to restore
        session_status.unarchive(db, a["staff"], sid)  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.NOT_FOUND
    _archive(db, session, a["staff"])  # staff archive too
    assert db.get(TrainingSession, sid).status == "archived"  # type: ignore[union-attr]


def test_a_trainer_archives_a_finished_session_only(db: Session) -> None:
    session, a, _, _ = _world(db)
    session.status = "active"
    db.add(session)
    db.commit()
    assert not session_view.session_view(db, a["trainer"], session.id or 0).can_archive  # type: ignore[arg-type]
    with pytest.raises(PlumeError) as err:
        session_status.advance_status(db, a["trainer"], session.id or 0, "archived", "completed")  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.STATUS_CHANGE
    with pytest.raises(PlumeError) as err:  # finishing stays staff's
        session_status.advance_status(db, a["trainer"], session.id or 0, "finished")  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.NOT_FOUND


def test_staff_manage_their_organisation_s_archive_categories(db: Session) -> None:
    session, a, _, _ = _world(db)
    staff = a["staff"]
    names = lambda: [c.name for c in archives.organisation_categories(db, staff)]  # type: ignore[arg-type]  # noqa: E731
    assert names() == ["Parcours terminé", "Session annulée", "Session reportée", "Autre"]
    for who in ("trainer", "tutor", "learner"):
        for call in (
            lambda p=a[who]: archives.organisation_categories(db, p),  # type: ignore[misc]
            lambda p=a[who]: archives.add_category(db, p, "Nouvelle"),  # type: ignore[misc]
            lambda p=a[who]: archives.rename_category(db, p, "misc", "Divers"),  # type: ignore[misc]
            lambda p=a[who]: archives.remove_category(db, p, "misc"),  # type: ignore[misc]
        ):
            with pytest.raises(PlumeError) as err:
                call()
            assert err.value.code == ErrorCode.NOT_FOUND, who
    added = archives.add_category(db, staff, "  Fusion   de groupes ")  # type: ignore[arg-type]
    assert added.name == "Fusion de groupes" and names()[-1] == "Fusion de groupes"
    for bad, code in (
        ("", ErrorCode.ARCHIVE_CATEGORY_NAME),
        ("x" * 81, ErrorCode.ARCHIVE_CATEGORY_NAME),
        ("SESSION ANNULEE", ErrorCode.ARCHIVE_CATEGORY_TAKEN),  # accents and case aside
    ):
        with pytest.raises(PlumeError) as err:
            archives.add_category(db, staff, bad)  # type: ignore[arg-type]
        assert err.value.code == code, bad
    with pytest.raises(PlumeError) as err:
        archives.rename_category(db, staff, "misc", "Parcours terminé")  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.ARCHIVE_CATEGORY_TAKEN
    other_staff = actor_for(db, make_staff(db, make_org(db)))
    with pytest.raises(PlumeError) as err:  # another organisation's staff do not reach these
        archives.rename_category(db, other_staff, added.key, "Pris")
    assert err.value.code == ErrorCode.NOT_FOUND
    db.commit()
    # Archived under a category, a session keeps its name whatever happens to the category later.
    session_status.advance_status(db, a["trainer"], session.id or 0, "archived", added.key)  # type: ignore[arg-type]
    db.commit()
    used = {c.name: c.in_use for c in archives.organisation_categories(db, staff)}  # type: ignore[arg-type]
    assert used["Fusion de groupes"] == 1 and used["Autre"] == 0
    archives.rename_category(db, staff, added.key, "Groupes fusionnés")  # type: ignore[arg-type]
    db.commit()
    db.refresh(session)
    assert session.archive_category == "Fusion de groupes"
    archives.remove_category(db, staff, added.key)  # type: ignore[arg-type]  # in use: allowed, the name stays
    db.commit()
    db.refresh(session)
    assert session.archive_category == "Fusion de groupes"
    assert names() == ["Parcours terminé", "Session annulée", "Session reportée", "Autre"]
    assert [r.category for r in archives.archived_sessions(db, staff).items] == ["Fusion de groupes"]  # type: ignore[arg-type]
    for key in ("completed", "cancelled", "postponed"):
        archives.remove_category(db, staff, key)  # type: ignore[arg-type]
    with pytest.raises(PlumeError) as err:  # archiving asks for one: the last one stays
        archives.remove_category(db, staff, "misc")  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.ARCHIVE_CATEGORY_LAST
    actions = [r.action for r in db.exec(select(AuditRecord)).all() if r.action.startswith("archive_category.")]
    assert (
        actions
        == ["archive_category.add", "archive_category.rename", "archive_category.remove"]
        + ["archive_category.remove"] * 3
    )


def test_the_archives_list_is_paged_in_sql(db: Session) -> None:
    session, a, _, _ = _world(db)
    org_id = session.organisation_id
    org = db.get(Organisation, org_id)
    assert org is not None
    for n in range(30):
        day = date(2025, 1, 1) + timedelta(days=n)
        make_session(db, org, start=day, end=day, status="archived")
    first = archives.archived_sessions(db, a["staff"], 1, 10)  # type: ignore[arg-type]
    assert (first.page, first.pages, first.total, len(first.items)) == (1, 3, 30, 10)
    last = archives.archived_sessions(db, a["staff"], 9, 10)  # type: ignore[arg-type]  # past the end: the last page
    assert (last.page, len(last.items)) == (3, 10)
    with count_queries(db.get_bind()) as counted:  # type: ignore[arg-type]
        archives.archived_sessions(db, a["staff"], 1, 100)  # type: ignore[arg-type]
    assert counted.count <= 3, counted.report()  # the count and the page: not a query per row
    seen = [s.id for p in (1, 2, 3) for s in archives.archived_sessions(db, a["staff"], p, 10).items]  # type: ignore[arg-type]
    assert len(set(seen)) == 30
    with pytest.raises(PlumeError) as err:
        archives.archived_sessions(db, a["staff"], 1, 7)  # type: ignore[arg-type]
    assert err.value.code == ErrorCode.INVALID_INPUT
    assert archives.archived_sessions(db, a["other trainer"]).total == 0  # type: ignore[arg-type]


def test_an_archived_session_refuses_every_write_and_stays_readable(db: Session, files_dir: Path) -> None:
    session, a, module, slot = _world(db)
    sid = session.id or 0
    posted = chat.post(db, a["learner"], sid, "avant l'archive", "client-before-01")  # type: ignore[arg-type]
    doc = documents.store_batch(db, a["trainer"], module_id=module.id or 0, files=[("support.pdf", PDF)])  # type: ignore[arg-type]
    db.commit()
    # The same writes went through before: what refuses them below is the archive.
    actions.sign(db, a["learner"], slot.id or 0, DRAWING, "k" * 12)  # type: ignore[arg-type]
    timeline.rename_module(db, a["staff"], module.id or 0, "Pendant")  # type: ignore[arg-type]
    db.commit()
    _archive(db, session, a["staff"])
    writes = {
        "chat post (learner)": lambda: chat.post(db, a["learner"], sid, "après", "client-after-01"),
        "chat post (trainer)": lambda: chat.post(db, a["trainer"], sid, "après", "client-after-02"),
        "chat post (tutor)": lambda: chat.post(db, a["tutor"], sid, "après", "client-after-03"),
        "chat file": lambda: documents.store_chat_file(db, a["learner"], session_id=sid, name="n.pdf", data=PDF),
        "module upload (trainer)": lambda: documents.store_batch(
            db, a["trainer"], module_id=module.id or 0, files=[("b.pdf", PDF)]
        ),
        "module upload (staff)": lambda: documents.store_batch(
            db, a["staff"], module_id=module.id or 0, files=[("c.pdf", PDF)]
        ),
        "learner signs again": lambda: actions.sign(db, a["learner"], slot.id or 0, DRAWING, "k" * 10),
        "trainer signs": lambda: actions.sign(db, a["trainer"], slot.id or 0, DRAWING, "k" * 11),
        "timeline rename (staff)": lambda: timeline.rename_module(db, a["staff"], module.id or 0, "Renommé"),
        "timeline rename (trainer)": lambda: timeline.rename_module(db, a["trainer"], module.id or 0, "Renommé"),
        "status back (staff)": lambda: session_status.advance_status(db, a["staff"], sid, "active"),
    }
    for label, write in writes.items():
        with pytest.raises(PlumeError) as err:
            write()  # type: ignore[no-untyped-call]
        assert err.value.code in (ErrorCode.NOT_FOUND, ErrorCode.STATUS_CHANGE, ErrorCode.SIGNING_NOT_ALLOWED), label
        db.rollback()
    assert db.exec(select(Module.title).where(Module.id == module.id)).one() == "Pendant"
    # Reading stays: the chat's history, the documents, the session page, for members and staff.
    for who in ("learner", "trainer", "tutor", "staff"):
        assert [m.body for m in chat.history(db, a[who], sid).messages] == [posted.body], who  # type: ignore[arg-type]
        assert session_view.session_view(db, a[who], sid).status == "archived", who  # type: ignore[arg-type]
    stored = db.exec(select(Document).where(Document.module_id == module.id)).all()
    assert len(stored) == 1 and len(doc.stored) == 1
    path, name, _ = documents.open_for_download(db, a["learner"], stored[0].id or 0)  # type: ignore[arg-type]
    assert path.read_bytes() == PDF and name == "support.pdf"
    for who in ("staff", "trainer"):  # the signed sheets stay readable
        name, sheet = pdf.slot_sheet_pdf(db, a[who], slot.id or 0)  # type: ignore[arg-type]
        assert sheet.startswith(b"%PDF"), who
        assert pdf.session_sheets_pdf(db, a[who], sid)[1].startswith(b"%PDF"), who  # type: ignore[arg-type]


def test_an_archived_session_leaves_current_lists_and_appears_under_archives(db: Session) -> None:
    session, a, _, _ = _world(db)
    sid = session.id or 0
    assert sid in {s.id for s in tutoring.tutored_sessions(db, a["tutor"])}  # type: ignore[arg-type]
    assert sid in {s.id for s in catalogue.list_sessions(db, a["staff"])}  # type: ignore[arg-type]
    _archive(db, session, a["staff"])
    assert sid not in {s.id for s in tutoring.tutored_sessions(db, a["tutor"])}  # type: ignore[arg-type]
    assert sid not in {s.id for s in tutoring.tutored_sessions(db, a["staff"])}  # type: ignore[arg-type]
    assert sid not in {s.id for s in catalogue.list_sessions(db, a["staff"])}  # type: ignore[arg-type]
    for who in ("learner", "trainer", "tutor"):
        sections = home.home_sections(db, a[who])  # type: ignore[arg-type]
        listed = {c.id for c in sections.in_progress + sections.upcoming + sections.finished}
        assert sid not in listed, who
    for who in ("learner", "trainer", "tutor", "staff"):
        found = archives.archived_sessions(db, a[who]).items  # type: ignore[arg-type]
        assert [(s.id, s.category) for s in found] == [(sid, "Parcours terminé")], who
    assert archives.archived_sessions(db, a["other trainer"]).items == []  # type: ignore[arg-type]
    assert archives.archived_sessions(db, actor_for(db, make_staff(db, make_org(db)))).items == []


def _insert(conn: sa.Connection, table: str, **values: object) -> int:
    """A row with `values` and a plain value in every other required column (the schema of that revision)."""
    for column in sa.inspect(conn).get_columns(table):
        name, kind = column["name"], str(column["type"]).upper()
        if name in values or name == "id" or column["nullable"] or column.get("default") is not None:
            continue
        values[name] = (
            "2026-01-01"
            if "DATE" in kind or "TIME" in kind
            else False
            if "BOOL" in kind
            else 0
            if any(k in kind for k in ("INT", "FLOAT", "NUMERIC", "REAL", "DOUBLE"))
            else f"{table}-{name}"
        )
    names = ", ".join(f'"{n}"' for n in values)
    marks = ", ".join(f":{n}" for n in values)
    return int(
        conn.execute(sa.text(f'INSERT INTO "{table}" ({names}) VALUES ({marks}) RETURNING id'), values).scalar_one()
    )


def test_the_migration_gives_every_organisation_the_categories_and_files_sessions_by_name(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = empty_database_url
    monkeypatch.setenv("DATABASE_URL", url)
    reset_settings()
    set_engine(None)
    command.upgrade(alembic_config(), "d14a0c0ffee1")  # categories were a fixed list of keys
    engine = make_engine(url)
    with engine.begin() as conn:
        orgs = [_insert(conn, "organisation", name=n, slug=n) for n in ("a", "b")]
        course = _insert(conn, "course", organisation_id=orgs[0], title="Cours")
        for status, category in (("archived", "cancelled"), ("finished", "")):
            _insert(
                conn,
                "session",
                organisation_id=orgs[0],
                course_id=course,
                title=status,
                status=status,
                archive_category=category,
            )
    command.upgrade(alembic_config(), "e5b2a9c41d07")
    with engine.begin() as conn:
        rows = conn.execute(
            sa.text('SELECT organisation_id, "key", name FROM archive_category ORDER BY organisation_id, position')
        ).all()
        assert [tuple(r) for r in rows] == [
            (org, key, name) for org in orgs for key, name in DEFAULT_ARCHIVE_CATEGORIES.items()
        ]
        filed = conn.execute(sa.text("SELECT title, archive_category FROM session ORDER BY title")).all()
        assert [tuple(r) for r in filed] == [("archived", "Session annulée"), ("finished", "")]
        conn.execute(sa.text("UPDATE session SET archive_category = 'Fusion de groupes' WHERE title = 'archived'"))
        _insert(conn, "session", organisation_id=orgs[1], course_id=course, title="b", status="archived")
        conn.execute(sa.text("UPDATE session SET archive_category = 'Autre' WHERE title = 'b'"))
    command.downgrade(alembic_config(), "d14a0c0ffee1")  # back to keys: a category of its own reads "misc"
    with engine.connect() as conn:
        filed = conn.execute(sa.text("SELECT title, archive_category FROM session ORDER BY title")).all()
        assert [tuple(r) for r in filed] == [("archived", "misc"), ("b", "misc"), ("finished", "")]
        assert "archive_category" not in sa.inspect(conn).get_table_names()
    engine.dispose()
    set_engine(None)
    reset_settings()
