"""Request and response bodies of the comments endpoints."""

from typing import Annotated

from pydantic import BaseModel, StringConstraints

from app.conduit.profiles.schemas import Profile
from app.core.schemas import CamelModel, NotBlank, Timestamp

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
