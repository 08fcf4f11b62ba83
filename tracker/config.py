"""Settings: read once from the instance folder and ``TRACKER_*`` environment variables, with strict parsers.

Precedence, lowest first: defaults, ``instance/config.py``, the environment, an explicit mapping
passed to ``create_app`` (tests). A value that does not parse stops the start with a message naming it.
"""

from __future__ import annotations

import os
import secrets
import runpy
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Mapping
from urllib.parse import urlsplit


class ConfigError(ValueError):
    """A setting is missing or does not parse; the message names the variable."""


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{name}: expected a boolean (1/0, true/false), got {raw!r}")


def _parse_int(name: str, raw: str, minimum: int = 0) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}: expected an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def _parse_url(name: str, raw: str, schemes: set[str]) -> str:
    raw = raw.strip()
    scheme = urlsplit(raw).scheme.split("+")[0]
    if scheme not in schemes:
        raise ConfigError(f"{name}: expected a URL with scheme {sorted(schemes)}, got {raw!r}")
    return raw


@dataclass(frozen=True)
class Settings:
    """Typed settings of one tracker instance."""

    #: folder with config.py, the SQLite database, uploaded files, outbox .eml files, overrides
    instance_path: Path
    #: SQLAlchemy URL; default: SQLite file tracker.db in the instance folder
    database_url: str
    #: key signing sessions and CSRF tokens; generated into the instance folder when unset
    secret_key: str
    #: smtp://user:pass@host:port or smtps://...; None writes .eml files to instance/outbox/
    smtp_url: str | None = None
    #: public address of the site, used in e-mail links
    base_url: str = "http://127.0.0.1:5000"
    #: sender address of reminder e-mails
    mail_from: str = "tracker@localhost"
    #: largest upload accepted, in bytes
    max_upload_bytes: int = 25 * 1024 * 1024
    #: hours a sign-in lasts: one working day, not weeks
    session_hours: int = 10
    #: IANA time zone of the office
    timezone: str = "Asia/Ho_Chi_Minh"
    #: reverse proxies in front of the server (nginx: 1) whose X-Forwarded-For is believed; 0 takes the
    #: connecting address, which behind a proxy would make every sign-in come from the proxy
    proxy_count: int = 0
    #: anything else given in config.py or by tests, passed to Flask as is
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def uses_https(self) -> bool:
        """True when the public address is HTTPS, so cookies must be Secure."""
        return self.base_url.lower().startswith("https://")

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded database."""
        return self.database_url.startswith("sqlite")


def default_instance_path() -> Path:
    """The instance folder: ``TRACKER_INSTANCE`` or ``./instance`` in the working directory."""
    return Path(os.environ.get("TRACKER_INSTANCE") or Path.cwd() / "instance").resolve()


def _secret_key(instance: Path) -> str:
    """Read the instance's secret key, generating it on first use (never a constant in code)."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    instance.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    # Create exclusively so two processes starting at once agree on one key.
    try:
        with open(path, "x", encoding="ascii") as fh:
            fh.write(key)
        os.chmod(path, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
    return key


_ENV_FIELDS = {
    "TRACKER_DATABASE_URL": "database_url",
    "TRACKER_SECRET_KEY": "secret_key",
    "TRACKER_SMTP_URL": "smtp_url",
    "TRACKER_BASE_URL": "base_url",
    "TRACKER_MAIL_FROM": "mail_from",
    "TRACKER_MAX_UPLOAD_BYTES": "max_upload_bytes",
    "TRACKER_SESSION_HOURS": "session_hours",
    "TRACKER_TIMEZONE": "timezone",
    "TRACKER_PROXY_COUNT": "proxy_count",
}


def _coerce(name: str, key: str, raw: Any) -> Any:
    if key in {"max_upload_bytes", "session_hours"}:
        return raw if isinstance(raw, int) else _parse_int(name, str(raw), minimum=1)
    if key == "proxy_count":
        return raw if isinstance(raw, int) else _parse_int(name, str(raw), minimum=0)
    if key == "database_url":
        return _parse_url(name, str(raw), {"sqlite", "postgresql", "postgres"})
    if key == "smtp_url":
        return _parse_url(name, str(raw), {"smtp", "smtps"}) if raw else None
    if key == "base_url":
        return _parse_url(name, str(raw), {"http", "https"}).rstrip("/")
    return raw


def load_settings(overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None) -> Settings:
    """Build the settings from defaults, ``instance/config.py``, the environment and ``overrides``.

    Keys of ``instance/config.py`` and ``overrides`` are the lower-case field names
    (``database_url``...) or upper-case Flask keys, which go to ``extra``.
    """
    env = os.environ if env is None else env
    overrides = dict(overrides or {})
    instance = Path(overrides.pop("instance_path", None) or env.get("TRACKER_INSTANCE") or default_instance_path())
    instance = instance.resolve()
    values: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    names = {f.name for f in fields(Settings)}

    def take(source: Mapping[str, Any], label: str) -> None:
        for key, value in source.items():
            if key.startswith("_"):
                continue
            if key in names:
                values[key] = _coerce(f"{label}:{key}", key, value)
            elif key.isupper():
                extra[key] = value

    config_file = instance / "config.py"
    if config_file.exists():
        take({k: v for k, v in runpy.run_path(str(config_file)).items() if not callable(v)}, str(config_file))
    for var, key in _ENV_FIELDS.items():
        if var in env and env[var] != "":
            values[key] = _coerce(var, key, env[var])
    take(overrides, "create_app")

    values.setdefault("database_url", f"sqlite:///{instance / 'tracker.db'}")
    if "secret_key" not in values:
        values["secret_key"] = _secret_key(instance)
    return Settings(instance_path=instance, extra=extra, **values)


def with_overrides(settings: Settings, **changes: Any) -> Settings:
    """A copy of ``settings`` with some fields changed."""
    return replace(settings, **changes)
