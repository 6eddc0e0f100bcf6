"""Every ORM model, for Alembic and mapper configuration: importing this registers every
table on `Base.metadata` (migrations/env.py, the tests).

Application code imports a model from its feature (`app.identity.users.models`), never
from here: a feature must not depend on every other feature being present.
"""

from app.conduit.articles.models import Article, ArticleTag, Favorite, Tag
from app.conduit.comments.models import Comment
from app.conduit.profiles.models import Follow
from app.core.ratelimit import LoginFailures, RateLimitCounter
from app.core.streams import StreamEvent
from app.identity.audit.models import AuditEvent
from app.identity.mail_links.models import EmailToken, EmailTokenPurpose
from app.identity.oidc.models import OidcFlow, OidcIdentity
from app.identity.passkeys.models import Passkey, PasskeyCeremony
from app.identity.personal_tokens.models import PersonalAccessToken
from app.identity.sessions.models import RefreshToken, UserSession
from app.identity.two_factor.models import RecoveryCode, SignInChallenge, TotpCredential
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
    "OidcFlow",
    "OidcIdentity",
    "Passkey",
    "PasskeyCeremony",
    "PersonalAccessToken",
    "RateLimitCounter",
    "RecoveryCode",
    "RefreshToken",
    "SignInChallenge",
    "StreamEvent",
    "Tag",
    "TotpCredential",
    "User",
    "UserSession",
    "WebhookDelivery",
    "WebhookEndpoint",
]
