"""Finishing over real websockets: a learner, or a trainer of another session, cannot import a CSV,
declare "Formation terminée" or archive; the session's own trainer archives it.

Each forged attempt goes through the very handlers the pages call (and the CSV through `/_upload`,
as a browser sends it); the database is read afterwards to prove nothing changed.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import httpx
from sqlmodel import col, func, select

from app.clock import paris_day
from app.models import Enrolment, EnrolmentImport, Organisation, TrainingSession, User
from app.models.base import utcnow
from app.models.finishing import TrainingCompletion
from app.services.auth import DEVICE_COOKIE, SESSION_COOKIE
from state.enrolment_csv import EnrolmentCsvState
from state.follow_up import FollowUpState
from state.session_page import SessionPageState
from tests.factories import make_session
from tests.live import handler, signed_in_tab, var
from tests.wsclient import ReflexClient

TRAINER = "trainer@demo.plume.test"  # positioned on the session below
OTHER_TRAINER = "claire.fontaine@demo.plume.test"  # a trainer of Horizon's other sessions, not this one
LEARNER = "learner1@demo.plume.test"  # enrolled in the session below


def _session(server, status: str) -> tuple[int, int]:
    """A session of Horizon with the demo trainer and two demo learners; its id and the first learner's."""
    with server.session() as db:
        horizon = db.exec(select(Organisation).where(Organisation.slug == "horizon-formation")).one()
        people = {u.email: u for u in db.exec(select(User).where(col(User.email).like("%@demo.plume.test"))).all()}
        today = paris_day(utcnow())
        training = make_session(
            db,
            horizon,
            start=today - timedelta(days=10),
            end=today - timedelta(days=1),
            status=status,
            trainers=(people[TRAINER],),
            learners=(people[LEARNER], people["learner2@demo.plume.test"]),
        )
        training.title = f"Fin de parcours {uuid.uuid4().hex[:6]}"
        db.add(training)
        db.commit()
        return training.id or 0, people[LEARNER].id or 0


def _facts(server, sid: int, addresses: list[str]) -> tuple[str, str, int, int, int, int]:
    with server.session() as db:
        training = db.get(TrainingSession, sid)
        assert training is not None
        count = lambda model, *where: int(db.exec(select(func.count()).select_from(model).where(*where)).one())  # noqa: E731
        return (
            training.status,
            training.archive_category,
            count(Enrolment, Enrolment.session_id == sid),
            count(EnrolmentImport, EnrolmentImport.session_id == sid),
            count(TrainingCompletion, TrainingCompletion.session_id == sid),
            count(User, col(User.email).in_(addresses)),
        )


async def _upload_csv(server, client: ReflexClient, data: bytes) -> int:
    """Send a CSV file to the import's upload handler, as the page's drop zone does."""
    cookies = f"{DEVICE_COOKIE}={client.device}; {SESSION_COOKIE}={client.session}"
    async with httpx.AsyncClient(base_url=server.url, timeout=30) as http:
        response = await http.post(
            "/_upload",
            headers={
                "reflex-client-token": client.token,
                "reflex-event-handler": handler(EnrolmentCsvState, "upload_csv"),
                "Cookie": cookies,
            },
            files={"files": ("liste.csv", data, "text/csv")},
        )
    await client.drain()
    return response.status_code


async def _try_everything(server, client: ReflexClient, sid: int, learner_id: int, data: bytes) -> None:
    """Every step the pages offer to import, finish and archive, in order, as this tab."""
    page = f"/sessions/{sid}"
    loaded = await client.call(handler(EnrolmentCsvState, "load"), path=page)
    assert not var(loaded, EnrolmentCsvState, "allowed")
    await _upload_csv(server, client, data)
    await client.call(handler(EnrolmentCsvState, "apply"), path=page)
    follow = f"/sessions/{sid}/suivi"
    await client.call(handler(FollowUpState, "load"), path=follow)
    await client.call(handler(FollowUpState, "toggle"), {"user_id": str(learner_id)}, path=follow)
    await client.call(handler(FollowUpState, "select_all_pages"), path=follow)
    await client.call(handler(FollowUpState, "ask_conclude"), {"what": "finish"}, path=follow)
    await client.call(handler(FollowUpState, "conclude"), path=follow)
    await client.call(handler(SessionPageState, "load"), path=page)
    asked = await client.call(handler(SessionPageState, "ask_advance"), {"status": "archived"}, path=page)
    assert not var(asked, SessionPageState, "status_change")
    await client.call(handler(SessionPageState, "set_archive_category"), {"category": "completed"}, path=page)
    await client.call(handler(SessionPageState, "advance"), {"status": "archived"}, path=page)


