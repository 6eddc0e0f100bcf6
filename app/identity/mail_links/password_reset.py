"""Password reset by a link sent by mail.

Asking answers the same whether or not the email is registered (the route says "if it is
registered, a link is on its way" either way, and the mail goes out after the response),
and is throttled per email and client address like login. Using the link sets the new
password, retires every other reset link, and ends every session of the account.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import hash_password, run_hashing
from app.core.config import Settings
from app.core.db import release_connection
from app.core.edge import RequestOrigin
from app.core.mail import Mail
from app.core.ratelimit import LoginThrottle, unlock_account
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.mail_links import tokens as email_tokens
from app.identity.mail_links.models import EmailTokenPurpose
from app.identity.mail_links.tokens import InvalidLink
from app.identity.sessions import service as user_sessions
from app.identity.users import service as users

RESET_PAGE = "/reset-password"
PURPOSE = EmailTokenPurpose.PASSWORD_RESET


async def request_reset(
    session: AsyncSession,
    email: str,
    throttle: LoginThrottle,
    origin: RequestOrigin,
    settings: Settings,
) -> Mail | None:
    """The mail to send, or None (unknown or deactivated account): the caller cannot tell
    the two apart in its answer. 429 beyond the throttle's limit, whatever the email."""
    await throttle.reserve(session, email)  # counted and committed first, as for login
    await throttle.sweep(session)
    user = await users.find_by_email(session, email)
    if user is None or user.deactivated_at is not None:
        return None
    minutes = settings.password_reset_ttl_minutes
    secret = await email_tokens.issue(session, user, PURPOSE, timedelta(minutes=minutes))
    await audit.record(
        session, AuditAction.PASSWORD_RESET_REQUESTED, origin, actor=None, subject=user
    )
    link = f"{settings.frontend_url}{RESET_PAGE}?{urlencode({'token': secret})}"
    return Mail(
        to=user.email,
        subject="Reset your Conduit password",
        text=(
            f"Someone, hopefully you, asked to reset the password of the Conduit account "
            f"{user.username}.\n\n"
            f"Choose a new password here (the link works once, within {minutes} minutes):\n"
            f"{link}\n\n"
            "If it was not you, ignore this mail: your password stays as it is.\n"
        ),
    )


async def reset_password(
    session: AsyncSession, secret: str, new_password: str, origin: RequestOrigin
) -> None:
    """Set the password the link's holder chose; `InvalidLink` if the link cannot be used.

    The link is checked, the new password hashed holding no connection, and only then is
    the link used and the password set, together (a link used meanwhile: `InvalidLink`).
    """
    await email_tokens.check(session, secret, PURPOSE)
    await release_connection(session)
    new_hash = await run_hashing(hash_password, new_password)
    link = await email_tokens.use(session, secret, PURPOSE)
    user = link.user
    if user.deactivated_at is not None:
        raise InvalidLink
    user.password_hash = new_hash
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)  # the link reached that mailbox
    await session.flush()
    await email_tokens.retire_all(session, user, PURPOSE)
    await unlock_account(session, user.email)  # the mailbox proved: failed logins forgotten
    ended = await user_sessions.revoke_all_sessions(session, user)
    await audit.record(
        session, AuditAction.PASSWORD_RESET, origin, actor=None, subject=user, sessions_ended=ended
    )
