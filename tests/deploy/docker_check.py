"""`make docker-check`: build the image and run the Compose stack for real, then remove it.

Needs a Docker engine with Compose v2 (`docker compose`), so it is not part of `make test`
(CI has no engine). It runs as its own Compose project (`conduit-check`, its own volume),
publishes the API on a free loopback port, and removes its containers and volume at the
end, also when a step fails (after printing the containers' last log lines).

Steps: build the image; start the database and at once `migrate` (which must wait for
it); `up --wait` (db healthy, migrate done, api healthy, proxy up); register, log in and
write a bio through the published port (the proxy); check the container runs as UID
10001 on a read-only root and that every log line is JSON; the proxy's guarantees
(tests/deploy/proxy_checks.py: edge refusals, forwarded headers, `--scale api=2` balancing,
a rolling restart under load without a failed request); `restart`, then `down` and `up`
without -v, and read the bio back each time; stop the api (SIGTERM) and check that it
exits 0 within STOP_LIMIT_SECONDS with a clean shutdown log; `down -v`.
"""

import json
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

from tests.deploy import proxy_checks
from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
PROJECT = "conduit-check"
UP_TIMEOUT_SECONDS = 180
STOP_LIMIT_SECONDS = 10
APP_UID = "10001"


class CheckFailedError(Exception):
    pass


