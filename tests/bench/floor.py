"""The floor: the measured paths with no framework, for `make bench` to compare against.

Pure ASGI on Uvicorn, asyncpg and orjson; the same token checks as the service (HS256
signature with the pinned algorithm, `exp`, `iss`, `aud`, a numeric `sub` naming an
existing user) and the same JSON shapes. No middleware, no logging, no metrics, no
validation beyond what the paths need: the cheapest a Python server can answer these
requests, so the benchmark shows how far the real service is from it.

The writes write what the service writes, with its semantics: the same rows (a comment's
live event with its NOTIFY, new tags, exact counters, idempotent favorites and follows),
the same look-up of the webhook endpoints an event goes to, the same answer. Each is one
statement where PostgreSQL allows (CTEs with RETURNING): one round trip, atomic. A new
article's tag links are a second statement in its transaction, as in the service (a tag
that a concurrent article commits is seen only by a statement begun after it).

    DATABASE_URL=... SECRET_KEY=... uvicorn tests.bench.floor:app
"""

import asyncio
import base64
import hashlib
import hmac
import os
import secrets
import time
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

import asyncpg
import orjson
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

SECRET = os.environ["SECRET_KEY"].encode()
ISSUER = os.environ.get("JWT_ISSUER", "conduit-api")
AUDIENCE = os.environ.get("JWT_AUDIENCE", "conduit-clients")
TOKEN_TTL = timedelta(minutes=int(os.environ.get("ACCESS_TOKEN_TTL_MINUTES", "1440")))
DSN = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
JWT_HEADER = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()

USER = "SELECT id, email, username, bio, image FROM users WHERE id = $1"
LOGIN = "SELECT id, email, username, bio, image, password_hash FROM users WHERE lower(email) = $1"
# $1 is the viewer's id (NULL when anonymous): favorited/following are then false.
ARTICLE_COLUMNS = """
    a.slug, a.title, a.description, a.body, a.created_at, a.updated_at, a.favorites_count,
    u.username, u.bio, u.image,
    EXISTS (SELECT 1 FROM favorites f WHERE f.user_id = $1 AND f.article_id = a.id) AS favorited,
    EXISTS (SELECT 1 FROM follows w WHERE w.follower_id = $1 AND w.followee_id = a.author_id)
        AS following,
    ARRAY(SELECT t.name FROM article_tags x JOIN tags t ON t.id = x.tag_id
          WHERE x.article_id = a.id ORDER BY t.name COLLATE "C") AS tags
"""
ONE = f"SELECT a.id, {ARTICLE_COLUMNS} FROM articles a JOIN users u ON u.id = a.author_id WHERE a.slug = $2"  # noqa: E501, S608
# The page's ids (and the total) first, so the per-row subqueries run for 20 rows, not all.
PAGE = f"""WITH page AS (
        SELECT a.id, count(*) OVER () AS total FROM articles a
        WHERE $2::bool IS FALSE
           OR a.author_id IN (SELECT followee_id FROM follows WHERE follower_id = $1)
        ORDER BY a.created_at DESC, a.id DESC LIMIT $3 OFFSET $4)
    SELECT {ARTICLE_COLUMNS}, page.total
    FROM page JOIN articles a ON a.id = page.id JOIN users u ON u.id = a.author_id
    ORDER BY a.created_at DESC, a.id DESC"""  # noqa: S608
FAVORITE = """WITH added AS (
    INSERT INTO favorites (user_id, article_id) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1)
    UPDATE articles SET favorites_count = favorites_count + 1
    WHERE id = $2 AND EXISTS (SELECT 1 FROM added)"""
UNFAVORITE = """WITH removed AS (
    DELETE FROM favorites WHERE user_id = $1 AND article_id = $2 RETURNING 1)
    UPDATE articles SET favorites_count = favorites_count - 1
    WHERE id = $2 AND EXISTS (SELECT 1 FROM removed)"""

