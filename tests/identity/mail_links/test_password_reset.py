"""Password reset through a real SMTP server: the test reads the mail and follows its link."""

import logging

import pytest
from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.audit.models import AuditEvent
from app.identity.mail_links.models import EmailToken
from app.identity.users.models import User
from tests.identity.mail_links.conftest import FRONTEND
from tests.support.smtp import Inbox, link_in
from tests.support.users import PASSWORD, RegisteredUser, log_in, register

SUBJECT = "Reset your Conduit password"
NEW_PASSWORD = "a brand new passphrase"
ACCEPTED = {"message": "If this email is registered, a reset link is on its way."}


async def _ask(client: AsyncClient, email: str) -> dict[str, object]:
    response = await client.post("/api/users/password-reset", json={"user": {"email": email}})
    assert response.status_code == 202, response.text
    body: dict[str, object] = response.json()
    return body


async def _reset(client: AsyncClient, token: str, password: str = NEW_PASSWORD) -> int:
    response = await client.post(
        "/api/users/password-reset/confirm", json={"token": token, "password": password}
    )
    return response.status_code


async def _login(client: AsyncClient, user: RegisteredUser, password: str) -> int:
    body = {"user": {"email": user.email, "password": password}}
    return (await client.post("/api/users/login", json=body)).status_code


async def test_the_mailed_link_sets_a_new_password_and_ends_every_session(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    phone = await log_in(client, bob)

    assert await _ask(client, bob.email) == ACCEPTED

    (mail,) = inbox.to(bob.email, SUBJECT)
    assert mail["From"] == "Conduit <no-reply@conduit.example>"
    assert mail["X-Envelope-To"] == bob.email
    link, token = link_in(mail, FRONTEND)
    assert link.startswith(f"{FRONTEND}/reset-password?token=")
    assert await _reset(client, token) == 204
    for old in (bob, phone):
        assert (await client.get("/api/user", headers=old.headers)).status_code == 401
    assert await _login(client, bob, PASSWORD) == 401
    assert await _login(client, bob, NEW_PASSWORD) == 200
    assert await _reset(client, token, "yet another phrase") == 400  # single use
    actions = (
        await session.scalars(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(4))
    ).all()
    assert "password.reset" in actions
    assert "password.reset_requested" in actions


async def test_the_token_is_stored_only_as_its_digest(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    await _ask(client, bob.email)
    _, token = link_in(inbox.to(bob.email, SUBJECT)[0], FRONTEND)

    digests = (await session.scalars(select(EmailToken.digest))).all()

    assert token not in digests


async def test_the_answer_does_not_reveal_whether_the_email_is_registered(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    gone = await register(client)
    await session.execute(
        update(User).where(User.username == gone.username).values(deactivated_at=func.now())
    )

    answers = [await _ask(client, email) for email in ("nobody@example.com", gone.email, bob.email)]

    assert answers == [ACCEPTED] * 3
    assert inbox.to("nobody@example.com", SUBJECT) == []
    assert inbox.to(gone.email, SUBJECT) == []
    assert len(inbox.to(bob.email, SUBJECT)) == 1


async def test_an_expired_link_is_refused(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    await _ask(client, bob.email)
    _, token = link_in(inbox.to(bob.email, SUBJECT)[0], FRONTEND)
    await session.execute(update(EmailToken).values(expires_at=func.now()))

    response = await client.post(
        "/api/users/password-reset/confirm", json={"token": token, "password": NEW_PASSWORD}
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {"token": ["is invalid or expired"]}
    assert await _login(client, bob, PASSWORD) == 200


async def test_a_deactivated_account_cannot_use_a_link_it_was_sent(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    await _ask(client, bob.email)
    _, token = link_in(inbox.to(bob.email, SUBJECT)[0], FRONTEND)
    await session.execute(
        update(User).where(User.username == bob.username).values(deactivated_at=func.now())
    )

    assert await _reset(client, token) == 400


async def test_using_one_link_retires_the_others(client: AsyncClient, inbox: Inbox) -> None:
    bob = await register(client)
    await _ask(client, bob.email)
    await _ask(client, bob.email)
    first, second = (link_in(m, FRONTEND)[1] for m in inbox.to(bob.email, SUBJECT))

    assert await _reset(client, second) == 204
    assert await _reset(client, first) == 400


async def test_a_password_change_retires_pending_links(client: AsyncClient, inbox: Inbox) -> None:
    bob = await register(client)
    await _ask(client, bob.email)
    _, token = link_in(inbox.to(bob.email, SUBJECT)[0], FRONTEND)

    changed = await client.put(
        "/api/user", headers=bob.headers, json={"user": {"password": "changed by bob himself"}}
    )
    assert changed.status_code == 200

    # A link mailed before (say, one an attacker with the mailbox kept) cannot undo it.
    assert await _reset(client, token) == 400
    assert await _login(client, bob, "changed by bob himself") == 200


async def test_a_link_for_an_address_the_account_no_longer_has_is_refused(
    client: AsyncClient, inbox: Inbox
) -> None:
    bob = await register(client)
    await _ask(client, bob.email)
    _, token = link_in(inbox.to(bob.email, SUBJECT)[0], FRONTEND)
    await client.put("/api/user", headers=bob.headers, json={"user": {"email": "new@example.com"}})

    assert await _reset(client, token) == 400


@pytest.mark.parametrize("registered", [True, False])
async def test_requests_are_throttled_alike_for_any_email(
    client: AsyncClient, app: FastAPI, inbox: Inbox, registered: bool
) -> None:
    email = (await register(client)).email if registered else "nobody@example.com"
    limit = app.state.settings.mail_request_limit
    for _ in range(limit):
        await _ask(client, email)

    response = await client.post("/api/users/password-reset", json={"user": {"email": email}})

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["errors"] == {"email": ["too many requests"]}
    assert len(inbox.to(email, SUBJECT)) == (limit if registered else 0)


async def test_a_relay_that_is_down_costs_the_client_nothing(
    client: AsyncClient, app: FastAPI, inbox: Inbox, caplog: pytest.LogCaptureFixture
) -> None:
    bob = await register(client)
    app.state.settings = app.state.settings.model_copy(update={"smtp_port": 1})

    with caplog.at_level(logging.ERROR, logger="app.core.mail"):
        assert await _ask(client, bob.email) == ACCEPTED

    assert "could not send mail 'Reset your Conduit password' to *@example.com" in caplog.text
    ours = [record.getMessage() for record in caplog.records if record.name.startswith("app.")]
    assert not any(bob.email in message for message in ours)  # no address in our log
