"""The house's layout rules (docs/architecture.md), checked on the code itself.

- `app/core/` is packages by concern, each with a docstring and `__all__` whose names
  exist; at most a few plain modules stay at the top.
- A package's `_private` modules are imported by that package only (and by its own tests,
  under tests/core/<package>/).
- The platform imports no feature; identity imports nothing of the Conduit domain or the
  integrations.
- Loggers are named after their modules; tests mirror the layout, no two test files share
  a name.
"""

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.documents import REPO_ROOT

CORE = REPO_ROOT / "app" / "core"
MAX_PLAIN_CORE_MODULES = 8
# The access log's name is part of its output (log pipelines select on it): not __name__.
STABLE_LOGGER_NAMES = {"app.access"}


def _python_files(*roots: str) -> Iterator[Path]:
    for root in roots:
        yield from sorted((REPO_ROOT / root).rglob("*.py"))


def _module_of(path: Path) -> str:
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """Every module an `import` or `from ... import` names, with `from a import b` as `a.b`
    too (b may be a module)."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:
                yield node.lineno, f"{node.module}.{alias.name}"


def _core_packages() -> list[Path]:
    return sorted(p for p in CORE.iterdir() if (p / "__init__.py").is_file())


def _private_owner(module: str) -> str | None:
    """`app.core.db._engine` -> `app.core.db`: the package a private module belongs to."""
    parts = module.split(".")
    for index, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:index])
    return None


def test_app_core_keeps_few_plain_modules() -> None:
    plain = sorted(p.name for p in CORE.glob("*.py") if p.name != "__init__.py")
    assert len(plain) <= MAX_PLAIN_CORE_MODULES, plain


@pytest.mark.parametrize("package", _core_packages(), ids=lambda p: p.name)
def test_every_platform_package_has_a_public_face(package: Path) -> None:
    module = importlib.import_module(_module_of(package / "__init__.py"))
    assert (module.__doc__ or "").strip(), f"{package.name}/__init__.py says what it is for"
    exported = getattr(module, "__all__", None)
    assert exported, f"{package.name}/__init__.py lists its public names in __all__"
    missing = [name for name in exported if not hasattr(module, name)]
    assert missing == []


def _private_imports_from_elsewhere(roots: tuple[str, ...]) -> list[str]:
    found = []
    for path in _python_files(*roots):
        importer = _module_of(path)
        for line, module in _imported_modules(path):
            owner = _private_owner(module)
            if owner is None or importer == owner or importer.startswith(owner + "."):
                continue
            # A package's own tests may reach its internals.
            tests_of = "tests." + owner.removeprefix("app.")
            if importer.startswith(tests_of + "."):
                continue
            found.append(f"{path.relative_to(REPO_ROOT)}:{line} imports {module}")
    return sorted(set(found))


def test_no_module_imports_another_packages_private_module() -> None:
    roots = ("app", "devtools", "migrations", "docker", "tests")
    assert _private_imports_from_elsewhere(roots) == []


def _imports_of(root: str, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{path.relative_to(REPO_ROOT)}:{line} imports {module}"
        for path in _python_files(root)
        for line, module in _imported_modules(path)
        if module.startswith(prefixes)
    )


def _feature_areas() -> tuple[str, ...]:
    """`app.identity` and the other packages of app/ that group features."""
    return tuple(
        f"app.{path.name}"
        for path in sorted((REPO_ROOT / "app").iterdir())
        if (path / "__init__.py").is_file() and path.name not in {"core", "cli"}
    )


def test_the_platform_imports_no_feature() -> None:
    features = (*_feature_areas(), "app.deps", "app.features", "app.models", "app.main")
    assert _imports_of("app/core", features) == []


def test_identity_imports_no_other_feature_area() -> None:
    others = tuple(area for area in _feature_areas() if area != "app.identity")
    assert _imports_of("app/identity", others) == []


def test_loggers_are_named_after_their_modules() -> None:
    odd = []
    for path in _python_files("app", "devtools"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "getLogger"
                and node.args
            ):
                name = node.args[0]
                if isinstance(name, ast.Name) and name.id == "__name__":
                    continue
                if isinstance(name, ast.Constant) and name.value in STABLE_LOGGER_NAMES:
                    continue
                # Other libraries' loggers, looked up by their own names, are not ours.
                if isinstance(name, ast.Constant) and not str(name.value).startswith("app"):
                    continue
                odd.append(f"{path.relative_to(REPO_ROOT)}:{node.lineno}")
    assert odd == []


def test_no_two_test_files_share_a_name() -> None:
    seen: dict[str, list[str]] = {}
    for path in _python_files("tests"):
        if path.name.startswith("test_"):
            seen.setdefault(path.name, []).append(str(path.relative_to(REPO_ROOT)))
    assert {name: paths for name, paths in seen.items() if len(paths) > 1} == {}


def test_the_tests_mirror_the_platform_packages() -> None:
    """Each platform package's tests live in tests/core/<package>/."""
    missing = [
        package.name
        for package in _core_packages()
        if not (REPO_ROOT / "tests" / "core" / package.name).is_dir()
    ]
    assert missing == []
