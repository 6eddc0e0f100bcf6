"""Profiles and follows. `following` is always relative to a viewer (None: anonymous)."""

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    SQLColumnExpression,
    bindparam,
    delete,
    exists,
    false,
    func,
    select,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.conduit.profiles.models import Follow
from app.conduit.profiles.schemas import Profile, ProfileV2
from app.core.db import table_of
from app.identity.users.models import User
from app.integrations.webhooks import events as webhook_events
from app.integrations.webhooks.schemas import WebhookEvent

# The table, not the entity: an ORM-enabled insert or delete runs the unit of work's
# bookkeeping (synchronizing the identity map) for rows no request holds.
# Built once, with the pair bound when they run (`_pair`).
_FOLLOWS = table_of(Follow)
_FOLLOWER_ID = bindparam("follower_id", type_=BigInteger)
_FOLLOWEE_ID = bindparam("followee_id", type_=BigInteger)
_FOLLOW = (
    insert(_FOLLOWS)
    .values(follower_id=_FOLLOWER_ID, followee_id=_FOLLOWEE_ID)
    .on_conflict_do_nothing()
    .returning(_FOLLOWS.c.follower_id)
)
_UNFOLLOW = delete(_FOLLOWS).where(
    _FOLLOWS.c.follower_id == _FOLLOWER_ID, _FOLLOWS.c.followee_id == _FOLLOWEE_ID
)


def is_followed_by(
    viewer: User | None, author_id: SQLColumnExpression[int] | int
) -> ColumnElement[bool]:
    """SQL expression: does `viewer` follow the user whose id is `author_id`?

    Used as a column inside larger selects, so lists compute it without extra queries.
    """
    if viewer is None:
        return false()
    return exists().where(Follow.follower_id == viewer.id, Follow.followee_id == author_id)


def profile_of(user: User, *, following: bool) -> Profile:
    return Profile(username=user.username, bio=user.bio, image=user.image, following=following)


async def view(session: AsyncSession, viewer: User | None, user: User) -> Profile:
    following = bool(await session.scalar(select(is_followed_by(viewer, user.id))))
    return profile_of(user, following=following)


async def view_v2(session: AsyncSession, viewer: User | None, user: User) -> ProfileV2:
    """Version 2: `following` and the follower count in one statement."""
    followers = select(func.count()).where(Follow.followee_id == user.id).scalar_subquery()
    following, count = (
        await session.execute(select(is_followed_by(viewer, user.id), followers))
    ).one()
    profile = profile_of(user, following=bool(following))
    return ProfileV2(**profile.model_dump(), followers_count=count)


def _pair(follower: User, followee: User) -> dict[str, int]:
    return {"follower_id": follower.id, "followee_id": followee.id}


async def follow(session: AsyncSession, follower: User, followee: User) -> Profile:
    """Idempotent. Following yourself is a no-op (and the database forbids it)."""
    if follower.id == followee.id:
        return profile_of(followee, following=False)
    inserted = await session.scalar(_FOLLOW, _pair(follower, followee))
    if inserted is not None:  # a new follower, not a repeated follow
        data = {"follower": follower.username}
        await webhook_events.emit(session, followee.id, WebhookEvent.PROFILE_FOLLOWED, data)
    return profile_of(followee, following=True)


async def unfollow(session: AsyncSession, follower: User, followee: User) -> Profile:
    """Idempotent: unfollowing someone you do not follow is not an error."""
    await session.execute(_UNFOLLOW, _pair(follower, followee))
    return profile_of(followee, following=False)
