"""The Starlette app mounted in front of Reflex's backend."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.api.attendance import session_sheets, slot_sheet, verify_head
from app.api.attestations import download_export, learner_attestation, verify_attestation
from app.api.enrolment import import_report, participants
from app.api.evaluations import quality_report
from app.api.files import activity_file, course_image, download_document
from app.api.missions import download_submission_file
from app.api.outbox import outbox_attachment
from app.api.questionnaires import questionnaire_export
from app.api.session import close_session, open_session
from app.services.db import session_scope


def _database_ok() -> bool:
    with session_scope() as db:
        db.exec(text("SELECT 1"))  # type: ignore[call-overload]  # raw SQL probe
    return True


async def health(_request: Request) -> JSONResponse:
    """Whether the backend and its database answer.

    Args:
        _request: The request.

    Returns:
        {"status": "ok"} or a 503.
    """
    try:
        await asyncio.to_thread(_database_ok)
    except Exception as exc:  # noqa: BLE001  # any failure means "not healthy"
        return JSONResponse({"status": "error", "detail": type(exc).__name__}, status_code=503)
    return JSONResponse({"status": "ok"}, headers={"Cache-Control": "no-store"})


def build_api() -> Starlette:
    """Plume's own HTTP routes.

    Returns:
        The Starlette app.
    """
    return Starlette(
        routes=[
            Route("/api/health", health, methods=["GET"]),
            Route("/api/session", open_session, methods=["GET"]),
            Route("/api/session/out", close_session, methods=["GET"]),
            Route("/api/documents/{document_id:int}", download_document, methods=["GET"]),
            Route("/api/activities/{activity_id:int}/files/{document_id:int}", activity_file, methods=["GET"]),
            Route("/api/courses/{course_id:int}/image", course_image, methods=["GET"]),
            Route("/api/missions/submissions/{submission_id:int}/{which}", download_submission_file, methods=["GET"]),
            Route("/api/attendance/slots/{slot_id:int}.pdf", slot_sheet, methods=["GET"]),
            Route("/api/attendance/sessions/{session_id:int}.pdf", session_sheets, methods=["GET"]),
            Route("/api/attendance/verifier/{organisation_id:int}/{head}", verify_head, methods=["GET"]),
            Route("/api/attestations/exports/{token}.zip", download_export, methods=["GET"]),
            Route("/api/attestations/exports/{token}.pdf", download_export, methods=["GET"]),
            Route(
                "/api/attestations/sessions/{session_id:int}/learners/{user_id:int}.pdf",
                learner_attestation,
                methods=["GET"],
            ),
            Route("/api/attestations/verifier/{code}", verify_attestation, methods=["GET"]),
            Route("/api/outbox/{outbox_id:int}/attachment", outbox_attachment, methods=["GET"]),
            Route("/api/enrolment-imports/{job_id:int}/report.csv", import_report, methods=["GET"]),
            Route("/api/sessions/{session_id:int}/participants.csv", participants, methods=["GET"]),
            Route("/api/questionnaires/{questionnaire_id:int}.json", questionnaire_export, methods=["GET"]),
            Route("/api/evaluations/{activity_id:int}/bilan.pdf", quality_report, methods=["GET"]),
        ]
    )
