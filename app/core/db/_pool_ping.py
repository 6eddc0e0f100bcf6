"""When to check a pooled connection before lending it out: after it sat idle a while.

Pinging before every use (SQLAlchemy's `pool_pre_ping`) costs a round trip per request
(three with asyncpg outside a transaction: BEGIN, the ping, ROLLBACK) to guard against
one rare event. Connections in steady use are proven by their last statement; the ones
that can have died unnoticed are those that sat in the pool: across a database restart,
or past a firewall's or PgBouncer's idle timeout. So only those are pinged.

A connection that dies while in use fails its request whatever the policy (a 503, see
app/core/errors/_outage.py); SQLAlchemy then recognises the disconnect and invalidates
every older pooled connection, so the next checkouts reconnect instead of failing too.
"""

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine

_IDLE_SINCE = "idle_since"


def ping_after_idle(engine: AsyncEngine, idle_seconds: float) -> None:
    """Ping connections idle for `idle_seconds` or longer before reuse (0: before every use)."""
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine.pool, "checkin")
    def _remember_idle_since(dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(sync_engine.pool, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)  # None: a new connection, just proven
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return
        try:
            sync_engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and checks out (or opens) another.
            raise DisconnectionError("the pooled connection is dead") from error
