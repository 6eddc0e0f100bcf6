"""`make adopt NAME=<service>`: the template becomes your service, in one command.

Run on a fresh clone. It renames the project, removes the Conduit reference domain (and,
with `--without`, the webhooks integration or live streams), resets the service's migration
history to one initial revision (the platform's branch stays), rewrites openapi.json and
says what is left to do. docs/adopting.md describes it; tests/repo/test_adopting.py runs
it on a copy of the repository and then that copy's own lint and tests.

Everything it changes is in the tables below: paths to delete, exact edits that must
match (an edit that no longer matches stops the adoption, so the template cannot drift
from its adoption unnoticed), lines to drop, and the blocks of the docs to strip.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
NAME_MAX_LENGTH = 40
# How the project is called in the template, wherever a name is the project's.
TEMPLATE_NAME = "conduit"
OPTIONAL = ("webhooks", "streams")


@dataclass(frozen=True)
class Edit:
    path: str
    old: str
    new: str


# The Conduit reference domain: its packages, tests, tools and docs.
CONDUIT_PATHS = (
    "app/conduit",
    "tests/conduit",
    "tests/support/articles.py",
    "devtools/seed.py",
    "tests/devtools/test_seed.py",
    "tests/conformance",
    "tests/bench",  # the benchmark and its floor measure Conduit's reads
    "tests/repo/test_adopting.py",  # adopts the template: nothing to adopt any more
    "tests/core/db/test_linear_history.py",  # the template's own migration history
    "devtools/adopt.py",
    "docs/adopting.md",
    "docs/conduit.md",
    "docs/performance.md",
    "docs/performance-log.md",
    "clients/typescript/src/usage.ts",
)
WEBHOOKS_PATHS = (
    "app/integrations",
    "app/core/webhooks",
    "tests/integrations",
    "tests/core/webhooks",
    "docs/webhooks.md",
)
# Live streams (Server-Sent Events): nothing else of the platform needs them, and once the
# Conduit comment stream is gone no feature publishes on a channel.
STREAMS_PATHS = (
    "app/core/streams",
    "tests/core/streams",
    "tests/support/sse_client.py",
    "migrations/platform/p0003_stream_events.py",
    "docs/streams.md",
)
CONDUIT_EDITS = (
    # The layout trees of the docs: an entry that goes on over several lines.
    Edit("README.md", "embedded PostgreSQL, seed\n", "embedded PostgreSQL\n"),
    Edit("README.md", "repo/, bench/, support/", "repo/, support/"),
    Edit("docs/architecture.md", "seed (demo data), openapi", "openapi"),
    Edit("docs/architecture.md", "<feature>/, conduit/<feature>/,", "<feature>/,"),
    Edit(
        "docs/architecture.md",
        "promises), bench/ (`make bench`), conformance/ (the RealWorld suites),\n",
        "promises),\n",
    ),
    Edit(
        "devtools/local.py",
        '"migrate", "seed", "admin", "db-url"',
        '"migrate", "admin", "db-url"',
    ),
    Edit("devtools/local.py", '"seed: demo data; admin: grant a role', '"admin: grant a role'),
    Edit(
        "devtools/local.py",
        '    if args.action == "seed":\n'
        "        from devtools import seed  # noqa: PLC0415\n\n"
        "        seed.main(extra)\n"
        '    elif args.action == "admin":',
        '    if args.action == "admin":',
    ),
    Edit(
        "app/integrations/webhooks/schemas.py",
        '    ARTICLE_PUBLISHED = "article.published"  # you published an article\n'
        '    COMMENT_CREATED = "comment.created"  # someone commented on your article\n'
        '    PROFILE_FOLLOWED = "profile.followed"  # someone followed you\n',
        "    # Your events: emit() them from your services (app/integrations/webhooks/events.py).\n"
        '    EXAMPLE_HAPPENED = "example.happened"\n',
    ),
    Edit(
        "app/main.py",
        'summary="Production-ready async FastAPI service implementing the RealWorld API.",',
        'summary="An async FastAPI service.",',
    ),
    Edit(
        "pyproject.toml",
        'description = "Production async FastAPI service template with the RealWorld (Conduit) '
        'API as its reference domain."',
        'description = "An async FastAPI service."',
    ),
    Edit(
        "Makefile",
        "tests/identity tests/conduit tests/integrations",
        "tests/identity tests/integrations",
    ),
    # The adopted project has no adoption blocks left to check.
    Edit(
        "tests/repo/test_docs.py",
        "# The blocks `make adopt` removes: about the Conduit domain, webhooks, live streams.\n"
        'ADOPTION_BLOCKS = {"conduit", "webhooks", "streams"}',
        "# The template's `make adopt` removed its blocks of the docs: none is left.\n"
        "ADOPTION_BLOCKS: set[str] = set()",
    ),
    Edit(
        "app/features.py",
        "    # The Conduit routes first (the hottest paths are matched soonest), identity after.\n",
        "",
    ),
    Edit("app/features.py", "(version 1, the RealWorld contract)", "(version 1)"),
    Edit(
        "app/features.py",
        "V2_ROUTERS: tuple[APIRouter, ...] = (profiles_v2.router,)",
        "V2_ROUTERS: tuple[APIRouter, ...] = ()",
    ),
    Edit(
        "app/features.py",
        "STREAM_CHANNELS: tuple[str, ...] = (comment_events.CHANNEL,)",
        "STREAM_CHANNELS: tuple[str, ...] = ()",
    ),
)
WEBHOOKS_EDITS = (
    Edit(
        "docs/architecture.md",
        ",\n                          integrations/webhooks/; plus cli/",
        ";\n                          plus cli/",
    ),
    Edit(
        "app/features.py",
        'JOB_MODULES: tuple[str, ...] = ("app.identity.audit.jobs", '
        '"app.integrations.webhooks.jobs")',
        'JOB_MODULES: tuple[str, ...] = ("app.identity.audit.jobs",)',
    ),
    Edit(
        "app/core/config/_settings.py",
        "    # Webhooks: destinations refused unless public or in these CIDRs"
        " (app/core/webhooks/).\n"
        "    webhook_allowed_networks: Annotated[list[str], NoDecode]"
        " = Field(default_factory=list)\n"
        "    # Consecutive failed delivery attempts after which an endpoint is disabled.\n"
        "    webhook_failure_budget: int = Field(default=15, ge=1)\n"
        "    # Endpoints one account may have (each event fans out to all of them), and pings one\n"
        "    # endpoint may be sent per minute (each is an outgoing call made for the caller).\n"
        "    webhook_max_per_account: int = Field(default=10, ge=1)\n"
        "    webhook_pings_per_minute: int = Field(default=6, ge=1)\n"
        "    webhook_delivery_retention_days: int = Field(default=30, ge=1)"
        "  # the delivery log\n\n",
        "",
    ),
    Edit("app/core/config/_settings.py", '        "webhook_allowed_networks",\n', ""),
    Edit(
        "app/core/config/_settings.py",
        '    @field_validator("webhook_allowed_networks")\n'
        "    @classmethod\n"
        "    def _networks_are_cidrs(cls, value: list[str]) -> list[str]:\n"
        "        for cidr in value:\n"
        "            try:\n"
        "                ipaddress.ip_network(cidr, strict=False)\n"
        "            except ValueError as error:\n"
        '                raise ValueError(f"WEBHOOK_ALLOWED_NETWORKS: {cidr!r} is not a network")'
        " from error\n"
        "        return value\n\n",
        "",
    ),
    Edit("app/core/__init__.py", "`outbound_http`, `webhooks`,", "`outbound_http`,"),
    # The loopback allow-list of the webhook tests (the only ones that call out).
    Edit(
        "tests/conftest.py",
        "\n"
        "\n"
        "@pytest.fixture\n"
        "async def loopback_allowed(app: FastAPI, settings: Settings) -> AsyncIterator[None]:\n"
        '    """Outgoing calls to loopback admitted (the SSRF allow-list), through a real client\n'
        '    injected into `app`: for tests with a receiver on 127.0.0.1."""\n'
        "    tuned = settings.model_copy(\n"
        "        update={\n"
        '            "webhook_allowed_networks": ["127.0.0.0/8"],\n'
        '            "http_client_read_timeout_seconds": 0.5,\n'
        "        }\n"
        "    )\n"
        "    app.state.settings = tuned\n"
        "    async with create_http_client(tuned) as http:\n"
        "        app.dependency_overrides[get_http_client] = lambda: http\n"
        "        yield\n"
        "    app.dependency_overrides.clear()\n",
        "\n",
    ),
    Edit(
        "tests/conftest.py",
        "from app.core.outbound_http import create_http_client, get_http_client\n",
        "from app.core.outbound_http import create_http_client\n",
    ),
    Edit(
        "app/core/jobs/_stalled.py",
        "idempotent (a webhook delivery carries its id, so receivers can drop repeats).",
        "idempotent (e.g. a delivery carries its id, so receivers can drop repeats).",
    ),
    Edit("README.md", "HTTP, webhooks,", "HTTP,"),
    Edit("README.md", "outbound_http/ webhooks/ ", "outbound_http/ "),
    Edit("docs/architecture.md", "outbound_http/\n  webhooks/ ", "outbound_http/\n  "),
)
STREAMS_EDITS = (
    Edit("app/main.py", "ROUTERS, STREAM_CHANNELS, V2_ROUTERS", "ROUTERS, V2_ROUTERS"),
    Edit(
        "app/main.py",
        "    # Connects on the first stream only (app/core/streams/_fanout.py).\n"
        "    app.state.event_fanout = fanout = event_fanout(settings, STREAM_CHANNELS)\n",
        "",
    ),
    Edit("app/main.py", "        await fanout.close()\n", ""),
    Edit(
        "app/core/edge/server_worker.py",
        "    def shutdown(self) -> None:\n"
        "        # The server is shutting down: open streams end now, or the graceful shutdown\n"
        "        # would wait for them until Gunicorn's graceful timeout"
        " (app/core/streams/_draining.py).\n"
        "        begin_draining()\n"
        "        super().shutdown()\n\n",
        "",
    ),
    Edit(
        "app/features.py",
        "# The live-event channels the worker's fan-out listens on (app/core/streams).\n"
        "STREAM_CHANNELS: tuple[str, ...] = ()\n",
        "",
    ),
    Edit("app/features.py", "routers, live-event channels and jobs", "routers and jobs"),
    # The platform's branch goes on from the job queue to the rate-limit counters.
    Edit("migrations/platform/p0004_rate_limit_counters.py", "Revises: p0003", "Revises: p0002"),
    Edit(
        "migrations/platform/p0004_rate_limit_counters.py",
        'down_revision: str | None = "p0003"',
        'down_revision: str | None = "p0002"',
    ),
    Edit(
        "app/core/config/_settings.py",
        "    # LISTEN for live events (app/core/streams) needs a direct connection: set this to\n"
        "    # PostgreSQL itself when DATABASE_URL points at PgBouncer in transaction mode.\n"
        "    db_listen_url: str | None = None\n",
        "",
    ),
    Edit(
        "app/core/config/_settings.py",
        "    # Server-Sent Events streams (app/core/streams): comment lines this often keep"
        " proxies\n"
        "    # from timing them out; at most this many open per worker (then 503); events kept\n"
        "    # this long for clients resuming with Last-Event-ID.\n"
        "    stream_heartbeat_seconds: float = Field(default=15.0, gt=0, le=300)\n"
        "    stream_max_per_worker: int = Field(default=100, ge=1)\n"
        "    # Per client address and per signed-in account, within each worker's cap (then 429).\n"
        "    stream_max_per_client: int = Field(default=10, ge=1)\n"
        "    stream_event_retention_seconds: int = Field(default=86_400, ge=60)\n\n",
        "",
    ),
    Edit(
        "tests/core/db/test_migrations.py",
        "the job queue,\n    stream events, rate-limit counters",
        "the job queue,\n    rate-limit counters",
    ),
    Edit(
        "app/core/config/_settings.py",
        '@field_validator("database_url", "db_listen_url")',
        '@field_validator("database_url")',
    ),
    Edit(
        "app/core/config/_settings.py",
        "if not value:  # DB_LISTEN_URL unset or empty: DATABASE_URL",
        "if not value:",
    ),
    Edit(
        "app/core/config/_settings.py",
        "    @property\n"
        "    def listen_dsn(self) -> str:\n"
        '        """The plain `postgresql://` URL asyncpg connects to for LISTEN."""\n'
        "        url = self.db_listen_url or self.database_url\n"
        '        return "postgresql://" + url.partition("://")[2]\n\n',
        "",
    ),
    Edit("app/core/__init__.py", "`streams`, `ratelimit`", "`ratelimit`"),
    Edit("README.md", "streams, rate limits", "rate limits"),
    Edit("README.md", "streams/ ratelimit/", "ratelimit/"),
    Edit("docs/architecture.md", "streams/ ratelimit/", "ratelimit/"),
    Edit("docs/architecture.md", "job queue, stream events, limits)", "job queue, limits)"),
    Edit("docs/architecture.md", "rate-limit counters, stream\nevents)", "rate-limit counters)"),
    Edit("docs/database.md", "see it), stream events, rate-limit", "see it), rate-limit"),
    Edit(
        "docs/deployment.md",
        "advisory locks or `LISTEN`: its one `LISTEN` per worker,\n"
        "for live streams, goes to `DB_LISTEN_URL`, which behind PgBouncer must name PostgreSQL\n"
        "itself; a warning at start-up says so when it is unset); the job",
        "advisory locks or `LISTEN`); the job",
    ),
    Edit(
        "deploy/k8s/components/pgbouncer/kustomization.yaml",
        "      # LISTEN (the comment streams) needs a session of its own: straight to PostgreSQL,\n"
        "      # with the URL the migration Job uses.\n"
        "      - op: add\n"
        "        path: /spec/template/spec/containers/0/env/-\n"
        "        value:\n"
        "          name: DB_LISTEN_URL\n"
        "          valueFrom:\n"
        "            secretKeyRef:\n"
        "              name: conduit-secrets\n"
        "              key: MIGRATION_DATABASE_URL\n",
        "",
    ),
)
# Lines that register or name what is removed: every line holding one of these goes.
CONDUIT_LINES = {
    "app/features.py": (
        "from app.conduit",
        "        profiles,\n",
        "        articles,\n",
        "        comments,\n",
        "        comment_stream,\n",
        "        tags,\n",
    ),
    "app/models.py": ("from app.conduit", '"Article"', '"ArticleTag"', '"Comment"', '"Favorite"'),
    "app/identity/audit/service.py": (
        "ARTICLE_DELETED_BY_MODERATOR",
        "COMMENT_DELETED_BY_MODERATOR",
    ),
    # The token scopes of Conduit's routes (follows are Conduit's profiles).
    "app/identity/personal_tokens/scopes.py": ("ARTICLES_", "PROFILE_WRITE"),
    "app/deps.py": ("ProfileWriter = ",),
    "THIRD_PARTY_NOTICES.md": ("tests/conformance/",),
    # The rows of the role matrix and of the audit events that are about Conduit's content.
    "docs/identity.md": (
        "articles and comments |",
        "article or comment |",
        "anyone else's article |",
        "_deleted_by_moderator` |",
    ),
    "docs/auth.md": ("| `articles:", "| `profile:write`"),
}
WEBHOOKS_LINES = {
    "app/features.py": ("from app.integrations", "        webhooks,\n"),
    "app/models.py": ("from app.integrations", '"WebhookDelivery"', '"WebhookEndpoint"'),
    "docs/configuration.md": ("`WEBHOOK_",),
    ".env.example": (
        "# Webhooks: destinations must be public",
        "(e.g. 10.20.0.0/16 for an internal receiver)",
        "failed delivery attempts in a row (the owner",
        "# Endpoints per account (then 409) and pings per endpoint",
        "WEBHOOK_",
    ),
}
STREAMS_LINES = {
    "app/main.py": ("from app.core.streams",),
    "app/core/edge/server_worker.py": ("from app.core.streams",),
    "app/models.py": ("from app.core.streams", '"StreamEvent"'),
    "docs/configuration.md": ("`DB_LISTEN_URL`", "`STREAM_"),
    ".env.example": (
        "Live comment streams LISTEN",
        "point this at PostgreSQL directly. Empty: DATABASE_URL.",
        "DB_LISTEN_URL=",
        "# Server-Sent Events:",
        "events are kept for clients resuming",
        "STREAM_",
    ),
}
# Exact model names of a registry line: "Follow" and "Tag" are named alone on theirs.
CONDUIT_MODEL_NAMES = ("Follow", "Tag")
MAKE_TARGETS = ("seed", "bench", "conformance", "adopt")


