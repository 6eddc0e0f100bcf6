"""The SMTP sender against a real server on loopback, and its settings' guard rails."""

import logging

import pytest
from httpx import AsyncClient
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.mail import Mail, MailSender
from app.identity.mail_links.models import EmailToken
from tests.support.smtp import smtp_server
from tests.support.users import register

MAIL = Mail(to="bob@example.com", subject="Hello", text="A line of text.\n")


async def test_a_mail_reaches_the_server_with_its_headers(settings: Settings) -> None:
    with smtp_server() as inbox:
        sender = MailSender(
            settings.model_copy(
                update={
                    "smtp_host": "127.0.0.1",
                    "smtp_port": inbox.port,
                    "smtp_security": "none",
                    "smtp_from": "Conduit <no-reply@conduit.example>",
                }
            )
        )
        await sender.send(MAIL)

    (message,) = inbox.messages
    assert message["To"] == "bob@example.com"
    assert message["Subject"] == "Hello"
    assert message["Message-ID"].endswith("@conduit.example>")
    assert message["Date"]
    body = message.get_body(("plain",))
    assert body is not None
    assert body.get_content().rstrip() == "A line of text."


async def test_starttls_is_required_not_opportunistic(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    # The test server offers no STARTTLS: the mail must not go out in clear text.
    with smtp_server() as inbox:
        update = {"smtp_host": "127.0.0.1", "smtp_port": inbox.port, "smtp_security": "starttls"}
        sender = MailSender(settings.model_copy(update=update))
        with caplog.at_level(logging.ERROR, logger="app.core.mail"):
            await sender.deliver(MAIL)

    assert inbox.messages == []
    assert "could not send mail 'Hello' to *@example.com" in caplog.text


async def test_without_smtp_host_nothing_is_sent_or_stored(
    client: AsyncClient, session: AsyncSession, caplog: pytest.LogCaptureFixture
) -> None:
    assert MailSender(Settings()).enabled is False  # the test configuration has no SMTP_HOST

    await register(client)
    with caplog.at_level(logging.WARNING, logger="app.core.mail"):
        response = await client.post(
            "/api/users/password-reset", json={"user": {"email": "nobody@example.com"}}
        )
        await MailSender(Settings()).deliver(MAIL)

    assert response.status_code == 202
    # Registration issues no verification link when none could be mailed.
    assert await session.scalar(select(func.count()).select_from(EmailToken)) == 0
    assert "mail not sent (SMTP_HOST is unset): 'Hello' to *@example.com" in caplog.text


def _settings(**values: object) -> Settings:
    base = {
        "database_url": "postgresql+asyncpg://app@db/app",
        "secret_key": "s" * 48,
        "two_factor_encryption_keys": "zj5iCOeRK9wACRDtIDnZuIFseK0rSrn0S62v-4KpZ-g=",
    }
    return Settings.model_validate(base | values)


@pytest.mark.parametrize("environment", ["production", "test"])
def test_clear_text_smtp_to_another_host_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="SMTP_SECURITY=none sends mail in clear text"):
        _settings(environment=environment, smtp_host="smtp.example.com", smtp_security="none")

    for host in ("127.0.0.1", "localhost", "::1"):
        assert _settings(environment=environment, smtp_host=host, smtp_security="none")
    assert _settings(environment="development", smtp_host="mailpit", smtp_security="none")


@pytest.mark.parametrize("environment", ["production", "test"])
def test_links_must_be_https_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="FRONTEND_URL must use https"):
        _settings(environment=environment, frontend_url="http://conduit.example")

    https = _settings(environment=environment, frontend_url="https://conduit.example/")
    assert https.frontend_url == "https://conduit.example"
    assert _settings(environment=environment, frontend_url="http://localhost:3000")
    assert _settings(environment="development", frontend_url="http://conduit.test")


@pytest.mark.parametrize("url", ["conduit.example", "ftp://conduit.example", "https://"])
def test_links_need_an_http_url(url: str) -> None:
    with pytest.raises(ValidationError, match="FRONTEND_URL must be an http"):
        _settings(frontend_url=url)


def test_a_session_cannot_end_before_its_refresh_token() -> None:
    with pytest.raises(ValidationError, match="SESSION_ABSOLUTE_TTL_DAYS must be at least"):
        _settings(refresh_token_ttl_days=30, session_absolute_ttl_days=7)
