"""`make bench`: the production server under load, scenario by scenario.

Seeds a dataset, starts Gunicorn (docker/start.sh) with N workers on 127.0.0.1 against
PostgreSQL (DATABASE_URL, or a `conduit_bench` database on the embedded server), drives
each scenario with wrk for a fixed time, prints requests/s, p50, p99 and errors, and
saves the results under .bench/ with the commit they measured. It measures; it never
fails on a number.

    python -m tests.bench.run [--workers 2] [--seconds 10] [--connections 32] [--users 200]
"""

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from app.cli import seed
from app.cli.local import REPO_ROOT, ensure_env_file, migrate

RESULTS_DIR = REPO_ROOT / ".bench"
BENCH_DATABASE = "conduit_bench"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: str
    method: str = "GET"
    body: str | None = None
    authenticated: bool = False


@dataclass(frozen=True)
class Result:
    scenario: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def _database_url() -> str:
    if url := os.environ.get("DATABASE_URL"):
        return url
    from app.cli import devdb  # noqa: PLC0415

    server = devdb.start(REPO_ROOT / ".devdb" / "dev")
    devdb.create_database(server, BENCH_DATABASE)
    return server.url(BENCH_DATABASE)


def _wrk() -> str:
    if path := shutil.which("wrk"):
        return path
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("installing wrk (Debian package)", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=False, capture_output=True)  # noqa: S607
    if path := shutil.which("wrk"):
        return path
    sys.exit(
        "wrk is needed: install it (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)"
    )


def _milliseconds(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def _parse(name: str, output: str) -> Result:
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", output, re.MULTILINE))
    total = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    errors += sum(int(n) for n in socket.groups()) if socket else 0
    return Result(
        scenario=name,
        requests_per_second=float(rate.group(1)) if rate else 0.0,
        p50_ms=_milliseconds(percentiles["50"]) if "50" in percentiles else 0.0,
        p99_ms=_milliseconds(percentiles["99"]) if "99" in percentiles else 0.0,
        requests=int(total.group(1)) if total else 0,
        errors=errors,
    )


def _lua(scenario: Scenario, token: str) -> str:
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.body:
        lines += [
            f"wrk.body = [[{scenario.body}]]",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    if scenario.authenticated:
        lines.append(f'wrk.headers["Authorization"] = "Token {token}"')
    return "\n".join(lines) + "\n"


def _drive(
    wrk: str, base_url: str, scenario: Scenario, token: str, args: argparse.Namespace
) -> Result:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_lua(scenario, token))
    command = [
        *(wrk, f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s"),
        *("--timeout", "10s", "--latency", "-s", script.name, base_url + scenario.path),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=False).stdout  # noqa: S603
    os.unlink(script.name)
    return _parse(scenario.name, output)


def _start_server(url: str, workers: int, port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {
        "DATABASE_URL": url,
        "WEB_CONCURRENCY": str(workers),
        "BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",  # the access log would measure the terminal, not the app
        # Steady state: a worker recycled mid-run (max_requests) drops keep-alive
        # connections wrk is using and its boot would dominate the p99.
        "GUNICORN_MAX_REQUESTS": "0",
        "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]]),
    }
    server = subprocess.Popen(  # noqa: S603
        [str(REPO_ROOT / "docker" / "start.sh")], env=env, start_new_session=True
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.3)
    os.killpg(server.pid, signal.SIGKILL)
    sys.exit("the server did not become ready within 60s")


def _commit() -> str:
    git = shutil.which("git")
    if git is None:
        return "unknown"
    command = [git, "rev-parse", "--short", "HEAD"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    return result.stdout.strip() or "unknown"


def _scenarios(base_url: str) -> tuple[list[Scenario], str]:
    """The scenarios, and a token of a seeded user for the authenticated ones."""
    credentials = {"email": "demo00001@demo.conduit.test", "password": seed.DEMO_PASSWORD}
    login_body = json.dumps({"user": credentials})
    login = httpx.post(
        f"{base_url}/api/users/login",
        content=login_body,
        headers={"Content-Type": "application/json"},
    )
    slug = httpx.get(f"{base_url}/api/articles?limit=1").json()["articles"][0]["slug"]
    scenarios = [
        Scenario("current user", "/api/user", authenticated=True),
        Scenario("article list", "/api/articles?limit=20"),
        Scenario("one article", f"/api/articles/{slug}"),
        Scenario("feed", "/api/articles/feed?limit=20", authenticated=True),
        Scenario("health", "/health/ready"),
        Scenario("login", "/api/users/login", method="POST", body=login_body),
    ]
    return scenarios, login.json()["user"]["token"]


def _report(results: list[Result], args: argparse.Namespace) -> None:
    print(f"\n{args.workers} workers, {args.connections} connections, {args.seconds}s each")
    print(f"{'scenario':<14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for r in results:
        print(
            f"{r.scenario:<14}{r.requests_per_second:>10.0f}"
            f"{r.p50_ms:>10.2f}{r.p99_ms:>10.2f}{r.errors:>8}"
        )
    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    report = {
        "timestamp": stamp,
        "commit": _commit(),
        "settings": vars(args),
        "results": [asdict(r) for r in results],
    }
    path = RESULTS_DIR / f"{stamp}.json"
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nsaved {path.relative_to(REPO_ROOT)}")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bench.run", description=__doc__)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--port", type=int, default=8099)
    args = parser.parse_args()
    wrk = _wrk()
    ensure_env_file()
    url = _database_url()
    os.environ["DATABASE_URL"] = url
    migrate()
    asyncio.run(seed.seed(url, args.users, 5, 3, 2026))

    base_url = f"http://127.0.0.1:{args.port}"
    server = _start_server(url, args.workers, args.port)
    try:
        scenarios, token = _scenarios(base_url)
        results = []
        for scenario in scenarios:
            print(f"  {scenario.name} ({args.seconds}s)...", file=sys.stderr, flush=True)
            results.append(_drive(wrk, base_url, scenario, token, args))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)
    _report(results, args)


if __name__ == "__main__":
    main()
