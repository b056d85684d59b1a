"""One typed settings object, read from the environment and `.env` (prefix LIFEWORLD_)."""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset(
    {"", "change-me", "changeme", "changethis", "secret", "please-change-me", "replace-me"}
)
MIN_SECRET_LENGTH = 32


class Environment(StrEnum):
    PRODUCTION = "production"
    DEVELOPMENT = "development"
    TEST = "test"


class CacheMode(StrEnum):
    POSTGRES = "postgres"
    HYBRID = "hybrid"
    MEMORY = "memory"


class PlacesProvider(StrEnum):
    AUTO = "auto"  # OpenStreetMap's Nominatim when it answers, else the offline gazetteer
    OFFLINE = "offline"
    NOMINATIM = "nominatim"
    GOOGLE = "google"


class TlsMode(StrEnum):
    AUTO = "auto"  # HTTPS with the home CA's certificate, or LIFEWORLD_TLS_CERT_FILE's
    OFF = "off"  # plain HTTP: a proxy in front ends TLS


MDNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


class SettingsError(ValueError):
    """The configuration cannot be used; the message says how to fix it."""


class Settings(BaseSettings):
    """Everything configurable about one Life World OS instance."""

    model_config = SettingsConfigDict(
        env_prefix="LIFEWORLD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    env: Environment = Environment.PRODUCTION
    secret_key: SecretStr = SecretStr("")
    database_url: str | None = None
    data_dir: Path = Path("data")
    host: str = "0.0.0.0"
    port: int = Field(default=5173, ge=1, le=65535)
    public_url: str | None = None
    # Proxies whose X-Forwarded-For/-Proto headers are believed: addresses or networks,
    # comma-separated, or "*" where only proxies can reach the app (forwarding.py says how the
    # client's address is found in the header either way).
    forwarded_allow_ips: str = "127.0.0.1"
    # Idle keep-alive of client connections: longer than a load balancer's idle timeout (ALB:
    # 60 s), or the balancer reuses a connection the app has just closed.
    keep_alive_s: int = Field(default=5, ge=1, le=3600)
    log_level: str = "info"
    household_timezone: str = "UTC"

    # HTTPS (README "HTTPS at home"): `auto` serves the home CA's certificate, made under
    # <data_dir>/tls, or the user's own files below; `off` where a proxy ends TLS.
    tls: TlsMode = TlsMode.AUTO
    tls_cert_file: Path | None = None  # PEM: the certificate, then any intermediates
    tls_key_file: Path | None = None  # PEM, unencrypted
    # lifeworld.local on the home network (mDNS); a name another machine has gets a suffix.
    mdns: bool = True
    mdns_name: str = "lifeworld"

    # 10 kept open (+5 overflow): with 5, sixteen concurrent writes kept opening and closing
    # overflow connections (docs/PERFORMANCE.md). Replicas on a managed database set it lower.
    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_max_overflow: int = Field(default=5, ge=0, le=100)
    # Autocommit connections for reads of one statement outside a transaction (a dashboard
    # read that misses its cache): each holds one only for its round trip.
    db_read_pool_size: int = Field(default=4, ge=1, le=100)
    # Connections for the transactions of activity logs, run without the session: each holds
    # one from its locked read to its commit (two round trips).
    db_write_pool_size: int = Field(default=8, ge=1, le=100)
    db_connect_timeout_s: float = Field(default=2.0, gt=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)

    session_idle_days: int = Field(default=14, ge=1)
    session_absolute_days: int = Field(default=90, ge=1)
    invite_days: int = Field(default=7, ge=1)
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 20
    login_window_minutes: int = 15
    max_body_bytes: int = 1024 * 1024
    # POST /api/v1/me/import: several times a keen player's five-year export (docs/PERFORMANCE.md)
    max_import_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)
    idempotency_ttl_hours: float = Field(default=24.0, gt=0)  # how long a key's answer is kept
    backup_dir: Path | None = None  # default: <data_dir>/backups
    backup_keep: int = Field(default=7, ge=1)  # archives kept by the schedule
    backup_interval_hours: float = Field(default=24.0, ge=0)  # 0: no scheduled backups

    cache: CacheMode = CacheMode.POSTGRES
    redis_url: str | None = None
    cache_memory_enabled: bool = True  # the per-process tier in front of postgres/redis
    cache_memory_max_entries: int = Field(default=10_000, ge=1)
    cache_memory_max_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    cache_pool_size: int = Field(default=4, ge=1, le=50)  # connections of the cache's own pool
    cache_sweep_interval_s: float = Field(default=60.0, gt=0)
    cache_redis_prefix: str = Field(default="lw:", min_length=1, max_length=40)
    cache_invalidation_wait_ms: int = Field(default=50, ge=0, le=5_000)  # for other instances

    places_provider: PlacesProvider = PlacesProvider.AUTO
    places_ttl_hours: float = Field(default=24.0, gt=0)
    # Who runs this instance (an e-mail or a web address), sent in the User-Agent so that
    # OpenStreetMap's operators can reach the admin rather than block the address.
    places_contact: str | None = Field(default=None, max_length=200)
    # `auto`: after the online service failed, search offline this long before asking it again.
    places_offline_retry_s: float = Field(default=60.0, ge=0)
    nominatim_url: str = "https://nominatim.openstreetmap.org"
    nominatim_min_interval_s: float = Field(default=1.0, ge=0)  # the public service's policy
    google_places_api_key: SecretStr | None = None
    google_places_url: str = "https://places.googleapis.com/v1"
    places_timeout_s: float = Field(default=5.0, gt=0)
    # GET /metrics: with a token, `Authorization: Bearer <token>` is required; without one,
    # only clients on this machine (127.0.0.1, ::1) are answered.
    metrics_token: SecretStr | None = None
    ops_retention_days: int = Field(default=30, ge=1, le=3650)  # the per-minute figures kept
    db_cpu_cores: int | None = Field(default=None, ge=1, le=1024)  # a remote server's cores

    @field_validator("household_timezone")
    @classmethod
    def _valid_timezone(cls, value: str) -> str:
        from lifeworld.timezones import validate_timezone

        return validate_timezone(value)

    @field_validator("forwarded_allow_ips")
    @classmethod
    def _valid_proxies(cls, value: str) -> str:
        from lifeworld.forwarding import InvalidProxyList, TrustedProxies

        try:
            TrustedProxies(value)
        except InvalidProxyList as exc:
            raise ValueError(f"{exc}; list addresses and networks with commas, or *") from None
        return value

    @field_validator("places_contact")
    @classmethod
    def _one_line_contact(cls, value: str | None) -> str | None:
        # It goes into an HTTP header: one line of printable ASCII, or nothing.
        text = (value or "").strip()
        if text and not all(" " <= ch <= "~" for ch in text):
            raise ValueError("use an e-mail or web address on one line (plain ASCII characters)")
        return text or None

    @field_validator("mdns_name")
    @classmethod
    def _valid_mdns_name(cls, value: str) -> str:
        label = value.strip().lower().removesuffix(".").removesuffix(".local")
        if not MDNS_LABEL.match(label):
            raise ValueError(
                "must be one name of letters, digits and hyphens (up to 63), e.g. lifeworld "
                "(announced as lifeworld.local)"
            )
        return label

    @model_validator(mode="after")
    def _check_tls(self) -> Settings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise SettingsError(
                "LIFEWORLD_TLS_CERT_FILE and LIFEWORLD_TLS_KEY_FILE go together: set both "
                "(your own certificate) or neither (the home CA's certificate is made for you)."
            )
        return self

    @model_validator(mode="after")
    def _check_secret(self) -> Settings:
        if self.env is Environment.TEST:
            return self
        secret = self.secret_key.get_secret_value()
        if secret.strip().lower() in PLACEHOLDER_SECRETS or len(secret) < MIN_SECRET_LENGTH:
            raise SettingsError(
                "LIFEWORLD_SECRET_KEY is missing or a placeholder. Generate one with\n"
                "  python -c 'import secrets; print(secrets.token_urlsafe(48))'\n"
                "and put it in .env as LIFEWORLD_SECRET_KEY=... "
                "(./scripts/setup-mvp.sh does this for you)."
            )
        return self

    @model_validator(mode="after")
    def _check_cache_and_places(self) -> Settings:
        if self.cache is CacheMode.HYBRID and not self.redis_url:
            raise SettingsError(
                "LIFEWORLD_CACHE=hybrid needs LIFEWORLD_REDIS_URL (e.g. redis://127.0.0.1:6379/0)."
            )
        if self.places_provider is PlacesProvider.GOOGLE and not self.google_places_api_key:
            raise SettingsError(
                "LIFEWORLD_PLACES_PROVIDER=google needs LIFEWORLD_GOOGLE_PLACES_API_KEY."
            )
        return self

    @property
    def uses_embedded_database(self) -> bool:
        return not self.database_url

    def redacted(self) -> dict[str, Any]:
        """A summary safe to log: secrets and passwords never appear."""
        from lifeworld.db.urls import redact_url

        return {
            "env": self.env.value,
            "database": redact_url(self.database_url) if self.database_url else "embedded",
            "data_dir": str(self.data_dir),
            "host": self.host,
            "port": self.port,
            "public_url": self.public_url,
            "tls": self.tls.value if self.tls_cert_file is None else "own certificate",
            "mdns": f"{self.mdns_name}.local" if self.mdns else "off",
            "cache": self.cache.value,
            "redis_url": redact_url(self.redis_url) if self.redis_url else None,
            "secret_key": "set" if self.secret_key.get_secret_value() else "missing",
        }


def load_settings(**overrides: Any) -> Settings:
    """Build the settings from the environment, `.env` and explicit overrides.

    Raises SettingsError with one readable line per problem.
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = str(error.get("msg", "")).removeprefix("Value error, ")
            field = ".".join(str(p) for p in error.get("loc", ()))
            problems.append(f"LIFEWORLD_{field.upper()}: {message}" if field else message)
        raise SettingsError("\n".join(problems)) from None
