"""Alembic environment: runs migrations over an async (asyncpg) connection.

The URL comes from the application settings (DATABASE_URL), or from
`config.attributes["connection"]` when a caller (the test suite) passes one in.
"""

import asyncio
import logging

from alembic import context
from alembic.operations.ops import MigrationScript
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401  (registers every table on Base.metadata)
from app.core.config import get_settings
from app.core.db import Base
from app.core.observability import configure_logging

config = context.config
PLATFORM_BRANCH = "platform"
PLATFORM_PREFIX = "p"
# Before the platform's migrations had a branch of their own, one linear history ended at
# 0011, which included the service's 0001-0009; those databases are stamped with both heads.
LINEAR_HISTORY_HEAD = "0011"
LINEAR_HISTORY_HEADS = ("p0004", "0009")
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
    """New revisions are numbered in their branch: 0001, 0002... for the service's own
    (`app`, migrations/versions/), p0001, p0002... for the platform's (migrations/platform/),
    so their order reads off the folder listing.

    `alembic revision --autogenerate` (`make revision`) that finds no change writes nothing:
    the file would be an empty upgrade/downgrade pair to delete. (`alembic check` runs this
    hook too, without that option, and must still see the empty result.)
    """
    autogenerate = getattr(config.cmd_opts, "autogenerate", False)
    if autogenerate and directives[0].upgrade_ops and directives[0].upgrade_ops.is_empty():
        directives.clear()
        logger.warning("The models and the database agree: no migration written")
        return
    head = directives[0].head or ""
    prefix = PLATFORM_PREFIX if head.startswith(PLATFORM_BRANCH) else ""
    numbers = [
        int(revision.revision.removeprefix(prefix))
        for revision in ScriptDirectory.from_config(config).walk_revisions()
        if revision.revision.removeprefix(prefix).isdigit() and revision.revision.startswith(prefix)
    ]
    if not prefix and LINEAR_HISTORY_HEADS[1] in {f"{n:04d}" for n in numbers}:
        # The template's own history: the service's numbers go on after the old linear
        # head, which a database may still carry (and must keep meaning that history).
        numbers.append(int(LINEAR_HISTORY_HEAD))
    directives[0].rev_id = f"{prefix}{max(numbers, default=0) + 1:04d}"


def _ours(name: str | None, type_: str, *_: object) -> bool:
    """The job queue's tables belong to procrastinate (migration p0002), not to the models."""
    return not (type_ == "table" and name is not None and name.startswith("procrastinate_"))


def _restamp_the_linear_history(connection: Connection) -> None:
    """A database migrated with the single linear history (alembic_version = 0011) is at
    both branch heads of today's: say so in alembic_version, once."""
    if not connection.dialect.has_table(connection, "alembic_version"):
        return
    versions = set(connection.scalars(text("SELECT version_num FROM alembic_version")))
    known = {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}
    if versions != {LINEAR_HISTORY_HEAD} or LINEAR_HISTORY_HEAD in known:
        return
    if not known.issuperset(LINEAR_HISTORY_HEADS):
        return  # a history of the service's own (after `make adopt`): nothing to restamp
    connection.execute(text("DELETE FROM alembic_version"))
    for revision in LINEAR_HISTORY_HEADS:
        connection.execute(
            text("INSERT INTO alembic_version (version_num) VALUES (:revision)"),
            {"revision": revision},
        )
    logger.warning(
        "alembic_version said %s (the linear history before the platform branch): restamped as %s",
        LINEAR_HISTORY_HEAD,
        " and ".join(LINEAR_HISTORY_HEADS),
    )


def _run_sync(connection: Connection) -> None:
    _restamp_the_linear_history(connection)
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
        # A bare `alembic upgrade heads`: log like the app (JSON lines when LOG_FORMAT=json).
        configure_logging(get_settings())
    asyncio.run(_run_async())


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
