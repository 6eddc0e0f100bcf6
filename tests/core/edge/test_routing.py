"""Routers mounted flat (app/core/edge/_routing.py): one table of routes, the same API."""

from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, WebSocket
from fastapi.routing import APIRoute
from httpx import ASGITransport, AsyncClient

from app.core.edge import mount_flat


def test_every_route_of_the_app_is_in_its_own_table(app: FastAPI) -> None:
    # An included router would be a node of its own, matched twice per request.
    api_routes = [route for route in app.routes if isinstance(route, APIRoute)]
    # (The documentation adds plain routes and the mount of its static assets.)
    assert {type(route).__name__ for route in app.routes} <= {"APIRoute", "Route", "Mount"}
    assert any(route.path == "/api/user" for route in api_routes)
    assert any(route.path == "/health/live" for route in api_routes)


async def test_a_flat_route_keeps_its_prefix_tags_dependencies_and_overrides() -> None:
    calls: list[str] = []

    async def router_dependency() -> None:
        calls.append("router")

    async def greeting() -> str:
        return "hello"

    router = APIRouter(
        prefix="/greetings", tags=["greetings"], dependencies=[Depends(router_dependency)]
    )

    @router.get("/{name}")
    async def greet(name: str, word: Annotated[str, Depends(greeting)]) -> dict[str, str]:
        return {"says": f"{word}, {name}"}

    app = FastAPI()
    mount_flat(app, router, prefix="/api")
    app.dependency_overrides[greeting] = lambda: "hi"

    async with AsyncClient(transport=ASGITransport(app), base_url="http://test") as client:
        response = await client.get("/api/greetings/ada")

    assert response.json() == {"says": "hi, ada"}
    assert calls == ["router"]
    route = next(route for route in app.routes if isinstance(route, APIRoute))
    assert (route.path, route.tags) == ("/api/greetings/{name}", ["greetings"])
    assert app.openapi()["paths"]["/api/greetings/{name}"]["get"]["tags"] == ["greetings"]


def test_a_router_with_other_kinds_of_route_is_refused() -> None:
    router = APIRouter()

    @router.websocket("/socket")
    async def socket(websocket: WebSocket) -> None:
        await websocket.close()

    with pytest.raises(TypeError, match="only APIRoutes"):
        mount_flat(FastAPI(), router)
