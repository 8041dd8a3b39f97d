"""The outbox over HTTP: the file attached to a message (an .ics, a PDF), for the staff who see the message."""

from __future__ import annotations

from app.api.downloads import data_attachment, download_route
from app.services import home

# An outbox message's attachment, for a staff member of its organisation (a sealed message's answers 404 too).
outbox_attachment = download_route(
    lambda path: f"outbox:{path['outbox_id']}",
    lambda db, actor, path: home.outbox_attachment(db, actor, path["outbox_id"]),
    lambda found: data_attachment(found.name, found.data, found.content_type),
)
