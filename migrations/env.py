"""Alembic environment: runs migrations over an async (asyncpg) connection.

The URL comes from the application settings (DATABASE_URL), or from
`config.attributes["connection"]` when a caller (the test suite) passes one in.
"""

import asyncio
import logging

from alembic import context
from alembic.operations.ops import MigrationScript
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.core.config import get_settings
from app.core.db import Base
from app.core.observability import configure_logging

config = context.config
target_metadata = Base.metadata
logger = logging.getLogger("alembic.env")


def run_migrations_offline() -> None:
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _number_sequentially(_: object, __: object, directives: list[MigrationScript]) -> None:
    """New revisions are 0001, 0002...: their order reads off the folder listing.

    `alembic revision --autogenerate` (`make revision`) that finds no change writes nothing:
    the file would be an empty upgrade/downgrade pair to delete. (`alembic check` runs this
    hook too, without that option, and must still see the empty result.)
    """
    autogenerate = getattr(config.cmd_opts, "autogenerate", False)
    if autogenerate and directives[0].upgrade_ops and directives[0].upgrade_ops.is_empty():
        directives.clear()
        logger.warning("The models and the database agree: no migration written")
        return
    head = ScriptDirectory.from_config(config).get_current_head()
    directives[0].rev_id = f"{int(head) + 1:04d}" if head and head.isdigit() else "0001"


def _ours(name: str | None, type_: str, *_: object) -> bool:
    """The job queue's tables belong to procrastinate (migration 0004), not to the models."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def _run_sync(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        process_revision_directives=_number_sequentially,
        include_name=_ours,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async() -> None:
    engine = create_async_engine(get_settings().database_url)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run_sync(connection)
        return
    if not logging.getLogger().handlers:
        # A bare `alembic upgrade head`: log like the app (JSON lines when LOG_FORMAT=json).
        configure_logging(get_settings())
    asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
