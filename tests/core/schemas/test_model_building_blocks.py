"""The shared model building blocks on a model of the test's own (no feature needed)."""

from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated

import pytest
from pydantic import ConfigDict, ValidationError

from app.core.schemas import (
    BLANK_MESSAGE,
    CamelModel,
    Email,
    EmptyAsNone,
    NotBlank,
    NotNull,
    Timestamp,
    drop_null_defaults,
)


class Thing(CamelModel):
    display_name: Annotated[str, NotBlank]
    contact: Email
    note: Annotated[str | None, EmptyAsNone] = None


class ThingChanges(CamelModel):
    model_config = ConfigDict(json_schema_extra=drop_null_defaults)

    display_name: Annotated[Annotated[str, NotBlank] | None, NotNull()] = None


class Stamped(CamelModel):
    created_at: Timestamp


def _errors(payload: object, model: type[CamelModel] = Thing) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as raised:
        model.model_validate(payload)
    return [(str(error["loc"][-1]), error["msg"]) for error in raised.value.errors()]


def test_json_is_camel_case_and_python_names_are_accepted_too() -> None:
    thing = Thing.model_validate({"displayName": "A", "contact": "a@example.com"})
    assert thing.model_dump(by_alias=True)["displayName"] == "A"
    assert Thing.model_validate({"display_name": "A", "contact": "a@example.com"}) == thing


@pytest.mark.parametrize("blank", ["", "   ", "\t\n", None])
def test_a_blank_required_string_is_cant_be_blank(blank: str | None) -> None:
    assert ("displayName", BLANK_MESSAGE) in _errors({"displayName": blank, "contact": "a@b.co"})


def test_a_nul_character_is_refused_in_every_text_field() -> None:
    errors = _errors({"displayName": "a\x00b", "contact": "a@b.co", "note": "x\x00"})
    assert {field for field, _ in errors} == {"displayName", "note"}


def test_an_email_is_checked_for_syntax_only() -> None:
    assert _errors({"displayName": "A", "contact": "not-an-email"}) == [("contact", "is invalid")]
    # Stripped, and example domains are fine (no DNS on the request path).
    assert Thing(display_name="A", contact="  a@example.test ").contact == "a@example.test"


def test_an_empty_optional_string_means_no_value() -> None:
    assert Thing(display_name="A", contact="a@b.co", note="  ").note is None


def test_a_partial_update_may_leave_a_field_out_but_never_send_null() -> None:
    assert ThingChanges.model_validate({}).display_name is None
    assert _errors({"displayName": None}, ThingChanges) == [("displayName", BLANK_MESSAGE)]
    # Null is not published as allowed, nor its None default.
    field = ThingChanges.model_json_schema()["properties"]["displayName"]
    assert "anyOf" not in field
    assert "default" not in field


def test_instants_are_utc_with_milliseconds() -> None:
    moment = datetime(2026, 1, 31, 10, 15, 0, 123456, tzinfo=timezone(timedelta(hours=1)))
    assert Stamped(created_at=moment).model_dump(mode="json", by_alias=True) == {
        "createdAt": "2026-01-31T09:15:00.123Z"
    }
    assert Stamped(created_at=moment).created_at.astimezone(UTC).hour == 9
