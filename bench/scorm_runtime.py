"""SCORM: unpacking a large package, then 200 learners' run-times committing every 10 s over HTTP.

First checks and unpacks a 100 MB SCORM 1.2 package of 2,000 files (`package.inspect`, then `package.unpack`
into a temporary folder, as an upload does), before any server runs: `unpack_s`.

Then starts Plume on SQLite (demo seed) and gives Horizon Formation an active session with an e-learning
activity playing the SCORM 1.2 single-SCO package (attached by staff@demo through `library.attach`, unpacked
in the server's files), N new learners enrolled in it, each signed in (a session cookie) with the player open
(their attempt's commit URL). Each learner's run-time then POSTs a commit every `--interval` seconds for
`--minutes` minutes, the first ones spread over the first interval: the JSON body `scorm-again` sends for
SCORM 1.2 (the whole data model, a bookmark one page further each time, a growing session time and 1-2 KB of
suspend data), with the learner's cookie, as a browser's `fetch` does. The latency of each commit is the
client's wall-clock round trip; a commit is lost when it is not acknowledged with `result: true` (an error,
a timeout after 10 s, another status) or when the learner's attempt, read from the database at the end, does
not hold every acknowledged commit and the last bookmark.

Prints one JSON line: `p95_ms` (commit round trip), `lost`, `unpack_s`, with the median, the counts and the
package's size for reference.

    .venv/bin/python -m bench.scorm_runtime --learners 200 --interval 10 --minutes 5
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import random
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import col, select

from app.models import (
    Activity,
    Course,
    Enrolment,
    Membership,
    Module,
    Organisation,
    ScormAttempt,
    TrainerPosition,
    TrainingSession,
    User,
)
from app.services.auth import SESSION_COOKIE, open_session, resolve_actor
from app.services.home import paris_today
from app.services.scorm import cmi, library, package, runtime
from tests.factories import actor_for
from tests.scorm_packages import large_package, scorm12_single
from tests.server import PlumeServer, running_plume

TIMEOUT_S = 10.0


@dataclass
class Learner:
    """One learner's run-time: their cookie, their attempt, and what became of their commits."""

    index: int
    user_id: int
    token: str
    attempt_id: int
    commit_url: str
    acknowledged: int = 0
    failed: int = 0
    last_location: str = ""
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2) if ordered else 0.0


def _unpack(files: int, megabytes: int) -> dict[str, float | int]:
    """Check and unpack a large package the way an upload does (the zip is built first, not timed)."""
    with tempfile.TemporaryDirectory(prefix="scorm-bench-") as folder:
        archive = large_package(Path(folder) / "large.zip", files=files, total_mb=megabytes)
        start = time.perf_counter()
        manifest = package.inspect(archive)
        checked = time.perf_counter()
        package.unpack(archive, Path(folder) / "unpacked")
        done = time.perf_counter()
        assert manifest.file_count >= files - 1, manifest.file_count
        return {
            "unpack_s": round(done - start, 3),
            "inspect_s": round(checked - start, 3),
            "check_and_extract_s": round(done - checked, 3),
            "files": manifest.file_count,
            "megabytes": round(manifest.unpacked_bytes / (1024 * 1024), 1),
            "archive_megabytes": round(archive.stat().st_size / (1024 * 1024), 1),
        }


def _seed(server: PlumeServer, learners: int) -> list[Learner]:
    """The session, its e-learning activity with the package, the learners signed in with the player open."""
    today = paris_today()
    with server.services_here(), server.session() as db, tempfile.TemporaryDirectory() as folder:
        horizon = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        staff = db.exec(select(User).where(User.email == "staff@demo.plume.test")).one()
        trainer = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
        course = Course(organisation_id=horizon.id or 0, title="RGPD en ligne")
        db.add(course)
        db.flush()
        training = TrainingSession(organisation_id=horizon.id or 0, course_id=course.id or 0,
                                   title="RGPD en ligne — banc SCORM", starts_on=today - timedelta(days=1),
                                   ends_on=today + timedelta(days=30), status="active",
                                   availability_ends_on=today + timedelta(days=60))  # fmt: skip
        db.add(training)
        db.flush()
        db.add(TrainerPosition(session_id=training.id or 0, user_id=trainer.id or 0))
        module = Module(session_id=training.id, title="À distance", phase="during", position=0)
        db.add(module)
        db.flush()
        activity = Activity(module_id=module.id or 0, kind="elearning", title="Les fractions", position=0)
        db.add(activity)
        people = []
        for n in range(learners):
            person = User(email=f"scorm-bench-{n}@demo.plume.test", first_name="Apprenant", last_name=f"Scorm {n}",
                          password_hash=model.password_hash, phone=model.phone,
                          phone_verified_at=model.phone_verified_at)  # fmt: skip
            db.add(person)
            people.append(person)
        db.flush()
        for person in people:
            db.add(Membership(user_id=person.id or 0, organisation_id=horizon.id or 0, is_learner=True))
            db.add(Enrolment(session_id=training.id or 0, user_id=person.id or 0))
        db.commit()
        found = library.attach(db, actor_for(db, staff), activity.id, scorm12_single(Path(folder) / "fractions.zip"))
        db.commit()
        assert library.package_dir(found.sha256).is_dir(), "unpacked where the server reads packages"
        seeded = []
        for n, person in enumerate(people):
            token = open_session(db, person).token
            db.commit()
            actor = resolve_actor(db, token)
            assert actor is not None
            player = runtime.open_player(db, actor, activity.id)
            db.commit()
            found_id = re.search(r"/attempts/(\d+)/commit", player.commit_url)
            assert found_id, player.commit_url
            attempt_id = int(found_id.group(1))
            seeded.append(Learner(n, person.id or 0, token, attempt_id, player.commit_url))
        return seeded


