"""Building blocks of request and response models, shared by every feature.

- `CamelModel`: camelCase JSON, snake_case Python.
- `Timestamp`: a UTC instant as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
- field rules: `NotBlank`, `Email`, `EmptyAsNone` (blank checked before length, NUL refused).
- partial updates: `NotNull()` and `drop_null_defaults` (absent keeps, null is a 422).
"""

from app.core.schemas._camel import CamelModel
from app.core.schemas._fields import BLANK_MESSAGE, NON_BLANK_PATTERN, Email, EmptyAsNone, NotBlank
from app.core.schemas._partial import NotNull, drop_null_defaults
from app.core.schemas._timestamp import Timestamp

__all__ = [
    "BLANK_MESSAGE",
    "NON_BLANK_PATTERN",
    "CamelModel",
    "Email",
    "EmptyAsNone",
    "NotBlank",
    "NotNull",
    "Timestamp",
    "drop_null_defaults",
]