async def test_a_learner_and_a_trainer_of_another_session_cannot_import_finish_or_archive(server) -> None:
    addresses = [f"intrus-{uuid.uuid4().hex[:8]}@example.test" for _ in range(2)]
    data = ("Mail\n" + "\n".join(addresses) + "\n").encode()
    for status in ("active", "finished"):  # importing and finishing run on an active session, archiving a finished one
        sid, learner_id = _session(server, status)
        before = _facts(server, sid, addresses)
        assert before == (status, "", 2, 0, 0, 0)
        for email in (LEARNER, OTHER_TRAINER):
            client = await signed_in_tab(server.url, email)
            await _try_everything(server, client, sid, learner_id, data)
            await client.close()
            assert _facts(server, sid, addresses) == before, (status, email)


async def test_the_session_s_trainer_imports_finishes_and_archives(server) -> None:
    """The positive control: the same calls, as the session's own trainer, do what they say."""
    sid, learner_id = _session(server, "active")
    addresses = [f"nouveau-{uuid.uuid4().hex[:8]}@example.test"]
    trainer = await signed_in_tab(server.url, TRAINER)
    page = f"/sessions/{sid}"
    loaded = await trainer.call(handler(EnrolmentCsvState, "load"), path=page)
    assert var(loaded, EnrolmentCsvState, "allowed")
    assert await _upload_csv(server, trainer, ("Mail\n" + addresses[0] + "\n").encode()) == 200
    await trainer.call(handler(EnrolmentCsvState, "apply"), path=page)
    for _ in range(150):  # the import runs as a background task
        if _facts(server, sid, addresses)[2] == 3:
            break
        await asyncio.sleep(0.2)
    await trainer.drain()
    follow = f"/sessions/{sid}/suivi"
    await trainer.call(handler(FollowUpState, "load"), path=follow)
    await trainer.call(handler(FollowUpState, "toggle"), {"user_id": str(learner_id)}, path=follow)
    asked = await trainer.call(handler(FollowUpState, "ask_conclude"), {"what": "finish"}, path=follow)
    assert var(asked, FollowUpState, "target_count") == 1  # the dialog says whom it reaches before anything
    assert _facts(server, sid, addresses)[4] == 0
    await trainer.call(handler(FollowUpState, "conclude"), path=follow)
    assert _facts(server, sid, addresses)[2:] == (3, 1, 1, 1)
    with server.session() as db:
        training = db.get(TrainingSession, sid)
        assert training is not None
        training.status = "finished"  # finishing the session stays staff's
        db.add(training)
        db.commit()
    await trainer.call(handler(SessionPageState, "load"), path=page)
    asked = await trainer.call(handler(SessionPageState, "ask_advance"), {"status": "archived"}, path=page)
    change = var(asked, SessionPageState, "status_change")
    assert change and change["next_status"] == "archived" and change["learners"] == 3  # said before it is done
    offered = var(asked, SessionPageState, "archive_categories")
    assert [c["key"] for c in offered] == ["completed", "cancelled", "postponed", "misc"]
    assert _facts(server, sid, addresses)[0] == "finished"
    await trainer.call(handler(SessionPageState, "set_archive_category"), {"category": "completed"}, path=page)
    await trainer.call(handler(SessionPageState, "advance"), {"status": "archived"}, path=page)
    assert _facts(server, sid, addresses)[:2] == ("archived", "Parcours terminé")
    await trainer.close()
