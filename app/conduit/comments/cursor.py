"""The cursor of a page of comments: where the previous page ended, opaque to clients.

Comments are listed oldest first by (created_at, id); a page starts after the last comment
of the previous one, found through the index on (article_id, created_at): a page deep in a
long thread costs what the first does, and comments added meanwhile never shift it. The
cursor carries both values, so it stays valid when that comment is deleted.
"""

import base64
import binascii
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1
MAX_CURSOR_LENGTH = 64


class InvalidCursor(ValueError):
    """Not a cursor this service wrote."""


def encode(created_at: datetime, comment_id: int) -> str:
    micros = (created_at - EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{comment_id}".encode()).decode().rstrip("=")


def decode(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros_text, id_text = text.split(".")
        micros, comment_id = int(micros_text), int(id_text)
        created_at = EPOCH + timedelta(microseconds=micros)
    except (ValueError, binascii.Error, OverflowError, UnicodeDecodeError) as error:
        raise InvalidCursor(cursor) from error
    if not 1 <= comment_id <= MAX_ID or micros < 0:
        raise InvalidCursor(cursor)
    return created_at, comment_id
