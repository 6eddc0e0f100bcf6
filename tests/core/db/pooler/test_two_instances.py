"""Two production servers share one small PgBouncer pool under concurrent load: no errors.

Each instance is the production start command (Gunicorn, 2 Uvicorn workers, pools of 4),
so 16 client connections reach a PgBouncer that keeps 2 server connections. Reads
(autocommit, one statement each) and writes (transactions) interleave across servers,
which is where reused prepared statements broke before DB_POOLER existed.
"""

import asyncio
import itertools
from collections import Counter
from typing import Any

import httpx

from tests.deploy.server import production_server
from tests.support.database import run_directly, set_role_statement_timeout
from tests.support.pgbouncer import running_pgbouncer
from tests.support.probe_app import PROBE_APP_MODULE

ROUNDS = 6
CLIENTS = 16
PASSWORD = "correct horse battery"


async def _register(client: httpx.AsyncClient, name: str) -> dict[str, str]:
    user = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    response = await client.post("/api/users", json={"user": user})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Token {response.json()['user']['token']}"}


async def _one_round(client: httpx.AsyncClient, name: str, headers: dict[str, str]) -> list[int]:
    """A writer's and a reader's requests, each answer's status in order."""
    statuses = []
    requests: list[tuple[str, str, dict[str, Any] | None]] = [
        ("PUT", "/api/user", {"user": {"bio": f"{name} writes"}}),  # a transaction
        ("GET", "/api/user", None),  # a driver read of the signed-in user
        ("GET", "/api/user/sessions", None),
        ("GET", "/probe/things", None),  # a read through the session
        ("GET", "/probe/things/driver-read", None),
        ("POST", "/probe/things", {"thing": {"name": name}}),  # a limited write
    ]
    for method, path, body in requests:
        response = await client.request(method, path, headers=headers, json=body)
        statuses.append(response.status_code)
    return statuses


async def _client(base_url: str, name: str) -> list[int]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        headers = await _register(client, name)
        statuses = []
        for _ in range(ROUNDS):
            statuses += await _one_round(client, name, headers)
        return statuses


async def test_two_instances_share_a_two_connection_pool_without_errors(direct_url: str) -> None:
    await set_role_statement_timeout(direct_url, 15_000)
    try:
        with (
            running_pgbouncer(direct_url, pool_size=2) as bouncer,
            production_server(
                workers=2,
                DATABASE_URL=bouncer.url(),
                DB_POOLER="pgbouncer",
                DB_POOL_SIZE="4",
                LOG_LEVEL="WARNING",  # no access lines: the output pipe cannot fill
                APP_MODULE=PROBE_APP_MODULE,
            ) as first,
            production_server(
                workers=2,
                DATABASE_URL=bouncer.url(),
                DB_POOLER="pgbouncer",
                DB_POOL_SIZE="4",
                LOG_LEVEL="WARNING",
                APP_MODULE=PROBE_APP_MODULE,
            ) as second,
        ):
            servers = itertools.cycle([first.base_url, second.base_url])
            results = await asyncio.gather(
                *(_client(next(servers), f"pooled{n}") for n in range(CLIENTS))
            )
            [server_connections] = await run_directly(
                direct_url,
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
            )
            first.process.terminate()
            second.process.terminate()
            outputs = first.output() + second.output()
    finally:
        await set_role_statement_timeout(direct_url, None)

    statuses = Counter(itertools.chain.from_iterable(results))
    per_round = Counter({200: 5, 201: 1})
    expected = Counter({status: count * ROUNDS * CLIENTS for status, count in per_round.items()})
    assert statuses == expected
    assert server_connections == 2
    assert "Traceback" not in outputs
    assert '"level": "ERROR"' not in outputs
