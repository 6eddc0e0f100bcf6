"""The contributor tooling says what the project really does: the pre-commit hooks are the
`make lint` commands, and the documents name real files and real `make` targets."""

import re
import subprocess

import pytest
from ruamel.yaml import YAML

from tests.support.documents import (
    REPO_ROOT,
    missing_paths,
    read,
    unknown_make_targets,
)

VENV_BIN = ".venv/bin/"
DOCUMENTS = {
    "CONTRIBUTING.md": read("CONTRIBUTING.md"),
    "THIRD_PARTY_NOTICES.md": read("THIRD_PARTY_NOTICES.md"),
    "pull-request template": read(".github/pull_request_template.md"),
    "docs/adding-a-feature.md": read("docs/adding-a-feature.md"),
}


def lint_commands() -> list[str]:
    """The recipe of `make lint`, with `$(BIN)/` as the path it stands for."""
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", read("Makefile"), re.MULTILINE)
    assert recipe, "no lint target in the Makefile"
    return [line.strip().replace("$(BIN)/", VENV_BIN) for line in recipe.group(1).splitlines()]


def hooks() -> list[dict[str, object]]:
    config = YAML(typ="safe").load(REPO_ROOT / ".pre-commit-config.yaml")
    assert [repo["repo"] for repo in config["repos"]] == ["local"]
    found: list[dict[str, object]] = config["repos"][0]["hooks"]
    return found


def test_the_pre_commit_configuration_is_valid() -> None:
    result = subprocess.run(  # noqa: S603 (the venv's own tool, fixed arguments)
        [REPO_ROOT / VENV_BIN / "pre-commit", "validate-config", ".pre-commit-config.yaml"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_each_hook_runs_a_make_lint_command_with_the_venv_tool() -> None:
    commands = lint_commands()
    for hook in hooks():
        entry = str(hook["entry"])
        assert entry.startswith(VENV_BIN), f"{hook['id']}: not the locked tool of .venv"
        if hook.get("pass_filenames", True):
            # Given the changed files: `make lint` names them with a glob instead.
            pattern = re.compile(str(hook["files"]))
            matching = [c for c in commands if c.startswith(f"{entry} ")]
            assert matching, f"{hook['id']}: `{entry}` is not in make lint"
            for path in matching[0].removeprefix(f"{entry} ").split():
                assert all(
                    pattern.search(p.relative_to(REPO_ROOT).as_posix())
                    for p in REPO_ROOT.glob(path)
                ), f"{hook['id']}: its `files` miss some of {path}"
        else:
            assert entry in commands, f"{hook['id']}: `{entry}` is not in make lint"


def test_each_make_lint_command_has_its_hook() -> None:
    entries = [str(hook["entry"]) for hook in hooks()]
    for command in lint_commands():
        assert any(command == e or command.startswith(f"{e} ") for e in entries), command


@pytest.mark.parametrize("name", DOCUMENTS)
def test_the_documents_name_real_paths_and_targets(name: str) -> None:
    # A bare file name (`models.py`) is each feature's, not one at the root.
    assert [path for path in missing_paths(DOCUMENTS[name]) if "/" in path] == []
    assert unknown_make_targets(DOCUMENTS[name]) == []
