"""Attestations over HTTP: a prepared zip, one learner's PDF, and the public check of a code."""

from __future__ import annotations

import asyncio
from html import escape

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from app.api.downloads import download_route, file_attachment, pdf_attachment
from app.clock import PARIS
from app.documents.attestation_pdf import hours_label
from app.services import attestations
from app.services.db import session_scope

PUBLIC_PAGE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


# A prepared zip (or PDF) of attestations, for the person who asked for it, before it expires.
download_export = download_route(
    lambda path: f"export:{path['token'][:40]}",
    lambda _db, actor, path: attestations.open_export(actor, path["token"]),
    lambda found: file_attachment(
        found[0], found[1], "application/pdf" if found[1].endswith(".pdf") else "application/zip"
    ),
)

# The attestation last issued to one learner as a PDF; a GET issues nothing (the tutoring centre's
# `issue_certificate` event does, then points the browser here).
learner_attestation = download_route(
    lambda path: f"session:{path['session_id']}:learner:{path['user_id']}",
    lambda db, actor, path: attestations.learner_pdf(db, actor, path["session_id"], path["user_id"]),
    lambda found: pdf_attachment(*found),
)


_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1e293b}"
    "h1{font-size:1.5rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.5rem 1rem}"
    "dt{color:#64748b}dd{margin:0;font-weight:600}.ok{color:#15803d}.ko{color:#b91c1c}"
    "pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f1f5f9;padding:.75rem;border-radius:.375rem}"
)


def public_page(title: str, css_class: str, body: str) -> str:
    """A small French page for the public verification routes (no script, its own style).

    Args:
        title: The heading, escaped here.
        css_class: "ok" or "ko", colouring the heading.
        body: HTML already escaped by the caller.

    Returns:
        The whole document.
    """
    return (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — Plume</title><style>{_STYLE}</style></head>"
        f'<body><main><h1 class="{css_class}">{escape(title)}</h1>{body}</main></body></html>'
    )


def verification_page(found: attestations.VerificationData | None) -> tuple[str, int]:
    """The public check's page, in French, every value escaped.

    Args:
        found: What `attestations.verify` found, or None.

    Returns:
        The HTML and its status code (404 for an unknown code).
    """
    if found is None:
        body = "<p>Aucune attestation ne porte ce code. Vérifiez qu'il a été recopié sans erreur.</p>"
        return public_page("Code inconnu", "ko", body), 404
    issued = found.issued_at.astimezone(PARIS)
    rows = (
        ("Apprenant", found.learner_name),
        ("Formation", found.course_title),
        ("Session", found.session_title),
        ("Dates", f"du {found.starts_on:%d/%m/%Y} au {found.ends_on:%d/%m/%Y}"),
        ("Heures de présence", hours_label(found.hours_attended)),
        ("Taux de réalisation", f"{found.progress} %"),
        ("Organisme de formation", found.organisation),
        ("Date d'émission", f"{issued:%d/%m/%Y}"),
        ("Code", found.code),
    )
    items = "".join(f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in rows)
    body = f"<p>Cette attestation a bien été émise par l'organisme de formation indiqué.</p><dl>{items}</dl>"
    if found.revoked_at is not None:
        revoked = found.revoked_at.astimezone(PARIS)
        body = (
            f"<p>Cette attestation a été révoquée le {revoked:%d/%m/%Y} : la formation de l'apprenant "
            f"n'est plus déclarée terminée. Elle ne certifie plus rien.</p><dl>{items}</dl>"
        )
        return public_page("Attestation révoquée", "ko", body), 200
    return public_page("Attestation authentique", "ok", body), 200


def _verify(code: str) -> tuple[str, int]:
    with session_scope() as db:
        return verification_page(attestations.verify(db, code))


async def verify_attestation(request: Request) -> Response:
    """The public page that says whether an attestation's code is genuine (no sign-in).

    Args:
        request: The request; the code is in the path.

    Returns:
        "Attestation authentique" with what it certifies, or "Code inconnu" with a 404.
    """
    page, status = await asyncio.to_thread(_verify, request.path_params["code"])
    return HTMLResponse(page, status_code=status, headers=PUBLIC_PAGE_HEADERS)
