"""Settings validation: unsafe configurations are refused with a clear message."""

import pytest
from pydantic import ValidationError

from app.core.config import (
    DEVELOPMENT_SECRET_KEY,
    DEVELOPMENT_TWO_FACTOR_KEY,
    EXAMPLE_SECRET_KEY,
    Settings,
    describe,
    get_settings,
    settings_or_exit,
)

STRONG_SECRET = "s" * 48
TWO_FACTOR_KEY = "zj5iCOeRK9wACRDtIDnZuIFseK0rSrn0S62v-4KpZ-g="  # `make two-factor-key`
URL = "postgresql+asyncpg://app@db.internal/app"


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what each test passes counts: no process environment, no .env file."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)


def make(**values: object) -> Settings:
    base = {"database_url": URL, "secret_key": STRONG_SECRET}
    if values.get("environment") == "production":
        base["two_factor_encryption_keys"] = TWO_FACTOR_KEY
    return Settings.model_validate(base | values)


def test_defaults_are_a_working_development_configuration() -> None:
    settings = Settings.model_validate({"database_url": URL})

    assert settings.environment == "development"
    assert settings.secret_key.get_secret_value() == DEVELOPMENT_SECRET_KEY
    assert settings.effective_log_format == "console"


def test_secret_key_shorter_than_32_bytes_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        make(secret_key="short-secret")


@pytest.mark.parametrize(("algorithm", "needed"), [("HS384", 48), ("HS512", 64)])
def test_the_secret_key_is_at_least_as_long_as_the_hash(algorithm: str, needed: int) -> None:
    with pytest.raises(ValidationError, match=f"at least {needed} bytes long for {algorithm}"):
        make(jwt_algorithm=algorithm, secret_key="k" * (needed - 1))

    assert make(jwt_algorithm=algorithm, secret_key="k" * needed).jwt_algorithm == algorithm


@pytest.mark.parametrize("secret", [DEVELOPMENT_SECRET_KEY, EXAMPLE_SECRET_KEY])
@pytest.mark.parametrize("environment", ["production", "test"])
def test_default_secrets_are_refused_outside_development(secret: str, environment: str) -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY is the development/example value"):
        make(environment=environment, secret_key=secret)


def test_production_refuses_debug_and_wildcard_cors() -> None:
    with pytest.raises(ValidationError) as error:
        make(environment="production", debug=True, cors_origins="*")

    message = str(error.value)
    assert "DEBUG must be false" in message
    assert "CORS_ORIGINS must list explicit origins" in message


def test_production_with_safe_values_is_accepted() -> None:
    settings = make(environment="production", cors_origins="https://a.example, https://b.example")

    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert settings.effective_log_format == "json"


@pytest.mark.parametrize(
    "url", ["postgres://u@h/db", "postgresql://u@h/db", "postgresql+asyncpg://u@h/db"]
)
def test_database_urls_are_normalised_to_asyncpg(url: str) -> None:
    assert make(database_url=url).database_url == "postgresql+asyncpg://u@h/db"


@pytest.mark.parametrize("url", ["mysql://u@h/db", "postgresql+psycopg://u@h/db", "nonsense"])
def test_other_database_drivers_are_refused(url: str) -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        make(database_url=url)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "17")
    monkeypatch.setenv("TRUSTED_HOSTS", "api.example.com,localhost")

    settings = Settings(database_url=URL, secret_key=STRONG_SECRET)

    assert settings.db_pool_size == 17
    assert settings.trusted_hosts == ["api.example.com", "localhost"]


def test_every_problem_is_reported_together() -> None:
    # A missing field used to hide the unsafe key: the model validator never ran.
    with pytest.raises(ValidationError) as error:
        Settings.model_validate({"environment": "production", "cors_origins": "*"})

    assert describe(error.value).splitlines() == [
        "Refusing to start: the configuration has 4 problems:",
        "  - DATABASE_URL is required but not set",
        "  - SECRET_KEY is the development/example value, refused in production; "
        "generate a new one",
        "  - TWO_FACTOR_ENCRYPTION_KEYS is required in production: two-factor secrets are "
        "stored encrypted with it (`make two-factor-key` prints one)",
        "  - CORS_ORIGINS must list explicit origins, not '*', in production",
        "Set them in the environment (or .env); docs/configuration.md lists them all.",
    ]


def test_two_factor_keys_are_required_in_production_and_must_be_random() -> None:
    with pytest.raises(ValidationError, match="TWO_FACTOR_ENCRYPTION_KEYS is required"):
        make(environment="production", two_factor_encryption_keys="")
    refused = {
        "dGlueQ==": "is not 32 bytes",  # too short
        "not base64 at all!": "is not 32 bytes",
        "A" * 43 + "=": "is not random",  # 32 zero bytes
        "YWJjZGFiY2RhYmNkYWJjZGFiY2RhYmNkYWJjZGFiY2Q=": "is not random",  # "abcd" * 8
    }
    for key, message in refused.items():
        with pytest.raises(ValidationError, match=message):
            make(two_factor_encryption_keys=key)
    with pytest.raises(ValidationError, match="holds the development key"):
        make(environment="production", two_factor_encryption_keys=DEVELOPMENT_TWO_FACTOR_KEY)
    # A second key (the one being retired) may follow; unpadded keys are accepted too.
    old_key = "Yx3Vt0lJ0mP5c8rQ2wZb7nK4hF6dS1aE9gU3oI5yT2c="
    rotated = make(
        environment="production",
        two_factor_encryption_keys=f"{TWO_FACTOR_KEY.rstrip('=')}, {old_key}",
    )
    assert rotated.two_factor_keys == [TWO_FACTOR_KEY.rstrip("="), old_key]
    # Outside production an unset key means the development one.
    assert make(environment="test").two_factor_keys == [DEVELOPMENT_TWO_FACTOR_KEY]


def test_passkey_origins_are_on_the_relying_party_and_https_in_production() -> None:
    accepted = make(
        environment="production",
        webauthn_rp_id="example.com",
        webauthn_origins="https://example.com/, https://app.example.com",
    )
    assert accepted.webauthn_origins == ["https://example.com", "https://app.example.com"]
    refused = {
        "https://example.org": "is not on WEBAUTHN_RP_ID",
        "https://notexample.com": "is not on WEBAUTHN_RP_ID",
        "http://app.example.com": "must use https in production",
        "example.com": "is not an origin",
        "https://example.com/login": "is not an origin",
    }
    for origin, message in refused.items():
        with pytest.raises(ValidationError, match=message):
            make(environment="production", webauthn_rp_id="example.com", webauthn_origins=origin)
    assert make(environment="production", webauthn_origins="http://localhost:8000")


def test_pydantic_messages_are_named_after_the_variable() -> None:
    with pytest.raises(ValidationError) as error:
        make(db_pool_size=0)

    assert "  - DB_POOL_SIZE: Input should be greater than or equal to 1" in describe(error.value)


def test_entry_points_exit_with_the_message_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "short")
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as exit_:
            settings_or_exit()
    finally:
        get_settings.cache_clear()

    message = str(exit_.value.code)
    assert message.startswith("Refusing to start: the configuration has 3 problems:")
    assert "SECRET_KEY must be at least 32 bytes long" in message
    assert exit_.value.__suppress_context__  # no chained ValidationError traceback
