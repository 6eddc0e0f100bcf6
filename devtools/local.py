"""Local entry points behind `make run`, `make serve`, `make migrate`, `make admin` and friends.

Each resolves the database first: `DATABASE_URL` from the environment or `.env` when set,
otherwise an embedded PostgreSQL under `.devdb/dev` (started on demand, reused across
runs). Then it migrates to head, then it runs the requested program.
"""

import argparse
import base64
import os
import secrets
import sys
from pathlib import Path

from alembic import command
from alembic.config import Config
from dotenv import dotenv_values

from app.core.config import EXAMPLE_SECRET_KEY

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_FILE = REPO_ROOT / ".env"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
EXAMPLE_SECRET_LINE = f"SECRET_KEY={EXAMPLE_SECRET_KEY}"
EMPTY_TWO_FACTOR_LINE = "\nTWO_FACTOR_ENCRYPTION_KEYS="
DEV_DATA_DIR = REPO_ROOT / ".devdb" / "dev"
DEV_DATABASE = "conduit"


def ensure_env_file() -> None:
    """First run: create `.env` from the example, with a fresh secret key and two-factor
    encryption key."""
    if ENV_FILE.exists():
        return
    two_factor_key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
    text = (
        ENV_EXAMPLE.read_text()
        .replace(EXAMPLE_SECRET_LINE, f"SECRET_KEY={secrets.token_urlsafe(48)}")
        .replace(EMPTY_TWO_FACTOR_LINE, f"{EMPTY_TWO_FACTOR_LINE}{two_factor_key}")
    )
    ENV_FILE.write_text(text)
    print(f"created {ENV_FILE.name} with new SECRET_KEY and two-factor keys", file=sys.stderr)


def ensure_database_url() -> str:
    configured = os.environ.get("DATABASE_URL") or dotenv_values(ENV_FILE).get("DATABASE_URL")
    if configured:
        return configured
    from devtools import devdb  # noqa: PLC0415 (dev-only dependency, needed only here

    server = devdb.start(DEV_DATA_DIR)
    devdb.create_database(server, DEV_DATABASE)
    url = server.url(DEV_DATABASE)
    os.environ["DATABASE_URL"] = url
    print(f"using embedded PostgreSQL at {url}", file=sys.stderr)
    return url


def migrate() -> None:
    command.upgrade(Config(toml_file=str(REPO_ROOT / "pyproject.toml")), "heads")


def _exec(program: str, *args: str) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os.execvp(program, [program, *args])  # noqa: S606 (replaces this process on purpose)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m devtools.local")
    parser.add_argument(
        "action",
        choices=["run", "serve", "worker", "migrate", "seed", "admin", "db-url", "db-stop"],
        help="run: dev server with reload; serve: Gunicorn; worker: the job worker; "
        "seed: demo data; admin: grant a role; db-url: print it",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="8000")
    args, extra = parser.parse_known_args(argv)
    os.chdir(REPO_ROOT)

    if args.action == "db-stop":
        from devtools import devdb  # noqa: PLC0415

        devdb.stop(DEV_DATA_DIR)
        return
    ensure_env_file()
    url = ensure_database_url()
    if args.action == "db-url":
        print(url)
        return
    migrate()
    if args.action == "seed":
        from devtools import seed  # noqa: PLC0415

        seed.main(extra)
    elif args.action == "admin":
        from app.cli import admin  # noqa: PLC0415

        admin.main(extra)
    elif args.action == "run":
        _exec(
            sys.executable,
            "-m",
            "uvicorn",
            "app.main:app",
            "--reload",
            "--host",
            args.host,
            "--port",
            args.port,
        )
    elif args.action == "worker":
        _exec(sys.executable, "-m", "app.cli.worker", *extra)
    elif args.action == "serve":
        os.environ.setdefault("BIND", f"{args.host}:{args.port}")
        # start.sh runs `gunicorn` from PATH: make it this virtualenv's.
        venv_bin = str(Path(sys.executable).parent)
        os.environ["PATH"] = os.pathsep.join([venv_bin, os.environ.get("PATH", "")])
        _exec("sh", str(REPO_ROOT / "docker" / "start.sh"))


if __name__ == "__main__":
    main()
