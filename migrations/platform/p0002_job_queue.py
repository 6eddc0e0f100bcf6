"""the job queue: procrastinate's schema (app/core/jobs/), vendored for procrastinate 3.10.0

The SQL is procrastinate's own `schema.sql` for 3.10.0, copied unmodified into
`migrations/platform/sql/`, so this migration creates the same objects whatever
procrastinate version is installed later. Upgrading procrastinate across a schema change is
a new platform migration that applies the files of `procrastinate/sql/migrations/` between
the two versions (docs/background-jobs.md).

Revision ID: p0002
Revises: p0001
Create Date: 2026-11-26 21:55:00
"""

from collections.abc import Sequence
from pathlib import Path

from alembic import op
from sqlalchemy.util import await_only

revision: str = "p0002"
down_revision: str | None = "p0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA_SQL = Path(__file__).resolve().parent / "sql" / "procrastinate_3.10.0_schema.sql"

# Every procrastinate function, procedure and type, whatever its signature.
DROP_ROUTINES = r"""
DO $$
DECLARE routine regprocedure;
BEGIN
    FOR routine IN
        SELECT p.oid::regprocedure FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = current_schema() AND p.proname LIKE 'procrastinate\_%'
    LOOP
        EXECUTE 'DROP ROUTINE ' || routine || ' CASCADE';
    END LOOP;
END
$$;
"""


def _run_script(sql: str) -> None:
    # Many statements with dollar-quoted bodies: the driver's simple-query path runs them
    # as one script (SQLAlchemy would prepare it, which allows a single statement).
    driver_connection = op.get_bind().connection.driver_connection
    assert driver_connection is not None  # noqa: S101 (an open connection has one)
    await_only(driver_connection.execute(sql))


def upgrade() -> None:
    _run_script(SCHEMA_SQL.read_text(encoding="utf-8"))


def downgrade() -> None:
    op.execute(
        "DROP TABLE procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, "
        "procrastinate_workers CASCADE"
    )
    _run_script(DROP_ROUTINES)
    op.execute(
        "DROP TYPE procrastinate_job_to_defer_v1, procrastinate_job_event_type, "
        "procrastinate_job_status"
    )
