"""One typed settings object, read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEV_SECRET = "plume-dev-secret-change-me"  # noqa: S105  # the public default, refused outside dev
PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(RuntimeError):
    """Raised when the environment describes an unsafe or broken deployment."""


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Settings:
    """Deployment settings. Built from the environment by `load_settings`."""

    env: str = "dev"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'plume.db'}"
    redis_url: str = ""
    secret_key: str = DEV_SECRET
    base_url: str = "http://localhost:3000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "Plume <no-reply@plume.test>"
    sms_gateway_url: str = ""
    trusted_proxy_hops: int = 0
    throttle_ip_max_failures: int = 5
    files_dir: Path = field(default=PROJECT_ROOT / "var" / "files")
    session_idle_minutes: int = 60 * 24 * 7
    session_absolute_days: int = 30

    @property
    def is_production(self) -> bool:
        """Whether this deployment serves real people."""
        return self.env == "production"

    @property
    def is_sqlite(self) -> bool:
        """Whether the database is the embedded SQLite file."""
        return self.database_url.startswith("sqlite")

    def check(self) -> None:
        """Refuse a deployment that would run with the shared default secret.

        Raises:
            SettingsError: Outside `PLUME_ENV=dev` with the default secret.
        """
        if self.env != "dev" and self.secret_key in ("", DEV_SECRET):
            msg = (
                f"PLUME_SECRET_KEY must be set to a private random value when "
                f"PLUME_ENV={self.env!r} (the default secret is public)."
            )
            raise SettingsError(msg)


def load_settings() -> Settings:
    """Read settings from the environment.

    Returns:
        The settings of this process.
    """
    env = os.environ
    defaults = Settings()
    return Settings(
        env=env.get("PLUME_ENV", "dev").strip() or "dev",
        database_url=env.get("DATABASE_URL", "").strip() or defaults.database_url,
        redis_url=env.get("REDIS_URL", "").strip(),
        secret_key=env.get("PLUME_SECRET_KEY", "").strip() or DEV_SECRET,
        base_url=(env.get("PLUME_BASE_URL", "").strip() or defaults.base_url).rstrip("/"),
        smtp_host=env.get("SMTP_HOST", "").strip(),
        smtp_port=_env_int("SMTP_PORT", 25),
        smtp_user=env.get("SMTP_USER", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=env.get("SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        smtp_from=env.get("SMTP_FROM", "").strip() or defaults.smtp_from,
        sms_gateway_url=env.get("PLUME_SMS_GATEWAY_URL", "").strip(),
        trusted_proxy_hops=_env_int("PLUME_TRUSTED_PROXY_HOPS", 0),
        throttle_ip_max_failures=max(1, _env_int("PLUME_THROTTLE_IP_MAX_FAILURES", 5)),
        files_dir=Path(env.get("PLUME_FILES_DIR", "").strip() or defaults.files_dir),
    )


_settings: Settings | None = None


def get_settings() -> Settings:
    """The settings of this process, read once.

    Returns:
        The cached settings.
    """
    global _settings  # noqa: PLW0603  # one settings object per process
    if _settings is None:
        _settings = load_settings()
    return _settings


def reset_settings() -> None:
    """Forget the cached settings (tests change the environment)."""
    global _settings  # noqa: PLW0603
    _settings = None
