"""The calendar feed route, against the running app: the right secret gets the feed, then 304; any other, 404."""

from __future__ import annotations

import httpx
from icalendar import Calendar
from sqlmodel import select

from app.models import User
from app.services import calendar_feed
from tests.factories import actor_for


def _renew(server, email: str) -> str:
    with server.services_here(), server.session() as db:
        user = db.exec(select(User).where(User.email == email)).one()
        url = calendar_feed.renew_feed(db, actor_for(db, user)).url
    return "/api/agenda/" + url.rsplit("/", 1)[1]


def test_the_feed_answers_its_secret_only_and_304_when_unchanged(server) -> None:
    path = _renew(server, "trainer@demo.plume.test")
    with httpx.Client(base_url=server.url, timeout=30) as client:
        first = client.get(path)
        assert first.status_code == 200
        assert first.headers["content-type"].startswith("text/calendar")
        assert first.headers["cache-control"] == "private, no-cache"
        assert first.headers["referrer-policy"] == "no-referrer"
        etag = first.headers["etag"]
        events = list(Calendar.from_ical(first.content).walk("VEVENT"))
        assert events and all(str(e["UID"]).startswith("plume-slot-") for e in events)

        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.headers["etag"] == etag and again.content == b""
        stale = client.get(path, headers={"If-None-Match": '"another"'})
        assert stale.status_code == 200 and stale.content == first.content

        wrong = client.get(path[:-5] + ("x" if path[-5] != "x" else "y") + ".ics")
        assert wrong.status_code == 404 and wrong.text == "Introuvable"
        assert client.get("/api/agenda/.ics").status_code == 404

        renewed = _renew(server, "trainer@demo.plume.test")
        assert client.get(path).status_code == 404  # the old URL stops at once
        assert client.get(renewed).status_code == 200
