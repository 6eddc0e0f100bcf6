"""Registration, login and profile changes of users.

Functions take the session and return ORM objects; they do not commit (the request
dependency does; login is the one exception: it commits its attempt before hashing) and
raise `AppError`s the HTTP layer turns into problems.
"""

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Boolean, and_, bindparam, case, func, or_, select
from sqlalchemy import update as update_statement
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import hash_password, run_hashing, verify_password
from app.core.db import (
    DriverRead,
    detached,
    release_connection,
    table_of,
    violated_constraint,
)
from app.core.edge import RequestOrigin
from app.core.errors import Conflict, FieldErrors, Forbidden, Unauthorized
from app.core.ratelimit import REQUEST_COUNT, LoginThrottle
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.mail_links import tokens as email_tokens
from app.identity.mail_links.models import EmailTokenPurpose
from app.identity.sessions import service as user_sessions
from app.identity.sessions.models import UserSession
from app.identity.two_factor import service as two_factor
from app.identity.users.models import User
from app.identity.users.schemas import NewUser, UserChanges

# The problem `type` of the 403 that asks for the password again (docs/errors.md).
REAUTHENTICATION_REQUIRED = "urn:problem-type:reauthentication-required"

TAKEN = "has already been taken"
DEACTIVATED = {"account": ["is deactivated"]}
_CONSTRAINT_FIELDS = {"uq_users_username_lower": "username", "uq_users_email_lower": "email"}


_USERS = User.__table__.c
_SESSIONS = UserSession.__table__.c
_SESSION_IS_LIVE = and_(_SESSIONS.revoked_at.is_(None), _SESSIONS.expires_at > func.now())
_SIGNED_IN = User.__table__.join(UserSession.__table__, _SESSIONS.user_id == _USERS.id)
_THIS_SESSION = and_(_USERS.id == bindparam("user_id"), _SESSIONS.id == bindparam("session_id"))
_BY_SESSION = DriverRead(
    select(*_USERS, _SESSION_IS_LIVE.label("session_is_live"))
    .select_from(_SIGNED_IN)
    .where(_THIS_SESSION)
)
# The same read carrying a rate-limit count: the count's row always, the user's beside it
# when the token's user and session exist (a left join).
_COUNTED_BY_SESSION = DriverRead(
    select(
        REQUEST_COUNT.count.label("request_count"),
        REQUEST_COUNT.reset_seconds.label("request_count_reset"),
        *_USERS,
        _SESSION_IS_LIVE.label("session_is_live"),
    ).select_from(REQUEST_COUNT.source.outerjoin(_SIGNED_IN, _THIS_SESSION))
)


@dataclass(frozen=True, slots=True)
class CountedSignIn:
    """What `by_session_counted` read: the sign-in (as `by_session` answers) and the
    request's count in its rate-limit window, with the seconds until that resets."""

    found: tuple[User, bool] | None
    count: int
    reset_seconds: int


def _sign_in_of(columns: dict[str, Any]) -> tuple[User, bool]:
    is_live: bool = columns.pop("session_is_live")
    return detached(User, columns), is_live


async def by_session_counted(
    session: AsyncSession, user_id: int, session_id: int, count: Mapping[str, Any]
) -> CountedSignIn:
    """`by_session`, and in the same statement a rate-limit count (`count`: the parameters
    from `app.core.ratelimit.count_parameters`): one round trip for a write's quota and
    its authentication. The count is committed as the statement runs (it is read on a
    pooled connection outside any transaction), like a count on its own."""
    record = await _COUNTED_BY_SESSION.first(
        session, {"user_id": user_id, "session_id": session_id, **count}
    )
    assert record is not None  # noqa: S101 (the count's row is always there)
    columns = dict(record)
    request_count, reset = columns.pop("request_count"), columns.pop("request_count_reset")
    found = None if columns["id"] is None else _sign_in_of(columns)
    return CountedSignIn(found, int(request_count), int(reset))


async def by_session(
    session: AsyncSession, user_id: int, session_id: int
) -> tuple[User, bool] | None:
    """The user an access token names, and whether its session is still live.

    This is the one statement authenticating a request (every request with a token): the
    session row is joined in, so revocation and expiry are checked without another round
    trip. None if the user or the session does not exist (or is not the user's).

    Read on the driver (app/core/db/_driver_reads.py) and built directly: a fraction of an
    ORM load through the identity map. The object is detached: `update` attaches it when
    it changes it.
    """
    record = await _BY_SESSION.first(session, {"user_id": user_id, "session_id": session_id})
    return None if record is None else _sign_in_of(dict(record))


