"""Calendar feed and agenda week view, on a trainer with five organisations and 2,000 slots.

Starts Plume on SQLite (demo seed), gives a new trainer five organisations with 400 slots each (1,000 of them
in the feed's window: 90 days back and later, the other 1,000 older), then:
- polls the trainer's feed URL R times without an ETag (a client subscribing) and R times with it (a client
  polling an unchanged feed: 304), reading the server's own time from the `Server-Timing` header; then R/4
  times with it right after an unrelated write (the ETag computed afresh: `after_write_not_modified_*`);
- signs the trainer in and loads the agenda's week view R times over the websocket (from the event sent
  to the page's answer).
Prints one JSON line (ms): `p95_ms`, `not_modified_p95_ms`, `week_view_ms` (p95), with round trips and the
first (cold) build for reference.

    .venv/bin/python -m bench.ics_feed --rounds 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from datetime import timedelta

import httpx
from sqlmodel import Session, select

from app.models import Activity, Course, Membership, Module, Organisation, Slot, TrainerPosition, TrainingSession, User
from app.models.base import utcnow
from app.services import calendar_feed
from state.agenda import AgendaState
from tests.factories import actor_for
from tests.live import handler, signed_in_tab
from tests.server import PlumeServer, running_plume

EMAIL = "agenda-bench@demo.plume.test"
ORGANISATIONS = 5
SLOTS_EACH = 400
_TIMING = re.compile(r"app;dur=([0-9.]+)")


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)


def _seed(db: Session) -> None:
    """The trainer, five organisations, a session in each with 400 half-days (one activity each)."""
    demo = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
    trainer = User(email=EMAIL, first_name="Agathe", last_name="Agenda", password_hash=demo.password_hash,
                   phone=demo.phone, phone_verified_at=demo.phone_verified_at)  # fmt: skip
    db.add(trainer)
    db.flush()
    now = utcnow().replace(minute=0, second=0, microsecond=0)
    index = 0
    for n in range(ORGANISATIONS):
        org = Organisation(name=f"Organisme agenda {n + 1}", slug=f"agenda-bench-{n + 1}")
        db.add(org)
        db.flush()
        db.add(Membership(user_id=trainer.id or 0, organisation_id=org.id or 0, is_trainer=True))
        course = Course(organisation_id=org.id or 0, title=f"Parcours {n + 1}")
        db.add(course)
        db.flush()
        training = TrainingSession(organisation_id=org.id or 0, course_id=course.id or 0, title=f"Session {n + 1}",
                                   starts_on=(now - timedelta(days=400)).date(),
                                   ends_on=(now + timedelta(days=400)).date(), status="active", place="Lyon")  # fmt: skip
        db.add(training)
        db.flush()
        db.add(TrainerPosition(session_id=training.id or 0, user_id=trainer.id or 0))
        module = Module(session_id=training.id, title="Journées", phase="during", position=0)
        db.add(module)
        db.flush()
        activities = [Activity(module_id=module.id or 0, kind="in_person", title=f"Séance {i + 1}", position=i)
                      for i in range(SLOTS_EACH)]  # fmt: skip
        db.add_all(activities)
        db.flush()
        for activity in activities:
            # Half of all slots before the feed's window (older than 90 days), half in it; ~6 h apart in turn.
            older = index % 2 == 0
            starts = now - timedelta(days=400 if older else 80) + timedelta(hours=6 * (index // 2))
            db.add(Slot(session_id=training.id or 0, activity_id=activity.id, starts_at=starts,
                        ends_at=starts + timedelta(hours=3), room=f"Salle {index % 7 + 1}"))  # fmt: skip
            index += 1
    db.commit()


def _feed_path(server: PlumeServer) -> str:
    with server.services_here(), server.session() as db:
        _seed(db)
        trainer = db.exec(select(User).where(User.email == EMAIL)).one()
        url = calendar_feed.renew_feed(db, actor_for(db, trainer)).url
    return "/api/agenda/" + url.rsplit("/", 1)[1]


def _server_ms(response: httpx.Response) -> float:
    found = _TIMING.search(response.headers.get("server-timing", ""))
    assert found, "the feed answers with its server time"
    return float(found.group(1))


def _after_writes(server: PlumeServer, path: str, rounds: int) -> dict[str, float]:
    """Polls each after an unrelated write: the ETag is computed afresh (any commit changes the database's version)."""
    times = []
    with httpx.Client(base_url=server.url, timeout=60) as client:
        etag = client.get(path).headers["etag"]
        for n in range(rounds):
            with server.session() as db:
                org = db.exec(select(Organisation).where(Organisation.slug == "agenda-bench-1")).one()
                org.virtual_class_url = f"https://meet.example.org/{n}"  # shown in no feed
                db.add(org)
                db.commit()
            answer = client.get(path, headers={"If-None-Match": etag})
            assert answer.status_code == 304
            times.append(_server_ms(answer))
    return {"after_write_not_modified_p95_ms": _pct(times, 0.95), "after_write_not_modified_p50_ms": _pct(times, 0.5)}


def _poll(url: str, path: str, rounds: int) -> dict[str, float | int]:
    full, full_rtt, unchanged, unchanged_rtt = [], [], [], []
    with httpx.Client(base_url=url, timeout=60) as client:
        start = time.perf_counter()
        first = client.get(path)
        cold_rtt = (time.perf_counter() - start) * 1000
        assert first.status_code == 200
        etag = first.headers["etag"]
        events = first.content.count(b"BEGIN:VEVENT")
        for _ in range(rounds):
            start = time.perf_counter()
            answer = client.get(path)
            full_rtt.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 200
            full.append(_server_ms(answer))
            start = time.perf_counter()
            answer = client.get(path, headers={"If-None-Match": etag})
            unchanged_rtt.append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 304
            unchanged.append(_server_ms(answer))
    return {
        "events": events,
        "feed_bytes": len(first.content),
        "cold_ms": round(_server_ms(first), 2),
        "cold_round_trip_ms": round(cold_rtt, 2),
        "p95_ms": _pct(full, 0.95),
        "p50_ms": _pct(full, 0.5),
        "round_trip_p95_ms": _pct(full_rtt, 0.95),
        "not_modified_p95_ms": _pct(unchanged, 0.95),
        "not_modified_p50_ms": _pct(unchanged, 0.5),
        "not_modified_round_trip_p95_ms": _pct(unchanged_rtt, 0.95),
    }


async def _week_views(url: str, rounds: int) -> dict[str, float | int]:
    tab = await signed_in_tab(url, EMAIL)
    name = AgendaState.get_full_name()
    times: list[float] = []
    entries = 0
    for n in range(rounds):
        start = time.perf_counter()
        # Alternate between this week and the next, so that every load has a new week to send.
        await tab.emit(handler(AgendaState, "load" if n % 2 == 0 else "next"), path="/agenda")
        messages = await tab.until(lambda m: name in (m.get("delta") or {}), settle=0)
        times.append((time.perf_counter() - start) * 1000)
        for message in messages:
            days = (message.get("delta") or {}).get(name, {}).get("days_rx_state_")
            if days:
                entries = max(entries, sum(len(day.get("slots", [])) for day in days))
    await tab.close()
    return {"week_view_ms": _pct(times, 0.95), "week_view_p50_ms": _pct(times, 0.5), "week_entries": entries}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with running_plume() as server:
        path = _feed_path(server)
        result: dict[str, object] = {"bench": "ics_feed", "organisations": ORGANISATIONS,
                                     "slots": ORGANISATIONS * SLOTS_EACH}  # fmt: skip
        result.update(_poll(server.url, path, args.rounds))
        result.update(_after_writes(server, path, max(20, args.rounds // 4)))
        result.update(asyncio.run(_week_views(server.url, max(10, args.rounds // 10))))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