# Writes. A slug taken already: nothing inserted, no row back; the caller tries another.
# Two statements in one transaction, as the service does: a tag that a concurrent article
# adds is committed after the first statement's snapshot began (its insert then does
# nothing), so only a statement of its own sees it to link it.
CREATE_ARTICLE = """WITH article AS (
        INSERT INTO articles (slug, title, description, body, author_id)
        VALUES ($1, $2, $3, $4, $5) ON CONFLICT (slug) DO NOTHING
        RETURNING id, created_at, updated_at),
    added AS (INSERT INTO tags (name) SELECT unnest($6::text[]) WHERE EXISTS (SELECT FROM article)
        ON CONFLICT (name) DO NOTHING)
    SELECT article.id, article.created_at, article.updated_at, u.username, u.bio, u.image,
        (SELECT count(*) FROM webhook_endpoints w WHERE w.owner_id = $5 AND w.enabled
            AND 'article.published' = ANY (w.events)) AS deliveries
    FROM article, users u WHERE u.id = $5"""
LINK_TAGS = """INSERT INTO article_tags (article_id, tag_id)
    SELECT $1, id FROM tags WHERE name = ANY ($2::text[])"""
UPDATE_ARTICLE = f"""WITH a AS (
        UPDATE articles SET body = $3, updated_at = clock_timestamp()
        WHERE slug = $2 AND author_id = $1 RETURNING *)
    SELECT {ARTICLE_COLUMNS} FROM a JOIN users u ON u.id = a.author_id"""  # noqa: S608
_EVENT = """INSERT INTO stream_events (channel, topic, kind, data)
        SELECT 'comments', article_id::text, $4, jsonb_build_object('id', id) FROM {source}
        RETURNING id, topic, kind, data"""
_NOTIFY = """SELECT pg_notify('comments', json_build_object(
        'id', id, 'topic', topic, 'kind', kind, 'data', data)::text) FROM event"""
ADD_COMMENT = f"""WITH article AS (SELECT id, author_id FROM articles WHERE slug = $2),
    comment AS (INSERT INTO comments (body, article_id, author_id)
        SELECT $3, id, $1 FROM article RETURNING id, body, article_id, created_at, updated_at),
    event AS ({_EVENT.format(source="comment")}),
    notified AS ({_NOTIFY})
    SELECT c.id, c.body, c.created_at, c.updated_at, u.username, u.bio, u.image,
        (SELECT count(*) FROM notified) AS notified,
        (SELECT count(*) FROM webhook_endpoints w, article
            WHERE w.owner_id = article.author_id AND article.author_id <> $1 AND w.enabled
            AND 'comment.created' = ANY (w.events)) AS deliveries
    FROM comment c, users u WHERE u.id = $1"""  # noqa: S608
DELETE_COMMENT = f"""WITH removed AS (
        DELETE FROM comments c USING articles a
        WHERE c.id = $2 AND c.article_id = a.id AND a.slug = $3 AND c.author_id = $1
        RETURNING c.id, c.article_id),
    event AS ({_EVENT.format(source="removed")}),
    notified AS ({_NOTIFY})
    SELECT count(*) FROM notified"""  # noqa: S608
FOLLOW = """WITH target AS (SELECT id, username, bio, image FROM users WHERE username = $2),
    added AS (INSERT INTO follows (follower_id, followee_id) SELECT $1, id FROM target
        WHERE id <> $1 ON CONFLICT DO NOTHING RETURNING 1)
    SELECT username, bio, image, (SELECT count(*) FROM added) AS added,
        (SELECT count(*) FROM webhook_endpoints w WHERE w.owner_id = target.id AND w.enabled
            AND 'profile.followed' = ANY (w.events)) AS deliveries
    FROM target"""