class AdoptionError(Exception):
    """The adoption cannot go on: the message says why and what to do."""


def _git(*args: str) -> str:
    return subprocess.run(  # noqa: S603 (git, with the adoption's own arguments)
        ["git", *args],  # noqa: S607 (the user's git, as `make` finds it)
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _check_clean_tree(force: bool) -> None:
    if force:
        return
    if _git("status", "--porcelain", "--untracked-files=no").strip():
        raise AdoptionError("the work tree has changes: commit or stash them (or --force)")


def _names(name: str) -> tuple[str, str, str]:
    if not NAME.match(name) or len(name) > NAME_MAX_LENGTH:
        raise AdoptionError(
            f"NAME={name!r}: lowercase letters, digits and single hyphens, starting with a "
            f"letter, at most {NAME_MAX_LENGTH} characters (e.g. NAME=orders or NAME=acme-orders)"
        )
    if name == TEMPLATE_NAME:
        raise AdoptionError(f"NAME={name!r} is the template's own name: choose yours")
    title = " ".join(part.capitalize() for part in name.split("-"))
    return name, name.replace("-", "_"), title


def _remove(paths: tuple[str, ...]) -> None:
    for relative in paths:
        path = REPO_ROOT / relative
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def _apply(edits: tuple[Edit, ...]) -> None:
    for edit in edits:
        path = REPO_ROOT / edit.path
        if not path.exists():
            continue  # removed with an option
        text = path.read_text()
        if edit.old not in text:
            raise AdoptionError(f"{edit.path} no longer holds {edit.old!r}: update this tool")
        path.write_text(text.replace(edit.old, edit.new))


def _drop_lines(table: dict[str, tuple[str, ...]], exact_names: tuple[str, ...] = ()) -> None:
    for relative, markers in table.items():
        path = REPO_ROOT / relative
        if not path.exists():
            continue
        kept = [
            line
            for line in path.read_text().splitlines(keepends=True)
            if not any(marker in line for marker in markers)
            and line.strip() not in {f'"{name}",' for name in exact_names}
        ]
        path.write_text("".join(kept))


def _drop_make_targets(targets: tuple[str, ...]) -> None:
    """Each target's recipe and the comment lines just above it; its .PHONY entry."""
    makefile = REPO_ROOT / "Makefile"
    lines = makefile.read_text().splitlines(keepends=True)
    kept: list[str] = []
    skipping = False
    for line in lines:
        if re.match(rf"^({'|'.join(targets)}):", line):
            while kept and kept[-1].startswith("#"):
                kept.pop()
            skipping = True
            continue
        if skipping and (line.startswith("\t") or not line.strip()):
            if not line.strip():
                skipping = False
                kept.append(line)
            continue
        skipping = False
        kept.append(line)
    text = "".join(kept)
    phony = re.search(r"^\.PHONY:.*$", text, re.MULTILINE)
    if phony:
        names = [n for n in phony.group(0).split()[1:] if n not in targets]
        text = text.replace(phony.group(0), ".PHONY: " + " ".join(names))
    makefile.write_text(re.sub(r"\n{3,}", "\n\n", text))


def _documents() -> list[Path]:
    docs = sorted((REPO_ROOT / "docs").glob("*.md"))
    template = REPO_ROOT / ".github" / "pull_request_template.md"
    return [REPO_ROOT / "README.md", REPO_ROOT / "CONTRIBUTING.md", template, *docs]


def _strip_doc_blocks(block: str, removed: tuple[str, ...]) -> None:
    """Delete `<!-- block -->` ... `<!-- /block -->` (whole lines, or within a line), and
    every remaining table row, list item or line of code that links to or names a removed
    path or `make` target. Prose that still names one stops the adoption: cutting a line
    out of a paragraph would leave it broken, so such prose belongs in a block."""
    lines_block = re.compile(
        rf"^<!-- {block} -->\n.*?^<!-- /{block} -->\n", re.MULTILINE | re.DOTALL
    )
    inline_block = re.compile(rf" ?<!-- {block} -->.*?<!-- /{block} -->", re.DOTALL)
    names = [f"make {target}" for target in MAKE_TARGETS]
    for gone in removed:
        names += [f"({gone}", f"`{gone}", f"({Path(gone).name})", f"({Path(gone).name}#"]
    # In a code block (a layout tree, commands) a path stands bare.
    bare = re.compile("|".join(rf"(?<![\w/-]){re.escape(gone)}(?![\w.-])" for gone in removed))
    broken: list[str] = []
    for document in _documents():
        text = inline_block.sub("", lines_block.sub("", document.read_text()))
        kept: list[str] = []
        in_code = False
        for number, line in enumerate(text.splitlines(keepends=True), start=1):
            in_code ^= line.startswith("```")
            if not any(name in line for name in names) and not (in_code and bare.search(line)):
                kept.append(line)
            elif not in_code and not line.lstrip().startswith(("|", "- ", "* ")):
                broken.append(f"  {document.relative_to(REPO_ROOT)}:{number}: {line.strip()}")
        document.write_text("".join(kept))
    if broken:
        raise AdoptionError(
            f"prose names what {block} removes (put it in a <!-- {block} --> block):\n"
            + "\n".join(broken)
        )


def _unmark_doc_blocks(block: str) -> None:
    """A kept block stays, without its markers: the adopted project has no adoption."""
    whole_lines = re.compile(rf"^<!-- /?{block} -->\n", re.MULTILINE)
    inline = re.compile(rf"<!-- /?{block} -->")
    for document in _documents():
        text = document.read_text()
        document.write_text(inline.sub("", whole_lines.sub("", text)))


def _rename(name: str, snake: str, title: str) -> None:
    """The template's name, wherever it is the project's, becomes the service's."""
    replacements = [
        ("Conduit API", f"{title} API"),
        ("Conduit", title),
        (f"{TEMPLATE_NAME}_", f"{snake}_"),
        (TEMPLATE_NAME, name),
    ]
    for relative in _git("ls-files").splitlines():
        path = REPO_ROOT / relative
        if not path.is_file() or path.suffix in {".png", ".ico"} or path.name == "LICENSE":
            continue
        try:
            text = path.read_text()
        except UnicodeDecodeError:
            continue
        new = text
        for old, replacement in replacements:
            new = new.replace(old, replacement)
        if new != text:
            path.write_text(new)
    readme = REPO_ROOT / "README.md"
    lines = readme.read_text().splitlines(keepends=True)
    readme.write_text(f"# {title}\n" + "".join(lines[1:]))
    pyproject = REPO_ROOT / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^name = ".*"$', f'name = "{name}"', pyproject.read_text(), count=1, flags=re.M)
    )


