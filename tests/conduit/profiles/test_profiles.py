"""Profiles and following."""

import pytest
from httpx import AsyncClient

from tests.support.users import register


async def test_profile_for_anonymous_viewer(client: AsyncClient) -> None:
    await register(client, "celeb")

    response = await client.get("/api/profiles/celeb")

    assert response.status_code == 200
    assert response.json() == {
        "profile": {"username": "celeb", "bio": None, "image": None, "following": False}
    }


async def test_follow_and_unfollow_are_idempotent(client: AsyncClient) -> None:
    fan = await register(client, "fan")
    await register(client, "celeb")

    first = await client.post("/api/profiles/celeb/follow", headers=fan.headers)
    again = await client.post("/api/profiles/celeb/follow", headers=fan.headers)
    seen = await client.get("/api/profiles/celeb", headers=fan.headers)
    anonymous = await client.get("/api/profiles/celeb")

    assert first.json()["profile"]["following"] is True
    assert again.status_code == 200
    assert again.json()["profile"]["following"] is True
    assert seen.json()["profile"]["following"] is True
    assert anonymous.json()["profile"]["following"] is False

    for _ in range(2):
        gone = await client.delete("/api/profiles/celeb/follow", headers=fan.headers)
        assert gone.status_code == 200
        assert gone.json()["profile"]["following"] is False
    after = await client.get("/api/profiles/celeb", headers=fan.headers)
    assert after.json()["profile"]["following"] is False


async def test_following_yourself_is_a_no_op(client: AsyncClient) -> None:
    me = await register(client, "me")

    response = await client.post("/api/profiles/me/follow", headers=me.headers)

    assert response.status_code == 200
    assert response.json()["profile"]["following"] is False
    assert (await client.get("/api/profiles/me", headers=me.headers)).json()["profile"][
        "following"
    ] is False


async def test_unknown_profile_is_404(client: AsyncClient) -> None:
    me = await register(client)

    for response in [
        await client.get("/api/profiles/nobody"),
        await client.post("/api/profiles/nobody/follow", headers=me.headers),
        await client.delete("/api/profiles/nobody/follow", headers=me.headers),
    ]:
        assert response.status_code == 404
        assert response.json()["errors"] == {"profile": ["not found"]}


@pytest.mark.parametrize("method", ["post", "delete"])
async def test_follow_without_token_is_401_before_lookup(client: AsyncClient, method: str) -> None:
    response = await client.request(method, "/api/profiles/nobody/follow")

    assert response.status_code == 401
    assert response.json()["errors"] == {"token": ["is missing"]}


async def test_profile_with_invalid_token_is_401(client: AsyncClient) -> None:
    await register(client, "celeb")

    response = await client.get("/api/profiles/celeb", headers={"Authorization": "Token nope"})

    assert response.status_code == 401


async def test_unicode_username_profile(client: AsyncClient) -> None:
    await register(client, "zoë")

    response = await client.get("/api/profiles/zo%C3%AB")

    assert response.json()["profile"]["username"] == "zoë"


async def test_overlong_username_in_path_is_422(client: AsyncClient) -> None:
    response = await client.get("/api/profiles/" + "x" * 300)

    assert response.status_code == 422
