"""ORM models. Importing this package registers every table on `Base.metadata`."""

from app.models.article import Article, ArticleTag, Comment, Favorite, Tag
from app.models.login_failure import LoginFailures
from app.models.social import Follow
from app.models.user import User
from app.models.webhook import WebhookDelivery, WebhookEndpoint

__all__ = [
    "Article",
    "ArticleTag",
    "Comment",
    "Favorite",
    "Follow",
    "LoginFailures",
    "Tag",
    "User",
    "WebhookDelivery",
    "WebhookEndpoint",
]