UNFOLLOW = """WITH target AS (SELECT id, username, bio, image FROM users WHERE username = $2),
    removed AS (DELETE FROM follows USING target
        WHERE follower_id = $1 AND followee_id = target.id RETURNING 1)
    SELECT username, bio, image, (SELECT count(*) FROM removed) AS removed FROM target"""
UPDATE_USER = """UPDATE users SET bio = $2, updated_at = clock_timestamp() WHERE id = $1
    RETURNING email, username, bio, image"""

_hasher = PasswordHasher()
_pool: asyncpg.Pool | None = None


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def verify_token(token: str) -> int | None:
    """The user id of a valid token, else None."""
    try:
        header, payload, signature = token.split(".")
        expected = hmac.new(SECRET, f"{header}.{payload}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(expected, _b64decode(signature)):
            return None
        if orjson.loads(_b64decode(header)).get("alg") != "HS256":
            return None
        claims = orjson.loads(_b64decode(payload))
    except ValueError:
        return None
    subject = claims.get("sub")
    if (
        not isinstance(claims.get("exp"), int | float)
        or claims["exp"] <= time.time()
        or claims.get("iss") != ISSUER
        or claims.get("aud") != AUDIENCE
        or not isinstance(subject, str)
        or not subject.isdigit()
    ):
        return None
    return int(subject)


def sign_token(user_id: int) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "iat": int(now.timestamp()),
        "exp": int((now + TOKEN_TTL).timestamp()),
        "iss": ISSUER,
        "aud": AUDIENCE,
    }
    signing_input = f"{JWT_HEADER}.{_b64encode(orjson.dumps(claims))}"
    signature = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64encode(signature)}"


