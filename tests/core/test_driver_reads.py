"""Driver reads: the same rows as SQLAlchemy, in the session's transaction, and its errors."""

import subprocess
import sys

import pytest
from sqlalchemy import JSON, Integer, bindparam, func, inspect, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.database import create_sessions, sqlstate
from app.core.driver_reads import DriverRead, detached
from app.models import User
from tests.conftest import REPO_ROOT
from tests.support.queries import recorded_statements

_users = User.__table__.c
_BY_NAME = select(_users.id, _users.username, _users.bio).where(
    _users.username == bindparam("name")
)


async def _add_user(session: AsyncSession, name: str) -> User:
    user = User(username=name, email=f"{name}@example.com", password_hash="x", bio="hi")
    session.add(user)
    await session.flush()  # not committed: only this transaction sees it
    return user


async def test_reads_what_sqlalchemy_reads_inside_the_sessions_transaction(
    session: AsyncSession,
) -> None:
    user = await _add_user(session, "driver-reader")

    record = await DriverRead(_BY_NAME).first(session, {"name": "driver-reader"})
    ordinary = (await session.execute(_BY_NAME, {"name": "driver-reader"})).one()

    assert record is not None
    assert (
        dict(record)
        == dict(ordinary._mapping)
        == {
            "id": user.id,
            "username": "driver-reader",
            "bio": "hi",
        }
    )
    assert await DriverRead(_BY_NAME).first(session, {"name": "nobody"}) is None


async def test_statements_are_announced_like_any_other(engine: AsyncEngine) -> None:
    async with create_sessions(engine).autocommit() as session:  # no transaction: driver
        with recorded_statements(engine) as statements:
            await DriverRead(_BY_NAME).fetch(session, {"name": "x"})

    assert statements == [DriverRead(_BY_NAME).sql]


_NEGATIVE_ROOT = DriverRead(select(func.sqrt(bindparam("x", type_=Integer)).label("root")))


async def test_a_failing_read_raises_sqlalchemys_error(engine: AsyncEngine) -> None:
    async with create_sessions(engine).autocommit() as session:  # no transaction: driver first
        with pytest.raises(DBAPIError) as error:
            await _NEGATIVE_ROOT.first(session, {"x": -1})

    assert sqlstate(error.value) == "2201F"  # invalid argument for power function


async def test_inside_a_transaction_reads_take_the_ordinary_way(session: AsyncSession) -> None:
    await _add_user(session, "in-transaction")  # the harness's session is in a transaction

    with pytest.raises(DBAPIError) as error:
        await _NEGATIVE_ROOT.first(session, {"x": -1})

    assert sqlstate(error.value) == "2201F"  # not 25P02: nothing ran twice in it


def test_parameters_that_need_conversion_are_refused() -> None:
    with pytest.raises(TypeError, match="needs conversion"):
        DriverRead(select(bindparam("document", type_=JSON).label("document")))


async def test_a_detached_object_is_the_loaded_one_and_can_be_changed(
    session: AsyncSession,
) -> None:
    user = await _add_user(session, "detached-built")
    columns = dict(
        (await session.execute(select(*_users).where(_users.id == user.id))).one()._mapping
    )
    session.expunge(user)

    built = detached(User, columns)

    assert inspect(built).detached
    assert {key: getattr(built, key) for key in columns} == columns
    assert not inspect(built).modified  # loaded values, not changes to write
    built.bio = "changed"
    session.add(built)
    await session.flush()
    assert await session.scalar(select(User.bio).where(User.id == user.id)) == "changed"


def test_a_detached_object_can_be_the_first_orm_object_of_a_process() -> None:
    # The constructor configures the mappers on first use; `detached` must not rely on it.
    probe = (
        "from app.core.driver_reads import detached\n"
        "from app.models import User\n"
        "columns = {c.key: None for c in User.__table__.columns} | {'id': 7}\n"
        "print(detached(User, columns).id)\n"
    )
    run = subprocess.run(  # noqa: S603 (our own interpreter and probe)
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert run.stdout.strip() == "7"
