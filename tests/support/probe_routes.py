"""A test-only router that exercises the platform the way a feature does, with no feature.

Platform tests use it instead of the domain's routes, so they keep passing when a feature
package is deleted (`make adopt`). It reads identity's `users` table, which every service
built from this template keeps. Never mounted by app/ code: `with_probe_routes(app)`.
"""

from http import HTTPStatus
from typing import Annotated

from fastapi import APIRouter, FastAPI, Path
from pydantic import BaseModel
from sqlalchemy import func, literal, select

from app.core.auth import ANONYMOUS_ALLOWED
from app.core.db import DriverRead
from app.core.edge import mount_flat
from app.core.errors import NotFound, problem_responses
from app.core.schemas import NotBlank
from app.core.text import StorableText
from app.deps import ANONYMOUS_WRITE_LIMITED, WRITE_LIMITED, OptionalUser, SessionDep
from app.identity.users.models import User

PREFIX = "/probe"
router = APIRouter(prefix="/things", tags=["probe"])

ThingName = Annotated[str, Path(max_length=64), StorableText]
_COUNT_USERS = DriverRead(select(func.count(User.id).label("users")))


class NewThing(BaseModel):
    name: Annotated[str, NotBlank]


class NewThingRequest(BaseModel):
    thing: NewThing


class Thing(BaseModel):
    name: str
    users: int


@router.get(
    "",
    summary="Count through the request's session",
    responses=problem_responses(HTTPStatus.UNAUTHORIZED),
    openapi_extra=ANONYMOUS_ALLOWED,
)
async def count_things(session: SessionDep, user: OptionalUser) -> Thing:
    users = await session.scalar(select(func.count()).select_from(User))
    return Thing(name=user.username if user else "", users=users or 0)


@router.get("/driver-read", summary="One driver read", responses=problem_responses())
async def read_through_the_driver(session: SessionDep) -> Thing:
    [row] = await _COUNT_USERS.fetch(session, {})
    return Thing(name="driver", users=row["users"])


@router.get(
    "/{name}",
    summary="Load or 404",
    responses=problem_responses(HTTPStatus.NOT_FOUND, HTTPStatus.UNPROCESSABLE_ENTITY),
)
async def get_thing(name: ThingName, session: SessionDep) -> Thing:
    user = await session.scalar(select(User).where(User.username == name))
    if user is None:
        raise NotFound("thing")
    return Thing(name=user.username, users=1)


@router.post(
    "",
    status_code=HTTPStatus.CREATED,
    summary="A rate-limited write with a body",
    dependencies=WRITE_LIMITED,
    responses=problem_responses(HTTPStatus.UNAUTHORIZED, HTTPStatus.UNPROCESSABLE_ENTITY),
)
async def create_thing(body: NewThingRequest, session: SessionDep) -> Thing:
    await session.execute(select(literal(1)))
    return Thing(name=body.thing.name, users=0)


@router.post(
    "/anonymous",
    status_code=HTTPStatus.CREATED,
    summary="An anonymous rate-limited write",
    dependencies=ANONYMOUS_WRITE_LIMITED,
    responses=problem_responses(HTTPStatus.UNPROCESSABLE_ENTITY),
)
async def create_anonymous_thing(body: NewThingRequest) -> Thing:
    return Thing(name=body.thing.name, users=0)


def with_probe_routes(app: FastAPI) -> FastAPI:
    """`app` with the probe routes under /probe, its OpenAPI document made again."""
    mount_flat(app, router, prefix=PREFIX)
    app.openapi_schema = None
    return app
