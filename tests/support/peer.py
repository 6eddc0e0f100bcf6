"""A real HTTP server on loopback for outgoing-call tests: Uvicorn in a thread.

Paths: `/ok`; `/slow?seconds=S` (answers after S seconds); `/flaky/KEY?failures=N` (503 for
the first N requests of KEY, then 200); `/status/CODE`; `/redirect` (302 to `/ok`). Every
request is recorded (method, path, headers, body) for the test to read.
"""

import asyncio
import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from tests.support.ports import free_port


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Peer:
    base_url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    _seen: Counter[str] = field(default_factory=Counter)

    def count(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        self.requests.append(Recorded(scope["method"], path, headers, body))
        query = {k: v[0] for k, v in parse_qs(scope["query_string"].decode()).items()}
        status, extra = 200, []
        if path == "/slow":
            await asyncio.sleep(float(query.get("seconds", "5")))
        elif path.startswith("/flaky/"):
            self._seen[path] += 1
            status = 503 if self._seen[path] <= int(query.get("failures", "1")) else 200
        elif path.startswith("/status/"):
            status = int(path.rsplit("/", 1)[1])
        elif path == "/redirect":
            status, extra = 302, [(b"location", f"{self.base_url}/ok".encode())]
        payload = json.dumps({"path": path}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json"), *extra],
            }
        )
        await send({"type": "http.response.body", "body": payload})


@contextmanager
def running_peer() -> Iterator[Peer]:
    peer = Peer()
    with serving_on_loopback(peer) as base_url:
        peer.base_url = base_url
        yield peer


@contextmanager
def serving_on_loopback(app: Any, port: int | None = None) -> Iterator[str]:
    """The ASGI `app` served by Uvicorn in a thread on a loopback port (a free one unless
    given): its base URL."""
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the loopback peer did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