def _python(*args: str, env: dict[str, str] | None = None) -> None:
    subprocess.run(  # noqa: S603 (this interpreter, with the adoption's own arguments)
        [sys.executable, *args], cwd=REPO_ROOT, check=True, env={**os.environ, **(env or {})}
    )


def _reset_migrations() -> None:
    """One initial revision of the service's branch, autogenerated from the models on a
    scratch database that has the platform's branch; then checked on a fresh one."""
    from devtools import devdb  # noqa: PLC0415 (dev-only, needed only here)

    for revision in (REPO_ROOT / "migrations" / "versions").glob("*.py"):
        revision.unlink()
    scratch = Path(tempfile.mkdtemp(prefix="adopt-db-"))
    try:
        server = devdb.start(scratch, fast=True)
        for database in ("adopt_generate", "adopt_check"):
            devdb.create_database(server, database)
        generate = {"DATABASE_URL": server.url("adopt_generate")}
        _python("-m", "alembic", "upgrade", "platform@head", env=generate)
        _python(
            "-m", "alembic", "revision", "--autogenerate", "--head", "base",
            "--branch-label", "app", "--version-path", "migrations/versions", "-m", "initial",
            env=generate,
        )  # fmt: skip
        check = {"DATABASE_URL": server.url("adopt_check")}
        _python("-m", "alembic", "upgrade", "heads", env=check)
        _python("-m", "alembic", "check", env=check)
    finally:
        devdb.stop(scratch)
        shutil.rmtree(scratch, ignore_errors=True)