def _compose(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """`docker compose -p conduit-check …`, output captured (printed when it fails)."""
    result = subprocess.run(  # noqa: S603 (fixed program, our arguments)
        ["docker", "compose", "-p", PROJECT, *args],  # noqa: S607 (docker from PATH)
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise CheckFailedError(f"docker compose {' '.join(args)} failed:\n{result.stderr}")
    return result


def _step(message: str, started: float) -> None:
    print(f"ok  {message} ({time.monotonic() - started:.1f} s)", flush=True)


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailedError(message)


def _up(what: str, *options: str) -> None:
    started = time.monotonic()
    _compose("up", "--detach", "--wait", "--wait-timeout", str(UP_TIMEOUT_SECONDS), *options)
    _step(f"{what}: db healthy, migrate done, api healthy, proxy up", started)


def _migrate_while_the_database_starts() -> None:
    """migrate started with the database, not after its healthcheck: it has to wait."""
    started = time.monotonic()
    _compose("up", "--detach", "db")
    result = _compose("run", "--rm", "--no-deps", "-T", "migrate", check=False)
    output = result.stdout + result.stderr
    _expect(result.returncode == 0, f"migrate failed on a starting database:\n{output}")
    retries = output.count("not reachable yet")
    _step(f"migrate waited for the starting database ({retries} retries), then migrated", started)


def _write_marker(api: httpx.Client) -> tuple[str, str]:
    started = time.monotonic()
    name = f"check{secrets.token_hex(4)}"
    user = {"username": name, "email": f"{name}@example.com", "password": "correct horse 42"}
    registered = api.post("/api/users", json={"user": user})
    _expect(registered.status_code == 201, f"register: {registered.status_code} {registered.text}")
    credentials = {"email": user["email"], "password": user["password"]}
    login = api.post("/api/users/login", json={"user": credentials})
    _expect(login.status_code == 200, f"login: {login.status_code} {login.text}")
    token = login.json()["user"]["token"]
    marker = f"Docker check {name}"
    changed = api.put(
        "/api/user", json={"user": {"bio": marker}}, headers={"Authorization": f"Token {token}"}
    )
    _expect(changed.status_code == 200, f"write the bio: {changed.status_code} {changed.text}")
    _step(f"registered {name}, logged in, wrote the bio {marker!r}", started)
    return marker, token


def _read_marker(api: httpx.Client, token: str, marker: str, after: str) -> None:
    response = api.get("/api/user", headers={"Authorization": f"Token {token}"})
    _expect(response.status_code == 200, f"signed out after {after}: {response.status_code}")
    bio = response.json()["user"]["bio"]
    _expect(bio == marker, f"the bio is {bio!r} after {after}")
    print(f"ok  the bio {marker!r} still there after {after}", flush=True)


def _check_container() -> None:
    uid = _compose("exec", "-T", "api", "id", "-u").stdout.strip()
    _expect(uid == APP_UID, f"api runs as UID {uid}, not {APP_UID}")
    probe = _compose("exec", "-T", "api", "touch", "/app/probe", check=False)
    _expect("Read-only file system" in probe.stderr, f"root is writable: {probe.stderr!r}")
    print(f"ok  api runs as UID {uid} on a read-only root filesystem", flush=True)


def _json_log_lines(service: str) -> list[dict[str, Any]]:
    output = _compose("logs", "--no-log-prefix", "--no-color", service).stdout
    try:
        return [json.loads(line) for line in output.splitlines() if line.strip()]
    except json.JSONDecodeError as error:
        raise CheckFailedError(f"{service} logged a line that is not JSON: {error.doc!r}") from None


def _check_logs() -> None:
    for service in ("migrate", "api"):
        entries = _json_log_lines(service)
        _expect(bool(entries), f"{service} logged nothing")
        coloured = [entry for entry in entries if "color_message" in entry]
        _expect(not coloured, f"{service} logged color_message: {coloured[:1]}")
    print("ok  migrate and api log JSON lines only, without color_message", flush=True)


def _graceful_stop() -> None:
    started = time.monotonic()
    _compose("stop", "api")
    elapsed = time.monotonic() - started
    container = _compose("ps", "--all", "--quiet", "api").stdout.strip()
    inspected = subprocess.run(  # noqa: S603
        ["docker", "inspect", "--format", "{{.State.ExitCode}}", container],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    )
    exit_code = inspected.stdout.strip()
    _expect(exit_code == "0", f"api exited {exit_code} on SIGTERM")
    _expect(elapsed < STOP_LIMIT_SECONDS, f"api took {elapsed:.1f} s to stop")
    messages = [entry["message"] for entry in _json_log_lines("api")]
    _expect("Shutting down: Master" in messages, "no 'Shutting down: Master' in the api log")
    noisy = [message for message in messages if "Error while closing socket" in message]
    _expect(not noisy, f"shutdown logged {noisy[0] if noisy else ''}")
    print(f"ok  api stopped on SIGTERM in {elapsed:.1f} s, exit 0, clean shutdown log", flush=True)


def _check_proxy(api: httpx.Client, token: str) -> None:
    _up("scaled to 2 api containers", "--scale", f"api={proxy_checks.SCALE}")
    containers = _compose("ps", "--quiet", "api").stdout.split()
    _expect(len(containers) == proxy_checks.SCALE, f"api containers: {containers}")
    try:
        proxy_checks.check_edge_refusals(api)
        proxy_checks.check_forwarded_headers(api, containers)
        proxy_checks.check_load_balancing(api, containers)
        proxy_checks.check_rolling_restart(str(api.base_url), token, containers)
    except proxy_checks.ProxyCheckError as error:
        raise CheckFailedError(str(error)) from None
    _up("back to 1 api container", "--scale", "api=1")


def run() -> None:
    started = time.monotonic()
    _compose("build", "api")
    _step("built the image (once, for migrate and api)", started)
    _migrate_while_the_database_starts()
    _up("up")
    api = httpx.Client(base_url=os.environ["API_PUBLISH_URL"], timeout=10)
    marker, token = _write_marker(api)
    _check_container()
    _check_logs()
    _check_proxy(api, token)
    _compose("restart")
    _up("restart")
    _read_marker(api, token, marker, "docker compose restart")
    _compose("down")
    _up("down and up (volume kept)")
    _read_marker(api, token, marker, "docker compose down && up")
    _graceful_stop()


def main() -> None:
    if subprocess.run(["docker", "info"], capture_output=True, check=False).returncode != 0:  # noqa: S607
        sys.exit("docker-check needs a running Docker engine (`docker info` failed)")
    port = free_port()
    os.environ["API_PUBLISH"] = f"127.0.0.1:{port}"
    os.environ["API_PUBLISH_URL"] = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    failed = True
    try:
        run()
        failed = False
    except CheckFailedError as error:
        print(f"FAIL {error}", file=sys.stderr, flush=True)
        print(_compose("logs", "--tail", "40", check=False).stdout, file=sys.stderr)
    finally:
        _compose("down", "--volumes", "--remove-orphans", check=False)
    if failed:
        sys.exit(1)
    print(f"docker-check passed in {time.monotonic() - started:.0f} s; stack removed")


if __name__ == "__main__":
    main()
