"""`make adopt NAME=<service>`: the template becomes your service, in one command.

Run on a fresh clone. It renames the project, removes the Conduit reference domain (and,
with `--without webhooks`, the webhooks integration), resets the service's migration
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
OPTIONAL = ("webhooks",)


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
CONDUIT_EDITS = (
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
    Edit(
        "app/features.py",
        "    # The Conduit routes first (the hottest paths are matched soonest), identity after.\n",
        "",
    ),
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
        "app/features.py",
        'JOB_MODULES: tuple[str, ...] = ("app.integrations.webhooks.jobs",)',
        "JOB_MODULES: tuple[str, ...] = ()",
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
    "THIRD_PARTY_NOTICES.md": ("tests/conformance/",),
}
WEBHOOKS_LINES = {
    "app/features.py": ("from app.integrations", "        webhooks,\n"),
    "app/models.py": ("from app.integrations", '"WebhookDelivery"', '"WebhookEndpoint"'),
}
# Exact model names of a registry line: "Follow" and "Tag" are named alone on theirs.
CONDUIT_MODEL_NAMES = ("Follow", "Tag")
MAKE_TARGETS = ("seed", "bench", "conformance", "adopt")
DOC_BLOCKS = {"conduit": "conduit", "webhooks": "webhooks"}


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
    """Delete `<!-- block -->` ... `<!-- /block -->`, and every remaining line that links
    to or names a removed path or `make` target (a table row, a list item)."""
    pattern = re.compile(rf"^<!-- {block} -->\n.*?^<!-- /{block} -->\n", re.MULTILINE | re.DOTALL)
    names = [f"make {target}" for target in MAKE_TARGETS]
    for gone in removed:
        names += [f"({gone}", f"`{gone}", f"({Path(gone).name})", f"({Path(gone).name}#"]
    for document in _documents():
        text = pattern.sub("", document.read_text())
        lines = [
            line
            for line in text.splitlines(keepends=True)
            if not any(name in line for name in names)
        ]
        document.write_text("".join(lines))


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
    _strip_doc_blocks(DOC_BLOCKS["conduit"], CONDUIT_PATHS)
    if "webhooks" in without:
        _apply(WEBHOOKS_EDITS)
        _drop_lines(WEBHOOKS_LINES)
        _remove(WEBHOOKS_PATHS)
        _strip_doc_blocks(DOC_BLOCKS["webhooks"], WEBHOOKS_PATHS)
    _rename(name, snake, title)
    _reset_migrations()
    _python("-m", "devtools.openapi", env={"DATABASE_URL": "postgresql+asyncpg://x@127.0.0.1/x"})
    _python("-m", "ruff", "format", "--quiet", ".")
    next_steps = [
        f"{title}: the Conduit domain is gone; identity, the platform"
        + ("" if "webhooks" in without else " and webhooks")
        + " remain.",
        "Next:",
        "- read migrations/versions/0001_initial.py, then commit everything;",
        "- add your first feature: docs/adding-a-feature.md;",
    ]
    if "webhooks" in without:
        next_steps.append(
            "- the WEBHOOK_* settings in app/core/config/_settings.py are unused now: delete"
            " them with their lines in .env.example and docs/configuration.md;"
        )
    else:
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
