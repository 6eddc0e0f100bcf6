"""Personal access tokens issued through the API, as a client would."""

from typing import Any

from httpx import AsyncClient

from tests.support.users import RegisteredUser

TOKENS = "/api/user/tokens"


async def issued(
    client: AsyncClient, owner: RegisteredUser, *scopes: str, days: int = 30, name: str = "ci"
) -> dict[str, Any]:
    response = await client.post(
        TOKENS,
        headers=owner.headers,
        json={"name": name, "scopes": list(scopes), "expiresInDays": days},
    )
    assert response.status_code == 201, response.text
    token: dict[str, Any] = response.json()["token"]
    return token


def bearer(token: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {token['token']}"}
