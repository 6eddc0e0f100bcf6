"""`make bench`: the production server under load, side by side with a framework-free floor.

Seeds a dataset, starts the service as in production (Gunicorn + Uvicorn workers,
ENVIRONMENT=production, JSON access log to a file) and the floor (`tests/bench/floor.py`:
pure ASGI + asyncpg + orjson) against the same database, and drives each scenario with
wrk on both, one after the other. For each it reports requests/s, p50, p99, errors and
the CPU milliseconds per request of the server processes (from /proc), and the ratio to
the floor; then idle worker memory and how current-user throughput scales with a second
worker. Results are saved under .bench/ with the commit. It measures; nothing fails on a
number.

    python -m tests.bench.run [--workers 1] [--seconds 10] [--only "current user"]
"""

import argparse
import asyncio
import base64
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

import httpx

from app.core.config import Settings
from devtools import seed
from devtools.local import REPO_ROOT, ensure_env_file, migrate
from tests.bench import load, processes, report
from tests.bench.load import Scenario
from tests.bench.statements import StatementCounter

BENCH_DATABASE = "conduit_bench"
LOG_FILE = REPO_ROOT / ".bench" / "server.log"


def _database_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    from devtools import devdb  # noqa: PLC0415

    server = devdb.start(REPO_ROOT / ".devdb" / "dev")
    devdb.create_database(server, BENCH_DATABASE)
    return server.url(BENCH_DATABASE)


# What the write scenarios add is marked, and removed before the next run measures.
WRITE_MARK = "bench-write"
WRITE_TAGS = ["bench-tag-one", "bench-tag-two", "bench-tag-three"]


def _dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


# What the writes grow; vacuumed after each write scenario.
WRITTEN_TABLES = "articles, article_tags, comments, tags, stream_events, favorites, follows"


async def _tidy(url: str, *, whole_database: bool = True) -> None:
    """Remove the write scenarios' rows, then vacuum: before a run (earlier runs' writes:
    the lists must count the same rows in every run) and after each write scenario (the
    floor creates tens of thousands of articles, which the next scenario would otherwise
    carry). Vacuumed for fresh statistics and no dead rows: otherwise autovacuum may start
    in the middle of a measurement and show up in its p99."""
    import asyncpg  # noqa: PLC0415 (the benchmark's own connection, outside the app)

    connection = await asyncpg.connect(_dsn(url))
    try:
        await connection.execute("DELETE FROM articles WHERE title LIKE $1", f"{WRITE_MARK} %")
        await connection.execute("DELETE FROM comments WHERE body LIKE $1", f"{WRITE_MARK} %")
        if whole_database:  # not between scenarios: a request still in flight may link them
            await connection.execute("DELETE FROM tags WHERE name = ANY ($1)", WRITE_TAGS)
        # Every comment write adds a live event: the bench database keeps none of them.
        await connection.execute("DELETE FROM stream_events")
        await connection.execute(
            "VACUUM (ANALYZE)" if whole_database else f"VACUUM (ANALYZE) {WRITTEN_TABLES}"
        )
    finally:
        await connection.close()


def _comments_to_delete(email: str, slug: str, count: int) -> list[int]:
    """`count` new comments by the user of `email` on `slug`, for a delete scenario."""
    import asyncpg  # noqa: PLC0415

    async def insert() -> list[int]:
        connection = await asyncpg.connect(_dsn(os.environ["DATABASE_URL"]))
        try:
            rows = await connection.fetch(
                """INSERT INTO comments (body, article_id, author_id)
                SELECT $4, a.id, u.id FROM users u, articles a, generate_series(1, $3)
                WHERE u.email = $1 AND a.slug = $2 RETURNING id""",
                email,
                slug,
                count,
                f"{WRITE_MARK} to delete",
            )
        finally:
            await connection.close()
        return [row["id"] for row in rows]

    return asyncio.run(insert())


OVERLOAD = "overload: list 20"


def _pool_capacity() -> int:
    settings = Settings(database_url=os.environ["DATABASE_URL"])
    return settings.db_pool_size + settings.db_max_overflow