async def find_by_email(session: AsyncSession, email: str) -> User | None:
    statement = select(User).where(func.lower(User.email) == email.lower())
    return (await session.scalars(statement)).one_or_none()


async def _taken_fields(
    session: AsyncSession, username: str | None, email: str | None, exclude_id: int | None
) -> FieldErrors:
    conditions = []
    if username is not None:
        conditions.append(func.lower(User.username) == username.lower())
    if email is not None:
        conditions.append(func.lower(User.email) == email.lower())
    statement = select(User.username, User.email).where(or_(*conditions))
    if exclude_id is not None:
        statement = statement.where(User.id != exclude_id)
    errors: FieldErrors = {}
    for row in await session.execute(statement):
        if username is not None and row.username.lower() == username.lower():
            errors["username"] = [TAKEN]
        if email is not None and row.email.lower() == email.lower():
            errors["email"] = [TAKEN]
    return errors


@asynccontextmanager
async def _unique_names(
    session: AsyncSession, changes: NewUser | UserChanges, user_id: int | None
) -> AsyncIterator[None]:
    """Apply and flush changes in a savepoint; a unique violation becomes a 409.

    The constraint decides, not a check before the write, so two concurrent
    registrations of one name cannot both succeed.
    """
    try:
        async with session.begin_nested():
            yield
            await session.flush()
    except IntegrityError as error:
        field = _CONSTRAINT_FIELDS.get(violated_constraint(error) or "")
        if field is None:
            raise
        errors = await _taken_fields(session, changes.username, changes.email, user_id)
        conflict = errors or {field: [TAKEN]}
        raise Conflict("The username or email is already registered.", conflict) from error


async def register(session: AsyncSession, new_user: NewUser, origin: RequestOrigin) -> User:
    await release_connection(session)  # only the write quota's count so far
    user = User(
        username=new_user.username,
        email=new_user.email,
        password_hash=await run_hashing(hash_password, new_user.password),
    )
    async with _unique_names(session, new_user, user_id=None):
        session.add(user)
    await audit.record(session, AuditAction.REGISTERED, origin, actor=user, subject=user)
    return user


async def authenticate(
    session: AsyncSession,
    email: str,
    password: str,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    *,
    challenge_ttl: timedelta,
) -> User:
    """The user with these credentials; 401 otherwise, 429 after too many attempts, 403 if
    the account is deactivated, and for an account with two-factor on the 403 that opens
    its code step (`two_factor.TwoFactorRequired`, a challenge valid `challenge_ttl`).

    The attempt is reserved (and committed) before the password is hashed, the hash is
    compared holding no connection, and a failure is committed, with its audit event,
    before the error (see `LoginThrottle`).
    """
    # The account is read in the reservation's transaction, which commits before the
    # hash: one transaction (BEGIN, two statements, COMMIT) before the password check.
    user = await find_by_email(session, email)
    attempt = await throttle.reserve(session, email)
    await release_connection(session)
    matches, new_hash = await run_hashing(
        verify_password, password, user.password_hash if user else None
    )
    if user is None or not matches:
        reason = "unknown email" if user is None else "wrong password"
        await audit.record(
            session, AuditAction.LOGIN_FAILED, origin, actor=None, subject=user, reason=reason
        )
        await throttle.record_failure(session, email, attempt)
        raise Unauthorized("Email or password is incorrect.", {"credentials": ["invalid"]})
    if user.deactivated_at is not None:
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=None,
            subject=user,
            reason="deactivated",
        )
        await session.commit()
        # Said only to whoever knows the password.
        raise Forbidden("The account is deactivated.", DEACTIVATED)
    # Before the failures are cleared: those of the code step add to the password's, so
    # a right password does not buy another round of code guesses.
    await two_factor.require_second_factor(session, user, origin, challenge_ttl)
    await throttle.clear(session, email)
    await audit.record(session, AuditAction.LOGIN_SUCCEEDED, origin, actor=user, subject=user)
    if new_hash is not None:
        user.password_hash = new_hash  # upgraded (e.g. bcrypt to argon2) on login
        await session.flush()
    return user


class ReauthenticationRequired(Forbidden):
    """403: the change needs the password proven recently in this session."""

    problem_type = REAUTHENTICATION_REQUIRED

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Changing the email or the password needs your password from the last {minutes}"
            " minutes: POST /api/user/reauthenticate with it (or log in again), then retry.",
            {"password": ["re-authentication required"]},
        )


