"""Running the production start command (docker/start.sh) on the host, as the image does."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.ports import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
START_SCRIPT = REPO_ROOT / "docker" / "start.sh"
BOOT_TIMEOUT_SECONDS = 60


@dataclass
class RunningServer:
    process: subprocess.Popen[str]
    base_url: str

    def output(self) -> str:
        """Everything the server printed; only once it has exited."""
        stdout, _ = self.process.communicate(timeout=5)
        return stdout


def _wait_until_live(server: RunningServer) -> None:
    deadline = time.monotonic() + BOOT_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"server exited early:\n{server.output()}")
        try:
            if httpx.get(f"{server.base_url}/health/live", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(f"server did not answer within {BOOT_TIMEOUT_SECONDS}s")


@contextmanager
def production_server(workers: int, **environment: str) -> Iterator[RunningServer]:
    """docker/start.sh with the test database; always stopped (SIGKILL as a last resort)."""
    port = free_port()
    env = (
        os.environ
        | {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": str(workers),
            "LOG_FORMAT": "json",
            "LOG_LEVEL": "INFO",
        }
        | environment
    )
    process = subprocess.Popen(  # noqa: S603 (our own start script)
        [str(START_SCRIPT)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    server = RunningServer(process, f"http://127.0.0.1:{port}")
    try:
        _wait_until_live(server)
        yield server
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
