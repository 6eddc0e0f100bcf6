"""ORM models. Importing this package registers every table on `Base.metadata`."""

# Platform tables (app/core), registered here with the others for Alembic.
from app.conduit.articles.models import Article, ArticleTag, Comment, Favorite, Tag
from app.conduit.profiles.models import Follow
from app.core.ratelimit import LoginFailures, RateLimitCounter
from app.core.streams import StreamEvent
from app.identity.audit.models import AuditEvent
from app.identity.mail_links.models import EmailToken, EmailTokenPurpose
from app.identity.sessions.models import RefreshToken, UserSession
from app.identity.users.models import User
from app.integrations.webhooks.models import WebhookDelivery, WebhookEndpoint

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
