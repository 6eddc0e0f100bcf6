"""Password hashing: argon2 for new hashes, bcrypt still accepted and upgraded on login."""

import asyncio
import threading

import anyio
import bcrypt
import pytest
from httpx import AsyncClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.auth import _passwords as passwords
from app.identity.users.models import User
from tests.support.users import PASSWORD, register


def test_new_hashes_are_argon2id() -> None:
    hashed = passwords.hash_password("a passphrase")

    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password("a passphrase", hashed) == (True, None)
    assert passwords.verify_password("wrong", hashed) == (False, None)


def test_unknown_user_still_costs_a_verification(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = passwords._passwords.verify

    def counting_verify(secret: str, hashed: str) -> bool:
        calls.append(hashed)
        return original(secret, hashed)

    monkeypatch.setattr(passwords._passwords, "verify", counting_verify)

    assert passwords.verify_password("anything", None) == (False, None)
    assert calls == [passwords._DUMMY_HASH]


@pytest.mark.parametrize("slots", [1, 3])
async def test_a_process_hashes_a_few_passwords_at_a_time(
    monkeypatch: pytest.MonkeyPatch, slots: int
) -> None:
    hashed = passwords.hash_password("a passphrase")
    lock = threading.Lock()
    in_flight = most = 0
    every_slot_taken, let_go = threading.Event(), threading.Event()
    original = passwords._passwords.verify_and_update

    def watched(secret: str, stored: str) -> tuple[bool, str | None]:
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
            if in_flight == slots:
                every_slot_taken.set()
        try:
            let_go.wait(10)  # each hash holds its slot until the test has looked
            return original(secret, stored)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(passwords._passwords, "verify_and_update", watched)
    passwords.limit_concurrent_hashes(slots)
    try:
        verify = passwords.verify_password
        hashes = [passwords.run_hashing(verify, "a passphrase", hashed) for _ in range(8)]
        waiting = asyncio.gather(*hashes)
        assert await asyncio.to_thread(every_slot_taken.wait, 10)
        # The rest queue on the hashing slots, not in the ordinary thread pool (whose
        # threads plain `def` dependencies need): none of its tokens is theirs.
        assert anyio.to_thread.current_default_thread_limiter().borrowed_tokens == 0
        assert not waiting.done()
        let_go.set()
        assert await waiting == [(True, None)] * 8
    finally:
        let_go.set()
        passwords.limit_concurrent_hashes(2)

    assert most == slots


async def test_login_upgrades_a_bcrypt_hash_to_argon2(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client, "bob")
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    user = await session.scalar(select(User).where(User.username == "bob"))
    assert user is not None
    user.password_hash = legacy
    await session.flush()

    response = await client.post(
        "/api/users/login", json={"user": {"email": bob.email, "password": PASSWORD}}
    )

    assert response.status_code == 200
    await session.refresh(user)
    assert user.password_hash.startswith("$argon2id$")
