"""ORM models. Importing this package registers every table on `Base.metadata`."""

# Platform tables (app/core), registered here with the others for Alembic.
from app.core.ratelimit.counter import RateLimitCounter
from app.core.streams.event_log import StreamEvent
from app.models.article import Article, ArticleTag, Comment, Favorite, Tag
from app.models.audit_event import AuditEvent
from app.models.email_token import EmailToken, EmailTokenPurpose
from app.models.login_failure import LoginFailures
from app.models.social import Follow
from app.models.user import User
from app.models.user_session import RefreshToken, UserSession
from app.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Article",
    "ArticleTag",
    "AuditEvent",
    "Comment",
    "EmailToken",
    "EmailTokenPurpose",
    "Favorite",
    "Follow",
    "LoginFailures",
    "RateLimitCounter",
    "RefreshToken",
    "StreamEvent",
    "Tag",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]
