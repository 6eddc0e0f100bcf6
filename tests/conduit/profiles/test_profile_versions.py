"""A second version beside /api, and the retirement of the v1 operation it replaces."""

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import pytest
from fastapi import FastAPI
from httpx import AsyncClient

from app.conduit.profiles.router import GET_PROFILE_RETIREMENT
from app.core.versioning import Retirement
from tests.support.users import register


async def test_v2_profile_is_unwrapped_with_the_follower_count(client: AsyncClient) -> None:
    fan = await register(client, "fan")
    await register(client, "celeb")
    await client.post("/api/profiles/celeb/follow", headers=fan.headers)

    seen = await client.get("/api/v2/profiles/celeb", headers=fan.headers)
    anonymous = await client.get("/api/v2/profiles/celeb")

    assert seen.status_code == 200
    assert seen.json() == {
        "username": "celeb",
        "bio": None,
        "image": None,
        "following": True,
        "followersCount": 1,
    }
    assert anonymous.json()["following"] is False
    assert "Deprecation" not in seen.headers
    assert (await client.get("/api/v2/profiles/nobody")).status_code == 404


async def test_v1_profile_announces_its_retirement(client: AsyncClient) -> None:
    await register(client, "oldclient")

    response = await client.get("/api/profiles/oldclient")

    assert response.status_code == 200
    assert response.json()["profile"]["username"] == "oldclient"  # unchanged body
    deprecation = response.headers["Deprecation"]
    assert deprecation == f"@{int(GET_PROFILE_RETIREMENT.deprecated_at.timestamp())}"
    sunset = parsedate_to_datetime(response.headers["Sunset"])
    assert sunset == GET_PROFILE_RETIREMENT.sunset_at
    assert response.headers["Sunset"].endswith(" GMT")
    assert response.headers["Link"] == '</api/v2/profiles/oldclient>; rel="successor-version"'
    # Other v1 operations are not retired.
    follow = await client.post("/api/profiles/oldclient/follow")
    assert "Deprecation" not in follow.headers


def test_the_openapi_document_declares_the_retirement(app: FastAPI) -> None:
    paths = app.openapi()["paths"]
    retired = paths["/api/profiles/{username}"]["get"]
    assert retired["deprecated"] is True
    assert set(retired["responses"]["200"]["headers"]) == {"Deprecation", "Sunset", "Link"}
    assert "deprecated" not in paths["/api/profiles/{username}/follow"]["post"]
    successor = paths["/api/v2/profiles/{username}"]["get"]
    assert "deprecated" not in successor
    assert successor["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ProfileV2"
    }


def test_a_retirement_needs_aware_dates_in_order() -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        Retirement(datetime(2026, 1, 1), late, "/next")
    with pytest.raises(ValueError, match="before the deprecation"):
        Retirement(late, early, "/next")
    assert Retirement(early, late, "/next").headers()["Sunset"] == "Fri, 01 Jan 2027 00:00:00 GMT"
