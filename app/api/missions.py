"""Mission files: a hand-in and its correction's file, to the learner concerned and the session's correctors only."""

from __future__ import annotations

from app.api.downloads import download_route, file_attachment
from app.services import missions

# A hand-in's file (`work`) or its correction's file (`feedback`), as an attachment.
download_submission_file = download_route(
    lambda path: f"submission:{path['submission_id']}:{str(path['which'])[:20]}",
    lambda db, actor, path: missions.open_file(db, actor, path["submission_id"], str(path["which"])),
    lambda found: file_attachment(*found),
)
