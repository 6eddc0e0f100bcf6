"""Statements per request, counted by the server: PostgreSQL's `pg_stat_statements`.

Counted on the database's side, so nothing in the measured process changes: every
statement a client sent (BEGIN and COMMIT included: `track_utility` is on by default) is
one round trip. The embedded development server preloads the module (devtools/devdb.py);
another server needs `shared_preload_libraries = 'pg_stat_statements'`, else the column
shows `-`.
"""

import asyncio

import asyncpg

# Its own queries (the reset and the sum) are left out of the count.
_SUM = """SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements s
    JOIN pg_database d ON d.oid = s.dbid
    WHERE d.datname = current_database() AND s.query NOT ILIKE '%pg_stat_statements%'"""


class StatementCounter:
    def __init__(self, database_url: str) -> None:
        self.dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
        self.available = asyncio.run(self._enable())

    async def _run(self, query: str) -> int:
        connection = await asyncpg.connect(self.dsn)
        try:
            value = await connection.fetchval(query)
            return value if isinstance(value, int) else 0
        finally:
            await connection.close()

    async def _enable(self) -> bool:
        try:
            await self._run("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            await self._run("SELECT count(*) FROM pg_stat_statements")
        except asyncpg.PostgresError:  # not preloaded (or not installed) on this server
            return False
        return True

    def reset(self) -> None:
        if self.available:
            asyncio.run(self._run("SELECT pg_stat_statements_reset()"))

    def count(self) -> int | None:
        """Statements run on the database since the last reset; None when not counted."""
        if not self.available:
            return None
        return asyncio.run(self._run(_SUM))
