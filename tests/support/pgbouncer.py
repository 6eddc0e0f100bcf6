"""A real PgBouncer (Debian's `pgbouncer`) in transaction mode, in front of a test database.

Started on a free loopback port with its own configuration in a temporary directory;
as root it runs as `nobody` (PgBouncer refuses to run as root). Missing, tests that need
it fail under CI and are skipped, loudly, elsewhere: `make test` installs it as root.
"""

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import URL, make_url

from tests.support.ports import free_port

UNPRIVILEGED_USER = "nobody"


@dataclass(frozen=True)
class PgBouncer:
    port: int
    upstream: URL
    log: Path

    def url(self, database: str | None = None) -> str:
        """The upstream URL, pointed at PgBouncer (same user and database by default)."""
        url = self.upstream.set(host="127.0.0.1", port=self.port)
        if database is not None:
            url = url.set(database=database)
        return url.render_as_string(hide_password=False)


def executable() -> str:
    found = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin:/usr/bin")
    if found:
        return found
    message = (
        "PgBouncer is not installed: `make test` installs Debian's pgbouncer when run as "
        "root; otherwise `apt-get install pgbouncer`"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(f"NOT RUN: {message}")


def _config(upstream: URL, port: int, pool_size: int, directory: Path, extra: str) -> str:
    server = f"host={upstream.host or '127.0.0.1'} port={upstream.port or 5432}"
    login = f"user={upstream.username}" + (
        f" password={upstream.password}" if upstream.password else ""
    )
    return f"""\
[databases]
* = {server} {login}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = trust
auth_file = {directory / "users.txt"}
pool_mode = transaction
default_pool_size = {pool_size}
max_client_conn = 500
server_login_retry = 1
query_wait_timeout = 5
{extra}
"""


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"PgBouncer exited: {log.read_text()}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"PgBouncer did not listen on {port}: {log.read_text()}")


@contextmanager
def running_pgbouncer(
    upstream_url: str, *, pool_size: int = 2, extra: str = ""
) -> Iterator[PgBouncer]:
    """PgBouncer in transaction mode, `pool_size` server connections per database and user."""
    binary = executable()
    upstream = make_url(upstream_url)
    directory = Path(tempfile.mkdtemp(prefix="pgbouncer-"))
    directory.chmod(0o755)  # the unprivileged user reads its configuration here
    port = free_port()
    (directory / "users.txt").write_text(f'"{upstream.username}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(_config(upstream, port, pool_size, directory, extra))
    log = directory / "pgbouncer.log"
    as_root = os.geteuid() == 0
    command = [binary, *(["-u", UNPRIVILEGED_USER] if as_root else []), str(config)]
    if as_root:
        pwd.getpwnam(UNPRIVILEGED_USER)  # fails clearly when the user is missing
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603
    try:
        _wait_until_listening(port, process, log)
        yield PgBouncer(port=port, upstream=upstream, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def pgbouncer_for_the_app(upstream_url: str, *, pool_size: int) -> Iterator[PgBouncer]:
    """PgBouncer set up as docs/deployment.md "Scaling out" says: the app's statement timeout on the
    role, for the database behind it (reset afterwards). Outside a running event loop."""
    from app.core.config import Settings  # noqa: PLC0415
    from tests.support.database import set_role_statement_timeout  # noqa: PLC0415

    timeout = Settings(database_url=upstream_url).db_statement_timeout_ms
    asyncio.run(set_role_statement_timeout(upstream_url, timeout))
    try:
        with running_pgbouncer(upstream_url, pool_size=pool_size) as bouncer:
            yield bouncer
    finally:
        asyncio.run(set_role_statement_timeout(upstream_url, None))
