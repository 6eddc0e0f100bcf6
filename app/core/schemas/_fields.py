"""Reusable field types encoding the API's input rules.

Order matters for clients: a blank value is reported as "can't be blank" before any
length rule is checked, so the blank check runs as a before-validator.
"""

from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, Field, StringConstraints
from pydantic_core import PydanticCustomError

from app.core.text import NUL_FREE_PATTERN, TextRule, reject_nul

BLANK_MESSAGE = "can't be blank"
# Some character that is neither whitespace nor NUL, and no NUL anywhere.
NON_BLANK_PATTERN = r"^[^\u0000]*[^\s\u0000][^\u0000]*$"


def reject_blank(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError("blank", BLANK_MESSAGE)
    return reject_nul(value)


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return reject_nul(value)


def _valid_email(value: str) -> str:
    try:
        # Syntax only: no DNS lookups on the request path. Test/example domains allowed.
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise PydanticCustomError("email", "is invalid") from error
    return value


NotBlank = TextRule(reject_blank, NON_BLANK_PATTERN)
"""Marks a required string: missing, null, "" and whitespace are "can't be blank".

Also refuses NUL characters (see app.core.text), as every text field must."""

EmptyAsNone = TextRule(_empty_to_none, NUL_FREE_PATTERN)
"""Marks a nullable string where "" (or whitespace) means "no value"; NUL is refused."""

EMAIL_MAX_LENGTH = 254
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=EMAIL_MAX_LENGTH),
    NotBlank,
    AfterValidator(_valid_email),
    Field(json_schema_extra={"format": "email"}),
]