async def require_recent_sign_in(session: AsyncSession, session_id: int, window: timedelta) -> None:
    recent = await session.scalar(
        select(UserSession.authenticated_at > func.now() - window).where(
            UserSession.id == session_id
        )
    )
    if not recent:
        raise ReauthenticationRequired(int(window.total_seconds() // 60))


async def reauthenticate(
    session: AsyncSession,
    user: User,
    password: str,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    *,
    session_id: int,
) -> None:
    """The password, proven again: this session may make sensitive changes for the window.
    Throttled as logins are (the same counts), hashed holding no connection."""
    attempt = await throttle.reserve(session, user.email)
    await release_connection(session)
    matches, _ = await run_hashing(verify_password, password, user.password_hash)
    if not matches:
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=user,
            subject=user,
            reason="wrong password at re-authentication",
        )
        await throttle.record_failure(session, user.email, attempt)
        raise Unauthorized("The password is incorrect.", {"password": ["is incorrect"]})
    await throttle.clear(session, user.email)
    await session.execute(
        update_statement(UserSession)
        .where(UserSession.id == session_id)
        .values(authenticated_at=func.now())
    )


# Fields that only describe the account (no uniqueness, no re-authentication): a change of
# only these is one constant UPDATE returning the row, not the unit of work's flush.
_PROFILE_FIELDS = frozenset({"bio", "image"})
_UPDATE_PROFILE = (
    update_statement(table_of(User))
    .where(_USERS.id == bindparam("user_id"))
    .values(
        {
            column: case(
                (
                    bindparam(f"{column.key}_given", type_=Boolean),
                    bindparam(column.key, type_=column.type),
                ),
                else_=column,
            )
            for column in (_USERS.bio, _USERS.image)
        }
    )
    .returning(*_USERS)
)


async def _update_profile_fields(session: AsyncSession, user: User, changes: UserChanges) -> User:
    provided = changes.model_fields_set
    parameters = {"user_id": user.id}
    for field in _PROFILE_FIELDS:
        parameters[f"{field}_given"] = field in provided
        parameters[field] = getattr(changes, field)
    row = (await session.execute(_UPDATE_PROFILE, parameters)).mappings().one()
    return detached(User, dict(row))


async def update(
    session: AsyncSession,
    user: User,
    changes: UserChanges,
    origin: RequestOrigin,
    *,
    current_session_id: int,
    reauth_window: timedelta,
) -> User:
    """Apply the changes sent; a new password ends every session but the current one and
    retires pending password-reset links, a new email address is unverified. Either needs
    the password proven in this session within `reauth_window`."""
    provided = changes.model_fields_set
    if provided <= _PROFILE_FIELDS:
        return await _update_profile_fields(session, user, changes)
    new_email = changes.email is not None and changes.email.lower() != user.email.lower()
    if new_email or ("password" in provided and changes.password is not None):
        await require_recent_sign_in(session, current_session_id, reauth_window)
    new_hash = None
    if "password" in provided and changes.password is not None:
        await release_connection(session)  # only the write quota's count so far
        new_hash = await run_hashing(hash_password, changes.password)
    session.add(user)  # loaded detached by `by_session`; attached now to track the changes
    if changes.email is not None and changes.email.lower() != user.email.lower():
        user.email_verified_at = None  # a new address is unproven until its link is followed
    # Only a username or an email can collide with another account's: those changes are
    # flushed in a savepoint, so that a unique violation becomes a 409. Others are flushed
    # with the commit (no SAVEPOINT and RELEASE round trips).
    unique = {"username", "email"} & provided
    async with _unique_names(session, changes, user_id=user.id) if unique else nullcontext():
        for field in ("username", "email", "bio", "image"):
            if field in provided:
                setattr(user, field, getattr(changes, field))
        if new_hash is not None:
            user.password_hash = new_hash
    if new_hash is not None:
        # A reset link mailed before the change would undo it: none stays usable.
        await email_tokens.retire_all(session, user, EmailTokenPurpose.PASSWORD_RESET)
        ended = await user_sessions.revoke_all_sessions(session, user, keep=current_session_id)
        await audit.record(
            session,
            AuditAction.PASSWORD_CHANGED,
            origin,
            actor=user,
            subject=user,
            other_sessions_ended=ended,
        )
    return user
