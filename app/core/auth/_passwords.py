"""Password hashing: argon2id for new hashes; bcrypt hashes from older systems still verify
and are upgraded on the next successful login.
"""

import uuid
from collections.abc import Callable
from functools import partial
from typing import ParamSpec, TypeVar

import anyio
from passlib.context import CryptContext

# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): about 40 ms of CPU
# per hash. Hashes made with other parameters or with bcrypt are rehashed on login.
_passwords = CryptContext(
    schemes=["argon2", "bcrypt"],
    deprecated="auto",
    argon2__memory_cost=19 * 1024,
    argon2__time_cost=2,
    argon2__parallelism=1,
)

# Verified against when the user does not exist, so a login for an unknown email costs
# as much as a wrong password and timing does not reveal which emails are registered.
_DUMMY_HASH = _passwords.hash(uuid.uuid4().hex)


def hash_password(password: str) -> str:
    return _passwords.hash(password)


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """Check a password; return (matches, replacement hash if the stored one is outdated)."""
    if password_hash is None:
        _passwords.verify(password, _DUMMY_HASH)
        return False, None
    return _passwords.verify_and_update(password, password_hash)


# Hashes run in worker threads, a few at a time per process. argon2 is memory-hard: as
# many at once as the thread pool has threads (40) thrash the caches and the page
# allocator, about twice the CPU per hash (measured), and they hold the threads that
# plain `def` dependencies of every other request need. Queued hashes wait here instead.
_hashing_slots = anyio.CapacityLimiter(2)

P = ParamSpec("P")
R = TypeVar("R")


def limit_concurrent_hashes(slots: int) -> None:
    """Set how many passwords this process hashes at once (the lifespan, from
    PASSWORD_HASH_CONCURRENCY)."""
    _hashing_slots.total_tokens = slots


async def run_hashing(func: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Run a password hash or verification (`hash_password`, `verify_password`) in a worker
    thread, once one of the process's hashing slots is free."""
    return await anyio.to_thread.run_sync(partial(func, *args, **kwargs), limiter=_hashing_slots)
