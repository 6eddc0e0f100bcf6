"""What a personal access token may be granted. A route declares the scope it needs through
its user dependency (`app.deps.ScopedUser`); routes that declare none take only a
signed-in session (token management, sessions, two-factor, webhooks)."""

from enum import StrEnum


class Scope(StrEnum):
    PROFILE_READ = "profile:read"  # the account (GET /api/user) and profiles
    PROFILE_WRITE = "profile:write"  # follow and unfollow
    ARTICLES_READ = "articles:read"  # lists, the feed, articles, comments
    ARTICLES_WRITE = "articles:write"  # articles, comments, favorites
    ADMIN = "admin"  # the admin API; granted only to admins, and checked with the role


# Scopes only an account of that role may put on a token.
ADMIN_SCOPES = frozenset({Scope.ADMIN})
