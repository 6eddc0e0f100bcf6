"""Two-factor sign-in with TOTP: enrolment, the two-step login, recovery codes, turning it
off, and what it refuses (replays, wrong codes, stale challenges, bad input)."""

import asyncio
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pyotp
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient, Response
from pydantic import SecretStr
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.config import Settings
from app.core.ratelimit import LoginFailures, LoginThrottle
from app.identity.sessions.models import UserSession
from app.identity.two_factor import sealing
from app.identity.two_factor.models import TotpCredential
from app.identity.two_factor.service import TWO_FACTOR_REQUIRED
from app.identity.users.models import User
from app.identity.users.service import REAUTHENTICATION_REQUIRED
from tests.support.audit import latest_audit_event
from tests.support.committed import committed_app
from tests.support.users import PASSWORD, RegisteredUser, as_role, register, signed_in

LOGIN = "/api/users/login"
RACE_ADDRESS = "198.51.100.23"  # TEST-NET-2: only ever a string here, never dialled
SECOND_STEP = "/api/users/login/two-factor"
STATUS = "/api/user/two-factor"


@dataclass(frozen=True)
class Enrolled:
    user: RegisteredUser
    totp: pyotp.TOTP
    recovery_codes: list[str]

    def code(self, steps_ahead: int = 0) -> str:
        """The code of a step near now (the one after the enrolment's, by default +1)."""
        return self.totp.at(time.time() + 30 * steps_ahead)


async def enrolled(client: AsyncClient, user: RegisteredUser | None = None) -> Enrolled:
    """A user with two-factor on, confirmed with the current step's code."""
    user = user or await register(client)
    started = await client.post(STATUS, headers=user.headers)
    assert started.status_code == 201, started.text
    totp = pyotp.TOTP(started.json()["secret"])
    confirmed = await client.post(
        f"{STATUS}/confirm", headers=user.headers, json={"code": totp.now()}
    )
    assert confirmed.status_code == 200, confirmed.text
    return Enrolled(user, totp, confirmed.json()["recoveryCodes"])


async def password_step(client: AsyncClient, user: RegisteredUser) -> Response:
    return await client.post(LOGIN, json={"user": {"email": user.email, "password": PASSWORD}})


async def challenge_of(client: AsyncClient, user: RegisteredUser) -> str:
    response = await password_step(client, user)
    assert response.status_code == 403, response.text
    token: str = response.json()["challenge"]["token"]
    return token


async def code_step(client: AsyncClient, challenge: str, **proof: str) -> Response:
    return await client.post(SECOND_STEP, json={"challenge": challenge, **proof})


async def _spend_steps(session: AsyncSession, user: RegisteredUser, steps: int) -> None:
    """As if `steps` times 30 s passed since the last accepted code: its step moves back."""
    user_id = select(User.id).where(User.username == user.username).scalar_subquery()
    await session.execute(
        update(TotpCredential)
        .where(TotpCredential.user_id == user_id)
        .values(last_used_step=TotpCredential.last_used_step - steps)
    )


