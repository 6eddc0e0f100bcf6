"""Bodies of sign-in responses, refresh and the session list."""

from pydantic import Field

from app.core.schemas import CamelModel, Timestamp
from app.identity.users.schemas import AuthenticatedUser, OpaqueSecret


class IssuedSession(CamelModel):
    """The session a sign-in opened (or a refresh continued), and how to keep it alive."""

    id: int = Field(description="The session's id, as listed by `GET /api/user/sessions`.")
    refresh_token: str = Field(
        description="Single use: trade it at `POST /api/users/refresh` (or the OAuth2 token "
        "endpoint) for a new access token and a new refresh token. Presenting it twice "
        "revokes the session."
    )
    access_token_expires_in: int = Field(description="Seconds until `user.token` expires.")
    expires_at: Timestamp = Field(description="When the session lapses unless refreshed.")


class SignedInResponse(CamelModel):
    """The RealWorld user (its `token` is the access token) and the session it belongs to."""

    user: AuthenticatedUser
    session: IssuedSession


class RefreshRequest(CamelModel):
    refresh_token: OpaqueSecret


class SessionSummary(CamelModel):
    id: int
    created_at: Timestamp
    last_refreshed_at: Timestamp
    expires_at: Timestamp
    client_address: str | None
    user_agent: str | None
    current: bool = Field(description="Whether this request was made with this session.")


class SessionListResponse(CamelModel):
    sessions: list[SessionSummary]
