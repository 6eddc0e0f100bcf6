"""Where a request came from, as sessions and the audit log record it."""

from dataclasses import dataclass

from fastapi import Request

from app.core.request_id import current_request_id

USER_AGENT_MAX_LENGTH = 512
# An IPv6 address with a zone fits; a trusted proxy's X-Forwarded-For could say anything.
CLIENT_ADDRESS_MAX_LENGTH = 64


@dataclass(frozen=True, slots=True)
class RequestOrigin:
    """The client address (the peer, or the forwarded one when the proxy is trusted:
    FORWARDED_ALLOW_IPS), its User-Agent (truncated) and the request id."""

    client_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None


COMMAND_LINE = RequestOrigin()
"""The origin of changes made outside HTTP (the command line, jobs)."""


def origin_of(request: Request) -> RequestOrigin:
    agent = request.headers.get("user-agent")
    return RequestOrigin(
        client_address=request.client.host[:CLIENT_ADDRESS_MAX_LENGTH] if request.client else None,
        user_agent=agent[:USER_AGENT_MAX_LENGTH].replace("\x00", "") if agent else None,
        request_id=current_request_id(),
    )