async def test_enrolment_is_confirmed_by_a_first_code_and_then_login_takes_two_steps(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    bob = await register(client)
    started = await client.post(STATUS, headers=bob.headers)
    assert started.status_code == 201
    body = started.json()
    assert body["digits"] == 6
    assert body["period"] == 30
    assert body["otpauthUri"].startswith("otpauth://totp/")
    assert f"secret={body['secret']}" in body["otpauthUri"]
    pending = (await client.get(STATUS, headers=bob.headers)).json()
    assert pending == {"enabled": False, "pending": True, "recoveryCodesLeft": 0}
    # Until confirmed, nothing changes at sign-in.
    assert (await password_step(client, bob)).status_code == 200

    totp = pyotp.TOTP(body["secret"])
    confirmed = await client.post(
        f"{STATUS}/confirm", headers=bob.headers, json={"code": totp.now()}
    )
    assert confirmed.status_code == 200
    recovery_codes = confirmed.json()["recoveryCodes"]
    assert len(recovery_codes) == len(set(recovery_codes)) == 10
    status = (await client.get(STATUS, headers=bob.headers)).json()
    assert status == {"enabled": True, "pending": False, "recoveryCodesLeft": 10}

    refused = await password_step(client, bob)
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert problem["type"] == TWO_FACTOR_REQUIRED
    assert "user" not in problem
    assert "session" not in problem  # nothing opened yet
    offer = problem["challenge"]
    assert offer["expiresIn"] == settings.two_factor_challenge_ttl_seconds
    assert offer["methods"] == ["totp", "recovery_code"]

    answer = await code_step(client, offer["token"], code=totp.at(time.time() + 30))
    assert answer.status_code == 200, answer.text
    second = signed_in(answer.json())
    assert (await client.get("/api/user", headers=second.headers)).status_code == 200
    opened = await session.get(UserSession, second.session_id)
    assert opened is not None
    assert opened.revoked_at is None

    admin = await as_role(client, session, "admin")
    assert (await latest_audit_event(client, admin, "two_factor.enabled"))[
        "subject"
    ] == bob.username
    required = await latest_audit_event(client, admin, "login.second_factor_required")
    assert required["subject"] == bob.username
    succeeded = await latest_audit_event(client, admin, "login.succeeded")
    assert succeeded["subject"] == bob.username
    assert succeeded["details"] == {"method": "totp"}


async def test_the_oauth2_password_grant_asks_for_the_code_too(client: AsyncClient) -> None:
    alice = await enrolled(client)
    response = await client.post(
        "/api/users/token", data={"username": alice.user.email, "password": PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["type"] == TWO_FACTOR_REQUIRED
    answer = await code_step(client, response.json()["challenge"]["token"], code=alice.code(1))
    assert answer.status_code == 200


async def test_a_code_is_accepted_once(client: AsyncClient) -> None:
    alice = await enrolled(client)
    confirming_code = alice.code(0)  # spent by the confirmation

    replayed = await code_step(client, await challenge_of(client, alice.user), code=confirming_code)
    assert replayed.status_code == 401
    assert replayed.json()["errors"] == {"code": ["is incorrect"]}

    challenge = await challenge_of(client, alice.user)
    assert (await code_step(client, challenge, code=alice.code(1))).status_code == 200
    again = await code_step(client, await challenge_of(client, alice.user), code=alice.code(1))
    assert again.status_code == 401
    # And an earlier step's code than the last accepted one is no better.
    earlier = await code_step(client, await challenge_of(client, alice.user), code=alice.code(-1))
    assert earlier.status_code == 401


async def test_a_challenge_is_single_use(client: AsyncClient) -> None:
    alice = await enrolled(client)
    challenge = await challenge_of(client, alice.user)
    assert (await code_step(client, challenge, code=alice.code(1))).status_code == 200

    reused = await code_step(client, challenge, recoveryCode=alice.recovery_codes[0])
    assert reused.status_code == 401
    assert reused.json()["errors"] == {"challenge": ["is invalid or expired"]}


async def test_an_expired_challenge_is_refused(client: AsyncClient, session: AsyncSession) -> None:
    from app.identity.two_factor.models import SignInChallenge  # noqa: PLC0415

    alice = await enrolled(client)
    challenge = await challenge_of(client, alice.user)
    await session.execute(
        update(SignInChallenge).values(expires_at=SignInChallenge.expires_at - timedelta(hours=1))
    )
    late = await code_step(client, challenge, code=alice.code(1))
    assert late.status_code == 401
    assert late.json()["errors"] == {"challenge": ["is invalid or expired"]}


async def test_wrong_codes_void_the_challenge_and_count_as_failed_logins(
    client: AsyncClient, settings: Settings
) -> None:
    alice = await enrolled(client)
    challenge = await challenge_of(client, alice.user)  # attempt 1 of the login limit
    wrong = "000000" if alice.code(1) != "000000" else "111111"
    for _ in range(settings.two_factor_challenge_attempts):  # attempts 2 to 6
        answer = await code_step(client, challenge, code=wrong)
        assert answer.status_code == 401
        assert answer.json()["errors"] == {"code": ["is incorrect"]}
    # The challenge is void now, even with the right code: the password is asked again.
    void = await code_step(client, challenge, code=alice.code(1))
    assert void.status_code == 401
    assert void.json()["errors"] == {"challenge": ["is invalid or expired"]}

    # The wrong codes were counted with the password attempts, against the same limit
    # (LOGIN_FAILURE_LIMIT, 10, for this email from this address).
    assert settings.login_failure_limit == 10
    statuses = []
    for _ in range(3):  # attempts 7 and 8, 9 and 10, then 11: one beyond the limit
        attempt = await password_step(client, alice.user)
        statuses.append(attempt.status_code)
        if attempt.status_code == 403:
            await code_step(client, attempt.json()["challenge"]["token"], code=wrong)
    assert statuses == [403, 403, 429]


async def test_a_recovery_code_signs_in_once(client: AsyncClient) -> None:
    alice = await enrolled(client)
    code = alice.recovery_codes[3]
    typed = code.upper().replace("-", " ")  # as a person might type it

    used = await code_step(client, await challenge_of(client, alice.user), recoveryCode=typed)
    assert used.status_code == 200
    left = (await client.get(STATUS, headers=signed_in(used.json()).headers)).json()
    assert left["recoveryCodesLeft"] == 9

    again = await code_step(client, await challenge_of(client, alice.user), recoveryCode=code)
    assert again.status_code == 401


async def test_new_recovery_codes_replace_the_old_ones(client: AsyncClient) -> None:
    alice = await enrolled(client)
    replaced = await client.post(
        f"{STATUS}/recovery-codes", headers=alice.user.headers, json={"code": alice.code(1)}
    )
    assert replaced.status_code == 200
    fresh = replaced.json()["recoveryCodes"]
    assert len(fresh) == 10
    assert not set(fresh) & set(alice.recovery_codes)

    old = await code_step(
        client, await challenge_of(client, alice.user), recoveryCode=alice.recovery_codes[0]
    )
    assert old.status_code == 401
    new = await code_step(client, await challenge_of(client, alice.user), recoveryCode=fresh[0])
    assert new.status_code == 200


async def test_turning_it_off_needs_a_fresh_code(
    client: AsyncClient, session: AsyncSession
) -> None:
    alice = await enrolled(client)
    headers = alice.user.headers
    stale = await client.post(f"{STATUS}/disable", headers=headers, json={"code": alice.code(0)})
    assert stale.status_code == 401  # the confirmation's code, spent

    off = await client.post(f"{STATUS}/disable", headers=headers, json={"code": alice.code(1)})
    assert off.status_code == 204
    assert (await client.get(STATUS, headers=headers)).json() == {
        "enabled": False,
        "pending": False,
        "recoveryCodesLeft": 0,
    }
    assert (await password_step(client, alice.user)).status_code == 200  # one step again
    admin = await as_role(client, session, "admin")
    event = await latest_audit_event(client, admin, "two_factor.disabled")
    assert event["details"] == {"method": "totp"}

    again = await client.post(f"{STATUS}/disable", headers=headers, json={"code": alice.code(1)})
    assert again.status_code == 409


async def test_a_later_code_works_once_time_has_moved_on(
    client: AsyncClient, session: AsyncSession
) -> None:
    alice = await enrolled(client)
    first = await code_step(client, await challenge_of(client, alice.user), code=alice.code(1))
    assert first.status_code == 200
    await _spend_steps(session, alice.user, 3)  # a minute and a half later
    later = await code_step(client, await challenge_of(client, alice.user), code=alice.code(1))
    assert later.status_code == 200


async def test_enrolment_needs_a_recent_password(
    client: AsyncClient, session: AsyncSession
) -> None:
    bob = await register(client)
    await session.execute(
        update(UserSession)
        .where(UserSession.id == bob.session_id)
        .values(authenticated_at=UserSession.authenticated_at - timedelta(minutes=11))
    )
    response = await client.post(STATUS, headers=bob.headers)
    assert response.status_code == 403
    assert response.json()["type"] == REAUTHENTICATION_REQUIRED


async def test_what_each_state_refuses(client: AsyncClient) -> None:
    bob = await register(client)
    assert (await client.get(STATUS)).status_code == 401
    nothing_pending = await client.post(
        f"{STATUS}/confirm", headers=bob.headers, json={"code": "123456"}
    )
    assert nothing_pending.status_code == 409
    not_on = await client.post(f"{STATUS}/disable", headers=bob.headers, json={"code": "123456"})
    assert not_on.status_code == 409

    started = await client.post(STATUS, headers=bob.headers)
    totp = pyotp.TOTP(started.json()["secret"])
    wrong = "000000" if totp.now() != "000000" else "111111"
    wrong_first = await client.post(f"{STATUS}/confirm", headers=bob.headers, json={"code": wrong})
    assert wrong_first.status_code == 422
    assert wrong_first.json()["errors"] == {"code": ["is incorrect"]}
    # Enrolling again before confirming replaces the secret: the first one's codes fail.
    restarted = await client.post(STATUS, headers=bob.headers)
    assert restarted.json()["secret"] != started.json()["secret"]
    stale_secret = await client.post(
        f"{STATUS}/confirm", headers=bob.headers, json={"code": totp.now()}
    )
    assert (
        stale_secret.status_code == 422
        or totp.now() == pyotp.TOTP(restarted.json()["secret"]).now()
    )

    alice = await enrolled(client)
    twice = await client.post(STATUS, headers=alice.user.headers)
    assert twice.status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "12345"}, "code"),
        ({"code": "1234567"}, "code"),
        ({"code": "12a456"}, "code"),
        ({"code": "\u0661\u0662\u0663\u0664\u0665\u0666"}, "code"),  # Arabic-Indic digits
        ({"code": "123\x00456"}, "code"),
        ({"code": 123456}, "code"),
        ({"code": None}, "code"),
        ({"recoveryCode": ""}, "recoveryCode"),
        ({"recoveryCode": "x" * 65}, "recoveryCode"),
        ({"recoveryCode": "ab\x00cd"}, "recoveryCode"),
        ({}, "code"),
        ({"code": "123456", "recoveryCode": "abcd-efgh"}, "code"),
        ({"code": "123456", "challenge": ""}, "challenge"),
        ({"code": "123456", "challenge": "c" * 200}, "challenge"),
    ],
)
async def test_bad_input_is_a_422_naming_the_field(
    client: AsyncClient, body: dict[str, Any], field: str
) -> None:
    alice = await enrolled(client)
    challenge = await challenge_of(client, alice.user)
    response = await client.post(SECOND_STEP, json={"challenge": challenge, **body})
    assert response.status_code == 422, response.text
    assert field in response.json()["errors"]
    # Nothing was spent: the right code still signs in.
    assert (await code_step(client, challenge, code=alice.code(1))).status_code == 200


