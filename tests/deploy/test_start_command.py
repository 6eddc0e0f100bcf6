"""The container's own start command serves the app with several workers."""

import os
import subprocess
import sys
from pathlib import Path

import httpx

from app.core.config import DEVELOPMENT_SECRET_KEY
from tests.deploy.server import START_SCRIPT, production_server


def test_start_script_serves_ready_with_two_workers() -> None:
    with production_server(workers=2) as server:
        ready = httpx.get(f"{server.base_url}/health/ready", timeout=5)
        metrics = httpx.get(f"{server.base_url}/metrics", timeout=5)
        workers = {
            httpx.get(f"{server.base_url}/health/live", timeout=5).headers.get("x-request-id")
            for _ in range(5)
        }

    assert "server" not in ready.headers  # the worker names no server software
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok"}
    assert metrics.status_code == 200
    assert len(workers) == 5  # every response carries its own request id


def test_bad_production_configuration_is_one_message_listing_every_problem() -> None:
    environment = {
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "ENVIRONMENT": "production",
        # Set, so a developer's .env cannot fill them in; each one is wrong.
        "DATABASE_URL": "mysql://app@db/app",
        "SECRET_KEY": DEVELOPMENT_SECRET_KEY,
        "DEBUG": "true",
        "DB_POOL_SIZE": "0",
    }
    result = subprocess.run(  # noqa: S603 (our own start script)
        [str(START_SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Refusing to start: the configuration has 5 problems:")
    for variable in (
        "DATABASE_URL",
        "SECRET_KEY",
        "TWO_FACTOR_ENCRYPTION_KEYS",
        "DEBUG",
        "DB_POOL_SIZE",
    ):
        assert f"  - {variable}" in result.stderr
    assert DEVELOPMENT_SECRET_KEY not in result.stderr  # values are never echoed
