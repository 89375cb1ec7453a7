"""Settings read once from the environment (and an optional `.env` file) into a frozen object.

A wrong value stops start-up with one line naming the variable (`SettingsError`).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_DATABASE_URL = "sqlite://community.sqlite3"
EMBEDDED_SECRET_FILE = ".community-secret"  # noqa: S105  # a file name
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class SettingsError(Exception):
    """A configuration value is wrong; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """Everything configurable, read once at start-up."""

    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:8000"
    email_backend: str = "console"
    email_api_url: str = "https://api.postmarkapp.com"
    email_api_token: str = ""
    email_from: str = "Community <no-reply@localhost>"
    reminder_offsets: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    scheduler_tick_seconds: int = 60
    outbox_interval_seconds: int = 5
    #: a worker that claimed messages and died gives them back after this long
    outbox_lease_seconds: int = 300
    outbox_batch_size: int = 500
    #: the first retry's delay after a temporary failure; each next one doubles (with jitter)
    outbox_retry_seconds: int = 30
    email_timeout_seconds: int = 10
    #: shares rate limits between web processes; empty: each process counts its own
    redis_url: str = ""
    #: `text` (for a person at a terminal) or `json` (one object a line, for a log collector)
    log_format: str = "text"
    #: the bearer token that reads /metrics; empty: /metrics is not served
    metrics_token: str = ""
    time_zone: str = "Asia/Singapore"
    rate_limits: bool = True
    trust_proxy_headers: bool = False
    session_idle_minutes: int = 60 * 24 * 14
    session_max_days: int = 30
    debug: bool = False
    #: how long a visitor's copy of a thread page may be reused at most (0: never); a change
    #: to the thread itself shows at once regardless (its version is in the cache key)
    page_cache_seconds: int = 60
    #: how long a notification email waits for more of the same burst (#22)
    notify_burst_seconds: int = 300
    #: the largest request body accepted, in bytes; more gets 413
    max_body_bytes: int = 1024 * 1024
    #: the largest body sent to a path that takes uploads (a 5 MB image in a form, with room
    #: for the form); elsewhere max_body_bytes holds
    max_upload_bytes: int = 6 * 1024 * 1024
    site_name: str = "Community of Practice"

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry `Secure` unless debugging or the site itself is served over plain HTTP."""
        return not self.debug and self.base_url.startswith("https://")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    @classmethod
    def from_env(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        embedded: bool = False,
        base_url: str | None = None,
    ) -> Settings:
        """Read settings; `embedded` (the one-command `serve`) may create its own secret key,
        and `base_url` is BASE_URL's default (`serve` gives its own address)."""
        env = dict(_read_dotenv(Path(".env")))
        env.update(os.environ if environ is None else environ)
        debug = _bool(env, "DEBUG", False)
        secret_key = env.get("SECRET_KEY", "")
        if not secret_key:
            if embedded:
                secret_key = _embedded_secret()
            elif debug:
                secret_key = "debug-only-secret-key-not-for-production"  # noqa: S105
            else:
                raise SettingsError("SECRET_KEY must be set (a long random string) unless DEBUG=1.")
        if len(secret_key) < 16:
            raise SettingsError("SECRET_KEY is too short: use at least 16 random characters.")
        email_backend = _choice(env, "EMAIL_BACKEND", ("console", "postmark"), "console")
        if email_backend == "postmark" and not env.get("EMAIL_API_TOKEN"):
            raise SettingsError("EMAIL_API_TOKEN must be set when EMAIL_BACKEND=postmark.")
        return cls(
            database_url=_database_url(env),
            secret_key=secret_key,
            base_url=_url(env, "BASE_URL", base_url or cls.base_url).rstrip("/"),
            email_backend=email_backend,
            email_api_url=_url(env, "EMAIL_API_URL", cls.email_api_url).rstrip("/"),
            email_api_token=env.get("EMAIL_API_TOKEN", ""),
            email_from=env.get("EMAIL_FROM", cls.email_from),
            reminder_offsets=_offsets(env),
            scheduler_tick_seconds=_int(env, "SCHEDULER_TICK_SECONDS", 60, 1, 3600),
            outbox_interval_seconds=_int(env, "OUTBOX_INTERVAL_SECONDS", 5, 1, 3600),
            outbox_lease_seconds=_int(env, "OUTBOX_LEASE_SECONDS", 300, 5, 86400),
            outbox_batch_size=_int(env, "OUTBOX_BATCH_SIZE", 500, 1, 500),
            outbox_retry_seconds=_int(env, "OUTBOX_RETRY_SECONDS", 30, 1, 3600),
            email_timeout_seconds=_int(env, "EMAIL_TIMEOUT_SECONDS", 10, 1, 120),
            redis_url=_redis_url(env),
            log_format=_choice(env, "LOG_FORMAT", ("text", "json"), "text"),
            metrics_token=_token(env, "METRICS_TOKEN"),
            time_zone=_zone(env),
            rate_limits=_choice(env, "RATE_LIMITS", ("default", "off"), "default") == "default",
            trust_proxy_headers=_bool(env, "TRUST_PROXY_HEADERS", False),
            session_idle_minutes=_int(env, "SESSION_IDLE_MINUTES", 60 * 24 * 14, 5, 10**6),
            session_max_days=_int(env, "SESSION_MAX_DAYS", 30, 1, 3650),
            page_cache_seconds=_int(env, "PAGE_CACHE_SECONDS", 60, 0, 3600),
            notify_burst_seconds=_int(env, "NOTIFY_BURST_SECONDS", 300, 0, 3600),
            # at least a whole image of the largest size taken (5 MB, community.media.images)
            max_upload_bytes=_int(env, "MAX_UPLOAD_BYTES", cls.max_upload_bytes, 5 << 20, 64 << 20),
            debug=debug,
            site_name=env.get("SITE_NAME", cls.site_name),
        )