async def test_an_unknown_challenge_is_a_401(client: AsyncClient) -> None:
    response = await code_step(client, "not-a-challenge", code="123456")
    assert response.status_code == 401
    assert response.json()["errors"] == {"challenge": ["is invalid or expired"]}


async def test_the_secret_is_stored_encrypted(
    client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    bob = await register(client)
    secret = (await client.post(STATUS, headers=bob.headers)).json()["secret"]
    user_id = select(User.id).where(User.username == bob.username).scalar_subquery()
    stored = await session.scalar(
        select(TotpCredential.sealed_secret).where(TotpCredential.user_id == user_id)
    )
    assert stored is not None
    assert secret not in stored
    assert sealing.unseal(stored, settings.two_factor_keys) == secret
    with pytest.raises(ValueError, match="TWO_FACTOR_ENCRYPTION_KEYS"):
        sealing.unseal(stored, ["A" * 42 + "E="])


async def test_two_sign_ins_with_one_code_at_once_open_one_session() -> None:
    # Committed requests (separate transactions, truly at once), from an address of their
    # own whose throttle rows are deleted afterwards: other tests count failures per address.
    async with committed_app() as committed:
        transport = ASGITransport(app=committed.app, client=(RACE_ADDRESS, 40000))
        async with AsyncClient(transport=transport, base_url="http://test") as client:
            alice = await enrolled(client, await register(client, f"{committed.prefix}twin"))
            challenges = [await challenge_of(client, alice.user) for _ in range(2)]
            code = alice.code(1)

            answers = await asyncio.gather(*(code_step(client, c, code=code) for c in challenges))

        assert sorted(answer.status_code for answer in answers) == [200, 401]
        throttle = LoginThrottle(client=RACE_ADDRESS, limit=1, window=timedelta(1))
        async with committed.app.state.sessions.transactional.begin() as session:
            keys = [*throttle.keys(alice.user.email), throttle.address_key()]
            await session.execute(delete(LoginFailures).where(LoginFailures.key.in_(keys)))


async def test_a_new_key_takes_over_each_secret_at_its_next_accepted_code(
    app: FastAPI, client: AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    alice = await enrolled(client)  # sealed with the key the tests run with
    user_id = select(User.id).where(User.username == alice.user.username).scalar_subquery()
    stored = select(TotpCredential.sealed_secret).where(TotpCredential.user_id == user_id)
    new_key = "Yx3Vt0lJ0mP5c8rQ2wZb7nK4hF6dS1aE9gU3oI5yT2c="
    app.state.settings = settings.model_copy(
        update={
            "two_factor_encryption_keys": [
                SecretStr(key) for key in (new_key, *settings.two_factor_keys)
            ]
        }
    )
    with pytest.raises(ValueError, match="TWO_FACTOR_ENCRYPTION_KEYS"):
        sealing.unseal(await session.scalar(stored) or "", [new_key])

    signed = await code_step(client, await challenge_of(client, alice.user), code=alice.code(1))

    assert signed.status_code == 200
    resealed = await session.scalar(stored)
    assert resealed is not None
    assert pyotp.TOTP(sealing.unseal(resealed, [new_key])).secret == alice.totp.secret
