"""`make docker-check`, the proxy part: what NGINX in front of the API must guarantee.

- the edge refuses what it must, as problems with the request id: /metrics (404), a body
  over 1 MiB (413), oversized headers (431);
- X-Forwarded-For is believed from the proxy only: a client's claim through the proxy, or
  a request that bypasses the proxy, does not choose the address the app logs and throttles;
- `--scale api=2` spreads requests over both containers;
- restarting one container at a time under load fails no request.
"""

import json
import re
import secrets
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.documents import REPO_ROOT

SPOOFED = "203.0.113.9"
SCALE = 2


class ProxyCheckError(Exception):
    pass


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ProxyCheckError(message)


def _docker(*args: str) -> str:
    """The command's output, stdout and stderr together (containers log to both)."""
    result = subprocess.run(  # noqa: S603 (fixed program, our arguments)
        ["docker", *args],  # noqa: S607 (docker from PATH)
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=True,
    )
    return result.stdout


def _log_entries(container: str) -> list[dict[str, Any]]:
    lines = _docker("logs", container).splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def _served_by(containers: list[str], request_id: str) -> dict[str, dict[str, Any]]:
    """The access line for `request_id`, per container that logged one."""
    found = {}
    for container in containers:
        for entry in _log_entries(container):
            if entry.get("request_id") == request_id and "status" in entry:
                found[container] = entry
    return found


def _is_problem(response: httpx.Response, status: int, request_id: str) -> bool:
    return (
        response.status_code == status
        and response.headers.get("content-type") == "application/problem+json"
        and response.json()["request_id"] == request_id
    )


def check_edge_refusals(api: httpx.Client) -> None:
    metrics = api.get("/metrics")
    _expect(metrics.status_code == 404, f"/metrics through the proxy: {metrics}")
    too_large = [
        ("POST", "/api/users", {}, b"x" * 2_000_000, 413),
        ("GET", "/api/tags", {"X-Padding": "p" * 40_000}, None, 431),
    ]
    for method, path, headers, body, status in too_large:
        request_id = secrets.token_hex(16)
        response = api.request(
            method, path, headers={"X-Request-ID": request_id} | headers, content=body
        )
        _expect(_is_problem(response, status, request_id), f"{path}: {response} {response.text}")
    print("ok  the proxy refuses /metrics, a 2 MB body and 40 kB headers, as problems", flush=True)


def check_forwarded_headers(api: httpx.Client, containers: list[str]) -> None:
    through = secrets.token_hex(16)
    api.get("/api/tags", headers={"X-Request-ID": through, "X-Forwarded-For": SPOOFED})
    time.sleep(0.5)  # the access line is written after the response
    lines = list(_served_by(containers, through).values())
    _expect(len(lines) == 1, f"access lines for {through}: {lines}")
    [line] = lines
    _expect(not line["client"].startswith(SPOOFED), f"a client chose its address: {line}")

    bypass = secrets.token_hex(16)
    probe = (
        "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/api/tags', "
        f"headers={{'X-Forwarded-For': '{SPOOFED}', 'X-Request-ID': '{bypass}'}}))"
    )
    _docker("exec", containers[0], "python", "-c", probe)
    time.sleep(0.5)
    directs = list(_served_by(containers, bypass).values())
    _expect(len(directs) == 1, f"access lines for {bypass}: {directs}")
    [direct] = directs
    _expect(direct["client"].startswith("127.0.0.1:"), f"an untrusted peer was believed: {direct}")
    print(
        f"ok  X-Forwarded-For is the proxy's view ({line['client']}); "
        "a claim through it or around it is ignored",
        flush=True,
    )


def check_load_balancing(api: httpx.Client, containers: list[str]) -> None:
    request_ids = [secrets.token_hex(16) for _ in range(40)]
    for request_id in request_ids:
        response = api.get("/api/tags", headers={"X-Request-ID": request_id})
        _expect(response.status_code == 200, f"through the proxy: {response}")
    time.sleep(0.5)
    served = Counter(
        container
        for container in containers
        for entry in _log_entries(container)
        if entry.get("request_id") in request_ids and "status" in entry
    )
    _expect(len(served) == SCALE, f"not spread over {SCALE} containers: {served}")
    print(f"ok  40 requests spread over {SCALE} containers: {sorted(served.values())}", flush=True)


# The load changes the image, never the bio the check reads back after restarts.
_LOAD_IMAGE = "https://example.com/under-load.png"


class _Load:
    """Clients sending reads and writes through the proxy until stopped."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url, token
        self.statuses: Counter[int] = Counter()
        self.failures: list[str] = []
        self.running = True

    def _client(self) -> None:
        headers = {"Authorization": f"Token {self.token}"}
        with httpx.Client(base_url=self.base_url, timeout=30, headers=headers) as client:
            while self.running:
                for method, path, body in [
                    ("GET", "/api/user", None),  # a driver read
                    ("PUT", "/api/user", {"user": {"image": _LOAD_IMAGE}}),  # a limited write
                    ("GET", "/api/user/sessions", None),  # a read through the session
                ]:
                    try:
                        response = client.request(method, path, json=body)
                    except httpx.TransportError as error:
                        self.failures.append(f"{method} {path}: {error!r}")
                        continue
                    self.statuses[response.status_code] += 1
                    if response.status_code >= 500:
                        self.failures.append(f"{method} {path}: {response.text}")

    def during(self, action: Callable[[], None]) -> None:
        threads = [threading.Thread(target=self._client) for _ in range(4)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(1)
            action()
            time.sleep(1)
        finally:
            self.running = False
            for thread in threads:
                thread.join()


_RESOLVER = re.compile(r"resolver .* valid=(\d+)s")


def _resolver_valid_seconds() -> int:
    """How often NGINX re-asks Docker's DNS (nginx.conf `resolver ... valid=`): until then it
    sends to the addresses it resolved before, which a restart may have left without the
    instance that just came back."""
    found = _RESOLVER.search((REPO_ROOT / "docker" / "nginx" / "nginx.conf").read_text())
    if found is None:
        raise ProxyCheckError("docker/nginx/nginx.conf sets no resolver validity")
    return int(found[1])


def check_rolling_restart(base_url: str, token: str, containers: list[str]) -> None:
    def restart_one_at_a_time() -> None:
        for container in containers:
            _docker("restart", "--time", "40", container)
            _wait_healthy(container)
            # A rolling restart waits for the proxy to see the instance that is back before
            # it stops the next one: else, for up to one resolver period, the proxy knows
            # only the instance now stopping and has nowhere to send (a 503).
            time.sleep(_resolver_valid_seconds() + 1)

    load = _Load(base_url, token)
    load.during(restart_one_at_a_time)
    _expect(not load.failures, f"requests failed ({load.statuses}): {load.failures[:3]}")
    # 429: the write limiter answering one user's burst of favorites, by design. Every
    # request gets an answer from an instance; none is dropped or sees a proxy error.
    answered = {200, 429}
    _expect(set(load.statuses) <= answered, f"statuses during the restarts: {load.statuses}")
    _expect(load.statuses[200] > 0, f"statuses during the restarts: {load.statuses}")
    print(
        f"ok  each container restarted in turn under load: {load.statuses.total()} requests, "
        f"none failed ({dict(load.statuses)}; 429s are the write limiter)",
        flush=True,
    )


def _wait_healthy(container: str) -> None:
    for _ in range(120):
        state = _docker("inspect", "--format", "{{.State.Health.Status}}", container).strip()
        if state == "healthy":
            return
        time.sleep(0.5)
    raise ProxyCheckError(f"{container} not healthy again after a restart")
