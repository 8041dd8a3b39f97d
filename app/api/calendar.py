"""A person's calendar feed, polled by Outlook, Google Calendar or Thunderbird with its secret URL (no sign-in).

An unknown, renewed or stopped secret gets the same plain 404 as any missing file. An unchanged feed answers
304 to a client that sends its ETag back.
"""

from __future__ import annotations

import asyncio
import time

from starlette.requests import Request
from starlette.responses import Response

from app.api.downloads import not_found
from app.services import calendar_feed
from app.services.db import session_scope

FEED_HEADERS = {
    # The URL is the credential: nothing on the way keeps a copy, and no page it links to learns it.
    "Cache-Control": "private, no-cache",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _serve(secret: str, if_none_match: str) -> calendar_feed.FeedAnswer | None:
    with session_scope() as db:
        return calendar_feed.serve_feed(db, secret, if_none_match)


async def agenda_feed(request: Request) -> Response:
    """Serve a person's agenda as iCalendar, or 304 when the client's copy is current.

    Args:
        request: The request; the secret is in the path.

    Returns:
        The feed (text/calendar), a 304, or a 404.
    """
    start = time.perf_counter()
    answer = await asyncio.to_thread(
        _serve, str(request.path_params["secret"]), request.headers.get("if-none-match", "")
    )
    if answer is None:
        return not_found()
    # The server's own time (Server-Timing, W3C): what a slow feed costs here, apart from the network.
    elapsed = f"app;dur={(time.perf_counter() - start) * 1000:.2f}"
    headers = {**FEED_HEADERS, "ETag": answer.etag, "Server-Timing": elapsed}
    if answer.body is None:
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="plume-agenda.ics"'
    return Response(answer.body, media_type="text/calendar; charset=utf-8", headers=headers)
