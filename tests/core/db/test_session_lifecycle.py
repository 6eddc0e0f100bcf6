"""One transaction per request: committed before the response, rolled back on any error."""

from fastapi import FastAPI, HTTPException
from httpx import AsyncClient
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.db import create_sessions
from app.core.errors import problem_responses
from app.deps import SessionDep
from app.identity.users.models import User


def _user(name: str) -> User:
    return User(username=name, email=f"{name}@example.com", password_hash="x")


async def _count(session: AsyncSession, name: str) -> int:
    statement = select(func.count()).select_from(User).where(User.username == name)
    return (await session.scalar(statement)) or 0


async def test_changes_are_committed_when_the_endpoint_returns(
    app: FastAPI, client: AsyncClient, session: AsyncSession
) -> None:
    @app.post("/probe/ok", status_code=201)
    async def ok(db: SessionDep) -> None:
        db.add(_user("committed"))

    assert (await client.post("/probe/ok")).status_code == 201
    assert await _count(session, "committed") == 1


async def test_http_errors_roll_the_transaction_back(
    app: FastAPI, client: AsyncClient, session: AsyncSession
) -> None:
    @app.post("/probe/fail", responses=problem_responses(409))
    async def fail(db: SessionDep) -> None:
        db.add(_user("rolled-back"))
        await db.flush()
        raise HTTPException(status_code=409, detail="nope")

    response = await client.post("/probe/fail")

    assert response.status_code == 409
    assert await _count(session, "rolled-back") == 0


async def test_a_failed_commit_is_a_500_never_a_2xx(
    app: FastAPI, client: AsyncClient, session: AsyncSession
) -> None:
    session.add(_user("taken"))
    await session.flush()

    @app.post("/probe/commit-fails", status_code=201)
    async def commit_fails(db: SessionDep) -> None:
        db.add(_user("taken"))  # flushed only at commit, where the unique index rejects it

    response = await client.post("/probe/commit-fails")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"


async def test_lifespan_creates_and_disposes_the_pool(app: FastAPI) -> None:
    async with app.router.lifespan_context(app):
        engine = app.state.engine
        async with engine.connect() as connection:
            assert (await connection.exec_driver_sql("SELECT 1")).scalar() == 1
        assert engine.pool.checkedin() >= 1

    assert engine.pool.checkedin() == 0


_TRANSACTION_STARTED_AT = text("SELECT transaction_timestamp()")


async def test_read_only_requests_send_no_begin_and_writes_one_transaction(
    app: FastAPI, client: AsyncClient, engine: AsyncEngine
) -> None:
    app.state.sessions = create_sessions(engine)  # the real ones, not the test's savepoints

    async def two_statements(db: AsyncSession) -> bool:
        """Whether two statements ran in one transaction (it has one start time)."""
        first = await db.scalar(_TRANSACTION_STARTED_AT)
        second = await db.scalar(_TRANSACTION_STARTED_AT)
        return bool(first == second)

    @app.get("/probe/read")
    async def read(db: SessionDep) -> bool:
        return await two_statements(db)

    @app.post("/probe/write")
    async def write(db: SessionDep) -> bool:
        return await two_statements(db)

    assert (await client.get("/probe/read")).json() is False  # each its own: no BEGIN
    assert (await client.post("/probe/write")).json() is True  # one BEGIN ... COMMIT
