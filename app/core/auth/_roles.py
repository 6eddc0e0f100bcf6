"""Roles: a ladder, each role holding every right of the ones below it.

`user` < `moderator` (may remove what others wrote) < `admin` (also changes roles and
(de)activates accounts). Routes ask for a rung with the `Moderator` and `Admin`
dependencies (app/deps.py), which call `require_role`: 401 without a valid token, 403
below the rung. Stored as text in `users.role`, guarded by a CHECK constraint listing
`ROLES`.
"""

from enum import StrEnum

from app.core.errors import Forbidden


class Role(StrEnum):
    USER = "user"
    MODERATOR = "moderator"
    ADMIN = "admin"


ROLES: tuple[Role, ...] = tuple(Role)  # lowest first: the ladder's order
_RANK = {role: rank for rank, role in enumerate(ROLES)}


def has_role(role: str, minimum: Role) -> bool:
    """Whether `role` is `minimum` or above; an unknown role has no rights."""
    rank = _RANK.get(role)  # type: ignore[call-overload]
    return rank is not None and rank >= _RANK[minimum]


def require_role(role: str, minimum: Role) -> None:
    if not has_role(role, minimum):
        raise Forbidden(
            f"This needs the {minimum} role or above.", {"role": [f"must be {minimum} or above"]}
        )