def _timestamp(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "Z"


def _article(row: asyncpg.Record, *, body: bool) -> dict[str, Any]:
    article = {
        "slug": row["slug"],
        "title": row["title"],
        "description": row["description"],
        "tagList": row["tags"],
        "createdAt": _timestamp(row["created_at"]),
        "updatedAt": _timestamp(row["updated_at"]),
        "favorited": row["favorited"],
        "favoritesCount": row["favorites_count"],
        "author": {
            "username": row["username"],
            "bio": row["bio"],
            "image": row["image"],
            "following": row["following"],
        },
    }
    if body:
        article["body"] = row["body"]
    return article


def _user(row: asyncpg.Record, token: str) -> dict[str, Any]:
    return {
        "user": {
            "email": row["email"],
            "token": token,
            "username": row["username"],
            "bio": row["bio"],
            "image": row["image"],
        }
    }


async def _respond(send: Send, status: int, body: Any) -> None:
    content = orjson.dumps(body)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(content))]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def _bearer(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return token if scheme.lower() in ("token", "bearer") else None
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def _page(
    send: Send, pool: asyncpg.Pool, viewer: int | None, scope: Scope, *, feed: bool
) -> None:
    query = parse_qs(scope["query_string"].decode())
    limit = int(query.get("limit", ["20"])[0])
    offset = int(query.get("offset", ["0"])[0])
    rows = await pool.fetch(PAGE, viewer, feed, limit, offset)
    articles = [_article(row, body=False) for row in rows]
    total = rows[0]["total"] if rows else 0
    await _respond(send, 200, {"articles": articles, "articlesCount": total})


async def _favorite(send: Send, pool: asyncpg.Pool, viewer: int, slug: str, add: bool) -> None:
    async with pool.acquire() as connection, connection.transaction():
        article_id = await connection.fetchval("SELECT id FROM articles WHERE slug = $1", slug)
        if article_id is None:
            await _respond(send, 404, {"errors": {"article": ["not found"]}})
            return
        await connection.execute(FAVORITE if add else UNFAVORITE, viewer, article_id)
        row = await connection.fetchrow(ONE, viewer, slug)
    await _respond(send, 200, {"article": _article(row, body=True)})


def _slugs(title: str) -> list[str]:
    """The service's slug of `title` (app/conduit/articles/slugs.py), then suffixed ones."""
    words = "".join(
        c if unicodedata.category(c)[0] in "LNM" else " "
        for c in unicodedata.normalize("NFKC", title).lower()
    ).split()
    base = "-".join(words)[:80].rstrip("-") or "article"
    return [base] + [f"{base}-{secrets.token_hex(3)}" for _ in range(5)]


def _profile(row: asyncpg.Record, *, following: bool) -> dict[str, Any]:
    return {
        "username": row["username"],
        "bio": row["bio"],
        "image": row["image"],
        "following": following,
    }


async def _create_article(send: Send, pool: asyncpg.Pool, viewer: int, receive: Receive) -> None:
    fields = orjson.loads(await _read_body(receive))["article"]
    tags = sorted(set(fields.get("tagList") or []))
    title, description, body = fields["title"], fields["description"], fields["body"]
    async with pool.acquire() as connection, connection.transaction():
        for slug in _slugs(title):
            row = await connection.fetchrow(
                CREATE_ARTICLE, slug, title, description, body, viewer, tags
            )
            if row is not None:
                break
        else:
            await _respond(send, 409, {"errors": {"slug": ["is taken"]}})
            return
        if tags:
            await connection.execute(LINK_TAGS, row["id"], tags)
    article = {
        "slug": slug,
        "title": title,
        "description": description,
        "body": body,
        "tagList": tags,
        "createdAt": _timestamp(row["created_at"]),
        "updatedAt": _timestamp(row["updated_at"]),
        "favorited": False,
        "favoritesCount": 0,
        "author": _profile(row, following=False),
    }
    await _respond(send, 201, {"article": article})


async def _update_article(
    send: Send, pool: asyncpg.Pool, viewer: int, slug: str, receive: Receive
) -> None:
    changes = orjson.loads(await _read_body(receive))["article"]
    row = await pool.fetchrow(UPDATE_ARTICLE, viewer, slug, changes["body"])
    if row is None:
        await _respond(send, 404, {"errors": {"article": ["not found"]}})
        return
    await _respond(send, 200, {"article": _article(row, body=True)})


async def _add_comment(
    send: Send, pool: asyncpg.Pool, viewer: int, slug: str, receive: Receive
) -> None:
    body = orjson.loads(await _read_body(receive))["comment"]["body"]
    row = await pool.fetchrow(ADD_COMMENT, viewer, slug, body, "comment.created")
    if row is None:
        await _respond(send, 404, {"errors": {"article": ["not found"]}})
        return
    comment = {
        "id": row["id"],
        "createdAt": _timestamp(row["created_at"]),
        "updatedAt": _timestamp(row["updated_at"]),
        "body": row["body"],
        "author": _profile(row, following=False),
    }
    await _respond(send, 201, {"comment": comment})


async def _delete_comment(
    send: Send, pool: asyncpg.Pool, viewer: int, slug: str, comment_id: int
) -> None:
    if not await pool.fetchval(DELETE_COMMENT, viewer, comment_id, slug, "comment.deleted"):
        await _respond(send, 404, {"errors": {"comment": ["not found"]}})
        return
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _follow(send: Send, pool: asyncpg.Pool, viewer: int, username: str, add: bool) -> None:
    row = await pool.fetchrow(FOLLOW if add else UNFOLLOW, viewer, username)
    if row is None:
        await _respond(send, 404, {"errors": {"profile": ["not found"]}})
        return
    await _respond(send, 200, {"profile": _profile(row, following=add)})


async def _update_user(
    send: Send, pool: asyncpg.Pool, viewer: int, token: str, receive: Receive
) -> None:
    changes = orjson.loads(await _read_body(receive))["user"]
    row = await pool.fetchrow(UPDATE_USER, viewer, changes["bio"])
    if row is None:
        await _respond(send, 401, {"errors": {"token": ["is invalid"]}})
        return
    await _respond(send, 200, _user(row, token))


async def _login(send: Send, pool: asyncpg.Pool, receive: Receive) -> None:
    credentials = orjson.loads(await _read_body(receive))["user"]
    row = await pool.fetchrow(LOGIN, credentials["email"].lower())
    try:
        loop = asyncio.get_running_loop()
        password = credentials["password"]
        await loop.run_in_executor(None, _hasher.verify, row["password_hash"], password)
    except (VerificationError, TypeError):
        await _respond(send, 401, {"errors": {"credentials": ["invalid"]}})
        return
    await _respond(send, 200, _user(row, sign_token(row["id"])))


async def _route(scope: Scope, receive: Receive, send: Send, pool: asyncpg.Pool) -> None:
    method, path = scope["method"], scope["path"]
    if path == "/health/live":
        await _respond(send, 200, {"status": "ok"})
        return
    if path == "/health/ready":
        await pool.fetchval("SELECT 1", timeout=2)
        await _respond(send, 200, {"status": "ok"})
        return
    if path == "/api/users/login" and method == "POST":
        await _login(send, pool, receive)
        return
    token = _bearer(scope)
    viewer = verify_token(token) if token else None
    if token and viewer is None:
        await _respond(send, 401, {"errors": {"token": ["is invalid"]}})
        return
    if viewer and method != "GET":
        await _write(scope, receive, send, pool, viewer=viewer, token=token or "")
    elif path == "/api/user":
        row = await pool.fetchrow(USER, viewer) if viewer else None
        if row is None:
            await _respond(send, 401, {"errors": {"token": ["is missing"]}})
            return
        await _respond(send, 200, _user(row, token or ""))
    elif path in ("/api/articles", "/api/articles/feed"):
        await _page(send, pool, viewer, scope, feed=path.endswith("/feed"))
    elif path.startswith("/api/articles/"):
        row = await pool.fetchrow(ONE, viewer, unquote(path.removeprefix("/api/articles/")))
        if row is None:
            await _respond(send, 404, {"errors": {"article": ["not found"]}})
            return
        await _respond(send, 200, {"article": _article(row, body=True)})
    else:
        await _respond(send, 404, {"errors": {"path": ["not found"]}})


async def _write(
    scope: Scope, receive: Receive, send: Send, pool: asyncpg.Pool, *, viewer: int, token: str
) -> None:
    method = scope["method"]
    parts = [unquote(part) for part in scope["path"].removeprefix("/api/").split("/")]
    match parts:
        case ["articles"] if method == "POST":
            await _create_article(send, pool, viewer, receive)
        case ["articles", slug] if method == "PUT":
            await _update_article(send, pool, viewer, slug, receive)
        case ["articles", slug, "favorite"]:
            await _favorite(send, pool, viewer, slug, add=method == "POST")
        case ["articles", slug, "comments"] if method == "POST":
            await _add_comment(send, pool, viewer, slug, receive)
        case ["articles", slug, "comments", comment_id] if method == "DELETE":
            await _delete_comment(send, pool, viewer, slug, int(comment_id))
        case ["profiles", username, "follow"]:
            await _follow(send, pool, viewer, username, add=method == "POST")
        case ["user"] if method == "PUT":
            await _update_user(send, pool, viewer, token, receive)
        case _:
            await _respond(send, 404, {"errors": {"path": ["not found"]}})


async def _keep_as_is(_connection: asyncpg.Connection) -> None:
    """No reset on release: the floor leaves no session state behind (no LISTEN, no SET,
    no advisory lock), and asyncpg's default reset is four statements per request. The
    service's pool sends none either."""


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    global _pool  # noqa: PLW0603 (one pool per worker process, made at start-up)
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            _pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10, reset=_keep_as_is)
            await send({"type": "lifespan.startup.complete"})
        if _pool is not None:
            await _pool.close()
        await send({"type": "lifespan.shutdown.complete"})
        return
    assert _pool is not None
    await _route(scope, receive, send, _pool)
