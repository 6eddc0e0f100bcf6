"""Two-factor sign-in: enrolment, the code step of a sign-in, recovery codes, turning it off.

Functions take the session and raise `AppError`s, as the other identity services. A code
is checked holding the attempt the login throttle reserved (and committed) first, so wrong
codes count as failed logins of the account: the same limits, the same 429s.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import digest_of as token_digest
from app.core.auth import new_opaque_token
from app.core.db import delete_expired
from app.core.edge import RequestOrigin
from app.core.errors import Conflict, Forbidden, InvalidInput, Unauthorized
from app.core.ratelimit import LoginThrottle
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.two_factor import codes, sealing
from app.identity.two_factor.models import RecoveryCode, SignInChallenge, TotpCredential
from app.identity.users.models import User

# The problem `type` of the 403 a password step answers for an account with two-factor on.
TWO_FACTOR_REQUIRED = "urn:problem-type:two-factor-required"
SWEEP_BATCH = 50  # expired challenges deleted per new one

Method = Literal["totp", "recovery_code"]
METHODS: tuple[Method, ...] = ("totp", "recovery_code")

_INCORRECT = {"code": ["is incorrect"]}
_NOT_ENABLED = {"twoFactor": ["is not enabled"]}
_DEACTIVATED = {"account": ["is deactivated"]}


class TwoFactorRequired(Forbidden):
    """403 to a right password: the sign-in goes on with a code and this challenge."""

    problem_type = TWO_FACTOR_REQUIRED

    def __init__(self, challenge: str, expires_in: int) -> None:
        super().__init__(
            "The password is right and this account also needs a code: POST it with the"
            " challenge to /api/users/login/two-factor (a code from the authenticator app,"
            " or a recovery code).",
            {"code": ["is required"]},
        )
        self.extensions = {
            "challenge": {"token": challenge, "expiresIn": expires_in, "methods": list(METHODS)}
        }


@dataclass(frozen=True, slots=True)
class Enrolment:
    secret: str  # base32, for typing into an app
    uri: str  # otpauth://, for a QR code


@dataclass(frozen=True, slots=True)
class TwoFactorState:
    enabled: bool
    pending: bool  # enrolled, waiting for its first code
    recovery_codes_left: int


@dataclass(frozen=True, slots=True)
class SecondFactor:
    """What the user typed: a TOTP code or a recovery code (exactly one)."""

    code: str | None = None
    recovery_code: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def is_enabled(session: AsyncSession, user_id: int) -> bool:
    confirmed = await session.scalar(
        select(TotpCredential.confirmed_at.is_not(None)).where(TotpCredential.user_id == user_id)
    )
    return bool(confirmed)


async def state(session: AsyncSession, user_id: int) -> TwoFactorState:
    left = (
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id)
        .scalar_subquery()
    )
    row = (
        await session.execute(
            select(TotpCredential.confirmed_at, left).where(TotpCredential.user_id == user_id)
        )
    ).one_or_none()
    if row is None:
        return TwoFactorState(enabled=False, pending=False, recovery_codes_left=0)
    confirmed_at, recovery_codes_left = row
    enabled = confirmed_at is not None
    return TwoFactorState(enabled, pending=not enabled, recovery_codes_left=recovery_codes_left)


async def begin_enrolment(
    session: AsyncSession, user: User, keys: list[str], issuer: str
) -> Enrolment:
    """A new secret, stored sealed and unconfirmed (replacing an unconfirmed one); 409 when
    two-factor is already on."""
    if await is_enabled(session, user.id):
        raise Conflict(
            "Two-factor sign-in is already on: turn it off first to enrol another authenticator.",
            {"twoFactor": ["is already enabled"]},
        )
    secret = codes.new_totp_secret()
    sealed = sealing.seal(secret, keys)
    statement = upsert(TotpCredential).values(user_id=user.id, sealed_secret=sealed)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[TotpCredential.user_id],
            set_={"sealed_secret": sealed, "created_at": func.now(), "last_used_step": None},
            where=TotpCredential.confirmed_at.is_(None),  # one confirmed meanwhile stays
        )
    )
    return Enrolment(secret=secret, uri=codes.provisioning_uri(secret, user.email, issuer))


async def _replace_recovery_codes(session: AsyncSession, user_id: int) -> list[str]:
    new_codes = codes.new_recovery_codes()
    await session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    await session.execute(
        insert(RecoveryCode),
        [{"digest": codes.recovery_code_digest(c), "user_id": user_id} for c in new_codes],
    )
    return new_codes


async def confirm_enrolment(
    session: AsyncSession, user: User, code: str, keys: list[str], origin: RequestOrigin
) -> list[str]:
    """The first right code turns two-factor on; returns the recovery codes (shown once).
    409 when no enrolment waits, 422 for a wrong code."""
    credential = await session.scalar(
        select(TotpCredential).where(TotpCredential.user_id == user.id).with_for_update()
    )
    if credential is None or credential.confirmed_at is not None:
        raise Conflict(
            "No enrolment is waiting for a code: POST /api/user/two-factor first.",
            {"twoFactor": ["is not being enrolled"]},
        )
    secret = sealing.unseal(credential.sealed_secret, keys)
    step = codes.accepted_step(secret, code, at=_now(), after_step=credential.last_used_step)
    if step is None:
        raise InvalidInput("The code is not the authenticator's current one.", _INCORRECT)
    credential.confirmed_at = _now()
    credential.last_used_step = step
    recovery_codes = await _replace_recovery_codes(session, user.id)
    await audit.record(session, AuditAction.TWO_FACTOR_ENABLED, origin, actor=user, subject=user)
    return recovery_codes


async def _accept(
    session: AsyncSession, user_id: int, given: SecondFactor, keys: list[str]
) -> Method | None:
    """Which factor was right (and is now spent), or None. A TOTP code moves the account's
    last accepted step forward in the same statement that checks it is still behind, so
    two requests with one code cannot both pass; a recovery code is deleted as it is used."""
    if given.recovery_code is not None:
        spent = await session.scalar(
            delete(RecoveryCode)
            .where(
                RecoveryCode.user_id == user_id,
                RecoveryCode.digest == codes.recovery_code_digest(given.recovery_code),
            )
            .returning(RecoveryCode.digest)
        )
        return "recovery_code" if spent is not None else None
    if given.code is None:
        return None
    credential = (
        await session.execute(
            select(TotpCredential.sealed_secret, TotpCredential.last_used_step).where(
                TotpCredential.user_id == user_id, TotpCredential.confirmed_at.is_not(None)
            )
        )
    ).one_or_none()
    if credential is None:
        return None
    sealed, last_step = credential
    secret = sealing.unseal(sealed, keys)
    step = codes.accepted_step(secret, given.code, at=_now(), after_step=last_step)
    if step is None:
        return None
    moved = await session.scalar(
        update(TotpCredential)
        .where(
            TotpCredential.user_id == user_id,
            or_(TotpCredential.last_used_step.is_(None), TotpCredential.last_used_step < step),
        )
        .values(last_used_step=step, sealed_secret=sealing.reseal(sealed, keys))
        .returning(TotpCredential.user_id)
    )
    return "totp" if moved is not None else None


async def require_second_factor(
    session: AsyncSession, user: User, origin: RequestOrigin, ttl: timedelta
) -> None:
    """For a password step that was right: when two-factor is on, open a challenge, COMMIT
    it (with its audit event and the attempt the throttle counted) and raise the 403 that
    carries it. Returns when the account has no second factor."""
    if not await is_enabled(session, user.id):
        return
    token = new_opaque_token()
    await session.execute(
        insert(SignInChallenge).values(
            digest=token.digest, user_id=user.id, expires_at=func.now() + ttl
        )
    )
    await delete_expired(session, SignInChallenge.digest, SignInChallenge.expires_at, SWEEP_BATCH)
    await audit.record(
        session, AuditAction.SECOND_FACTOR_REQUIRED, origin, actor=None, subject=user
    )
    await session.commit()
    raise TwoFactorRequired(token.secret, int(ttl.total_seconds()))


async def complete_sign_in(
    session: AsyncSession,
    challenge: str,
    given: SecondFactor,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    *,
    keys: list[str],
    attempts: int,
) -> User:
    """The code step: the challenge's user, signed in. 401 for an unknown or expired
    challenge or a wrong code (a challenge is void after `attempts` wrong ones), 429 past
    the login limits, 403 for an account deactivated meanwhile."""
    digest = token_digest(challenge)
    found = (
        await session.execute(
            select(User, SignInChallenge.failed_attempts)
            .join(SignInChallenge, SignInChallenge.user_id == User.id)
            .where(SignInChallenge.digest == digest, SignInChallenge.expires_at > func.now())
        )
    ).one_or_none()
    if found is None:
        raise Unauthorized(
            "The sign-in challenge is unknown, used or expired: log in with the password again.",
            {"challenge": ["is invalid or expired"]},
        )
    user, failed_attempts = found
    user_id, email = user.id, user.email  # a rollback below expires the object
    attempt = await throttle.reserve(session, email)  # committed before the check
    if user.deactivated_at is not None:  # since the password step
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=None,
            subject=user_id,
            reason="deactivated",
        )
        await session.commit()
        raise Forbidden("The account is deactivated.", _DEACTIVATED)
    method = await _accept(session, user_id, given, keys)
    # Claiming the challenge is the last check: of two right answers at once, one wins.
    claimed = method is not None and (
        await session.scalar(
            delete(SignInChallenge)
            .where(SignInChallenge.digest == digest)
            .returning(SignInChallenge.digest)
        )
        is not None
    )
    if not claimed:
        await session.rollback()  # a recovery code stays unspent when the sign-in fails
        await _count_wrong_code(session, digest, void=failed_attempts + 1 >= attempts)
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=None,
            subject=user_id,
            reason="wrong two-factor code",
        )
        await throttle.record_failure(session, email, attempt)
        raise Unauthorized("The code is incorrect.", _INCORRECT)
    await throttle.clear(session, user.email)
    await audit.record(
        session, AuditAction.LOGIN_SUCCEEDED, origin, actor=user, subject=user, method=method
    )
    return user


async def _count_wrong_code(session: AsyncSession, digest: str, *, void: bool) -> None:
    mine = SignInChallenge.digest == digest
    if void:
        await session.execute(delete(SignInChallenge).where(mine))
    else:
        await session.execute(
            update(SignInChallenge)
            .where(mine)
            .values(failed_attempts=SignInChallenge.failed_attempts + 1)
        )


async def _check_own_factor(
    session: AsyncSession,
    user: User,
    given: SecondFactor,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    *,
    keys: list[str],
    purpose: str,
) -> Method:
    """A signed-in account proving its second factor (to turn it off, to replace its
    recovery codes): throttled and audited as a sign-in's code step."""
    if not await is_enabled(session, user.id):
        raise Conflict("Two-factor sign-in is not on for this account.", _NOT_ENABLED)
    attempt = await throttle.reserve(session, user.email)
    method = await _accept(session, user.id, given, keys)
    if method is None:
        await audit.record(
            session,
            AuditAction.LOGIN_FAILED,
            origin,
            actor=user,
            subject=user,
            reason=f"wrong two-factor code to {purpose}",
        )
        await throttle.record_failure(session, user.email, attempt)
        raise Unauthorized("The code is incorrect.", _INCORRECT)
    await throttle.clear(session, user.email)
    return method


async def disable(
    session: AsyncSession,
    user: User,
    given: SecondFactor,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    *,
    keys: list[str],
) -> None:
    """Two-factor off, proven by a fresh code (or a recovery code): the secret, the
    recovery codes and any open challenge are deleted."""
    method = await _check_own_factor(
        session, user, given, throttle, origin, keys=keys, purpose="turn two-factor off"
    )
    for table in (TotpCredential, RecoveryCode, SignInChallenge):
        await session.execute(delete(table).where(table.user_id == user.id))
    await audit.record(
        session, AuditAction.TWO_FACTOR_DISABLED, origin, actor=user, subject=user, method=method
    )


async def replace_recovery_codes(
    session: AsyncSession,
    user: User,
    given: SecondFactor,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    *,
    keys: list[str],
) -> list[str]:
    """Ten new recovery codes, proven by a fresh code; the old ones stop working."""
    await _check_own_factor(
        session, user, given, throttle, origin, keys=keys, purpose="replace the recovery codes"
    )
    new_codes = await _replace_recovery_codes(session, user.id)
    await audit.record(
        session, AuditAction.RECOVERY_CODES_REPLACED, origin, actor=user, subject=user
    )
    return new_codes
