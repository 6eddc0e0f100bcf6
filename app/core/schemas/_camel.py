"""The base of every request and response model whose JSON is camelCase."""

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """JSON uses camelCase (`tagList`, `createdAt`); Python keeps snake_case."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True)
