"""Partial updates (PUT with only the fields to change): absent means "keep", null is refused.

Pydantic needs `X | None = None` to tell an absent field, but null must still be a 422
and must not appear in the published schema, or generated clients would send it.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic import GetJsonSchemaHandler as JsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from app.core.schemas._fields import BLANK_MESSAGE

_NULL = {"type": "null"}


@dataclass(frozen=True)
class NotNull:
    """`Annotated[Title | None, NotNull()] = None`: may be left out, never sent as null."""

    message: str = BLANK_MESSAGE

    def _refuse_null(self, value: Any) -> Any:
        if value is None:
            raise PydanticCustomError("null", self.message)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_before_validator_function(self._refuse_null, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: JsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = dict(handler(schema))
        branches = [branch for branch in json_schema.pop("anyOf", []) if branch != _NULL]
        if len(branches) == 1:
            return {**branches[0], **json_schema}
        return {**json_schema, "anyOf": branches} if branches else json_schema


def drop_null_defaults(schema: dict[str, Any]) -> None:
    """Model JSON Schema hook: the `None` default only marks absence; do not publish it."""
    for field in schema.get("properties", {}).values():
        if "default" in field and field["default"] is None:
            del field["default"]
