"""`make adopt` on a copy of the repository leaves a clean project of its own.

The copy is a clone of the committed tree (HEAD), adopted as `acme-orders` twice: as it
comes (the platform whole) and with the least (`WITHOUT="webhooks streams"`); then each
copy's own lint and whole test suite run in it, with coverage, on a database of its own.
This is what docs/adopting.md promises, and what a newcomer gets.
"""

import asyncio
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.core.config import Settings
from tests.support.database import scratch_database
from tests.support.documents import REPO_ROOT

NAME = "acme-orders"
# What each adoption leaves out, and the paths that must be gone with it.
VARIANTS = {
    "whole": ((), ()),
    "least": (
        ("webhooks", "streams"),
        ("app/integrations", "app/core/webhooks", "app/core/streams", "docs/streams.md"),
    ),
}
VENV_BIN = Path(sys.executable).parent
# What pytest-cov and pytest set for their own children: the copy's run is a project of
# its own, not a subprocess of this one.
OUTER_VARIABLES = ("COV_CORE_", "PYTEST_", "DATABASE_URL", "TEST_DATABASE_URL", "TEST_DB_")


def _environment(**extra: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OUTER_VARIABLES)}
    return clean | extra


def _run(copy: Path, *command: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (the repository's own tools)
        command, cwd=copy, env=_environment(**extra), capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module", params=sorted(VARIANTS))
def adopted(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    without, _ = VARIANTS[request.param]
    copy = tmp_path_factory.mktemp(f"adoption-{request.param}") / NAME
    cloned = subprocess.run(  # noqa: S603
        ["git", "clone", "--quiet", str(REPO_ROOT), str(copy)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    assert cloned.returncode == 0, cloned.stderr
    (copy / ".venv").symlink_to(REPO_ROOT / ".venv")  # the tools, installed once
    result = _run(
        copy, str(VENV_BIN / "python"), "-m", "devtools.adopt", NAME, "--without", " ".join(without)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return copy, result.stdout


def _tracked_text(copy: Path, *folders: str) -> dict[str, str]:
    return {
        str(path.relative_to(copy)): path.read_text()
        for folder in folders
        for path in sorted((copy / folder).rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def test_it_says_what_to_do_next(adopted: tuple[Path, str]) -> None:
    _, output = adopted
    assert "Next:" in output
    assert "docs/adding-a-feature.md" in output


def test_nothing_of_the_reference_domain_is_left(adopted: tuple[Path, str]) -> None:
    copy, _ = adopted
    mentions = [
        path
        for path, text in _tracked_text(copy, "app", "tests").items()
        if re.search(r"article|conduit", text, re.IGNORECASE)
    ]
    assert mentions == []
    assert not (copy / "app" / "conduit").exists()
    assert not (copy / "docs" / "conduit.md").exists()


def test_what_was_left_out_is_gone_and_unnamed(adopted: tuple[Path, str]) -> None:
    copy, _ = adopted
    # The copy lives in adoption-<variant>N (pytest numbers the folders it makes).
    gone = VARIANTS[copy.parent.name.removeprefix("adoption-").rstrip("0123456789")][1]
    assert [path for path in gone if (copy / path).exists()] == []
    texts = _tracked_text(copy, "app", "tests", "docs") | {
        name: (copy / name).read_text() for name in ("README.md", ".env.example", "Makefile")
    }
    named = {path: [g for g in gone if g in text] for path, text in texts.items()}
    assert {path: names for path, names in named.items() if names} == {}


def test_the_project_has_its_name(adopted: tuple[Path, str]) -> None:
    copy, _ = adopted
    assert 'name = "acme-orders"' in (copy / "pyproject.toml").read_text()
    assert "name: acme-orders" in (copy / "docker-compose.yml").read_text()
    assert (copy / "README.md").read_text().startswith("# Acme Orders\n")
    assert '"title": "Acme Orders API"' in (copy / "openapi.json").read_text()


def test_the_service_history_is_one_initial_revision_beside_the_platforms(
    adopted: tuple[Path, str],
) -> None:
    copy, _ = adopted
    service = sorted(p.name for p in (copy / "migrations" / "versions").glob("*.py"))
    platform = sorted(p.name for p in (copy / "migrations" / "platform").glob("*.py"))
    assert service == ["0001_initial.py"]
    template = {p.name for p in (REPO_ROOT / "migrations" / "platform").glob("*.py")}
    assert set(platform) <= template
    assert ("p0003_stream_events.py" in platform) == (copy / "app" / "core" / "streams").exists()
    initial = (copy / "migrations" / "versions" / "0001_initial.py").read_text()
    assert 'branch_labels: str | Sequence[str] | None = ("app",)' in initial
    assert '"users"' in initial


def test_its_lint_passes(adopted: tuple[Path, str]) -> None:
    copy, _ = adopted
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy", "."]):
        result = _run(copy, str(VENV_BIN / command[0]), *command[1:])
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
async def database_of_its_own(settings: Settings) -> AsyncIterator[str]:
    async with scratch_database(settings.database_url, "adopted") as url:
        yield url


async def test_its_whole_suite_passes_with_coverage(
    adopted: tuple[Path, str], database_of_its_own: str
) -> None:
    copy, _ = adopted
    result = await asyncio.to_thread(
        _run,
        copy,
        str(VENV_BIN / "pytest"),
        "--cov",
        "-q",
        "-p",
        "no:cacheprovider",
        TEST_DATABASE_URL=database_of_its_own,
    )
    summary = result.stdout.strip().splitlines()[-3:]
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert any("passed" in line for line in summary), summary
    assert re.search(r"Required test coverage of 90(\.0)?% reached", result.stdout)
