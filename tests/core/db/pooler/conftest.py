"""A migrated scratch database of the pooler tests' own, with PgBouncer in front of it."""

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from tests.support.database import migrated_scratch_database
from tests.support.pgbouncer import PgBouncer, executable, running_pgbouncer


@pytest.fixture(scope="module")
async def direct_url() -> AsyncIterator[str]:
    """The scratch database, reached directly (as migrations and the tests' checks do)."""
    executable()  # fails under CI, skips loudly elsewhere, before any setup
    async with migrated_scratch_database(os.environ["DATABASE_URL"], "pooler") as url:
        yield url


@pytest.fixture
def pgbouncer(direct_url: str) -> Iterator[PgBouncer]:
    """Transaction mode, two server connections for everyone. One per test: a role's
    settings reach only server connections opened after they change."""
    with running_pgbouncer(direct_url, pool_size=2) as bouncer:
        yield bouncer
