"""Email verification through a real SMTP server: registration mails a link, the test follows it."""

from fastapi import FastAPI
from httpx import AsyncClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.identity.audit.models import AuditEvent
from app.identity.users.models import User
from tests.identity.mail_links.conftest import FRONTEND
from tests.support.smtp import Inbox, link_in
from tests.support.users import RegisteredUser, register

SUBJECT = "Confirm your email for Conduit"


async def _verified(session: AsyncSession, user: RegisteredUser) -> bool:
    stamp = await session.scalar(
        select(User.email_verified_at)
        .where(User.username == user.username)
        .execution_options(populate_existing=True)
    )
    return stamp is not None


async def _confirm(client: AsyncClient, token: str) -> int:
    response = await client.post("/api/users/email-verification/confirm", json={"token": token})
    return response.status_code


async def test_registration_mails_a_link_that_verifies_the_address(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    assert not await _verified(session, bob)

    (mail,) = inbox.to(bob.email, SUBJECT)
    link, token = link_in(mail, FRONTEND)

    assert link.startswith(f"{FRONTEND}/verify-email?token=")
    assert await _confirm(client, token) == 204
    assert await _verified(session, bob)
    assert await _confirm(client, token) == 400  # single use
    event = await session.scalar(
        select(AuditEvent).where(AuditEvent.action == "account.email_verified")
    )
    assert event is not None
    assert event.details == {"email": bob.email}


async def test_a_new_link_can_be_asked_for_until_verified(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)

    again = await client.post("/api/user/email-verification", headers=bob.headers)

    assert again.status_code == 202
    assert again.json() == {"message": "A verification link is on its way."}
    first, second = inbox.to(bob.email, SUBJECT)
    assert await _confirm(client, link_in(second, FRONTEND)[1]) == 204
    done = await client.post("/api/user/email-verification", headers=bob.headers)
    assert done.json() == {"message": "Your email is already verified."}
    assert len(inbox.to(bob.email, SUBJECT)) == 2
    # The first link is still unused, and harmless: the address is verified already.
    assert await _confirm(client, link_in(first, FRONTEND)[1]) == 204


async def test_a_new_address_is_unverified_and_old_links_no_longer_count(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    bob = await register(client)
    (old_mail,) = inbox.to(bob.email, SUBJECT)
    await client.put("/api/user", headers=bob.headers, json={"user": {"email": "b2@example.com"}})

    assert await _confirm(client, link_in(old_mail, FRONTEND)[1]) == 400
    await client.post("/api/user/email-verification", headers=bob.headers)
    (new_mail,) = inbox.to("b2@example.com", SUBJECT)
    assert await _confirm(client, link_in(new_mail, FRONTEND)[1]) == 204
    assert await _verified(session, bob)

    await client.put("/api/user", headers=bob.headers, json={"user": {"email": "B2@Example.com"}})
    assert await _verified(session, bob)  # the same address in other letters
    await client.put("/api/user", headers=bob.headers, json={"user": {"email": "b3@example.com"}})
    assert not await _verified(session, bob)


async def test_asking_is_throttled(client: AsyncClient, app: FastAPI, inbox: Inbox) -> None:
    bob = await register(client)
    for _ in range(app.state.settings.mail_request_limit):
        await client.post("/api/user/email-verification", headers=bob.headers)

    response = await client.post("/api/user/email-verification", headers=bob.headers)

    assert response.status_code == 429
    assert "retry-after" in response.headers


async def test_asking_needs_a_token(client: AsyncClient) -> None:
    response = await client.post("/api/user/email-verification")

    assert response.status_code == 401


async def test_the_admin_view_shows_whether_the_email_is_verified(
    client: AsyncClient, session: AsyncSession, inbox: Inbox
) -> None:
    admin = await register(client)
    await session.execute(update(User).where(User.username == admin.username).values(role="admin"))
    bob = await register(client)
    await _confirm(client, link_in(inbox.to(bob.email, SUBJECT)[0], FRONTEND)[1])

    view = await client.get(f"/api/admin/users/{bob.username}", headers=admin.headers)

    assert view.json()["user"]["emailVerified"] is True


async def test_an_email_change_is_told_to_the_old_address(
    client: AsyncClient, inbox: Inbox
) -> None:
    bob = await register(client)

    changed = await client.put(
        "/api/user", headers=bob.headers, json={"user": {"email": "elsewhere@example.com"}}
    )
    assert changed.status_code == 200

    (notice,) = inbox.to(bob.email, "The email of your Conduit account changed")
    body = notice.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "elsewhere@example.com" in text
    assert "reset the password" in text
    # Other changes, and the same address in other letters, tell nobody.
    await client.put("/api/user", headers=bob.headers, json={"user": {"bio": "hello"}})
    await client.put(
        "/api/user", headers=bob.headers, json={"user": {"email": "Elsewhere@Example.com"}}
    )
    assert len(inbox.to("elsewhere@example.com", "changed")) == 0
