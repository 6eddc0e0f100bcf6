"""A rule every text input obeys, whatever the domain: PostgreSQL text cannot hold NUL.

Without it a `\\u0000` in a JSON string, or `%00` in a URL, reaches the database and comes
back as a server error. Attach `StorableText` to every free-text field and parameter;
`app.core.errors._handlers` still answers 422 if one is missed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic import GetJsonSchemaHandler as JsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

NUL_MESSAGE = "can't contain NUL characters"
# JSON Schema patterns are ECMA-262 regular expressions; Python's `re` reads them too.
NUL_FREE_PATTERN = r"^[^\u0000]*$"


def reject_nul(value: Any) -> Any:
    if isinstance(value, str) and "\x00" in value:
        raise PydanticCustomError("nul_character", NUL_MESSAGE)
    return value


@dataclass(frozen=True)
class TextRule:
    """A check run before any other validation, published as the field's `pattern`.

    The schema then tells generated clients what the server refuses. A field's own
    pattern, if it has one, is assumed stricter and kept.
    """

    check: Callable[[Any], Any]
    pattern: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: JsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = dict(handler(schema))
        # A nullable string is `anyOf: [string, null]`: the pattern belongs to the string.
        branches = json_schema.get("anyOf")
        if branches is not None:
            json_schema["anyOf"] = [self._on_string(branch) for branch in branches]
            return json_schema
        return self._on_string(json_schema)

    def _on_string(self, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        if json_schema.get("type") != "string":
            return json_schema
        return {"pattern": self.pattern, **json_schema}


StorableText = TextRule(reject_nul, NUL_FREE_PATTERN)
"""Marks a string that will be stored or compared in PostgreSQL."""
