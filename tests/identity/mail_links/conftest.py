"""The real application sending mail to a real SMTP server on loopback."""

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import Settings
from tests.conftest import app_in_the_test_transaction
from tests.support.smtp import Inbox, smtp_server

FRONTEND = "https://conduit.example"


@pytest.fixture
def inbox() -> Iterator[Inbox]:
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mail_settings(settings: Settings, inbox: Inbox) -> Settings:
    return settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": inbox.port,
            "smtp_security": "none",
            "smtp_from": "Conduit <no-reply@conduit.example>",
            "frontend_url": FRONTEND,
        }
    )


@pytest.fixture
def app(
    mail_settings: Settings,
    engine: AsyncEngine,
    session_factory: async_sessionmaker[AsyncSession],
) -> FastAPI:
    """As tests/conftest.py's `app`, with mail going to `inbox`."""
    return app_in_the_test_transaction(mail_settings, engine, session_factory)
