"""SCORM over HTTP, against the running app: a package's files for members only, and the run-time's commits."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from pathlib import Path

import httpx
from sqlmodel import select

from app.models import (
    Activity,
    Course,
    Enrolment,
    Membership,
    Module,
    Organisation,
    ScormAttempt,
    TrainingSession,
    User,
)
from app.services.auth import SESSION_COOKIE, open_session
from app.services.home import paris_today
from app.services.scorm import library, runtime
from tests.factories import actor_for
from tests.scorm_packages import scorm12_single

_runs = itertools.count()


def _learner(db, horizon: Organisation, training: TrainingSession, model: User, name: str) -> tuple[User, str]:
    user = User(email=f"{name}@demo.plume.test", first_name=name.title(), last_name="Scorm",
                password_hash=model.password_hash, phone=model.phone, phone_verified_at=model.phone_verified_at)  # fmt: skip
    db.add(user)
    db.flush()
    db.add(Membership(user_id=user.id or 0, organisation_id=horizon.id or 0, is_learner=True))
    db.add(Enrolment(session_id=training.id or 0, user_id=user.id or 0))
    db.flush()
    return user, open_session(db, user).token


def _setup(server, tmp_path: Path) -> dict:
    run = f"{int(time.time())}{next(_runs)}"
    today = paris_today()
    with server.services_here(), server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.name == "Horizon Formation")).one()
        staff = db.exec(select(User).where(User.email == "staff@demo.plume.test")).one()
        model = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()
        course = Course(organisation_id=horizon.id or 0, title=f"SCORM {run}")
        db.add(course)
        db.flush()
        training = TrainingSession(organisation_id=horizon.id or 0, course_id=course.id or 0, title=f"SCORM {run}",
                                   starts_on=today, ends_on=today + timedelta(days=10), status="active",
                                   availability_ends_on=today + timedelta(days=30))  # fmt: skip
        db.add(training)
        db.flush()
        module = Module(session_id=training.id, title="À distance", position=0)
        db.add(module)
        db.flush()
        activity = Activity(module_id=module.id or 0, kind="elearning", title="Module")
        db.add(activity)
        db.flush()
        ann, ann_token = _learner(db, horizon, training, model, f"ann{run}")
        _, bob_token = _learner(db, horizon, training, model, f"bob{run}")
        db.commit()
        library.attach(db, actor_for(db, staff), activity.id, scorm12_single(tmp_path / "package.zip"))
        db.commit()
        player = runtime.open_player(db, actor_for(db, ann), activity.id)
        db.commit()
        outsider = db.exec(select(User).where(User.email == "learner1@demo.plume.test")).one()  # not enrolled here
        return {
            "activity": activity.id,
            "launch": player.launch_url,
            "commit": player.commit_url,
            "ann": ann_token,
            "bob": bob_token,
            "outsider": open_session(db, outsider).token,
            "attempt": int(player.commit_url.partition("?")[0].split("/")[-2]),
            "ann_id": ann.id,
        }


def _body(location: str, suspend: str = "") -> dict:
    core = {"lesson_status": "incomplete", "lesson_location": location, "session_time": "00:00:42", "exit": "suspend"}
    return {"cmi": {"core": core, "suspend_data": suspend}}


def test_a_packages_files_go_to_members_only_framed_by_plume(server, tmp_path: Path) -> None:
    made = _setup(server, tmp_path)
    with httpx.Client(base_url=server.url, timeout=30) as client:
        page = client.get(made["launch"], cookies={SESSION_COOKIE: made["ann"]})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert page.headers["x-frame-options"] == "SAMEORIGIN"
        assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
        assert "API" in page.text
        for cookies in ({}, {SESSION_COOKIE: made["outsider"]}):
            refused = client.get(made["launch"], cookies=cookies)
            assert refused.status_code == 404 and refused.text == "Introuvable"
        base = f"/api/scorm/{made['activity']}/content/"
        for path in ("%2e%2e/%2e%2e/etc/passwd", "..%2f..%2fetc%2fpasswd", "missing.html", "%2fetc%2fpasswd"):
            assert client.get(base + path, cookies={SESSION_COOKIE: made["ann"]}).status_code == 404


def test_commits_are_the_learners_own_validated_and_of_the_current_run(server, tmp_path: Path) -> None:
    made = _setup(server, tmp_path)
    url, ann = made["commit"], {SESSION_COOKIE: made["ann"]}
    with httpx.Client(base_url=server.url, timeout=30) as client:
        ok = client.post(url, json=_body("page-2", "q1=a"), cookies=ann)
        assert (ok.status_code, ok.json()) == (200, {"result": True, "errorCode": 0})
        # The run-time's own error code for bad data, and nothing stored.
        bad = client.post(url, json=_body("page-9", "x" * 4097), cookies=ann)
        assert bad.status_code == 200 and bad.json()["result"] is False and bad.json()["errorCode"] == 405
        # A form from another site, another origin, another learner, nobody: refused.
        assert client.post(url, content=b"a=b", headers={"content-type": "application/x-www-form-urlencoded"},
                           cookies=ann).status_code == 415  # fmt: skip
        assert client.post(url, json=_body("page-3"), cookies=ann,
                           headers={"origin": "https://evil.example"}).status_code == 403  # fmt: skip
        assert client.post(url, json=_body("page-3"), cookies={SESSION_COOKIE: made["bob"]}).status_code == 404
        assert client.post(url, json=_body("page-3")).status_code == 401
        # The last commit of a closing page comes as a beacon (text/plain): accepted.
        beacon = client.post(url, content=b'{"cmi": {"core": {"lesson_location": "page-4"}}}',
                             headers={"content-type": "text/plain;charset=UTF-8"}, cookies=ann)  # fmt: skip
        assert beacon.json()["result"] is True
        # Far too big a body never reaches the service.
        assert client.post(url, json=_body("p", "x" * 2_000_000), cookies=ann).status_code == 413
    with server.session() as db:
        attempt = db.get(ScormAttempt, made["attempt"])
        assert attempt is not None and (attempt.commits, attempt.location, attempt.suspend_data) == (2, "page-4", "")
        user = db.get(User, made["ann_id"])
        runtime.open_player(db, actor_for(db, user), made["activity"])  # opened again: a new run
        db.commit()
    with httpx.Client(base_url=server.url, timeout=30) as client:
        stale = client.post(url, json=_body("page-1"), cookies=ann)
        assert stale.status_code == 409 and stale.json()["result"] is False
