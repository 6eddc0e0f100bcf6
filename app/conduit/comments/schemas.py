"""Request and response bodies of the comments endpoints."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.schemas.article import CamelModel
from app.schemas.common import Timestamp
from app.schemas.fields import NotBlank
from app.schemas.profile import Profile

COMMENT_MAX_LENGTH = 10_000

CommentBody = Annotated[str, StringConstraints(max_length=COMMENT_MAX_LENGTH), NotBlank]


class NewComment(BaseModel):
    body: CommentBody


class CreateCommentRequest(BaseModel):
    comment: NewComment


class Comment(CamelModel):
    id: int
    created_at: Timestamp
    updated_at: Timestamp
    body: str
    author: Profile


class CommentResponse(BaseModel):
    comment: Comment


class CommentListResponse(BaseModel):
    comments: list[Comment]
