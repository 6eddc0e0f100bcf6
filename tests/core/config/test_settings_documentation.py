"""Every setting is documented where users look: `.env.example` and docs/configuration.md."""

from pathlib import Path

import pytest

from app.core.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[3]
VARIABLES = [name.upper() for name in Settings.model_fields]


@pytest.mark.parametrize("variable", VARIABLES)
def test_setting_is_in_env_example(variable: str) -> None:
    assert variable in (REPO_ROOT / ".env.example").read_text()


@pytest.mark.parametrize("variable", VARIABLES)
def test_setting_is_in_the_configuration_docs(variable: str) -> None:
    assert f"`{variable}`" in (REPO_ROOT / "docs" / "configuration.md").read_text()
