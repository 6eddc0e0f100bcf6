"""Reusable field types encoding the API's input rules.

Order matters for clients: a blank value is reported as "can't be blank" before any
length rule is checked, so the blank check runs as a before-validator.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BeforeValidator, GetCoreSchemaHandler, StringConstraints
from pydantic import GetJsonSchemaHandler as JsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

BLANK_MESSAGE = "can't be blank"


def reject_blank(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise PydanticCustomError("blank", BLANK_MESSAGE)
    return value


def _empty_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _valid_email(value: str) -> str:
    try:
        # Syntax only: no DNS lookups on the request path. Test/example domains allowed.
        validate_email(value, check_deliverability=False, test_environment=True)
    except EmailNotValidError as error:
        raise PydanticCustomError("email", "is invalid") from error
    return value


@dataclass(frozen=True)
class _NotBlank:
    """Runs `reject_blank` first, and tells OpenAPI clients about it (`pattern: \\S`)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(reject_blank, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: JsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        # Unanchored, as JSON Schema patterns are: "contains a non-whitespace character".
        return {**json_schema, "pattern": r"\S"}


NotBlank = _NotBlank()
"""Marks a required string: missing, null, "" and whitespace are "can't be blank"."""

EmptyAsNone = BeforeValidator(_empty_to_none)
"""Marks a nullable string where "" (or whitespace) means "no value"."""

EMAIL_MAX_LENGTH = 254
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=EMAIL_MAX_LENGTH),
    NotBlank,
    AfterValidator(_valid_email),
]
