"""The test server builds its own frontend, so `make test` never breaks a running `make run`."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from tests.server import ROOT, TEST_WEB_DIR, PlumeServer


def test_test_server_frontend_lives_in_its_own_directory(server: PlumeServer) -> None:
    port = urlsplit(server.url).port
    assert TEST_WEB_DIR != ROOT / ".web"
    built = json.loads((TEST_WEB_DIR / "env.json").read_text())
    assert urlsplit(built["EVENT"]).port == port
    served = ROOT / ".web" / "env.json"
    if served.exists():
        # The checkout's own frontend (the one `make run` serves) still points at its own port.
        assert urlsplit(json.loads(served.read_text())["EVENT"]).port != port
