"""One typed settings object, read from the environment."""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_KEY_FILE = PROJECT_ROOT / "var" / "secret.key"
# Values once published with Plume (the old dev default): never accepted as a key.
PUBLIC_SECRETS = frozenset({"plume-dev-secret-change-me"})
MIN_SECRET_LENGTH = 32


class SettingsError(RuntimeError):
    """Raised when the environment describes an unsafe or broken deployment."""


def read_or_create_key_file(path: Path) -> str:
    """The deployment's secret key, kept in a file outside the database.

    On first start a random key is written to a temporary file (mode 0600) and
    hard-linked into place: linking never overwrites, so when two workers start at
    once one wins and both read the winner's key.

    Args:
        path: The key file, e.g. `var/secret.key`.

    Returns:
        The key.

    Raises:
        SettingsError: The file is readable by others, or empty.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_urlsafe(48) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another worker created it first: use theirs
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        msg = f"{path} must be readable by its owner only (chmod 600 {path}); it is {mode:o}."
        raise SettingsError(msg)
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_LENGTH:
        msg = f"{path} holds no usable secret key; delete it to have a new one generated."
        raise SettingsError(msg)
    return key


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


@dataclass(frozen=True)
class Settings:
    """Deployment settings. Built from the environment by `load_settings`."""

    env: str = "dev"
    database_url: str = f"sqlite:///{PROJECT_ROOT / 'plume.db'}"
    redis_url: str = ""
    secret_key: str = ""
    base_url: str = "http://localhost:3000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_starttls: bool = False
    smtp_from: str = "Plume <no-reply@plume.test>"
    sms_gateway_url: str = ""
    trusted_proxy_hops: int = 0
    throttle_ip_max_failures: int = 100
    files_dir: Path = field(default=PROJECT_ROOT / "var" / "files")
    keys_dir: Path = field(default=PROJECT_ROOT / "var" / "keys")
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
        """Refuse a deployment whose secret key is missing, short or public.

        Raises:
            SettingsError: In any environment, with such a key.
        """
        if self.secret_key in PUBLIC_SECRETS or len(self.secret_key) < MIN_SECRET_LENGTH:
            msg = (
                f"PLUME_SECRET_KEY must be a private random value of at least {MIN_SECRET_LENGTH} "
                f"characters (unset it to use the generated key file {DEFAULT_KEY_FILE})."
            )
            raise SettingsError(msg)


def load_settings() -> Settings:
    """Read settings from the environment (and the key file when `PLUME_SECRET_KEY` is unset).

    Returns:
        The settings of this process.
    """
    env = os.environ
    defaults = Settings()
    secret_key = env.get("PLUME_SECRET_KEY", "").strip()
    if not secret_key:
        secret_key = read_or_create_key_file(Path(env.get("PLUME_SECRET_KEY_FILE", "").strip() or DEFAULT_KEY_FILE))
    return Settings(
        env=env.get("PLUME_ENV", "dev").strip() or "dev",
        database_url=env.get("DATABASE_URL", "").strip() or defaults.database_url,
        redis_url=env.get("REDIS_URL", "").strip(),
        secret_key=secret_key,
        base_url=(env.get("PLUME_BASE_URL", "").strip() or defaults.base_url).rstrip("/"),
        smtp_host=env.get("SMTP_HOST", "").strip(),
        smtp_port=_env_int("SMTP_PORT", 25),
        smtp_user=env.get("SMTP_USER", ""),
        smtp_password=env.get("SMTP_PASSWORD", ""),
        smtp_starttls=env.get("SMTP_STARTTLS", "").lower() in ("1", "true", "yes"),
        smtp_from=env.get("SMTP_FROM", "").strip() or defaults.smtp_from,
        sms_gateway_url=env.get("PLUME_SMS_GATEWAY_URL", "").strip(),
        trusted_proxy_hops=_env_int("PLUME_TRUSTED_PROXY_HOPS", 0),
        throttle_ip_max_failures=max(1, _env_int("PLUME_THROTTLE_IP_MAX_FAILURES", 100)),
        files_dir=Path(env.get("PLUME_FILES_DIR", "").strip() or defaults.files_dir),
        keys_dir=Path(env.get("PLUME_KEYS_DIR", "").strip() or defaults.keys_dir),
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
