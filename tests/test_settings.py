"""Settings: read once from the environment; a wrong value names its variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from community.settings import Settings, SettingsError
from tests.conftest import make_settings

GOOD = {"SECRET_KEY": "a-long-enough-secret-key"}


def test_plain_http_base_url_gives_cookies_without_secure() -> None:
    assert not make_settings(base_url="http://127.0.0.1:8000").secure_cookies
    assert make_settings(base_url="https://example.org").secure_cookies
    assert not make_settings(base_url="https://example.org", debug=True).secure_cookies


def test_defaults_are_the_embedded_site() -> None:
    settings = Settings.from_env(GOOD)
    assert settings.database_url == "sqlite://community.sqlite3"
    assert settings.email_backend == "console"
    assert settings.reminder_offsets == (timedelta(hours=24), timedelta(hours=1))
    assert settings.time_zone == "Asia/Singapore"
    assert settings.rate_limits


def test_uploads_may_be_larger_than_other_bodies() -> None:
    assert Settings.from_env(GOOD).max_upload_bytes == 6 * 1024 * 1024
    assert Settings.from_env({**GOOD, "MAX_UPLOAD_BYTES": "8388608"}).max_upload_bytes == 8 << 20


def test_postgresql_url_spelling_is_accepted() -> None:
    settings = Settings.from_env({**GOOD, "DATABASE_URL": "postgresql://u@h:5432/d"})
    assert settings.database_url == "postgres://u@h:5432/d"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must start with sqlite:// or postgres://"),
        ("EMAIL_BACKEND", "pigeon", "EMAIL_BACKEND must be one of console, postmark"),
        ("BASE_URL", "example.org", "BASE_URL must be an http:// or https:// URL"),
        ("REMINDER_OFFSETS", "24 hours", "REMINDER_OFFSETS must be a list like 24h,1h"),
        ("SCHEDULER_TICK_SECONDS", "soon", "SCHEDULER_TICK_SECONDS must be a whole number"),
        ("SCHEDULER_TICK_SECONDS", "0", "SCHEDULER_TICK_SECONDS must be between 1 and 3600"),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE must be an IANA zone"),
        ("DEBUG", "maybe", "DEBUG must be on or off"),
        ("SECRET_KEY", "short", "SECRET_KEY is too short"),
        ("MAX_UPLOAD_BYTES", "6MB", "MAX_UPLOAD_BYTES must be a whole number"),
        ("MAX_UPLOAD_BYTES", "1048576", "MAX_UPLOAD_BYTES must be between 5242880 and 67108864"),
        ("REDIS_URL", "127.0.0.1:6379", "REDIS_URL must start with redis://"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT must be one of text, json"),
        ("METRICS_TOKEN", "abc", "METRICS_TOKEN is too short"),
    ],
)
def test_bad_value_names_its_variable(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({**GOOD, name: value})


def test_secret_key_is_required_outside_debug() -> None:
    with pytest.raises(SettingsError, match="SECRET_KEY must be set"):
        Settings.from_env({})
    assert Settings.from_env({"DEBUG": "1"}).debug
