"""Request and response bodies of the articles, favorites and tags endpoints."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from app.conduit.profiles.schemas import Profile
from app.core.schemas import CamelModel, NotBlank, NotNull, Timestamp, drop_null_defaults

TITLE_MAX_LENGTH = 255
DESCRIPTION_MAX_LENGTH = 1_000
BODY_MAX_LENGTH = 100_000
TAG_MAX_LENGTH = 64
TAGS_PER_ARTICLE = 20

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=TITLE_MAX_LENGTH), NotBlank
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX_LENGTH), NotBlank
]
Body = Annotated[str, StringConstraints(max_length=BODY_MAX_LENGTH), NotBlank]
TagName = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=TAG_MAX_LENGTH), NotBlank
]
TagList = Annotated[list[TagName], Field(max_length=TAGS_PER_ARTICLE)]


def _first_occurrences(tags: list[str]) -> list[str]:
    """Duplicates collapse into one tag."""
    return list(dict.fromkeys(tags))


class NewArticle(CamelModel):
    title: Title
    description: Description
    body: Body
    tag_list: TagList = Field(default_factory=list)

    _unique_tags = field_validator("tag_list")(_first_occurrences)


NULL_TAGS_MESSAGE = "must be a list; send [] to remove all tags"


class ArticleChanges(CamelModel):
    """Only the fields present change; `tagList: []` clears the tags, null is an error."""

    model_config = ConfigDict(json_schema_extra=drop_null_defaults)

    title: Annotated[Title | None, NotNull()] = None
    description: Annotated[Description | None, NotNull()] = None
    body: Annotated[Body | None, NotNull()] = None
    tag_list: Annotated[TagList | None, NotNull(NULL_TAGS_MESSAGE)] = None
    _unique_tags = field_validator("tag_list")(_first_occurrences)


class CreateArticleRequest(BaseModel):
    article: NewArticle


class UpdateArticleRequest(BaseModel):
    article: ArticleChanges


class ArticleSummary(CamelModel):
    """An article as listed: everything but the body."""

    slug: str
    title: str
    description: str
    tag_list: list[str]
    created_at: Timestamp
    updated_at: Timestamp
    favorited: bool
    favorites_count: int
    author: Profile


class Article(ArticleSummary):
    body: str


class ArticleResponse(BaseModel):
    article: Article


class ArticleListResponse(CamelModel):
    articles: list[ArticleSummary]
    articles_count: int = Field(description="Matching articles in total, ignoring paging.")


class TagsResponse(BaseModel):
    tags: list[str]
