"""How the driver talks to PostgreSQL, directly or through PgBouncer in transaction mode.

In transaction mode PgBouncer hands each transaction (and each statement outside one) to
whichever server connection is free. Two driver habits break under that:

- Named prepared statements, cached and reused: the name exists only on the server that
  prepared it ("prepared statement ... does not exist" / "already exists"). Behind the
  pooler, every statement is prepared unnamed (SQLAlchemy's `prepare()` with an empty
  name) and nothing is cached; with asyncpg's statement cache off, an unnamed statement
  is parsed again in the same message batch that binds and executes it, so no statement
  depends on a server it was prepared on. The cost: one Parse per statement (measured in
  docs/deployment.md, "Scaling out").
- Startup parameters beyond a few PgBouncer knows: it refuses the connection over
  `statement_timeout`. Behind the pooler the timeout is set on the role instead, and
  start-up checks it is in effect (app/core/db/_startup.py).
"""

from typing import Any

from app.core.config import Settings


def _unnamed() -> str:
    return ""


def connect_args(settings: Settings) -> dict[str, Any]:
    """asyncpg connect arguments, and SQLAlchemy's statement-cache arguments, per pooler."""
    server_settings = {"application_name": settings.app_name[:63]}
    if settings.db_pooler == "pgbouncer":
        return {
            "server_settings": server_settings,
            "statement_cache_size": 0,
            "prepared_statement_cache_size": 0,
            "prepared_statement_name_func": _unnamed,
        }
    if settings.db_statement_timeout_ms:
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    return {"server_settings": server_settings}