def _timespan(seconds: float) -> str:
    whole, centis = divmod(round(seconds * 100), 100)
    return f"{whole // 3600:04d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{centis:02d}"


def _body(learner: Learner, n: int, interval: float, filler: str) -> dict[str, object]:
    """Commit n of a learner as `scorm-again` sends it for SCORM 1.2 (`renderCommitCMI`, nested JSON)."""
    core = {
        "student_id": str(learner.user_id),
        "student_name": f"Scorm {learner.index}, Apprenant",
        "lesson_location": f"page-{n + 1}",
        "credit": "credit",
        "lesson_status": "incomplete",
        "entry": "ab-initio" if n == 0 else "resume",
        "score": {"raw": "", "min": "", "max": ""},
        "total_time": "",
        "lesson_mode": "normal",
        "exit": "suspend",
        "session_time": _timespan(interval * (n + 1) + learner.index % 7 + 0.37),
    }
    return {
        "cmi": {
            "core": core,
            # About 1 KB growing to 2 KB, as a Storyline-style package keeps its state.
            "suspend_data": f"v3|p{n + 1}|" + filler[: 1000 + 32 * n],
            "launch_data": "niveau=debutant",
            "comments": "",
            "comments_from_lms": "",
            "objectives": {},
            "student_data": {"mastery_score": "80", "max_time_allowed": "", "time_limit_action": ""},
            "student_preference": {"audio": "", "language": "", "speed": "", "text": ""},
            "interactions": {},
        }
    }


async def _commit(client: httpx.AsyncClient, learner: Learner, body: dict[str, object], location: str) -> None:
    start = time.perf_counter()
    try:
        answer = await client.post(learner.commit_url, content=json.dumps(body))
        elapsed = (time.perf_counter() - start) * 1000
        ok = answer.status_code == 200 and answer.json().get("result") is True
        reason = "" if ok else f"{answer.status_code} {answer.text[:200]}"
    except (httpx.HTTPError, ValueError) as error:
        elapsed = (time.perf_counter() - start) * 1000
        ok, reason = False, f"{type(error).__name__}: {error}"
    learner.latencies.append(elapsed)
    if ok:
        learner.acknowledged += 1
        learner.last_location = location
    else:
        learner.failed += 1
        learner.errors.append(reason)


async def _run_learner(url: str, learner: Learner, begin: float, commits: int, interval: float) -> None:
    """One run-time: a commit every `interval` seconds from `begin` (a fixed schedule, as the package's timer)."""
    rng = random.Random(learner.user_id)
    filler = base64.b64encode(rng.randbytes(1600)).decode()
    headers = {"Content-Type": "application/json", "Origin": url}
    async with httpx.AsyncClient(base_url=url, headers=headers, cookies={SESSION_COOKIE: learner.token},
                                 timeout=TIMEOUT_S) as client:  # fmt: skip
        for n in range(commits):
            delay = begin + n * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            await _commit(client, learner, _body(learner, n, interval, filler), f"page-{n + 1}")


async def _load(url: str, learners: list[Learner], commits: int, interval: float) -> None:
    start = time.perf_counter() + 1.0
    await asyncio.gather(
        *(
            _run_learner(url, learner, start + interval * n / len(learners), commits, interval)
            for n, learner in enumerate(learners)
        )
    )


def _lost_writes(server: PlumeServer, learners: list[Learner]) -> int:
    """Acknowledged commits the attempts do not hold (a learner with a failed commit is checked on counts only)."""
    lost = 0
    with server.session() as db:
        wanted = [learner.attempt_id for learner in learners]
        stored = {a.id: a for a in db.exec(select(ScormAttempt).where(col(ScormAttempt.id).in_(wanted)))}
    for learner in learners:
        attempt = stored.get(learner.attempt_id)
        if attempt is None:
            lost += learner.acknowledged
            continue
        missing = max(0, learner.acknowledged - attempt.commits)
        if missing == 0 and learner.failed == 0 and attempt.location != learner.last_location:
            missing = 1
        lost += missing
    return lost


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--interval", type=float, default=10.0, help="seconds between a learner's commits")
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--megabytes", type=int, default=100)
    args = parser.parse_args()
    commits = max(1, round(args.minutes * 60 / args.interval))
    result: dict[str, object] = {"bench": "scorm_runtime"}
    result.update(_unpack(args.files, args.megabytes))
    with running_plume() as server:
        learners = _seed(server, args.learners)
        # The body every learner sends first must be one the server accepts: a refusal would be a bench bug.
        cmi.parse_commit("1.2", _body(learners[0], commits - 1, args.interval, "x" * 2000))
        offset = server.log_size()
        started = time.perf_counter()
        asyncio.run(_load(server.url, learners, commits, args.interval))
        duration = time.perf_counter() - started
        lost_writes = _lost_writes(server, learners)
        server_errors = len(server.errors_since(offset))
    latencies = [ms for learner in learners for ms in learner.latencies]
    failed = sum(learner.failed for learner in learners)
    errors = [error for learner in learners for error in learner.errors]
    result.update(
        {
            "p95_ms": _pct(latencies, 0.95),
            "lost": failed + lost_writes,
            "p50_ms": _pct(latencies, 0.5),
            "p99_ms": _pct(latencies, 0.99),
            "max_ms": round(max(latencies, default=0.0), 2),
            "learners": len(learners),
            "interval_s": args.interval,
            "minutes": args.minutes,
            "commits": len(latencies),
            "acknowledged": sum(learner.acknowledged for learner in learners),
            "failed": failed,
            "lost_writes": lost_writes,
            "commits_per_s": round(len(latencies) / duration, 1),
            "server_errors": server_errors,
        }
    )
    if errors:
        result["first_errors"] = errors[:3]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
