"""Enrolment by CSV (`app.services.enrolment_csv`): dialects, encodings, dedup, idempotence, limits, access."""

from __future__ import annotations

import csv
import io
import os
import socket
import subprocess
from datetime import timedelta

import pytest
from sqlmodel import Session, col, func, select

from app.models import Enrolment, EnrolmentImport, Membership, OutboxEmail, User, UserToken
from app.models.base import utcnow
from app.services import enrolment_csv as ec
from app.services.errors import ErrorCode, PlumeError
from app.services.outbox import delivered
from tests.factories import actor_for, make_learner, make_member, make_staff, make_trainer, make_user
from tests.sessions_setup import setup


def _codes(data: bytes) -> ErrorCode:
    with pytest.raises(PlumeError) as err:
        ec.parse(data)
    return err.value.code


@pytest.mark.parametrize("sep", [";", ",", "\t"])
def test_separators_and_header(sep: str) -> None:
    text = sep.join(["Prénom", "Nom", "E-mail", "Type"]) + "\n"
    text += sep.join(["Hélène", "Durand", "helene@example.test", "recommandée"]) + "\n"
    text += sep.join(["Marc", "Petit", "Marc.Petit@Example.test", ""]) + "\n"
    parsed = ec.parse(text.encode())
    assert parsed.delimiter == sep and parsed.header
    assert [(r.line, r.address, r.first_name, r.last_name, r.kind) for r in parsed.rows] == [
        (2, "helene@example.test", "Hélène", "Durand", "recommended"),
        (3, "Marc.Petit@Example.test", "Marc", "Petit", "mandatory"),
    ]