def _read_dotenv(path: Path) -> list[tuple[str, str]]:
    if not path.is_file():
        return []
    pairs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        pairs.append((key.strip(), value.strip().strip("'\"")))
    return pairs


def _embedded_secret() -> str:
    path = Path(EMBEDDED_SECRET_FILE)
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    path.write_text(secret + "\n", encoding="utf-8")
    path.chmod(0o600)
    return secret


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise SettingsError(f"{name} must be on or off (1/0, true/false), not {raw!r}.")


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {raw!r}.") from None
    if not low <= value <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {value}.")
    return value


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...], default: str) -> str:
    value = env.get(name, default).strip().lower() or default
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
    return value


def _url(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, default).strip() or default
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingsError(f"{name} must be an http:// or https:// URL, not {value!r}.")
    return value


def _database_url(env: Mapping[str, str]) -> str:
    value = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    scheme = value.split("://", 1)[0]
    if scheme == "postgresql":  # the spelling most hosts give; Tortoise says postgres
        value = "postgres" + value[len("postgresql") :]
        scheme = "postgres"
    if "://" not in value or scheme not in ("sqlite", "postgres", "asyncpg"):
        raise SettingsError(
            f"DATABASE_URL must start with sqlite:// or postgres://, not {value.split('://')[0]!r}."
        )
    return value


def _redis_url(env: Mapping[str, str]) -> str:
    value = env.get("REDIS_URL", "").strip()
    if value and urlsplit(value).scheme not in ("redis", "rediss", "unix"):
        scheme = value.split(":")[0]
        raise SettingsError(
            f"REDIS_URL must start with redis://, rediss:// or unix://, not {scheme!r}."
        )
    return value


def _token(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if value and len(value) < 16:
        raise SettingsError(f"{name} is too short: use at least 16 random characters.")
    return value


def _zone(env: Mapping[str, str]) -> str:
    value = env.get("TIME_ZONE", "Asia/Singapore").strip() or "Asia/Singapore"
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"TIME_ZONE must be an IANA zone like Asia/Singapore, not {value!r}."
        ) from None
    return value


def _offsets(env: Mapping[str, str]) -> tuple[timedelta, ...]:
    raw = env.get("REMINDER_OFFSETS", "24h,1h")
    offsets = []
    units = {"m": 60, "h": 3600, "d": 86400}
    for part in raw.split(","):
        part = part.strip().lower()
        if len(part) < 2 or part[-1] not in units or not part[:-1].isdigit() or int(part[:-1]) == 0:
            raise SettingsError(
                f"REMINDER_OFFSETS must be a list like 24h,1h (units m, h, d), not {raw!r}."
            )
        offsets.append(timedelta(seconds=int(part[:-1]) * units[part[-1]]))
    return tuple(sorted(set(offsets), reverse=True))


_current: Settings | None = None


def configure(settings: Settings) -> None:
    """Make `settings` the process's settings (done once by each entry point)."""
    global _current
    _current = settings


def current() -> Settings:
    """The process's settings; domain code reads BASE_URL and limits from here."""
    if _current is None:
        raise RuntimeError("settings.configure() has not been called")
    return _current
