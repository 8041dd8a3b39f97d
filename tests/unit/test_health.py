"""`/health` (and `/api/health`): the database and, when configured, Redis, checked off the event loop."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from app.api.routes import build_api
from app.services.db import make_engine, set_engine
from app.settings import reset_settings
from tests.server import free_port
from tests.services_local import RedisServer, redis_server


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def redis() -> Iterator[RedisServer]:
    with redis_server() as server:
        yield server


def _use_redis(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("REDIS_URL", url)
    reset_settings()


@pytest.mark.parametrize("path", ["/health", "/api/health"])
def test_healthy_without_redis(db: Session, client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "off"}
    assert response.headers["cache-control"] == "no-store"


def test_healthy_with_redis(
    db: Session, client: TestClient, redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _use_redis(monkeypatch, redis.url)
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_a_stopped_redis_answers_503(db: Session, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with redis_server() as server:
        _use_redis(monkeypatch, server.url)
        assert client.get("/health").status_code == 200
        server.stop()
        response = client.get("/health")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["redis"]) == ("error", "ok", "error")
    assert set(body["detail"]) == {"redis"}


def test_an_unreachable_database_answers_503(db: Session, client: TestClient) -> None:
    # Nothing listens on that port: the connection is refused.
    engine = make_engine(f"postgresql+psycopg://plume@127.0.0.1:{free_port()}/plume")
    set_engine(engine)
    try:
        response = client.get("/health")
    finally:
        engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["redis"]) == ("error", "error", "off")
    assert body["detail"] == {"database": "OperationalError"}


def test_a_database_that_never_answers_times_out_with_503(db: Session, client: TestClient) -> None:
    with socket.socket() as silent:  # accepts connections (the kernel's backlog) and never speaks
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        engine = make_engine(f"postgresql+psycopg://plume@127.0.0.1:{silent.getsockname()[1]}/plume")
        set_engine(engine)
        response = client.get("/health")
    assert response.status_code == 503
    assert response.json()["detail"] == {"database": "TimeoutError"}
