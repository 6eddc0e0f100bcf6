"""ORM models. Importing this package registers every table on `Base.metadata`."""

from app.core.streams.event_log import StreamEvent  # a platform table, registered here too
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
    "StreamEvent",
    "Tag",
    "User",
]
