"""`openapi.json` (committed) is the document the app serves: an API change is a diff of it.

When a test here fails, run `make openapi`, review the diff of `openapi.json` (it is the
API change clients will see) and commit it with the change.
"""

import json
from typing import Any

import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.config import Settings
from devtools.openapi import SNAPSHOT, render

REFRESH = "run `make openapi` and commit openapi.json (its diff is the API change to review)"


def differences(expected: Any, actual: Any, at: str = "", limit: int = 20) -> list[str]:
    """Where two JSON documents differ, as JSON pointers (at most `limit` of them)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found: list[str] = []
        for key in list(expected) + [k for k in actual if k not in expected]:
            pointer = f"{at}/{str(key).replace('~', '~0').replace('/', '~1')}"
            if key not in actual:
                found.append(f"{pointer}: removed")
            elif key not in expected:
                found.append(f"{pointer}: added")
            else:
                found += differences(expected[key], actual[key], pointer, limit - len(found))
            if len(found) >= limit:
                return found[:limit]
        return found
    return [] if expected == actual else [f"{at or '/'}: changed"]


@pytest.fixture
def served(settings: Settings) -> FastAPI:
    """The application as it is served: the tests' own probe routes are not part of it."""
    from app.main import create_app  # noqa: PLC0415 (see tests/conftest.py)

    return create_app(settings)


async def test_the_served_document_is_the_committed_snapshot(served: FastAPI) -> None:
    transport = ASGITransport(app=served)
    async with AsyncClient(transport=transport, base_url="http://test") as client:
        served_document = (await client.get("/openapi.json")).json()
    committed = json.loads(SNAPSHOT.read_text())

    changed = differences(committed, served_document)
    assert not changed, "the API differs from openapi.json:\n  " + "\n  ".join([*changed, REFRESH])


def test_the_snapshot_is_written_as_make_openapi_writes_it() -> None:
    # So that `make openapi` on an unchanged API leaves the file byte for byte as it is.
    text = SNAPSHOT.read_text()
    assert text == render(json.loads(text)), REFRESH


def test_an_undeclared_change_is_caught(served: FastAPI) -> None:
    app = served

    @app.get("/api/undeclared")
    async def undeclared() -> dict[str, str]:
        return {}

    committed = json.loads(SNAPSHOT.read_text())
    app.openapi_schema = None  # built again, with the new route

    assert differences(committed, app.openapi()) == ["/paths/~1api~1undeclared: added"]
