"""`plume serve` starts only from a build made for this address, and several workers only with Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from app.settings import reset_settings


def _build(web: Path, address: str) -> None:
    (web / "build" / "client").mkdir(parents=True)
    (web / "build" / "client" / "index.html").write_text("<html></html>")
    (web / "env.json").write_text(json.dumps({"EVENT": f"ws://{address}/_event"}))


@pytest.fixture
def web(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A checkout whose frontend build directory is empty, served as http://plume.test:3000, without Redis.

    Yields:
        The build directory.
    """
    monkeypatch.setenv("REFLEX_WEB_WORKDIR", str(tmp_path / ".web"))
    monkeypatch.setenv("PLUME_BASE_URL", "http://plume.test:3000")
    monkeypatch.delenv("REDIS_URL", raising=False)
    reset_settings()
    yield tmp_path / ".web"
    reset_settings()


def test_serve_refuses_without_a_build(web: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "3999"]) == 2
    assert "make build" in capsys.readouterr().err


def test_serve_refuses_a_build_made_for_another_address(web: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _build(web, "localhost:3000")
    assert main(["serve", "--port", "3999"]) == 2
    assert "localhost:3000" in capsys.readouterr().err


def test_several_workers_need_redis(web: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _build(web, "plume.test:3000")
    assert main(["serve", "--port", "3999", "--workers", "2"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err