def test_registration_export_with_quotes_bom_and_cp1252() -> None:
    rows = [
        ["Nom", "Mail", "Fonction", "Grade"],
        ["BRET LAURENCE", "Laurence.Bret@ao-guyane.fr", "ENS", "P ECOLE CN"],
        ["GRANDISSON; HIPON FRANÇOISE", "Francoise.Grandisson@ao-guyane.fr", "ENS", "P ECOLE HC"],
    ]
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    for data, encoding in (
        (out.getvalue().encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"), "utf-8"),
        (out.getvalue().encode("cp1252"), "cp1252"),
    ):
        parsed = ec.parse(data)
        assert parsed.encoding == encoding and parsed.header and parsed.delimiter == ";"
        assert [r.address for r in parsed.rows] == ["Laurence.Bret@ao-guyane.fr", "Francoise.Grandisson@ao-guyane.fr"]
        assert parsed.rows[1].last_name == "GRANDISSON; HIPON FRANÇOISE"


def test_plain_list_of_addresses_without_header() -> None:
    parsed = ec.parse(b"a@example.test\r\nb@example.test\r\n\r\nc@example.test\r\n")
    assert not parsed.header and [r.address for r in parsed.rows] == [
        "a@example.test",
        "b@example.test",
        "c@example.test",
    ]
    assert [r.line for r in parsed.rows] == [1, 2, 4]


def test_bad_files_are_refused_with_a_reason() -> None:
    assert _codes(b"") == ErrorCode.CSV_EMPTY
    assert _codes(b"\x89PNG\r\n\x1a\n\x00\x00\x00") == ErrorCode.CSV_NOT_TEXT
    assert _codes(b"Nom;Fonction\nDupont;ENS\nMartin;ENS\n") == ErrorCode.CSV_NO_ADDRESS_COLUMN
    junk = "Mail\n" + "a@example.test\n" + "".join(f"pas une adresse {i}\n" for i in range(10))
    assert _codes(junk.encode()) == ErrorCode.CSV_JUNK
    big = "".join(f"p{i}@example.test\n" for i in range(ec.MAX_LINES + 1))
    with pytest.raises(PlumeError) as err:
        ec.parse(big.encode())
    assert err.value.code == ErrorCode.CSV_TOO_MANY_LINES and err.value.params["max"] == "20 000"
    assert len(ec.parse(big.encode()[: big.index(f"p{ec.MAX_LINES}@")]).rows) == ec.MAX_LINES


def _count(db: Session, model: type, *where: object) -> int:
    return int(db.exec(select(func.count()).select_from(model).where(*where)).one())  # type: ignore[call-overload]


def test_preview_apply_dedup_and_idempotence(db: Session) -> None:
    org, other, _trainer, learner, session = setup(db)
    sid = session.id or 0
    staff = actor_for(db, make_staff(db, org))
    member = make_learner(db, org, email="member@example.test")
    outsider = make_member(db, other, "learner", email="outsider@example.test")
    gone = make_user(db, email="gone@example.test", is_active=False)
    text = (
        "prénom;nom;e-mail;type\n"
        f"X;Y;{learner.email}\n"  # already enrolled by setup
        "Ana;Membre;MEMBER@example.test;libre\n"
        "Out;Sider;outsider@example.test;\n"
        "Nina;Nouvelle;nina@example.test;\n"
        "Bis;Repetita;nina@example.test;\n"
        "Bad;Line;pas-une-adresse;\n"
        f"Gone;Away;{gone.email};\n"
    )
    data = text.encode("cp1252")
    before = _count(db, User)
    found = ec.preview(db, staff, sid, data)
    assert [(line.line, line.outcome) for line in found.lines] == [
        (2, "already"),
        (3, "enrolled"),
        (4, "enrolled"),
        (5, "created"),
        (6, "duplicate"),
        (7, "invalid"),
        (8, "invalid"),
    ]
    assert found.lines[4].params == {"line": "5"} and found.changes == 3
    assert _count(db, User) == before  # the preview writes nothing
    result = ec.apply(db, staff, sid, data)
    db.commit()
    assert result.counts == {"enrolled": 2, "created": 1, "already": 1, "invalid": 2, "duplicate": 1}
    nina = db.exec(select(User).where(User.email == "nina@example.test")).one()
    assert (nina.first_name, nina.last_name, nina.password_hash) == ("Nina", "Nouvelle", "")
    kinds = dict(db.exec(select(Enrolment.user_id, Enrolment.kind).where(Enrolment.session_id == sid)).all())
    assert kinds[member.id or 0] == "free" and kinds[nina.id or 0] == "mandatory" and outsider.id in kinds
    row = db.exec(select(Enrolment).where(Enrolment.user_id == nina.id)).one()
    assert row.sort_name == "nouvelle nina"
    joined = db.exec(
        select(Membership).where(Membership.user_id == outsider.id, Membership.organisation_id == org.id)
    ).one()
    assert joined.is_learner
    mail = db.exec(select(OutboxEmail).where(OutboxEmail.to == "nina@example.test")).one()
    assert "masqué" in mail.body and "/reinitialiser?jeton=" not in mail.body  # the outbox never shows the link
    assert "/reinitialiser?jeton=" in delivered(mail).body and session.title in delivered(mail).subject
    assert _count(db, UserToken, UserToken.user_id == nina.id, UserToken.purpose == "reset") == 1
    # The same file again changes nothing.
    counts = (_count(db, User), _count(db, Enrolment), _count(db, OutboxEmail), _count(db, Membership))
    again = ec.apply(db, staff, sid, data)
    db.commit()
    assert again.changes == 0 and again.counts["already"] == 4
    assert (_count(db, User), _count(db, Enrolment), _count(db, OutboxEmail), _count(db, Membership)) == counts
    report = ec.report_csv(result, "fr").decode("utf-8")
    assert report.startswith("\ufeffLigne;Adresse;Nom;Type d'inscription;Résultat;Raison")
    assert "Compte créé et invité" in report and "Même adresse qu'à la ligne 5." in report


def test_capacity_and_all_or_nothing(db: Session) -> None:
    org, _other, _trainer, _learner, session = setup(db)
    session.max_participants = 2
    db.add(session)
    db.commit()
    staff = actor_for(db, make_staff(db, org))
    data = b"a@example.test\nb@example.test\n"
    assert ec.preview(db, staff, session.id or 0, data).over_capacity == 1
    enrolled = _count(db, Enrolment)
    with pytest.raises(PlumeError) as err:
        ec.apply(db, staff, session.id or 0, data)
    assert err.value.code == ErrorCode.SESSION_FULL
    db.rollback()
    assert _count(db, Enrolment) == enrolled and _count(db, User, col(User.email).like("%@example.test")) > 0


def test_only_managers_of_the_session_import(db: Session) -> None:
    org, other, trainer, learner, session = setup(db)
    sid = session.id or 0
    for person in (learner, make_trainer(db, org), make_staff(db, other)):
        with pytest.raises(PlumeError) as err:
            ec.preview(db, actor_for(db, person), sid, b"a@example.test\n")
        assert err.value.code == ErrorCode.NOT_FOUND
    assert ec.preview(db, actor_for(db, trainer), sid, b"a@example.test\n").counts["created"] == 1


def test_job_runs_and_its_result_waits(db: Session) -> None:
    org, _other, _trainer, _learner, session = setup(db)
    sid = session.id or 0
    author = make_staff(db, org)
    staff = actor_for(db, author)
    job_id = ec.start_job(db, staff, sid, file_name="liste.csv", data=b"Mail\nz@example.test\nnope\n", kind="free")
    db.commit()
    assert ec.latest_job(db, staff, sid) == ec.job_view(db, staff, job_id)
    assert ec.mark_running(db, staff, job_id) and not ec.mark_running(db, staff, job_id)
    db.commit()
    done = ec.run_job(db, staff, job_id)
    db.commit()
    assert done.status == "done" and done.counts["created"] == 1 and done.counts["invalid"] == 1
    name, report = ec.job_report(db, staff, job_id)
    assert name.endswith(".csv") and b"z@example.test" in report
    assert db.get(EnrolmentImport, job_id).source == ""  # type: ignore[union-attr]
    with pytest.raises(PlumeError):  # another staff member does not see someone else's job
        ec.job_view(db, actor_for(db, make_staff(db, org)), job_id)
    with pytest.raises(PlumeError) as err:
        ec.start_job(db, staff, sid, file_name="x.csv", data=b"Nom\nDupont\n", kind="free")
    assert err.value.code == ErrorCode.CSV_NO_ADDRESS_COLUMN


def test_a_job_left_running_by_a_stopped_server_is_resumed_once(db: Session) -> None:
    org, _other, _trainer, _learner, session = setup(db)
    sid = session.id or 0
    staff = actor_for(db, make_staff(db, org))
    job_id = ec.start_job(db, staff, sid, file_name="liste.csv", data=b"Mail\nr@example.test\nnope\n", kind="free")
    db.commit()
    assert ec.mark_running(db, staff, job_id)
    db.commit()
    assert not ec.resume_orphaned(db, staff, job_id)  # this process runs it: nothing to take up
    ec.run_job(db, staff, job_id)
    db.rollback()  # the server stops mid-job: its one transaction goes with it
    ec.release(job_id)
    assert _count(db, User, col(User.email) == "r@example.test") == 0
    with pytest.raises(PlumeError) as err:  # only its author takes it up
        ec.resume_orphaned(db, actor_for(db, make_staff(db, org)), job_id)
    assert err.value.code == ErrorCode.NOT_FOUND
    assert ec.resume_orphaned(db, staff, job_id)
    db.commit()
    assert not ec.resume_orphaned(db, staff, job_id)  # queued again once: a second tab finds nothing to do
    job = db.get(EnrolmentImport, job_id)
    assert job is not None and (job.status, job.worker) == ("queued", "")
    assert ec.mark_running(db, staff, job_id)
    db.commit()
    done = ec.run_job(db, staff, job_id)
    db.commit()
    ec.release(job_id)
    assert done.status == "done" and done.counts["created"] == 1 and done.counts["invalid"] == 1
    assert _count(db, User, col(User.email) == "r@example.test") == 1


def test_which_process_is_gone() -> None:
    now = utcnow()
    host = socket.gethostname()
    ended = subprocess.Popen(["true"])  # a process of this host that has exited
    ended.wait()
    assert ec.worker_gone(ec.WORKER, now, 10**9, now)  # this process's, not running here
    assert ec.worker_gone(f"{host}:{os.getpid()}:earlier", now, 1, now)  # our pid, an earlier start: a restart
    assert ec.worker_gone(f"{host}:{ended.pid}:ab12", now, 1, now)
    assert not ec.worker_gone(f"{host}:{os.getppid()}:ab12", now, 1, now)  # alive on this host
    assert not ec.worker_gone("elsewhere:12:ab12", now - timedelta(minutes=5), 1, now)  # another host: wait
    assert ec.worker_gone("elsewhere:12:ab12", now - ec.ORPHANED_AFTER - timedelta(seconds=1), 1, now)
    assert ec.worker_gone("", now - timedelta(hours=1), 1, now)  # claimed before workers were signed
