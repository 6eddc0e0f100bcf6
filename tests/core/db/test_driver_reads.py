"""Driver reads: the same rows as SQLAlchemy, in the session's transaction, and its errors."""

import asyncio
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import JSON, Integer, bindparam, func, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from app.core.config import Settings
from app.core.db import DriverRead, Record, create_engine, create_sessions, detached, sqlstate
from app.core.errors import is_database_outage
from app.identity.users.models import User
from tests.support.ports import free_port
from tests.support.probes import last_line_printed
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


_BACKEND = DriverRead(select(func.pg_backend_pid().label("pid")))
_SLEEP = DriverRead(select(func.pg_sleep(bindparam("seconds", type_=Integer)).label("slept")))


@pytest.fixture
async def own_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """An engine of the test's own: its pool's connections are the test's to break."""
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


async def test_a_read_borrows_a_pooled_connection_for_its_round_trip_only(
    own_engine: AsyncEngine,
) -> None:
    pool = own_engine.sync_engine.pool
    session = create_sessions(own_engine).autocommit()

    first = await _BACKEND.first(session, {})
    second = await _BACKEND.first(session, {})

    # The session never connected: nothing to close, nothing held between the reads.
    assert not session.in_transaction()
    assert pool.checkedout() == 0  # type: ignore[attr-defined]
    assert first is not None
    assert second is not None
    assert first["pid"] == second["pid"]


async def test_once_the_session_holds_a_connection_reads_run_on_it(
    own_engine: AsyncEngine,
) -> None:
    pool = own_engine.sync_engine.pool
    async with create_sessions(own_engine).autocommit() as session:
        held = await session.scalar(select(func.pg_backend_pid()))
        record = await _BACKEND.first(session, {})

        assert record is not None
        assert record["pid"] == held
        assert pool.checkedout() == 1  # type: ignore[attr-defined]  # never two at once


async def _read_after_terminating(
    session: AsyncSession, pid: int, connection: AsyncConnection
) -> Record | None:
    """Terminate the backend `pid` (from the test's own connection), then read again."""
    await connection.execute(select(func.pg_terminate_backend(pid)))
    await asyncio.sleep(0.2)  # the server closes the socket; the pool has not noticed
    return await _BACKEND.first(session, {})


async def test_a_dead_pooled_connection_is_replaced_and_the_read_still_answers(
    own_engine: AsyncEngine, connection: AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    async with create_sessions(own_engine).autocommit() as session:
        before = await _BACKEND.first(session, {})
        assert before is not None
        # The pool's one connection dies while it sits in the pool (a restart, a failover).
        after = await _read_after_terminating(session, before["pid"], connection)

        assert after is not None
        assert after["pid"] != before["pid"]
        assert "driver read failed, then succeeded through SQLAlchemy" in caplog.text
        # The answer came the ordinary way, on a connection the session now holds.
        assert session.in_transaction()
    assert own_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


async def test_a_borrowed_connection_is_pinged_after_idle_like_any_other(
    settings: Settings, connection: AsyncConnection, caplog: pytest.LogCaptureFixture
) -> None:
    # Pinged before every use (0 s of idle): the checkout finds the dead connection itself.
    engine = create_engine(settings.model_copy(update={"db_pool_ping_after_idle_seconds": 0}))
    try:
        session = create_sessions(engine).autocommit()
        before = await _BACKEND.first(session, {})
        assert before is not None
        after = await _read_after_terminating(session, before["pid"], connection)

        assert after is not None
        assert after["pid"] != before["pid"]
        assert "driver read failed" not in caplog.text  # replaced at checkout, not after
        assert not session.in_transaction()
    finally:
        await engine.dispose()


async def test_no_free_connection_in_time_is_reported_at_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = create_engine(
        settings.model_copy(
            update={"db_pool_size": 1, "db_max_overflow": 0, "db_pool_timeout_seconds": 0.3}
        )
    )
    read = DriverRead(select(func.pg_backend_pid().label("pid")))
    asked_again = _record_calls(monkeypatch, read, "_ordinary")
    try:
        async with engine.connect() as holding_the_only_connection:
            await holding_the_only_connection.execute(select(1))
            with pytest.raises(PoolTimeout):
                await read.first(create_sessions(engine).autocommit(), {})
    finally:
        await engine.dispose()

    assert asked_again == []  # not a second wait the ordinary way
    assert is_database_outage(PoolTimeout())  # the request answers 503


async def test_an_unreachable_database_is_reported_at_once(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    closed = make_url(settings.database_url).set(host="127.0.0.1", port=free_port())
    engine = create_engine(settings.model_copy(update={"database_url": str(closed)}))
    read = DriverRead(select(func.pg_backend_pid().label("pid")))
    asked_again = _record_calls(monkeypatch, read, "_ordinary")
    try:
        with pytest.raises(ConnectionRefusedError) as refused:
            await read.first(create_sessions(engine).autocommit(), {})
    finally:
        await engine.dispose()

    assert asked_again == []
    assert is_database_outage(refused.value)  # raised by the driver: the request answers 503


def _record_calls(monkeypatch: pytest.MonkeyPatch, read: DriverRead, name: str) -> list[object]:
    calls: list[object] = []
    original = getattr(read, name)

    async def recorded(*args: object) -> object:
        calls.append(args)
        return await original(*args)

    monkeypatch.setattr(read, name, recorded)
    return calls


async def test_a_cancelled_read_does_not_lend_its_connection_again(
    own_engine: AsyncEngine,
) -> None:
    session = create_sessions(own_engine).autocommit()
    before = await _BACKEND.first(session, {})
    assert before is not None

    read = asyncio.create_task(_SLEEP.first(session, {"seconds": 5}))
    await asyncio.sleep(0.3)
    read.cancel()
    with pytest.raises(asyncio.CancelledError):
        await read

    # Interrupted mid-statement, the connection was dropped: the next read gets a new one.
    after = await _BACKEND.first(session, {})
    assert after is not None
    assert after["pid"] != before["pid"]
    assert own_engine.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]


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
        "from app.core.db._driver_reads import detached\n"
        "from app.identity.users.models import User\n"
        "columns = {c.key: None for c in User.__table__.columns} | {'id': 7}\n"
        "print(detached(User, columns).id)\n"
    )
    assert last_line_printed(probe) == "7"
