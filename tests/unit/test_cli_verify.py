"""`plume verify-attendance`: one line in French, exit 0 on a sound chain, 1 on a broken one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import Session, col, select

from app.cli import main
from app.models import Activity, AttendanceRecord, Module, Slot
from app.models.base import utcnow
from app.services.attendance import actions
from app.services.home import paris_today
from tests.factories import actor_for, make_learner, make_org, make_session, make_trainer

DRAWING = "10,10 200,120 380,40|400,300 420,310"


def _signed_slot(db: Session) -> int:
    """An organisation whose chain holds three records: two signatures and a certification."""
    org = make_org(db)
    trainer, learner = make_trainer(db, org), make_learner(db, org)
    today = paris_today()
    session = make_session(
        db,
        org,
        start=today - timedelta(days=1),
        end=today + timedelta(days=1),
        trainers=(trainer,),
        learners=(learner,),
    )
    module = Module(session_id=session.id, title="Pendant", position=0)
    db.add(module)
    db.flush()
    room = Activity(module_id=module.id or 0, kind="in_person", title="Séance")
    db.add(room)
    db.flush()
    start = utcnow() - timedelta(minutes=10)
    slot = Slot(session_id=session.id or 0, activity_id=room.id, starts_at=start, ends_at=start + timedelta(hours=3))
    db.add(slot)
    db.commit()
    trainer_actor = actor_for(db, trainer)
    actions.sign(db, actor_for(db, learner), slot.id or 0, DRAWING, "k" * 10)
    actions.sign(db, trainer_actor, slot.id or 0, DRAWING, "k" * 10)
    actions.certify(db, trainer_actor, slot.id or 0)
    return org.id or 0


def test_a_sound_chain_prints_ok_and_exits_0(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    _signed_slot(db)
    _signed_slot(db)
    assert main(["verify-attendance"]) == 0
    assert capsys.readouterr().out == "OK : 6 enregistrements vérifiés (2 organisation(s)).\n"


def test_an_empty_database_is_sound(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify-attendance"]) == 0
    assert capsys.readouterr().out == "OK : 0 enregistrements vérifiés (0 organisation(s)).\n"


def test_one_organisation_only(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    first = _signed_slot(db)
    _signed_slot(db)
    assert main(["verify-attendance", "--organisation", str(first)]) == 0
    assert capsys.readouterr().out == "OK : 3 enregistrements vérifiés (1 organisation(s)).\n"


def test_an_edited_record_prints_rompu_with_its_id_and_exits_1(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    org_id = _signed_slot(db)
    record = db.exec(select(AttendanceRecord).order_by(col(AttendanceRecord.seq))).all()[1]
    db.execute(text("UPDATE attendancerecord SET status = 'absent' WHERE id = :i"), {"i": record.id})
    db.commit()
    assert main(["verify-attendance"]) == 1
    assert capsys.readouterr().out == (
        f"ROMPU : organisation {org_id}, enregistrement {record.id} (n° {record.seq}) : contenu modifié après coup\n"
    )


def test_records_removed_from_the_end_are_named(db: Session, capsys: pytest.CaptureFixture[str]) -> None:
    org_id = _signed_slot(db)
    rows = db.exec(select(AttendanceRecord).order_by(col(AttendanceRecord.seq))).all()
    db.execute(text("DELETE FROM attendancerecord WHERE id = :i"), {"i": rows[-1].id})
    db.commit()
    assert main(["verify-attendance"]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"ROMPU : organisation {org_id}, enregistrement {rows[-2].id} (n° {rows[-2].seq}) : ")
    assert out.endswith("derniers enregistrements supprimés (tête de chaîne différente)\n")