def _scenarios(base_url: str, args: argparse.Namespace) -> tuple[list[Scenario], str]:
    """The scenarios, and a token of a seeded user for the authenticated ones."""
    credentials = {"email": "demo00001@demo.conduit.test", "password": seed.DEMO_PASSWORD}
    login_body = json.dumps({"user": credentials})
    headers = {"Content-Type": "application/json"}
    login = httpx.post(f"{base_url}/api/users/login", content=login_body, headers=headers)
    me = login.json()["user"]["username"]
    # The follow toggle is another user's: the run's user's follows make the feed it reads.
    follower_credentials = {"email": "demo00002@demo.conduit.test", "password": seed.DEMO_PASSWORD}
    follower = httpx.post(
        f"{base_url}/api/users/login", json={"user": follower_credentials}
    ).json()["user"]
    listed = httpx.get(f"{base_url}/api/articles?limit=50").json()["articles"]
    slugs = [article["slug"] for article in listed]
    own = httpx.get(f"{base_url}/api/articles", params={"author": me, "limit": 20})
    own_slugs = [article["slug"] for article in own.json()["articles"]]
    others = sorted({article["author"]["username"] for article in listed} - {follower["username"]})
    toggle = load.favorite_toggle_lua(slugs)
    emails = [f"demo{n:05d}@demo.conduit.test" for n in range(1, args.users + 1)]
    logins = load.rotating_login_lua(emails, seed.DEMO_PASSWORD)
    # More than the fastest server deletes in a run; beyond them, deletes would be 404s.
    deletable = int(3000 * max(args.seconds, args.warmup))

    def create_articles() -> str:
        return load.create_article_lua(f"{uuid.uuid4().hex[:8]}", WRITE_TAGS)

    def delete_comments() -> str:
        ids = _comments_to_delete(credentials["email"], own_slugs[0], deletable)
        return load.delete_comment_lua(own_slugs[0], ids, args.threads)

    scenarios = [
        Scenario("current user", "/api/user", authenticated=True),
        Scenario("list 20 anonymous", "/api/articles?limit=20"),
        Scenario("list 20 authenticated", "/api/articles?limit=20", authenticated=True),
        Scenario("one article", f"/api/articles/{slugs[0]}"),
        Scenario("feed", "/api/articles/feed?limit=20", authenticated=True),
        Scenario("readiness", "/health/ready"),
        Scenario("liveness", "/health/live"),
        # Eight times the connections the worker's pool serves: requests wait for one (a
        # fair queue), and past DB_POOL_TIMEOUT_SECONDS answer 503 with Retry-After. Before
        # the writes, which add articles: it lists the same rows as the other reads.
        Scenario(
            OVERLOAD,
            "/api/articles?limit=20",
            connections=8 * _pool_capacity(),
            count_statuses=True,
        ),
        Scenario("create article (write)", "/", authenticated=True, request_lua=create_articles),
        Scenario(
            "update article (write)",
            "/",
            authenticated=True,
            request_lua=load.update_article_lua(own_slugs),
        ),
        Scenario(
            "add comment (write)", "/", authenticated=True, request_lua=load.add_comment_lua(slugs)
        ),
        Scenario("delete comment (write)", "/", authenticated=True, request_lua=delete_comments),
        Scenario(
            "follow toggle (write)",
            "/",
            authenticated=True,
            request_lua=load.follow_toggle_lua(others),
            token=follower["token"],
        ),
        Scenario("favorite toggle (write)", "/", authenticated=True, request_lua=toggle),
        Scenario(
            "update user (write)", "/", authenticated=True, request_lua=load.update_user_lua()
        ),
        Scenario("login (argon2id)", "/", method="POST", body=login_body, request_lua=logins),
    ]
    return scenarios, login.json()["user"]["token"]


def _environments(url: str, workers: int, args: argparse.Namespace) -> dict[str, dict[str, str]]:
    settings = Settings(database_url=url)
    path = os.pathsep.join([str(sys.executable).rsplit("/", 1)[0], os.environ["PATH"]])
    common = os.environ | {"DATABASE_URL": url, "PATH": path}
    project = (
        common
        | (args.project_database or {})
        | {
            "ENVIRONMENT": "production",
            "TWO_FACTOR_ENCRYPTION_KEYS": base64.urlsafe_b64encode(os.urandom(32)).decode(),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",  # the JSON access log stays on, as in production
            "WEB_CONCURRENCY": str(workers),
            "BIND": f"127.0.0.1:{args.port}",
            # Steady state: a worker recycled mid-run would drop wrk's keep-alive connections.
            "GUNICORN_MAX_REQUESTS": "0",
            # One token serves the whole run, which can outlast the default 15 minutes.
            "ACCESS_TOKEN_TTL_MINUTES": "1440",
            # The write limiter stays on (its statement is part of a write's cost), with a
            # quota the load cannot reach.
            "RATE_LIMIT_WRITES": "1000000000",
            # All 64 connections log in from one address: attempts in flight count against
            # the address until they succeed, which would turn some into 429s.
            "LOGIN_ADDRESS_FAILURE_LIMIT": "1000000000",
        }
    )
    floor = common | {
        "SECRET_KEY": settings.secret_key.get_secret_value(),
        "JWT_ISSUER": settings.jwt_issuer,
        "JWT_AUDIENCE": settings.jwt_audience,
    }
    return {"project": project, "floor": floor}


@contextmanager
def _servers(url: str, workers: int, args: argparse.Namespace) -> Iterator[list[processes.Server]]:
    env = _environments(url, workers, args)
    with ExitStack() as stack:
        started = [
            stack.enter_context(
                processes.running(
                    "project", processes.project_command(), env["project"], args.port, LOG_FILE
                )
            )
        ]
        if not args.no_floor:
            command = processes.floor_command(workers, args.floor_port)
            floor = processes.running("floor", command, env["floor"], args.floor_port, LOG_FILE)
            started.append(stack.enter_context(floor))
        yield started


