"""A questionnaire of the library as a JSON file, for its organisation's staff and trainers (to share it)."""

from __future__ import annotations

import json

from sqlmodel import Session
from starlette.responses import Response

from app.api.downloads import PathParams, data_attachment, download_route
from app.services.actor import Actor
from app.services.evaluations import transfer

JSON_TYPE = "application/json; charset=utf-8"


def _export(db: Session, actor: Actor, path: PathParams) -> tuple[str, bytes]:
    text = transfer.export_questionnaire(db, actor, path["questionnaire_id"])
    title = json.loads(text)["questionnaire"]["title"]
    name = (
        "".join(ch if ch.isprintable() and ch not in '/\\:*?"<>|' else "_" for ch in title).strip() or "questionnaire"
    )
    return f"{name[:120]}.json", text.encode()


def _json(found: tuple[str, bytes]) -> Response:
    return data_attachment(found[0], found[1], JSON_TYPE)


# A questionnaire (and its bank's questions, for a draw) as the versioned JSON `transfer` reads back.
questionnaire_export = download_route(lambda path: f"questionnaire:{path['questionnaire_id']}", _export, _json)
