"""CSV enrolment at scale: a 10,000-line file, half known and half new addresses.

Builds its own SQLite database under `.bench/csv_enrolment/` (an organisation, a staff member,
5,000 learners of the organisation, an empty session), then measures in process, against that
database, what the server does for the staff member:

- `preview_s`: `enrolment_csv.preview` of the file (parse, dialect, addresses, one read per batch);
- `apply_s`: `enrolment_csv.apply` and its commit (5,000 enrolments of known people, 5,000 new accounts,
  their invitation links and sealed e-mails put in the outbox); sending the e-mails is not counted;
- `lost`: lines of the file neither enrolled, already enrolled, nor reported invalid/duplicate
  (and learners the file names that are not enrolled afterwards);
- `second_import_changes`: what importing the same file again writes (enrolments, accounts, e-mails).

- `follow_up_p95_ms`: the follow-up table of a 10,000-learner session with 20 monitored activities
  (page, sort and live tick over websockets, the worst p95), measured by `bench.follow_up.figures`
  against a server it starts in its own build directory (`--skip-follow-up` leaves it null).

Targets (from the issue; reported, not asserted): preview ≤ 2 s, apply ≤ 3 s, 0 lost, 0 changes.
Prints one JSON line.

    .venv/bin/python -m bench.csv_enrolment
    .venv/bin/python -m bench.csv_enrolment --lines 20000
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("PLUME_ENV", "test")
os.environ.setdefault("PLUME_SECRET_KEY", "plume-bench-secret-not-for-production-0123456789")

from sqlalchemy import func, insert
from sqlmodel import Session, SQLModel, select

from app.models import Course, Enrolment, Membership, Organisation, OutboxEmail, TrainingSession, User
from app.models.base import utcnow
from app.services import enrolment_csv
from app.services.auth import open_session, resolve_actor
from app.services.db import make_engine, set_engine
from app.services.home import paris_today
from app.settings import reset_settings
from bench.follow_up import figures as follow_up_figures

BUILD = Path(__file__).resolve().parent.parent / ".bench" / "csv_enrolment"


def _count(db: Session, model: type) -> int:
    return int(db.exec(select(func.count()).select_from(model)).one())  # type: ignore[call-overload]


def main() -> None:
    """Run the bench and print one JSON line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--skip-follow-up", action="store_true", help="leave follow_up_p95_ms null")
    args = parser.parse_args()
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    url = f"sqlite:///{BUILD / 'bench.db'}"
    os.environ.update(
        DATABASE_URL=url,
        PLUME_BASE_URL="http://plume.bench",
        PLUME_KEYS_DIR=str(BUILD / "keys"),
        PLUME_FILES_DIR=str(BUILD / "files"),
    )
    reset_settings()
    engine = make_engine(url)
    SQLModel.metadata.create_all(engine)
    set_engine(engine)
    known = args.lines // 2
    with Session(engine, expire_on_commit=False) as db:
        org = Organisation(name="Bench", slug="bench")
        db.add(org)
        db.flush()
        staff = User(
            email="staff@bench.test",
            first_name="Sam",
            last_name="Staff",
            phone="+33612345678",
            phone_verified_at=utcnow(),
        )
        db.add(staff)
        db.flush()
        db.add(Membership(user_id=staff.id or 0, organisation_id=org.id or 0, is_staff=True))
        course = Course(organisation_id=org.id or 0, title="Bench")
        db.add(course)
        db.flush()
        today = paris_today()
        session = TrainingSession(
            organisation_id=org.id or 0,
            course_id=course.id or 0,
            title="Bench CSV",
            starts_on=today,
            ends_on=today + timedelta(days=30),
            status="active",
        )
        db.add(session)
        db.execute(
            insert(User),
            [
                User(email=f"known{i}@bench.test", first_name="K", last_name=f"Known{i}").model_dump(exclude={"id"})
                for i in range(known)
            ],
        )
        ids = db.exec(select(User.id).where(User.email != "staff@bench.test")).all()
        db.execute(
            insert(Membership),
            [
                Membership(user_id=uid or 0, organisation_id=org.id or 0, is_learner=True).model_dump(exclude={"id"})
                for uid in ids
            ],
        )
        db.commit()
        sid = session.id or 0
        signed = open_session(db, staff)
        db.commit()
        actor = resolve_actor(db, signed.token)
        assert actor is not None
        lines = ["Prénom;Nom;Mail;Fonction"]
        lines += [f"K;Known{i};known{i}@bench.test;ENS" for i in range(known)]
        lines += [f"N;New{i};new{i}@bench.test;ENS" for i in range(args.lines - known)]
        data = ("\n".join(lines) + "\n").encode("utf-8")

        started = time.perf_counter()
        found = enrolment_csv.preview(db, actor, sid, data)
        preview_s = time.perf_counter() - started
        db.rollback()

        started = time.perf_counter()
        result = enrolment_csv.apply(db, actor, sid, data)
        db.commit()
        apply_s = time.perf_counter() - started

        accounted = sum(result.counts.values())
        enrolled = int(
            db.exec(select(func.count()).select_from(Enrolment).where(Enrolment.session_id == sid)).one()  # type: ignore[call-overload]
        )
        lost = (args.lines - accounted) + (result.changes - enrolled) + (found.changes - result.changes)
        before = (_count(db, User), _count(db, Enrolment), _count(db, OutboxEmail), _count(db, Membership))
        again = enrolment_csv.apply(db, actor, sid, data)
        db.commit()
        after = (_count(db, User), _count(db, Enrolment), _count(db, OutboxEmail), _count(db, Membership))
        second = again.changes + sum(abs(a - b) for a, b in zip(after, before, strict=True))
    follow_up = None if args.skip_follow_up else follow_up_figures(10_000, 20)["follow_up_p95_ms"]
    print(
        json.dumps(
            {
                "bench": "csv_enrolment",
                "lines": args.lines,
                "preview_s": round(preview_s, 3),
                "apply_s": round(apply_s, 3),
                "lost": lost,
                "second_import_changes": second,
                "follow_up_p95_ms": follow_up,
                "counts": result.counts,
            }
        )
    )
    set_engine(None)
    engine.dispose()


if __name__ == "__main__":
    main()
