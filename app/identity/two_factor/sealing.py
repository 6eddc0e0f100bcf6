"""TOTP secrets encrypted at rest (Fernet: AES-128-CBC with HMAC-SHA256, from `cryptography`).

A copy of the database alone does not give the codes of every account: the key lives in
the settings (`TWO_FACTOR_ENCRYPTION_KEYS`), not in the database. `cryptography` is
imported on first use, not at start-up: its OpenSSL bindings cost a worker ~5 MB that
requests without two-factor never need.
"""

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.fernet import MultiFernet


@cache
def _keyring(keys: tuple[str, ...]) -> "MultiFernet":
    from cryptography.fernet import Fernet, MultiFernet  # noqa: PLC0415 (see the docstring)

    # Fernet wants the padded form; settings accept a key with or without its padding.
    return MultiFernet([Fernet(key + "=" * (-len(key) % 4)) for key in keys])


def seal(secret: str, keys: list[str]) -> str:
    """`secret` encrypted with the first key."""
    return _keyring(tuple(keys)).encrypt(secret.encode()).decode()


def unseal(sealed: str, keys: list[str]) -> str:
    """The secret, decrypted with whichever key sealed it (ValueError if none did)."""
    from cryptography.fernet import InvalidToken  # noqa: PLC0415

    try:
        return _keyring(tuple(keys)).decrypt(sealed.encode()).decode()
    except InvalidToken as error:
        raise ValueError("sealed with a key not in TWO_FACTOR_ENCRYPTION_KEYS") from error


def reseal(sealed: str, keys: list[str]) -> str:
    """The secret sealed again with the first key: how a new key takes over from an old one."""
    return _keyring(tuple(keys)).rotate(sealed.encode()).decode()