def _measure(
    wrk: str,
    server: processes.Server,
    scenario: Scenario,
    token: str,
    args: argparse.Namespace,
    *,
    statements: StatementCounter,
) -> report.Measurement:
    options = {"threads": args.threads, "connections": args.connections}
    if args.warmup:
        load.drive(wrk, server.base_url, scenario, token, seconds=args.warmup, **options)
    statements.reset()
    cpu_before = server.cpu_seconds()
    busy_before, total_before = processes.machine_cpu_seconds()
    result = load.drive(wrk, server.base_url, scenario, token, seconds=args.seconds, **options)
    busy_after, total_after = processes.machine_cpu_seconds()
    cpu_ms = (server.cpu_seconds() - cpu_before) * 1000
    counted = statements.count()
    requests = max(result.requests, 1)
    other_ms = (busy_after - busy_before) * 1000 - cpu_ms
    return report.Measurement(
        server.name,
        result,
        cpu_ms / requests,
        other_cpu_ms_per_request=other_ms / requests,
        machine_busy=(busy_after - busy_before) / max(total_after - total_before, 1e-9),
        statements_per_request=None if counted is None else counted / requests,
    )


def _run(wrk: str, url: str, args: argparse.Namespace) -> report.Run:
    run = report.Run(workers=args.workers)
    counter = StatementCounter(url)
    if not counter.available:
        print("  pg_stat_statements is not loaded: no statement counts", file=sys.stderr)
    with _servers(url, args.workers, args) as servers:
        # Idle: started and ready, before any request (a login's argon2 buffers stay mapped).
        run.idle_rss_mb = {server.name: server.worker_rss_mb() for server in servers}
        scenarios, token = _scenarios(servers[0].base_url, args)
        for scenario in scenarios:
            if args.only and scenario.name not in args.only:
                continue
            print(f"  {scenario.name} ({args.seconds}s each)...", file=sys.stderr, flush=True)
            run.results[scenario.name] = []
            for server in servers:
                measured = _measure(wrk, server, scenario, token, args, statements=counter)
                run.results[scenario.name].append(measured)
                if "(write)" in scenario.name:
                    time.sleep(1)  # the requests wrk left in flight are answered meanwhile
                    asyncio.run(_tidy(url, whole_database=False))
        run.loaded_rss_mb = {server.name: server.worker_rss_mb() for server in servers}
    run.error_lines = sum(server.log.error_lines for server in servers)
    run.access_lines = servers[0].log.access_lines
    if args.scale_workers > args.workers:
        print(f"  current user with {args.scale_workers} workers...", file=sys.stderr, flush=True)
        with _servers(url, args.scale_workers, args) as servers:
            scenario = scenarios[0]
            run.scaled = [
                _measure(wrk, server, scenario, token, args, statements=counter)
                for server in servers
            ]
            run.scaled_workers = args.scale_workers
        run.error_lines += sum(server.log.error_lines for server in servers)
    return run


def _commit() -> str:
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO_ROOT,
    )
    return result.stdout.strip() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--scale-workers", type=int, default=2, help="0: skip the scaling run")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--warmup", type=float, default=2)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--port", type=int, default=8099)
    parser.add_argument("--floor-port", type=int, default=8098)
    parser.add_argument("--no-floor", action="store_true", help="measure the project only")
    parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
    parser.add_argument(
        "--pgbouncer",
        action="store_true",
        help="the project reaches the database through PgBouncer (transaction mode, "
        "DB_POOLER=pgbouncer); the floor stays direct",
    )
    args = parser.parse_args()
    wrk = load.find_wrk()
    ensure_env_file()
    url = _database_url()
    os.environ["DATABASE_URL"] = url
    migrate()
    asyncio.run(seed.seed(url, args.users, 5, 3, 2026))
    asyncio.run(_tidy(url))
    LOG_FILE.parent.mkdir(exist_ok=True)
    LOG_FILE.write_bytes(b"")
    with ExitStack() as stack:
        args.project_database = (
            stack.enter_context(_through_pgbouncer(url)) if args.pgbouncer else None
        )
        run = _run(wrk, url, args)
    report.show(run, args, _commit(), LOG_FILE)


@contextmanager
def _through_pgbouncer(url: str) -> Iterator[dict[str, str]]:
    """The project's database settings behind a PgBouncer sized like the direct pool."""
    from tests.support.pgbouncer import pgbouncer_for_the_app  # noqa: PLC0415

    with pgbouncer_for_the_app(url, pool_size=20) as bouncer:
        print(f"through PgBouncer (transaction mode) on port {bouncer.port}")
        yield {"DATABASE_URL": bouncer.url(), "DB_POOLER": "pgbouncer"}


if __name__ == "__main__":
    main()
