"""`python -m app.cli.admin` (`make admin`): the first admin comes from the command line."""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import create_async_engine

from app.core.config import Settings
from app.identity.audit.models import AuditEvent
from app.identity.users.models import User
from tests.support.database import migrated_scratch_database

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def database_url(settings: Settings) -> AsyncIterator[str]:
    async with migrated_scratch_database(settings.database_url, "admin_cli") as url:
        engine = create_async_engine(url)
        async with engine.begin() as connection:
            await connection.execute(
                insert(User).values(username="root", email="Root@Example.com", password_hash="x")
            )
        await engine.dispose()
        yield url


async def _role(url: str) -> str | None:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        role = await connection.scalar(select(User.role).where(User.username == "root"))
    await engine.dispose()
    return role


async def _audited(url: str) -> list[tuple[str, int | None, dict[str, str]]]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(AuditEvent.action, AuditEvent.actor_id, AuditEvent.details)
        )
        events = [tuple(row) for row in rows]
    await engine.dispose()
    return events


def _admin(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "app.cli.admin", *args],
        cwd=REPO_ROOT,
        env={
            "PATH": os.environ["PATH"],
            "PYTHONPATH": str(REPO_ROOT),
            "DATABASE_URL": url,
            "ENVIRONMENT": "test",
            "SECRET_KEY": "s" * 48,
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


async def test_grants_admin_to_a_registered_account(database_url: str) -> None:
    assert await _role(database_url) == "user"

    result = await asyncio.to_thread(_admin, database_url, "root@example.com")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "root (root@example.com) is now admin"
    assert await _role(database_url) == "admin"
    # In the audit log with no actor: the command line.
    assert await _audited(database_url) == [
        ("account.role_changed", None, {"previous": "user", "role": "admin"})
    ]


async def test_grants_another_role_when_asked(database_url: str) -> None:
    result = await asyncio.to_thread(
        _admin, database_url, "root@example.com", "--role", "moderator"
    )

    assert result.returncode == 0, result.stderr
    assert await _role(database_url) == "moderator"


async def test_an_unknown_email_changes_nothing_and_exits_1(database_url: str) -> None:
    result = await asyncio.to_thread(_admin, database_url, "nobody@example.com")

    assert result.returncode == 1
    assert "no account has the email 'nobody@example.com'" in result.stderr
    assert await _role(database_url) == "user"
