"""The servers under test: starting and stopping them, and what /proc says they cost.

CPU time is read from /proc for every process of the server's session (the Gunicorn or
Uvicorn master and its workers): far steadier than requests per second on a machine
that also runs the load generator and PostgreSQL.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
REPO_ROOT = Path(__file__).resolve().parents[2]


_ACCESS = b'"logger": "app.access"'
_ERROR = b'"level": "ERROR"'


class LogDrain:
    """Reads a server's output from a pipe, as a container runtime would, so a slow disk never
    stalls the server; keeps every line but the access lines, and counts those and errors."""

    def __init__(self, pipe: IO[bytes], kept: Path) -> None:
        self.access_lines = 0
        self.error_lines = 0
        self._thread = threading.Thread(target=self._drain, args=(pipe, kept), daemon=True)
        self._thread.start()

    def _drain(self, pipe: IO[bytes], kept: Path) -> None:
        # In large chunks, counting in C: the drain runs on the measured machine too.
        pending = b""
        with kept.open("ab") as output:
            while chunk := pipe.read1(1 << 16):  # type: ignore[attr-defined]
                lines, _, pending = (pending + chunk).rpartition(b"\n")
                if not lines:
                    pending = lines + pending
                    continue
                access = lines.count(_ACCESS)
                self.access_lines += access
                if lines.count(b"\n") + 1 > access:  # something else was logged: keep it
                    for line in lines.split(b"\n"):
                        if _ACCESS not in line:
                            self.error_lines += _ERROR in line
                            output.write(line + b"\n")

    def join(self) -> None:
        self._thread.join(timeout=10)


@dataclass(frozen=True)
class Server:
    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log: LogDrain

    def pids(self) -> list[int]:
        """Every live process of the server's session (it was started as a new session)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                stat = _stat(int(entry.name))
                if stat is not None and int(stat[3]) == self.process.pid:  # field 5: pgrp
                    found.append(int(entry.name))
        return found

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self.pids():
            stat = _stat(pid)
            if stat is not None:
                total += int(stat[11]) + int(stat[12])  # fields 14, 15: utime, stime
        return total / CLOCK_TICKS

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker: every process but the master, if there is one."""
        pids = self.pids()
        workers = [pid for pid in pids if pid != self.process.pid] or pids
        return [rss / 1024 for pid in workers if (rss := _rss_kb(pid)) is not None]


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields) - idle) / CLOCK_TICKS, sum(fields) / CLOCK_TICKS


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # after "pid (comm) ", field 3 onwards


def _rss_kb(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _wait_ready(server: Server, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            sys.exit(f"{server.name} exited during start-up; see {log}")
        try:
            if httpx.get(f"{server.base_url}/health/ready", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    sys.exit(f"{server.name} did not become ready within 60s; see {log}")


@contextmanager
def running(
    name: str, command: list[str], env: dict[str, str], port: int, log: Path
) -> Iterator[Server]:
    """Start a server in its own session, wait until ready, stop it gracefully after."""
    process = subprocess.Popen(  # noqa: S603
        command,
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    server = Server(name, process, f"http://127.0.0.1:{port}", LogDrain(process.stdout, log))
    try:
        _wait_ready(server, log)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        server.log.join()


def project_command() -> list[str]:
    """The production start command (Gunicorn with Uvicorn workers)."""
    return [str(REPO_ROOT / "docker" / "start.sh")]


def floor_command(workers: int, port: int) -> list[str]:
    return [
        *(sys.executable, "-m", "uvicorn", "tests.bench.floor:app"),
        *("--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)),
        *("--loop", "uvloop", "--http", "httptools", "--no-access-log", "--log-level", "warning"),
    ]
