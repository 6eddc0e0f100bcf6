"""Route dependencies of the users feature: accounts by username, the login throttle."""

from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Path, Request
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import DriverRead, detached
from app.core.errors import NotFound
from app.core.ratelimit import LoginThrottle
from app.core.text import StorableText
from app.deps import SettingsDep
from app.identity.users.models import User, has_bound_username

Username = Annotated[str, Path(max_length=255), StorableText]
"""A `{username}` path parameter."""


_NAMED = has_bound_username("username")
_LOADED = select(User).where(_NAMED)
_READ = DriverRead(select(*User.__table__.c).where(_NAMED))


async def user_named(username: str, session: AsyncSession, resource: str) -> User:
    """The account called `username`, or a 404 naming `resource` (load-or-404); loaded
    into the session, for a request that changes it."""
    user = await session.scalar(_LOADED, {"username": username})
    if user is None:
        raise NotFound(resource)
    return user


async def user_named_to_read(username: str, session: AsyncSession, resource: str) -> User:
    """`user_named` for a request that does not change the account (a profile, a follow):
    read on the driver (app/core/db/_driver_reads.py) and detached, a fraction of an ORM
    load."""
    record = await _READ.first(session, {"username": username})
    if record is None:
        raise NotFound(resource)
    return detached(User, record)


async def get_login_throttle(request: Request, settings: SettingsDep) -> LoginThrottle:
    # The peer address, or the forwarded one when the proxy is trusted (FORWARDED_ALLOW_IPS).
    return LoginThrottle(
        client=request.client.host if request.client else "",
        limit=settings.login_failure_limit,
        window=timedelta(seconds=settings.login_failure_window_seconds),
        address_limit=settings.login_address_failure_limit,
        account_limit=settings.login_account_failure_limit,
    )


LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]
"""Failed logins per email and client address (LOGIN_FAILURE_LIMIT), per address
(LOGIN_ADDRESS_FAILURE_LIMIT) and per account (LOGIN_ACCOUNT_FAILURE_LIMIT)."""
