"""Request and response bodies of the webhooks endpoints (`/api/webhooks`)."""

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from app.core.schemas import CamelModel, NotBlank, NotNull, Timestamp, drop_null_defaults
from app.core.text import StorableText

URL_MAX_LENGTH = 2_000


class WebhookEvent(StrEnum):
    ARTICLE_PUBLISHED = "article.published"  # you published an article
    COMMENT_CREATED = "comment.created"  # someone commented on your article
    PROFILE_FOLLOWED = "profile.followed"  # someone followed you


WebhookUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=URL_MAX_LENGTH),
    NotBlank,
    Field(json_schema_extra={"format": "uri"}, examples=["https://example.com/hooks/incoming"]),
]
# StorableText first: a NUL is named as such, not as an unknown event.
Events = Annotated[
    list[Annotated[WebhookEvent, StorableText]],
    Field(min_length=1, max_length=len(WebhookEvent)),
]


class NewWebhook(BaseModel):
    url: WebhookUrl
    events: Events


class CreateWebhookRequest(BaseModel):
    webhook: NewWebhook


class WebhookChanges(BaseModel):
    """Only the fields sent change; `enabled: true` re-enables a disabled endpoint."""

    model_config = ConfigDict(json_schema_extra=drop_null_defaults)

    url: Annotated[WebhookUrl | None, NotNull()] = None
    events: Annotated[Events | None, NotNull()] = None
    enabled: Annotated[bool | None, NotNull()] = None


class UpdateWebhookRequest(BaseModel):
    webhook: WebhookChanges


class Webhook(CamelModel):
    id: int
    url: str
    events: list[WebhookEvent]
    enabled: bool
    disabled_reason: str | None
    consecutive_failures: int
    created_at: Timestamp
    updated_at: Timestamp


class CreatedWebhook(Webhook):
    secret: str = Field(description="Signs every delivery. Shown only in this response.")


class WebhookResponse(BaseModel):
    webhook: Webhook


class CreatedWebhookResponse(BaseModel):
    webhook: CreatedWebhook


class WebhookListResponse(BaseModel):
    webhooks: list[Webhook]


class Delivery(CamelModel):
    id: int
    event: str
    status: str = Field(description="`pending`, `succeeded`, `failed` or `skipped`.")
    attempts: int
    response_status: int | None
    error: str | None
    created_at: Timestamp
    last_attempt_at: Timestamp | None


class DeliveryListResponse(BaseModel):
    deliveries: list[Delivery]


class PingResult(CamelModel):
    response_status: int = Field(description="The status the endpoint answered.")
