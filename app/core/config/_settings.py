"""Typed application settings, read from the environment and an optional `.env` file.

Every field maps to an upper-case environment variable of the same name. The validators
at the bottom are the guard rails that keep an unsafe configuration out of production.
"""

import base64
import binascii
import ipaddress
from functools import lru_cache
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationInfo, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# Shipped in `.env.example` and used when nothing else is configured in development;
# production refuses to start with either of them.
DEVELOPMENT_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"  # noqa: S105
EXAMPLE_SECRET_KEY = "change-me-to-a-random-string-of-at-least-32-bytes"  # noqa: S105
MIN_SECRET_KEY_BYTES = 32
# RFC 7518, section 3.2: an HMAC key at least as long as the hash. python-jose takes any key.
MIN_KEY_BYTES_BY_ALGORITHM = {"HS256": 32, "HS384": 48, "HS512": 64}
# Encrypts two-factor secrets where no TWO_FACTOR_ENCRYPTION_KEYS are set (development and
# tests only; production refuses to start without a key of its own).
DEVELOPMENT_TWO_FACTOR_KEY = "ZGV2ZWxvcG1lbnQtb25seS10d28tZmFjdG9yLWtleSE="
TWO_FACTOR_KEY_BYTES = 32  # a Fernet key: 32 random bytes, url-safe base64
# Fewer distinct byte values than this in 32 bytes is a typed or patterned key, not random.
_MIN_DISTINCT_KEY_BYTES = 12

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    environment: Environment = "development"
    debug: bool = False
    app_name: str = "Conduit API"

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] | None = None  # None: console in development

    # Required: `make run` points it at the embedded development server when unset.
    database_url: str
    # Overflow connections are closed as soon as they are returned, so under bursts they are
    # opened and closed again and again (a PostgreSQL backend each time): keep the pool at
    # its working size and the overflow at zero unless bursts are rare.
    db_pool_size: int = Field(default=10, ge=1, le=100)
    db_max_overflow: int = Field(default=0, ge=0, le=100)
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    db_pool_recycle_seconds: int = Field(default=1800, ge=-1)
    # Pooled connections idle this long are pinged before reuse (app/core/db/_pool_ping.py).
    db_pool_ping_after_idle_seconds: float = Field(default=10.0, ge=0)
    db_statement_timeout_ms: int = Field(default=15_000, ge=0)
    # What sits between us and PostgreSQL: "pgbouncer" for PgBouncer in transaction mode
    # (app/core/db/_pooler.py says what changes). Session-mode pooling needs nothing.
    db_pooler: Literal["none", "pgbouncer"] = "none"
    db_echo: bool = False
    # LISTEN for live events (app/core/streams) needs a direct connection: set this to
    # PostgreSQL itself when DATABASE_URL points at PgBouncer in transaction mode.
    db_listen_url: str | None = None
    health_db_timeout_seconds: float = Field(default=2.0, gt=0)
    # Set by docker/gunicorn.conf.py; used to check the connection budget at start-up.
    web_concurrency: int = Field(default=1, ge=1)

    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET_KEY)
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"
    jwt_issuer: str = "conduit-api"
    jwt_audience: str = "conduit-clients"
    # Sessions (docs/identity.md, "Sessions and refresh tokens"): short access tokens, rotated
    # refresh tokens that lapse when unused, and a session that ends after an absolute lifetime.
    access_token_ttl_minutes: int = Field(default=15, ge=1, le=60 * 24)
    refresh_token_ttl_days: int = Field(default=14, ge=1, le=365)
    session_absolute_ttl_days: int = Field(default=30, ge=1, le=365)
    # Failed logins for one email from one client address, within a window, before 429s.
    login_failure_limit: int = Field(default=10, ge=1)
    login_failure_window_seconds: int = Field(default=900, ge=1)
    # In the same window: failed logins per client address across all emails (spraying),
    # and per account across all addresses (then locked until the window ends or a reset).
    login_address_failure_limit: int = Field(default=50, ge=1)
    login_account_failure_limit: int = Field(default=25, ge=1)
    # Changing the email or the password needs the password proven this recently in the
    # session ("sudo mode"): otherwise 403, and the client re-authenticates.
    reauth_window_minutes: int = Field(default=10, ge=1, le=24 * 60)
    # Two-factor sign-in (docs/auth.md): TOTP secrets are stored encrypted with the first of
    # these keys (each 32 random bytes, url-safe base64: `make two-factor-key`); every key listed
    # decrypts, so a new key goes first and the old one stays until each secret has been
    # re-encrypted (a secret is re-encrypted with the first key whenever a code is accepted).
    two_factor_encryption_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    # Seconds between the password step of a two-factor sign-in and its code.
    two_factor_challenge_ttl_seconds: int = Field(default=300, ge=30, le=1800)
    # Wrong codes one challenge takes before it is void (the password is asked again).
    two_factor_challenge_attempts: int = Field(default=5, ge=1, le=20)
    # Passkeys (WebAuthn, docs/auth.md): the relying party's id is the site's domain (the
    # origins' host or a parent of it); the origins are those of the pages that call
    # navigator.credentials, which the browser signs into each answer.
    webauthn_rp_id: str = "localhost"
    webauthn_rp_name: str | None = None  # None: APP_NAME
    webauthn_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["http://localhost:8000"]
    )
    # Seconds a passkey registration or sign-in may take between its options and its answer.
    webauthn_challenge_ttl_seconds: int = Field(default=300, ge=30, le=1800)
    # Sign-in with an OpenID Connect provider (docs/auth.md): off while OIDC_ISSUER is empty.
    # The redirect URI is the frontend's page the provider sends the browser back to; it
    # posts the code and the state to the API.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_redirect_uri: str = "http://localhost:3000/oidc/callback"
    oidc_scopes: str = "openid email profile"
    # Seconds between sending the browser to the provider and its coming back.
    oidc_flow_ttl_seconds: int = Field(default=600, ge=60, le=3600)
    # Passwords one worker hashes at once (argon2, 19 MiB each); more requests wait their turn.
    password_hash_concurrency: int = Field(default=2, ge=1, le=64)
    # Mail (password reset, email verification): sent after the response through SMTP.
    # An empty SMTP_HOST sends nothing (each dropped mail is logged).
    smtp_host: str = ""
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_from: str = "Conduit <no-reply@localhost>"
    smtp_timeout_seconds: float = Field(default=10.0, gt=0)
    # Where the mailed links point: the frontend's pages that POST the token back.
    frontend_url: str = "http://localhost:3000"
    password_reset_ttl_minutes: int = Field(default=30, ge=5, le=24 * 60)
    email_verification_ttl_hours: int = Field(default=48, ge=1, le=24 * 30)
    # Mail requests (reset, verification) for one email from one client address per window.
    mail_request_limit: int = Field(default=5, ge=1)
    mail_request_window_seconds: int = Field(default=3600, ge=1)

    # Server-Sent Events streams (app/core/streams): comment lines this often keep proxies
    # from timing them out; at most this many open per worker (then 503); events kept
    # this long for clients resuming with Last-Event-ID.
    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)
    stream_max_per_worker: int = Field(default=100, ge=1)
    # Per client address and per signed-in account, within each worker's cap (then 429).
    stream_max_per_client: int = Field(default=10, ge=1)
    stream_event_retention_seconds: int = Field(default=86_400, ge=60)

    # Writes per user (or per client address before login) and window, shared by every
    # worker (app/core/ratelimit); 0 turns the limit off.
    rate_limit_writes: int = Field(default=120, ge=0)
    rate_limit_window_seconds: int = Field(default=60, ge=1, le=86_400)

    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    trusted_hosts: Annotated[list[str], NoDecode] = Field(default_factory=lambda: ["*"])
    max_request_body_bytes: int = Field(default=1_048_576, ge=1024)
    hsts_seconds: int = Field(default=0, ge=0)
    # Enforced by the Gunicorn worker (app/core/edge/server_worker.py) before a request exists.
    http_max_request_line_bytes: int = Field(default=8190, ge=256)
    http_max_header_bytes: int = Field(default=16384, ge=1024)
    http_header_timeout_seconds: float = Field(default=10.0, gt=0)
    metrics_enabled: bool = True
    # Requests to these paths are counted in the metrics but write no access line: the
    # probes, called every few seconds per instance, would otherwise drown the log.
    access_log_skip_paths: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["/health/live", "/health/ready"]
    )
    # OpenTelemetry tracing (app/core/observability/tracing.py), off by default: then
    # nothing of it is loaded. The endpoint and service name are the SDK's standard
    # variables, same meaning.
    otel_enabled: bool = False
    otel_exporter_otlp_endpoint: str = "http://localhost:4318"  # OTLP/HTTP base URL
    otel_service_name: str | None = None  # None: APP_NAME
    otel_traces_sampler_ratio: float = Field(default=1.0, ge=0, le=1)  # parent-based

    # Background jobs (app/core/jobs/): the worker process, retries, dead letters.
    job_worker_concurrency: int = Field(default=4, ge=1, le=100)
    job_max_attempts: int = Field(default=5, ge=1, le=100)
    job_retry_base_seconds: float = Field(default=2.0, gt=0)
    job_retry_max_seconds: float = Field(default=600.0, gt=0)
    job_shutdown_timeout_seconds: float = Field(default=30.0, gt=0)
    # Retention, swept hourly by the worker: finished jobs; failed ones (the dead letter).
    job_retention_hours: int = Field(default=168, ge=1)
    job_failed_retention_days: int = Field(default=30, ge=1)
    # The audit log of security events (app/identity/audit/), swept hourly by the worker.
    audit_retention_days: int = Field(default=365, ge=1)
    # Outgoing HTTP (app/core/outbound_http/): one client per process, these bounds on every call.
    http_client_connect_timeout_seconds: float = Field(default=3.0, gt=0)
    http_client_read_timeout_seconds: float = Field(default=10.0, gt=0)
    http_client_write_timeout_seconds: float = Field(default=10.0, gt=0)
    http_client_pool_timeout_seconds: float = Field(default=3.0, gt=0)
    http_client_max_connections: int = Field(default=100, ge=1)
    http_client_max_keepalive_connections: int = Field(default=20, ge=0)
    http_client_retries: int = Field(default=2, ge=0, le=10)
    http_client_retry_base_seconds: float = Field(default=0.2, gt=0)
    http_client_deadline_seconds: float = Field(default=30.0, gt=0)

    # Webhooks: destinations refused unless public or in these CIDRs (app/core/webhooks/).
    webhook_allowed_networks: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Consecutive failed delivery attempts after which an endpoint is disabled.
    webhook_failure_budget: int = Field(default=15, ge=1)
    # Endpoints one account may have (each event fans out to all of them), and pings one
    # endpoint may be sent per minute (each is an outgoing call made for the caller).
    webhook_max_per_account: int = Field(default=10, ge=1)
    webhook_pings_per_minute: int = Field(default=6, ge=1)
    webhook_delivery_retention_days: int = Field(default=30, ge=1)  # the delivery log

    @field_validator(
        "cors_origins",
        "trusted_hosts",
        "access_log_skip_paths",
        "webhook_allowed_networks",
        "two_factor_encryption_keys",
        "webauthn_origins",
        mode="before",
    )
    @classmethod
    def _split_comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _networks_are_cidrs(cls, value: list[str]) -> list[str]:
        for cidr in value:
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError as error:
                raise ValueError(f"WEBHOOK_ALLOWED_NETWORKS: {cidr!r} is not a network") from error
        return value

    @field_validator("database_url", "db_listen_url")
    @classmethod
    def _use_asyncpg_driver(cls, value: str | None) -> str | None:
        if not value:  # DB_LISTEN_URL unset or empty: DATABASE_URL
            return None
        # Hosting platforms hand out `postgres://` or `postgresql://` URLs; the app only
        # speaks asyncpg, so normalise those and reject any other driver explicitly.
        scheme, sep, rest = value.partition("://")
        if not sep:
            raise ValueError("DATABASE_URL must look like postgresql+asyncpg://user@host/db")
        if scheme in {"postgres", "postgresql", "postgresql+asyncpg"}:
            return f"postgresql+asyncpg://{rest}"
        raise ValueError(f"DATABASE_URL scheme {scheme!r} is not supported; use postgresql+asyncpg")

    # The checks that depend on ENVIRONMENT are field validators reading the already
    # validated `environment` (declared first), not a model validator: pydantic runs a
    # model validator only once every field is valid, so a missing DATABASE_URL would hide
    # an unsafe SECRET_KEY. This way one ValidationError lists every problem.
    @field_validator("secret_key")
    @classmethod
    def _secret_key_is_safe(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        secret = value.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_KEY_BYTES:
            raise ValueError(f"SECRET_KEY must be at least {MIN_SECRET_KEY_BYTES} bytes long")
        environment = info.data.get("environment")
        if environment not in {None, "development"} and secret in {
            DEVELOPMENT_SECRET_KEY,
            EXAMPLE_SECRET_KEY,
        }:
            raise ValueError(
                f"SECRET_KEY is the development/example value, refused in {environment}; "
                "generate a new one"
            )
        return value

    @field_validator("two_factor_encryption_keys")
    @classmethod
    def _two_factor_keys_are_random(
        cls, value: list[SecretStr], info: ValidationInfo
    ) -> list[SecretStr]:
        environment = info.data.get("environment")
        if not value:
            if environment == "production":
                raise ValueError(
                    "TWO_FACTOR_ENCRYPTION_KEYS is required in production: two-factor secrets "
                    "are stored encrypted with it (`make two-factor-key` prints one)"
                )
            return value
        for position, key in enumerate(value, start=1):
            secret = key.get_secret_value()
            raw = _url_safe_bytes(secret)
            if raw is None or len(raw) != TWO_FACTOR_KEY_BYTES:
                raise ValueError(
                    f"TWO_FACTOR_ENCRYPTION_KEYS: key {position} is not {TWO_FACTOR_KEY_BYTES} "
                    "bytes in url-safe base64 (`make two-factor-key` prints one)"
                )
            if len(set(raw)) < _MIN_DISTINCT_KEY_BYTES:
                raise ValueError(
                    f"TWO_FACTOR_ENCRYPTION_KEYS: key {position} is not random; generate one"
                )
            if environment == "production" and secret == DEVELOPMENT_TWO_FACTOR_KEY:
                raise ValueError(
                    "TWO_FACTOR_ENCRYPTION_KEYS holds the development key, refused in production"
                )
        return value

    @field_validator("webauthn_origins")
    @classmethod
    def _passkey_origins_belong_to_the_relying_party(
        cls, value: list[str], info: ValidationInfo
    ) -> list[str]:
        rp_id = info.data.get("webauthn_rp_id") or ""
        environment = info.data.get("environment")
        for origin in value:
            parsed = urlsplit(origin)
            host = parsed.hostname or ""
            if parsed.scheme not in {"http", "https"} or not host or parsed.path not in {"", "/"}:
                raise ValueError(
                    f"WEBAUTHN_ORIGINS: {origin!r} is not an origin like https://app.example"
                )
            if host != rp_id and not host.endswith(f".{rp_id}"):
                raise ValueError(
                    f"WEBAUTHN_ORIGINS: {origin!r} is not on WEBAUTHN_RP_ID {rp_id!r} "
                    "or a subdomain of it"
                )
            if parsed.scheme == "http" and not _is_loopback(host) and environment != "development":
                raise ValueError(f"WEBAUTHN_ORIGINS must use https in {environment}: {origin!r}")
        return [origin.rstrip("/") for origin in value]

    @field_validator("oidc_redirect_uri")
    @classmethod
    def _oidc_is_configured_whole_and_over_https(cls, value: str, info: ValidationInfo) -> str:
        issuer = info.data.get("oidc_issuer") or ""
        if not issuer:
            return value
        environment = info.data.get("environment")
        if not info.data.get("oidc_client_id"):
            raise ValueError("OIDC_CLIENT_ID is required when OIDC_ISSUER is set")
        for name, url in (("OIDC_ISSUER", issuer), ("OIDC_REDIRECT_URI", value)):
            parsed = urlsplit(url)
            if parsed.scheme not in {"http", "https"} or not parsed.hostname:
                raise ValueError(f"{name} must be an http(s) URL")
            clear = parsed.scheme == "http" and not _is_loopback(parsed.hostname)
            if clear and environment != "development":
                raise ValueError(f"{name} must use https in {environment}")
        return value

    @field_validator("session_absolute_ttl_days")
    @classmethod
    def _session_outlives_its_refresh_token(cls, value: int, info: ValidationInfo) -> int:
        idle = info.data.get("refresh_token_ttl_days")
        if idle is not None and value < idle:
            raise ValueError(
                "SESSION_ABSOLUTE_TTL_DAYS must be at least REFRESH_TOKEN_TTL_DAYS "
                f"({value} < {idle})"
            )
        return value

    @field_validator("smtp_security")
    @classmethod
    def _mail_is_encrypted_beyond_this_host(cls, value: str, info: ValidationInfo) -> str:
        # Password reset links are credentials: outside development they travel over TLS,
        # unless the relay is on this host (a sidecar that relays with TLS itself).
        host = info.data.get("smtp_host") or ""
        environment = info.data.get("environment")
        if value == "none" and host and not _is_loopback(host) and environment != "development":
            raise ValueError(
                f"SMTP_SECURITY=none sends mail in clear text to {host}, refused in "
                f"{environment}; use starttls or tls"
            )
        return value

    @field_validator("frontend_url")
    @classmethod
    def _links_are_https_beyond_this_host(cls, value: str, info: ValidationInfo) -> str:
        parsed = urlsplit(value)
        if parsed.scheme not in {"http", "https"} or not parsed.hostname:
            raise ValueError("FRONTEND_URL must be an http(s) URL, e.g. https://app.example")
        environment = info.data.get("environment")
        clear_text = parsed.scheme == "http" and not _is_loopback(parsed.hostname)
        if clear_text and environment != "development":
            raise ValueError(f"FRONTEND_URL must use https in {environment}: links carry tokens")
        return value.rstrip("/")

    @field_validator("debug")
    @classmethod
    def _no_debug_in_production(cls, value: bool, info: ValidationInfo) -> bool:
        if value and info.data.get("environment") == "production":
            raise ValueError("DEBUG must be false in production")
        return value

    @field_validator("cors_origins")
    @classmethod
    def _explicit_origins_in_production(cls, value: list[str], info: ValidationInfo) -> list[str]:
        if "*" in value and info.data.get("environment") == "production":
            raise ValueError("CORS_ORIGINS must list explicit origins, not '*', in production")
        return value

    @model_validator(mode="after")
    def _secret_key_fits_the_algorithm(self) -> "Settings":
        needed = MIN_KEY_BYTES_BY_ALGORITHM[self.jwt_algorithm]
        if len(self.secret_key.get_secret_value().encode()) < needed:
            raise ValueError(
                f"SECRET_KEY must be at least {needed} bytes long for {self.jwt_algorithm}"
            )
        return self

    @property
    def listen_dsn(self) -> str:
        """The plain `postgresql://` URL asyncpg connects to for LISTEN."""
        url = self.db_listen_url or self.database_url
        return "postgresql://" + url.partition("://")[2]

    @property
    def two_factor_keys(self) -> list[str]:
        """The keys two-factor secrets are sealed with (the first) and opened with (any)."""
        keys = [key.get_secret_value() for key in self.two_factor_encryption_keys]
        return keys or [DEVELOPMENT_TWO_FACTOR_KEY]

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    @property
    def effective_log_format(self) -> Literal["json", "console"]:
        if self.log_format is not None:
            return self.log_format
        return "console" if self.is_development else "json"


def _url_safe_bytes(text: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        return None


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@lru_cache
def get_settings() -> Settings:
    return Settings()
