"""URL slugs from titles: readable, unicode-aware, made unique by the database."""

import re
import secrets
import unicodedata

MAX_BASE_LENGTH = 80
_NOT_WORD = re.compile(r"[^\w]+")


def slugify(title: str) -> str:
    """ "Hello, Wörld! 日本" -> "hello-wörld-日本"; never empty."""
    normalized = unicodedata.normalize("NFKC", title).lower()
    slug = _NOT_WORD.sub("-", normalized).replace("_", "-").strip("-")
    slug = re.sub(r"-{2,}", "-", slug)[:MAX_BASE_LENGTH].rstrip("-")
    return slug or "article"


def with_suffix(base: str) -> str:
    """A variant for when `base` is taken: a short random suffix, not a counter to race on."""
    return f"{base}-{secrets.token_hex(3)}"
