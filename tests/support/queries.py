"""Counting the SQL statements a piece of code issues."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

_SAVEPOINT_STATEMENTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@contextmanager
def recorded_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect the statements sent to the database inside the block.

    Savepoint handling is left out: it comes from the test harness, which runs each
    request's transaction as a savepoint inside the test's own transaction.
    """
    statements: list[str] = []

    def record(*args: Any) -> None:
        statement: str = args[2]  # (conn, cursor, statement, parameters, context, many)
        if not statement.startswith(_SAVEPOINT_STATEMENTS):
            statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)
