"""The floor: the measured read paths with no framework, for `make bench` to compare against.

Pure ASGI on Uvicorn, asyncpg and orjson; the same token checks as the service (HS256
signature with the pinned algorithm, `exp`, `iss`, `aud`, a numeric `sub` naming an
existing user) and the same JSON shapes. No middleware, no logging, no metrics, no
validation beyond what the paths need: the cheapest a Python server can answer these
requests, so the benchmark shows how far the real service is from it.

    DATABASE_URL=... SECRET_KEY=... uvicorn tests.bench.floor:app
"""

import asyncio
import base64
import hashlib
import hmac
import os
import time
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
    if path == "/api/user":
        row = await pool.fetchrow(USER, viewer) if viewer else None
        if row is None:
            await _respond(send, 401, {"errors": {"token": ["is missing"]}})
            return
        await _respond(send, 200, _user(row, token or ""))
    elif path in ("/api/articles", "/api/articles/feed"):
        await _page(send, pool, viewer, scope, feed=path.endswith("/feed"))
    elif path.startswith("/api/articles/") and path.endswith("/favorite") and viewer:
        slug = unquote(path.removeprefix("/api/articles/").removesuffix("/favorite"))
        await _favorite(send, pool, viewer, slug, add=method == "POST")
    elif path.startswith("/api/articles/"):
        row = await pool.fetchrow(ONE, viewer, unquote(path.removeprefix("/api/articles/")))
        if row is None:
            await _respond(send, 404, {"errors": {"article": ["not found"]}})
            return
        await _respond(send, 200, {"article": _article(row, body=True)})
    else:
        await _respond(send, 404, {"errors": {"path": ["not found"]}})


async def app(scope: Scope, receive: Receive, send: Send) -> None:
    global _pool  # noqa: PLW0603 (one pool per worker process, made at start-up)
    if scope["type"] == "lifespan":
        while (await receive())["type"] != "lifespan.shutdown":
            _pool = await asyncpg.create_pool(DSN, min_size=5, max_size=10)
            await send({"type": "lifespan.startup.complete"})
        if _pool is not None:
            await _pool.close()
        await send({"type": "lifespan.shutdown.complete"})
        return
    assert _pool is not None
    await _route(scope, receive, send, _pool)
