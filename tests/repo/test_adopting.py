"""README "Adopting this template" stays true: what it names exists, and it names every
router and model module, so a new one must be declared domain or kept."""

import pytest

from tests.support.documents import (
    REPO_ROOT,
    missing_paths,
    named_paths,
    read,
    section,
    unknown_make_targets,
)

ADOPTING = section(read("README.md"), "## Adopting this template")


def test_every_path_it_names_exists() -> None:
    assert missing_paths(ADOPTING) == []


def test_every_make_target_it_names_exists() -> None:
    assert unknown_make_targets(ADOPTING) == []


@pytest.mark.parametrize("package", ["app/routers", "app/models"])
def test_it_names_every_module_of_the_domain_packages(package: str) -> None:
    named = set(named_paths(ADOPTING))
    modules = {
        path.relative_to(REPO_ROOT).as_posix()
        for path in (REPO_ROOT / package).glob("*.py")
        if path.name != "__init__.py"
    }

    unnamed = sorted(modules - named)
    assert unnamed == [], f"say in README 'Adopting this template' whether to keep {unnamed}"


def test_the_registration_it_names_is_where_routers_are_mounted() -> None:
    assert "API_ROUTERS" in read("app/features.py")
    assert "for router in API_ROUTERS:" in read("app/main.py")
