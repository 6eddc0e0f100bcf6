"""PostgreSQL: the engine and its pool, sessions, and what keeps them healthy.

- `create_engine` / `create_sessions`: built in the lifespan, one pool per worker (a fair
  pool whose connections are pinged after idle); `get_session` is the per-request session
  behind `SessionDep`; `release_connection` gives its connection back before a long wait;
  `Base` is the declarative base every model uses (`Timestamps` mixin).
- driver reads (`DriverRead`, `detached`): hot reads that borrow a pooled connection for
  one round trip when the request's session holds none.
- `check_database_at_startup`: the migrations are applied, the connection budget fits, the
  pooler mode matches `DB_POOLER`; refuses to serve otherwise.
- `outage_log`: one line when the database becomes unreachable and one when it is back.
- `delete_expired`: the batched sweep of rows past their expiry; `sweep_old_rows`: the
  periodic one of log rows past their retention.
- `sqlstate` / `violated_constraint`: what a driver error says, for the error handlers.
- `table_of`: a model's Table, for the Core statements of the hot writes.
"""

from app.core.db._driver_reads import DriverRead, Record, detached, run_reads_the_ordinary_way
from app.core.db._engine import (
    Base,
    Sessions,
    create_engine,
    create_sessions,
    get_session,
    release_connection,
    sqlstate,
    violated_constraint,
)
from app.core.db._expired_rows import delete_expired, sweep_old_rows
from app.core.db._mixins import Timestamps
from app.core.db._outage_log import outage_log
from app.core.db._startup import (
    ConnectionBudgetExceeded,
    DatabaseMisconfigured,
    check_database_at_startup,
)
from app.core.db._tables import table_of

__all__ = [
    "Base",
    "ConnectionBudgetExceeded",
    "DatabaseMisconfigured",
    "DriverRead",
    "Record",
    "Sessions",
    "Timestamps",
    "check_database_at_startup",
    "create_engine",
    "create_sessions",
    "delete_expired",
    "detached",
    "get_session",
    "outage_log",
    "release_connection",
    "run_reads_the_ordinary_way",
    "sqlstate",
    "sweep_old_rows",
    "table_of",
    "violated_constraint",
]
