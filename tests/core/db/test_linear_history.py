"""A database migrated with the template's linear history (before the platform's branch)
keeps working: migrations/env.py restamps it once. About the template's own history:
`make adopt` removes this file with that history."""

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.database import alembic_config, run_alembic


def _heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


async def test_a_database_of_the_linear_history_is_restamped_and_upgrades(
    scratch_engine: AsyncEngine, caplog: pytest.LogCaptureFixture
) -> None:
    """Migrated before the platform branch existed: alembic_version says 0011, and
    everything up to it (the service's 0001-0009 included) is there."""
    async with scratch_engine.begin() as connection:
        await connection.run_sync(run_alembic, "upgrade", "p0004")
        await connection.run_sync(run_alembic, "upgrade", "0009")
        await connection.exec_driver_sql("DELETE FROM alembic_version")
        await connection.exec_driver_sql("INSERT INTO alembic_version VALUES ('0011')")

        await connection.run_sync(run_alembic, "upgrade", "heads")
        versions = set(
            (await connection.exec_driver_sql("SELECT version_num FROM alembic_version")).scalars()
        )
    assert versions == _heads()
    assert "restamped as p0004 and 0009" in caplog.text
