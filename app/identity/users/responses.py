"""The answers that carry an access token: the RealWorld user, and a sign-in's session.

Shared by every way of signing in (password, two-factor code, passkey, refresh)."""

from app.core.auth import create_access_token
from app.core.config import Settings
from app.identity.sessions import service as user_sessions
from app.identity.sessions.schemas import IssuedSession, SignedInResponse
from app.identity.users.models import User
from app.identity.users.schemas import AuthenticatedUser, UserResponse


def user_response(user: User, token: str) -> UserResponse:
    return UserResponse(
        user=AuthenticatedUser(
            email=user.email,
            token=token,
            username=user.username,
            bio=user.bio,
            image=user.image,
        )
    )


def signed_in_response(
    user: User, issued: user_sessions.IssuedSession, settings: Settings
) -> SignedInResponse:
    access_token = create_access_token(user.id, issued.session_id, settings)
    return SignedInResponse(
        user=user_response(user, access_token).user,
        session=IssuedSession(
            id=issued.session_id,
            refresh_token=issued.refresh_token,
            access_token_expires_in=settings.access_token_ttl_minutes * 60,
            expires_at=issued.expires_at,
        ),
    )
