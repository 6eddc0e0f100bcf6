"""Write the OpenAPI snapshot, `openapi.json` at the repository root: `make openapi`.

The snapshot is the document the app serves with the default settings (`.env` and the
environment are not read, so every checkout writes the same bytes). `make client`
generates the TypeScript client from it, and `tests/repo/test_openapi_snapshot.py` fails
while the app serves anything else, so every API change shows in review as a diff of it.
"""

import json
import os
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT = REPO_ROOT / "openapi.json"
# Building the app opens no connection (the lifespan does, and it does not run here).
UNUSED_DATABASE_URL = "postgresql+asyncpg://unused@127.0.0.1:5432/unused"


def render(document: dict[str, Any]) -> str:
    """The snapshot's text: what `make openapi` writes, and what the test compares."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def default_document() -> dict[str, Any]:
    # `app.main` builds its module-level app from the environment when imported.
    os.environ.setdefault("DATABASE_URL", UNUSED_DATABASE_URL)
    from app.core.config import Settings  # noqa: PLC0415 (after the environment is set)
    from app.main import create_app  # noqa: PLC0415

    settings = Settings(
        _env_file=None,
        environment="development",
        database_url=UNUSED_DATABASE_URL,
        app_name=Settings.model_fields["app_name"].default,
    )
    return create_app(settings).openapi()


def main() -> None:
    document = default_document()
    SNAPSHOT.write_text(render(document))
    operations = sum(len(item) for item in document["paths"].values())
    print(f"wrote {SNAPSHOT.name}: {operations} operations", file=sys.stderr)


if __name__ == "__main__":
    main()
