"""A retired operation announces itself: Deprecation, Sunset and its successor, on a
route of its own (no feature needed), and in the OpenAPI document."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import APIRouter, Depends, FastAPI
from httpx import ASGITransport, AsyncClient

from app.core.versioning import Retirement

RETIREMENT = Retirement(
    deprecated_at=datetime(2026, 12, 1, tzinfo=UTC),
    sunset_at=datetime(2027, 6, 30, tzinfo=UTC),
    successor="/v2/things/{name}",
)


def _app() -> FastAPI:
    router = APIRouter()

    @router.get(
        "/v1/things/{name}", dependencies=[Depends(RETIREMENT.dependency())], **RETIREMENT.openapi()
    )
    async def old_thing(name: str) -> dict[str, Any]:
        return {"name": name}

    app = FastAPI()
    app.include_router(router)
    return app


async def test_a_retired_operation_answers_with_the_three_headers() -> None:
    async with AsyncClient(transport=ASGITransport(app=_app()), base_url="http://t") as client:
        response = await client.get("/v1/things/a b")

    assert response.status_code == 200
    assert response.headers["Deprecation"] == f"@{int(RETIREMENT.deprecated_at.timestamp())}"
    assert response.headers["Sunset"] == "Wed, 30 Jun 2027 00:00:00 GMT"
    # The successor's template is filled from the request's path, quoted.
    assert response.headers["Link"] == '</v2/things/a%20b>; rel="successor-version"'


def test_the_document_marks_it_deprecated_and_declares_the_headers() -> None:
    operation = _app().openapi()["paths"]["/v1/things/{name}"]["get"]

    assert operation["deprecated"] is True
    headers = operation["responses"]["200"]["headers"]
    assert set(headers) == {"Deprecation", "Sunset", "Link"}
    assert headers["Sunset"]["example"] == "Wed, 30 Jun 2027 00:00:00 GMT"


def test_dates_must_be_aware_and_in_order() -> None:
    aware = datetime(2026, 12, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        Retirement(datetime(2026, 12, 1), aware, "/v2")
    with pytest.raises(ValueError, match="sunset"):
        Retirement(aware, aware - timedelta(days=1), "/v2")
