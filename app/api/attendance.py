"""Attendance sheets as PDF downloads, for a session's trainers and staff only; the public head check."""

from __future__ import annotations

import asyncio
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.api.attestations import PUBLIC_PAGE_HEADERS, public_page
from app.api.downloads import download_route, pdf_attachment
from app.clock import PARIS
from app.services.attendance import pdf as attendance_pdf
from app.services.attendance.chain import find_head
from app.services.db import session_scope


def _pdf(found: tuple[str, bytes]) -> Response:
    return pdf_attachment(*found)


# One slot's attendance sheet as a PDF attachment.
slot_sheet = download_route(
    lambda path: f"slot:{path['slot_id']}",
    lambda db, actor, path: attendance_pdf.slot_sheet_pdf(db, actor, path["slot_id"]),
    _pdf,
)

# Every signed slot's sheet of a session as one PDF attachment.
session_sheets = download_route(
    lambda path: f"session:{path['session_id']}",
    lambda db, actor, path: attendance_pdf.session_sheets_pdf(db, actor, path["session_id"]),
    _pdf,
)


def _followed(count: int) -> str:
    # A real plural, never "enregistrement(s)".
    if count == 0:
        return "aucun enregistrement ne l'a suivi"
    return "1 enregistrement l'a suivi" if count == 1 else f"{count} enregistrements l'ont suivi"


def _head_page(organisation_id: int, head_hash: str) -> tuple[str, int]:
    with session_scope() as db:
        found = find_head(db, organisation_id, head_hash)
    if found is None or not found.sealed:
        body = (
            "<p>Cette empreinte n'est pas un enregistrement scellé de la chaîne d'émargement de cet organisme : "
            "la chaîne a été tronquée ou réécrite depuis sa publication, ou l'empreinte est mal recopiée.</p>"
        )
        return public_page("Empreinte absente de la chaîne", "ko", body), 404
    at = found.created_at.astimezone(PARIS)
    body = (
        f"<p>Cette empreinte est l'enregistrement n° {found.seq} de la chaîne d'émargement de "
        f"{escape(found.organisation_name)}, enregistré le {at:%d/%m/%Y à %H:%M} (heure de Paris), scellé par sa clé ; "
        f"{_followed(found.later_records)}.</p>"
        "<p>Vérification complète, avec la clé publique ci-dessous enregistrée dans <code>cle.pem</code> :</p>"
        f"<pre>plume verify-attendance --organisation {found.organisation_id} --public-key cle.pem "
        f"--head {escape(head_hash)}</pre>"
        f"<pre>{escape(found.public_key_pem)}</pre>"
    )
    return public_page("Empreinte présente dans la chaîne", "ok", body), 200


async def verify_head(request: Request) -> Response:
    """The public page a PDF sheet links to: whether its printed head is still in the chain (no sign-in).

    Args:
        request: The request; the organisation and the head are in the path.

    Returns:
        The page, or the same page saying the head is absent with a 404.
    """
    organisation_id: int = request.path_params["organisation_id"]
    head_hash = str(request.path_params["head"]).lower()
    page, status = await asyncio.to_thread(_head_page, organisation_id, head_hash)
    return HTMLResponse(page, status_code=status, headers=PUBLIC_PAGE_HEADERS)
