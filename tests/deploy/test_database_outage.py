"""PostgreSQL stopped and started under load: 503s with Retry-After, then 200s again.

A scratch embedded PostgreSQL (not the session's test database) is migrated with the real
`alembic upgrade heads`, served by the production start command, stopped while clients
keep sending requests, and started again.
"""

import asyncio
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools import devdb
from tests.deploy.server import production_server
from tests.support.pgbouncer import running_pgbouncer
from tests.support.probe_app import PROBE_APP_MODULE

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = REPO_ROOT / ".devdb" / "outage-test"
DATABASE = "outage_check"
CLIENTS = 8
ENOUGH = 10  # responses of each kind on each path before moving on
PATIENCE_SECONDS = 60


# Both ways a read reaches the database: through the request's session and on
# a connection borrowed from the pool for one driver read.
PATHS = ("/probe/things", "/probe/things/driver-read")


class Load:
    """Clients requesting the PATHS in a loop (half of them each), counting what they get."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.statuses: list[int] = []
        self.answers: list[tuple[str, int]] = []  # (path, status), in order
        self.bad_503s = 0  # a 503 that is not a problem with Retry-After
        self.running = True
        self.by_path: dict[str, Counter[int]] = {path: Counter() for path in PATHS}

    async def _client(self, path: str) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=30) as client:
            while self.running:
                response = await client.get(path)
                self.by_path[path][response.status_code] += 1
                if response.status_code == 503 and (
                    response.headers.get("content-type") != "application/problem+json"
                    or response.headers.get("retry-after") is None
                ):
                    self.bad_503s += 1
                self.statuses.append(response.status_code)
                self.answers.append((path, response.status_code))

    async def run(self) -> None:
        await asyncio.gather(*(self._client(PATHS[n % len(PATHS)]) for n in range(CLIENTS)))

    async def until(self, status: int, *, after: int = 0) -> None:
        """Wait for ENOUGH responses with `status` on each path, among those after `after`.

        Each path on its own: one path's clients can be quicker than the other's (a loaded
        machine), and counting both together once moved on before the slower path had
        answered anything but 200s.
        """
        for _ in range(PATIENCE_SECONDS * 20):
            answered = Counter(self.answers[after:])
            if all(answered[path, status] >= ENOUGH for path in PATHS):
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {ENOUGH} x {status} on each path in {answered}")


def _migrate(url: str) -> None:
    alembic = Path(sys.executable).parent / "alembic"
    environment = os.environ | {"DATABASE_URL": url}
    subprocess.run(  # noqa: S603 (our own migrations)
        [str(alembic), "upgrade", "heads"], check=True, env=environment, cwd=REPO_ROOT
    )


@pytest.fixture
def scratch_postgres() -> Iterator[devdb.EmbeddedPostgres]:
    """A migrated database on a server of its own, which the test may stop and start."""
    database = devdb.start(DATA_DIR, fast=True)
    try:
        devdb.create_database(database, DATABASE)
        _migrate(database.url(DATABASE))
        yield database
    finally:
        devdb.stop(DATA_DIR)


async def test_stopping_postgresql_under_load_gives_503s_then_recovers(
    scratch_postgres: devdb.EmbeddedPostgres,
) -> None:
    await _outage_under_load(scratch_postgres, DATABASE_URL=scratch_postgres.url(DATABASE))


async def test_behind_pgbouncer_too(scratch_postgres: devdb.EmbeddedPostgres) -> None:
    direct = scratch_postgres.url(DATABASE)
    with running_pgbouncer(direct, pool_size=2) as bouncer:
        await _outage_under_load(
            scratch_postgres,
            DATABASE_URL=bouncer.url(),
            DB_POOLER="pgbouncer",
            DB_STATEMENT_TIMEOUT_MS="0",
        )


async def _outage_under_load(scratch_postgres: devdb.EmbeddedPostgres, **environment: str) -> None:
    # WARNING: no access log lines, so the server's output pipe cannot fill up.
    with production_server(
        workers=1, LOG_LEVEL="WARNING", APP_MODULE=PROBE_APP_MODULE, **environment
    ) as server:
        load = Load(server.base_url)
        running = asyncio.create_task(load.run())
        try:
            await load.until(200)
            await asyncio.to_thread(devdb.stop, DATA_DIR)
            await load.until(503)
            await asyncio.to_thread(devdb.start, DATA_DIR, scratch_postgres.port, fast=True)
            await load.until(200, after=len(load.statuses))
        finally:
            load.running = False
            await running
        server.process.terminate()
        output = server.output()

    counts = Counter(load.statuses)
    assert set(counts) == {200, 503}, counts
    for path, statuses in load.by_path.items():
        assert set(statuses) == {200, 503}, (path, statuses)
    assert load.bad_503s == 0
    assert output.count("database unreachable") == 1, output
    [recovery] = [line for line in output.splitlines() if "database reachable again" in line]
    assert f"{counts[503]} requests answered 503" in recovery
    assert "Traceback" not in output