def adopt(name: str, without: tuple[str, ...], *, force: bool = False) -> list[str]:
    """Make the template the service `name`; returns the next steps to print."""
    unknown = sorted(set(without) - set(OPTIONAL))
    if unknown:
        raise AdoptionError(f"WITHOUT={' '.join(unknown)}: only {', '.join(OPTIONAL)} can go")
    name, snake, title = _names(name)
    _check_clean_tree(force)
    _apply(CONDUIT_EDITS)
    _drop_lines(CONDUIT_LINES, CONDUIT_MODEL_NAMES)
    _drop_make_targets(MAKE_TARGETS)
    _remove(CONDUIT_PATHS)
    _strip_doc_blocks("conduit", CONDUIT_PATHS)
    if "webhooks" in without:
        _apply(WEBHOOKS_EDITS)
        _drop_lines(WEBHOOKS_LINES)
        _remove(WEBHOOKS_PATHS)
        _strip_doc_blocks("webhooks", WEBHOOKS_PATHS)
    if "streams" in without:
        _apply(STREAMS_EDITS)
        _drop_lines(STREAMS_LINES)
        _remove(STREAMS_PATHS)
        _strip_doc_blocks("streams", STREAMS_PATHS)
    for option in set(OPTIONAL) - set(without):
        _unmark_doc_blocks(option)
    _rename(name, snake, title)
    _reset_migrations()
    _python("-m", "devtools.openapi", env={"DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1/x"})
    _python("-m", "ruff", "format", "--quiet", ".")
    kept = [option for option in OPTIONAL if option not in without]
    next_steps = [
        f"{title}: the Conduit domain is gone; identity and the platform"
        + (f" (with {' and '.join(kept)})" if kept else "")
        + " remain.",
        "Next:",
        "- read migrations/versions/0001_initial.py, then commit everything;",
        "- add your first feature: docs/adding-a-feature.md;",
    ]
    if "webhooks" not in without:
        next_steps.append(
            "- declare your webhook events in app/integrations/webhooks/schemas.py (WebhookEvent)"
            " and emit() them from your services;"
        )
    next_steps += [
        "- set the production settings (README) and your image registry in deploy/k8s/;",
        "- `make client` regenerates the TypeScript client (needs Node.js 20+).",
    ]
    return next_steps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make adopt", description=__doc__)
    parser.add_argument("name", help="your service's name: lowercase, digits, hyphens")
    parser.add_argument("--without", default="", help=f"space-separated: {' '.join(OPTIONAL)}")
    parser.add_argument("--force", action="store_true", help="adopt a tree with changes")
    args = parser.parse_args(argv)
    try:
        steps = adopt(args.name, tuple(args.without.split()), force=args.force)
    except AdoptionError as error:
        print(f"make adopt: {error}", file=sys.stderr)
        return 2
    print("\n".join(steps))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
