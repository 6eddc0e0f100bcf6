"""Password hashing: argon2id for new hashes; bcrypt hashes from older systems still verify
and are upgraded on the next successful login.
"""

import uuid

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
