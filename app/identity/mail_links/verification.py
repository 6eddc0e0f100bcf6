"""Email verification by a link sent by mail.

Registration mails a link (when mail is configured); a signed-in user with an unverified
address can ask for another (throttled like login). Following it marks the address
verified. A link proves the address it was sent to only: after an email change the old
links are refused and the new address is unverified until its own link is followed.
"""

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.edge import RequestOrigin
from app.core.mail import Mail
from app.identity.audit import service as audit
from app.identity.audit.service import AuditAction
from app.identity.mail_links import tokens as email_tokens
from app.identity.mail_links.models import EmailTokenPurpose
from app.identity.users.models import User

VERIFY_PAGE = "/verify-email"
PURPOSE = EmailTokenPurpose.EMAIL_VERIFICATION


async def verification_mail(session: AsyncSession, user: User, settings: Settings) -> Mail:
    """A new link for the user's current address (whether to send one is the caller's call)."""
    hours = settings.email_verification_ttl_hours
    secret = await email_tokens.issue(session, user, PURPOSE, timedelta(hours=hours))
    link = f"{settings.frontend_url}{VERIFY_PAGE}?{urlencode({'token': secret})}"
    return Mail(
        to=user.email,
        subject="Confirm your email for Conduit",
        text=(
            f"Welcome to Conduit, {user.username}.\n\n"
            f"Confirm that this address is yours (the link works once, within {hours} hours):\n"
            f"{link}\n\n"
            "If you did not sign up, ignore this mail.\n"
        ),
    )


def email_change_notice(username: str, old_email: str, new_email: str) -> Mail:
    """Told to the address an account leaves: if the change was not its owner's, the owner
    learns it where the attacker cannot read (and resets the password from there)."""
    return Mail(
        to=old_email,
        subject="The email of your Conduit account changed",
        text=(
            f"The email address of the Conduit account {username} was changed from this one"
            f" to {new_email}.\n\n"
            "If it was you, there is nothing to do. If not, someone else has your session or"
            " your password: reset the password from this address at once, and sign out"
            " everywhere.\n"
        ),
    )


async def verify_email(session: AsyncSession, secret: str, origin: RequestOrigin) -> User:
    """Mark the address the link was sent to as verified; `InvalidLink` otherwise."""
    link = await email_tokens.use(session, secret, PURPOSE)
    user = link.user
    if user.email_verified_at is None:
        user.email_verified_at = datetime.now(UTC)
        await session.flush()
        await audit.record(
            session,
            AuditAction.EMAIL_VERIFIED,
            origin,
            actor=None,
            subject=user,
            email=link.sent_to,
        )
    return user
