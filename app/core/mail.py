"""Outgoing mail over SMTP (aiosmtplib), sent after the response.

Routes hand a `Mail` to `BackgroundTasks` with `MailSender.deliver`: the client gets its
answer without waiting for the relay, and how long the relay takes (or whether the
address exists) never shows in the response time. `deliver` logs a failure instead of
raising (the response is already gone); `send` raises, for callers that want to know.
With SMTP_HOST unset nothing is sent: each dropped mail is logged.
"""

import logging
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

import aiosmtplib

from app.core.config import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str


class MailSender:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @property
    def enabled(self) -> bool:
        return bool(self._settings.smtp_host)

    def message(self, mail: Mail) -> EmailMessage:
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False)
        domain = parseaddr(settings.smtp_from)[1].rpartition("@")[2] or None
        message["Message-ID"] = make_msgid(domain=domain)
        message.set_content(mail.text)
        return message

    async def send(self, mail: Mail) -> None:
        """Hand the mail to the relay; raises `aiosmtplib.SMTPException` or `OSError`."""
        settings = self._settings
        await aiosmtplib.send(
            self.message(mail),
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username or None,
            password=settings.smtp_password.get_secret_value() or None,
            use_tls=settings.smtp_security == "tls",
            start_tls=settings.smtp_security == "starttls",
            timeout=settings.smtp_timeout_seconds,
        )

    async def deliver(self, mail: Mail) -> None:
        """Send, logging instead of raising: for `BackgroundTasks`, after the response."""
        if not self.enabled:
            logger.warning(
                "mail not sent (SMTP_HOST is unset): %r to %s", mail.subject, _where(mail)
            )
            return
        try:
            await self.send(mail)
        except (aiosmtplib.SMTPException, OSError) as error:
            # No retry: the user can ask again (reset and verification links are throttled).
            logger.error("could not send mail %r to %s: %s", mail.subject, _where(mail), error)  # noqa: TRY400
            return
        logger.info("mail sent: %r to %s", mail.subject, _where(mail))


def _where(mail: Mail) -> str:
    """The recipient's domain: enough to diagnose a relay, without an address in the log."""
    return "*@" + mail.to.rpartition("@")[2]
