"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any
from urllib.parse import parse_qs, urlsplit

from aiosmtpd.controller import Controller

from tests.support.ports import free_port


@dataclass
class Inbox:
    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str, subject: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address and subject in m["Subject"]]


def link_in(message: EmailMessage, base_url: str) -> tuple[str, str]:
    """The link a mail asks its reader to follow (starting with base_url), and its token."""
    body = message.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    links = [word for word in text.split() if word.startswith(base_url)]
    assert len(links) == 1, text
    (token,) = parse_qs(urlsplit(links[0]).query)["token"]
    return links[0], token


@contextmanager
def smtp_server() -> Iterator[Inbox]:
    inbox = Inbox(port=free_port())
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
