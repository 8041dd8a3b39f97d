"""The Starlette app mounted in front of Reflex's backend."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import cast

from redis.asyncio import Redis
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from app.api.attendance import session_sheets, slot_sheet, verify_head
from app.api.attestations import download_export, learner_attestation, verify_attestation
from app.api.calendar import agenda_feed
from app.api.enrolment import import_report, participants
from app.api.evaluations import quality_report
from app.api.files import activity_file, course_image, download_document
from app.api.missions import download_submission_file
from app.api.outbox import outbox_attachment
from app.api.questionnaires import questionnaire_export
from app.api.scorm import commit as scorm_commit
from app.api.scorm import content as scorm_content
from app.api.session import close_session, open_session
from app.services.db import session_scope
from app.settings import get_settings

# Probes run in their own two threads: a database that hangs a connection attempt then ties up these,
# never the pool that runs the app's handlers (`asyncio.to_thread`), and the next probe answers 503 on time.
_PROBES = ThreadPoolExecutor(max_workers=2, thread_name_prefix="plume-health")
PROBE_TIMEOUT_SECONDS = 2.0


def _database_ok() -> None:
    with session_scope() as db:
        db.exec(text("SELECT 1"))  # type: ignore[call-overload]  # raw SQL probe


async def _check_database() -> str:
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.run_in_executor(_PROBES, _database_ok), PROBE_TIMEOUT_SECONDS)
    return "ok"


async def _check_redis() -> str:
    url = get_settings().redis_url
    if not url:
        return "off"
    client = Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS)
    try:
        await asyncio.wait_for(cast("Awaitable[bool]", client.ping()), PROBE_TIMEOUT_SECONDS)
    finally:
        await client.aclose()
    return "ok"


async def _probe(check: Callable[[], Awaitable[str]]) -> tuple[str, str]:
    try:
        return await check(), ""
    except Exception as exc:  # noqa: BLE001  # any failure means "not healthy"
        return "error", type(exc).__name__


async def health(_request: Request) -> JSONResponse:
    """Whether the backend, its database and (when configured) Redis answer, without blocking the event loop.

    Args:
        _request: The request.

    Returns:
        {"status": "ok", "database": "ok", "redis": "ok" or "off"}, or a 503 naming what failed
        ("error", with the exception's type under "detail").
    """
    (database, db_error), (redis, redis_error) = await asyncio.gather(_probe(_check_database), _probe(_check_redis))
    body: dict[str, object] = {"status": "ok", "database": database, "redis": redis}
    failed = {name: error for name, error in (("database", db_error), ("redis", redis_error)) if error}
    if failed:
        body["status"], body["detail"] = "error", failed
    return JSONResponse(body, status_code=503 if failed else 200, headers={"Cache-Control": "no-store"})


def build_api() -> Starlette:
    """Plume's own HTTP routes.

    Returns:
        The Starlette app.
    """
    return Starlette(
        routes=[
            Route("/api/health", health, methods=["GET"]),
            Route("/health", health, methods=["GET"]),  # what load balancers and orchestrators probe
            Route("/api/session", open_session, methods=["GET"]),
            Route("/api/session/out", close_session, methods=["GET"]),
            Route("/api/documents/{document_id:int}", download_document, methods=["GET"]),
            Route("/api/agenda/{secret}.ics", agenda_feed, methods=["GET"]),
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
            Route("/api/scorm/{activity_id:int}/content/{path:path}", scorm_content, methods=["GET"]),
            Route("/api/scorm/attempts/{attempt_id:int}/commit", scorm_commit, methods=["POST"]),
        ]
    )
