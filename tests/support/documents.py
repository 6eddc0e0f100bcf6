"""Reading the repository's documents in tests: sections, the paths and `make` targets named."""

import re
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
# `app/routers/`, `openapi.json`, `.github/dependabot.yml`, `app/routers/*`: relative paths,
# not URL paths (`/api/users`), placeholders (`<name>`) or commands (`make lint`).
PATH = re.compile(
    r"^(?:\.?[\w-]+/)+[\w.*-]*$"  # with a directory
    r"|^\.?[\w-]+\.(?:py|toml|json|ya?ml|md|txt|ts)$"  # a file at the root
    r"|^\.[\w-]+$"  # a dotfile at the root
)
CODE_SPAN = re.compile(r"`([^`\n]+)`")
MAKE_TARGET = re.compile(r"\bmake ([a-z][a-z-]*)")


def read(relative: str) -> str:
    return (REPO_ROOT / relative).read_text()


def section(markdown: str, heading: str) -> str:
    """The text under `heading` (a whole line, e.g. "## Setup"), up to the next heading of
    the same or a higher level."""
    level = heading.split(" ", 1)[0]
    start = markdown.index(f"\n{heading}\n") + len(heading) + 2
    following = re.search(rf"^#{{1,{len(level)}}} ", markdown[start:], re.MULTILINE)
    return markdown[start : start + following.start()] if following else markdown[start:]


def named_paths(text: str) -> list[str]:
    """Every repository path written as a code span in `text`."""
    return [span for span in CODE_SPAN.findall(text) if PATH.match(span)]


def _local_state() -> tuple[str, ...]:
    """What .gitignore names literally (`.venv/`, `.devdb/`, `.env`): absent from a clone."""
    lines = [line.strip().rstrip("/") for line in read(".gitignore").splitlines()]
    return tuple(line for line in lines if line and not line.startswith("#") and "*" not in line)


def missing_paths(text: str) -> list[str]:
    """The paths named in `text` that match nothing in the repository (globs allowed), local
    state that .gitignore names aside."""
    state = _local_state()
    return [
        path
        for path in named_paths(text)
        if not path.rstrip("/").startswith(state) and not list(REPO_ROOT.glob(path.rstrip("/")))
    ]


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", read("Makefile"), re.MULTILINE))


def unknown_make_targets(text: str) -> list[str]:
    """The `make X` named in `text` that the Makefile does not define."""
    return sorted(set(MAKE_TARGET.findall(text)) - make_targets())
