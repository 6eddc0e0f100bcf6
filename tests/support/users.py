"""Creating users through the API, as a client would."""

import itertools
from dataclasses import dataclass

from httpx import AsyncClient

_counter = itertools.count(1)
PASSWORD = "correct horse battery"


@dataclass(frozen=True)
class RegisteredUser:
    username: str
    email: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"}


async def register(client: AsyncClient, username: str | None = None) -> RegisteredUser:
    username = username or f"user{next(_counter)}"
    email = f"{username}@example.com"
    response = await client.post(
        "/api/users",
        json={"user": {"username": username, "email": email, "password": PASSWORD}},
    )
    assert response.status_code == 201, response.text
    return RegisteredUser(username=username, email=email, token=response.json()["user"]["token"])
