"""ORM models. Importing this package registers every table on `Base.metadata`."""

# Platform tables (app/core), registered here with the others for Alembic.
from app.core.ratelimit.counter import RateLimitCounter
from app.core.streams.event_log import StreamEvent
from app.models.article import Article, ArticleTag, Comment, Favorite, Tag
from app.models.login_failure import LoginFailures
from app.models.social import Follow
from app.models.user import User

__all__ = [
    "Article",
    "ArticleTag",
    "Comment",
    "Favorite",
    "Follow",
    "LoginFailures",
    "RateLimitCounter",
    "StreamEvent",
    "Tag",
    "User",
]
