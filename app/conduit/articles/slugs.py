"""URL slugs from titles: readable, unicode-aware, made unique by the database."""

import secrets
import unicodedata
from collections.abc import Iterator

MAX_BASE_LENGTH = 80
# Paths under /api/articles/ that a slug must not shadow: GET /api/articles/feed is the feed.
RESERVED = frozenset({"feed"})


def _is_word_character(character: str) -> bool:
    # Letters, digits and combining marks: a Devanagari vowel sign belongs to its word.
    return unicodedata.category(character)[0] in "LNM"


def slugify(title: str) -> str:
    """ "Hello, Wörld! 日本" -> "hello-wörld-日本"; never empty."""
    normalized = unicodedata.normalize("NFKC", title).lower()
    words = "".join(c if _is_word_character(c) else " " for c in normalized).split()
    return "-".join(words)[:MAX_BASE_LENGTH].rstrip("-") or "article"


def candidates(title: str) -> Iterator[str]:
    """Slugs to try in turn: the plain one, then variants with a short random suffix.

    Random rather than counted (-2, -3...), so concurrent writers do not race for the
    same next number.
    """
    base = slugify(title)
    if base not in RESERVED:
        yield base
    while True:
        yield f"{base}-{secrets.token_hex(3)}"
