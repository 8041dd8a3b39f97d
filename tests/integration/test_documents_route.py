"""The document download route, against the running app: members get the file, anyone else the same 404."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

import httpx
import pytest
from sqlmodel import col, select

from app.models import Document, Enrolment, Module, TrainingSession, User
from app.services import documents
from app.settings import reset_settings
from tests.factories import actor_for
from tests.live import DEMO_PASSWORD, sign_in, tab

SESSION_TITLE = "Excel avancé — groupe 2"
OTHER_SESSION_TITLE = "Manager une équipe — session de novembre"
NAME = "Support séance 1.pdf"
CONTENT = b"%PDF-1.4\n% Plume test\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


@dataclass(frozen=True)
class Uploaded:
    document_id: int
    member_email: str
    outsider_email: str


def _session_id(db, title: str) -> int:
    return db.exec(select(TrainingSession.id).where(TrainingSession.title == title)).one()


def _learner_emails(db, session_id: int) -> set[str]:
    rows = db.exec(
        select(User.email)
        .join(Enrolment, col(Enrolment.user_id) == col(User.id))
        .where(Enrolment.session_id == session_id)
    )
    return set(rows.all())


@pytest.fixture
def uploaded(server, monkeypatch: pytest.MonkeyPatch) -> Iterator[Uploaded]:
    """A PDF the positioned trainer put in the first module of the Excel session, in the server's files dir."""
    with server.session() as db:
        session_id = _session_id(db, SESSION_TITLE)
        module_id = db.exec(select(Module.id).where(Module.session_id == session_id).order_by(col(Module.id))).first()
        members = _learner_emails(db, session_id)
        others = _learner_emails(db, _session_id(db, OTHER_SESSION_TITLE)) - members
        trainer = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        with monkeypatch.context() as env:
            env.setenv("PLUME_FILES_DIR", str(server.files_dir))
            reset_settings()
            document = documents.store(db, actor_for(db, trainer), module_id=module_id, name=NAME, data=CONTENT)
            db.commit()
        reset_settings()
    assert members and others
    yield Uploaded(document_id=document.id or 0, member_email=min(members), outsider_email=min(others))


async def _token(base_url: str, email: str) -> str:
    client = await tab(base_url)
    token = await sign_in(client, email, DEMO_PASSWORD)
    await client.close()
    return token


async def _get(base_url: str, document_id: int, token: str | None) -> httpx.Response:
    headers = {"Cookie": f"plume_session={token}"} if token is not None else {}
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        return await client.get(f"/api/documents/{document_id}", headers=headers)


async def test_a_learner_of_the_session_downloads_the_exact_file(server, uploaded: Uploaded) -> None:
    token = await _token(server.url, uploaded.member_email)
    response = await _get(server.url, uploaded.document_id, token)
    assert response.status_code == 200
    assert response.content == CONTENT
    assert response.headers["content-type"] == "application/pdf"
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "private, no-store"


async def test_everyone_else_gets_the_same_not_found(server, uploaded: Uploaded) -> None:
    outsider = await _token(server.url, uploaded.outsider_email)
    member = await _token(server.url, uploaded.member_email)
    refused = [
        await _get(server.url, uploaded.document_id, outsider),
        await _get(server.url, uploaded.document_id, None),
        await _get(server.url, uploaded.document_id, "garbage-" + "x" * 40),
        await _get(server.url, uploaded.document_id + 10_000, member),
    ]
    assert [r.status_code for r in refused] == [404] * 4
    assert {r.text for r in refused} == {"Introuvable"}
    assert {r.headers.get("content-disposition") for r in refused} == {None}
    assert len({r.headers.get("content-type") for r in refused}) == 1


async def test_a_deleted_document_is_not_found(server, uploaded: Uploaded, monkeypatch: pytest.MonkeyPatch) -> None:
    member = await _token(server.url, uploaded.member_email)
    with server.session() as db:
        trainer = db.exec(select(User).where(User.email == "trainer@demo.plume.test")).one()
        with monkeypatch.context() as env:
            env.setenv("PLUME_FILES_DIR", str(server.files_dir))
            reset_settings()
            documents.delete(db, actor_for(db, trainer), uploaded.document_id)
            db.commit()
        reset_settings()
        stored_name = db.get(Document, uploaded.document_id).stored_name
    assert not (server.files_dir / stored_name).exists()
    response = await _get(server.url, uploaded.document_id, member)
    assert (response.status_code, response.text) == (404, "Introuvable")
